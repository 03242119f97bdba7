"""Confirmation of WRITE tools: the dry run writes nothing, the token is bound to tenant,
user, tool and arguments, single-use and short-lived; the executor audits every call."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from agents.executor import TurnTools
from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.events.models import DomainEvent
from domain.kit.clock import ManualClock
from domain.kit.db import _AFTER_COMMIT
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.models import Partner
from domain.sales.schemas import PartnerCreate
from tests.factories import Account, make_member, make_tenant
from tests.finance_factories import clock_at
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.confirmation import ConfirmationRefused, Confirmations, dry_run, reply_kind
from tools.registry import Registry


class NewCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class CustomerMade(ToolResult):
    code: str
    name: str

    def render(self) -> str:
        return f"Client {self.name} créé ({self.code})."

    def preview(self) -> str:
        return f"Créer le client {self.name} (code {self.code})."


@tool("test.create_customer", title="Créer un client", effect=Effect.WRITE, roles=(Role.SALES,))
def create_customer(ctx: ToolContext, args: NewCustomer) -> CustomerMade:
    """Crée un client. Exemple : « ajoute le client Diallo »."""
    partner = sales.create_partner(ctx.session, ctx.principal, PartnerCreate(name=args.name))
    return CustomerMade(code=partner.code, name=partner.name)


@tool("test.check_in", title="Pointer", effect=Effect.WRITE, low_risk=True)
def check_in(ctx: ToolContext, args: NewCustomer) -> CustomerMade:
    """Pointe. Exemple : « je suis arrivé »."""
    return create_customer.fn(ctx, args)  # type: ignore[return-value]


class Nothing(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Noted(ToolResult):
    at: datetime

    def render(self) -> str:
        return f"Noté à {self.at:%H:%M}."

    def preview(self) -> str:
        return f"Noter à {self.at:%H:%M}."


@tool("test.note_arrival", title="Noter l'arrivée", effect=Effect.WRITE, at_request=True)
def note_arrival(ctx: ToolContext, args: Nothing) -> Noted:
    """Note l'arrivée. Exemple : « je suis là »."""
    return Noted(at=ctx.clock.now())


@tool("test.note_confirmation", title="Noter la confirmation", effect=Effect.WRITE)
def note_confirmation(ctx: ToolContext, args: Nothing) -> Noted:
    """Note l'instant. Exemple : « note l'heure »."""
    return Noted(at=ctx.clock.now())


REGISTRY = Registry([create_customer, check_in, note_arrival, note_confirmation])
TODAY = date(2026, 3, 4)


@pytest.fixture(scope="module")
def shop(container: Container) -> Account:
    return make_tenant(container)


def partners(container: Container, account: Account) -> int:
    with container.db.unit_of_work(account.tenant_id) as session:
        return int(session.scalar(select(func.count()).select_from(Partner)) or 0)


def tools_for(session, account: Account, clock: ManualClock, **kw) -> TurnTools:  # type: ignore[no-untyped-def]
    ctx = ToolContext(session=session, principal=account.principal(), clock=clock)
    confirmations = Confirmations("secret-for-tests", timedelta(minutes=10))
    return TurnTools(ctx, REGISTRY, confirmations, **kw)


def preview(container: Container, account: Account, clock: ManualClock, name: str) -> str:
    with container.db.unit_of_work(account.tenant_id) as session:
        outcome = tools_for(session, account, clock).call(
            "test.create_customer", {"name": name}, tier="local"
        )
    assert outcome.status == "needs_confirmation" and outcome.token
    return outcome.token


