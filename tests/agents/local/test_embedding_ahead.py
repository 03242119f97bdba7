"""The message's embedding is started when a turn begins, in a thread of its own, and
routing then uses that very vector: the turn reads its conversation while the model runs."""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np

from agents.local.router import Embedder, delexicalize, one_message
from agents.local.understanding import embedding_ahead
from comptoir.bootstrap import Container
from rag.e5 import e5_encode


def test_the_embedding_started_ahead_is_the_one_routing_uses() -> None:
    ahead = embedding_ahead("Fais-lui une facture pour 3 bidons d'huile")
    ((text, started),) = ahead.items()
    # what routing embeds: « -lui » says whom it is for, not what is asked
    assert text == delexicalize("Fais une facture pour 3 bidons d'huile")
    assert isinstance(started, Future)
    with one_message(ahead):
        used = Embedder().embed([text])
    assert started.done()
    assert used is started.result()
    np.testing.assert_array_equal(used, e5_encode([text], "query"))


def test_a_block_never_keeps_what_another_started() -> None:
    ahead = embedding_ahead("quel est le stock de sucre ?")
    with one_message(ahead):
        Embedder().embed(list(ahead))
    assert all(isinstance(v, Future) for v in ahead.values())  # the caller's dict is untouched
    with one_message():
        assert Embedder().embed(["bonjour"]).shape == (1, 384)


def test_nothing_is_started_for_a_yes_a_no_or_a_button(container: Container) -> None:
    agent = container.agent
    assert agent._ahead("oui", None) is None
    assert agent._ahead("non merci", None) is None
    assert agent._ahead("crée le client Diop", "a-token") is None
    assert agent._ahead("crée le client Diop", None) is not None
