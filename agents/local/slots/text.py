"""Text helpers shared by the slot parsers: folding and politeness removal.

``fold`` keeps the length of the text so that any offset found in the folded text is an
offset in the original one: lower case, accents removed (é→e, ç→c), ligatures reduced to
their first letter (œ→o, æ→a: "œufs" folds to "oufs"), typographic apostrophes turned into
"'" and every other character (spaces, non-breaking spaces, emoji) kept as it is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from domain.kit.lexicon import alternation, lexicon, phrasing

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


_POLITENESS = phrasing("politeness")


# A farewell closing the message after a comma or a stop (« je rentre, à demain ») is no
# date: « reporte le rendez-vous à demain » keeps its date.
_FAREWELL = phrasing("farewell")


def politeness_spans(folded: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _POLITENESS.finditer(folded)]
    farewell = _FAREWELL.search(folded)
    if farewell is not None:
        spans.append((farewell.start(), farewell.end()))
    return spans


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


# « 20mil », « 15k »: thousands glued to the figure.
THOUSANDS_GLUED = re.compile(r"(?<![\w,.])(\d+)\s?(?:mil|k)(?![\w'-])", re.IGNORECASE)
# « bidon dhuile », « lhuile »: an elision typed without its apostrophe before a word with
# a mute h (the lexicon's ``mute_h_words``); a name such as « Maison dhoktaf » is left alone.
ELISION_GLUED = re.compile(
    r"(?<![\w'-])([dl])(?=(?:" + alternation("mute_h_words") + r")(?![\w-]))",
    re.IGNORECASE,
)


@cache
def _sms() -> tuple[re.Pattern[str], dict[str, str]]:
    spelled = {
        str(form): str(word) for word, forms in lexicon()["sms_words"].items() for form in forms
    }
    alternatives = "|".join(re.escape(f) for f in sorted(spelled, key=len, reverse=True))
    return re.compile(rf"(?<![\w'-])(?:{alternatives})(?![\w'-])", re.IGNORECASE), spelled


def expand_sms(text: str) -> str:
    """``text`` with SMS spellings written out (« cmb il reste de riz ? » → « combien il
    reste de riz ? »), from the lexicon's ``sms_words``; anything else unchanged."""
    pattern, spelled = _sms()
    text = ELISION_GLUED.sub(r"\1'", THOUSANDS_GLUED.sub(r"\1 mille", text))
    return pattern.sub(lambda m: spelled.get(m.group(0).lower(), m.group(0)), text)
