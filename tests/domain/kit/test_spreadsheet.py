"""The spreadsheet-safe cell rule: formulas become text, numbers stay numbers."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from domain.kit.spreadsheet import append_safe_row, safe_row, safe_text


class TestSafeText:
    @pytest.mark.parametrize(
        "value",
        [
            '=HYPERLINK("http://x","clic")',
            "+1+1",
            "@SUM(1)",
            "-2+3",
            "\t=1",
            "\r=1",
            "\n=1",
            "  =1+1",
            "\u00a0@SUM(1)",
            "-",
            "+33 6 12 34 56 78",
            "=cmd|' /C calc'!A0",
        ],
    )
    def test_formula_starts_are_prefixed(self, value: str) -> None:
        assert safe_text(value) == "'" + value

    @pytest.mark.parametrize(
        "value", ["Diallo SARL", "", "-12,50", "1500.00", "12", "-3", "a=b", "F-2026-00001"]
    )
    def test_text_and_plain_numbers_are_kept(self, value: str) -> None:
        assert safe_text(value) == value

    def test_a_row_only_touches_text(self) -> None:
        day = date(2026, 3, 1)
        assert safe_row(["=1", Decimal("-5"), -3, day, None]) == [
            "'=1",
            Decimal("-5"),
            -3,
            day,
            None,
        ]


class TestXlsxRow:
    def test_text_cells_are_strings_and_numbers_numbers(self) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert isinstance(sheet, Worksheet)
        append_safe_row(sheet, ["=1+1", "-12,50", Decimal("-12.50"), 3])
        buffer = io.BytesIO()
        workbook.save(buffer)
        read = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=False).active
        assert read is not None
        cells = list(read[1])
        assert [c.data_type for c in cells] == ["s", "s", "n", "n"]
        assert [c.value for c in cells] == ["'=1+1", "-12,50", -12.5, 3]
