"""The LLM tier inside the graph, with a scripted chat model (no network): it is tried only
when the local tier does not understand, its WRITEs stop at the same confirmation, personal
data never reaches the model, and its tokens are counted against the tenant's budget."""

from __future__ import annotations

from sqlalchemy import text

from agents.llm.budget import TokenBudget
from agents.llm.providers import ModelReply, ScriptedChat, ToolCall
from agents.llm_tier import LLMTier
from agents.service import Agent
from comptoir.bootstrap import Container
from tests.agents.conftest import Talk
from tests.factories import make_tenant


def agent_with(
    container: Container, model: ScriptedChat, cap: int = 200_000, mode: str = "auto"
) -> Agent:
    base = container.agent
    return Agent(
        db=base.db,
        clock=base.clock,
        registry=base.registry,
        local=base.local,
        confirmations=base.confirmations,
        llm=LLMTier(model, base.registry, TokenBudget(cap)),
        mode=mode,
    )


def tokens_used(container: Container, talk: Talk) -> int:
    with container.db.unit_of_work(talk.principal.tenant_id) as session:
        return int(
            session.execute(
                text("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM llm_token_usage")
            ).scalar_one()
        )


class TestLLMTier:
    def test_write_stops_at_confirmation_and_masks_personal_data(
        self, container: Container
    ) -> None:
        shop = make_tenant(container, country="SN", name="Kane Distribution", ninea="3067221")
        model = ScriptedChat(
            [
                ModelReply("", [ToolCall("o1", "sales", {"request": "Créer le client."})], 40, 5),
                ModelReply(
                    "",
                    [
                        ToolCall(
                            "s1",
                            "sales.create_customer",
                            {"name": "Librairie Sankoré", "email": "⟨EMAIL_1⟩"},
                        )
                    ],
                    60,
                    8,
                ),
            ]
        )
        # Held to the LLM tier: what the local tier understands changes as it improves.
        talk = Talk(agent_with(container, model, mode="llm"), shop.principal())
        preview = talk(
            "mon pote, enregistre-moi la Librairie Sankoré, son mail c'est contact@sankore.sn"
        )
        assert "Librairie Sankoré" in preview and "Confirmez-vous ?" in preview
        sent = str(model.calls)
        assert "contact@sankore.sn" not in sent and "⟨EMAIL_1⟩" in sent
        customers = "SELECT count(*) FROM partners WHERE email = 'contact@sankore.sn'"
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert session.execute(text(customers)).scalar_one() == 0
        assert talk("oui").startswith("Client")
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert session.execute(text(customers)).scalar_one() == 1
        assert tokens_used(container, talk) == 113
        assert model.exhausted

    def test_local_tier_first_and_budget_respected(self, container: Container) -> None:
        shop = make_tenant(container)
        model = ScriptedChat([])  # any call would fail the test: AssertionError when empty
        talk = Talk(agent_with(container, model, cap=10), shop.principal())
        assert talk("bonjour").startswith("Bonjour !")  # understood locally, no model call
        refused = talk("bla bla bla")  # not understood; the cap is reached
        assert "quota" in refused.lower() or "jetons" in refused.lower()
        assert model.calls == []
