from decimal import Decimal

import pytest

from agents.local.slots import fold, parse_number, strip_politeness


class TestParseNumber:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("15000", "15000"),
            ("15 000", "15000"),
            ("15\u202f000", "15000"),
            ("15.000", "15000"),
            ("1 245 000", "1245000"),
            ("12,50", "12.50"),
            ("12.5", "12.5"),
            ("1.250,50", "1250.50"),
            ("15k", "15000"),
            ("15 K", "15000"),
            ("2,5 millions", "2500000"),
            ("1,2 M", "1200000"),
            ("15 mille", "15000"),
            ("quinze mille", "15000"),
            ("deux mille cinq cents", "2500"),
            ("un million deux cent mille", "1200000"),
            ("vingt-et-un", "21"),
            ("vingt et un", "21"),
            ("soixante-dix", "70"),
            ("quatre-vingts", "80"),
            ("quatre-vingt-dix-neuf", "99"),
            ("septante-cinq", "75"),
            ("cent vingt", "120"),
            ("mille", "1000"),
            ("une demi", "0.5"),
            ("deux virgule cinq millions", "2500000"),
            ("  42 ", "42"),
            ("2 milles", "2000"),
            ("3 millions 500 mille", "3500000"),
            ("2 millions 500 000", "2500000"),
            ("12 mille 750", "12750"),
        ],
    )
    def test_reads_the_phrase(self, text: str, expected: str) -> None:
        assert parse_number(text) == Decimal(expected)

    @pytest.mark.parametrize(
        "text", ["", "abc", "trois quarts", "10 m", "3 sacs", "12 et 13", "8 mille 4"]
    )
    def test_returns_none_when_the_phrase_is_not_one_number(self, text: str) -> None:
        assert parse_number(text) is None


class TestFold:
    @pytest.mark.parametrize(
        "text",
        ["Crée une facture", "ŒUFS À NOËL", "l\u2019équipe", "façade", "🙂 emoji", "İstanbul"],
    )
    def test_keeps_the_length(self, text: str) -> None:
        assert len(fold(text)) == len(text)

    def test_lowers_and_removes_accents(self) -> None:
        assert fold("Crée À Noël l\u2019été, ça") == "cree a noel l'ete, ca"

    def test_reduces_ligatures_to_one_letter(self) -> None:
        assert fold("Œufs") == "oufs"


class TestStripPoliteness:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("crée une facture pour Diallo stp", "crée une facture pour Diallo"),
            ("Bonjour, crée une facture svp, merci", "crée une facture"),
            ("Modou a payé 50 000 s'il te plaît", "Modou a payé 50 000"),
            ("Modou a payé 50 000 s\u2019il vous plaît", "Modou a payé 50 000"),
            ("merci beaucoup", ""),
            ("la marchandise", "la marchandise"),
        ],
    )
    def test_removes_politeness_words(self, text: str, expected: str) -> None:
        assert strip_politeness(text) == expected