class TestReplyKind:
    @pytest.mark.parametrize(
        "message", ["oui", "Oui !", "ok", "vas-y", "Confirme", "c'est bon", "oui stp", "OK."]
    )
    def test_yes(self, message: str) -> None:
        assert reply_kind(message) == "yes"

    @pytest.mark.parametrize("message", ["non", "Annule", "laisse tomber", "non merci"])
    def test_no(self, message: str) -> None:
        assert reply_kind(message) == "no"

    @pytest.mark.parametrize(
        "message", ["non, 4 sacs", "oui mais pour Ndiaye", "quel est le stock ?", ""]
    )
    def test_anything_else_goes_on(self, message: str) -> None:
        assert reply_kind(message) == "other"

    @pytest.mark.parametrize(
        "message", ["wi", "wii c bon", "waw", "ok c bon chef", "vazy", "ouii c'est bon", "dakor"]
    )
    def test_sms_and_senegalese_yes(self, message: str) -> None:
        assert reply_kind(message) == "yes"

    @pytest.mark.parametrize(
        "message",
        ["c'est ok", "oui envoie", "ok, envoie-la", "oui c'est tout", "top", "ok pour moi"]
        + ["voilà, c'est ça oui"],
    )
    def test_a_yes_said_with_what_it_sends_or_that_it_is_all(self, message: str) -> None:
        assert reply_kind(message) == "yes"

    @pytest.mark.parametrize("message", ["envoie", "c'est tout", "envoie la facture"])
    def test_a_bare_send_or_that_is_all_is_not_a_yes(self, message: str) -> None:
        assert reply_kind(message) == "other"

    @pytest.mark.parametrize("message", ["nn", "non laisse", "c pas bon", "laisse beton"])
    def test_sms_no(self, message: str) -> None:
        assert reply_kind(message) == "no"

    @pytest.mark.parametrize(
        "message",
        ["wi mais 6 cartons", "c bon pour Fall ?", "bon", "wi, pour Sarr plutôt", "voilà"],
    )
    def test_a_yes_word_in_a_longer_message_is_not_a_yes(self, message: str) -> None:
        assert reply_kind(message) == "other"


class TestDryRun:
    def test_preview_writes_nothing_and_queues_nothing(
        self, container: Container, shop: Account
    ) -> None:
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            queued = len(session.info.get(_AFTER_COMMIT, []))
            ctx = ToolContext(session, shop.principal(), clock_at(TODAY))
            result = dry_run(ctx, create_customer, NewCustomer(name="Sarr Négoce"))
            assert result.preview().startswith("Créer le client Sarr Négoce (code C")
            assert len(session.info.get(_AFTER_COMMIT, [])) == queued
            events = session.scalar(
                select(func.count())
                .select_from(DomainEvent)
                .where(DomainEvent.name == "partner.created")
            )
        assert partners(container, shop) == before
        assert events == 0


class TestTokens:
    def test_yes_runs_exactly_what_was_shown_once(
        self, container: Container, shop: Account
    ) -> None:
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Ba Frères")
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock).run_confirmed(token, tier="local")
        assert outcome.status == "done" and outcome.text.startswith("Client Ba Frères créé")
        assert partners(container, shop) == before + 1
        with container.db.unit_of_work(shop.tenant_id) as session:
            replay = tools_for(session, shop, clock).run_confirmed(token, tier="local")
        assert replay.status == "refused" and "déjà" in replay.text
        assert partners(container, shop) == before + 1

    @pytest.mark.parametrize(
        "alter",
        [
            lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
            lambda t: "x" + t,
            lambda t: "nimportequoi",
        ],
    )
    def test_altered_token_is_refused(self, container: Container, shop: Account, alter) -> None:  # type: ignore[no-untyped-def]
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Touré Import")
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock).run_confirmed(alter(token), tier="local")
        assert outcome.status == "refused"
        assert outcome.text == ConfirmationRefused.default_message
        assert partners(container, shop) == before

    def test_altered_arguments_are_refused(self, container: Container, shop: Account) -> None:
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Kane Services")
        with container.db.unit_of_work(shop.tenant_id) as session:
            from domain.conversations.models import PendingConfirmation

            row = session.get(
                PendingConfirmation, (shop.tenant_id, __import__("uuid").UUID(token.split(".")[0]))
            )
            assert row is not None
            row.arguments = {"name": "Kane Services et Cie"}
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock).run_confirmed(token, tier="local")
        assert outcome.status == "refused"

    def test_expired_after_ten_minutes(self, container: Container, shop: Account) -> None:
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Faye Distribution")
        clock.advance(timedelta(minutes=10, seconds=1))
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock).run_confirmed(token, tier="local")
        assert outcome.status == "refused" and "expiré" in outcome.text
        assert partners(container, shop) == before

    def test_another_user_or_tenant_cannot_use_it(
        self, container: Container, shop: Account
    ) -> None:
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Gueye Commerce")
        colleague = make_member(container, shop, Role.SALES)
        other = make_tenant(container)
        before = partners(container, shop)
        for account in (colleague, other):
            with container.db.unit_of_work(account.tenant_id) as session:
                ctx = ToolContext(session, account.principal(Role.SALES), clock)
                confirmations = Confirmations("secret-for-tests")
                outcome = TurnTools(ctx, REGISTRY, confirmations).run_confirmed(token, tier="local")
            assert outcome.status == "refused"
        assert partners(container, shop) == before

    def test_cancel_then_yes_does_nothing(self, container: Container, shop: Account) -> None:
        clock = clock_at(TODAY)
        token = preview(container, shop, clock, "Mbaye Transports")
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            cancelled = tools_for(session, shop, clock).cancel(token, tier="local")
            assert "Rien n'a été fait" in cancelled.text
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock).run_confirmed(token, tier="local")
        assert outcome.status == "refused" and partners(container, shop) == before


