"""The chat API over real HTTP: turns as JSON and as server-sent events, confirmation by
token (once), cancellation, the web channel on record, and conversations kept per member."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.factories import Account, login, make_member, unique
from tests.sales_factories import make_sales_tenant

CHAT = "/api/v1/chat"


def auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return bearer(login(http, account)["access_token"])


def customer_name() -> str:
    """A customer name the local tier reads as one name (letters only)."""
    letters = str.maketrans("0123456789", "ghijklmnop")
    return "Maison " + unique("x").split("-")[1].translate(letters)


def say(http: httpx.Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = http.post(CHAT, json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()  # type: ignore[no-any-return]


def of_type(answer: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in answer["events"] if e["type"] == kind]


def partners_named(container: Container, account: Account, name: str) -> int:
    with container.db.unit_of_work(account.tenant_id) as s:
        return int(s.scalar(text("SELECT count(*) FROM partners WHERE name = :n"), {"n": name}))


def ask_to_create(http: httpx.Client, h: dict[str, str], name: str) -> dict[str, Any]:
    answer = say(http, h, message=f"crée le client {name}")
    confirmations = of_type(answer, "confirmation")
    assert len(confirmations) == 1, answer
    assert name in confirmations[0]["text"] and confirmations[0]["token"]
    return answer


@pytest.fixture(scope="module", autouse=True)
def agent_ready(container: Container) -> None:
    """Build the agent once before the first request (the first build embeds the intent
    exemplars, which can take a minute on a cold cache and would time a request out)."""
    assert container.agent is not None


@pytest.fixture
def shop(container: Container) -> Account:
    return make_sales_tenant(container)


class TestTurns:
    def test_a_turn_answers_in_french_and_is_kept(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = auth(http, shop)
        answer = say(http, h, message="bonjour")
        kinds = [e["type"] for e in answer["events"]]
        assert kinds[0] == "conversation" and kinds[-1] == "done" and "reply" in kinds
        conversation = answer["conversation_id"]
        assert conversation == answer["events"][0]["id"]
        second = say(http, h, message="cherche le client Diallo", conversation_id=conversation)
        assert second["conversation_id"] == conversation
        listed = http.get("/api/v1/conversations", headers=h).json()
        assert listed[0]["id"] == conversation and listed[0]["channel"] == "web"
        detail = http.get(f"/api/v1/conversations/{conversation}", headers=h).json()
        texts = [(m["role"], m["text"]) for m in detail["messages"]]
        assert texts[0] == ("user", "bonjour") and texts[2] == ("user", "cherche le client Diallo")
        assert [m["role"] for m in detail["messages"]] == ["user", "assistant"] * 2
        with container.db.unit_of_work(shop.tenant_id) as s:
            query = "SELECT DISTINCT channel FROM audit_log WHERE action LIKE 'agent.%'"
            channels = set(s.scalars(text(query)))
        assert channels == {"web"}

    def test_the_client_cannot_choose_the_channel(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = {**auth(http, shop), "X-Comptoir-Channel": "whatsapp"}
        conversation = say(http, h, message="bonjour")["conversation_id"]
        with container.db.unit_of_work(shop.tenant_id) as s:
            found = s.scalar(
                text("SELECT channel FROM conversations WHERE id = :id"), {"id": conversation}
            )
        assert found == "web"

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"message": "a", "confirm": "x.y"},
            {"message": ""},
            {"message": "a", "extra": 1},
            {"message": "bon\u0000jour"},
            {"confirm": "x\u0000.y"},
        ],
    )
    def test_malformed_requests_are_422(
        self, http: httpx.Client, shop: Account, body: dict[str, Any]
    ) -> None:
        r = http.post(CHAT, json=body, headers=auth(http, shop))
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"

    def test_anonymous_is_refused(self, http: httpx.Client) -> None:
        assert http.post(CHAT, json={"message": "bonjour"}).status_code == 401


class TestConfirmation:
    def test_confirm_by_token_writes_once(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = auth(http, shop)
        name = customer_name()
        answer = ask_to_create(http, h, name)
        token = of_type(answer, "confirmation")[0]["token"]
        assert partners_named(container, shop, name) == 0  # the preview wrote nothing
        done = say(http, h, confirm=token)
        assert done["conversation_id"] == answer["conversation_id"]
        assert of_type(done, "done")[0]["calls"][-1]["status"] == "done"
        assert partners_named(container, shop, name) == 1
        again = say(http, h, confirm=token)
        assert of_type(again, "done")[0]["calls"][-1]["status"] == "refused"
        assert "déjà" in of_type(again, "reply")[-1]["text"]
        assert partners_named(container, shop, name) == 1

    def test_a_typed_yes_confirms_in_the_conversation(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = auth(http, shop)
        name = customer_name()
        conversation = ask_to_create(http, h, name)["conversation_id"]
        say(http, h, message="oui", conversation_id=conversation)
        assert partners_named(container, shop, name) == 1

    def test_cancel_by_token_writes_nothing_and_spends_the_token(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = auth(http, shop)
        name = customer_name()
        answer = ask_to_create(http, h, name)
        token = of_type(answer, "confirmation")[0]["token"]
        cancelled = say(http, h, cancel=token)
        assert "annule" in of_type(cancelled, "reply")[0]["text"]
        assert cancelled["conversation_id"] == answer["conversation_id"]
        refused = say(http, h, confirm=token)
        assert of_type(refused, "done")[0]["calls"][-1]["status"] == "refused"
        assert partners_named(container, shop, name) == 0
        with container.db.unit_of_work(shop.tenant_id) as s:
            outcome = s.scalar(
                text("SELECT outcome FROM pending_confirmations WHERE id = :id"),
                {"id": token.split(".")[0]},
            )
        assert outcome == "cancelled"

    def test_a_tampered_token_is_refused(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = auth(http, shop)
        name = customer_name()
        token = of_type(ask_to_create(http, h, name), "confirmation")[0]["token"]
        forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
        answer = say(http, h, confirm=forged)
        assert of_type(answer, "done")[0]["calls"][-1]["status"] == "refused"
        assert partners_named(container, shop, name) == 0


class TestPermissions:
    def test_an_employee_cannot_confirm_a_write_they_are_not_allowed(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        sales_member = make_member(container, shop, Role.SALES)
        employee = make_member(container, shop, Role.EMPLOYEE)
        e = auth(http, employee)
        name = customer_name()
        # Asked directly: refused before any preview or token.
        own = say(http, e, message=f"crée le client {name}")
        assert of_type(own, "confirmation") == []
        # A colleague's token, obtained somehow: refused, nothing written, token intact.
        token = of_type(ask_to_create(http, auth(http, sales_member), name), "confirmation")[0][
            "token"
        ]
        stolen = say(http, e, confirm=token)
        assert of_type(stolen, "done")[0]["calls"][-1]["status"] == "refused"
        assert partners_named(container, shop, name) == 0
        assert say(http, auth(http, sales_member), confirm=token)["events"]
        assert partners_named(container, shop, name) == 1

    def test_someone_elses_conversation_is_404(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        colleague = make_member(container, shop, Role.SALES)
        other_business = make_sales_tenant(container)
        mine = say(http, auth(http, shop), message="bonjour")["conversation_id"]
        for intruder in (colleague, other_business):
            h = auth(http, intruder)
            r = http.get(f"/api/v1/conversations/{mine}", headers=h)
            assert r.status_code == 404 and r.json()["error"]["message"] == (
                "Conversation introuvable."
            )
            listed = http.get("/api/v1/conversations", headers=h).json()
            assert mine not in [c["id"] for c in listed]
            # Writing into it starts a conversation of their own instead.
            theirs = say(http, h, message="bonjour", conversation_id=mine)["conversation_id"]
            assert theirs != mine
        detail = http.get(f"/api/v1/conversations/{mine}", headers=auth(http, shop)).json()
        assert len(detail["messages"]) == 2


def sse_events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """Parse a text/event-stream body as a browser's EventSource would: blocks separated
    by a blank line, ``event:`` and ``data:`` fields."""
    events: list[tuple[str, dict[str, Any]]] = []
    name, data = "message", list[str]()
    for line in response.iter_lines():
        if line == "":
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", list[str]()
        elif line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
    return events


class TestStreaming:
    def test_events_arrive_as_server_sent_events(
        self, http: httpx.Client, container: Container, shop: Account
    ) -> None:
        h = {**auth(http, shop), "Accept": "text/event-stream"}
        name = customer_name()
        with http.stream("POST", CHAT, json={"message": f"crée le client {name}"}, headers=h) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            events = sse_events(r)
        kinds = [k for k, _ in events]
        assert kinds[0] == "conversation" and kinds[-1] == "done"
        assert "progress" in kinds and "confirmation" in kinds
        assert all(k == e["type"] for k, e in events)
        token = dict(events)["confirmation"]["token"]
        with http.stream("POST", CHAT, json={"confirm": token}, headers=h) as r:
            confirmed = sse_events(r)
        assert dict(confirmed)["done"]["calls"][-1]["status"] == "done"
        assert partners_named(container, shop, name) == 1

    def test_errors_before_the_stream_keep_their_status(
        self, http: httpx.Client, shop: Account
    ) -> None:
        h = {"Accept": "text/event-stream", "Authorization": "Bearer nope"}
        assert http.post(CHAT, json={"message": "bonjour"}, headers=h).status_code == 401
