"""Hybrid retrieval: pgvector similarity and PostgreSQL French full-text search, fused by
reciprocal rank (RRF), in one statement under the tenant's RLS and the reader's roles.

- Vector: the question embedded with E5's ``query:`` prefix, the ``candidates`` nearest
  chunks by cosine distance through the HNSW index (iterative scan, so the tenant and
  role conditions do not starve the result).
- Full text: the question's French lexemes (stemmed, stop words and question words out,
  accents folded like the indexed text) OR-ed together — two of them required when too
  many chunks match, at most ``MAX_RANKED`` matches ranked — by ``ts_rank`` without length
  normalisation
  (on evals/datasets/rag it beat cover density and length-normalised ranks: recall@5
  0.92 against 0.88 and 0.82).
- Fusion: ``1 / (60 + rank)`` summed over both lists (Cormack et al., 2009).

The role condition is part of the statement itself: a chunk of a document the reader may
not see is never a candidate, so it cannot leak through a score, a count or a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from domain.kit.principal import Principal, Role
from rag.e5 import ahead
from rag.embeddings import Embedder, default_embedder

RRF_K = 60
CANDIDATES = 40
EF_SEARCH = 100
# Below this cosine similarity a passage is not offered as an answer. multilingual-e5
# similarities sit high and close: on evals/datasets/rag the best passage of every
# answerable question is at 0.834 or more, but so are most questions no document answers
# (0.82-0.88). The threshold only drops what is clearly unrelated; telling « no answer »
# apart needs a re-ranker or the LLM tier.
MIN_SIMILARITY = 0.83


@dataclass(frozen=True, slots=True)
class Passage:
    chunk_id: UUID
    document_id: UUID
    title: str
    filename: str
    section: str | None
    page: int | None
    text: str
    score: float
    similarity: float
    lexical: bool  # found by full-text search too

    @property
    def relevant(self) -> bool:
        return self.similarity >= MIN_SIMILARITY

    def source(self) -> str:
        """« Contrat Diallo, p. 3, Article 5 — Pénalités »"""
        parts = [self.title]
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.section and self.section != self.title:
            parts.append(self.section.split(" > ")[-1])
        return ", ".join(parts)


# Whether the reader may see the chunk's document: a primary-key lookup per candidate,
# so the HNSW scan and the full-text scan filter as they go.
_READABLE = """EXISTS (
        SELECT 1 FROM documents d
        WHERE d.tenant_id = :tenant AND d.id = c.document_id
          AND (:admin OR cardinality(d.access_roles) = 0
               OR d.access_roles && CAST(:roles AS varchar[]))
          AND (CAST(:documents AS uuid[]) IS NULL OR d.id = ANY(CAST(:documents AS uuid[])))
    )"""

# The nearest readable chunks by the vector index: the vector side of both statements.
_NEAREST = f"""nearest AS (
    SELECT c.id, c.embedding <=> CAST(:vector AS vector) AS distance
    FROM document_chunks c
    WHERE c.tenant_id = :tenant AND {_READABLE}
    ORDER BY c.embedding <=> CAST(:vector AS vector)
    LIMIT :candidates
)"""

# The full-text candidates and their ranks. The statement matches the question's lexemes
# (``:any``) when at most ``:max_ranked`` chunks have one of them, else chunks holding two
# (``:pairs``; « minimum should match »); then it ranks at most ``:max_ranked`` matches, so a
# question of common words costs a bounded amount of ``ts_rank`` work however large the
# tenant. It needs no vector: ``search`` runs it while the question is being embedded.
#
# ``any_matches`` reads at most ``:max_ranked`` + 1 chunks holding a lexeme: their number
# decides, and when they are few they are the matches themselves (no second scan). Both
# tsqueries reach the planner as sub-selects, so it cannot price them from the column's
# statistics and reads them through the GIN index: with the constant, it chose a sequential
# scan stopping at the 501st match, which on a table larger than a quarter of
# ``shared_buffers`` reads every page through a small ring of buffers, from the operating
# system each time (8–24 ms at 100,000 chunks where the index took 1–4 ms).
LEXICAL_SQL = f"""
WITH any_matches AS MATERIALIZED (
    SELECT c.id, c.document_id, c.search
    FROM document_chunks c
    WHERE CAST(:any AS text) <> '' AND c.tenant_id = :tenant
      AND c.search @@ (SELECT CAST(:any AS tsquery))
    LIMIT :max_ranked + 1
),
matched AS (
    SELECT c.id, c.search
    FROM any_matches c
    WHERE (SELECT count(*) FROM any_matches) <= :max_ranked AND {_READABLE}
    UNION ALL
    (SELECT c.id, c.search
     FROM document_chunks c
     WHERE (SELECT count(*) FROM any_matches) > :max_ranked AND c.tenant_id = :tenant
       AND c.search @@ (SELECT CAST(:pairs AS tsquery))
       AND {_READABLE}
     LIMIT :max_ranked)
),
lexical AS (
    SELECT id, ts_rank(search, CAST(:any AS tsquery)) AS lexical_rank
    FROM matched
    ORDER BY lexical_rank DESC
    LIMIT :candidates
)
SELECT id, row_number() OVER (ORDER BY lexical_rank DESC) AS rank FROM lexical
"""

# The vector candidates fused by RRF with the full-text ones (``:lexical_ids`` by
# ``:lexical_ranks``, from ``LEXICAL_SQL``), read with what the answer shows.
SEARCH_SQL = f"""
WITH {_NEAREST},
vector_ranked AS (
    SELECT id, distance, row_number() OVER (ORDER BY distance) AS rank FROM nearest
),
lexical_ranked AS (
    SELECT l.id, l.rank
    FROM unnest(CAST(:lexical_ids AS uuid[]), CAST(:lexical_ranks AS bigint[])) AS l(id, rank)
),
fused AS (
    SELECT coalesce(v.id, l.id) AS id,
           coalesce(1.0 / (:rrf_k + v.rank), 0) + coalesce(1.0 / (:rrf_k + l.rank), 0) AS score,
           l.id IS NOT NULL AS lexical
    FROM vector_ranked v FULL OUTER JOIN lexical_ranked l ON l.id = v.id
)
SELECT c.id AS chunk_id, c.document_id, c.ordinal, d.title, d.filename, c.section, c.page,
       c.text, 1 - (c.embedding <=> CAST(:vector AS vector)) AS similarity,
       f.score, f.lexical
