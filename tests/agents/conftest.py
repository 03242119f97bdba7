"""Conversations end to end through the graph, on the demo businesses (as `make run`
then `comptoir chat` would have them) and on fresh tenants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from agents.local.understanding import LocalTier
from agents.service import Agent
from comptoir.bootstrap import Container
from comptoir.chat import member_principal
from domain.kit.principal import Principal


@dataclass
class Talk:
    """One person's conversation: ``talk("…")`` returns Comptoir's reply."""

    agent: Agent
    principal: Principal
    conversation: UUID | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, message: str, *, button: str | None = None) -> str:
        reply, self.events = self.agent.reply(
            self.principal, message, conversation_id=self.conversation, confirm_token=button
        )
        self.conversation = UUID(self.events[0]["id"])
        return reply

    @property
    def token(self) -> str | None:
        return next((e["token"] for e in self.events if e["type"] == "confirmation"), None)


@pytest.fixture(scope="session")
def demo(container: Container) -> Container:
    from comptoir.demo import seed_demo

    seed_demo(container)
    return container


@pytest.fixture
def talk_as(demo: Container):  # type: ignore[no-untyped-def]
    def start(email: str) -> Talk:
        slug = "sahel-distribution" if email.endswith(".sn") else "boutique-lumiere"
        return Talk(demo.agent, member_principal(demo, slug, email))

    return start


@pytest.fixture(scope="module")
def local(container: Container) -> LocalTier:
    """The local understanding tier of the test container."""
    return container.agent.local
