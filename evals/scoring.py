"""Scoring a finished case exactly as the spec says: state lines against the tenant's
records, checks on a reply, the tool calls made (in order, arguments as a subset) and
whether business data changed. Each check returns ``None`` when it holds, else a
``Failure`` saying what was expected and what was found."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.kit.text import fold
from evals.cases import ReplyExpect, ToolCallExpect

OPERATORS = ("in", "gte", "lte", "contains")
SHOWN = 5  # records shown when a state line finds no match


@dataclass(frozen=True)
class Failure:
    expectation: str  # what was asked, as written in the case
    found: str  # what was there instead

    def as_dict(self) -> dict[str, str]:
        return {"expectation": self.expectation, "found": self.found}


# --- values -------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(" ", "").replace(",", "."))
        except InvalidOperation:
            return None
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _as_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 08:30 as 510
        return time(value // 60 % 24, value % 60) if 0 <= value < 24 * 60 else None
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip().replace("h", ":"))
        except ValueError:
            return None
    return None


def equal(expected: Any, actual: Any) -> bool:
    """One plain value against one found value, by the spec's rules."""
    if isinstance(expected, dict):
        return matches(expected, actual)
    if actual is None or expected is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        if isinstance(actual, bool) and isinstance(expected, bool):
            return actual == expected
        # « check_in: true »: there is a value.
        return expected is True and actual is not None and actual != ""
    if isinstance(actual, time):
        return _as_time(expected) == actual
    if isinstance(actual, (date, datetime)):
        return _as_date(expected) == _as_date(actual)
    if isinstance(actual, (int, float, Decimal)):
        number = _decimal(expected)
        return number is not None and number == Decimal(str(actual))
    if isinstance(actual, list):
        return isinstance(expected, list) and _list_matches(expected, actual)
    if isinstance(expected, (int, float, Decimal)):
        found = _decimal(actual)
        return found is not None and found == Decimal(str(expected))
    return fold(str(expected)) == fold(str(actual))


def _list_matches(expected: list[Any], actual: list[Any]) -> bool:
    """Every expected item matches a distinct found item, in order."""
    position = 0
    for item in expected:
        while position < len(actual) and not equal(item, actual[position]):
            position += 1
        if position == len(actual):
            return False
        position += 1
    return True


def _contains(expected: Any, actual: Any) -> bool:
    if isinstance(actual, list):
        return any(equal(expected, item) for item in actual)
    return actual is not None and fold(str(expected)) in fold(str(actual))


def _compare(op: str, expected: Any, actual: Any) -> bool:
    if op == "in":
        return isinstance(expected, list) and any(equal(e, actual) for e in expected)
    if op == "contains":
        return _contains(expected, actual)
    if actual is None:
        return False
    if isinstance(actual, (date, datetime)):
        left, right = _as_date(actual), _as_date(expected)
    elif isinstance(actual, time):
        left, right = actual, _as_time(expected)  # type: ignore[assignment]
    else:
        left, right = _decimal(actual), _decimal(expected)  # type: ignore[assignment]
    if left is None or right is None:
        return False
    return left >= right if op == "gte" else left <= right


