"""Conversations end to end through the graph (local tier, offline), on the demo
businesses: every area's everyday requests, confirmations, corrections, questions back,
refusals and bad input. What was done is checked in the database, not only in the text."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from comptoir.bootstrap import Container
from comptoir.chat import chat, member_principal
from domain.audit.models import AuditEntry
from domain.conversations.models import ConversationMessage
from domain.hr.calendar import is_working_day
from tests.agents.conftest import Talk

FATOU = "fatou@sahel-distribution.sn"  # admin
AWA = "awa@sahel-distribution.sn"  # employee, in Modou's team
MODOU = "modou@sahel-distribution.sn"  # sales, Awa's manager
CLAIRE = "admin@boutique-lumiere.fr"  # another business


MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def today_in_dakar() -> date:
    return datetime.now(ZoneInfo("Africa/Dakar")).date()


def said(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def a_monday_ahead(weeks: int) -> date:
    """A Monday at least `weeks` weeks ahead whose first three days are working days in
    Senegal and in its month."""
    day = today_in_dakar() + timedelta(weeks=weeks)
    day += timedelta(days=(7 - day.weekday()) % 7)
    three = [day + timedelta(days=n) for n in range(3)]
    while three[-1].month != day.month or not all(is_working_day("SN", d) for d in three):
        day += timedelta(days=7)
        three = [day + timedelta(days=n) for n in range(3)]
    return day


def count(container: Container, talk: Talk, sql: str, **params: object) -> int:
    with container.db.unit_of_work(talk.principal.tenant_id) as session:
        return int(session.execute(text(sql), params).scalar_one())


class TestFinance:
    def test_invoice_with_a_choice_a_correction_and_a_yes(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        drafts = "SELECT count(*) FROM invoices WHERE status = 'draft'"
        before = count(demo, t, drafts)
        asked = t("crée une facture pour Supérette Ndiaye, 3 sacs de riz")
        assert asked.startswith("Plusieurs produits correspondent")
        shown = t("Riz brisé 25 kg")
        assert "3 × Riz brisé 25 kg" in shown and "Confirmez-vous ?" in shown and t.token
        corrected = t("non, 4 sacs")
        assert "4 × Riz brisé 25 kg" in corrected and "38\u202f000 FCFA" in corrected
        assert count(demo, t, drafts) == before  # previews write nothing
        done = t("oui")
        assert done.startswith("Facture brouillon créée pour Supérette Ndiaye")
        assert count(demo, t, drafts) == before + 1

    def test_missing_details_are_asked_for(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        assert t("crée une facture") == "Pour quel client ?"
        question = t("Alimentation Fall")
        assert "?" in question and "Confirmez" not in question
        assert t("2 cartons de sucre").startswith("Plusieurs produits correspondent")
        shown = t("Sucre en morceaux (carton)")
        assert "Alimentation Fall" in shown and "2 × Sucre en morceaux (carton)" in shown
        assert t("annule") == "D'accord, j'annule. Rien n'a été fait."

    def test_payment_refused_at_confirmation_writes_nothing(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        payments = "SELECT count(*) FROM payments"
        before = count(demo, t, payments)
        shown = t("Diallo SARL a payé 50 000 FCFA par Wave")
        assert shown.startswith("Enregistrer un paiement de 50\u202f000 FCFA par Wave")
        assert t("non") == "D'accord, j'annule. Rien n'a été fait."
        assert count(demo, t, payments) == before
        assert t("oui") == "Il n'y a rien à confirmer pour le moment."
        assert count(demo, t, payments) == before

    def test_revenue_then_a_follow_up(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        first = t("quel est le chiffre d'affaires du mois dernier ?")
        assert first.startswith("Le chiffre d'affaires d") and first.endswith(("FCFA.", "TTC)."))
        second = t("et pour ce mois ?")
        assert second.startswith("Le chiffre d'affaires d") and second != first


class TestSalesAndStock:
    def test_new_customer_confirmed_by_button(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        customers = "SELECT count(*) FROM partners WHERE name = 'Quincaillerie Moderne'"
        before = count(demo, t, customers)
        t("ajoute le client Quincaillerie Moderne")
        token = t.token
        assert token is not None
        t("", button=token)
        assert count(demo, t, customers) == before + 1
        replay = t("", button=token)
        assert "déjà" in replay and count(demo, t, customers) == before + 1

    def test_stock_level_after_naming_the_product(self, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        assert t("combien il reste de riz ?").startswith("Plusieurs produits correspondent")
        assert t("le premier").startswith("Il reste")


class TestHr:
    def test_employee_cannot_approve_leave(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(AWA)
        reply = t("approuve le congé de Modou")
        assert "responsable" in reply or "droits" in reply
        assert "Confirmez" not in reply

    def test_leave_requested_then_approved_by_the_manager(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        awa: Talk = talk_as(AWA)
        start = a_monday_ahead(weeks=7)  # clear of the demo's own leave, never today
        shown = awa(
            f"je veux poser un congé du {start.day} au {start.day + 2} "
            f"{MONTHS[start.month - 1]} {start.year}"
        )
        assert "Awa Ndiaye" in shown and "Confirmez-vous ?" in shown
        assert awa("oui").startswith("Demande enregistrée")
        modou: Talk = talk_as(MODOU)
        approval = modou("approuve le congé d'Awa")
        assert "Awa Ndiaye" in approval and "Confirmez-vous ?" in approval
        modou("oui")
        approved = (
            "SELECT count(*) FROM leave_requests r JOIN employees e ON e.tenant_id = r.tenant_id"
            " AND e.id = r.employee_id WHERE e.name = 'Awa Ndiaye' AND r.status = 'approved'"
            " AND r.start_date = :start"
        )
        assert count(demo, modou, approved, start=start) == 1


class TestBadInputAndWalls:
    def test_other_business_data_is_invisible(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(CLAIRE)
        reply = t("cherche le client Supérette Ndiaye")
        assert "Supérette Ndiaye" not in reply.replace("« Supérette Ndiaye »", "")

    def test_empty_long_emoji_and_wolof_messages(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        assert t("").startswith("Votre message est vide.")
        assert t("facture " * 1250).startswith("Votre message est trop long")
        assert t("👍🎉").startswith("Je n'ai reçu que des symboles ou des émojis.")
        assert t("dama bëgg jënd ceeb").startswith("Je ne comprends pas encore le wolof")
        assert t("quel temps fait-il à Dakar ?").startswith("Désolé, je ne peux pas vous aider")
        assert t("euh bof").startswith("Je n'ai pas compris votre demande.")

    def test_yes_with_nothing_pending_is_audited(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        assert t("oui") == "Il n'y a rien à confirmer pour le moment."
        with demo.db.unit_of_work(t.principal.tenant_id) as session:
            entries = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "agent.tool_call",
                    AuditEntry.target_id == str(t.conversation),
                )
            ).all()
        assert [e.summary["after"]["code"] for e in entries] == ["nothing_pending"]


class TestConversationRecord:
    def test_messages_stored_and_checkpoints_pruned(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        for _ in range(12):  # one checkpoint a turn: more than the 10 kept
            t("qui est absent aujourd'hui ?")
        with demo.db.unit_of_work(t.principal.tenant_id) as session:
            messages = session.scalar(
                select(func.count())
                .select_from(ConversationMessage)
                .where(ConversationMessage.conversation_id == t.conversation)
            )
            checkpoints = session.execute(
                text("SELECT count(*) FROM checkpoints WHERE thread_id LIKE :t"),
                {"t": f"%{t.conversation}"},
            ).scalar_one()
        assert messages == 24
        assert checkpoints == 10

    def test_checkpoints_of_another_business_are_invisible(self, demo: Container, talk_as) -> None:  # type: ignore[no-untyped-def]
        t: Talk = talk_as(FATOU)
        t("bonjour")
        other: Talk = talk_as(CLAIRE)
        with demo.db.unit_of_work(other.principal.tenant_id) as session:
            seen = session.execute(
                text("SELECT count(*) FROM checkpoints WHERE thread_id LIKE :t"),
                {"t": f"%{t.conversation}"},
            ).scalar_one()
        assert seen == 0


class TestTerminalChat:
    def test_reads_lines_and_prints_replies(self, demo: Container) -> None:
        principal = member_principal(demo, "sahel-distribution", FATOU)
        out = io.StringIO()
        chat(demo, principal, ["bonjour\n", "qui est absent aujourd'hui ?\n"], out)
        lines = out.getvalue().splitlines()
        assert lines[0].startswith("comptoir › Bonjour !")
        replies = [line for line in lines if line.startswith("comptoir › ")]
        assert len(replies) == 2  # a reply may go on over several lines
        assert "absent" in replies[-1] or "congé" in replies[-1]
