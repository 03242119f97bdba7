"""The words a name is compared on, and document numbers as people type them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit import resolution
from domain.kit.resolution import NameQuery, TypedNumber, name_words, typed_number

NAMES = [
    "Lampes de bureau pliables",
    "Sac de riz 25kg",
    "Huile d'arachide 5 L",
    "Ciment CEM II 42,5",
    "Crème fraîche épaisse",
    "Œufs frais (plateau de 30)",
    "L’Épicerie du Coin",
    "N'Diaye Transport & Fils",
    "Bureaux 2 litres",
]


class TestNameWords:
    @pytest.mark.parametrize(
        ("name", "words"),
        [
            ("Lampes de bureau pliables", ["lampe", "bureau", "pliable"]),
            ("Sac de riz 25kg", ["sac", "riz", "25", "kg"]),
            ("le bidon de 5 litres", ["bidon", "5", "l"]),
            ("Huile d'arachide 5 L", ["huile", "arachide", "5", "l"]),
            ("Œufs frais", ["oeuf", "frai"]),
        ],
    )
    def test_folded_singular_without_little_words(self, name: str, words: list[str]) -> None:
        assert name_words(name) == words

    def test_containers_are_optional_for_products(self) -> None:
        wanted = NameQuery.of("3 sacs de riz", resolution.PRODUCT_OPTIONAL_WORDS)
        assert (wanted.required, wanted.optional) == (("3", "riz"), ("sac",))
        alone = NameQuery.of("le sac", resolution.PRODUCT_OPTIONAL_WORDS)
        assert (alone.required, alone.optional) == (("sac",), ())

    def test_postgresql_splits_names_into_the_same_words(self, container: Container) -> None:
        with container.db.unit_of_work() as session:
            for name in NAMES:
                words = session.scalar(text("SELECT comptoir_name_words(:n)"), {"n": name})
                assert words == name_words(name), name

    def test_postgresql_knows_the_same_little_words_and_units(self, container: Container) -> None:
        """The function holds its own copies of the lists (a generated column may depend on
        nothing else): each word of Python's lists reads the same in both."""
        words = sorted(resolution.STOP_WORDS) + [f"5 {u} {u}s" for u in resolution.UNIT_WORDS]
        with container.db.unit_of_work() as session:
            folded = session.scalar(
                text(
                    "SELECT array_agg(array_to_string(comptoir_name_words(w), ' ') ORDER BY i)"
                    " FROM unnest(CAST(:w AS text[])) WITH ORDINALITY AS x(w, i)"
                ),
                {"w": words},
            )
        assert folded == [" ".join(name_words(w)) for w in words]


class TestTypedNumbers:
    @pytest.mark.parametrize(
        ("typed", "number"),
        [
            ("F-2026-00012", TypedNumber("F", 2026, 12)),
            (" f2026-12 ", TypedNumber("f", 2026, 12)),
            ("F 2026 12", TypedNumber("F", 2026, 12)),
            ("F202600012", TypedNumber("F", 2026, 12)),
            ("la facture n° F-2026-12", TypedNumber("F", 2026, 12)),
            ("bc 2026 4", TypedNumber("bc", 2026, 4)),
            ("2026-4", TypedNumber(None, 2026, 4)),
        ],
    )
    def test_what_a_person_types(self, typed: str, number: TypedNumber) -> None:
        assert typed_number(typed) == number

    @pytest.mark.parametrize("typed", ["facture 12", "Modou", "Diallo 2026", "12", "F-26-1"])
    def test_no_year_is_no_number(self, typed: str) -> None:
        assert typed_number(typed) is None

    def test_formatted_in_the_tenants_patterns_whose_letters_agree(self) -> None:
        patterns = ["F-{year}-{seq:05d}", "AV-{year}-{seq:05d}"]
        assert TypedNumber("f", 2026, 1).formatted(patterns) == ["F-2026-00001"]
        assert TypedNumber("av", 2026, 1).formatted(patterns) == ["AV-2026-00001"]
        assert TypedNumber(None, 2026, 1).formatted(patterns) == ["F-2026-00001", "AV-2026-00001"]
        assert TypedNumber("D", 2026, 1).formatted(patterns) == []


class TestLikePatterns:
    def test_every_order_of_the_required_words_starts(self) -> None:
        assert NameQuery.of("Supérette Ndiaye").patterns() == ["%ndi%sup%", "%sup%ndi%"]
        three = NameQuery.of("Boutique Diallo Fils").patterns()
        assert len(three) == 6 and "%dia%fil%bou%" in three

    def test_optional_words_are_not_required_of_a_name(self) -> None:
        wanted = NameQuery.of("sacs de riz", resolution.PRODUCT_OPTIONAL_WORDS)
        assert wanted.patterns() == ["%riz%"]

    def test_without_a_long_required_word_each_start_alone(self) -> None:
        wanted = NameQuery.of("sac 25 kg", resolution.PRODUCT_OPTIONAL_WORDS)
        assert wanted.patterns() == ["%sac%"]
