"""Benchmark ``rag``: document ingestion speed, hybrid query latency at scale, HNSW recall.

In a scratch database (created, migrated, always dropped):

``ingestion``
    Every document of ``evals/datasets/rag/documents`` uploaded through the documents
    service — sniffed, parsed (unstructured, pdfminer), chunked (tiktoken), embedded (E5 on
    this CPU), written with its full-text vector — in one transaction each. Pages per second
    count a PDF's real pages and, for formats without pages, one page per 3,000 characters
    of extracted text (a typed A4 page); chunks per second are indexed chunks.
``query``
    ``chunks`` chunks (default 100,000) in one tenant, over ``documents`` documents. Their
    vectors are **synthetic** (unit vectors drawn around ``clusters`` random centres, so the
    set has structure like real text); their text is real: runs of sentences drawn at
    random from the dataset's documents, so words are as frequent as in business French
    and full-text search does the work it would do on real files. ``queries`` French questions go
    through ``rag.retrieval.search`` as an HR member (the role filter is in the statement):
    E5 embedding of the question + the hybrid statement. Goal: p95 ≤ 100 ms.
``hnsw_recall``
    For ``recall_queries`` query vectors (perturbed chunk vectors), the first 10 ids from
    the HNSW index (ef_search as retrieval sets it) against the exact first 10 (sequential
    scan): mean overlap.

Sizes come from ``COMPTOIR_BENCH_<FIELD>`` environment variables (see ``Sizes``).
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from benchmarks.db import scratch_database
from benchmarks.kit import (
    copy_rows,
    goal,
    latency,
    machine,
    scratch_container,
    sizes_from_env,
    timed_phase,
)
from comptoir.bootstrap import Container
from domain.documents.models import EMBEDDING_DIMENSIONS
from domain.kit.ids import uuid7
from domain.kit.principal import Channel, Principal, Role

GOAL_P95_MS = 100.0
CHARS_PER_PAGE = 3_000
DATASET = Path(__file__).parents[1] / "evals" / "datasets" / "rag" / "documents"
QUESTIONS = (
    "quel est le délai de préavis pour résilier le contrat ?",
    "combien de jours de congé pour un mariage ?",
    "les pénalités de retard de paiement sont de combien ?",
    "quel est le prix du sac de ciment livré à Thiès ?",
    "que faire si la caisse présente un écart ?",
    "la garantie du groupe électrogène dure combien de temps ?",
    "qui paie le transport des marchandises ?",
    "quelle remise pour une commande de plus de cent sacs ?",
)


@dataclass(frozen=True)
class Sizes:
    chunks: int = 100_000
    documents: int = 2_000
    clusters: int = 300
    queries: int = 200
    warmup: int = 10
    recall_queries: int = 100

    @classmethod
    def from_env(cls) -> Sizes:
        return sizes_from_env(cls)


def run(container: Container, *, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes.from_env()
    phases: dict[str, float] = {}
    with scratch_database(container.endpoints.database_url) as url:
        scratch = scratch_container(container, url)
        try:
            timed_phase(phases, "setup", scratch.prepare_database)
            ingestion = timed_phase(phases, "ingestion", ingest, scratch)
            tenant = timed_phase(phases, "synthetic_load", load_synthetic, scratch, sizes)
            timed_phase(phases, "hnsw_build", build_index, scratch)
            queries = timed_phase(phases, "queries", measure_queries, scratch, tenant, sizes)
            recall = timed_phase(phases, "hnsw_recall", hnsw_recall, scratch, tenant, sizes)
            server = machine(url)
        finally:
            scratch.close()
    return {
        "benchmark": "rag",
        "machine": server,
        "sizes": asdict(sizes),
        "synthetic_vectors": True,
        "note": (
            "Query figures use synthetic chunk vectors (clustered unit vectors) and French "
            "text built from a vocabulary; the questions are real French, embedded by E5."
        ),
        "ingestion": ingestion,
        "query": {**queries, "hnsw_build_seconds": round(phases["hnsw_build"], 1)},
        "hnsw_recall_at_10": recall,
        "goals": [
            goal("hybrid_query_p95", queries["hybrid_search"]["p95_ms"], "ms", at_most=GOAL_P95_MS)
        ],
        "phase_seconds": {k: round(v, 1) for k, v in phases.items()},
    }


def _tenant(scratch: Container, name: str) -> Principal:
    from domain.audit.service import RequestContext
    from domain.identity import service as identity
    from domain.identity.schemas import SignUp, TenantCreate, UserCreate

    slug = f"bench-{uuid7().hex[-8:]}"
    data = SignUp(
        tenant=TenantCreate(name=name, slug=slug, country="SN", ninea="3067221"),
        admin=UserCreate(
            email=f"{slug}@example.com", name="Admin Bench", password="mot-de-passe-solide"
        ),
    )
    with scratch.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            scratch.db, session, data, scratch.passwords, RequestContext(channel=Channel.CLI)
        )
    return Principal(
        tenant_id=tenant.id, user_id=user.id, roles=frozenset({Role.ADMIN}), channel=Channel.CLI
    )


def ingest(scratch: Container) -> dict[str, Any]:
    from rag import service as documents
    from rag.chunking import chunk_document
    from rag.parsing import parse

    admin = _tenant(scratch, "Ingestion")
    files = sorted(p for p in DATASET.iterdir() if p.is_file())
    documents.index(files[0].read_bytes(), filename=files[0].name)  # load the models first
    pages = chunks = 0
    parse_seconds = 0.0
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        parsed = parse(data, filename=path.name)
        chunk_document(parsed)
        parse_seconds += time.perf_counter() - t0
        pages += parsed.pages or max(
            1, round(sum(len(b.text) for b in parsed.blocks) / CHARS_PER_PAGE)
        )
        with scratch.db.unit_of_work(admin.tenant_id) as session:
            chunks += documents.upload(session, admin, data, filename=path.name).chunk_count
    seconds = time.perf_counter() - started
    return {
        "documents": len(files),
        "pages": pages,
        "chunks": chunks,
        "seconds": round(seconds, 1),
        "pages_per_second": round(pages / seconds, 2),
        "chunks_per_second": round(chunks / seconds, 2),
        "parse_and_chunk_share": round(parse_seconds / seconds, 3),
    }


def _sentences() -> list[str]:
    """Every sentence of the dataset's documents (as parsed), for realistic chunk text."""
    from rag.parsing import parse

    found: list[str] = []
    for path in sorted(p for p in DATASET.iterdir() if p.is_file()):
        for block in parse(path.read_bytes(), filename=path.name).blocks:
            found += [s.strip() for s in block.text.replace("\n", " ").split(". ") if len(s) > 30]
    return found


