from datetime import date

import pytest

from agents.local.mentions import (
    capitalized_subject,
    leading_name,
    name_after,
    names_said,
    strip_politeness,
    words_after,
)
from agents.local.slots import analyse
from agents.local.slots.types import Utterance

TODAY = date(2026, 3, 4)  # a Wednesday


def utt(text: str) -> Utterance:
    return analyse(text, today=TODAY)


class TestNameAfter:
    @pytest.mark.parametrize(
        ("text", "markers", "name"),
        [
            ("crée une facture pour Diallo, 3 sacs de riz", ("pour",), "Diallo"),
            ("facture pour Diallo SARL", ("pour",), "Diallo SARL"),
            ("la facture de Modou", ("de",), "Modou"),
            ("envoie le devis à Boutique Ndiaye & Fils demain", ("a",), "Boutique Ndiaye & Fils"),
            ("envoie le devis a Boutique Ndiaye demain", ("à",), "Boutique Ndiaye"),
            ("fais une facture pour diallo stp", ("pour",), "diallo"),
            ("devis pour la Boutique de la Gare", ("pour",), "Boutique de la Gare"),
            ("facture pour le client Awa Diop merci", ("pour",), "Awa Diop"),
            ("le congé d'Awa", ("de",), "Awa"),
            ("le congé d\u2019Awa Fall pour lundi", ("de",), "Awa Fall"),
            ("facture pour Diallo de 50 000", ("pour",), "Diallo"),
            (
                "bon de commande chez Sénégal Distribution pour 3 sacs",
                ("chez",),
                "Sénégal Distribution",
            ),
            ("combien doit Fatou Ba ?", ("doit",), "Fatou Ba"),
            ("facture de 50 000 pour Ndiaye", ("de", "pour"), "Ndiaye"),
            ("relance le client Moussa Sow qui n'a pas payé", ("client",), "Moussa Sow"),
            ("facture pour Tall lundi", ("pour",), "Tall"),
            ("congé de Mamadou en mars", ("de",), "Mamadou"),
            ("paiement reçu de Aïssatou par Wave", ("de",), "Aïssatou"),
            ("fais un devis à Ets Ndiaye et Frères pour 20 sacs", ("a",), "Ets Ndiaye et Frères"),
            ("facture pour Diallo et Ndiaye", ("pour",), "Diallo"),
            ("Modou a payé, envoie le reçu à Awa", ("a",), "Awa"),
            ("envoie a Modou le devis", ("a",), "Modou"),
        ],
    )
    def test_reads_the_name(self, text: str, markers: tuple[str, ...], name: str) -> None:
        assert name_after(utt(text), markers) == name

    @pytest.mark.parametrize(
        ("text", "markers"),
        [
            ("crée une facture pour 3 sacs", ("pour",)),
            ("crée une facture", ("pour",)),
            ("facture pour demain", ("pour",)),
            ("pour, euh", ("pour",)),
            ("", ("pour",)),
            ("rapport pour", ("pour",)),
            ("elle vient de m'apporter 20 000 en liquide", ("de",)),
        ],
    )
    def test_returns_none_when_no_name_follows(self, text: str, markers: tuple[str, ...]) -> None:
        assert name_after(utt(text), markers) is None

    def test_the_verb_a_is_not_the_preposition(self) -> None:
        assert name_after(utt("Mariama Ba a pointé à 8h05"), ("a",)) is None

    def test_marker_must_be_a_whole_word(self) -> None:
        assert name_after(utt("pourboire Diallo"), ("pour",)) is None