class TestExecutor:
    def test_role_without_the_right_is_refused_and_audited(
        self, container: Container, shop: Account
    ) -> None:
        employee = make_member(container, shop, Role.EMPLOYEE)
        with container.db.unit_of_work(shop.tenant_id) as session:
            ctx = ToolContext(session, employee.principal(Role.EMPLOYEE), clock_at(TODAY))
            turn = TurnTools(ctx, REGISTRY, Confirmations("k"))
            outcome = turn.call("test.create_customer", {"name": "X"}, tier="local")
        assert outcome.status == "refused" and "droits" in outcome.text
        with container.db.unit_of_work(shop.tenant_id) as session:
            entry = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "agent.tool_call", AuditEntry.actor_id == employee.user_id
                )
            ).one()
        assert entry.outcome == "refused"
        assert entry.summary["after"]["tool"] == "test.create_customer"
        assert entry.summary["after"]["tier"] == "local"

    def test_bad_arguments_give_a_french_message(self, container: Container, shop: Account) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            outcome = tools_for(session, shop, clock_at(TODAY)).call(
                "test.create_customer", {"nom": "X"}, tier="llm"
            )
        assert outcome.status == "error" and outcome.text.startswith("Je ne peux pas le faire")

    def test_exempt_low_risk_write_runs_at_once(self, container: Container, shop: Account) -> None:
        before = partners(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            turn = tools_for(session, shop, clock_at(TODAY), exempt=frozenset({"test.check_in"}))
            outcome = turn.call("test.check_in", {"name": "Pointage SARL"}, tier="local")
        assert outcome.status == "done"
        assert partners(container, shop) == before + 1


class TestMomentOfTheRequest:
    @pytest.mark.parametrize(
        ("name", "recorded_at_request"),
        [("test.note_arrival", True), ("test.note_confirmation", False)],
    )
    def test_a_tool_dated_by_its_request_writes_what_the_preview_showed(
        self, container: Container, shop: Account, name: str, recorded_at_request: bool
    ) -> None:
        """« je suis arrivé » at 07:56, « oui » at 07:59: the arrival is 07:56, as previewed."""
        clock = clock_at(TODAY)
        asked = clock.now()
        with container.db.unit_of_work(shop.tenant_id) as session:
            proposed = tools_for(session, shop, clock).call(name, {}, tier="local")
        assert proposed.status == "needs_confirmation" and proposed.token
        clock.advance(timedelta(minutes=3))
        with container.db.unit_of_work(shop.tenant_id) as session:
            done = tools_for(session, shop, clock).run_confirmed(proposed.token, tier="local")
        assert done.status == "done" and done.result is not None
        expected = asked if recorded_at_request else clock.now()
        assert datetime.fromisoformat(done.result["at"]) == expected
