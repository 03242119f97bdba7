"""Automations defined in plain French, through the real agent turn: each request is read
back in French and stored only after « oui »; listing, pausing and deleting by what the
member calls them; a request not fully understood gets a precise question and stores
nothing; a one-off reminder stays a task."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.automations.models import Automation
from domain.kit.principal import Principal, Role
from tests.agents.conftest import Talk
from tests.factories import Account, make_tenant
from tests.purchasing_factories import make_buyer, make_goods


def rules(container: Container, account: Account) -> list[Automation]:
    with container.db.unit_of_work(account.tenant_id) as s:
        return list(s.scalars(select(Automation).where(Automation.kind.like("rule:%"))))


@pytest.fixture
def owner(container: Container) -> tuple[Account, Talk]:
    account = make_tenant(container, country="SN")
    return account, Talk(container.agent, account.principal(Role.ADMIN))


class TestDefiningARule:
    def test_a_weekly_report_is_read_back_then_stored_after_yes(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        reply = talk("chaque lundi à 8h envoie-moi le CA de la semaine sur WhatsApp")
        assert (
            "Tous les lundis à 08:00, je vous enverrai sur WhatsApp le chiffre d'affaires "
            "de la semaine écoulée." in reply
        )
        assert "Confirmez-vous" in reply and rules(container, account) == []
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.rule == "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0"
        assert rule.owner_id == account.user_id and rule.params["channel"] == "whatsapp"

    def test_a_recurring_reminder_keeps_its_words(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        reply = talk("rappelle-moi chaque lundi de vérifier les impayés")
        assert "Tous les lundis à 08:00" in reply and "« vérifier les impayés »" in reply
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.params["action"] == {
            "type": "reminder",
            "report": None,
            "period": None,
            "text": "vérifier les impayés",
            "tool": None,
            "tool_title": None,
            "arguments": {},
        }

    def test_a_stock_threshold_names_the_product_found(self, container: Container) -> None:
        buyer = make_buyer(container)
        make_goods(container, buyer.account, name="Riz brisé", unit="sac")
        talk = Talk(container.agent, buyer.principal)
        reply = talk("préviens-moi sur WhatsApp quand le riz brisé passe sous 20 sacs")
        assert (
            "Dès que le stock de Riz brisé passe sous 20 sacs, je vous préviendrai sur WhatsApp"
            in reply
        )
        talk("oui")
        (rule,) = rules(container, buyer.account)
        assert rule.rule is None and rule.params["trigger"]["below"] == "20"

    def test_what_is_not_understood_is_asked_and_nothing_stored(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        reply = talk("chaque lundi envoie-moi un truc")
        assert "Que dois-je faire" in reply
        reply = talk("tous les 36 du mois envoie-moi le CA")
        assert "36" in reply and "Confirmez" not in reply
        assert rules(container, account) == []


class TestManagingRules:
    def test_list_pause_and_delete_by_what_they_are_called(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("rappelle-moi chaque lundi de vérifier les impayés")
        talk("oui")
        assert "vérifier les impayés" in talk("quelles sont mes automatisations ?")
        assert "pause" in talk("mets en pause le rappel").lower()
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.enabled is False
        assert "Je supprimerai" in talk("supprime le rappel du lundi")
        talk("oui")
        assert rules(container, account) == []


class TestNotAnAutomation:
    def test_a_one_off_reminder_stays_a_task(self, container: Container) -> None:
        local = container.agent.local
        from agents.local.understanding import Memory

        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        plan = local.understand(
            "rappelle-moi d'appeler Diallo jeudi",
            Memory(),
            principal,
            today=date(2026, 3, 16),
            currency="XOF",
        )
        assert plan.tool == "sales.log_activity"
