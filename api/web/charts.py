"""Bar charts drawn on the server as SVG geometry: no chart script to download, nothing
for the CSP to allow, readable offline from the page cache. Each chart on a page sits in a
``figure`` next to a table of the same numbers, which is what assistive technologies (and
the tests) read; the drawing is only a picture of it.

Pixel positions are whole numbers computed from the Decimal amounts; the amounts
themselves never pass through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
LABEL_CHARS = 16


@dataclass(frozen=True, slots=True)
class Rect:
    x: int
    y: int
    width: int
    height: int
    css: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    x: int
    y: int
    text: str
    anchor: str = "start"


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    rects: list[Rect]
    labels: list[Label]
    axis_y: int

    @property
    def empty(self) -> bool:
        """Nothing to draw: every value is zero (the table says so in words)."""
        return all(r.width == 0 or r.height == 0 for r in self.rects)


def _px(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _scale(values: list[Decimal], span: int) -> Decimal:
    """Pixels per unit so the largest value fills ``span`` (1 when all are zero)."""
    top = max((v for v in values if v > 0), default=Decimal(0))
    return Decimal(span) / top if top > 0 else Decimal(1)


def short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def columns(
    groups: list[tuple[str, list[Decimal]]],
    classes: list[str],
    names: list[str],
    *,
    width: int = 320,
    height: int = 170,
) -> Chart:
    """Vertical bars side by side per group (e.g. invoiced and collected per month)."""
    bottom, top_margin = height - 20, 8
    scale = _scale([v for _, values in groups for v in values], bottom - top_margin)
    slot = Decimal(width) / max(len(groups), 1)
    bar = min(Decimal(24), (slot - 8) / max(len(classes), 1))
    rects, labels = [], []
    for i, (label, values) in enumerate(groups):
        left = slot * i + (slot - bar * len(values)) / 2
        for j, value in enumerate(values):
            h = _px(max(value, Decimal(0)) * scale)
            rects.append(
                Rect(
                    _px(left + bar * j),
                    bottom - h,
                    max(_px(bar) - 2, 1),
                    h,
                    classes[j],
                    f"{label} — {names[j]}",
                )
            )
        labels.append(Label(_px(slot * i + slot / 2), height - 5, label, "middle"))
    return Chart(width, height, rects, labels, bottom)


def bars(
    rows: list[tuple[str, Decimal]],
    *,
    css: str = "bar-single",
    width: int = 320,
    row_height: int = 24,
    label_width: int = 120,
) -> Chart:
    """One horizontal bar per row, its label on the left."""
    span = width - label_width - 4
    scale = _scale([v for _, v in rows], span)
    rects, labels = [], []
    for i, (label, value) in enumerate(rows):
        y = i * row_height + 4
        w = _px(max(value, Decimal(0)) * scale)
        rects.append(Rect(label_width, y, w, row_height - 8, css, label))
        labels.append(Label(0, y + row_height - 11, short(label)))
    height = max(len(rows), 1) * row_height + 4
    return Chart(width, height, rects, labels, height)
