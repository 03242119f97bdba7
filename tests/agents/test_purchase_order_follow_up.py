"""Following purchase orders up through the real agent turn on the demo business (Sahel
Distribution has one order sent to Grands Moulins de Dakar and one partly received from
SOCAS): what is still expected is listed with what remains to come, and a cancellation is
previewed with what it cancels — nothing is written until a yes, and a no writes nothing.
The sentences are our own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from comptoir.bootstrap import Container
from tests.agents.conftest import Talk
from tests.agents.test_conversations import FATOU

CANCELLED = "SELECT count(*) FROM purchase_orders WHERE status = 'cancelled'"


def cancelled(demo: Container, talk: Talk) -> int:
    with demo.db.unit_of_work(talk.principal.tenant_id) as session:
        return int(session.execute(text(CANCELLED)).scalar_one())


def preview(talk: Talk) -> str | None:
    shown = next((e["text"] for e in talk.events if e["type"] == "confirmation"), None)
    return shown.replace("\u202f", " ").replace("\xa0", " ") if shown else None


class TestFollowingOrdersUp:
    def test_what_is_still_expected_and_from_whom(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("on attend quelles commandes fournisseurs en ce moment ?")
        assert reply.startswith("Commandes fournisseurs attendues : "), reply
        assert "Grands Moulins de Dakar" in reply and "SOCAS Agro-alimentaire" in reply
        assert "livraison attendue le" in reply and "reste à recevoir :" in reply
        one = t("et la commande de SOCAS, elle arrive quand ?")
        assert "SOCAS Agro-alimentaire" in one and "Grands Moulins" not in one, one
        assert "partiellement reçu" in one

    def test_a_cancellation_is_previewed_and_a_no_writes_nothing(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        before = cancelled(demo, t)
        t("annule la commande passée chez SOCAS, on a trouvé moins cher")
        shown = preview(t) or ""
        assert shown.startswith("Annuler le reste à livrer du bon de commande BC-"), shown
        assert "SOCAS Agro-alimentaire" in shown and "reste en stock" in shown
        t("non")
        assert cancelled(demo, t) == before