class TestLeadingName:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ("Modou a payé 50 000", "Modou"),
            ("Awa Diop est absente", "Awa Diop"),
            ("Diallo SARL a réglé", "Diallo SARL"),
            ("modou a payé", "modou"),
            ("Fatou n'a pas payé", "Fatou"),
            ("Stp Ibrahima doit 5000", "Ibrahima"),
            ("Boutique Ndiaye & Fils a commandé 3 sacs", "Boutique Ndiaye & Fils"),
            ("Le client Diallo a payé 30k", "Diallo"),
            ("La gérante Awa a validé", "Awa"),
            ("Mme Diop est absente", "Diop"),
            ("M. Sow a réglé", "Sow"),
        ],
    )
    def test_reads_the_leading_name(self, text: str, name: str) -> None:
        assert leading_name(utt(text)) == name

    @pytest.mark.parametrize(
        "text",
        [
            "crée une facture pour Diallo",
            "je suis malade",
            "Quel client a payé ?",
            "Il a payé",
            "Le client a payé",
            "Facture pour Diallo",
            "Modou",
            "",
            "3 sacs de riz",
            "Le stock a baissé",
            "M",
        ],
    )
    def test_returns_none_without_a_leading_name(self, text: str) -> None:
        assert leading_name(utt(text)) is None


class TestWordsAfter:
    def test_reads_the_reason(self) -> None:
        text = "refuse le congé d'Awa parce que l'équipe est en inventaire"
        assert words_after(utt(text), ("parce que", "motif")) == "l'équipe est en inventaire"

    def test_skips_a_colon_and_politeness(self) -> None:
        text = "refuse le congé, motif : inventaire en cours. Merci"
        assert words_after(utt(text), ("parce que", "motif")) == "inventaire en cours"

    def test_the_first_marker_in_the_text_wins(self) -> None:
        text = "motif: rupture parce que le fournisseur est en retard"
        assert words_after(utt(text), ("parce que", "motif")) == (
            "rupture parce que le fournisseur est en retard"
        )

    @pytest.mark.parametrize("text", ["refuse le congé", "refuse, motif :", "motifs"])
    def test_returns_none_without_text(self, text: str) -> None:
        assert words_after(utt(text), ("motif",)) is None


def test_strip_politeness_is_exported_here_too() -> None:
    assert strip_politeness("stp envoie le devis merci") == "envoie le devis"


@pytest.mark.parametrize(
    "text", ["", "🙂", "pour " * 2000, "a " * 5000, "Modou " * 2000, "motif : " * 1000, "d'"]
)
def test_mentions_never_crash(text: str) -> None:
    message = utt(text)
    for result in (
        name_after(message, ("pour", "a", "de")),
        leading_name(message),
        words_after(message, ("motif", "parce que")),
    ):
        assert result is None or isinstance(result, str)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("sow traore nous doit combien ?", "Sow Traore nous doit combien ?"),
        ("combien baye fall me doit", "combien Baye Fall me doit"),
        ("la pharmacie du port a réglé 200 €", "la Pharmacie du Port a réglé 200 €"),
        ("awa vient de payer par orange money", "Awa vient de payer par orange money"),
    ],
)
def test_a_lower_case_name_before_what_a_customer_does_to_its_debt(text: str, read: str) -> None:
    assert capitalized_subject(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "on nous doit combien ?",
        "ils nous doivent encore 300 €",
        "le client a payé",
        "le garage a payé",  # which garage is not said
        "qui nous doit le plus ?",
        "tout le monde a payé",
        "mes clients me doivent combien ?",
        "la facture a été réglée",
        "Sow Traore nous doit combien ?",
        "il faut relancer diallo",
    ],
)
def test_ordinary_words_before_a_debt_verb_stay_as_typed(text: str) -> None:
    assert capitalized_subject(text) == text


class TestNamesSaid:
    """Every name a message may say, for a reading that took an everyday word for one."""

    @pytest.mark.parametrize(
        ("message", "names"),
        [
            ("devis garage fontaine pour le repas de midi", ["garage fontaine"]),
            ("relance a sow distribution qu'il paie enfin", ["sow distribution"]),
            ("mets 3 cartons au lieu de 2, c'est pour la maison", []),
            ("ndiaye epicerie a payé, envoie le reçu", ["ndiaye epicerie"]),
            ("devis pour Kane Frères, à livrer chez Fall", ["Kane Frères", "Fall"]),
        ],
    )
    def test_names_in_the_order_said(self, message: str, names: list[str]) -> None:
        assert names_said(utt(message)) == names
