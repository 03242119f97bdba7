"""Automations defined in plain French, through the real agent turn: each request is read
back in French and stored only after « oui »; listing, pausing and deleting by what the
member calls them; a request not fully understood gets a precise question and stores
nothing; a one-off reminder stays a task."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from agents.local.understanding import Memory, Plan
from comptoir.bootstrap import Container
from domain.automations import rules as stored
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

    def test_workdays_at_a_time_of_day_make_a_rule_not_a_listing_now(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        reply = talk("du lundi au vendredi à 7h30 envoie-moi les factures en retard sur WhatsApp")
        assert "07:30" in reply and "Confirmez-vous" in reply
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.rule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=7;BYMINUTE=30"

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
        fresh = Talk(container.agent, account.principal(Role.ADMIN))
        reply = fresh("préviens moi si le stock de gaz baisse")
        assert "sous quelle quantité" in reply and "Confirmez" not in reply
        assert rules(container, account) == []


class TestAnsweringItsQuestions:
    def test_the_missing_schedule_is_asked_then_filled(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        assert "Quand faut-il le faire" in talk("envoie-moi automatiquement les impayés")
        reply = talk("chaque vendredi à 17h")
        assert "Tous les vendredis à 17:00" in reply and "factures impayées" in reply
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.rule == "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0"

    def test_the_missing_action_is_asked_then_filled(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        assert "Que dois-je faire" in talk("chaque lundi envoie-moi un truc")
        reply = talk("le chiffre d'affaires")
        assert "Tous les lundis à 08:00" in reply and "chiffre d'affaires" in reply


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

    @pytest.mark.parametrize(
        ("rule", "pause"),
        [
            (
                "chaque matin à 7h30 envoie-moi sur WhatsApp les ventes d'hier",
                "finalement mets-le en pause pour l'instant, je vais voyager",
            ),
            (
                "tous les vendredis à 17h envoie-moi le chiffre d'affaires de la semaine",
                "suspends l'envoi du vendredi, je suis absent le mois prochain",
            ),
            (
                "tous les jeudis à 18h envoie-moi les ventes de la semaine",
                "en fait mets-le en pause, je suis en vacances jusqu'en mars",
            ),
            (
                "chaque mardi à 10h rappelle-moi d'appeler le comptable",
                "finalement suspends-le, on reprend après les fêtes",
            ),
        ],
    )
    def test_a_pause_said_with_an_aside_pauses_the_rule_just_set(
        self, container: Container, owner: tuple[Account, Talk], rule: str, pause: str
    ) -> None:
        account, talk = owner
        talk(rule)
        talk("oui")
        shown = talk(pause)
        assert shown.startswith("Je mettrai en pause"), shown
        talk("oui")
        (kept,) = rules(container, account)  # paused, never a second one
        assert kept.enabled is False

    def test_a_rule_just_paused_is_started_again_by_its_pronoun(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque mardi à 9h envoie-moi les ventes de la veille")
        talk("oui")
        talk("finalement suspends-le")
        talk("oui")
        shown = talk("c'est bon tu peux la relancer")
        assert shown.startswith("Je réactiverai"), shown
        talk("oui")
        (kept,) = rules(container, account)
        assert kept.enabled is True

    def test_a_verb_said_aside_does_not_change_the_action_on_the_rule(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque jeudi à 11h rappelle-moi de passer à la banque")
        talk("oui")
        shown = talk("en fait supprime ce rappel, il passe lui-même à la banque")
        assert shown.startswith("Je supprimerai"), shown
        talk("oui")
        assert rules(container, account) == []

    def test_the_rule_just_set_is_deleted_never_set_again(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque mercredi à 19h envoie-moi le chiffre d'affaires de la semaine")
        talk("oui")
        shown = talk("finalement supprime cet envoi du mercredi, il ne me sert à rien")
        assert shown.startswith("Je supprimerai"), shown
        talk("oui")
        assert rules(container, account) == []

    def test_a_rule_named_by_the_pronoun_celle_is_deleted(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque vendredi à 18h envoie-moi les produits en rupture")
        talk("oui")
        shown = talk("finalement supprime celle du stock minimum")
        assert shown.startswith("Je supprimerai"), shown
        talk("oui")
        assert rules(container, account) == []

    def test_a_thing_named_before_its_verb_is_paused_never_created(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque soir à 20h envoie-moi le chiffre d'affaires du jour")
        talk("oui")
        shown = talk("l'envoi du chiffre d'affaires chaque soir à 20h, mets-le en pause")
        assert shown.startswith("Je mettrai en pause"), shown
        talk("oui")
        (kept,) = rules(container, account)
        assert kept.enabled is False

    def test_a_time_said_alone_moves_the_schedule_shown(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque jeudi à 10h rappelle-moi de compter la caisse")
        shown = talk("non, plutôt 18h, après la fermeture")
        assert "18:00" in shown and "10:00" not in shown, shown
        talk("oui")
        (rule,) = rules(container, account)
        assert "18:00" in rules_label(rule)

    def test_a_rule_moved_to_another_day_and_time_keeps_how_often_it_runs(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("chaque vendredi à 17h rappelle-moi de faire la caisse")
        talk("oui")
        shown = talk("décale le rappel de la caisse du vendredi au samedi à 11h")
        assert shown.startswith("Je la reprogrammerai ainsi"), shown
        assert "samedis à 11:00" in shown, shown
        talk("oui")
        (rule,) = rules(container, account)
        assert rule.rule == "FREQ=WEEKLY;BYDAY=SA;BYHOUR=11;BYMINUTE=0"
        assert "caisse" in rules_label(rule)

    def test_a_rule_is_found_by_its_words_whatever_their_gender(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        _, talk = owner
        talk("chaque jeudi à 7h envoie-moi la liste des factures impayées")
        talk("oui")
        shown = talk("supprime l'envoi des impayés")
        assert shown.startswith("Je supprimerai"), shown

    def test_a_daily_rule_is_never_moved_to_one_weekday(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        account, talk = owner
        talk("tous les soirs à 19h envoie-moi le chiffre d'affaires du jour")
        talk("oui")
        talk("déplace l'envoi du chiffre d'affaires au mercredi")
        (rule,) = rules(container, account)
        assert rule.rule is not None and "FREQ=DAILY" in rule.rule

    def test_the_built_in_digest_is_paused_by_every_word_of_its_name(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        _, talk = owner
        shown = talk("mets en pause le résumé envoyé chaque matin")
        assert shown.startswith("Je mettrai en pause"), shown
        assert "Résumé du matin" in talk("oui")

    def test_stopping_the_automatic_dunning_pauses_it(
        self, container: Container, owner: tuple[Account, Talk]
    ) -> None:
        _, talk = owner
        shown = talk("désactive la relance auto des clients")
        assert shown.startswith("Je mettrai en pause"), shown
        assert "Relance des factures impayées" in talk("oui")


def rules_label(rule: Automation) -> str:
    return stored.label_of(stored.spec_of(rule))


def plan_of(container: Container, message: str) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return container.agent.local.understand(
        message, Memory(), principal, today=date(2026, 3, 16), currency="XOF"
    )


class TestUnderstanding:
    @pytest.mark.parametrize(
        ("message", "arguments"),
        [
            (
                "chaque vendredi envoie-moi le point des ventes",
                {"what": "kpis", "when": {"rrule": "FREQ=WEEKLY;BYDAY=FR;BYHOUR=8;BYMINUTE=0"}},
            ),
            (
                "rappelle-moi chaque mercredi d'appeler le transitaire",
                {"what": "reminder", "text": "appeler le transitaire"},
            ),
            (
                "préviens Awa sur WhatsApp quand le ciment passe sous 40 sacs",
                {
                    "what": "stock_alert",
                    "recipient": "Awa",
                    "channel": "whatsapp",
                    "threshold": {"product": "ciment", "below": "40", "unit": "sac"},
                },
            ),
            (
                "rappelle-moi tous les 15 du mois à 10h de payer le loyer",
                {
                    "what": "reminder",
                    "text": "payer le loyer",
                    "when": {"rrule": "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=10;BYMINUTE=0"},
                },
            ),
            (
                "chaque jeudi à 7h envoie-moi les factures en retard par mail",
                {
                    "what": "unpaid",
                    "channel": "email",
                    "when": {"rrule": "FREQ=WEEKLY;BYDAY=TH;BYHOUR=7;BYMINUTE=0"},
                },
            ),
            (
                "quand il reste moins de 8 sacs de farine, écris-moi un e-mail",
                {"what": "stock_alert", "channel": "email"},
            ),
            (
                "relance automatiquement les impayés après 30 jours",
                {"what": "dunning", "after": {"days": 30}},
            ),
        ],
    )
    def test_a_rule_said_in_french_becomes_its_typed_arguments(
        self, container: Container, message: str, arguments: dict[str, Any]
    ) -> None:
        plan = plan_of(container, message)
        assert (plan.kind, plan.tool) == ("tool", "automations.create")
        for key, value in arguments.items():
            said = plan.arguments[key]
            assert (
                {k: said[k] for k in value} == value if isinstance(value, dict) else said == value
            )

    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("quelles sont mes automatisations ?", "automations.list"),
            ("mets en pause la relance", "automations.pause"),
            ("supprime le rappel du lundi", "automations.delete"),
            ("supprime l'envoi du CA du samedi, je le lis dans l'appli", "automations.delete"),
        ],
    )
    def test_managing_rules_is_understood(
        self, container: Container, message: str, tool: str
    ) -> None:
        assert plan_of(container, message).tool == tool

    @pytest.mark.parametrize(
        "message",
        [
            "suspends le rappel du jeudi, je pars en vacances",
            "désactive l'alerte du gaz, je rentre en mai",
            "mets en pause le rappel du livreur, il est en vacances tout le mois d'août",
            "coupe la relance des impayés, on gère ça par téléphone",
        ],
    )
    def test_why_said_after_a_pause_is_no_request_of_its_own(
        self, container: Container, message: str
    ) -> None:
        assert plan_of(container, message).tool == "automations.pause"

    def test_dates_said_after_a_leave_are_its_dates(self, container: Container) -> None:
        plan = plan_of(container, "mets-moi un congé, je pars du 6 au 8 avril")
        assert plan.tool == "hr.request_leave"
        assert plan.arguments.get("start_date") == "2026-04-06"

    def test_a_vague_stock_alert_asks_what_it_needs(self, container: Container) -> None:
        plan = plan_of(container, "préviens moi si le stock de gaz baisse")
        assert plan.tool == "automations.create"
        assert plan.arguments["what"] == "stock_alert" and "threshold" not in plan.arguments


class TestStoppingIsNoNewRule:
    @pytest.mark.parametrize(
        "message",
        ["arrête la relance automatique des clients", "stoppe les relances automatiques"],
    )
    def test_stopping_a_sending_never_creates_one(self, container: Container, message: str) -> None:
        plan = plan_of(container, message)
        assert plan.tool != "automations.create" or plan.kind != "tool"


class TestNotAnAutomation:
    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("rappelle-moi d'appeler Diallo jeudi", "sales.log_activity"),
            ("facture chaque mois 50 000 de loyer à Sow", "finance.create_recurring_invoice"),
        ],
    )
    def test_a_one_off_reminder_or_a_recurring_invoice_keeps_its_tool(
        self, container: Container, message: str, tool: str
    ) -> None:
        assert plan_of(container, message).tool == tool

    def test_how_to_schedule_a_reminder_is_explained_not_refused(
        self, container: Container
    ) -> None:
        plan = plan_of(container, "comment programmer un rappel chaque lundi ?")
        assert plan.kind == "reply" and "pas encore disponible" not in (plan.text or "")
