"""Text helpers shared by the slot parsers: folding and politeness removal.

``fold`` keeps the length of the text so that any offset found in the folded text is an
offset in the original one: lower case, accents removed (é→e, ç→c), ligatures reduced to
their first letter (œ→o, æ→a: "œufs" folds to "oufs"), typographic apostrophes turned into
"'" and every other character (spaces, non-breaking spaces, emoji) kept as it is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPECIAL = {
    "œ": "o",
    "Œ": "o",
    "æ": "a",
    "Æ": "a",
    "ß": "s",
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "`": "'",
    "´": "'",
}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    special = _SPECIAL.get(char)
    if special is not None:
        return special
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """Lower case without accents, the same length as ``text`` (see the module docstring)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)


_POLITENESS = re.compile(
    r"(?<![\w'])(?:s'?il\s+(?:te|vous)\s+pla[iî]t|s'?il\s+te\s+plait|stp|svp|stpl|plz|please"
    r"|merci(?:\s+(?:beaucoup|bien|d'avance|infiniment))?|je\s+vous\s+prie"
    r"|bonjour|bonsoir|salut|coucou|hello)(?![\w'])",
)


def blank_politeness(folded: str) -> str:
    """``folded`` with politeness words replaced by spaces (same length)."""
    return _POLITENESS.sub(lambda m: " " * len(m.group(0)), folded)


def politeness_spans(folded: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _POLITENESS.finditer(folded)]


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


_SPACES = re.compile(r"\s{2,}")
_EDGE = re.compile(r"^[\s,;.!:\-]+|[\s,;:\-]+$")


def strip_politeness(text: str) -> str:
    """``text`` without « stp », « svp », « s'il te plaît », « merci », greetings; spaces tidied."""
    cleaned = blank_spans(text, politeness_spans(fold(text)))
    cleaned = _SPACES.sub(" ", cleaned)
    cleaned = re.sub(r"\s+([,.!?;])", r"\1", cleaned)
    cleaned = re.sub(r"([,;])(?=[,;.!?]|$)", "", cleaned.strip())
    return _EDGE.sub("", cleaned).strip()
