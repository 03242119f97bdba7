"""Hybrid retrieval: pgvector similarity and PostgreSQL French full-text search, fused by
reciprocal rank (RRF), in one statement under the tenant's RLS and the reader's roles.

- Vector: the question embedded with E5's ``query:`` prefix, the ``candidates`` nearest
  chunks by cosine distance through the HNSW index (iterative scan, so the tenant and
  role conditions do not starve the result).
- Full text: the question's French lexemes (stemmed, stop words out, accents folded like
  the indexed text) OR-ed together, ranked by ``ts_rank`` without length normalisation
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
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.orm import Session

from domain.kit.principal import Principal, Role
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

SEARCH_SQL = f"""
WITH nearest AS (
    SELECT c.id, c.embedding <=> CAST(:vector AS vector) AS distance
    FROM document_chunks c
    WHERE c.tenant_id = :tenant AND {_READABLE}
    ORDER BY c.embedding <=> CAST(:vector AS vector)
    LIMIT :candidates
),
vector_ranked AS (
    SELECT id, distance, row_number() OVER (ORDER BY distance) AS rank FROM nearest
),
lexical AS (
    SELECT c.id, ts_rank(c.search, CAST(:tsquery AS tsquery)) AS lexical_rank
    FROM document_chunks c
    WHERE CAST(:tsquery AS text) <> '' AND c.tenant_id = :tenant
      AND c.search @@ CAST(:tsquery AS tsquery)
      AND {_READABLE}
    ORDER BY lexical_rank DESC
    LIMIT :candidates
),
lexical_ranked AS (
    SELECT id, row_number() OVER (ORDER BY lexical_rank DESC) AS rank FROM lexical
),
fused AS (
    SELECT coalesce(v.id, l.id) AS id,
           coalesce(1.0 / (:rrf_k + v.rank), 0) + coalesce(1.0 / (:rrf_k + l.rank), 0) AS score,
           l.id IS NOT NULL AS lexical
    FROM vector_ranked v FULL OUTER JOIN lexical_ranked l ON l.id = v.id
)
SELECT id, score, lexical FROM fused
"""

# The fused chunks with what the answer shows, by primary key.
HYDRATE_SQL = """
SELECT c.id AS chunk_id, c.document_id, c.ordinal, d.title, d.filename, c.section, c.page,
       c.text, 1 - (c.embedding <=> CAST(:vector AS vector)) AS similarity
FROM document_chunks c
JOIN documents d ON d.tenant_id = c.tenant_id AND d.id = c.document_id
WHERE c.tenant_id = :tenant AND c.id = ANY(CAST(:ids AS uuid[]))
"""

SETTINGS_SQL = """
SELECT set_config('hnsw.ef_search', :ef_search, true),
       set_config('hnsw.iterative_scan', 'relaxed_order', true),
       set_config('plan_cache_mode', 'force_custom_plan', true)
"""
LEXEMES_SQL = "SELECT plainto_tsquery('french', comptoir_unaccent(:question))::text"
_LEXEME = re.compile(r"'(?:[^']|'')+'")
# A chunk is a full-text candidate when it has any of the question's lexemes — unless
# that makes more than ``MAX_MATCHES`` candidates (a large tenant, common words such as
# « contrat » or « prix »): then it must have two of them (« minimum should
# match »), since every candidate is ranked and ranking costs ~13 ms per 1,000 chunks. On
# evals/datasets/rag (346 chunks) « any » gives recall@5 0.92 and « two » 0.89: hence
# « two » only when needed.
MAX_MATCHES = 2_000
# Beyond two, the OR of every group of three or four lexemes costs GIN more than the
# ranking it saves (p95 776 ms against 298 ms at 100,000 chunks).
MAX_K = 2
COUNT_SQL = """
SELECT count(*) FROM (
    SELECT 1 FROM document_chunks c
    WHERE c.tenant_id = :tenant AND c.search @@ CAST(:tsquery AS tsquery) LIMIT :cap
) AS matches
"""


def k_of(lexemes: list[str], k: int) -> str:
    """A tsquery matching chunks that hold at least ``k`` of ``lexemes``."""
    unique = list(dict.fromkeys(lexemes))
    k = max(1, min(k, len(unique)))
    if k == 1:
        return " | ".join(unique)
    return " | ".join("(" + " & ".join(group) + ")" for group in combinations(unique, k))


def full_text_query(session: Session, tenant_id: UUID, question: str) -> str:
    """The question's lexemes as a tsquery: any of them, or as few more as keep the
    candidates under ``MAX_MATCHES`` ('' when the question has no lexeme)."""
    found = session.execute(text(LEXEMES_SQL), {"question": question}).scalar_one()
    lexemes = list(dict.fromkeys(_LEXEME.findall(found or "")))
    query = ""
    for k in range(1, min(len(lexemes), MAX_K) + 1):
        query = k_of(lexemes, k)
        count = session.execute(
            text(COUNT_SQL), {"tenant": tenant_id, "tsquery": query, "cap": MAX_MATCHES + 1}
        ).scalar_one()
        if count <= MAX_MATCHES:
            break
    return query


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
    read (only ``documents``, when given), best first."""
    question = " ".join(question.split())
    if not question:
        return []
    vector = (embedder or default_embedder()).query(question)
    # For this transaction, in one round trip. plan_cache_mode: psycopg prepares a statement
    # run often, and PostgreSQL's generic plan for it, blind to the vector and the
    # tsquery, took seconds at 100,000 chunks; plan with the values instead.
    session.execute(text(SETTINGS_SQL), {"ef_search": str(max(EF_SEARCH, candidates))})
    literal = vector_literal(vector.tolist())
    params = {
        "tenant": principal.tenant_id,
        "admin": Role.ADMIN in principal.roles,
        "roles": sorted(r.value for r in principal.roles),
        "documents": [str(d) for d in documents] if documents else None,
        "vector": literal,
        "tsquery": full_text_query(session, principal.tenant_id, question),
        "candidates": candidates,
        "rrf_k": RRF_K,
    }
    fused = {r.id: r for r in session.execute(text(SEARCH_SQL), params)}
    if not fused:
        return []
    rows = list(
        session.execute(
            text(HYDRATE_SQL),
            {"tenant": principal.tenant_id, "vector": literal, "ids": [str(i) for i in fused]},
        )
    )
    rows.sort(key=lambda r: (-float(fused[r.chunk_id].score), str(r.document_id), r.ordinal))
    return [
        Passage(
            chunk_id=r.chunk_id,
            document_id=r.document_id,
            title=r.title,
            filename=r.filename,
            section=r.section,
            page=r.page,
            text=r.text,
            score=float(fused[r.chunk_id].score),
            similarity=float(r.similarity),
            lexical=bool(fused[r.chunk_id].lexical),
        )
        for r in rows[:limit]
    ]


def vector_literal(values: list[float]) -> str:
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"
