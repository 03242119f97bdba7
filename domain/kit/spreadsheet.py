"""Cells a spreadsheet program shows as text and never runs as a formula.

Excel and LibreOffice read a CSV field, or an XLSX cell typed as a formula, that starts with
``=``, ``+``, ``-`` or ``@`` as a formula: a customer named ``=HYPERLINK("http://…")`` in an
export becomes a live link (or worse, a DDE command) in the accountant's spreadsheet. The
rule applied to every cell of every CSV or XLSX the app writes (OWASP, CSV injection): text
starting with one of those characters, a tab or a line break — also after leading spaces,
which some import settings trim — is prefixed with ``'``, which both programs show as text;
XLSX text cells are written as strings, never as formulas.

Plain numbers written as text (``-12,50``, the French CSV form of an amount) are left alone:
a spreadsheet reads them as numbers, which is what they are, and a negative amount must not
turn into text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.cell.cell import TYPE_STRING
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = frozenset("=+-@\t\r\n")
ESCAPE = "'"
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_TRIMMED = " \u00a0\u202f"  # what an import may strip before reading the first character


def safe_text(value: str) -> str:
    """``value`` as a spreadsheet must show it: as typed, or prefixed with ``'`` when a
    spreadsheet would read it as a formula."""
    if not value or _PLAIN_NUMBER.fullmatch(value):
        return value
    if value[0] in FORMULA_STARTS or value.lstrip(_TRIMMED)[:1] in FORMULA_STARTS:
        return ESCAPE + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """A row for ``csv.writer`` or ``Worksheet.append``: text made safe, numbers, dates and
    empty cells unchanged."""
    return [safe_text(value) if isinstance(value, str) else value for value in values]


def append_safe_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append ``values`` to ``sheet`` with every text cell made safe and typed as a string
    (openpyxl would otherwise store text starting with ``=`` as a formula)."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING
