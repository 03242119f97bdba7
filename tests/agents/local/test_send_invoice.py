"""Sending an invoice in conversation: « envoie la facture F-… à Diallo par whatsapp »,
« envoie-la lui par mail » right after an invoice was shown, « envoie-moi la facture »."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.principal import Principal, Role
from domain.whatsapp.models import InvoiceSend
from tests.agents.conftest import Talk

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str) -> Plan:
    admin = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, Memory(), admin, today=TODAY, currency="XOF")


class TestUnderstanding:
    @pytest.mark.parametrize(
        ("message", "arguments"),
        [
            (
                "envoie la facture F-2026-00012 à Diallo par whatsapp",
                {"invoice": "F-2026-00012", "customer": "Diallo", "channel": "whatsapp"},
            ),
            ("envoie-moi la facture F-2026-00012", {"invoice": "F-2026-00012", "to_me": True}),
            ("envoie la facture de Sow par mail", {"customer": "Sow", "channel": "email"}),
            (
                "envoie la facture F-2026-00012 par SMS",
                {"invoice": "F-2026-00012", "channel": "sms"},
            ),
        ],
    )
    def test_a_sending_is_read_whole(
        self, local: LocalTier, message: str, arguments: dict[str, Any]
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_invoice")
        assert plan.arguments == arguments


FATOU = "fatou@sahel-distribution.sn"  # admin of the demo business in Senegal


def sends(demo: Container, talk: Talk) -> list[InvoiceSend]:
    tenant = talk.principal.tenant_id
    with demo.db.unit_of_work(tenant) as session:
        return list(session.scalars(select(InvoiceSend).where(InvoiceSend.tenant_id == tenant)))


def posted_for(talk: Talk, customer: str) -> str:
    """A posted invoice made in the conversation; returns its number."""
    talk(f"crée une facture pour {customer}, 2 sacs de Riz brisé 25 kg")
    assert talk.token
    talk("oui")
    talk("valide-la")
    assert talk.token
    done = talk("oui")
    number = re.search(r"F-\d{4}-\d{5}", done)
    assert number is not None, done
    return number.group(0)


class TestInConversation:
    def test_the_invoice_just_made_is_sent_to_its_customer_by_mail(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        number = posted_for(talk, "Supérette Ndiaye")
        before = len(sends(demo, talk))
        shown = talk("envoie-la lui par mail")
        assert talk.token, shown
        assert shown.startswith(f"Envoyer la facture {number} (")
        assert "à Supérette Ndiaye par e-mail à contact" in shown
        assert len(sends(demo, talk)) == before  # the preview sent nothing
        done = talk("oui")
        assert done.startswith("C'est parti") and number in done
        (sent,) = [s for s in sends(demo, talk)][before:]
        assert (sent.channel, sent.status, sent.to_member) == ("email", "queued", None)

    def test_a_draft_just_made_is_refused_in_french(self, demo: Container, talk_as: Any) -> None:
        talk: Talk = talk_as(FATOU)
        talk("crée une facture pour Supérette Ndiaye, 1 sac de Riz brisé 25 kg")
        talk("oui")
        before = len(sends(demo, talk))
        answer = talk("envoie-la lui par mail")
        assert "brouillon" in answer and not talk.token
        assert len(sends(demo, talk)) == before

    def test_send_me_the_invoice_goes_to_the_member_themself(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        number = posted_for(talk, "Supérette Ndiaye")
        shown = talk(f"envoie-moi la facture {number}")
        assert talk.token, shown
        assert shown.startswith(f"Vous envoyer la facture {number}")
        assert f"par e-mail à {FATOU}" in shown

    def test_another_customers_invoice_is_not_sent(self, demo: Container, talk_as: Any) -> None:
        talk: Talk = talk_as(FATOU)
        number = posted_for(talk, "Supérette Ndiaye")
        talk.conversation = None
        before = len(sends(demo, talk))
        answer = talk(f"envoie la facture {number} à Alimentation Fall par mail")
        assert not talk.token
        assert f"La facture {number} est celle de Supérette Ndiaye" in answer
        assert len(sends(demo, talk)) == before

    def test_by_whatsapp_without_the_customers_phone_says_what_is_missing(
        self, demo: Container, talk_as: Any
    ) -> None:
        talk: Talk = talk_as(FATOU)
        number = posted_for(talk, "Supérette Ndiaye")
        talk.conversation = None
        answer = talk(f"envoie la facture {number} à Supérette Ndiaye par whatsapp")
        assert not talk.token
        assert "n'a pas de numéro de téléphone enregistré" in answer
        assert "(son e-mail : contact" in answer

    def test_by_sms_is_refused_and_says_what_exists(self, demo: Container, talk_as: Any) -> None:
        talk: Talk = talk_as(FATOU)
        number = posted_for(talk, "Supérette Ndiaye")
        before = len(sends(demo, talk))
        answer = talk("envoie-la lui par SMS")
        assert not talk.token
        assert "par SMS n'est pas disponible" in answer and "WhatsApp ou par e-mail" in answer
        assert len(sends(demo, talk)) == before and number