FROM document_chunks c
JOIN fused f ON f.id = c.id
JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
WHERE c.tenant_id = :tenant AND c.id = ANY(ARRAY(SELECT id FROM fused))
"""

# The simplest query doing the vector half of the same work: the nearest readable chunks
# and what the answer shows, in one statement (the benchmark's baseline).
VECTOR_SQL = f"""
WITH {_NEAREST}
SELECT c.id AS chunk_id, c.document_id, c.ordinal, d.title, d.filename, c.section, c.page,
       c.text, 1 - n.distance AS similarity, 1.0 / (:rrf_k + row_number() OVER
       (ORDER BY n.distance)) AS score, false AS lexical
FROM document_chunks c
JOIN nearest n ON n.id = c.id
JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
WHERE c.tenant_id = :tenant AND c.id = ANY(ARRAY(SELECT id FROM nearest))
"""

# The transaction's search settings and the question's lexemes, in one round trip.
# plan_cache_mode: psycopg prepares a statement run often, and PostgreSQL's generic plan
# for it, blind to the vector and the tsquery, took seconds at 100,000 chunks; plan with
# the values instead.
SETTINGS_SQL = """
SELECT set_config('hnsw.ef_search', :ef_search, true),
       set_config('hnsw.iterative_scan', 'relaxed_order', true),
       set_config('plan_cache_mode', 'force_custom_plan', true),
       plainto_tsquery('french', comptoir_unaccent(:question))::text AS lexemes
