"""Numbers in digits or in French words, with their offsets.

Digits: "15000", "15 000" (spaces or non-breaking spaces between groups of three), "15.000"
(a dot followed by exactly three digits is a thousands separator, French style), "12,50" and
"12.5" (decimals), "15k", "2,5 millions", "1,2 M" (an upper-case M is a million, a lower-case
"m" is a metre), "15 mille".
Words: "quinze mille", "deux mille cinq cents", "un million deux cent mille", "vingt-et-un",
"soixante-dix", "quatre-vingt-dix-neuf", Belgian/Swiss "septante"/"nonante", "deux virgule cinq
millions" (2 500 000), "une demi" (0.5), "2 cent mille" (digits then words: 200 000).
"un"/"une" alone are marked ``weak``: they are usually articles (« une facture ») and only
count before a unit (« un sac de riz »).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from agents.local.slots.text import fold
from domain.kit.lexicon import lexicon

_UNITS: dict[str, int] = lexicon()["number_words"]["units"]
_TENS = {"vingt", "trente", "quarante", "cinquante", "soixante", "septante", "huitante", "nonante"}
_HUNDRED = {"cent", "cents"}
_BIG: dict[str, int] = lexicon()["number_words"]["scales"]
_NUMBER_WORDS = set(_UNITS) | _HUNDRED | set(_BIG)

_DIGITS = re.compile(
    r"(?<![\w/.,:-])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3}(?!\d))+(?![ \u00a0\u202f]\d)"
    r"|\d{1,3}(?:\.\d{3}(?!\d))+|\d+)"
    r"(?:[.,]\d+)?(?![\d]|[/:]\d)"
)
_SCALE = re.compile(
    r"[ \u00a0\u202f]?(k|milles?|millions?|milliards?|mds?|mio|m)(?![\w'])",
)
_SCALES: dict[str, int] = lexicon()["number_words"]["digit_scales"]
_WORD = re.compile(r"[a-z]+")
_JOINER = re.compile(r"[\s\u00a0\u202f-]+")


@dataclass(frozen=True, slots=True)
class Num:
    """A number found in a text: ``start``/``end`` are offsets in that text."""

    start: int
    end: int
    value: Decimal
    weak: bool = False  # "un"/"une" alone
    digits: bool = True  # written with digits
    scaled: bool = False  # "15k", "2,5 millions", "quinze mille"
    grouped: bool = False  # "15 000", "15.000"


def _integral(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _digit_value(raw: str) -> tuple[Decimal, bool]:
    """Value of "15 000", "15.000", "12,50", "12.5"; second item: thousands separators seen."""
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    grouped = compact != raw
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", compact):
        compact = compact.replace(".", "")
        grouped = True
    compact = compact.replace(",", ".")
    try:
        return Decimal(compact), grouped
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return Decimal(0), grouped


def _scan_digits(folded: str, original: str) -> list[Num]:
    found: list[Num] = []
    for match in _DIGITS.finditer(folded):
        value, grouped = _digit_value(match.group(0))
        end, scaled = match.end(), False
        scale = _SCALE.match(folded, end)
        if scale is not None:
            word = scale.group(1)
            # a lower-case "m" is a metre ("10 m de tissu"), an upper-case "M" a million
            if word != "m" or original[scale.start(1)] == "M":
                value = _integral(value * _SCALES[word])
                end, scaled = scale.end(), True
        found.append(Num(match.start(), end, value, grouped=grouped, scaled=scaled))
    return found


def words_value(words: list[str], lead: int = 0) -> Decimal | None:
    """Value of a run of French number words ("deux", "mille", "cinq", "cents"); ``lead`` is
    a number written in digits just before the words (« 2 cent mille »)."""
    if "virgule" in words:
        cut = words.index("virgule")
        big = [w for w in words[cut + 1 :] if w in _BIG]
        frac_words = [w for w in words[cut + 1 :] if w not in _BIG]
        whole, frac = words_value(words[:cut]), words_value(frac_words)
        if whole is None or frac is None:
            return None
        digits = str(int(frac))
        value = whole + Decimal(int(frac)) / Decimal(10 ** len(digits))
        for word in big:
            value *= _BIG[word]
        return _integral(value)
    total, current, previous = 0, lead, ""
    for word in words:
        if word in _UNITS:
            if word in ("vingt", "vingts") and previous == "quatre":
                current += 76  # quatre-vingt: 4 was already added
            else:
                current += _UNITS[word]
        elif word in _HUNDRED:
            current = max(current, 1) * 100
        elif word in _BIG:
            total += max(current, 1) * _BIG[word]
            current = 0
        elif word != "et":
            return None
        previous = word
    return Decimal(total + current)


def _joinable(folded: str, end: int, start: int) -> bool:
    gap = folded[end:start]
    return gap == "" or _JOINER.fullmatch(gap) is not None


def _run_end(tokens: list[re.Match[str]], i: int, folded: str) -> int:
    """Index after the last token of the number-word run starting at ``tokens[i]``."""
    j = i + 1
    while j < len(tokens) and _joinable(folded, tokens[j - 1].end(), tokens[j].start()):
        word = tokens[j].group(0)
        if word in _NUMBER_WORDS:
            j += 1
        elif (
            word == "et"
            and tokens[j - 1].group(0) in _TENS
            and j + 1 < len(tokens)
            and tokens[j + 1].group(0) in ("un", "une", "onze")
        ):
            j += 1
        elif word == "virgule" and j + 1 < len(tokens) and tokens[j + 1].group(0) in _UNITS:
            j += 1
        else:
            break
    return j


def _scan_words(folded: str) -> list[Num]:
    tokens = list(_WORD.finditer(folded))
    found: list[Num] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = token.group(0)
        starts_word = token.start() == 0 or not folded[token.start() - 1].isalnum()
        if word not in _NUMBER_WORDS or not starts_word:
            if word in ("demi", "demie") and starts_word:
                found.append(Num(token.start(), token.end(), Decimal("0.5"), digits=False))
            i += 1
            continue
        j = _run_end(tokens, i, folded)
        words = [t.group(0) for t in tokens[i:j]]
        end = tokens[j - 1].end()
        value = words_value(words)
        if value is None:
            i = j
            continue
        weak = words in (["un"], ["une"])
        if weak and j < len(tokens) and tokens[j].group(0) in ("demi", "demie"):
            if _joinable(folded, end, tokens[j].start()):
                found.append(Num(token.start(), tokens[j].end(), Decimal("0.5"), digits=False))
                i = j + 1
                continue
        scaled = any(w in _BIG for w in words)
        found.append(Num(token.start(), end, value, weak=weak, digits=False, scaled=scaled))
        i = j
    return found


@dataclass(slots=True)
class Scan:
    """One message being read: ``text`` (politeness blanked), ``folded``, numbers, taken spans."""

    text: str
    folded: str
    nums: list[Num]
    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.taken)

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))


def _merge_scaled(nums: list[Num], folded: str) -> list[Num]:
    """« 3 millions 500 mille », « 2 millions 500 000 », « 16 mille 500 » are one number: a
    round number of millions, or of thousands then hundreds, then what is below its scale."""
    merged: list[Num] = []
    for num in nums:
        last = merged[-1] if merged else None
        scale = 10**6 if last is not None and last.value >= 10**6 else 1000
        if (
            last is not None
            and last.scaled
            and last.value % scale == 0
            and num.value < scale <= last.value
            and (scale > 1000 or num.value >= 100)  # « 15 mille 2 sacs » is a count after
            and not num.weak
            and re.fullmatch(
                r"[ \u00a0\u202f]+(?:et[ \u00a0\u202f]+)?", folded[last.end : num.start]
            )
        ):
            merged[-1] = Num(
                last.start, num.end, last.value + num.value, digits=last.digits, scaled=True
            )
            continue
        merged.append(num)
    return merged


def _merge_digit_hundreds(nums: list[Num], folded: str) -> list[Num]:
    """« 2 cent mille », « 3 cents euros » (SMS style): digits then « cent(s) … » in words
    are one number, the digits counting the hundreds."""
    merged: list[Num] = []
    for num in nums:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.digits
            and not (last.scaled or last.grouped)
            and last.value == last.value.to_integral_value()
            and 1 < last.value < 100
            and not num.digits
            and re.fullmatch(r"[ \u00a0\u202f]+", folded[last.end : num.start])
        ):
            words = _WORD.findall(folded[num.start : num.end])
            value = words_value(words, int(last.value)) if words[0] in _HUNDRED else None
            if value is not None:
                merged[-1] = Num(last.start, num.end, value, digits=False, scaled=num.scaled)
                continue
        merged.append(num)
    return merged


def scan_numbers(folded: str, original: str) -> list[Num]:
    """Every number of ``folded`` (``original`` is only consulted for the case of "M")."""
    digits = _scan_digits(folded, original)
    words = [
        w for w in _scan_words(folded) if all(w.end <= d.start or w.start >= d.end for d in digits)
    ]
    nums = digits + words
    nums.sort(key=lambda n: n.start)
    return _merge_scaled(_merge_digit_hundreds(nums, folded), folded)


def make_scan(text: str) -> Scan:
    folded = fold(text)
    return Scan(text, folded, scan_numbers(folded, text))


def parse_number(text: str) -> Decimal | None:
    """The number a whole phrase says ("15 000", "quinze mille", "2,5 millions"), else None."""
    stripped = text.strip()
    if not stripped:
        return None
    nums = scan_numbers(fold(stripped), stripped)
    if len(nums) == 1 and nums[0].start == 0 and nums[0].end == len(stripped):
        return nums[0].value
    return None
