"""Prices said per unit or set aside, start dates of what is set up, payments of a
numbered invoice, supplier bill numbers and deals named by their subject (own sentences)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

from agents.local.adapters.finance import ADAPTERS as FINANCE
from agents.local.adapters.purchasing import ADAPTERS as PURCHASING
from agents.local.adapters.sales import ADAPTERS as SALES
from agents.local.coverage import named_kinds
from agents.local.slots import analyse
from agents.local.understanding import LocalTier, Memory
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)
BY_TOOL = {a.tool: a for a in (*FINANCE, *PURCHASING, *SALES)}


def extract(tool: str, text: str, today: date = TODAY) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=today, currency="XOF"))


class TestPricesPerUnit:
    def test_a_price_said_per_unit_prices_the_line_counted_in_it(self) -> None:
        said = extract(
            "finance.create_invoice",
            "facture Sarr : 40 cartons de lait, je te les laisse à 9 000 le carton",
        )
        assert said["lines"] == [
            {"product": "lait", "quantity": Decimal(40), "unit_price": Decimal(9000)}
        ]

    def test_the_price_set_aside_is_no_line(self) -> None:
        said = extract(
            "finance.create_quote",
            "devis pour Fall : 12 bidons d'huile, on fait 20 000 le bidon au lieu de 21 500",
        )
        assert said["lines"] == [
            {"product": "huile", "quantity": Decimal(12), "unit_price": Decimal(20000)}
        ]

    def test_a_clause_before_an_amount_is_no_line(self) -> None:
        said = extract("finance.create_invoice", "facture Sarr 3 sacs de riz, il me doit 5 000")
        assert all("description" not in line for line in said["lines"])

    def test_a_service_by_the_day_named_before_its_days(self) -> None:
        said = extract(
            "finance.create_invoice", "facture à la Villa Kora : peinture, 2 jours à 45 000"
        )
        assert said["lines"] == [
            {
                "description": "peinture",
                "quantity": Decimal(2),
                "unit": "jour",
                "unit_price": Decimal(45000),
            }
        ]


class TestStartOfWhatIsSetUp:
    def test_a_day_without_its_year_is_its_next_occurrence(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "dès le 2 janvier, facture tous les mois 80 000 de gardiennage à Diop",
            today=date(2026, 12, 20),
        )
        assert said["start_date"] == date(2027, 1, 2)

    def test_a_day_just_past_stays_in_its_year(self) -> None:
        said = extract(
            "finance.create_recurring_invoice",
            "depuis le 1er décembre, facture tous les mois 80 000 de gardiennage à Diop",
            today=date(2026, 12, 20),
        )
        assert said["start_date"] == date(2026, 12, 1)


class TestNumbers:
    def test_a_payment_of_a_numbered_invoice_without_amount_is_its_balance(self) -> None:
        said = extract("finance.record_payment", "Sarr a réglé la facture F-2026-00031 en espèces")
        assert said["amount"] == "balance"

    def test_a_deposit_on_a_numbered_invoice_still_asks_how_much(self) -> None:
        said = extract("finance.record_payment", "Sarr a versé un acompte sur la F-2026-00031")
        assert "amount" not in said

    def test_a_bill_number_with_letters_is_no_kind_of_record(self) -> None:
        folded = "enregistre la facture cp-7741 de sotiba"
        assert [k.name for k, _, _ in named_kinds(folded) if k.name == "leave"] == []
        said = extract("purchasing.record_supplier_bill", "enregistre la facture CP-7741 de Sotiba")
        assert said["supplier_number"] == "CP-7741"

    def test_a_quote_spelt_short(self) -> None:
        said = extract("finance.create_quote", "fé 1 devi pr Diop 4 sacs de riz")
        assert said["lines"] == [{"product": "riz", "quantity": Decimal(4)}]


class TestDealBySubject:
    def test_the_customer_who_left_and_the_deal_about_a_thing(self) -> None:
        said = extract(
            "sales.move_opportunity", "Kane est parti ailleurs, on a perdu l'affaire du carrelage"
        )
        assert (said["customer"], said["title"], said["stage"]) == ("Kane", "carrelage", "Perdu")

    def test_a_customer_after_de_stays_the_customer(self) -> None:
        said = extract("sales.move_opportunity", "on a perdu l'affaire de la Menuiserie Roux")
        assert said["customer"] == "Menuiserie Roux"
        assert "title" not in said


class TestSetNotAdd:
    def test_mets_with_a_bare_count_adds_no_line(self, local: LocalTier) -> None:
        memory = Memory()
        principal = Principal(uuid4(), uuid4(), frozenset((Role.ADMIN,)))
        first = local.understand(
            "facture Garage Sène 6 cartons de lait", memory, principal, today=TODAY, currency="XOF"
        )
        local.remember(memory, "finance.create_invoice", first.arguments, shown=True)
        plan = local.understand(
            "attends, mets 8 cartons", memory, principal, today=TODAY, currency="XOF"
        )
        lines = plan.arguments.get("lines") or []
        assert not (plan.kind == "tool" and len(lines) > 1)


class TestLostReason:
    def test_the_other_clause_says_why_the_deal_was_lost(self) -> None:
        said = extract(
            "sales.move_opportunity",
            "Kane a trouvé moins cher ailleurs, on a perdu l'affaire du carrelage",
        )
        assert said["lost_reason"] == "Kane a trouvé moins cher ailleurs"
