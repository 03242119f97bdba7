"""The French lexicon (``lexicon.yaml`` beside this module): the words Comptoir reads —
units and containers, kinds of record, yes and no, reasons, stages, kinds of activity,
Wolof, and the phrasings the local tier's rules recognize — in one file shared by the domain,
the tools and the local tier."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from domain.kit.text import fold

# A word counted at least this often in the French frequency list is an everyday word: 32,000
# words (« déjeuner », « toujours », « échéance »), and no family name of Senegal or
# France that a customer list holds (Diallo, Ndiaye, Moreau… are absent from the list).
EVERYDAY_MIN_COUNT = 100


@cache
def lexicon() -> dict[str, Any]:
    text = (resources.files("domain.kit") / "lexicon.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def words(section: str) -> frozenset[str]:
    """A section that is a list of words."""
    return frozenset(str(w) for w in lexicon()[section])


def alternation(section: str) -> str:
    """A section's words as a regular expression's alternation, longest first, so that « et
    puis » is tried before « et »."""
    return "|".join(re.escape(w) for w in sorted(words(section), key=len, reverse=True))


def phrases(section: str) -> tuple[str, ...]:
    """A section that is a list of words or phrases, in order (markers tried in turn)."""
    return tuple(str(w) for w in lexicon()[section])


def marker_groups(section: str) -> tuple[tuple[str, ...], ...]:
    """A section that is a list of groups of markers, tried group after group."""
    return tuple(tuple(str(w) for w in group) for group in lexicon()[section])


def phrasing(name: str, flags: int = 0) -> re.Pattern[str]:
    """A regular expression of the ``phrasings`` section, its parts joined."""
    return _compiled(lexicon()["phrasings"][name], flags)


def phrasings_of(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """A mapping of the ``phrasings`` section: each value and its regular expression, in order."""
    return tuple(
        (str(value), _compiled(parts)) for value, parts in lexicon()["phrasings"][name].items()
    )


def _compiled(parts: str | list[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile(parts if isinstance(parts, str) else "".join(parts), flags)


def pairs(section: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """A section of ``[[word beginnings…], value]`` pairs, in order."""
    return tuple((tuple(str(w) for w in said), str(value)) for said, value in lexicon()[section])


@cache
def _everyday_words() -> frozenset[str]:
    """pyspellchecker's French word frequencies (from subtitles, shipped in its wheel), the
    words counted at least ``EVERYDAY_MIN_COUNT`` times, folded."""
    raw = (resources.files("spellchecker") / "resources" / "fr.json.gz").read_bytes()
    counts: dict[str, int] = json.loads(gzip.decompress(raw))
    return frozenset(fold(word) for word, count in counts.items() if count >= EVERYDAY_MIN_COUNT)


def everyday_word(word: str) -> bool:
    """Whether ``word`` is a French word in everyday use (« lieu », « ancien »), not a name."""
    return fold(word) in _everyday_words()
