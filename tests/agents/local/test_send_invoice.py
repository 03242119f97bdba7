"""Sending an invoice in conversation: « envoie la facture F-… à Diallo par whatsapp »,
« envoie-la lui par mail » right after an invoice was shown, « envoie-moi la facture »."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)


@pytest.fixture(scope="module")
def local(container: Container) -> LocalTier:
    return container.agent.local


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
        ],
    )
    def test_a_sending_is_read_whole(self, local: LocalTier, message: str, arguments: dict) -> None:
        plan = say(local, message)
        print(plan)
        assert (plan.kind, plan.tool) == ("tool", "finance.send_invoice")
        assert plan.arguments == arguments
