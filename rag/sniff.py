"""What an uploaded document is, judged by its bytes — never by the name it was sent under.

The file name only breaks the tie between Markdown and plain text, which are both plain
text and would parse almost the same way; it never makes a file accepted.
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from domain.kit.errors import InvalidInput

__all__ = ["DocumentKind", "DocumentRejected", "decode_text", "inflated_size", "sniff"]


class DocumentKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    HTML = "html"
    EML = "eml"
    MARKDOWN = "markdown"
    TEXT = "text"


class DocumentRejected(InvalidInput, ValueError):
    """An upload that cannot be turned into text; the message is for the user, in French.

    `reason` is stable for code: too_large, unsupported, empty, unreadable, encrypted.
    """

    code = "document_rejected"
    default_message = "Ce document ne peut pas être lu."

    def __init__(self, message: str, *, reason: str, **details: Any) -> None:
        super().__init__(message, reason=reason, **details)
        self.reason = reason


UNSUPPORTED = (
    "Format de fichier non pris en charge. Formats acceptés : PDF, Word (.docx), "
    "Excel (.xlsx), PowerPoint (.pptx), texte, Markdown, HTML et e-mail (.eml)."
)

_OOXML_MAIN_TYPES = {
    "wordprocessingml.document.main+xml": DocumentKind.DOCX,
    "spreadsheetml.sheet.main+xml": DocumentKind.XLSX,
    "presentationml.presentation.main+xml": DocumentKind.PPTX,
}
_OOXML_MAIN_PARTS = ("word/document.xml", "xl/workbook.xml", "ppt/presentation.xml")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats people send that we recognise only to refuse them with a useful message.
_OTHER_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"{\\rtf",
    b"II*\x00",
    b"MM\x00*",
)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$")
_EMAIL_HEADERS = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "mime-version",
    "message-id",
    "received",
    "return-path",
    "content-type",
    "reply-to",
}
_EMAIL_DEFINING = {"from", "mime-version", "received", "message-id", "return-path"}
# Syntax that only Markdown uses: ATX or setext headings, fenced code, pipe tables.
_MARKDOWN_STRONG = re.compile(
    r"^(?:#{1,6}[ \t]+\S|```|~~~|\|.*\|[ \t]*$|[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*\|)"
    r"|\n(?:={3,}|-{3,})[ \t]*$",
    re.MULTILINE,
)
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
# An Office file has a few dozen parts; thousands are only there to exhaust the reader.
MAX_ZIP_MEMBERS = 5000
_INFLATE_STEP = 1024 * 1024
# What reading a damaged or hostile archive raises (zipfile and zlib errors included).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


def sniff(data: bytes, *, filename: str | None = None) -> DocumentKind:
    """The kind of document `data` is, from its content.

    Raises `DocumentRejected` for anything else (images, archives, old Office formats,
    binaries). `filename` is consulted only to choose Markdown over plain text.
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return DocumentKind.PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(_OLE2_MAGIC):
        raise DocumentRejected(
            "Ancien format Office (.doc, .xls, .ppt) ou document protégé par mot de passe : "
            "enregistrez-le au format .docx, .xlsx ou .pptx sans mot de passe.",
            reason="unsupported",
        )
    if data.startswith(_OTHER_BINARY_MAGIC):
        raise DocumentRejected(UNSUPPORTED, reason="unsupported")
    if _HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")):
        return DocumentKind.HTML
    text = decode_text(data)
    if text is None:
        raise DocumentRejected(UNSUPPORTED, reason="unsupported")
    if _looks_like_email(text):
        return DocumentKind.EML
    if _MARKDOWN_STRONG.search(text[:65536]):
        return DocumentKind.MARKDOWN
    if filename is not None and PurePath(filename).suffix.lower() in _MARKDOWN_SUFFIXES:
        return DocumentKind.MARKDOWN
    return DocumentKind.TEXT


def decode_text(data: bytes) -> str | None:
    """`data` as text — UTF-8, UTF-16 with a BOM, else Windows-1252 — or None if binary."""
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None or not _is_textual(text):
        return None
    return text


def inflated_size(data: bytes, limit: int) -> int:
    """Bytes a ZIP container really inflates to, counted by inflating it, stopping as soon
    as the count passes ``limit`` (then the count returned is above ``limit``).

    The sizes an archive declares are the attacker's word: a bomb can declare a few bytes
    and inflate to gigabytes. Only inflating, a bounded piece at a time, tells the truth.
    Raises ``zipfile.BadZipFile``/``OSError`` on a damaged archive.
    """
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            return limit + 1
        for info in members:
            total += info.file_size  # the declared size refuses an honest big file at once
            if total > limit:
                return total
        total = 0
        for info in members:
            with archive.open(info) as member:
                while piece := member.read(_INFLATE_STEP):
                    total += len(piece)
                    if total > limit:
                        return total
    return total


def _is_textual(text: str) -> bool:
    sample = text[:65536]
    if "\x00" in sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return control <= len(sample) // 100


def _sniff_zip(data: bytes) -> DocumentKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise DocumentRejected(UNSUPPORTED, reason="unsupported")
            # Read a bounded prefix: the part names a few content types, never megabytes.
            with archive.open("[Content_Types].xml") as part:
                content_types = part.read(_INFLATE_STEP).decode("utf-8", "replace")
    except ZIP_ERRORS as exc:
        raise DocumentRejected(
            "Le fichier est illisible ou endommagé (archive invalide).", reason="unreadable"
        ) from exc
    for content_type, kind in _OOXML_MAIN_TYPES.items():
        if content_type in content_types:
            return kind
    # Macro-enabled or template variants have these parts but other content types.
    if names.intersection(_OOXML_MAIN_PARTS):
        raise DocumentRejected(
            "Ce document Office (modèle ou document avec macros) n'est pas pris en charge : "
            "enregistrez-le au format .docx, .xlsx ou .pptx.",
            reason="unsupported",
        )
    raise DocumentRejected(UNSUPPORTED, reason="unsupported")


def _looks_like_email(text: str) -> bool:
    """RFC 822 headers from the first line up to the blank line, with mail-defining ones."""
    names: set[str] = set()
    for line in text[:16384].splitlines():
        if not line.strip():
            break
        if line[0] in " \t" and names:
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        names.add(match.group(1).lower())
    known = names & _EMAIL_HEADERS
    return len(known) >= 2 and bool(names & _EMAIL_DEFINING)
