"""Picking the one row a name designates among trigram search hits (partners, products,
employees).

A candidate is chosen only when it is clearly the one meant: an exact match (the whole
name, accents and case aside, or a code, e-mail, phone, SKU or legal id), or a best score
≥ ``RESOLVE_MIN_SCORE`` ahead of the runner-up by ≥ ``RESOLVE_MIN_MARGIN``. Otherwise the
caller gets the candidates to ask the user (``Ambiguous*``), or a clear « aucun … ne
correspond » (``*NotFound``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from domain.kit.errors import DomainError

RESOLVE_MIN_SCORE = 0.45
RESOLVE_MIN_MARGIN = 0.15

# pg_trgm thresholds for the index-backed operators, set per transaction so that a server
# default cannot change what matches: ``%`` keeps names whose trigram similarity to the
# query is ≥ 0.3 (typos, accents), ``<<%`` keeps names containing whole words close to the
# query (strict_word_similarity ≥ 0.4: « diallo » in « Boutique Diallo & Fils », « dialo »
# for Diallo). The strict variant rather than ``word_similarity``: it compares whole words,
# so « dia » scores 1 for « Dia Services » but 0.38 for « Diallo SARL » (0.75 otherwise),
# which keeps the runner-up far enough behind for resolution.
SIMILARITY_THRESHOLD = 0.3
STRICT_WORD_SIMILARITY_THRESHOLD = 0.4


@dataclass(frozen=True, slots=True)
class Hit:
    """A search candidate: the row, its score in [0, 1], and whether it matched exactly
    (the whole folded name, or an identifier)."""

    row: Any
    score: float
    exact: bool


def use_trigram_thresholds(session: Session) -> None:
    """Set this transaction's pg_trgm thresholds before a ``%`` / ``<<%`` search."""
    session.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', :s, true),"
            " set_config('pg_trgm.strict_word_similarity_threshold', :w, true)"
        ),
        {"s": str(SIMILARITY_THRESHOLD), "w": str(STRICT_WORD_SIMILARITY_THRESHOLD)},
    )


def merge_hits(exact: list[Any], hits: list[Hit], limit: int) -> list[Hit]:
    """Exact matches first (score 1), then the fuzzy hits not already among them."""
    merged = [Hit(row, 1.0, True) for row in exact]
    seen = {h.row.id for h in merged}
    merged += [h for h in hits if h.row.id not in seen]
    return merged[:limit]


def _choose(hits: list[Hit]) -> Hit | None:
    exact = [h for h in hits if h.exact]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if not hits or hits[0].score < RESOLVE_MIN_SCORE:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < RESOLVE_MIN_MARGIN:
        return None
    return hits[0]


def _close_candidates(hits: list[Hit]) -> list[Hit]:
    exact = [h for h in hits if h.exact]
    if len(exact) > 1:
        return exact
    return [h for h in hits if hits[0].score - h.score < RESOLVE_MIN_MARGIN]


def _alternatives(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ou {names[-1]}"


def resolve_hit(
    hits: list[Hit],
    query: str,
    nouns: tuple[str, str],
    errors: tuple[type[DomainError], type[DomainError]],
    to_match: Callable[[Hit], Any],
) -> Any:
    chosen = _choose(hits)
    if chosen is not None:
        return chosen.row
    singular, plural = nouns
    not_found, ambiguous = errors
    if not hits:
        raise not_found(f"Aucun {singular} ne correspond à « {query} ».", query=query)
    close = _close_candidates(hits)
    names = [h.row.name for h in close]
    message = (
        f"Plusieurs {plural} correspondent : {_alternatives(names)} ?"
        if len(close) > 1
        else f"Aucun {singular} ne correspond exactement à « {query} ». "
        f"Vouliez-vous dire {names[0]} ?"
    )
    candidates = [to_match(h).model_dump(mode="json") for h in close]
    raise ambiguous(message, query=query, candidates=candidates)
