"""A request its speaker corrects before the message ends (« 5 sacs… ah non, 7 », « du 2 au
4. non attends, du 9 au 11 »): the request as corrected, never as first said and never both.
No database: the router, the adapters and the registry. Messages are written for these
tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 2)  # a Monday


def say(local: LocalTier, message: str, role: Role = Role.ADMIN) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({role}))
    return local.understand(message, Memory(), principal, today=TODAY, currency="XOF")


def lines(plan: Plan) -> list[tuple[str, str]]:
    return [(x["product"], x["quantity"]) for x in plan.arguments.get("lines") or []]


class TestTheCorrectedRequest:
    def test_a_quantity_corrected_in_passing_replaces_the_first(self, local: LocalTier) -> None:
        plan = say(local, "facture pour Boutique Sow : 5 sacs de riz... ah non pardon 7 sacs")
        assert plan.kind == "tool" and lines(plan) == [("riz", "7")], plan

    def test_what_follows_the_corrected_sentence_still_belongs_to_the_request(
        self, local: LocalTier
    ) -> None:
        plan = say(
            local, "facture Chez Awa: 6 cartons de jus... ah non c'était 9. Et 10 packs d'eau"
        )
        assert plan.kind == "tool" and lines(plan) == [("jus", "9"), ("eau", "10")], plan
        plan = say(local, "facture Garage Ba : 4 pneus, non attends 6 pneus. Et 2 batteries")
        assert lines(plan) == [("pneus", "6"), ("batteries", "2")], plan

    def test_the_line_named_by_part_of_its_name_is_the_one_corrected(
        self, local: LocalTier
    ) -> None:
        plan = say(
            local,
            "commande chez Socimat : 20 sacs de ciment et 10 fers de 8. Ah non, mets 30 fers, "
            "vu que le chantier démarre",
        )
        assert plan.tool == "stock.create_purchase_order", plan
        assert lines(plan) == [("ciment", "20"), ("fers de 8", "30")], plan

    def test_the_rest_said_unchanged_adds_nothing(self, local: LocalTier) -> None:
        plan = say(
            local,
            "devis pour Hôtel Ba : 10 sacs de ciment et 5 tôles. Non attends, mets 12 sacs de "
            "ciment, le reste pareil",
        )
        assert plan.tool == "finance.create_quote", plan
        assert lines(plan) == [("ciment", "12"), ("tôles", "5")], plan

    def test_a_leave_period_corrected_is_the_new_period(self, local: LocalTier) -> None:
        plan = say(
            local,
            "je voudrais poser du 2 au 4 mars, non attends je me suis trompé, du 9 au 11 mars",
            Role.EMPLOYEE,
        )
        assert plan.tool == "hr.request_leave", plan
        assert (plan.arguments["start_date"], plan.arguments["end_date"]) == (
            "2026-03-09",
            "2026-03-11",
        )

    def test_a_payment_corrected_is_one_payment(self, local: LocalTier) -> None:
        plan = say(local, "Sow a payé 10 000 en espèces, euh non, par Wave")
        assert plan.kind == "tool" and plan.tool == "finance.record_payment", plan
        assert plan.arguments["method"] == "wave" and plan.arguments["amount"] == "10000"
        plan = say(
            local, "Diop a réglé 5 000 par chèque... non pardon en liquide, et c'était 7 500"
        )
        assert (plan.arguments["method"], plan.arguments["amount"]) == ("cash", "7500"), plan
        assert not plan.text, plan  # one payment, no second one queued


class TestWhatIsNoCorrection:
    def test_a_correction_that_changes_nothing_is_not_understood(self, local: LocalTier) -> None:
        plan = say(local, "facture pour Boutique Sow : 5 sacs de riz... ah non pardon, attends")
        assert plan.kind != "tool", plan
        assert "Rien n'a été fait" in (plan.text or ""), plan

    def test_the_reason_for_undoing_is_no_correction(self, local: LocalTier) -> None:
        plan = say(local, "supprime le rappel du mardi, je me suis trompé de jour")
        assert "correction" not in (plan.text or ""), plan
