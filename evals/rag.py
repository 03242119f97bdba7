"""``comptoir eval rag DATASET``: retrieval quality on a labelled French document set.

The dataset folder holds ``dataset.yaml`` (``kind: rag``), ``documents/``, ``manifest-*.yaml``
(each document's title, ``access: all | hr`` and optional attachment to a customer,
supplier or employee) and ``questions-*.yaml``. One tenant is built in a fresh database,
every document uploaded through the documents service, then every question asked with its
role through ``documents.search`` (the tool the agents call).

Scores:
- **recall@k**: a question is a hit when one of the first k passages comes from the expected
  document and contains the expected passage — whitespace, table bars and case folded, or,
  for a passage cut at a chunk border, at least ``COVER`` of its words in order-free overlap;
- **MRR**: the mean of 1/rank of the first hit (0 when none in the first k);
- **citation**: the tool's answer names the expected document's title (what the user reads);
- **denied**: for ``expect: denied`` questions, no passage of the forbidden document reaches
  that role (must be 1.0);
- **no-answer**: questions no document answers, for which the tool says it found nothing.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from domain.kit.principal import Principal, Role
from domain.kit.text import fold
from evals.cases import Case
from rag.service import Attachment

COVER = 0.8
K = 5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachSpec(_Strict):
    type: Literal["customer", "supplier", "employee"]
    name: str


class DocumentSpec(_Strict):
    file: str
    title: str
    access: Literal["all", "hr"] = "all"
    attach: AttachSpec | None = None


class QuestionSpec(_Strict):
    id: str
    question: str
    document: str | None
    passage: str | None
    tags: list[str] = []
    role: Role = Role.ADMIN
    expect: Literal["found", "denied"] = "found"


class RagDataset(BaseModel):
    root: Path
    documents: list[DocumentSpec]
    questions: list[QuestionSpec]


class RagFormatError(ValueError):
    pass


def load_dataset(root: Path) -> RagDataset:
    marker = root / "dataset.yaml"
    if not marker.is_file() or (yaml.safe_load(marker.read_text()) or {}).get("kind") != "rag":
        raise RagFormatError(f"{root}: pas de dataset.yaml avec « kind: rag »")
    documents: list[DocumentSpec] = []
    questions: list[QuestionSpec] = []
    try:
        for path in sorted(root.glob("manifest*.yaml")):
            for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]:
                documents.append(DocumentSpec.model_validate(raw))
        for path in sorted(root.glob("questions*.yaml")):
            for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
                questions.append(QuestionSpec.model_validate(raw))
    except (ValidationError, KeyError, TypeError) as e:
        raise RagFormatError(f"{root}: {e}") from e
    files = {d.file for d in documents}
    for d in documents:
        if not (root / "documents" / d.file).is_file():
            raise RagFormatError(f"{root}: document absent : {d.file}")
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise RagFormatError(f"{root}: question en double : {q.id}")
        seen.add(q.id)
        if q.document is not None and q.document not in files:
            raise RagFormatError(f"{root}: {q.id} cite un document hors manifeste : {q.document}")
        if (q.document is None) != (q.passage is None):
            raise RagFormatError(f"{root}: {q.id}: document et passage vont ensemble")
    return RagDataset(root=root, documents=documents, questions=questions)


_BARS = re.compile(r"[|*_#>`]+")
_WORD = re.compile(r"\w+")


def normal(text: str) -> str:
    return " ".join(_BARS.sub(" ", fold(text)).split())


def contains_passage(chunk: str, passage: str) -> bool:
    """The chunk holds the passage, or (cut at a border) most of its words."""
    chunk_n, passage_n = normal(chunk), normal(passage)
    if passage_n in chunk_n:
        return True
    words = _WORD.findall(passage_n)
    if not words:
        return False
    present = set(_WORD.findall(chunk_n))
    return sum(w in present for w in words) / len(words) >= COVER


def _ref(attach: AttachSpec) -> str:
    return f"{attach.type}-{fold(attach.name)}"


def _case(dataset: RagDataset) -> Case:
    """The tenant: a Senegalese business with the records documents are attached to."""
    setup: dict[str, list[dict[str, Any]]] = {"customers": [], "suppliers": [], "employees": []}
    for d in dataset.documents:
        if d.attach is not None:
            bucket = setup[f"{d.attach.type}s"]
            if all(r["name"] != d.attach.name for r in bucket):
                bucket.append({"name": d.attach.name, "ref": _ref(d.attach)})
    return Case.model_validate(
        {
            "id": "rag-tenant",
            "tenant": {"country": "SN", "name": "Quincaillerie Teranga"},
            "setup": setup,
            "turns": [{"user": "bonjour"}],
        }
    )


def run_rag(root: Path, settings: Any, *, k: int = K, echo: Any = print) -> dict[str, Any]:
    """Build the tenant, upload, ask; the figures (and every miss) as a dict."""
    from domain.kit.clock import ManualClock
    from evals.runner import make_container, run_database
    from evals.setup import build_tenant
    from rag import service as documents
    from tools.base import ToolContext
    from tools.documents import SearchIn, search_documents

    dataset = load_dataset(root)
    with run_database(settings, "local") as config:
        container = make_container(config)
        clock = ManualClock()
        built = build_tenant(container, clock, _case(dataset))
        admin = built.admin
        started = time.perf_counter()
        titles: dict[str, str] = {}
        with container.db.unit_of_work(built.tenant_id) as session:
            for spec in dataset.documents:
                attach = None
                if spec.attach is not None:
                    ref = built.refs[_ref(spec.attach)]
                    attach = Attachment(spec.attach.type, UUID(str(ref["id"])))
                data = (dataset.root / "documents" / spec.file).read_bytes()
                document = documents.upload(
                    session,
                    admin,
                    data,
                    filename=spec.file,
                    title=spec.title,
                    access_roles=["hr"] if spec.access == "hr" else None,
                    attach=attach,
                )
                titles[spec.file] = document.title
        ingest_seconds = time.perf_counter() - started
        results = []
        latencies: list[float] = []
        for q in dataset.questions:
            principal = Principal(
                tenant_id=built.tenant_id,
                user_id=admin.user_id,
                roles=frozenset({q.role}),
                channel=admin.channel,
            )
            with container.db.unit_of_work(built.tenant_id) as session:
                t0 = time.perf_counter()
                found = search_documents.run(
                    ToolContext(session, principal, clock), SearchIn(question=q.question, limit=k)
                )
                latencies.append(time.perf_counter() - t0)
            results.append(_score(q, found, titles, k))
        container.close()
    figures = _figures(dataset, results, latencies, ingest_seconds)
    echo(_summary(figures))
    return figures


def _score(q: QuestionSpec, found: Any, titles: dict[str, str], k: int) -> dict[str, Any]:
    passages = found.passages[:k]
    title = titles.get(q.document or "")
    rank = next(
        (
            i + 1
            for i, p in enumerate(passages)
            if p.title == title and q.passage is not None and contains_passage(p.text, q.passage)
        ),
        None,
    )
    answer = found.render()
    return {
        "id": q.id,
        "tags": q.tags,
        "role": q.role.value,
        "expect": q.expect if q.document else "none",
        "rank": rank,
        "cited": bool(title) and title in answer,
        "leaked": q.expect == "denied" and any(p.title == title for p in found.passages),
        "nothing_found": not found.passages,
        "top": [f"{p.title} / {p.section}: {p.text[:120]}" for p in passages[:3]],
        "question": q.question,
    }


def _figures(
    dataset: RagDataset, results: list[dict[str, Any]], latencies: list[float], ingest: float
) -> dict[str, Any]:
    answerable = [r for r in results if r["expect"] == "found"]
    denied = [r for r in results if r["expect"] == "denied"]
    none = [r for r in results if r["expect"] == "none"]
    hits = [r for r in answerable if r["rank"] is not None]
    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in answerable:
        for tag in r["tags"]:
            by_tag[tag].append(r)
    ordered = sorted(latencies)
    return {
        "documents": len(dataset.documents),
        "questions": len(results),
        "answerable": len(answerable),
        f"recall@{K}": _ratio(len(hits), len(answerable)),
        "recall@1": _ratio(sum(r["rank"] == 1 for r in answerable), len(answerable)),
        "mrr": round(sum(1 / r["rank"] for r in hits) / len(answerable), 3) if answerable else 0,
        "citation": _ratio(sum(r["cited"] for r in answerable), len(answerable)),
        "denied_respected": _ratio(sum(not r["leaked"] for r in denied), len(denied)),
        "no_answer_said": _ratio(sum(r["nothing_found"] for r in none), len(none)),
        "ingest_seconds": round(ingest, 1),
        "query_ms_p50": round(1000 * ordered[len(ordered) // 2], 1) if ordered else None,
        "query_ms_p95": round(1000 * ordered[int(len(ordered) * 0.95)], 1) if ordered else None,
        "recall_by_tag": {
            tag: _ratio(sum(r["rank"] is not None for r in rs), len(rs))
            for tag, rs in sorted(by_tag.items())
            if len(rs) >= 5
        },
        "misses": [r for r in answerable if r["rank"] is None] + [r for r in denied if r["leaked"]],
        "results": results,
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 1.0


def _summary(f: dict[str, Any]) -> str:
    lines = [
        f"{f['documents']} documents, {f['questions']} questions ({f['answerable']} avec réponse)",
        f"recall@{K} {f[f'recall@{K}']} · recall@1 {f['recall@1']} · MRR {f['mrr']} · "
        f"citation {f['citation']}",
        f"accès refusé respecté {f['denied_respected']} · « rien trouvé » sur les questions "
        f"sans réponse {f['no_answer_said']}",
        f"indexation {f['ingest_seconds']} s · requête p50 {f['query_ms_p50']} ms, "
        f"p95 {f['query_ms_p95']} ms",
    ]
    for miss in f["misses"]:
        lines.append(f"  manqué {miss['id']}: {miss['question']}")
        lines += [f"      {t}" for t in miss["top"]]
    return "\n".join(lines)
