"""Text of a PDF from its text layer (pdfminer.six), with headings, lists, tables and pages.

unstructured's own PDF partitioner cannot be used here: from 0.25 on, even its "fast"
strategy imports `unstructured_inference`, which pulls torch, onnxruntime and Hugging Face
model downloads. This module does what "fast" does — read pdfminer's layout — and recovers
the structure from it:

- headings: lines set larger than the body text (or in bold at body size), short, not ending
  like a sentence; their level is the rank of their font size;
- tables: consecutive rows where several text lines sit side by side, rendered "a | b";
- lists: paragraphs starting with a bullet or "1." / "a)";
- page numbers ("3", "Page 3/12", "- 3 -") are dropped.

No OCR: a scanned PDF has no text layer and yields nothing.

Bounded: a PDF's streams are compressed, and a few Mo of Flate (or LZW, or RunLength) data
can inflate to gigabytes. pdfminer inflates every stream whole, so its decoders are wrapped
here to inflate against a budget of ``MAX_INFLATED_BYTES`` per document, and reading stops
after ``MAX_PAGES`` pages.
"""

from __future__ import annotations

import io
import re
import statistics
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from pdfminer import pdftypes
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextContainer, LTTextLine
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from rag.sniff import DocumentRejected

Category = Literal["title", "text", "list", "table"]

MAX_PAGES = 500
# Every stream of one PDF together, once decoded (text, fonts, forms — images are not decoded).
MAX_INFLATED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PdfBlock:
    text: str
    category: Category
    page: int
    level: int


@dataclass(frozen=True)
class PdfText:
    blocks: list[PdfBlock]
    pages: int


@dataclass(frozen=True)
class _Line:
    text: str
    page: int
    box: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|sur|of|de)\s*\d{1,4})?$", re.IGNORECASE
)
_BULLET = re.compile(r"^(?:[•●▪◦‣∙·\-–—*]|\d{1,3}[.)]|[a-z][.)])\s+")
_SENTENCE_END = (".", ";", ",", "!", "?")
_HEADING_RATIO = 1.15
_HEADING_MAX_WORDS = 20


def read_pdf(data: bytes) -> PdfText:
    """Blocks of a PDF in reading order; `DocumentRejected` if encrypted, unreadable, longer
    than `MAX_PAGES` pages or inflating past `MAX_INFLATED_BYTES`."""
    lines: list[_Line] = []
    pages = 0
    _budget.remaining = MAX_INFLATED_BYTES
    try:
        for pages, layout in enumerate(_layouts(data), start=1):
            if pages > MAX_PAGES:
                raise DocumentRejected(
                    f"Le PDF dépasse {MAX_PAGES} pages : découpez-le en plusieurs documents.",
                    reason="too_large",
                )
            lines.extend(_lines_of(layout, pages))
    except DocumentRejected:
        raise
    except _Inflated as exc:
        raise _inflated_too_much() from exc
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise DocumentRejected(
            "Ce PDF est protégé par un mot de passe : envoyez une version non protégée.",
            reason="encrypted",
        ) from exc
    except Exception as exc:  # pdfminer raises many kinds on damaged files.
        raise DocumentRejected("Le PDF est illisible ou endommagé.", reason="unreadable") from exc
    finally:
        overspent = (_budget.remaining or 0) < 0
        _budget.remaining = None
    if overspent:  # pdfminer swallowed the error somewhere: the budget still tells
        raise _inflated_too_much()
    return PdfText(blocks=list(_blocks(lines)), pages=pages)


def _inflated_too_much() -> DocumentRejected:
    return DocumentRejected(
        "Le PDF décompressé dépasse "
        f"{MAX_INFLATED_BYTES // (1024 * 1024)} Mo : il ne peut pas être lu.",
        reason="too_large",
    )


# --- bounded inflation ----------------------------------------------------------------------


class _Inflated(Exception):
    """The document's streams inflate past their budget."""


class _Budget(threading.local):
    # Bytes the PDF being read may still inflate to; None outside `read_pdf`.
    remaining: int | None = None


_budget = _Budget()


def _allowance() -> int:
    return -1 if _budget.remaining is None else max(_budget.remaining, 0) + 1


def _spend(size: int) -> None:
    if _budget.remaining is None:
        return
    _budget.remaining -= size
    if _budget.remaining < 0:
        raise _Inflated


class _BoundedDecompressor:
    """`zlib.decompressobj()` that never produces more than the budget allows."""

    def __init__(self) -> None:
        self._inner = zlib.decompressobj()

    def decompress(self, data: bytes) -> bytes:
        allowance = _allowance()
        out = self._inner.decompress(data, 0 if allowance < 0 else allowance)
        _spend(len(out))
        if self._inner.unconsumed_tail:
            raise _Inflated
        return out


class _BoundedZlib:
    """Stands in for the `zlib` module inside `pdfminer.pdftypes`."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        inflater = zlib.decompressobj()
        allowance = _allowance()
        out = inflater.decompress(data, 0 if allowance < 0 else allowance)
        _spend(len(out))
        if inflater.unconsumed_tail:
            raise _Inflated
        if not inflater.eof:  # what zlib.decompress says of a truncated stream
            raise zlib.error("incomplete or truncated stream")
        return out

    @staticmethod
    def decompressobj() -> _BoundedDecompressor:
        return _BoundedDecompressor()


def _bounded_lzw(data: bytes) -> bytes:
    pieces: list[bytes] = []
    for piece in LZWDecoder(io.BytesIO(data)).run():
        _spend(len(piece))
        pieces.append(piece)
    return b"".join(pieces)


def _bounded_runlength(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5): a length byte, then literal bytes or one repeated."""
    out = bytearray()
    i = 0
    while i < len(data) and data[i] != 128:
        length = data[i]
        if length < 128:
            piece = data[i + 1 : i + 2 + length]
            i += 2 + length
        else:
            piece = data[i + 1 : i + 2] * (257 - length)
            i += 2
        _spend(len(piece))
        out += piece
    return bytes(out)


