"""Picking the one row a name designates among search hits (partners, products).

A candidate is chosen only when it is clearly the one meant: an exact match (the whole
name, accents and case aside, or a code, e-mail, phone, SKU or legal id), or a best score
≥ ``RESOLVE_MIN_SCORE`` ahead of the runner-up by ≥ ``RESOLVE_MIN_MARGIN``. Otherwise the
caller gets the candidates to ask the user (``Ambiguous*``), or a clear « aucun … ne
correspond » (``*NotFound``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.kit.errors import DomainError
from domain.sales import repository as repo

RESOLVE_MIN_SCORE = 0.45
RESOLVE_MIN_MARGIN = 0.15


def _merge(exact: list[Any], hits: list[repo.Hit], limit: int) -> list[repo.Hit]:
    merged = [repo.Hit(row, 1.0, True) for row in exact]
    seen = {h.row.id for h in merged}
    merged += [h for h in hits if h.row.id not in seen]
    return merged[:limit]


def _choose(hits: list[repo.Hit]) -> repo.Hit | None:
    exact = [h for h in hits if h.exact]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if not hits or hits[0].score < RESOLVE_MIN_SCORE:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < RESOLVE_MIN_MARGIN:
        return None
    return hits[0]


def _close_candidates(hits: list[repo.Hit]) -> list[repo.Hit]:
    exact = [h for h in hits if h.exact]
    if len(exact) > 1:
        return exact
    return [h for h in hits if hits[0].score - h.score < RESOLVE_MIN_MARGIN]


def _alternatives(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ou {names[-1]}"


def _resolve(
    hits: list[repo.Hit],
    query: str,
    nouns: tuple[str, str],
    errors: tuple[type[DomainError], type[DomainError]],
    to_match: Callable[[repo.Hit], Any],
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