"""
_LEXEME = re.compile(r"'(?:[^']|'')+'")
# A chunk is a full-text candidate when it has any of the question's lexemes — unless
# more than ``MAX_RANKED`` chunks do (a large tenant, common words such as « contrat » or
# « prix »): then it must have two of them, and at most ``MAX_RANKED`` are read and ranked,
# so the full-text side costs a bounded amount whatever the question (unbounded, a question
# of common words ranked 5,000-20,000 chunks at 100,000: p95 ~950 ms on this loaded
# machine). On evals/datasets/rag (346 chunks) « any » gives recall@5 0.92 and « two »
# 0.89: hence « two » only when needed.
MAX_RANKED = 500
# Question words and the stop words that accent folding lets through (« à » becomes « a »,
# which French's stop list does not hold; « les » stems to « le »): they say nothing about
# the passage sought, yet match most chunks. Dropped from the question only.
QUESTION_STOP_WORDS = frozenset(
    "'a' 'le' 'quel' 'combien' 'comment' 'pourquoi' 'quand' 'fair' 'si' 'peut' 'doit' "
    "'dois' 'faut' 'ete' 'etre' 'etant' 'mem' 'deja' 'ca' 'cel' 'ceux' 'ceci' 'tout' "
    "'tous' 'quoi' 'ya' 'il' 'y'".split()
)


def k_of(lexemes: list[str], k: int) -> str:
    """A tsquery matching chunks that hold at least ``k`` of ``lexemes``."""
    unique = list(dict.fromkeys(lexemes))
    k = max(1, min(k, len(unique)))
    if k == 1:
        return " | ".join(unique)
    return " | ".join("(" + " & ".join(group) + ")" for group in combinations(unique, k))


def question_lexemes(found: str) -> list[str]:
    """The quoted lexemes of ``plainto_tsquery``'s text, question words left out (all of
    them kept when nothing else is left)."""
    lexemes = list(dict.fromkeys(_LEXEME.findall(found or "")))
    telling = [x for x in lexemes if x not in QUESTION_STOP_WORDS]
    return telling or lexemes


def search(
    session: Session,
    principal: Principal,
    question: str,
    *,
    limit: int = 5,
    documents: list[UUID] | None = None,
    embedder: Embedder | None = None,
    candidates: int = CANDIDATES,
) -> list[Passage]:
    """The ``limit`` best passages for ``question`` among the documents ``principal`` may
    read (only ``documents``, when given), best first.

    The question is embedded in a thread of its own while the full-text side runs (the
    model releases the interpreter while it computes): the lexical candidates cost the
    wait for the database, not time after the embedding."""
    question = " ".join(question.split())
    if not question:
        return []
    vector = ahead((embedder or default_embedder()).query, question)
    params = _parameters(principal, documents, candidates)
    lexical = _lexical(session, question, params)
    return _fused(session, params, vector.result(), lexical, limit)


def search_embedded(
    session: Session,
    principal: Principal,
    question: str,
    vector: np.ndarray,
    *,
    limit: int = 5,
    documents: list[UUID] | None = None,
    candidates: int = CANDIDATES,
    vector_only: bool = False,
) -> list[Passage]:
    """``search`` for a question already embedded (``vector``, E5's ``query:`` side): the
    settings with the question's lexemes, the full-text candidates, then the fused
    statement. ``vector_only`` runs the nearest-neighbour half alone after the settings
    (the benchmark's baseline)."""
    params = _parameters(principal, documents, candidates)
    if vector_only:
        _settings(session, question, params)
        return _fused(session, params, vector, None, limit)
    lexical = _lexical(session, question, params)
    return _fused(session, params, vector, lexical, limit)


def _parameters(
    principal: Principal, documents: list[UUID] | None, candidates: int
) -> dict[str, Any]:
    return {
        "tenant": principal.tenant_id,
        "admin": Role.ADMIN in principal.roles,
        "roles": sorted(r.value for r in principal.roles),
        "documents": [str(d) for d in documents] if documents else None,
        "max_ranked": MAX_RANKED,
        "candidates": candidates,
        "rrf_k": RRF_K,
    }


def _settings(session: Session, question: str, params: dict[str, Any]) -> list[str]:
    """The transaction's search settings; the question's lexemes."""
    settings = {"ef_search": str(max(EF_SEARCH, params["candidates"])), "question": question}
    return question_lexemes(session.execute(text(SETTINGS_SQL), settings).one().lexemes)


def _lexical(session: Session, question: str, params: dict[str, Any]) -> list[Any]:
    """The settings, then the full-text candidates with their ranks (none without a
    lexeme)."""
    lexemes = _settings(session, question, params)
    if not lexemes:
        return []
    found = {"any": k_of(lexemes, 1), "pairs": k_of(lexemes, 2)}
    return list(session.execute(text(LEXICAL_SQL), params | found))


def _fused(
    session: Session,
    params: dict[str, Any],
    vector: np.ndarray,
    lexical: list[Any] | None,
    limit: int,
) -> list[Passage]:
    """The passages of the vector candidates fused with ``lexical`` (the vector side alone
    when None), best first."""
    values: dict[str, Any] = {"vector": vector_literal(vector.tolist())}
    if lexical is not None:
        values |= {
            "lexical_ids": [str(r.id) for r in lexical],
            "lexical_ranks": [int(r.rank) for r in lexical],
        }
    statement = VECTOR_SQL if lexical is None else SEARCH_SQL
    rows = list(session.execute(text(statement), params | values))
    rows.sort(key=lambda r: (-float(r.score), str(r.document_id), r.ordinal))
    return [
        Passage(
            chunk_id=r.chunk_id,
            document_id=r.document_id,
            title=r.title,
            filename=r.filename,
            section=r.section,
            page=r.page,
            text=r.text,
            score=float(r.score),
            similarity=float(r.similarity),
            lexical=bool(r.lexical),
        )
        for r in rows[:limit]
    ]


def vector_literal(values: list[float]) -> str:
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"