def _vectors(rng: np.random.Generator, centres: Any, count: int, spread: float) -> Any:
    picks = rng.integers(0, len(centres), count)
    raw = centres[picks] + spread * rng.standard_normal((count, EMBEDDING_DIMENSIONS))
    return (raw / np.linalg.norm(raw, axis=1, keepdims=True)).astype(np.float32)


def _centres(sizes: Sizes) -> Any:
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((sizes.clusters, EMBEDDING_DIMENSIONS))
    return centres / np.linalg.norm(centres, axis=1, keepdims=True)


def load_synthetic(scratch: Container, sizes: Sizes) -> Principal:
    """``sizes.chunks`` chunks by binary COPY as the owner; the HNSW index is dropped first
    and rebuilt after (``build_index``), as one would for a bulk load."""
    from pgvector.psycopg import register_vector

    admin = _tenant(scratch, "Grand volume")
    rng = np.random.default_rng(11)
    picker = random.Random(5)
    sentences = _sentences()
    centres = _centres(sizes)
    doc_ids = [uuid7() for _ in range(sizes.documents)]
    raw = scratch.owner_engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        register_vector(conn)
        conn.execute("DROP INDEX IF EXISTS ix_document_chunks_embedding_hnsw")
        copy_rows(
            conn,
            "documents",
            [("tenant_id", "uuid"), ("id", "uuid"), ("title", "varchar"), ("filename", "varchar"),
             ("kind", "varchar"), ("size_bytes", "int4"), ("sha256", "varchar"),
             ("chunk_count", "int4"), ("access_roles", "varchar[]"), ("version", "int4"),
             ("meta", "jsonb")],
            (
                (admin.tenant_id, d, f"Document {i}", f"doc-{i}.md", "markdown", 1000,
                 f"{i:064d}", sizes.chunks // sizes.documents, ["hr"] if i % 10 == 0 else [],
                 1, "{}")
                for i, d in enumerate(doc_ids)
            ),
        )  # fmt: skip
        batch = 10_000
        for start in range(0, sizes.chunks, batch):
            count = min(batch, sizes.chunks - start)
            vectors = _vectors(rng, centres, count, 0.35)
            copy_rows(
                conn,
                "document_chunks",
                [("tenant_id", "uuid"), ("id", "uuid"), ("document_id", "uuid"),
                 ("ordinal", "int4"), ("text", "text"), ("section", "varchar"),
                 ("context", "varchar"), ("tokens", "int4"), ("embedding", "vector")],
                (
                    (admin.tenant_id, uuid7(), doc_ids[(start + j) % sizes.documents],
                     (start + j) // sizes.documents,
                     " ".join(picker.choices(sentences, k=3)),
                     f"Article {j % 12}", f"Document {(start + j) % sizes.documents}", 90,
                     vectors[j])
                    for j in range(count)
                ),
            )  # fmt: skip
        conn.commit()
    finally:
        raw.close()
    with scratch.owner_engine.begin() as c:
        c.execute(text("ANALYZE documents"))
        c.execute(text("ANALYZE document_chunks"))
    return admin


