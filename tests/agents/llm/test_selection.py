"""Which tools a sub-agent is shown, and what a simple request weighs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from agents.llm.budget import prompt_tokens
from agents.llm.masking import Masker
from agents.llm.orchestrator import orchestrator_prompt, run_llm_turn, subagent_prompt
from agents.llm.providers import ModelReply, ScriptedChat, ToolCall
from agents.llm.selection import MIN_TOOLS, rank_by_words, select_tools, stems
from agents.outcome import ToolOutcome
from tools.base import Effect, Tool, ToolContext, ToolResult, tool


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(description="Ce sur quoi porte la demande. " + "détail " * 120)


class Out(ToolResult):
    def render(self) -> str:
        return ""


def make(name: str, title: str, examples: str) -> Tool:
    def fn(ctx: ToolContext, args: In) -> Out:
        return Out()

    fn.__doc__ = f"{title}. Exemples : {examples}"
    return tool(name, title=title, effect=Effect.READ)(fn)


TOOLS = [
    make("finance.create_quote", "Créer un devis", "« fais un devis pour Diallo »"),
    make("finance.create_invoice", "Créer une facture", "« crée une facture pour Diallo »"),
    make("finance.record_payment", "Enregistrer un paiement", "« Diallo a payé par Wave »"),
    make("finance.revenue", "Chiffre d'affaires", "« quel est le CA de mars ? »"),
    make("finance.aged_receivables", "Créances échues", "« qui me doit de l'argent ? »"),
    make("finance.list_invoices", "Lister les factures", "« mes factures impayées »"),
]
SCHEMAS = [t.json_schema() for t in TOOLS]


def names(schemas: list[dict[str, Any]]) -> list[str]:
    return [s["name"] for s in schemas]


class TestSelection:
    def test_stems_fold_accents_plurals_and_stop_words(self) -> None:
        assert stems("Créée les FACTURES pour Diallo") == {"creee", "factu", "diall"}

    def test_ranking_puts_the_matching_tool_first(self) -> None:
        ranked = rank_by_words("Diallo a payé 50 000 FCFA par Wave", TOOLS)
        assert ranked[0].name == "finance.record_payment"
        assert rank_by_words("le chiffre d'affaires de mars", TOOLS)[0].name == "finance.revenue"

    def test_everything_is_shown_when_it_fits(self) -> None:
        assert select_tools("facture", TOOLS, SCHEMAS, budget=100_000) == SCHEMAS

    def test_over_budget_keeps_the_most_relevant_in_area_order(self) -> None:
        one = prompt_tokens("", [SCHEMAS[0]], [])
        shown = select_tools("Diallo a payé par Wave", TOOLS, SCHEMAS, budget=4 * one + 10)
        assert len(shown) == 4
        assert "finance.record_payment" in names(shown)
        assert names(shown) == [n for n in names(SCHEMAS) if n in names(shown)]

    def test_at_least_a_few_tools_even_on_a_tiny_budget(self) -> None:
        shown = select_tools("crée une facture", TOOLS, SCHEMAS, budget=1)
        assert len(shown) == MIN_TOOLS and "finance.create_invoice" in names(shown)

    def test_a_custom_ranker_decides(self) -> None:
        def last_first(request: str, tools: list[Tool]) -> list[Tool]:
            return list(reversed(tools))

        shown = select_tools("x", TOOLS, SCHEMAS, ranker=last_first, budget=1)
        assert names(shown) == names(SCHEMAS)[-MIN_TOOLS:]


SIMPLE_REQUESTS = {
    "finance": "Crée une facture pour Diallo, 3 sacs de riz à 15 000 FCFA",
    "sales": "Ajoute le client Ndiaye Distribution à Thiès",
    "hr": "Awa sera en congé du 3 au 7 mars",
    "stock": "Combien de sacs de riz reste-t-il en stock ?",
    "reports": "Donne-moi les chiffres du mois",
    "documents": "Que dit le contrat Diallo sur les pénalités de retard ?",
}


@pytest.fixture(scope="module")
def registry_by_area() -> dict[str, list[Tool]]:
    from tools.registry import default_registry

    registry = default_registry()
    return {area: registry.for_area(area) for area in registry.areas}


class TestPromptSizes:
    """The issue's goal: ≤ 3,000 tokens per simple request (system + tools + message)."""

    def test_orchestrator_request(self, registry_by_area: dict[str, list[Tool]]) -> None:
        prompt = orchestrator_prompt(registry_by_area)
        message = [{"role": "user", "content": SIMPLE_REQUESTS["finance"]}]
        assert prompt_tokens(prompt.system, prompt.tools, message) <= 1_500

    @pytest.mark.parametrize("area", sorted(SIMPLE_REQUESTS))
    def test_subagent_request(self, registry_by_area: dict[str, list[Tool]], area: str) -> None:
        tools = registry_by_area.get(area)
        assert tools, f"no {area} tools registered"
        request = SIMPLE_REQUESTS[area]
        prompt = subagent_prompt(area, tools, request=request)
        message = [{"role": "user", "content": request}]
        assert prompt_tokens(prompt.system, prompt.tools, message) <= 3_000


class TestInATurn:
    def test_subagent_is_shown_a_subset_but_may_call_any_tool_of_its_area(self) -> None:
        model = ScriptedChat(
            [
                ModelReply("", [ToolCall("o1", "finance", {"request": "Diallo a payé par Wave"})]),
                ModelReply("", [ToolCall("s1", "finance.revenue", {"target": "mars"})]),
                ModelReply("CA de mars : 1 245 000 FCFA."),
                ModelReply("CA de mars : 1 245 000 FCFA."),
            ]
        )
        called: list[str] = []

        def call_tool(name: str, arguments: dict[str, Any]) -> ToolOutcome:
            called.append(name)
            return ToolOutcome("done", name, "1 245 000 FCFA")

        run_llm_turn(
            model,
            user_text="Diallo a payé par Wave",
            history=[],
            tools_by_area={"finance": TOOLS},
            call_tool=call_tool,
            masker=Masker(),
            tool_budget=1,
        )
        shown = names(model.calls[1]["tools"])
        assert len(shown) == MIN_TOOLS and "finance.record_payment" in shown
        assert "finance.revenue" not in shown and called == ["finance.revenue"]
