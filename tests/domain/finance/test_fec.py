from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.finance.documents.fec import (
    FEC_COLUMNS,
    FecLine,
    check_fec,
    fec_filename,
    write_fec,
)
from domain.kit.errors import InvalidInput


def make_line(
    *,
    journal: str = "VE",
    number: str = "VE-2025-000001",
    on: date = date(2025, 3, 10),
    account: str = "411",
    debit: str = "0",
    credit: str = "0",
    aux: tuple[str, str] | None = None,
    label: str = "Facture F-2025-0001",
) -> FecLine:
    return FecLine(
        journal_code=journal,
        journal_lib="Journal des ventes" if journal == "VE" else "Banque",
        ecriture_num=number,
        ecriture_date=on,
        compte_num=account,
        compte_lib=f"Compte {account}",
        comp_aux_num=aux[0] if aux else None,
        comp_aux_lib=aux[1] if aux else None,
        piece_ref="F-2025-0001",
        piece_date=on,
        ecriture_lib=label,
        debit=Decimal(debit),
        credit=Decimal(credit),
        ecriture_let=None,
        date_let=None,
        valid_date=on,
        montant_devise=None,
        idevise=None,
    )


def sale(number: str, on: date, gross: str, net: str, vat: str) -> list[FecLine]:
    return [
        make_line(number=number, on=on, account="411", debit=gross, aux=("C0001", "Café Ndiaye")),
        make_line(number=number, on=on, account="706", credit=net),
        make_line(number=number, on=on, account="44571", credit=vat),
    ]


def valid_lines() -> list[FecLine]:
    receipt = [
        make_line(journal="BQ", number="BQ-2025-000001", on=date(2025, 3, 20), account="512",
                  debit="1234.50"),
        make_line(journal="BQ", number="BQ-2025-000001", on=date(2025, 3, 20), account="411",
                  credit="1234.50", aux=("C0001", "Café Ndiaye")),
    ]  # fmt: skip
    return [
        *sale("VE-2025-000001", date(2025, 3, 10), "1234.50", "1028.75", "205.75"),
        *sale("VE-2025-000002", date(2025, 3, 12), "120", "100", "20"),
        *receipt,
    ]


def records(content: bytes) -> list[list[str]]:
    text = content.decode("iso-8859-15")
    return [record.split("\t") for record in text.split("\r\n")[:-1]]


def tamper(content: bytes, line: int, column: str, value: str) -> bytes:
    """The file with one field of one record (1 = header) replaced."""
    rows = records(content)
    rows[line - 1][FEC_COLUMNS.index(column)] = value
    return ("\r\n".join("\t".join(row) for row in rows) + "\r\n").encode("iso-8859-15")


class TestFilename:
    def test_siren_fec_closing_date(self) -> None:
        assert fec_filename("123456789", date(2025, 12, 31)) == "123456789FEC20251231.txt"

    def test_spaces_in_the_siren_are_dropped(self) -> None:
        assert fec_filename("123 456 789", date(2026, 3, 31)) == "123456789FEC20260331.txt"

    @pytest.mark.parametrize("siren", ["12345678", "1234567890", "12345678A", ""])
    def test_invalid_siren_is_refused(self, siren: str) -> None:
        with pytest.raises(InvalidInput, match="SIREN"):
            fec_filename(siren, date(2025, 12, 31))