def build_index(scratch: Container) -> None:
    with scratch.owner_engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        conn.execute(
            text(
                "CREATE INDEX ix_document_chunks_embedding_hnsw ON document_chunks "
                "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
            )
        )


def measure_queries(scratch: Container, admin: Principal, sizes: Sizes) -> dict[str, Any]:
    from rag import retrieval
    from rag.embeddings import default_embedder

    reader = Principal(
        tenant_id=admin.tenant_id, user_id=admin.user_id, roles=frozenset({Role.HR}),
        channel=Channel.CLI,
    )  # fmt: skip
    embedder = default_embedder()
    total: list[float] = []
    embed: list[float] = []
    for i in range(sizes.warmup + sizes.queries):
        question = QUESTIONS[i % len(QUESTIONS)] + ("" if i < len(QUESTIONS) else f" ({i})")
        with scratch.db.unit_of_work(admin.tenant_id) as session:
            t0 = time.perf_counter()
            found = retrieval.search(session, reader, question)
            elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        embedder.query(question)
        embed_ms = 1000 * (time.perf_counter() - t1)
        assert found, "the hybrid search returned nothing at scale"
        if i >= sizes.warmup:
            total.append(1000 * elapsed)
            embed.append(embed_ms)
    return {"hybrid_search": latency(total), "question_embedding": latency(embed)}


def hnsw_recall(scratch: Container, admin: Principal, sizes: Sizes) -> float:
    from rag.retrieval import EF_SEARCH, vector_literal

    rng = np.random.default_rng(23)
    queries = _vectors(rng, _centres(sizes), sizes.recall_queries, 0.35)
    statement = text(
        "SELECT id FROM document_chunks WHERE tenant_id = :t "
        "ORDER BY embedding <=> CAST(:v AS vector) LIMIT 10"
    )
    overlap = []
    with scratch.owner_engine.connect() as conn:
        for q in queries:
            params = {"t": admin.tenant_id, "v": vector_literal(q.tolist())}
            with conn.begin():
                conn.execute(text(f"SET LOCAL hnsw.ef_search = {EF_SEARCH}"))
                conn.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
                approx = {r[0] for r in conn.execute(statement, params)}
            with conn.begin():
                conn.execute(text("SET LOCAL enable_indexscan = off"))
                exact = {r[0] for r in conn.execute(statement, params)}
            overlap.append(len(approx & exact) / 10)
    return round(float(np.mean(overlap)), 3)