def _is_operator_map(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(k in OPERATORS for k in value)


def matches(expected: Any, actual: Any) -> bool:
    """``expected`` (a value, an operator map, or a map of fields) against ``actual``."""
    if _is_operator_map(expected):
        return all(_compare(op, arg, actual) for op, arg in expected.items())
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(key in actual and matches(v, actual[key]) for key, v in expected.items())
    return equal(expected, actual)


# --- state ------------------------------------------------------------------------


Records = Callable[[str], list[dict[str, Any]]]


def _show(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> str:
    if not rows:
        return "aucun enregistrement"
    shown = [
        "{" + ", ".join(f"{f}: {_plain(r.get(f))}" for f in fields if f in r) + "}"
        for r in rows[:SHOWN]
    ]
    more = f" (+{len(rows) - SHOWN} autres)" if len(rows) > SHOWN else ""
    return f"{len(rows)} enregistrement(s) : " + "; ".join(shown) + more


def _plain(value: Any) -> str:
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _unknown_fields(kind: str, wanted: dict[str, Any], rows: list[dict[str, Any]]) -> str | None:
    if rows and (missing := [f for f in wanted if f not in rows[0]]):
        return f"champ(s) inconnu(s) pour {kind} : {', '.join(missing)}"
    return None


def check_state_line(line: dict[str, Any], records: Records) -> Failure | None:
    ((key, value),) = line.items()
    label = f"{key}: {value}"
    if key == "count":
        return _check_count(value, records, label)
    if key == "absent":
        ((kind, wanted),) = value.items()
        rows = records(kind)
        hits = [r for r in rows if matches(wanted, r)]
        if hits:
            return Failure(f"absent {label}", _show(hits, list(wanted)))
        return None
    rows = records(key)
    if not isinstance(value, dict):
        return Failure(label, "une ligne d'état attend une table de champs")
    if any(matches(value, r) for r in rows):
        return None
    return Failure(label, _unknown_fields(key, value, rows) or _show(rows, list(value)))


def _check_count(value: Any, records: Records, label: str) -> Failure | None:
    if not isinstance(value, dict):
        return Failure(f"count: {value}", "count attend {type: nombre}")
    for kind, wanted in value.items():
        where: dict[str, Any] = {}
        condition: Any = wanted
        if isinstance(wanted, dict) and "where" in wanted:
            where = wanted.get("where") or {}
            condition = {k: v for k, v in wanted.items() if k != "where"}
            condition = condition.get("equals", condition or None)
        rows = [r for r in records(kind) if matches(where, r)] if where else records(kind)
        ok = matches(condition, len(rows)) if condition is not None else True
        if not ok:
            return Failure(f"count {label}", f"{len(rows)} {kind}")
    return None


# --- replies ----------------------------------------------------------------------

# Digits grouped by (non-breaking) spaces or dots, then an optional decimal part.
_NUMBER = re.compile(r"(?<![\w.,])-?\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|-?\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> set[Decimal]:
    """Every number a French reader sees in ``text``: « 53 100 », « 53 100,00 »,
    « 53.100 », « 53100 FCFA », « 1 234,56 € »; an ambiguous « 6.500 » counts both ways."""
    found: set[Decimal] = set()
    for token in _NUMBER.findall(text):
        grouped = re.sub(r"[ \u00a0\u202f]", "", token)
        candidates = {grouped.replace(".", "").replace(",", ".")}
        if "," not in grouped:
            candidates.add(grouped)  # « 6.5 » or « 6.500 » read as a decimal point
        for candidate in candidates:
            try:
                found.add(Decimal(candidate))
            except InvalidOperation:
                continue
    return found


def check_reply(expect: ReplyExpect, reply: str, where: str = "réponse") -> list[Failure]:
    failures: list[Failure] = []
    folded = fold(reply)
    quoted = f"« {reply[:400]} »"
    for word in expect.contains:
        if fold(word) not in folded:
            failures.append(Failure(f"{where} contient « {word} »", quoted))
    if expect.contains_any and not any(fold(w) in folded for w in expect.contains_any):
        failures.append(Failure(f"{where} contient l'un de {expect.contains_any}", quoted))
    for word in expect.not_contains:
        if fold(word) in folded:
            failures.append(Failure(f"{where} ne contient pas « {word} »", quoted))
    present = numbers_in(reply)
    for number in expect.numbers:
        wanted = _decimal(number)
        if wanted is None or wanted not in present:
            failures.append(Failure(f"{where} contient le nombre {number}", quoted))
    return failures


# --- tool calls --------------------------------------------------------------------


def check_tool_calls(
    expected: Sequence[ToolCallExpect], calls: Sequence[dict[str, Any]]
) -> Failure | None:
    """The expected calls appear in this order among the calls made (others may come
    between); each expected argument matches the call's argument of that name."""
    position = 0
    for want in expected:
        while position < len(calls) and not (
            calls[position].get("tool") == want.tool
            and matches(want.args, calls[position].get("arguments") or {})
        ):
            position += 1
        if position == len(calls):
            made = [f"{c.get('tool')} {c.get('arguments')}" for c in calls] or ["aucun appel"]
            return Failure(
                f"appel {want.tool} {want.args or ''}".strip() + " (dans l'ordre)",
                " → ".join(made)[:800],
            )
        position += 1
    return None


def check_no_writes(before: dict[str, str], after: dict[str, str]) -> Failure | None:
    changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    if changed:
        return Failure("aucune écriture", "données modifiées : " + ", ".join(changed))
    return None
