"""Two capabilities of the local tier, through the whole agent:

- a question about a rule (labour law, the business's policies and contracts) reads the
  business's documents and answers with the source; without documents it says that no
  document answers, and writes nothing;
- a request for something Comptoir cannot do yet (sending by WhatsApp or e-mail, chasing
  a customer for payment) is answered as such in French, offering what
  exists, and writes nothing.

Next to them, real requests still get their preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from comptoir.bootstrap import Container
from evals.state import business_snapshot
from rag import service as documents
from tests.agents.conftest import Talk
from tests.factories import Account, make_tenant

TalkAs = Callable[[str], Talk]
FATOU = "fatou@sahel-distribution.sn"  # admin of the demo business in Senegal

RULES = """# Règlement intérieur et accord d'entreprise — Atelier Lumière

## Congés payés

L'ordre des départs en congés payés est fixé par la gérante après avis des salariés,
au plus tard le 1er mars de chaque année. Les dates ne peuvent plus être modifiées moins
d'un mois avant le départ, sauf circonstances exceptionnelles.

## Période d'essai

La période d'essai est de deux mois pour les employés et de quatre mois pour les cadres.
Elle peut être renouvelée une seule fois, par écrit, avec l'accord exprès du salarié
donné avant la fin de la période initiale.

## Rupture conventionnelle

Le salarié comme l'employeur peuvent refuser de signer une rupture conventionnelle. En cas
de refus, le contrat de travail se poursuit normalement et aucune sanction ne peut être
prise pour ce motif.
"""


def calls(talk: Talk) -> list[dict[str, Any]]:
    done = next(e for e in talk.events if e["type"] == "done")
    return list(done["calls"])


def snapshot(container: Container, account_or_talk: Account | Talk) -> dict[str, str]:
    tenant = (
        account_or_talk.principal.tenant_id
        if isinstance(account_or_talk, Talk)
        else account_or_talk.tenant_id
    )
    with container.db.unit_of_work(tenant) as session:
        return business_snapshot(session, tenant)


def business_with(container: Container, name: str, document: str, filename: str) -> Account:
    account = make_tenant(container, name=name)
    with container.db.unit_of_work(account.tenant_id) as session:
        documents.upload(session, account.principal(), document.encode(), filename=filename)
    return account


@pytest.fixture(scope="module")
def with_rules(container: Container) -> Account:
    return business_with(container, "Atelier Lumière", RULES, "reglement.md")


@pytest.fixture(scope="module")
def without_documents(container: Container) -> Account:
    return make_tenant(container, name="Épicerie Sans Papiers")


RULE_QUESTIONS = [
    ("qui fixe les dates des congés payés ?", "ordre des départs"),
    ("renouvellement période d'essai accord salarié", "renouvelée une seule fois"),
    ("conséquences refus rupture conventionnelle", "se poursuit normalement"),
]


class TestRuleQuestionsReadTheDocuments:
    @pytest.mark.parametrize(("question", "quoted"), RULE_QUESTIONS)
    def test_answered_from_the_documents_with_the_source(
        self, container: Container, with_rules: Account, question: str, quoted: str
    ) -> None:
        talk = Talk(container.agent, with_rules.principal())
        before = snapshot(container, with_rules)
        answer = talk(question)
        assert [c["tool"] for c in calls(talk)] == ["documents.search"]
        assert quoted in answer and "Source :" in answer
        assert not talk.token
        assert snapshot(container, with_rules) == before

    @pytest.mark.parametrize(("question", "quoted"), RULE_QUESTIONS)
    def test_without_documents_nothing_answers_and_nothing_is_written(
        self, container: Container, without_documents: Account, question: str, quoted: str
    ) -> None:
        talk = Talk(container.agent, without_documents.principal())
        before = snapshot(container, without_documents)
        answer = talk(question)
        assert answer.startswith("Aucun document ne répond à cette question")
        assert quoted not in answer and not talk.token
        assert all(c["tool"] == "documents.search" for c in calls(talk))
        assert snapshot(container, without_documents) == before

    def test_a_request_next_to_them_still_gets_its_preview(
        self, container: Container, with_rules: Account
    ) -> None:
        talk = Talk(container.agent, with_rules.principal())
        talk("qui fixe les dates des congés payés ?")
        shown = talk("crée le client Quincaillerie Moderne")
        assert talk.token and "Quincaillerie Moderne" in shown


EQUIPMENT = """# Fiche équipement — groupe électrogène

