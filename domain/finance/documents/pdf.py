"""A4 PDF of an invoice, deposit invoice, credit note or quote, in French.

Layout: seller and title side by side, the buyer in a box on the right (where a window
envelope shows it), the lines table whose header repeats on every page, then VAT
breakdown, totals, payment details, notes and the legal mentions. The seller's identity
and "Page i/n" sit in the footer of every page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from domain.finance.documents import labels
from domain.finance.documents.model import (
    Address,
    DocumentKind,
    Line,
    Party,
    PrintableDocument,
    VatBreakdown,
)
from domain.finance.documents.pdfa import (
    FONT,
    FONT_BOLD,
    add_srgb_output_intent,
    for_display,
    register_fonts,
)

MARGIN = 18 * mm
FOOTER_HEIGHT = 16 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
ACCENT = colors.HexColor("#1F3A5F")
LIGHT = colors.HexColor("#E8EDF3")
GREY = colors.HexColor("#555555")

_STYLES = {
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=GREY),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    "cell_right": ParagraphStyle(
        "cell_right", fontName=FONT, fontSize=8, leading=10, alignment=TA_RIGHT
    ),
    "head": ParagraphStyle(
        "head", fontName=FONT_BOLD, fontSize=8, leading=10, textColor=colors.white
    ),
    "head_right": ParagraphStyle(
        "head_right",
        fontName=FONT_BOLD,
        fontSize=8,
        leading=10,
        textColor=colors.white,
        alignment=TA_RIGHT,
    ),
    "seller": ParagraphStyle("seller", fontName=FONT_BOLD, fontSize=13, leading=16),
    "title": ParagraphStyle(
        "title", fontName=FONT_BOLD, fontSize=20, leading=24, textColor=ACCENT, alignment=TA_RIGHT
    ),
    "meta": ParagraphStyle("meta", fontName=FONT, fontSize=9, leading=12, alignment=TA_RIGHT),
    "section": ParagraphStyle(
        "section", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=ACCENT, spaceBefore=4
    ),
}


def render_pdf(doc: PrintableDocument) -> bytes:
    """The document as a PDF (embedded fonts, sRGB output intent), ready to send or to
    wrap as Factur-X."""
    register_fonts()
    buffer = io.BytesIO()
    template = _template(buffer, doc)
    template.build(_story(doc), canvasmaker=_NumberedCanvas)
    return add_srgb_output_intent(buffer.getvalue())


_INVOICE_KINDS = (DocumentKind.INVOICE, DocumentKind.DEPOSIT_INVOICE)


def _p(text: str, style: str = "body") -> Paragraph:
    """A paragraph from plain text: escaped, and drawable with the embedded font."""
    return Paragraph(for_display(escape(text)).replace("\n", "<br/>"), _STYLES[style])


def _markup(markup: str, style: str = "body") -> Paragraph:
    """A paragraph from trusted markup (<b>, <br/>) whose dynamic parts are escaped."""
    return Paragraph(for_display(markup), _STYLES[style])


def _heading(doc: PrintableDocument) -> str:
    title = labels.TITLES[doc.kind]
    return f"{title} N° {doc.number}"


# --- page furniture ---------------------------------------------------------------------


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Holds pages back until the end so each can say "Page i/n"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initialFontName", FONT)  # no unembedded Helvetica in the file
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's camelCase API
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(GREY)
            self.drawRightString(A4[0] - MARGIN, MARGIN - 8 * mm, f"Page {number}/{total}")
            super().showPage()
        super().save()


def _template(buffer: io.BytesIO, doc: PrintableDocument) -> BaseDocTemplate:
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_heading(doc),
        author=doc.seller.name,
        subject=f"{_heading(doc)} du {labels.french_date(doc.issue_date)}",
        creator="Comptoir",
        lang="fr-FR",
        initialFontName=FONT,
    )
    first = Frame(MARGIN, MARGIN + FOOTER_HEIGHT, CONTENT_WIDTH, A4[1] - 2 * MARGIN - FOOTER_HEIGHT)
    later = Frame(
        MARGIN, MARGIN + FOOTER_HEIGHT, CONTENT_WIDTH, A4[1] - 2 * MARGIN - FOOTER_HEIGHT - 10 * mm
    )

    def draw_first(canvas: Canvas, _: BaseDocTemplate) -> None:
        _draw_footer(canvas, doc)

    def draw_later(canvas: Canvas, _: BaseDocTemplate) -> None:
        _draw_footer(canvas, doc)
        canvas.setFont(FONT_BOLD, 9)
        canvas.setFillColor(ACCENT)
        text = f"{_heading(doc)} du {labels.french_date(doc.issue_date)} (suite)"
        canvas.drawString(MARGIN, A4[1] - MARGIN - 4 * mm, for_display(text))

    template.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], onPage=draw_first, autoNextPageTemplate=1),
            PageTemplate(id="later", frames=[later], onPage=draw_later),
        ]
    )
    return template


def _draw_footer(canvas: Canvas, doc: PrintableDocument) -> None:
    seller = doc.seller
    identity = " – ".join([seller.name, *labels.party_identifiers(seller)])
    canvas.saveState()
    canvas.setStrokeColor(LIGHT)
    canvas.line(
        MARGIN, MARGIN + FOOTER_HEIGHT - 3 * mm, A4[0] - MARGIN, MARGIN + FOOTER_HEIGHT - 3 * mm
    )
    footer = Paragraph(for_display(escape(identity)), _STYLES["small"])
    _, height = footer.wrap(CONTENT_WIDTH - 20 * mm, FOOTER_HEIGHT)
    footer.drawOn(canvas, MARGIN, MARGIN + FOOTER_HEIGHT - 5 * mm - height)
    canvas.restoreState()


# --- story --------------------------------------------------------------------------------


def _story(doc: PrintableDocument) -> list[Flowable]:
    story: list[Flowable] = [_header(doc), Spacer(1, 6 * mm), _parties(doc)]
    if doc.kind is DocumentKind.CREDIT_NOTE and doc.preceding_invoice:
        story += [Spacer(1, 4 * mm), _markup(f"<b>{escape(_credit_note_reference(doc))}</b>")]
    story += [Spacer(1, 6 * mm), _lines_table(doc), Spacer(1, 5 * mm), _summary(doc)]
    if doc.country == "SN":
        story += [Spacer(1, 4 * mm), _p(labels.stopped_at_sentence(doc))]
    story += _payment(doc) + _notes(doc)
    if doc.kind is DocumentKind.QUOTE:
        story.append(_acceptance_box())
    story += _legal_mentions(doc)
    return story


def _credit_note_reference(doc: PrintableDocument) -> str:
    text = f"Avoir sur la facture N° {doc.preceding_invoice}"
    if doc.preceding_invoice_date:
        text += f" du {labels.french_date(doc.preceding_invoice_date)}"
    return text


def _address_lines(address: Address, home_country: str) -> list[str]:
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(f"{address.postcode} {address.city}".strip())
    if address.country != home_country:  # a foreign address names its country
        lines.append(_COUNTRY_NAMES.get(address.country, address.country))
    return lines


_COUNTRY_NAMES = {"FR": "France", "SN": "Sénégal", "CI": "Côte d'Ivoire", "BE": "Belgique"}


def _party_block(party: Party, home_country: str, *, name_style: str = "body") -> list[Flowable]:
    lines = _address_lines(party.address, home_country)
    contacts = [c for c in (party.phone, party.email) if c]
    block: list[Flowable] = [
        _markup(f"<b>{escape(party.name)}</b>", name_style),
        _p("\n".join(lines + contacts)),
    ]
    ids = labels.party_identifiers(party)
    if ids:
        block.append(_p("\n".join(ids), "small"))
    return block


def _header(doc: PrintableDocument) -> Table:
    meta = [f"<b>N° {escape(doc.number)}</b>"]
    if doc.kind is DocumentKind.QUOTE and doc.version:
        meta.append(f"Version {doc.version}")
    date_label = "Date du devis" if doc.kind is DocumentKind.QUOTE else "Date d'émission"
    meta.append(f"{date_label} : {labels.french_date(doc.issue_date)}")
    if doc.kind is DocumentKind.QUOTE and doc.valid_until:
        meta.append(f"Valable jusqu'au : {labels.french_date(doc.valid_until)}")
    elif doc.due_date and doc.kind is not DocumentKind.CREDIT_NOTE:
        meta.append(f"Date d'échéance : {labels.french_date(doc.due_date)}")
    if doc.buyer_reference:
        meta.append(f"Votre référence : {escape(doc.buyer_reference)}")
    title_block = [_p(labels.TITLES[doc.kind], "title"), _markup("<br/>".join(meta), "meta")]
    seller_block = _party_block(doc.seller, doc.country, name_style="seller")
    table = Table([[seller_block, title_block]], colWidths=[CONTENT_WIDTH * 0.55, None])
    table.setStyle(_plain_cells())
    return table


def _parties(doc: PrintableDocument) -> Table:
    label = "Facturé à" if doc.kind in _INVOICE_KINDS else "Client"
    buyer = [_markup(f"<b>{label}</b>", "small"), *_party_block(doc.buyer, doc.country)]
    if doc.delivery is not None:  # a French mention: where the goods go, if elsewhere
        where = _address_lines(doc.delivery, doc.country)
        buyer += [_markup("<b>Adresse de livraison</b>", "small"), _p("\n".join(where))]
    table = Table([["", buyer]], colWidths=[CONTENT_WIDTH * 0.5, None])
    style = _plain_cells()
    style.add("BOX", (1, 0), (1, 0), 0.6, ACCENT)
    style.add("LEFTPADDING", (1, 0), (1, 0), 8)
    style.add("TOPPADDING", (1, 0), (1, 0), 6)
    style.add("BOTTOMPADDING", (1, 0), (1, 0), 6)
    table.setStyle(style)
    return table


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    # Tables set a font for every cell, Helvetica unless told: it would not be embedded.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _plain_cells() -> TableStyle:
    return _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )


# --- lines --------------------------------------------------------------------------------

_LINE_COLUMNS: list[tuple[str, float, bool]] = [
    # (heading, width in mm, right-aligned); the description takes what is left.
    ("Désignation", 0, False),
    ("Qté", 13, True),
    ("Unité", 13, False),
    ("PU HT", 25, True),
    ("Remise", 16, True),
    ("Total HT", 27, True),
    ("TVA", 13, True),
]


def _lines_table(doc: PrintableDocument) -> Table:
    with_discount = any(line.discount_percent for line in doc.lines)
    columns = [c for c in _LINE_COLUMNS if with_discount or c[0] != "Remise"]
    widths: list[float] = [w * mm for _, w, _ in columns]
    widths[0] = CONTENT_WIDTH - sum(widths)
    header = [_p(name, "head_right" if right else "head") for name, _, right in columns]
    rows: list[list[Any]] = [header]
    for line in sorted(doc.lines, key=lambda item: item.position):
        rows.append(_line_row(line, doc, with_discount))
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = _table_style(
        [
            ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, LIGHT),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    table.setStyle(style)
    return table


def _line_row(line: Line, doc: PrintableDocument, with_discount: bool) -> list[Any]:
    description = escape(line.description).replace("\n", "<br/>")
    if line.sku:
        description += f"<br/><font size=6.5 color='#555555'>Réf. {escape(line.sku)}</font>"
    vat = "Exo." if line.vat_category == "E" else labels.percent(line.vat_rate)
    cells = [
        _markup(description, "cell"),
        _p(labels.french_number(line.quantity), "cell_right"),
        _p(line.unit_name or labels.unit_label(line.unit), "cell"),
        _p(labels.money(line.unit_price, doc.currency), "cell_right"),
    ]
    if with_discount:
        discount = labels.percent(line.discount_percent) if line.discount_percent else ""
        cells.append(_p(discount, "cell_right"))
    cells += [
        _p(labels.money(line.net_amount, doc.currency), "cell_right"),
        _p(vat, "cell_right"),
    ]
    return cells


# --- VAT and totals -----------------------------------------------------------------------

_CATEGORY_LABELS = {
    "E": "Exonéré",
    "AE": "Autoliquidation",
    "K": "Intracommunautaire",
    "G": "Export",
    "O": "Hors champ",
}


def _summary(doc: PrintableDocument) -> KeepTogether:
    vat = _vat_table(doc)
    totals = _totals_table(doc)
    side_by_side = Table([[vat, totals]], colWidths=[CONTENT_WIDTH * 0.52, CONTENT_WIDTH * 0.48])
    side_by_side.setStyle(_plain_cells())
    flowables: list[Flowable] = [side_by_side]
    reasons = [v for v in doc.vat if v.exemption_reason]
    for breakdown in reasons:
        label = _CATEGORY_LABELS.get(breakdown.category, breakdown.category)
        flowables.append(_p(f"{label} : {breakdown.exemption_reason}", "small"))
    return KeepTogether(flowables)


def _vat_rate_label(breakdown: VatBreakdown) -> str:
    if breakdown.category in _CATEGORY_LABELS:
        return _CATEGORY_LABELS[breakdown.category]
    return f"TVA {labels.percent(breakdown.rate)}"


def _vat_table(doc: PrintableDocument) -> Table:
    rows: list[list[Any]] = [
        [_p("Taux", "head"), _p("Base HT", "head_right"), _p("TVA", "head_right")]
    ]
    for breakdown in doc.vat:
        rows.append(
            [
                _p(_vat_rate_label(breakdown), "cell"),
                _p(labels.money(breakdown.base, doc.currency), "cell_right"),
                _p(labels.money(breakdown.tax, doc.currency), "cell_right"),
            ]
        )
    table = Table(rows, colWidths=[32 * mm, 28 * mm, 24 * mm], hAlign="LEFT")
    table.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _totals_rows(doc: PrintableDocument) -> list[tuple[str, str, bool]]:
    """(label, amount, emphasised) in the order they are printed."""
    t, cur = doc.totals, doc.currency
    rows = [
        ("Total HT", labels.money(t.net, cur), False),
        ("Total TVA", labels.money(t.tax, cur), False),
        ("Total TTC", labels.money(t.gross, cur), doc.kind is DocumentKind.QUOTE),
    ]
    if doc.kind is DocumentKind.QUOTE:
        return rows
    if t.paid:
        rows.append(("Déjà payé", labels.money(-t.paid, cur), False))
    if doc.kind is DocumentKind.CREDIT_NOTE:
        if t.paid:
            rows.append(("Reste à rembourser", labels.money(t.due, cur), True))
        return rows
    rows.append(("Net à payer", labels.money(t.due, cur), True))
    return rows


def _totals_table(doc: PrintableDocument) -> Table:
    rows = _totals_rows(doc)
    data = [
        [
            _markup(f"<b>{label}</b>" if strong else label),
            _markup(f"<b>{amount}</b>" if strong else amount, "cell_right"),
        ]
        for label, amount, strong in rows
    ]
    table = Table(data, colWidths=[38 * mm, 34 * mm], hAlign="RIGHT")
    style = _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, 0), (-1, -2), 0.3, LIGHT),
        ]
    )
    for index, (_, _, strong) in enumerate(rows):
        if strong:
            style.add("BACKGROUND", (0, index), (-1, index), LIGHT)
    table.setStyle(style)
    return table


# --- payment, notes, mentions -------------------------------------------------------------


def _payment(doc: PrintableDocument) -> list[Flowable]:
    lines: list[str] = []
    if doc.payment_terms:
        lines.append(f"Conditions de paiement : {doc.payment_terms}")
    if doc.due_date and doc.kind in _INVOICE_KINDS:
        lines.append(f"À régler au plus tard le {labels.french_date(doc.due_date)}")
    if doc.payment_means:
        lines.append(f"Moyen de paiement : {doc.payment_means}")
    if doc.iban:
        lines.append(f"IBAN : {_grouped_iban(doc.iban)}")
    if not lines:
        return []
    return [
        Spacer(1, 5 * mm),
        KeepTogether([_p("Paiement", "section"), _p("\n".join(lines))]),
    ]


def _grouped_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _notes(doc: PrintableDocument) -> list[Flowable]:
    if not doc.notes:
        return []
    return [Spacer(1, 4 * mm), _p("Notes", "section"), *(_p(note) for note in doc.notes)]


def _acceptance_box() -> Flowable:
    box = Table(
        [[_p("Bon pour accord (date, signature et cachet du client) :", "small")]],
        colWidths=[80 * mm],
        rowHeights=[25 * mm],
        hAlign="RIGHT",
    )
    box.setStyle(
        _table_style([("BOX", (0, 0), (-1, -1), 0.6, ACCENT), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return KeepTogether([Spacer(1, 6 * mm), box])


def _legal_mentions(doc: PrintableDocument) -> Sequence[Flowable]:
    if not doc.legal_mentions:
        return []
    return [Spacer(1, 6 * mm), *(_p(mention, "small") for mention in doc.legal_mentions)]
