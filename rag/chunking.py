"""Structure-aware chunking: a parsed document's blocks into searchable pieces.

A chunk never crosses a section: the blocks under one heading are packed in reading order
up to ``max_tokens`` (counted with tiktoken's offline ``cl100k_base``). A section longer
than that is cut between blocks, then between sentences, then between tokens, and each
following piece starts with the last ``overlap_tokens`` of the one before, so a sentence
cut at the border is still found whole once. A table stays one chunk when it fits; a long
one is cut between rows, each piece repeating the header row. Headings themselves are not
chunk text: they are the chunk's ``section``, searched and embedded with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from domain.kit.tokens import count_tokens, decode, token_ids
from rag.parsing import Block, ParsedDocument

MAX_TOKENS = 200
OVERLAP_TOKENS = 30
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+(?=[«\"(\[A-ZÀ-Ý0-9-])")


@dataclass(frozen=True, slots=True)
class Chunk:
    ordinal: int
    text: str
    section: str | None
    page: int | None
    tokens: int


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    page: int | None
    table_header: str | None = None


def chunk_document(
    document: ParsedDocument,
    *,
    max_tokens: int = MAX_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
) -> list[Chunk]:
    """The document's chunks in reading order (``ordinal`` from 0)."""
    chunks: list[Chunk] = []
    for section, pieces in _sections(document.blocks):
        for text, page in _pack(pieces, max_tokens, overlap_tokens):
            chunks.append(Chunk(len(chunks), text, section, page, count_tokens(text)))
    if not chunks and document.title:
        # A document made of headings only: its headings are its text.
        titles = " ".join(b.text for b in document.blocks)
        chunks.append(Chunk(0, titles, None, document.blocks[0].page, count_tokens(titles)))
    return chunks


def _sections(blocks: list[Block]) -> Iterator[tuple[str | None, list[_Piece]]]:
    """Consecutive non-title blocks grouped by the section they sit in."""
    section: str | None = None
    pieces: list[_Piece] = []
    for block in blocks:
        if block.category == "title":
            if pieces:
                yield section, pieces
                pieces = []
            section = block.section or block.text
            continue
        if block.section != section and pieces:
            yield section, pieces
            pieces = []
        section = block.section
        text = f"- {block.text}" if block.category == "list" else block.text
        pieces.append(
            _Piece(text, block.page, _header(block) if block.category == "table" else None)
        )
    if pieces:
        yield section, pieces


def _header(block: Block) -> str | None:
    first, _, rest = block.text.partition("\n")
    return first if rest else None


def _pack(pieces: list[_Piece], max_tokens: int, overlap: int) -> Iterator[tuple[str, int | None]]:
    """Pack pieces into texts of at most ``max_tokens``, splitting the ones too long."""
    current: list[str] = []
    size = 0
    page: int | None = None
    for piece in pieces:
        for part in _fitting(piece, max_tokens):
            tokens = count_tokens(part)
            if current and size + tokens > max_tokens:
                text = "\n".join(current)
                yield text, page
                tail = _tail(text, overlap) if overlap and piece.table_header is None else ""
                current, size, page = [], 0, None
                if tail and count_tokens(tail) + tokens <= max_tokens:
                    current, size = [tail], count_tokens(tail)
            if page is None:
                page = piece.page
            current.append(part)
            size += tokens
    if current:
        yield "\n".join(current), page


def _fitting(piece: _Piece, max_tokens: int) -> Iterator[str]:
    """The piece itself when it fits, else its rows (tables) or sentences, cut further by
    tokens when one is still too long."""
    if count_tokens(piece.text) <= max_tokens:
        yield piece.text
        return
    if piece.table_header is not None:
        yield from _table_parts(piece.text, piece.table_header, max_tokens)
        return
    for sentence in _SENTENCES.split(piece.text):
        if count_tokens(sentence) <= max_tokens:
            yield sentence
        else:
            ids = token_ids(sentence)
            for start in range(0, len(ids), max_tokens):
                yield decode(ids[start : start + max_tokens])


def _table_parts(text: str, header: str, max_tokens: int) -> Iterator[str]:
    rows = text.split("\n")[1:]
    part: list[str] = [header]
    for row in rows:
        if len(part) > 1 and count_tokens("\n".join([*part, row])) > max_tokens:
            yield "\n".join(part)
            part = [header]
        part.append(row)
    if len(part) > 1:
        yield "\n".join(part)


def _tail(text: str, overlap: int) -> str:
    """The last whole sentences of ``text`` within ``overlap`` tokens (none if the last
    sentence alone is longer)."""
    kept: list[str] = []
    size = 0
    for sentence in reversed(_SENTENCES.split(text)):
        tokens = count_tokens(sentence)
        if size + tokens > overlap:
            break
        kept.insert(0, sentence)
        size += tokens
    return " ".join(kept)
