"""Sending a quote's PDF and reminding a customer now, in conversation: « envoie le devis
D-… à … par mail », « envoie-lui le devis sur WhatsApp », « relance … par mail » — while a
quote the user sent himself is only noted (« j'ai envoyé le devis »), and reminding every
customer at once is said not to exist."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from agents.local import unavailable
from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.automations.models import DunningReminder
from domain.finance.models import Quote
from domain.kit.principal import Principal, Role
from domain.whatsapp.models import InvoiceSend
from tests.agents.conftest import Talk

TODAY = date(2026, 3, 16)
FATOU = "fatou@sahel-distribution.sn"  # admin of the demo business in Senegal


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    admin = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, memory or Memory(), admin, today=TODAY, currency="XOF")


def shown(local: LocalTier, tool: str, arguments: dict[str, Any], **record: Any) -> Memory:
    memory = Memory()
    local.remember(memory, tool, arguments, record=record or None)
    return memory


class TestUnderstandingAQuoteSending:
    @pytest.mark.parametrize(
        ("message", "arguments"),
        [
            (
                "envoie le devis D-2026-00004 à la Mairie de Rufisque par mail",
                {
                    "quote": "D-2026-00004",
                    "customer": "Mairie de Rufisque",
                    "channel": "email",
                    "mode": "send",
                },
            ),
            (
                "peux-tu envoyer le devis D-2026-00002 par courriel ?",
                {"quote": "D-2026-00002", "channel": "email", "mode": "send"},
            ),
            (
                "transmets le devis de Kane Services par e-mail",
                {"customer": "Kane Services", "channel": "email", "mode": "send"},
            ),
            (
                "envoie-moi le devis D-2026-00003",
                {"quote": "D-2026-00003", "to_me": True, "mode": "send"},
            ),
        ],
    )
    def test_a_sending_is_read_whole(
        self, local: LocalTier, message: str, arguments: dict[str, Any]
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_quote")
        assert plan.arguments == arguments

    @pytest.mark.parametrize(
        "message",
        [
            "le devis de Diallo est parti",
            "j'ai transmis le devis à Gaye",
            "je le lui ai envoyé par mail, note-le comme envoyé",
        ],
    )
    def test_a_quote_the_user_sent_himself_is_only_marked(
        self, local: LocalTier, message: str
    ) -> None:
        memory = shown(local, "finance.create_quote", {"customer": "Gaye"}, number="D-2026-00008")
        plan = say(local, message, memory)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_quote")
        assert plan.arguments["mode"] == "mark_sent"

    @pytest.mark.parametrize(
        ("message", "channel"),
        [("envoie-le-lui par mail", "email"), ("envoie-lui le devis sur WhatsApp", "whatsapp")],
    )
    def test_the_quote_just_made_is_the_one_sent(
        self, local: LocalTier, message: str, channel: str
    ) -> None:
        memory = shown(local, "finance.create_quote", {"customer": "Sarr"}, number="D-2026-00007")
        plan = say(local, message, memory)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_quote")
        assert plan.arguments["quote"] == "D-2026-00007"
        assert (plan.arguments["channel"], plan.arguments["mode"]) == (channel, "send")


class TestUnderstandingAReminder:
    @pytest.mark.parametrize(
        ("message", "arguments"),
        [
            (
                "relance Quincaillerie Ba sur WhatsApp pour sa facture en retard",
                {"customer": "Quincaillerie Ba", "channel": "whatsapp"},
            ),
            ("relance Diallo par mail", {"customer": "Diallo", "channel": "email"}),
            ("relance le Café des Arts pour sa facture impayée", {"customer": "Café des Arts"}),
        ],
    )
    def test_one_customer_is_reminded(
        self, local: LocalTier, message: str, arguments: dict[str, Any]
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_reminder")
        assert plan.arguments == arguments

    @pytest.mark.parametrize(
        "message",
        ["relance tous les clients en retard", "envoie un mail de relance à tous mes clients"],
    )
    def test_every_customer_at_once_is_said_not_to_exist(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "reply" and plan.tool is None
        assert plan.text == unavailable.replies()["unavailable.dunning"]

    @pytest.mark.parametrize(
        "message",
        [
            "Fall a refusé le devis, note-le comme refusé",
            "ils ont dit non pour le devis du ciment, passe-le en refusé",
        ],
    )
    def test_a_quote_turned_down_is_said_not_to_be_recorded(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "reply" and plan.tool is None
        assert plan.text == unavailable.replies()["unavailable.quote_refusal"]

    @pytest.mark.parametrize(
        "message",
        ["montre-moi les devis refusés", "accepte le devis de Diallo"],
    )
    def test_refused_quotes_are_still_listed_and_accepted(
        self, local: LocalTier, message: str
    ) -> None:
        assert say(local, message).tool in {"finance.list_quotes", "finance.accept_quote"}

    @pytest.mark.parametrize(
        "message",
        [
            "penser à relancer Ba vendredi pour le paiement",
            "rappelle-moi de relancer Sow jeudi",
        ],
    )
    def test_a_task_to_chase_later_stays_a_task(self, local: LocalTier, message: str) -> None:
        assert say(local, message).tool == "sales.log_activity"


def count(demo: Container, talk: Talk, model: Any) -> int:
    tenant = talk.principal.tenant_id
    with demo.db.unit_of_work(tenant) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def quote_made(talk: Talk, customer: str) -> str:
    talk(f"fais un devis pour {customer}, 3 sacs de Riz brisé 25 kg")
    assert talk.token
    done = talk("oui")
    number = re.search(r"D-\d{4}-\d{5}", done)
    assert number is not None, done
    return number.group(0)


def quote_status(demo: Container, talk: Talk, number: str) -> str:
    with demo.db.unit_of_work(talk.principal.tenant_id) as session:
        return str(
            session.scalar(
                select(Quote.status).where(Quote.number == number, Quote.is_current.is_(True))
            )
        )


class TestInConversation:
    def test_the_quote_just_made_goes_by_mail_and_becomes_sent(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        number = quote_made(talk, "Supérette Ndiaye")
        before = count(demo, talk, InvoiceSend)
        preview = talk("envoie-le-lui par mail")
        assert talk.token, preview
        assert preview.startswith(f"Envoyer le devis {number} (")
        assert "à Supérette Ndiaye par e-mail à contact" in preview
        assert "Il passera à « envoyé »." in preview
        assert count(demo, talk, InvoiceSend) == before  # the preview sent nothing
        done = talk("oui")
        assert done.startswith(f"C'est parti : le devis {number}"), done
        assert count(demo, talk, InvoiceSend) == before + 1
        assert quote_status(demo, talk, number) == "sent"

    def test_a_quote_sent_by_the_user_himself_is_only_marked(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        number = quote_made(talk, "Alimentation Fall")
        before = count(demo, talk, InvoiceSend)
        preview = talk("je le lui ai envoyé ce matin, marque-le comme envoyé")
        assert talk.token, preview
        assert preview.startswith(f"Marquer le devis {number}") and "n'envoie rien" in preview
        talk("oui")
        assert quote_status(demo, talk, number) == "sent"
        assert count(demo, talk, InvoiceSend) == before

    def test_a_customer_is_reminded_now_by_mail(self, demo: Container, talk_as: Any) -> None:
        talk: Talk = talk_as(FATOU)
        talk("crée une facture pour Restaurant Le Lagon, 2 sacs de Riz brisé 25 kg")
        talk("oui")
        talk("valide-la")
        talk("oui")
        before = count(demo, talk, DunningReminder)
        preview = talk("relance Restaurant Le Lagon par mail")
        assert talk.token, preview
        assert preview.startswith("Relancer maintenant Restaurant Le Lagon par e-mail à contact")
        assert count(demo, talk, DunningReminder) == before
        done = talk("oui")
        assert done.startswith("Relance envoyée à Restaurant Le Lagon"), done
        assert count(demo, talk, DunningReminder) > before

    def test_by_whatsapp_without_a_linked_number_is_refused_in_french(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        talk("crée une facture pour Diallo SARL, 1 sac de Riz brisé 25 kg")
        talk("oui")
        talk("valide-la")
        talk("oui")
        talk.conversation = None
        before = count(demo, talk, DunningReminder)
        answer = talk("relance Diallo SARL sur WhatsApp")
        assert not talk.token
        assert "n'a pas de numéro de téléphone" in answer or "Aucun numéro WhatsApp" in answer
        assert count(demo, talk, DunningReminder) == before
