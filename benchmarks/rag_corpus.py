"""Real French text for the retrieval benchmark: the articles of the French Civil Code
(``benchmarks/data/code-civil.jsonl.gz``, CC BY 4.0), embedded by the application's own E5
model.

The articles are shuffled once (fixed seed): the first ``HELD_OUT`` are never indexed and
give the recall queries (each article's first sentence, embedded on E5's ``query:`` side),
the next ones are the indexed passages (``passage:`` side). Embedding on two shared cores
runs at about 5 passages a second, so the vectors are cached under ``var/cache/bench``
(never in git), keyed by the model and the data file; a larger run embeds only what the
cache lacks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

DATA = Path(__file__).parent / "data" / "code-civil.jsonl.gz"
CACHE = Path(__file__).parents[1] / "var" / "cache" / "bench"
HELD_OUT = 200
MAX_CHARS = 1_500  # a chunk's size; the few longer articles are cut there
QUESTION_CHARS = 200
BATCH = 16
_SENTENCE_END = re.compile(r"(?<=[.;:])\s")


@dataclass(frozen=True, slots=True)
class Article:
    article: str  # « Article 544 »
    section: str  # « Livre II/Titre II »
    text: str

    @property
    def passage(self) -> str:
        return self.text[:MAX_CHARS]

    @property
    def question(self) -> str:
        """The article's first sentence: a real French query about something indexed
        elsewhere in the Code (the article itself is held out)."""
        first = _SENTENCE_END.split(self.text.replace("\n", " "), maxsplit=1)[0]
        return first[:QUESTION_CHARS]


def articles() -> list[Article]:
    """Every article, shuffled with a fixed seed (held-out ones first)."""
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        found = [Article(**json.loads(line)) for line in lines]
    random.Random(2802).shuffle(found)
    return found


def split(count: int) -> tuple[list[Article], list[Article]]:
    """``count`` articles to index and the held-out ones, disjoint."""
    every = articles()
    return every[HELD_OUT : HELD_OUT + count], every[:HELD_OUT]


def embeddings(
    texts: list[str], kind: Literal["query", "passage"]
) -> tuple[np.ndarray, float, int]:
    """E5 vectors of ``texts`` (a prefix of one fixed list per kind), the seconds spent
    embedding in this call and how many came from the cache."""
    from rag.embeddings import E5Embedder

    digest = hashlib.sha256(DATA.read_bytes()).hexdigest()[:12]
    path = CACHE / f"e5-{E5Embedder.model_id}-{digest}-{kind}.npy"
    cached = np.load(path) if path.exists() else np.zeros((0, E5Embedder.dimensions), "float32")
    reused = min(len(cached), len(texts))
    missing = texts[reused:]
    started = time.perf_counter()
    fresh = _encode(missing, kind)
    seconds = time.perf_counter() - started
    vectors = np.concatenate([cached[:reused], fresh]).astype(np.float32)
    if len(vectors) > len(cached):
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors, seconds, reused


def _encode(texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
    """Batches of similar lengths (E5 pads a batch to its longest text), original order."""
    from rag.e5 import e5_encode

    out = np.zeros((len(texts), 384), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), BATCH):
        picked = order[start : start + BATCH]
        out[picked] = e5_encode([texts[i] for i in picked], kind)
    return out
