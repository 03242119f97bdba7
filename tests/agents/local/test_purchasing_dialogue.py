"""Purchasing said in plain French, through the real agent turn on the demo businesses:
a supplier's bill recorded, what is owed to suppliers, a supplier paid, the VAT due, the
e-invoice just received — each done as asked, or met with a precise question and nothing
written. The sentences are our own."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text

from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.principal import Principal, Role
from tests.agents.conftest import Talk
from tests.agents.test_conversations import CLAIRE, FATOU

BILLS = "SELECT count(*) FROM supplier_bills"
RECORD = "purchasing.record_supplier_bill"
PAYABLES = "purchasing.payables"
PAYMENTS = "SELECT count(*) FROM supplier_payments"


def preview(talk: Talk) -> str | None:
    """The preview waiting for a « oui », spaces in amounts made plain."""
    shown = next((e["text"] for e in talk.events if e["type"] == "confirmation"), None)
    return shown.replace("\u202f", " ").replace("\xa0", " ") if shown else None


def count(demo: Container, talk: Talk, sql: str) -> int:
    with demo.db.unit_of_work(talk.principal.tenant_id) as session:
        return int(session.execute(text(sql)).scalar_one())


class TestRecordingASupplierBill:
    def test_an_amount_incl_vat_with_its_due_date_is_recorded_after_the_number(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        before = count(demo, t, BILLS)
        asked = t(
            "enregistre la facture des Grands Moulins de Dakar, 354 000 FCFA, échéance fin du mois"
        )
        assert "numéro" in asked and preview(t) is None
        t("GMD-88120")
        shown = preview(t) or ""
        assert "GMD-88120" in shown and "354 000" in shown and "300 000" in shown
        t("oui")
        assert count(demo, t, BILLS) == before + 1

    def test_a_bill_numbered_by_the_supplier_is_never_a_customer_invoice(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        t("saisis la facture LD-55012 de Lumina Distribution : 410 € HT, TVA 20 %")
        shown = preview(t) or ""
        assert shown.startswith("Enregistrer et comptabiliser la facture LD-55012")
        assert "492,00" in shown

    def test_a_bill_without_amount_is_a_question_and_nothing_is_written(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, BILLS)
        assert t("enregistre la facture LD-55013 de Lumina Distribution") == (
            "Quel est le montant de la facture ?"
        )
        assert count(demo, t, BILLS) == before


class TestWhatIsOwedToSuppliers:
    def test_all_suppliers_by_due_date(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("qu'est-ce que je dois encore à mes fournisseurs ?")
        assert reply.startswith("Vous devez ") and "fournisseurs" in reply

    def test_one_supplier_named(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("combien je dois à SOCAS Agro-alimentaire ?")
        assert reply.startswith("SOCAS Agro-alimentaire")


class TestPayingASupplier:
    def test_an_amount_by_wave_is_shown_then_recorded(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        before = count(demo, t, PAYMENTS)
        t("paye 15 000 à Sénégal Import Négoce par Wave")
        assert "15 000 FCFA par Wave à Sénégal Import Négoce" in (preview(t) or "")
        t("oui")
        assert count(demo, t, PAYMENTS) == before + 1

    def test_without_the_method_it_asks_how(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        before = count(demo, t, PAYMENTS)
        reply = t("paye 20 000 à Sénégal Import Négoce")
        assert "Wave" in reply and preview(t) is None
        assert count(demo, t, PAYMENTS) == before


class TestVatAndReceivedInvoices:
    def test_vat_due_counts_the_deductible_vat_of_purchases(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("combien de TVA je dois payer le mois dernier ?")
        assert "TVA déductible" in reply and "aucune TVA sur achats" not in reply

    def test_importing_with_no_file_received_asks_for_it(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, BILLS)
        reply = t("importe la facture électronique que je viens de recevoir")
        # no file, or the latest document is no e-invoice: a question or a refusal
        assert "fichier" in reply or "refusée" in reply
        assert count(demo, t, BILLS) == before


def say(local: LocalTier, message: str) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset((Role.ADMIN,)))
    return local.understand(message, Memory(), principal, today=date(2026, 3, 16), currency="EUR")


class TestWhichSideOfTheBooks:
    """General rules, not phrasings: who numbered the invoice, which way the debt runs."""

    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("enregistre la facture QX-7781 de Verrerie Dumas, 318 € TTC", RECORD),
            ("crée la facture de Verrerie Dumas, 2 lampes", "finance.create_invoice"),
            ("Verrerie Dumas nous doit combien ?", "finance.customer_balance"),
            ("on doit combien à Verrerie Dumas ?", PAYABLES),
            ("quelles factures fournisseurs sont encore à payer ?", PAYABLES),
            ("quelles factures clients sont encore à payer ?", "finance.list_invoices"),
        ],
    )
    def test_the_side_is_read_from_the_message(
        self, local: LocalTier, message: str, tool: str
    ) -> None:
        assert say(local, message).tool == tool

    @pytest.mark.parametrize(
        "message",
        [
            "paye ce que je dois à Verrerie Dumas en espèces",
            "règle tout ce que nous leur devons à Verrerie Dumas, par virement",
            "bon, je solde tout chez Verrerie Dumas par chèque",
        ],
    )
    def test_what_the_business_owes_is_paid_in_full(self, local: LocalTier, message: str) -> None:
        plan = say(local, message)
        assert plan.tool == "purchasing.pay_supplier" and plan.arguments["amount"] == "balance"

    def test_half_of_what_the_business_owes_is_paid(self, local: LocalTier) -> None:
        plan = say(local, "on paie la moitié à Verrerie Dumas par chèque, le reste en juin")
        assert plan.tool == "purchasing.pay_supplier", plan
        assert plan.arguments["amount"] == "half" and plan.arguments["method"] == "cheque"
        assert plan.arguments["supplier"] == "Verrerie Dumas"
        plan = say(local, "je paie la moitié par virement")
        assert plan.arguments.get("supplier") is None, plan  # the share is no one's name

    def test_a_bill_said_excl_vat_with_its_number_and_due_date(self, local: LocalTier) -> None:
        plan = say(
            local,
            "saisis la facture QX-7790 de Verrerie Dumas : 500 € HT, TVA 20 %, à payer le 30 avril",
        )
        assert plan.kind == "tool" and plan.arguments == {
            "supplier": "Verrerie Dumas",
            "supplier_number": "QX-7790",
            "amount": "500",
            "amount_is": "excl_tax",
            "vat_rate": "20",
            "due_date": "2026-04-30",
        }

    def test_a_bill_payable_so_many_days_after_its_date(self, local: LocalTier) -> None:
        plan = say(
            local, "saisis la facture QX-7791 de Verrerie Dumas, 240 € TTC, à régler sous 45 jours"
        )
        assert plan.kind == "tool" and plan.arguments["payment_terms_days"] == 45
        assert "due_date" not in plan.arguments


class TestMoneySentToASupplier:
    @pytest.mark.parametrize(
        "message",
        [
            "j'ai envoyé 200 000 par wave à Sotiba pour leur facture",
            "j'ai donné une avance de 100 000 en espèces à Sotiba",
            "on a transféré 50 000 à Sotiba par Orange Money",
        ],
    )
    def test_sent_given_or_transferred_by_us_pays_the_supplier(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert plan.tool == "purchasing.pay_supplier" and plan.arguments["supplier"] == "Sotiba"

    def test_the_cheques_number_is_the_payments_reference_not_the_bill(
        self, local: LocalTier
    ) -> None:
        plan = say(local, "j'ai payé Sotiba par chèque n° 0012345, 200 000")
        assert plan.arguments["reference"] == "0012345" and "bill" not in plan.arguments


def after(local: LocalTier, tool: str, arguments: dict[str, Any], record: dict[str, Any]) -> Memory:
    """The memory once ``tool`` was done with ``arguments`` and made ``record``."""
    memory = Memory()
    local.remember(memory, tool, arguments, record=record)
    return memory


def say_after(local: LocalTier, message: str, memory: Memory) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset((Role.ADMIN,)))
    return local.understand(message, memory, principal, today=date(2026, 3, 16), currency="EUR")


BILL_DONE = (
    RECORD,
    {"supplier": "Verrerie", "supplier_number": "VD-310", "amount": "600", "amount_is": "incl_tax"},
    {"supplier": "Verrerie Dumas", "supplier_number": "VD-310", "number": "FF-2026-00004"},
)


class TestAfterASupplierBill:
    def test_a_question_after_the_bill_reads_and_never_redoes_it(self, local: LocalTier) -> None:
        plan = say_after(
            local, "et du coup on leur doit combien en tout ?", after(local, *BILL_DONE)
        )
        assert plan.tool == PAYABLES and plan.arguments == {"supplier": "Verrerie Dumas"}

    def test_what_is_left_to_pay_them_is_owed_not_a_stock(self, local: LocalTier) -> None:
        plan = say_after(local, "on a encore combien à leur payer ?", after(local, *BILL_DONE))
        assert plan.tool == PAYABLES

    def test_a_cheque_written_by_us_pays_the_bill_just_recorded(self, local: LocalTier) -> None:
        plan = say_after(
            local, "on leur a fait un chèque de 250 € pour cette facture", after(local, *BILL_DONE)
        )
        assert plan.tool == "purchasing.pay_supplier"
        assert plan.arguments == {
            "amount": "250",
            "method": "cheque",
            "supplier": "Verrerie Dumas",
            "bill": "VD-310",
        }

    def test_an_imported_draft_is_posted_by_its_pronoun(self, local: LocalTier) -> None:
        imported = after(
            local,
            "purchasing.import_einvoice",
            {},
            {"supplier": "Verrerie Dumas", "supplier_number": "VD-311", "kind": "bill"},
        )
        plan = say_after(local, "bon, comptabilise-la", imported)
        assert plan.tool == "purchasing.post_supplier_bill"
        assert plan.arguments == {"bill": "VD-311", "supplier": "Verrerie Dumas"}


class TestSupplierNamedOtherwise:
    @pytest.mark.parametrize(
        ("message", "supplier"),
        [
            ("saisis la facture VX-12 des Verreries Dumas, 300 € TTC", "Verreries Dumas"),
            ("Verrerie Dumas nous a facturé 300 € HT, facture VX-13", "Verrerie Dumas"),
        ],
    )
    def test_the_supplier_is_read(self, local: LocalTier, message: str, supplier: str) -> None:
        plan = say(local, message)
        assert plan.tool == RECORD and plan.arguments["supplier"] == supplier

    @pytest.mark.parametrize(
        ("message", "supplier", "number"),
        [
            ("note la facture Verreries Dumas VD-881 de 640 € TTC", "Verreries Dumas", "VD-881"),
            ("saisis la facture Brico Ouest BO-17, 95 € TTC", "Brico Ouest", "BO-17"),
        ],
    )
    def test_the_supplier_named_before_its_number(
        self, local: LocalTier, message: str, supplier: str, number: str
    ) -> None:
        plan = say(local, message)
        assert plan.tool == RECORD, plan
        assert plan.arguments["supplier"] == supplier
        assert plan.arguments["supplier_number"] == number

    def test_asking_again_to_record_it_is_the_same_request(self, local: LocalTier) -> None:
        plan = say(local, "Verrerie Dumas nous a facturé 300 € HT, facture VX-14, note-la")
        assert plan.tool == RECORD and not plan.text
