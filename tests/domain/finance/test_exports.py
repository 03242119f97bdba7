from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from domain.finance.documents.exports import (
    HEADERS,
    InvoiceRow,
    invoices_csv,
    invoices_xlsx,
)


def make_row(
    *,
    number: str = "F-2025-0001",
    kind: str = "invoice",
    status: str = "posted",
    currency: str = "EUR",
    net: str = "1028.75",
    tax: str = "205.75",
    paid: str = "0",
    customer: str = "Boulangerie Étoile",
    due_date: date | None = date(2025, 4, 9),
    customer_vat: str | None = "FR40303265045",
) -> InvoiceRow:
    gross = Decimal(net) + Decimal(tax)
    return InvoiceRow(
        number=number,
        kind=kind,
        status=status,
        issue_date=date(2025, 3, 10),
        due_date=due_date,
        customer=customer,
        customer_vat=customer_vat,
        currency=currency,
        net=Decimal(net),
        tax=Decimal(tax),
        gross=gross,
        paid=Decimal(paid),
        balance=gross - Decimal(paid),
    )


def sample_rows() -> list[InvoiceRow]:
    return [
        make_row(),
        make_row(number="F-2025-0002", status="partially_paid", net="0.10", tax="0.02",
                 paid="0.05", due_date=None, customer_vat=None),
        make_row(number="FA-2025-0001", kind="credit_note", status="paid", net="-100",
                 tax="-20", paid="-120", customer="Café « Le Zinc » ; Ça va"),
        make_row(number="SN-2025-0001", currency="XOF", net="150000", tax="27000",
                 paid="100000", customer="Teranga Sàrl", customer_vat=None),
    ]  # fmt: skip


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content))["Factures"]
    assert isinstance(sheet, Worksheet)
    return sheet


class TestInvoicesCsv:
    def test_starts_with_a_bom_and_french_headers(self) -> None:
        content = invoices_csv(sample_rows())
        assert content.startswith(b"\xef\xbb\xbf")
        assert read_csv(content)[0] == list(HEADERS)
        assert "Échéance" in HEADERS and "Reste dû" in HEADERS

    def test_round_trip(self) -> None:
        rows = read_csv(invoices_csv(sample_rows()))
        assert len(rows) == 1 + len(sample_rows())
        assert rows[1] == [
            "F-2025-0001", "Facture", "Émise", "10/03/2025", "09/04/2025",
            "Boulangerie Étoile", "FR40303265045", "EUR",
            "1028,75", "205,75", "1234,50", "0,00", "1234,50",
        ]  # fmt: skip

    def test_empty_optionals_and_small_amounts(self) -> None:
        row = read_csv(invoices_csv(sample_rows()))[2]
        assert (row[2], row[4], row[6]) == ("Partiellement payée", "", "")
        assert row[8:] == ["0,10", "0,02", "0,12", "0,05", "0,07"]

    def test_credit_note_and_separator_inside_a_value(self) -> None:
        row = read_csv(invoices_csv(sample_rows()))[3]
        assert (row[1], row[2]) == ("Avoir", "Payée")
        assert row[5] == "Café « Le Zinc » ; Ça va"
        assert row[8:] == ["-100,00", "-20,00", "-120,00", "-120,00", "0,00"]

    def test_xof_has_no_decimals(self) -> None:
        row = read_csv(invoices_csv(sample_rows()))[4]
        assert row[7:] == ["XOF", "150000", "27000", "177000", "100000", "77000"]

    def test_unknown_kind_and_status_pass_through(self) -> None:
        row = read_csv(invoices_csv([make_row(kind="proforma", status="disputed")]))[1]
        assert row[1:3] == ["proforma", "disputed"]

    def test_crlf_line_ends(self) -> None:
        content = invoices_csv(sample_rows())
        assert content.count(b"\r\n") == content.count(b"\n") == 1 + len(sample_rows())

    def test_no_rows_gives_the_header_only(self) -> None:
        assert read_csv(invoices_csv([])) == [list(HEADERS)]


class TestInvoicesXlsx:
    def test_header_is_bold_and_frozen(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        assert [cell.value for cell in sheet[1]] == list(HEADERS)
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.freeze_panes == "A2"

    def test_round_trip_with_real_dates_and_numbers(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        values = [cell.value for cell in sheet[2]]
        assert values[:3] == ["F-2025-0001", "Facture", "Émise"]
        assert values[3] == datetime(2025, 3, 10) and values[4] == datetime(2025, 4, 9)
        assert values[5] == "Boulangerie Étoile"
        assert [Decimal(str(v)) for v in values[8:]] == [
            Decimal("1028.75"), Decimal("205.75"), Decimal("1234.50"), Decimal(0),
            Decimal("1234.50"),
        ]  # fmt: skip
        assert sheet.cell(row=2, column=4).number_format == "DD/MM/YYYY"
        assert sheet.cell(row=3, column=5).value is None

    def test_amounts_read_back_as_the_same_numbers(self) -> None:
        # openpyxl writes numbers with 16 significant digits ("0.07000000000000001"): the
        # text is noisy but it is the same IEEE double as 0.07, which is all xlsx can hold.
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        values = [cell.value for cell in sheet[3]][8:]
        assert values == [0.10, 0.02, 0.12, 0.05, 0.07]

    def test_accents_are_preserved(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        assert sheet.cell(row=4, column=6).value == "Café « Le Zinc » ; Ça va"
        assert sheet.cell(row=5, column=6).value == "Teranga Sàrl"
        assert sheet.cell(row=3, column=3).value == "Partiellement payée"

    def test_amount_formats_follow_the_currency(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        assert sheet.cell(row=2, column=9).number_format == "#,##0.00"
        assert sheet.cell(row=5, column=13).number_format == "#,##0"

    def test_one_totals_row_per_currency(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        assert sheet.max_row == 1 + 4 + 2
        eur = [cell.value for cell in sheet[6]]
        xof = [cell.value for cell in sheet[7]]
        assert eur[0] == "Total EUR" and eur[7] == "EUR"
        assert [Decimal(str(v)) for v in eur[8:]] == [
            Decimal("928.85"), Decimal("185.77"), Decimal("1114.62"), Decimal("-119.95"),
            Decimal("1234.57"),
        ]  # fmt: skip
        assert xof[0] == "Total XOF"
        assert [Decimal(str(v)) for v in xof[8:]] == [
            Decimal(150000), Decimal(27000), Decimal(177000), Decimal(100000), Decimal(77000)
        ]  # fmt: skip
        assert all(cell.font.b for cell in sheet[6])
        assert sheet.cell(row=7, column=9).number_format == "#,##0"

    def test_columns_are_sized_to_their_content(self) -> None:
        sheet = read_sheet(invoices_xlsx(sample_rows()))
        customer = sheet.column_dimensions["F"].width
        currency = sheet.column_dimensions["H"].width
        assert customer is not None and currency is not None
        assert customer > currency >= len("Devise")

    def test_no_rows(self) -> None:
        sheet = read_sheet(invoices_xlsx([]))
        assert sheet.max_row == 1
