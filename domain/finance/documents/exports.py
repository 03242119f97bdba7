"""Invoice lists as files a French-speaking user opens in Excel or LibreOffice.

CSV: what a French-locale Excel opens with a double click and no import wizard — UTF-8
with a byte order mark (without it Excel reads Windows-1252 and breaks accents), ``;`` as
separator (Excel's list separator when the decimal separator is the comma), comma
decimals without thousands separator, dates ``JJ/MM/AAAA``, CR LF line ends. No totals
row: the CSV is also meant to be re-imported.

Excel: one sheet « Factures », real dates and numbers so the user can sort, filter and
sum, amounts formatted to the currency's minor unit (EUR 2 decimals, XOF none) and one
totals row per currency — amounts in different currencies are never added together.
Decimals go to openpyxl as they are; xlsx stores numbers as IEEE doubles and openpyxl
writes them with 16 significant digits, which gives back the exact amount for anything
below 10^14 with 2 decimals.

Customer names, numbers and VAT numbers are typed by users: every cell goes through
``domain.kit.spreadsheet`` so none can become a formula in the accountant's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.kit.money import Currency
from domain.kit.spreadsheet import append_safe_row, safe_row


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    number: str
    kind: str  # invoice, deposit, credit_note
    status: str  # draft, posted, partially_paid, paid, cancelled
    issue_date: date
    due_date: date | None
    customer: str
    customer_vat: str | None
    currency: str  # ISO 4217
    net: Decimal
    tax: Decimal
    gross: Decimal
    paid: Decimal
    balance: Decimal


HEADERS: tuple[str, ...] = (
    "Numéro",
    "Type",
    "Statut",
    "Date",
    "Échéance",
    "Client",
    "N° TVA client",
    "Devise",
    "Total HT",
    "TVA",
    "Total TTC",
    "Payé",
    "Reste dû",
)
SHEET_TITLE = "Factures"

KIND_LABELS = {
    "invoice": "Facture",
    "deposit": "Facture d'acompte",
    "deposit_invoice": "Facture d'acompte",
    "credit_note": "Avoir",
}
STATUS_LABELS = {
    "draft": "Brouillon",
    "posted": "Émise",
    "partially_paid": "Partiellement payée",
    "paid": "Payée",
    "cancelled": "Annulée",
}

_AMOUNT_COLUMNS = 5  # the last five columns hold amounts
_FIRST_AMOUNT = len(HEADERS) - _AMOUNT_COLUMNS + 1  # 1-based, as openpyxl counts
_DATE_COLUMNS = (4, 5)
_DATE_FORMAT = "DD/MM/YYYY"
_MAX_WIDTH = 50


def _amounts(row: InvoiceRow) -> tuple[Decimal, ...]:
    return (row.net, row.tax, row.gross, row.paid, row.balance)


def _minor_units(currency: str) -> int:
    try:
        return Currency(currency).minor_units
    except ValueError:
        return 2  # ISO 4217 default for currencies the app does not know


# --- CSV ----------------------------------------------------------------------------------


def invoices_csv(rows: Iterable[InvoiceRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        units = _minor_units(row.currency)
        writer.writerow(
            safe_row(
                [
                    row.number,
                    KIND_LABELS.get(row.kind, row.kind),
                    STATUS_LABELS.get(row.status, row.status),
                    _csv_date(row.issue_date),
                    _csv_date(row.due_date),
                    row.customer,
                    row.customer_vat or "",
                    row.currency,
                    *(_csv_amount(amount, units) for amount in _amounts(row)),
                ]
            )
        )
    return buffer.getvalue().encode("utf-8-sig")


def _csv_date(value: date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def _csv_amount(amount: Decimal, minor_units: int) -> str:
    # Rounded only for display: the stored amounts already have the currency's precision.
    quantum = Decimal(1).scaleb(-minor_units)
    return f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):f}".replace(".", ",")


# --- Excel --------------------------------------------------------------------------------


def invoices_xlsx(rows: Iterable[InvoiceRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has one worksheet
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    totals: dict[str, list[Decimal]] = {}
    for row in rows:
        _append_invoice(sheet, row)
        running = totals.setdefault(row.currency, [Decimal(0)] * _AMOUNT_COLUMNS)
        for index, amount in enumerate(_amounts(row)):
            running[index] += amount
    data_end = sheet.max_row
    for currency, sums in totals.items():
        _append_total(sheet, currency, sums)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{data_end}"
    _fit_columns(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append_invoice(sheet: Worksheet, row: InvoiceRow) -> None:
    append_safe_row(
        sheet,
        [
            row.number,
            KIND_LABELS.get(row.kind, row.kind),
            STATUS_LABELS.get(row.status, row.status),
            row.issue_date,
            row.due_date,
            row.customer,
            row.customer_vat,
            row.currency,
            *_amounts(row),
        ],
    )
    line = sheet.max_row
    for column in _DATE_COLUMNS:
        sheet.cell(row=line, column=column).number_format = _DATE_FORMAT
    _format_amounts(sheet, line, row.currency)


def _append_total(sheet: Worksheet, currency: str, sums: list[Decimal]) -> None:
    # Values rather than SUM formulas: openpyxl cannot compute formulas, so readers that do
    # not recalculate (previews, other programs, our own tests) would see empty totals.
    label = f"Total {currency}"
    append_safe_row(sheet, [label, None, None, None, None, None, None, currency, *sums])
    line = sheet.max_row
    for cell in sheet[line]:
        cell.font = Font(bold=True)
    _format_amounts(sheet, line, currency)


def _format_amounts(sheet: Worksheet, line: int, currency: str) -> None:
    number_format = "#,##0" if _minor_units(currency) == 0 else "#,##0.00"
    for column in range(_FIRST_AMOUNT, len(HEADERS) + 1):
        sheet.cell(row=line, column=column).number_format = number_format


def _fit_columns(sheet: Worksheet) -> None:
    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max(_display_width(cell.value) for cell in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, _MAX_WIDTH)


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal):
        # Digits plus the thousands separators and decimals the number format adds.
        return len(f"{value:,.2f}")
    return len(str(value))