# pdfminer looks these names up in its module at each call.
setattr(pdftypes, "zlib", _BoundedZlib)  # noqa: B010
setattr(pdftypes, "lzwdecode", _bounded_lzw)  # noqa: B010
setattr(pdftypes, "rldecode", _bounded_runlength)  # noqa: B010


def _layouts(data: bytes) -> Iterator[LTPage]:
    # Defaults as pdfminer's own text extraction, with the same margins unstructured uses.
    params = LAParams(line_margin=0.5, char_margin=2.0, word_margin=0.185)
    yield from extract_pages(io.BytesIO(data), password="", laparams=params)


def _lines_of(layout: LTPage, page: int) -> Iterator[_Line]:
    boxes = (item for item in layout if isinstance(item, LTTextContainer))
    for box_index, box in enumerate(boxes):
        for line in box:
            if not isinstance(line, LTTextLine):
                continue
            text = " ".join(line.get_text().split())
            chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
            if not text or not chars:
                continue
            yield _Line(
                text=text,
                page=page,
                box=page * 100_000 + box_index,
                x0=line.x0,
                x1=line.x1,
                top=line.y1,
                bottom=line.y0,
                size=round(statistics.median(c.size for c in chars) * 2) / 2,
                bold=sum(1 for c in chars if _BOLD_FONT.search(c.fontname)) * 2 > len(chars),
            )


def _blocks(lines: list[_Line]) -> Iterator[PdfBlock]:
    if not lines:
        return
    body = _body_size(lines)
    levels = _heading_levels(lines, body)
    for page in sorted({line.page for line in lines}):
        rows = _rows([line for line in lines if line.page == page])
        yield from _page_blocks(rows, page, body, levels)


def _body_size(lines: Iterable[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0]


def _heading_levels(lines: Iterable[_Line], body: float) -> dict[float, int]:
    sizes = {line.size for line in lines if line.size >= body * _HEADING_RATIO}
    levels = {size: rank for rank, size in enumerate(sorted(sizes, reverse=True), start=1)}
    levels[body] = len(levels) + 1  # bold at body size: the deepest heading level
    return levels


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by the horizontal band they sit in, top to bottom, left to right."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: (-item.top, item.x0)):
        middle = (line.top + line.bottom) / 2
        row = rows[-1] if rows else None
        if row is not None and row[0].bottom <= middle <= row[0].top:
            row.append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda item: item.x0) for row in rows]


def _page_blocks(
    rows: list[list[_Line]], page: int, body: float, levels: dict[float, int]
) -> Iterator[PdfBlock]:
    table: list[str] = []
    paragraph: list[_Line] = []
    for row in rows:
        if len(row) >= 2 and _side_by_side(row):
            yield from _paragraph_block(paragraph, body, levels)
            paragraph = []
            table.append(" | ".join(line.text for line in row))
            continue
        yield from _table_block(table, page)
        table = []
        line = row[0] if len(row) == 1 else _merged(row)
        if _PAGE_NUMBER.match(line.text):
            continue
        if paragraph and not _continues(paragraph[-1], line):
            yield from _paragraph_block(paragraph, body, levels)
            paragraph = []
        paragraph.append(line)
    yield from _paragraph_block(paragraph, body, levels)
    yield from _table_block(table, page)


def _side_by_side(row: list[_Line]) -> bool:
    return all(left.x1 <= right.x0 for left, right in zip(row, row[1:], strict=False))


def _merged(row: list[_Line]) -> _Line:
    """Overlapping lines in one band (superscripts, kerning artefacts) read as one."""
    first = row[0]
    text = " ".join(line.text for line in row)
    return _Line(text, first.page, first.box, first.x0, row[-1].x1, first.top, first.bottom,
                 first.size, first.bold)  # fmt: skip


def _continues(previous: _Line, line: _Line) -> bool:
    same_style = previous.size == line.size and previous.bold == line.bold
    return previous.box == line.box and same_style and not _BULLET.match(line.text)


def _table_block(rows: list[str], page: int) -> Iterator[PdfBlock]:
    if len(rows) >= 2:
        yield PdfBlock("\n".join(rows), "table", page, 0)
    elif rows:
        yield PdfBlock(rows[0], "text", page, 0)


def _paragraph_block(
    lines: list[_Line], body: float, levels: dict[float, int]
) -> Iterator[PdfBlock]:
    if not lines:
        return
    first = lines[0]
    text = _join_lines(line.text for line in lines)
    if _is_heading(first, text, body):
        yield PdfBlock(text, "title", first.page, levels.get(first.size, len(levels)))
    elif bullet := _BULLET.match(text):
        yield PdfBlock(text[bullet.end() :], "list", first.page, 1)
    else:
        yield PdfBlock(text, "text", first.page, 0)


def _is_heading(line: _Line, text: str, body: float) -> bool:
    styled = line.size >= body * _HEADING_RATIO or (line.bold and line.size >= body)
    short = len(text.split()) <= _HEADING_MAX_WORDS
    return styled and short and not text.endswith(_SENTENCE_END) and not _BULLET.match(text)


def _join_lines(texts: Iterable[str]) -> str:
    joined = ""
    for text in texts:
        # A word cut at the end of a line ("pénali-" / "tés") is glued back.
        if joined.endswith("-") and text[:1].islower():
            joined = joined[:-1] + text
        else:
            joined = f"{joined} {text}" if joined else text
    return joined
