"""Conversations across turns through the graph, on the demo businesses: a Senegalese
« wi c bon » confirms, a request put before the one waiting is done, the invoice just made
is « la » of the next message, and an answer not understood never repeats the last one."""

from __future__ import annotations

from typing import Any

from comptoir.bootstrap import Container
from tests.agents.conftest import Talk
from tests.agents.test_conversations import FATOU, count

CUSTOMERS = "SELECT count(*) FROM partners WHERE name = :name"
POSTED = "SELECT count(*) FROM invoices WHERE status <> 'draft'"


class TestAcrossTurns:
    def test_sms_yes_confirms(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        assert "Confirmez-vous ?" in t("nouveau client Quincaillerie Wi-Fi Sène à Louga")
        t("wii c bon")
        assert count(demo, t, CUSTOMERS, name="Quincaillerie Wi-Fi Sène") == 1

    def test_a_request_before_the_one_waiting(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        t("crée une facture pour Diallo SARL, 2 sacs de riz")
        shown = t("attends, d'abord crée-moi le client Garage Sall Frères à Kaolack")
        assert "Garage Sall Frères" in shown and "Confirmez-vous ?" in shown
        t("oui")
        assert count(demo, t, CUSTOMERS, name="Garage Sall Frères") == 1

    def test_the_invoice_just_made_is_la(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        before = count(demo, t, POSTED)
        t("nouveau client Épicerie Mbaye Fall à Thiès")
        t("oui")
        t("fais-lui une facture de 2 sacs de riz parfumé 25 kg")
        t("oui")
        assert "Confirmez-vous ?" in t("bon, valide-la stp")
        t("oui")
        assert count(demo, t, POSTED) == before + 1

    def test_not_understood_never_repeats_the_last_answer(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        listed = t("qui me doit de l'argent ?")
        again = t("et Zorglub, xkcd qwerty ?")
        assert again != listed and again.startswith("Je n'ai pas compris")
