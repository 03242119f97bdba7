"""Personal data out of what leaves the machine: e-mails, phone numbers and IBANs become
stable placeholders (``⟨EMAIL_1⟩``, ``⟨TEL_1⟩``, ``⟨IBAN_1⟩``) before a prompt is sent, and
the placeholders in what the model answers (text, tool arguments) become the values again.

What a personnel tool returns is masked further (``mask_tool_output``): the names of the
people it is about (``⟨NOM_1⟩``) and every amount of money (``⟨MONTANT_1⟩``: salaries,
pay). Those names are then masked wherever they appear in the rest of the turn. The model
works with the placeholders; a tool it calls gets the real values back (arguments are
unmasked), and so does the user in the final reply.

One ``Masker`` per conversation turn (or thread): the same value (as written) always gets
the same placeholder, so the model can still tell two customers' numbers apart and refer
back, and unmasking gives back exactly what was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# Country code, check digits, then groups of four letters or digits (spaced or not) and a
# short last group: FR76 3000 6000 0112 3456 7890 189, SN08 SN01 0015 2000 0485 0000 3035.
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_SEP = r"[ .\-]?"
PHONE = re.compile(
    r"(?<![\w+\-/])(?:"
    # International: +221 77 123 45 67, +33 6 12 34 56 78, +33 (0)6 12…, 0033 6…
    rf"(?:\+|00)\d{{1,3}}{_SEP}(?:\(0\){_SEP})?\d(?:{_SEP}\d){{6,12}}"
    # French national: 06 12 34 56 78, 06.12.34.56.78, 0612345678
    rf"|0[1-9](?:{_SEP}\d\d){{4}}"
    # Senegalese national: 77 123 45 67, 771234567, 33 821 00 00
    rf"|(?:7[05678]|33){_SEP}\d{{3}}{_SEP}\d\d{_SEP}\d\d"
    r")(?![\w])"
)
# An amount with its currency as Comptoir writes it (``Money.format_fr``) or as people do:
# 350 000 FCFA, 1 234,50 €, 150000 XOF, 75 000 F CFA, 1.500 EUR.
_GROUP = "[ \u00a0\u202f.]"
AMOUNT = re.compile(
    rf"(?<![\w,.])-?\d+(?:{_GROUP}\d{{3}})*(?:,\d+)?[ \u00a0\u202f]?"
    r"(?:FCFA|F CFA|XOF|EUR|€|francs?)(?!\w)"
)
PLACEHOLDER = re.compile(r"[⟨<](EMAIL|TEL|IBAN|NOM|MONTANT)_(\d+)[⟩>]")

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (("EMAIL", EMAIL), ("IBAN", IBAN), ("TEL", PHONE))

# Areas whose tools speak about people's employment: names and amounts are masked there.
PERSONNEL_AREAS = frozenset({"hr"})
# Keys of a tool result whose value is a person's name: ``employee``/``manager`` anywhere,
# ``name`` in a row that is an employee (it has an ``employee_id``).
PERSON_KEYS = frozenset({"employee", "employee_name", "manager", "manager_name", "full_name"})
# Keys of a tool result whose value is pay: the raw figure, as the result carries it.
PAY_KEY = re.compile(r"salary|salaire|pay|wage|gross|brut|net|amount|montant|bonus|prime")


class Masker:
    """Replaces personal data by placeholders and back; remembers what it replaced."""

    def __init__(self) -> None:
        self._placeholder_by_key: dict[str, str] = {}
        self._value_by_placeholder: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        # Names and figures learnt from personnel tools, masked in every text from then on.
        self._known: dict[str, str] = {}
        self._known_pattern: re.Pattern[str] | None = None

    def mask(self, text: str) -> str:
        """``text`` with e-mails, IBANs and phone numbers replaced by placeholders, and the
        names and figures a personnel tool returned earlier in the turn."""
        for kind, pattern in _KINDS:
            text = pattern.sub(self._replacer(kind), text)
        if self._known_pattern is not None:
            text = self._known_pattern.sub(lambda m: self._known[m.group(0)], text)
        return text

    def mask_tool_output(self, area: str, text: str, result: dict[str, Any] | None) -> str:
        """``mask`` for what a tool of ``area`` answered. For a personnel tool, the people
        named in its ``result`` and its amounts of money are masked too (and remembered)."""
        if area in PERSONNEL_AREAS:
            for kind, value in _sensitive_values(result):
                self._learn(kind, value)
            text = AMOUNT.sub(self._replacer("MONTANT"), text)
        return self.mask(text)

    def _learn(self, kind: str, value: str) -> None:
        value = value.strip()
        if len(value) < 2 or value in self._known:
            return
        self._known[value] = self._placeholder(kind, value)
        # Longest first, so « Awa Diop Ba » is not cut after « Awa Diop ».
        alternatives = "|".join(re.escape(v) for v in sorted(self._known, key=len, reverse=True))
        self._known_pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def _replacer(self, kind: str) -> Callable[[re.Match[str]], str]:
        return lambda m: self._placeholder(kind, m.group(0))

    def mask_value(self, value: Any) -> Any:
        """``mask`` applied to every string inside dicts, lists and tuples."""
        return _walk(value, self.mask)

    def unmask(self, text: str) -> str:
        """Placeholders this masker issued replaced by their values (others left alone)."""

        def restore(m: re.Match[str]) -> str:
            return self._value_by_placeholder.get(f"⟨{m.group(1)}_{m.group(2)}⟩", m.group(0))

        return PLACEHOLDER.sub(restore, text)

    def unmask_value(self, value: Any) -> Any:
        """``unmask`` applied to every string inside dicts (keys too), lists and tuples:
        the arguments of a tool call the model wrote."""
        return _walk(value, self.unmask)

    @property
    def placeholders(self) -> dict[str, str]:
        """What was masked so far: placeholder → original value."""
        return dict(self._value_by_placeholder)

    def _placeholder(self, kind: str, value: str) -> str:
        key = f"{kind}:{value}"
        placeholder = self._placeholder_by_key.get(key)
        if placeholder is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"⟨{kind}_{self._counts[kind]}⟩"
            self._placeholder_by_key[key] = placeholder
            self._value_by_placeholder[placeholder] = value
        return placeholder


def _sensitive_values(value: Any, key: str = "") -> list[tuple[str, str]]:
    """``(kind, value)`` for every person's name and pay figure inside a tool result."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        is_employee_row = "employee_id" in value
        for k, v in value.items():
            if isinstance(v, str) and (k in PERSON_KEYS or (k == "name" and is_employee_row)):
                found.append(("NOM", v))
            else:
                found.extend(_sensitive_values(v, str(k)))
    elif isinstance(value, list | tuple):
        for item in value:
            found.extend(_sensitive_values(item, key))
    elif isinstance(value, str | int) and PAY_KEY.search(key) and _is_figure(str(value)):
        found.append(("MONTANT", str(value)))
    return found


def _is_figure(value: str) -> bool:
    """A raw amount worth hiding: at least three digits (not a count of days)."""
    return bool(re.fullmatch(r"-?\d{3,}(?:\.\d+)?", value))


def _walk(value: Any, on_text: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return on_text(value)
    if isinstance(value, dict):
        return {_walk(k, on_text): _walk(v, on_text) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, on_text) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, on_text) for v in value)
    return value
