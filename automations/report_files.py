"""The monthly report's two files: an A4 PDF (reportlab, the library of the invoices'
PDFs, with their embedded fonts) whose charts are vector drawings, and an Excel workbook
(openpyxl) whose charts are native Excel charts over the sheet's own cells.

Amounts stay Decimal in the tables and cells; a chart's bar lengths are drawing
coordinates, the one place they become floats.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from automations.report import MonthlyFigures
from domain.finance.documents.labels import french_number
from domain.finance.documents.pdfa import FONT, FONT_BOLD, for_display, register_fonts
from domain.kit.money import Currency

SHORT_MONTHS = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
ACCENT = colors.HexColor("#1F3A5F")
SECOND = colors.HexColor("#7FA7D9")
WARN = colors.HexColor("#C0504D")
LIGHT = colors.HexColor("#E8EDF3")
WIDTH = A4[0] - 36 * mm
LISTED = 15

_STYLES = {
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19),
    "h2": ParagraphStyle(
        "h2", fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=8, textColor=ACCENT
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
    "right": ParagraphStyle("right", fontName=FONT, fontSize=9, leading=12, alignment=TA_RIGHT),
}


def _month(point_date: Any) -> str:
    return f"{SHORT_MONTHS[point_date.month - 1]} {point_date:%y}"


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(for_display(text)), _STYLES[style])


# --- PDF ----------------------------------------------------------------------------


def render_pdf(f: MonthlyFigures) -> bytes:
    """The report as an A4 PDF: key figures, then one section per subject, each with its
    chart and the table of its numbers."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Rapport mensuel — {f.label}",
        author=f.business,
        lang="fr-FR",
    )
    story: list[Flowable] = [
        _p(f"{f.business} — rapport mensuel de {f.label}", "title"),
        _p(f"Du {f.month:%d/%m/%Y} au {f.end:%d/%m/%Y}, montants en {f.currency}."),
        Spacer(1, 4 * mm),
        _table([("Indicateur", "Valeur"), *_key_rows(f)], right=(1,)),
        KeepTogether(
            [_p("Chiffre d'affaires par mois (facturé HT et encaissé)", "h2"), _columns(f)]
        ),
        _table(
            [("Mois", "Facturé HT", "Encaissé")]
            + [(_month(p.period), f.money(p.invoiced_net), f.money(p.collected)) for p in f.months],
            right=(1, 2),
        ),
        KeepTogether(
            [_p(f"Créances par ancienneté au {f.end:%d/%m/%Y}", "h2"), _bars(f.ageing, WARN)]
        ),
        _table([("Ancienneté", "Montant")] + [(a, f.money(b)) for a, b in f.ageing], right=(1,)),
        KeepTogether([_p("Meilleurs clients du mois (facturé HT)", "h2"), *_top_customers(f)]),
        *_stock(f),
        *_absences(f),
    ]
    doc.build(story)
    return buffer.getvalue()


def _key_rows(f: MonthlyFigures) -> list[tuple[str, str]]:
    k = f.kpis
    rows = [
        ("Facturé HT sur le mois", f.money(k.invoiced_net)),
        ("Encaissé sur le mois", f.money(k.collected)),
        ("Reste à encaisser", f.money(k.unpaid)),
        (f"En retard ({k.overdue_count} facture(s))", f.money(k.overdue)),
        (
            "Délai moyen de paiement (90 j)",
            f"{french_number(k.dso_days)} j" if k.dso_days is not None else "—",
        ),
    ]
    if f.stock is not None and f.stock.value is not None:
        rows.append(("Valeur du stock", f.money(f.stock.value)))
    return rows


