"""The indexing worker process: a document that takes too long is stopped (its process
killed and replaced), and past the waiting room uploads are refused rather than queued."""

from __future__ import annotations

import threading

import pytest

from rag.sniff import DocumentRejected
from rag.worker import IndexerBusy, IndexingPool

LINE = "Le salarié bénéficie de quatre jours de congé pour son mariage, payés. "
LONG = "# Convention\n\n" + "\n\n".join(f"## Article {i}\n\n" + LINE * 8 for i in range(150))
SHORT = "# Note\n\nLa boutique ferme à 19 h le samedi."


def test_a_job_over_its_time_is_killed_and_the_worker_replaced() -> None:
    pool = IndexingPool(waiting=0, timeout_s=3.0)
    outcome: dict[str, BaseException] = {}

    def index_long() -> None:
        try:
            pool.index(LONG.encode(), filename="convention.md", title=None)
        except BaseException as exc:  # noqa: BLE001 - the outcome is what is asserted
            outcome["error"] = exc

    try:
        running = threading.Thread(target=index_long)
        running.start()
        # One running, none may wait: the next is refused at once, in French.
        while pool._admitted._value:  # noqa: SLF001 - wait until the long one is admitted
            threading.Event().wait(0.01)
        with pytest.raises(IndexerBusy, match="saturée"):
            pool.index(SHORT.encode(), filename="note.md", title=None)
        running.join(timeout=60)
        error = outcome.get("error")
        assert isinstance(error, DocumentRejected) and error.reason == "too_long", error
        # A fresh worker process takes the next document.
        pool._timeout_s = 120  # noqa: SLF001
        indexed = pool.index(SHORT.encode(), filename="note.md", title=None)
        assert indexed.parsed.title == "Note" and len(indexed.vectors) == len(indexed.chunks) == 1
    finally:
        pool.close()
