"""Fichier des écritures comptables (FEC): the flat file a French business hands to the tax
administration when its computerised books are audited (article L. 47 A-I and article
A. 47 A-1 of the Livre des procédures fiscales, commented in BOI-CF-IOR-60-40-20).

Format choices, all within what article A. 47 A-1 allows:

- one header line with the 18 field names, then one record per entry line, in the order
  the caller gives them — which must be the chronological order of validation;
- fields separated by a tab (the other legal choice is ``|``); records end with CR LF
  (the text allows "retour chariot et/ou fin de ligne");
- encoding ISO 8859-15 (Latin-9), one of the character sets the text lists alongside ASCII
  and EBCDIC — UTF-8 is not listed, and Latin-9 holds every French letter, « », œ and €.
  Typographic characters outside it are replaced by their plain equivalent (’ → ',
  – → -), other letters lose their diacritics, anything else becomes ``?``;
- dates ``AAAAMMJJ``; amounts always with 2 decimals, a comma as decimal separator, no
  thousands separator and no sign (``1234,50``, ``15000,00``). A FEC is a French
  obligation kept in euros, hence always 2 decimals;
- an absent optional value is an empty field; tabs, line breaks and other control
  characters inside a value become a space so a value can never break the structure.

``check_fec`` runs the structural checks of the DGFiP's Test Compta Demat tool that can be
decided from the file alone and returns the problems in French.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from domain.kit.errors import InvalidInput

FEC_COLUMNS: tuple[str, ...] = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_SEPARATOR = "\t"
FEC_NEWLINE = "\r\n"
FEC_ENCODING = "iso-8859-15"

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FecLine:
    """One line of one entry: the 18 FEC fields, in file order."""

    journal_code: str
    journal_lib: str
    ecriture_num: str
    ecriture_date: date
    compte_num: str
    compte_lib: str
    comp_aux_num: str | None
    comp_aux_lib: str | None
    piece_ref: str
    piece_date: date
    ecriture_lib: str
    debit: Decimal
    credit: Decimal
    ecriture_let: str | None
    date_let: date | None
    valid_date: date
    montant_devise: Decimal | None
    idevise: str | None


def fec_filename(siren: str, closing_date: date) -> str:
    """``<SIREN>FEC<AAAAMMJJ>.txt``, the date being the closing date of the financial year."""
    digits = siren.replace(" ", "")
    if not (len(digits) == 9 and digits.isdigit()):
        raise InvalidInput(f"SIREN invalide : « {siren} » (9 chiffres attendus).", siren=siren)
    return f"{digits}FEC{closing_date:%Y%m%d}.txt"


def write_fec(lines: Iterable[FecLine]) -> bytes:
    """The FEC file for ``lines``, which must already be in chronological order of
    validation. Nothing is checked here: run ``check_fec`` on the result before handing
    it over."""
    records = [FEC_SEPARATOR.join(FEC_COLUMNS)]
    records.extend(FEC_SEPARATOR.join(_fields(line)) for line in lines)
    return (FEC_NEWLINE.join(records) + FEC_NEWLINE).encode(FEC_ENCODING)


def _fields(line: FecLine) -> list[str]:
    return [
        _text(line.journal_code),
        _text(line.journal_lib),
        _text(line.ecriture_num),
        _date(line.ecriture_date),
        _text(line.compte_num),
        _text(line.compte_lib),
        _text(line.comp_aux_num),
        _text(line.comp_aux_lib),
        _text(line.piece_ref),
        _date(line.piece_date),
        _text(line.ecriture_lib),
        _amount(line.debit),
        _amount(line.credit),
        _text(line.ecriture_let),
        _date(line.date_let),
        _date(line.valid_date),
        _amount(line.montant_devise),
        _text(line.idevise),
    ]


# Typographic characters word processors and phones put in labels, with the plain
# character Latin-9 has for them.
_PLAIN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2026": "...", "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",
    }
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value: str | None) -> str:
    if value is None:
        return ""
    cleaned = _CONTROL.sub(" ", unicodedata.normalize("NFC", value).translate(_PLAIN))
    return "".join(_latin9(char) for char in cleaned).strip()


def _latin9(char: str) -> str:
    try:
        char.encode(FEC_ENCODING)
    except UnicodeEncodeError:
        # Keep the base letter of a letter Latin-9 lacks (ā → a, ş → s) rather than lose it.
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        try:
            base.encode(FEC_ENCODING)
        except UnicodeEncodeError:
            return "?"
        return base or "?"
    return char


def _date(value: date | None) -> str:
    return "" if value is None else f"{value:%Y%m%d}"


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


# --- Checks -------------------------------------------------------------------------------

_REQUIRED = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "ValidDate",
)
_AMOUNT = re.compile(r"-?\d+(?:,\d+)?")
_DOT_AMOUNT = re.compile(r"-?\d+\.\d+")
_NUMBERED = re.compile(r"(.*?)(\d+)")
_PAIRS = (("CompAuxNum", "CompAuxLib"), ("EcritureLet", "DateLet"), ("Montantdevise", "Idevise"))
_UTF8_BOM = b"\xef\xbb\xbf"
MAX_PROBLEMS = 200


@dataclass(frozen=True, slots=True)
class _Row:
    line_no: int
    journal: str
    entry: str
    entry_date: date | None
    valid_date: date | None
    debit: Decimal | None
    credit: Decimal | None


def check_fec(content: bytes) -> list[str]:
    """The problems found in a FEC file, in French; an empty list means none was found.

    Checks the header, the number of fields, formats (dates, amounts), required fields,
    the paired fields, each line's debit/credit, the balance of each entry and of the
    file, that an entry number is not reused, the chronological order of validation and
    the continuity of entry numbers (overall or per journal).
    """
    problems: list[str] = []
    if content.startswith(_UTF8_BOM):
        problems.append("Le fichier commence par une marque d'ordre d'octets (BOM) UTF-8.")
        content = content[len(_UTF8_BOM) :]
    records = re.split(r"\r\n|\n|\r", content.decode(FEC_ENCODING))
    if records and records[-1] == "":
        records.pop()
    if not records:
        return [*problems, "Le fichier est vide."]
    separator = "|" if "|" in records[0] and "\t" not in records[0] else "\t"
    problems.extend(_check_header(records[0].split(separator)))
    rows: list[_Row] = []
    for line_no, record in enumerate(records[1:], start=2):
        fields = record.split(separator)
        if len(fields) != len(FEC_COLUMNS):
            problems.append(
                f"Ligne {line_no} : {len(fields)} champs au lieu de {len(FEC_COLUMNS)}."
            )
            continue
        row, row_problems = _check_line(line_no, dict(zip(FEC_COLUMNS, fields, strict=True)))
        rows.append(row)
        problems.extend(row_problems)
    if not rows:
        problems.append("Le fichier ne contient aucune ligne d'écriture.")
    problems.extend(_check_entries(rows))
    problems.extend(_check_chronology(rows))
    problems.extend(_check_numbering(rows))
    problems.extend(_check_file_balance(rows))
    return _capped(problems)


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    hidden = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"… et {hidden} autres problèmes non affichés."]


def _check_header(header: list[str]) -> list[str]:
    if header == list(FEC_COLUMNS):
        return []
    return [
        "Ligne 1 : l'en-tête doit contenir exactement les 18 noms de champs dans l'ordre "
        f"({' '.join(FEC_COLUMNS)}) ; trouvé : {' '.join(header)}."
    ]


def _check_line(line_no: int, values: dict[str, str]) -> tuple[_Row, list[str]]:
    where = f"Ligne {line_no}"
    problems = [f"{where} : le champ {name} est vide." for name in _REQUIRED if not values[name]]
    dates: dict[str, date | None] = {}
    for name in ("EcritureDate", "PieceDate", "DateLet", "ValidDate"):
        dates[name] = _parse_date(values[name])
        if values[name] and dates[name] is None:
            problems.append(
                f"{where} : {name} « {values[name]} » n'est pas une date valide (AAAAMMJJ)."
            )
    debit = _parse_amount(where, "Debit", values["Debit"], problems)
    credit = _parse_amount(where, "Credit", values["Credit"], problems)
    if values["Montantdevise"]:
        _parse_amount(where, "Montantdevise", values["Montantdevise"], problems, signed=True)
    problems.extend(_check_line_rules(where, values, debit, credit))
    row = _Row(
        line_no=line_no,
        journal=values["JournalCode"],
        entry=values["EcritureNum"],
        entry_date=dates["EcritureDate"],
        valid_date=dates["ValidDate"],
        debit=debit,
        credit=credit,
    )
    return row, problems


def _check_line_rules(
    where: str, values: dict[str, str], debit: Decimal | None, credit: Decimal | None
) -> list[str]:
    problems = [
        f"{where} : {first} et {second} doivent être tous deux renseignés ou tous deux vides."
        for first, second in _PAIRS
        if bool(values[first]) != bool(values[second])
    ]
    if debit is not None and credit is not None and debit != 0 and credit != 0:
        problems.append(f"{where} : une ligne porte soit un débit, soit un crédit, pas les deux.")
    account = values["CompteNum"]
    if account and not (len(account) >= 3 and account[:3].isdigit()):
        problems.append(
            f"{where} : CompteNum « {account} » doit commencer par 3 chiffres du plan de comptes."
        )
    currency = values["Idevise"]
    if currency and not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        problems.append(f"{where} : Idevise « {currency} » n'est pas un code ISO 4217.")
    return problems


def _parse_date(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _parse_amount(
    where: str, name: str, text: str, problems: list[str], *, signed: bool = False
) -> Decimal | None:
    if not text:
        problems.append(f"{where} : le champ {name} est vide (0,00 attendu au minimum).")
        return None
    if _DOT_AMOUNT.fullmatch(text):
        problems.append(
            f"{where} : {name} « {text} » utilise un point ; le séparateur décimal est la virgule."
        )
        return None
    if not _AMOUNT.fullmatch(text):
        problems.append(
            f"{where} : {name} « {text} » n'est pas un montant valide "
            "(chiffres, virgule décimale, sans séparateur de milliers)."
        )
        return None
    amount = Decimal(text.replace(",", "."))
    if amount < 0 and not signed:
        problems.append(f"{where} : {name} « {text} » est négatif.")
    return amount


def _check_entries(rows: list[_Row]) -> list[str]:
    """Each entry sits in one journal at one date, its lines are consecutive and it
    balances."""
    problems: list[str] = []
    entries: dict[str, list[_Row]] = {}
    previous = None
    for row in rows:
        if row.entry != previous and row.entry in entries:
            problems.append(
                f"Ligne {row.line_no} : le numéro d'écriture {row.entry} est réutilisé "
                "(ses lignes ne sont pas consécutives)."
            )
        entries.setdefault(row.entry, []).append(row)
        previous = row.entry
    for number, lines in entries.items():
        journals = sorted({line.journal for line in lines})
        if len(journals) > 1:
            problems.append(
                f"Écriture {number} : répartie sur plusieurs journaux ({', '.join(journals)})."
            )
        if len({line.entry_date for line in lines}) > 1:
            problems.append(f"Écriture {number} : plusieurs dates de comptabilisation.")
        problems.extend(_entry_balance(number, lines))
    return problems


def _entry_balance(number: str, lines: list[_Row]) -> list[str]:
    debits = [line.debit for line in lines]
    credits = [line.credit for line in lines]
    if any(amount is None for amount in debits + credits):
        return []  # already reported as an invalid amount
    debit = sum((amount for amount in debits if amount is not None), Decimal(0))
    credit = sum((amount for amount in credits if amount is not None), Decimal(0))
    if debit == credit:
        return []
    return [
        f"Écriture {number} : déséquilibrée (débit {_amount(debit)}, crédit {_amount(credit)})."
    ]


def _check_chronology(rows: list[_Row]) -> list[str]:
    """Lines are listed in the chronological order of validation (BOI-CF-IOR-60-40-20)."""
    problems: list[str] = []
    latest: date | None = None
    for row in rows:
        if row.valid_date is None:
            continue
        if latest is not None and row.valid_date < latest:
            problems.append(
                f"Ligne {row.line_no} : ValidDate {row.valid_date:%Y%m%d} est antérieure à "
                f"celle des lignes précédentes ({latest:%Y%m%d}) ; les écritures doivent être "
                "classées par ordre chronologique de validation."
            )
        latest = row.valid_date if latest is None else max(latest, row.valid_date)
    return problems


def _check_numbering(rows: list[_Row]) -> list[str]:
    """Entry numbers follow a continuous sequence. Software numbers entries either over
    the whole file or per journal (``VE-2025-000001``): the file passes if either holds."""
    firsts: dict[str, _Row] = {}
    for row in rows:
        firsts.setdefault(row.entry, row)
    overall: dict[str, list[tuple[int, str]]] = {}
    per_journal: dict[str, list[tuple[int, str]]] = {}
    for number, row in firsts.items():
        match = _NUMBERED.fullmatch(number)
        if match is None:
            continue  # a number without a numeric part cannot be checked for gaps
        prefix, digits = match.groups()
        overall.setdefault(prefix, []).append((int(digits), number))
        per_journal.setdefault(f"{row.journal}\t{prefix}", []).append((int(digits), number))
    if not _sequence_problems(overall):
        return []
    return _sequence_problems(per_journal)


def _sequence_problems(groups: dict[str, list[tuple[int, str]]]) -> list[str]:
    problems: list[str] = []
    for numbers in groups.values():
        for (value, number), (next_value, next_number) in pairwise(numbers):
            if next_value < value:
                problems.append(
                    f"Écriture {next_number} : numérotée après {number} ; la numérotation "
                    "doit suivre l'ordre chronologique."
                )
        ordered = sorted(numbers)
        for (value, number), (next_value, next_number) in pairwise(ordered):
            if next_value > value + 1:
                problems.append(
                    f"Numérotation discontinue : après l'écriture {number} vient {next_number}."
                )
    return problems


def _check_file_balance(rows: list[_Row]) -> list[str]:
    if any(row.debit is None or row.credit is None for row in rows):
        return []  # already reported as an invalid amount
    debit = sum((row.debit for row in rows if row.debit is not None), Decimal(0))
    credit = sum((row.credit for row in rows if row.credit is not None), Decimal(0))
    if debit == credit:
        return []
    return [
        f"Le total des débits ({_amount(debit)}) diffère du total des crédits ({_amount(credit)})."
    ]