class TestWriteFec:
    def test_header_is_the_18_columns_tab_separated(self) -> None:
        content = write_fec([])
        assert content == ("\t".join(FEC_COLUMNS) + "\r\n").encode("ascii")
        assert len(FEC_COLUMNS) == 18

    def test_valid_file_has_no_problem(self) -> None:
        assert check_fec(write_fec(valid_lines())) == []

    def test_one_record_per_line_with_18_fields(self) -> None:
        rows = records(write_fec(valid_lines()))
        assert len(rows) == 1 + len(valid_lines())
        assert all(len(row) == 18 for row in rows)

    def test_formats_dates_amounts_and_empty_optionals(self) -> None:
        row = dict(zip(FEC_COLUMNS, records(write_fec(valid_lines()))[1], strict=True))
        assert row["EcritureDate"] == row["PieceDate"] == row["ValidDate"] == "20250310"
        assert (row["Debit"], row["Credit"]) == ("1234,50", "0,00")
        assert (row["CompAuxNum"], row["CompAuxLib"]) == ("C0001", "Café Ndiaye")
        assert row["EcritureLet"] == row["DateLet"] == row["Montantdevise"] == ""

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [("15000", "15000,00"), ("1234567.5", "1234567,50"), ("0.005", "0,01"), ("7", "7,00")],
    )
    def test_amounts_have_two_decimals_and_a_comma(self, amount: str, expected: str) -> None:
        content = write_fec([make_line(debit=amount)])
        assert records(content)[1][FEC_COLUMNS.index("Debit")] == expected

    def test_currency_amount_and_code(self) -> None:
        line = replace(make_line(debit="100"), montant_devise=Decimal("65595.7"), idevise="XOF")
        row = records(write_fec([line]))[1]
        assert row[-2:] == ["65595,70", "XOF"]

    def test_lettering(self) -> None:
        line = replace(make_line(debit="1"), ecriture_let="AA", date_let=date(2025, 4, 1))
        row = dict(zip(FEC_COLUMNS, records(write_fec([line]))[1], strict=True))
        assert (row["EcritureLet"], row["DateLet"]) == ("AA", "20250401")

    def test_tabs_and_line_breaks_inside_fields_are_sanitised(self) -> None:
        line = make_line(label="Facture\tmars\r\nligne 2\x00", debit="1")
        content = write_fec([line])
        rows = records(content)
        assert len(rows) == 2 and len(rows[1]) == 18
        assert rows[1][FEC_COLUMNS.index("EcritureLib")] == "Facture mars  ligne 2"

    def test_encoding_is_latin9_with_plain_typography(self) -> None:
        line = make_line(label="L’œuvre – 10 € « Dakar » Şahin 🙂", debit="1")
        content = write_fec([line])
        label = records(content)[1][FEC_COLUMNS.index("EcritureLib")]
        assert label == "L'œuvre - 10 € « Dakar » Sahin ?"
        assert "€".encode("iso-8859-15") in content

    def test_records_end_with_crlf(self) -> None:
        content = write_fec(valid_lines())
        assert content.endswith(b"\r\n")
        assert content.count(b"\r\n") == content.count(b"\n") == 1 + len(valid_lines())


