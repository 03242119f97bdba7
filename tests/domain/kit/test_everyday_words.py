"""Everyday French words, told from names: read from the French frequency list shipped
with pyspellchecker, offline."""

from __future__ import annotations

import pytest

from domain.kit.lexicon import everyday_word


@pytest.mark.parametrize("word", ["déjeuner", "dejeuner", "Toujours", "échéance", "lieu"])
def test_everyday_words_whatever_the_accents_and_case(word: str) -> None:
    assert everyday_word(word)


@pytest.mark.parametrize("word", ["Diallo", "ndiaye", "Moreau", "Mbaye", "Würth", "Sokhna"])
def test_family_names_are_not_everyday_words(word: str) -> None:
    assert not everyday_word(word)
