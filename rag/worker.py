"""Parsing and embedding in a worker process, so an upload never stalls the API.

Parsing (unstructured, pdfminer) and embedding (E5) are CPU-bound Python. Run on the event
loop they froze every request. In a thread of the API process they would still hold the
GIL most of the time (``/health`` answered up to five times slower than with a process, in
the measure of ``docs/security-uploads.md``), a runaway document could not be stopped, and
the parsers' memory would be the API's. They run here in one separate process, started on
first use and kept (the E5 model and unstructured load once, about 3 s), at a lower CPU
priority than the API, so requests are answered between two batches even on two cores.

Bounded on every side: one document at a time per API process (``WORKERS``), a few more
waiting (``WAITING``; beyond, a 503 in French), and ``JOB_TIMEOUT_S`` per document — past
it the worker process is killed and replaced, and the upload is refused in French. The
caller waits in a thread (the API's thread pool), never on the event loop, and outside
any database transaction.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from domain.kit.errors import DomainError
from rag.sniff import DocumentRejected

if TYPE_CHECKING:
    from rag.service import Indexed

WORKERS = 1
WAITING = 4
JOB_TIMEOUT_S = 300.0
# The worker yields the CPU to the API process whenever both want it.
WORKER_NICENESS = 10


class IndexerBusy(DomainError):
    code = "indexer_busy"
    status_code = 503
    default_message = (
        "L'analyse des documents est saturée pour le moment : réessayez dans quelques minutes."
    )


def _worker_started() -> None:
    # Lowered first, before the heavy imports: this module imports little on purpose.
    os.nice(WORKER_NICENESS)
    import rag.service  # noqa: F401  (warm: SQLAlchemy models, tiktoken, the parsers' glue)


def _index_job(data: bytes, filename: str | None, title: str | None) -> Indexed:
    from rag.service import index

    return index(data, filename=filename, title=title)


class IndexingPool:
    """A bounded queue in front of one worker process that parses and embeds documents."""

    def __init__(self, *, waiting: int = WAITING, timeout_s: float = JOB_TIMEOUT_S) -> None:
        self._timeout_s = timeout_s
        self._admitted = threading.BoundedSemaphore(WORKERS + waiting)
        self._running = threading.BoundedSemaphore(WORKERS)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def index(self, data: bytes, *, filename: str | None, title: str | None) -> Indexed:
        """``rag.service.index`` in the worker process; blocks the calling thread."""
        if not self._admitted.acquire(blocking=False):
            raise IndexerBusy()
        try:
            with self._running:
                return self._run(data, filename, title)
        finally:
            self._admitted.release()

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    def _run(self, data: bytes, filename: str | None, title: str | None) -> Indexed:
        executor = self._started()
        future = executor.submit(_index_job, data, filename, title)
        try:
            result: Indexed = future.result(timeout=self._timeout_s)
        except TimeoutError as exc:
            self._kill(executor)
            raise DocumentRejected(
                "L'analyse de ce document prend trop de temps : découpez-le en plusieurs "
                "documents.",
                reason="too_long",
            ) from exc
        except BrokenProcessPool as exc:  # the worker died (out of memory, killed)
            self._kill(executor)
            raise DocumentRejected(
                "Ce document n'a pas pu être analysé : il est trop lourd ou endommagé.",
                reason="unreadable",
            ) from exc
        return result

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=WORKERS,
                    # Not fork: the API process has threads (uvicorn, OpenMP) a fork would
                    # copy mid-state.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_started,
                )
            return self._executor

    def _kill(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            # The executor has no public way to stop a running call: end its process.
            for process in list(getattr(executor, "_processes", {}).values()):
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)
            if self._executor is executor:
                self._executor = None


_default: IndexingPool | None = None
_default_lock = threading.Lock()


def default_pool() -> IndexingPool:
    global _default
    with _default_lock:
        if _default is None:
            _default = IndexingPool()
        return _default
