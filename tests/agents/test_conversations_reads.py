"""Questions the catalog answers, asked in everyday French on the demo businesses through
the agent (local tier, offline): a customer's balance, VAT over a period, invoices overdue by
more than N days, who has not checked in; and slots that carry a request: leave counted from
a start, weekdays sharing « prochains », a payment that settles everything."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.hr.calendar import is_working_day
from tests.agents.conftest import Talk
from tests.agents.test_conversations import (
    AWA,
    CLAIRE,
    FATOU,
    a_monday_ahead,
    count,
    said,
    today_in_dakar,
)

IBRAHIMA = "ibrahima@sahel-distribution.sn"  # manager, on the staff
DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def dates_in(text: str) -> list[date]:
    return [date(int(y), int(m), int(d)) for d, m, y in DAY.findall(text)]


def owed_by(container: Container, talk: Talk, name: str) -> Decimal:
    with container.db.unit_of_work(talk.principal.tenant_id) as session:
        return Decimal(
            session.execute(
                text(
                    "SELECT coalesce(sum(i.gross_total - i.amount_settled), 0) FROM invoices i "
                    "JOIN partners p ON p.id = i.partner_id WHERE p.name = :name "
                    "AND i.kind <> 'credit_note' AND i.status IN ('posted', 'partially_paid')"
                ),
                {"name": name},
            ).scalar_one()
        )


class TestCatalogQuestions:
    def test_customer_balance_names_what_one_customer_owes(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("combien me doit le Café des Arts ?")
        owed = owed_by(demo, t, "Café des Arts")
        assert reply.startswith("Café des Arts vous doit ") or reply.startswith(
            "Café des Arts ne vous doit rien"
        )
        assert f"{owed:.2f}".replace(".", ",") in reply.replace("\u202f", "")
        assert "Dernier paiement" in reply or "Aucun paiement" in reply

    def test_vat_summary_answers_collected_deductible_and_due(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("quelle est ma TVA collectée ce trimestre ?")
        quarter = (today_in_dakar().month - 1) // 3 + 1
        assert reply.startswith("TVA collectée du ")
        assert f"{'1er' if quarter == 1 else f'{quarter}e'} trimestre" in reply
        # The demo books hold supplier bills: the deductible VAT comes from their entries.
        assert "\nTVA déductible : " in reply and "aucune TVA sur achats" not in reply
        assert "\nTVA due : " in reply

    def test_invoices_overdue_by_more_than_n_days(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("liste les factures en retard de plus de 30 jours")
        assert "Aucun client" not in reply
        late = count(
            demo, t,
            "SELECT count(*) FROM invoices WHERE kind <> 'credit_note' AND status IN "
            "('posted', 'partially_paid') AND due_date < CAST(:day AS date) - 30",
            day=today_in_dakar().isoformat(),
        )  # fmt: skip
        if late:
            head = f"{min(late, 10)} facture{'s' if late > 1 else ''} en retard de plus de 30 jours"
            assert reply.startswith(head)
        else:
            assert reply == "Aucune facture en retard de plus de 30 jours."

    def test_who_has_not_checked_in_is_not_who_is_on_leave(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("qui n'a pas pointé aujourd'hui ?")
        assert not reply.startswith("Personne n'est en congé")
        assert (
            "pas pointé le" in reply
            or reply.startswith("Tout le monde a pointé")
            or "pas un jour travaillé" in reply
        )
        day = today_in_dakar() - timedelta(days=1)
        while not is_working_day("SN", day):
            day -= timedelta(days=1)
        past = t(f"qui n'a pas pointé le {said(day)} ?")  # the demo's staff all came
        assert past.startswith(f"Tout le monde a pointé le {day:%d/%m/%Y}")


class TestSlotsThatCarryARequest:
    def test_leave_of_n_days_from_a_start_counts_working_days(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(AWA)
        start = a_monday_ahead(weeks=3)
        reply = t(f"je voudrais prendre 3 jours de congé à partir du {said(start)}")
        assert dates_in(reply)[:2] == [start, start + timedelta(days=2)]
        assert "(3 j ouvrés)" in reply and t.token
        assert t("non") == "D'accord, j'annule. Rien n'a été fait."

    def test_weekdays_listed_before_prochains_share_it(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(IBRAHIMA)  # whose leave no other conversation test books
        reply = t("je serai en congé lundi et mardi prochains")
        first, last = dates_in(reply)[:2]
        assert first.weekday() == 0 and last == first + timedelta(days=1)
        assert today_in_dakar() < first <= today_in_dakar() + timedelta(days=14)
        assert t("non") == "D'accord, j'annule. Rien n'a été fait."

    def test_paid_in_full_records_the_balance_due(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        owed = owed_by(demo, t, "Café des Arts")
        payments = "SELECT count(*) FROM payments"
        before = count(demo, t, payments)
        reply = t("le Café des Arts a tout réglé par virement")
        shown = f"{owed:,.2f}".replace(",", "\u202f").replace(".", ",")
        assert reply.startswith(f"Enregistrer un paiement de {shown} € par virement")
        assert t("non") == "D'accord, j'annule. Rien n'a été fait."
        assert count(demo, t, payments) == before
