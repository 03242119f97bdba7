"""How the router scores intents: the mean similarity of each intent's closest exemplars
(fewer when it has fewer), plus the keyword bonus — computed for all intents at once."""

from __future__ import annotations

import numpy as np

from agents.local.router import KEYWORD_BONUS, TOP_K, IntentRouter, IntentSpec

# Exemplar texts stand for fixed unit vectors, so scores can be worked out by hand.
VECTORS = {
    "aa": [1.0, 0.0, 0.0],
    "ab": [0.8, 0.6, 0.0],
    "ac": [0.6, 0.8, 0.0],
    "ad": [0.0, 1.0, 0.0],
    "ba": [0.0, 0.0, 1.0],
    "query x": [1.0, 0.0, 0.0],
    "une facture": [1.0, 0.0, 0.0],
    "ecris a facture@boutique.fr": [1.0, 0.0, 0.0],
}


class FixedEmbedder:
    def embed(self, texts: list[str]) -> np.ndarray:
        return np.array([VECTORS[t] for t in texts], dtype=np.float32)


def _router() -> IntentRouter:
    specs = [
        IntentSpec("four", ("aa", "ab", "ac", "ad")),
        IntentSpec("one", ("ba",), keywords=("facture",)),
    ]
    return IntentRouter(specs, embedder=FixedEmbedder())  # type: ignore[arg-type]


def test_an_intent_scores_the_mean_of_its_closest_exemplars() -> None:
    scores = dict(_router().scores("query x", "query x"))
    closest = sorted([1.0, 0.8, 0.6, 0.0])[-TOP_K:]
    assert np.isclose(scores["four"], np.mean(closest))
    assert np.isclose(scores["one"], 0.0)  # its one exemplar, orthogonal


def test_a_keyword_adds_its_bonus_to_an_intent_with_few_exemplars() -> None:
    ranked = _router().scores("une facture", "une facture")
    assert dict(ranked)["one"] == KEYWORD_BONUS
    assert [name for name, _ in ranked][0] == "four"


def test_a_keyword_inside_an_e_mail_address_counts_for_nothing() -> None:
    text = "ecris a facture@boutique.fr"
    assert dict(_router().scores(text, text))["one"] == 0.0


def test_the_scores_are_those_of_one_intent_at_a_time() -> None:
    router = _router()
    similarities = router._matrix @ FixedEmbedder().embed(["query x"])[0]
    means = router._closest_means(similarities)
    one_by_one = [np.sort(similarities[rows])[-TOP_K:].mean() for rows in router._rows[:2]]
    assert means[:2].tolist() == one_by_one