def _table(rows: Sequence[Sequence[str]], *, right: tuple[int, ...] = ()) -> Table:
    cells = [
        [_p(str(c), "right" if i in right else "body") for i, c in enumerate(row)] for row in rows
    ]
    table = Table(cells, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    table.setStyle(TableStyle(commands))
    return table


def _columns(f: MonthlyFigures) -> Drawing:
    """Invoiced and collected per month, side by side (a vector drawing)."""
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, WIDTH - 60, 52 * mm - 20
    # Bar lengths are drawing geometry (reportlab computes in floats); every amount the
    # report states is printed from its Decimal in the table beside the chart.
    chart.data = [
        [float(p.invoiced_net) for p in f.months],
        [float(p.collected) for p in f.months],
    ]
    chart.categoryAxis.categoryNames = [SHORT_MONTHS[p.period.month - 1] for p in f.months]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor, chart.bars[1].fillColor = ACCENT, SECOND
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 40, 62 * mm - 6, FONT, 8
    legend.alignment, legend.columnMaximum = "right", 1
    legend.colorNamePairs = [(ACCENT, "Facturé HT"), (SECOND, "Encaissé")]
    drawing.add(legend)
    return drawing


def _bars(rows: list[tuple[str, Decimal]], color: colors.Color = ACCENT) -> Drawing:
    """One horizontal bar per row, longest first as given (a vector drawing)."""
    height = max(len(rows), 1) * 7 * mm + 20
    drawing = Drawing(WIDTH, height)
    if not rows:
        drawing.add(String(0, height / 2, "Rien à montrer.", fontName=FONT, fontSize=8))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 16, WIDTH - 130, height - 20
    chart.data = [[float(amount) for _, amount in reversed(rows)]]
    chart.categoryAxis.categoryNames = [label[:24] for label, _ in reversed(rows)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = color
    drawing.add(chart)
    return drawing


def _top_customers(f: MonthlyFigures) -> list[Flowable]:
    top = f.kpis.top_customers
    if not top:
        return [_p("Aucune facture ce mois-ci.")]
    return [
        _bars([(t.name, t.invoiced_net) for t in top]),
        _table(
            [("Client", "Facturé HT")] + [(t.name, f.money(t.invoiced_net)) for t in top],
            right=(1,),
        ),
    ]


def _stock(f: MonthlyFigures) -> list[Flowable]:
    if f.stock is None:
        return []
    s = f.stock
    value = f.money(s.value) if s.value is not None else "—"
    parts: list[Flowable] = [
        _p("Stock : valeur et santé", "h2"),
        _p(
            f"Valeur du stock : {value} ({s.products} produit(s) en stock). "
            f"Produits sous leur minimum : {len(s.low)}."
        ),
    ]
    if s.low:
        rows = [
            (
                p.product_name,
                p.warehouse_name,
                f"{p.available.normalize():f}",
                f"{p.min_quantity.normalize():f}",
            )
            for p in s.low[:LISTED]
        ]
        parts.append(_table([("Produit", "Dépôt", "Disponible", "Minimum"), *rows], right=(2, 3)))
    return parts


def _absences(f: MonthlyFigures) -> list[Flowable]:
    if f.absences is None:
        return []
    parts: list[Flowable] = [_p("Absences du mois", "h2")]
    if not f.absences:
        return [*parts, _p("Aucune absence ce mois-ci.")]
    rows = [
        (
            a.employee,
            a.leave_type_name,
            f"du {a.start_date:%d/%m} au {a.end_date:%d/%m}",
            f"{a.days}",
        )
        for a in f.absences
    ]
    return [*parts, _table([("Salarié", "Motif", "Période", "Jours"), *rows], right=(3,))]


# --- Excel --------------------------------------------------------------------------

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EDF3")


def render_xlsx(f: MonthlyFigures) -> bytes:
    """The report as a workbook: a summary sheet, then one sheet per subject with its
    numbers and a native bar chart over them."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Synthèse"
    _rows(summary, [(f"{f.business} — rapport mensuel de {f.label}", None)])
    _rows(summary, [("Indicateur", f"Montant ({f.currency})")], head=True)
    money = _money_format(f)
    _rows(summary, _key_cells(f), money=money)
    revenue = book.create_sheet("Chiffre d'affaires")
    _rows(revenue, [("Mois", "Facturé HT", "Encaissé")], head=True)
    _rows(revenue, [(_month(p.period), p.invoiced_net, p.collected) for p in f.months], money=money)
    _chart(revenue, "Chiffre d'affaires par mois", columns=2, anchor="E2", vertical=True)
    ageing = book.create_sheet("Créances")
    _rows(ageing, [("Ancienneté", "Montant")], head=True)
    _rows(ageing, list(f.ageing), money=money)
    _chart(ageing, f"Créances par ancienneté au {f.end:%d/%m/%Y}", columns=1, anchor="D2")
    top = book.create_sheet("Clients")
    _rows(top, [("Client", "Facturé HT")], head=True)
    _rows(top, [(t.name, t.invoiced_net) for t in f.kpis.top_customers], money=money)
    if f.kpis.top_customers:
        _chart(top, "Meilleurs clients du mois", columns=1, anchor="D2")
    if f.stock is not None:
        _stock_sheet(book.create_sheet("Stock"), f)
    if f.absences is not None:
        sheet = book.create_sheet("Absences")
        _rows(sheet, [("Salarié", "Motif", "Du", "Au", "Jours")], head=True)
        _rows(
            sheet,
            [(a.employee, a.leave_type_name, a.start_date, a.end_date, a.days) for a in f.absences],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _money_format(f: MonthlyFigures) -> str:
    """Amounts shown with the currency's minor unit (2 decimals for EUR, none for XOF)."""
    return "#,##0.00" if Currency(f.currency).minor_units else "#,##0"


def _key_cells(f: MonthlyFigures) -> list[tuple[Any, ...]]:
    k = f.kpis
    rows: list[tuple[Any, ...]] = [
        ("Facturé HT sur le mois", k.invoiced_net),
        ("Encaissé sur le mois", k.collected),
        ("Reste à encaisser", k.unpaid),
        ("En retard", k.overdue),
        ("Factures en retard", k.overdue_count),
    ]
    if f.stock is not None and f.stock.value is not None:
        rows.append(("Valeur du stock", f.stock.value))
    return rows


def _stock_sheet(sheet: Worksheet, f: MonthlyFigures) -> None:
    assert f.stock is not None
    values = [("Valeur du stock", f.stock.value), ("Produits en stock", f.stock.products)]
    _rows(sheet, values, money=_money_format(f))
    _rows(sheet, [("Produit", "Dépôt", "Disponible", "Minimum", "Maximum")], head=True)
    _rows(
        sheet,
        [
            (p.product_name, p.warehouse_name, p.available, p.min_quantity, p.max_quantity)
            for p in f.stock.low
        ],
    )


def _rows(
    sheet: Worksheet, rows: list[tuple[Any, ...]], *, head: bool = False, money: str = ""
) -> None:
    """Append ``rows``; ``money``: the number format of their Decimal cells (amounts)."""
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if head:
                cell.font, cell.fill = BOLD, HEAD_FILL
            elif isinstance(cell.value, Decimal) and money:
                cell.number_format = money
            elif isinstance(cell.value, date | datetime):
                cell.number_format = "DD/MM/YYYY"
    sheet.column_dimensions["A"].width = 28
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 16


def _chart(
    sheet: Worksheet, title: str, *, columns: int, anchor: str, vertical: bool = False
) -> None:
    """A native bar chart over the sheet's table (header in row 1, labels in column A)."""
    chart = BarChart()
    chart.type = "col" if vertical else "bar"
    chart.title = title
    chart.height, chart.width = 8, 16
    data = Reference(sheet, min_col=2, max_col=1 + columns, min_row=1, max_row=sheet.max_row)
    labels = Reference(sheet, min_col=1, min_row=2, max_row=sheet.max_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    sheet.add_chart(chart, anchor)
