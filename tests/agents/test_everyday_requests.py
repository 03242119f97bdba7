"""Everyday requests in the demo businesses, as a new user types them: each one is either
done as asked or met with a precise question — never a write that is not what was asked
(a dropped line, another kind of document), never an answer to another question."""

from __future__ import annotations

from typing import Any

from comptoir.bootstrap import Container
from tests.agents.conftest import Talk
from tests.agents.test_conversations import AWA, CLAIRE, FATOU, count

INVOICES = "SELECT count(*) FROM invoices"
QUOTES = "SELECT count(*) FROM quotes"


def preview(talk: Talk) -> str | None:
    """The preview of the write waiting for a « oui », if one was proposed."""
    return next((e["text"] for e in talk.events if e["type"] == "confirmation"), None)


def called(talk: Talk) -> list[str]:
    done = next(e for e in talk.events if e["type"] == "done")
    return [c["tool"] for c in done["calls"]]


class TestEveryLineIsKept:
    def test_a_quote_with_goods_and_hours_keeps_both_or_asks(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t(
            "fais un devis pour l'Hôtel Le Marais : 4 lampadaires arc et 6 heures d'installation"
        )
        shown = preview(t)
        if shown is None:  # asked: it must name what it could not place
            assert "installation" in reply
        else:
            assert "Lampadaire arc" in shown and "Installation" in shown


class TestTheKindOfDocumentIsKept:
    def test_a_credit_note_is_never_turned_into_an_invoice(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, INVOICES)
        t("crée un avoir de 50 euros pour Atelier Dubois sur sa dernière facture")
        assert "finance.create_invoice" not in called(t)
        shown = preview(t) or ""
        assert "facture brouillon" not in shown.lower()
        t("oui")
        assert count(demo, t, "SELECT count(*) FROM invoices WHERE kind = 'invoice'") <= before

    def test_a_reminder_is_not_taken_for_a_new_invoice(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("relance le Café des Arts pour sa facture impayée")
        assert "Quels articles" not in reply
        assert preview(t) is None or "facture" not in (preview(t) or "").lower()


class TestDurations:
    def test_three_days_of_leave_from_a_date_are_three_days(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(AWA)
        reply = t("je voudrais prendre 3 jours de congé à partir du 14 décembre")
        shown = preview(t)
        if shown is None:
            assert "3 jours" in reply
        else:
            assert "14" in shown and "16" in shown


class TestQuestionsAreAnsweredOrAsked:
    def test_a_vat_question_is_not_a_customer_search(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("quelle est ma TVA collectée ce trimestre ?")
        assert "Aucun client" not in reply
        assert "sales.find_customer" not in called(t)

    def test_an_overdue_filter_is_understood_or_said_not_understood(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("liste les factures en retard de plus de 30 jours")
        assert "Aucun client" not in reply
        assert "plus" not in called(t)


class TestNothingIsWrittenByMistake:
    def test_the_issue_table_writes_nothing_it_was_not_asked(
        self, demo: Container, talk_as: Any
    ) -> None:
        """Every message of the table, each followed by a hurried « oui »: what gets
        written is only what was asked (here: nothing, or the quote with both lines)."""
        t: Talk = talk_as(FATOU)
        before = count(demo, t, INVOICES)
        for message in (
            "il reste combien de sucre en poudre ?",
            "qui n'a pas pointé aujourd'hui ?",
        ):
            t(message)
            t("oui")
        assert count(demo, t, INVOICES) == before


class TestSeveralRequestsInOneMessage:
    def test_each_is_previewed_and_done_in_turn(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        first = t(
            "crée une facture pour le Café des Arts : 2 lampadaires arc, et valide-la directement"
        )
        assert "Une chose à la fois" in first and "valide-la directement" in first
        assert (preview(t) or "").startswith("Une chose à la fois")
        created = t("oui")
        assert "Facture brouillon créée" in created and "Ensuite : Valider la facture" in created
        assert preview(t) is not None  # the validation waits for its own « oui »
        posted = t("oui")
        assert posted.startswith("Facture F-") and "validée pour Café des Arts" in posted

    def test_cancelling_the_first_drops_the_next(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, INVOICES)
        shown = t("fais une facture pour le Café des Arts : 1 lampadaire arc puis valide-la")
        assert "Une chose à la fois" in shown and preview(t) is not None
        assert "Ensuite" not in t("non")
        assert t("oui") == "Il n'y a rien à confirmer pour le moment."
        assert count(demo, t, INVOICES) == before

    def test_invoicing_the_quote_just_made(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais un devis pour le Café des Arts : 2 lampadaires arc")
        quote = t("oui")
        number = quote.split()[1]
        shown = t("transforme le devis en facture")
        assert f"Facturer le devis {number} (il sera marqué accepté)" in shown
        assert "Facture brouillon créée depuis le devis" in t("oui")