class TestCheckFec:
    def test_empty_file(self) -> None:
        assert check_fec(b"") == ["Le fichier est vide."]

    def test_header_only(self) -> None:
        assert check_fec(write_fec([])) == ["Le fichier ne contient aucune ligne d'écriture."]

    def test_pipe_separator_and_lf_are_accepted(self) -> None:
        content = write_fec(valid_lines()).replace(b"\t", b"|").replace(b"\r\n", b"\n")
        assert check_fec(content) == []

    def test_wrong_header_order(self) -> None:
        content = write_fec(valid_lines()).replace(b"Debit\tCredit", b"Credit\tDebit", 1)
        problems = check_fec(content)
        assert len(problems) == 1 and "en-tête" in problems[0]

    def test_wrong_field_count(self) -> None:
        content = write_fec(valid_lines()) + b"VE\tJournal des ventes\r\n"
        problems = check_fec(content)
        assert any("2 champs au lieu de 18" in p for p in problems)

    def test_utf8_bom_is_reported(self) -> None:
        problems = check_fec(b"\xef\xbb\xbf" + write_fec(valid_lines()))
        assert len(problems) == 1 and "BOM" in problems[0]

    @pytest.mark.parametrize("value", ["20250231", "2025-03-10", "10032025x", "2025031"])
    def test_invalid_date(self, value: str) -> None:
        content = tamper(write_fec(valid_lines()), 2, "PieceDate", value)
        assert check_fec(content) == [
            f"Ligne 2 : PieceDate « {value} » n'est pas une date valide (AAAAMMJJ)."
        ]

    def test_dot_decimal_separator(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "Debit", "1234.50")
        problems = check_fec(content)
        assert any("point" in p and "virgule" in p for p in problems)

    def test_thousands_separator(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "Debit", "1 234,50")
        assert any("pas un montant valide" in p for p in check_fec(content))

    def test_empty_amount(self) -> None:
        content = tamper(write_fec(valid_lines()), 3, "Debit", "")
        assert any("Debit est vide" in p for p in check_fec(content))

    def test_negative_amount(self) -> None:
        lines = valid_lines()
        lines[1:3] = [replace(lines[1], credit=Decimal("-10")), replace(lines[2], credit=Decimal(
            "1254.50"))]  # fmt: skip
        problems = check_fec(write_fec(lines))
        assert any("négatif" in p for p in problems)

    def test_debit_and_credit_on_one_line(self) -> None:
        lines = valid_lines()
        lines.insert(3, replace(lines[0], debit=Decimal(5), credit=Decimal(5)))
        problems = check_fec(write_fec(lines))
        assert problems == [
            "Ligne 5 : une ligne porte soit un débit, soit un crédit, pas les deux."
        ]

    def test_zero_line_is_tolerated(self) -> None:
        lines = valid_lines()
        lines.insert(1, replace(lines[1], credit=Decimal(0)))
        assert check_fec(write_fec(lines)) == []

    def test_unbalanced_entry(self) -> None:
        lines = valid_lines()
        lines[2] = replace(lines[2], credit=Decimal("205.70"))
        lines.append(replace(lines[-1], credit=Decimal("0.05")))
        problems = check_fec(write_fec(lines))
        assert "Écriture VE-2025-000001 : déséquilibrée (débit 1234,50, crédit 1234,45)." in (
            problems
        )
        assert "Écriture BQ-2025-000001 : déséquilibrée (débit 1234,50, crédit 1234,55)." in (
            problems
        )
        assert not any("total" in p for p in problems)  # the two errors cancel out

    def test_file_totals_differ(self) -> None:
        lines = valid_lines()
        lines[2] = replace(lines[2], credit=Decimal("205.70"))
        problems = check_fec(write_fec(lines))
        assert problems[-1] == (
            "Le total des débits (2589,00) diffère du total des crédits (2588,95)."
        )

    @pytest.mark.parametrize(
        "column", ["JournalCode", "JournalLib", "CompteLib", "PieceRef", "EcritureLib"]
    )
    def test_required_field_missing(self, column: str) -> None:
        content = tamper(write_fec(valid_lines()), 3, column, "")
        assert f"Ligne 3 : le champ {column} est vide." in check_fec(content)

    def test_missing_aux_label(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "CompAuxLib", "")
        assert check_fec(content) == [
            "Ligne 2 : CompAuxNum et CompAuxLib doivent être tous deux renseignés ou tous "
            "deux vides."
        ]

    def test_lettering_without_date(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "EcritureLet", "AB")
        assert any("EcritureLet et DateLet" in p for p in check_fec(content))

    def test_currency_amount_without_code(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "Montantdevise", "100,00")
        assert any("Montantdevise et Idevise" in p for p in check_fec(content))

    def test_invalid_currency_code(self) -> None:
        content = tamper(write_fec(valid_lines()), 2, "Montantdevise", "100,00")
        content = tamper(content, 2, "Idevise", "euro")
        assert any("ISO 4217" in p for p in check_fec(content))

    def test_account_must_start_with_three_digits(self) -> None:
        content = tamper(write_fec(valid_lines()), 3, "CompteNum", "VTE706")
        assert any("CompteNum « VTE706 »" in p for p in check_fec(content))

    def test_entry_number_reused_later(self) -> None:
        lines = valid_lines()
        stray = replace(lines[-1], ecriture_num="VE-2025-000001", debit=Decimal(0))
        problems = check_fec(write_fec([*lines, stray]))
        assert any("VE-2025-000001 est réutilisé" in p for p in problems)
        assert any("plusieurs journaux" in p for p in problems)
        assert any("plusieurs dates" in p for p in problems)

    def test_validation_dates_out_of_order(self) -> None:
        lines = valid_lines()
        problems = check_fec(write_fec([*lines[3:6], *lines[:3], *lines[6:]]))
        assert any("ordre chronologique de validation" in p for p in problems)

    def test_gap_in_numbering(self) -> None:
        lines = [
            replace(line, ecriture_num="VE-2025-000003") if line.journal_code == "VE"
            and line.ecriture_num.endswith("2") else line
            for line in valid_lines()
        ]  # fmt: skip
        problems = check_fec(write_fec(lines))
        assert problems == [
            "Numérotation discontinue : après l'écriture VE-2025-000001 vient VE-2025-000003."
        ]

    def test_numbering_over_the_whole_file_is_accepted(self) -> None:
        numbers = {"VE-2025-000001": "2025-1", "VE-2025-000002": "2025-2", "BQ-2025-000001":
                   "2025-3"}  # fmt: skip
        lines = [replace(line, ecriture_num=numbers[line.ecriture_num]) for line in valid_lines()]
        assert check_fec(write_fec(lines)) == []

    def test_numbering_against_chronology(self) -> None:
        swap = {"VE-2025-000001": "VE-2025-000002", "VE-2025-000002": "VE-2025-000001"}
        lines = [replace(line, ecriture_num=swap.get(line.ecriture_num, line.ecriture_num))
                 for line in valid_lines()]  # fmt: skip
        problems = check_fec(write_fec(lines))
        assert any("ordre chronologique" in p and "numérotée après" in p for p in problems)

    def test_many_problems_are_capped(self) -> None:
        content = write_fec(valid_lines()) + b"x\r\n" * 500
        problems = check_fec(content)
        assert len(problems) == 201
        assert problems[-1].startswith("… et ")