Groupe électrogène SDMO J88, numéro de série GE-4471-SN, installé dans la réserve.
Entretien tous les six mois, en mars et en septembre, par Sénélec Services.

## Hygiène

La désinfection de la chambre froide se fait chaque vendredi soir, après la fermeture.
"""


@pytest.fixture(scope="module")
def with_equipment(container: Container) -> Account:
    return business_with(container, "Dépôt Keur Gorgui", EQUIPMENT, "equipement.md")


class TestQuestionsTheRecordsDoNotHold:
    """A question read as a search of the records that finds nothing there is answered
    from the documents when they hold what was searched."""

    def test_a_word_no_record_holds_is_found_in_the_documents(
        self, container: Container, with_equipment: Account
    ) -> None:
        talk = Talk(container.agent, with_equipment.principal())
        before = snapshot(container, with_equipment)
        answer = talk("le groupe électrogène, c'est quoi son numéro de série ?")
        assert "GE-4471-SN" in answer and "Source :" in answer, answer
        assert calls(talk)[-1]["tool"] == "documents.search"
        assert not talk.token
        assert snapshot(container, with_equipment) == before

    def test_a_search_that_asks_what_to_look_for_reads_the_documents(
        self, container: Container, with_equipment: Account
    ) -> None:
        talk = Talk(container.agent, with_equipment.principal())
        answer = talk("la desinfection cé ki jour deja ?")
        assert "vendredi soir" in answer and "Source :" in answer, (answer, calls(talk))

    def test_a_name_neither_records_nor_documents_know_is_not_found(
        self, container: Container, with_equipment: Account
    ) -> None:
        talk = Talk(container.agent, with_equipment.principal())
        answer = talk("t'as un client qui s'appelle bamba ?")
        assert answer.startswith("Aucun client ne correspond à « bamba »"), answer

    def test_without_documents_the_search_answers_as_before(
        self, container: Container, without_documents: Account
    ) -> None:
        talk = Talk(container.agent, without_documents.principal())
        answer = talk("le groupe électrogène, c'est quoi son numéro de série ?")
        assert "GE-4471" not in answer and "Aucun" in answer, answer
        assert [c["tool"] for c in calls(talk)] != ["documents.search"]


class TestUnavailableCapabilities:
    def test_reminding_a_customer_is_previewed_before_anything_leaves(
        self, demo: Container, talk_as: TalkAs
    ) -> None:
        talk = talk_as(FATOU)
        before = snapshot(demo, talk)
        answer = talk("relance Supérette Ndiaye pour sa facture impayée")
        assert answer.startswith("Relancer maintenant Supérette Ndiaye par e-mail"), answer
        assert talk.token
        assert talk("non").startswith("D'accord, j'annule")
        assert snapshot(demo, talk) == before

    def test_sending_a_draft_invoice_is_refused_until_it_is_posted(
        self, demo: Container, talk_as: TalkAs
    ) -> None:
        talk = talk_as(FATOU)
        shown = talk("crée une facture pour Supérette Ndiaye, 2 sacs de Riz brisé 25 kg")
        assert talk.token and "2 × Riz brisé 25 kg" in shown
        assert talk("oui").startswith("Facture brouillon créée pour Supérette Ndiaye")
        before = snapshot(demo, talk)
        answer = talk("envoie-la lui par whatsapp")
        assert "brouillon" in answer and "Validez-la" in answer
        assert not talk.token
        assert snapshot(demo, talk) == before

    def test_sending_a_quote_by_mail_is_previewed_before_it_leaves(
        self, demo: Container, talk_as: TalkAs
    ) -> None:
        talk = talk_as(FATOU)
        before = snapshot(demo, talk)
        answer = talk("envoie le devis de Supérette Ndiaye par mail")
        assert answer.startswith("Envoyer le devis D-2026-"), answer
        assert "Supérette Ndiaye par e-mail" in answer and talk.token
        assert talk("non").startswith("D'accord, j'annule")
        assert snapshot(demo, talk) == before

    def test_a_task_to_chase_someone_oneself_still_exists(
        self, demo: Container, talk_as: TalkAs
    ) -> None:
        talk = talk_as(FATOU)
        talk("penser à relancer Supérette Ndiaye vendredi pour le paiement")
        assert [c["tool"] for c in calls(talk)] == ["sales.log_activity"]
