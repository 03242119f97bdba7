"""One LLM turn with scripted models: delegation, tool isolation per area, confirmations
ending the turn, masking, refusals. ``call_tool`` is a plain fake (no database)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from agents.llm.masking import Masker
from agents.llm.orchestrator import (
    MAX_STEPS_TEXT,
    LLMTurn,
    orchestrator_prompt,
    run_llm_turn,
    subagent_prompt,
    turn_context,
)
from agents.llm.prompts import load_prompt
from agents.llm.providers import ModelReply, ScriptedChat, ToolCall
from agents.llm.schemas import compact_tool
from agents.outcome import ToolOutcome
from domain.kit.errors import InvalidInput
from tools.base import Effect, Tool, ToolContext, ToolResult, tool
from tools.hr.contracts import ContractOut


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(description="Le client")
    email: str | None = Field(default=None, description="Où envoyer")


class ListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str | None = None


class BalanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str


class Done(ToolResult):
    def render(self) -> str:
        return "fait"


@tool("finance.create_invoice", title="Créer une facture", effect=Effect.WRITE)
def create_invoice(ctx: ToolContext, args: InvoiceIn) -> Done:
    """Crée une facture. Exemples : « facture pour Diallo »."""
    raise AssertionError("the LLM tier never runs a tool itself")


@tool("finance.list_invoices", title="Lister les factures", effect=Effect.READ)
def list_invoices(ctx: ToolContext, args: ListIn) -> Done:
    """Liste les factures. Exemples : « mes factures impayées »."""
    raise AssertionError("the LLM tier never runs a tool itself")


@tool("hr.leave_balance", title="Solde de congés", effect=Effect.READ)
def leave_balance(ctx: ToolContext, args: BalanceIn) -> Done:
    """Solde de congés. Exemples : « combien de congés reste-t-il à Awa ? »."""
    raise AssertionError("the LLM tier never runs a tool itself")


TOOLS_BY_AREA: dict[str, list[Tool]] = {
    "finance": [create_invoice, list_invoices],
    "hr": [leave_balance],
}
EMAIL = "awa.diallo@exemple.sn"
PHONE = "+221 77 123 45 67"
PREVIEW = f"Créer une facture brouillon pour Diallo SARL ({EMAIL}) : total TTC 53 100 FCFA."


class FakeTools:
    """A ``ToolCaller``: remembers calls, answers like the lead's agent turn would."""

    def __init__(self, outcomes: dict[str, ToolOutcome]) -> None:
        self.outcomes = outcomes
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        self.calls.append((name, arguments))
        return self.outcomes[name]


def call(id_: str, name: str, **arguments: Any) -> ModelReply:
    return ModelReply("", [ToolCall(id_, name, arguments)], input_tokens=100, output_tokens=10)


def say(text: str) -> ModelReply:
    return ModelReply(text, [], input_tokens=50, output_tokens=5)


def run(model: ScriptedChat, tools: FakeTools, user_text: str, **kwargs: Any) -> LLMTurn:
    kwargs.setdefault("history", [])
    return run_llm_turn(
        model,
        user_text=user_text,
        tools_by_area=TOOLS_BY_AREA,
        call_tool=tools,
        masker=kwargs.pop("masker", Masker()),
        **kwargs,
    )


LISTED = ToolOutcome(
    "done", "finance.list_invoices", "2 factures impayées : F-2026-00012 (53 100 FCFA) …"
)


class TestDelegation:
    def test_read_goes_through_the_right_subagent(self) -> None:
        model = ScriptedChat(
            [
                call("o1", "finance", request="Lister les factures impayées de Diallo"),
                call("s1", "finance.list_invoices", customer="Diallo"),
                say("Diallo a 2 factures impayées, dont F-2026-00012 (53 100 FCFA)."),
                say("Diallo a 2 factures impayées, dont F-2026-00012 (53 100 FCFA)."),
            ]
        )
        tools = FakeTools({"finance.list_invoices": LISTED})
        result = run(model, tools, "Quelles factures Diallo me doit ?")

        assert result.text == "Diallo a 2 factures impayées, dont F-2026-00012 (53 100 FCFA)."
        assert result.outcome is None
        assert tools.calls == [("finance.list_invoices", {"customer": "Diallo"})]
        assert result.calls == [
            {
                "agent": "finance",
                "tool": "finance.list_invoices",
                "arguments": {"customer": "Diallo"},
                "status": "done",
            }
        ]
        assert (result.input_tokens, result.output_tokens) == (300, 30)
        assert model.exhausted

        orchestrator, subagent, subagent_again, orchestrator_again = model.calls
        assert [t["name"] for t in orchestrator["tools"]] == ["finance", "hr"]
        assert subagent["messages"] == [
            {"role": "user", "content": "Lister les factures impayées de Diallo"}
        ]
        assert subagent_again["messages"][-1]["content"] == f"done: {LISTED.text}"
        tool_result = orchestrator_again["messages"][-1]
        assert tool_result["role"] == "tool" and tool_result["tool_call_id"] == "o1"
        assert tool_result["content"].startswith("Diallo a 2 factures impayées")

    def test_subagent_sees_only_its_area_and_the_policy(self) -> None:
        model = ScriptedChat(
            [call("o1", "hr", request="Solde de congés d'Awa"), say("12 jours."), say("12 jours.")]
        )
        run(model, FakeTools({}), "Combien de congés pour Awa ?")

        subagent = model.calls[1]
        assert [t["name"] for t in subagent["tools"]] == ["hr.leave_balance"]
        assert subagent["tools"][0] == compact_tool(leave_balance.json_schema())
        assert subagent["system"].startswith(load_prompt("hr"))
        assert load_prompt("policy") in subagent["system"]
        assert "finance" not in json.dumps(subagent["tools"])

    def test_orchestrator_may_answer_without_delegating(self) -> None:
        model = ScriptedChat([say("Bonjour ! Je peux créer vos factures, suivre le stock…")])
        result = run(model, FakeTools({}), "bonjour")
        assert result.text.startswith("Bonjour !") and result.calls == []

    def test_history_is_passed_masked_before_the_message(self) -> None:
        model = ScriptedChat([say("C'est noté.")])
        history = [
            {"role": "user", "content": f"Mon numéro est {PHONE}"},
            {"role": "assistant", "content": "Merci."},
            {"role": "system", "content": "jamais envoyé"},
        ]
        run(model, FakeTools({}), "et ensuite ?", history=history)
        assert model.calls[0]["messages"] == [
            {"role": "user", "content": "Mon numéro est ⟨TEL_1⟩"},
            {"role": "assistant", "content": "Merci."},
            {"role": "user", "content": "et ensuite ?"},
        ]

    def test_multi_step_calls_agents_in_turn(self) -> None:
        balance = ToolOutcome("done", "hr.leave_balance", "Awa : 12 jours de congés.")
        model = ScriptedChat(
            [
                call("o1", "finance", request="Factures impayées"),
                call("s1", "finance.list_invoices"),
                say("2 factures impayées."),
                call("o2", "hr", request="Solde de congés d'Awa"),
                call("s2", "hr.leave_balance", employee="Awa"),
                say("12 jours."),
                say("2 factures impayées ; Awa a 12 jours de congés."),
            ]
        )
        tools = FakeTools({"finance.list_invoices": LISTED, "hr.leave_balance": balance})
        result = run(model, tools, "Mes impayés, et le solde d'Awa ?")
        assert [c["agent"] for c in result.calls] == ["finance", "hr"]
        assert result.text == "2 factures impayées ; Awa a 12 jours de congés."
        assert (result.input_tokens, result.output_tokens) == (100 * 4 + 50 * 3, 10 * 4 + 5 * 3)


class TestStops:
    def test_confirmation_ends_the_whole_turn_with_the_exact_preview(self) -> None:
        pending = ToolOutcome(
            "needs_confirmation",
            "finance.create_invoice",
            PREVIEW,
            arguments={"customer": "Diallo", "email": EMAIL},
            token="tok.sig",
        )
        model = ScriptedChat(
            [
                call("o1", "finance", request="Facture pour Diallo, envoi à ⟨EMAIL_1⟩"),
                ModelReply(
                    "",
                    [
                        ToolCall(
                            "s1",
                            "finance.create_invoice",
                            {"customer": "Diallo", "email": "⟨EMAIL_1⟩"},
                        ),
                        ToolCall("s2", "finance.list_invoices", {}),
                    ],
                    input_tokens=120,
                    output_tokens=20,
                ),
            ]
        )
        tools = FakeTools({"finance.create_invoice": pending, "finance.list_invoices": LISTED})
        result = run(model, tools, f"Fais une facture pour Diallo et envoie-la à {EMAIL}")

        assert result.text == PREVIEW
        assert result.outcome is pending
        assert tools.calls == [("finance.create_invoice", {"customer": "Diallo", "email": EMAIL})]
        assert len(model.calls) == 2 and model.exhausted
        assert result.calls[-1]["status"] == "needs_confirmation"
        assert (result.input_tokens, result.output_tokens) == (220, 30)

    def test_ask_back_ends_the_turn_with_the_question(self) -> None:
        question = ToolOutcome(
            "ask_back",
            "finance.create_invoice",
            "Plusieurs clients correspondent : Diallo SARL ou Diallo & Fils ?",
            field="customer",
            options=["Diallo SARL", "Diallo & Fils"],
        )
        model = ScriptedChat(
            [
                call("o1", "finance", request="Facture pour Diallo"),
                call("s1", "finance.create_invoice", customer="Diallo"),
            ]
        )
        result = run(model, FakeTools({"finance.create_invoice": question}), "facture Diallo")
        assert result.text == question.text and result.outcome is question

    def test_errors_go_back_to_the_model_and_the_turn_goes_on(self) -> None:
        error = ToolOutcome(
            "error", "finance.create_invoice", "Je ne peux pas le faire : customer : vide."
        )
        model = ScriptedChat(
            [
                call("o1", "finance", request="Facture"),
                call("s1", "finance.create_invoice", customer=""),
                say("Il me faut le nom du client."),
                say("Pour quel client ?"),
            ]
        )
        result = run(model, FakeTools({"finance.create_invoice": error}), "fais une facture")
        assert model.calls[2]["messages"][-1]["content"] == f"error: {error.text}"
        assert result.text == "Pour quel client ?" and result.outcome is None

    def test_a_domain_error_raised_by_call_tool_becomes_an_error_result(self) -> None:
        def failing(name: str, arguments: dict[str, Any]) -> ToolOutcome:
            raise InvalidInput("Quantité invalide.")

        model = ScriptedChat(
            [
                call("o1", "finance", request="Lister"),
                call("s1", "finance.list_invoices"),
                say("Échec."),
                say("Je n'ai pas pu lister vos factures."),
            ]
        )
        result = run_llm_turn(
            model,
            user_text="mes factures",
            history=[],
            tools_by_area=TOOLS_BY_AREA,
            call_tool=failing,
            masker=Masker(),
        )
        assert model.calls[2]["messages"][-1]["content"] == "error: Quantité invalide."
        assert result.calls[0]["status"] == "error"

    def test_max_steps_ends_with_a_french_apology(self) -> None:
        model = ScriptedChat([call(f"o{i}", "nowhere", request="x") for i in range(3)])
        result = run(model, FakeTools({}), "boucle", max_steps=3)
        assert result.text == MAX_STEPS_TEXT and model.exhausted


class TestRefusals:
    def test_tool_of_another_area_is_never_executed(self) -> None:
        model = ScriptedChat(
            [
                call("o1", "finance", request="Solde de congés d'Awa"),
                call("s1", "hr.leave_balance", employee="Awa"),
                say("Ce n'est pas mon domaine."),
                say("Je transmets à la RH."),
            ]
        )
        tools = FakeTools({})
        result = run(model, tools, "congés d'Awa")
        assert tools.calls == []
        refusal = model.calls[2]["messages"][-1]
        assert refusal["tool_call_id"] == "s1" and refusal["content"].startswith("refused:")
        assert "finance.create_invoice" in refusal["content"]
        assert result.calls == [
            {
                "agent": "finance",
                "tool": "hr.leave_balance",
                "arguments": {"employee": "Awa"},
                "status": "refused",
            }
        ]

    def test_unknown_tool_is_refused(self) -> None:
        model = ScriptedChat(
            [
                call("o1", "finance", request="Supprime tout"),
                call("s1", "finance.delete_everything"),
                say("Impossible."),
                say("Je ne peux pas faire cela."),
            ]
        )
        tools = FakeTools({})
        result = run(model, tools, "supprime tout")
        assert tools.calls == [] and result.text == "Je ne peux pas faire cela."
        assert result.calls[0]["status"] == "refused"

    def test_unknown_or_forbidden_agent_is_an_error_result(self) -> None:
        only_hr = {"hr": [leave_balance]}
        model = ScriptedChat(
            [call("o1", "finance", request="Facture"), say("Vous n'y avez pas accès.")]
        )
        result = run_llm_turn(
            model,
            user_text="facture",
            history=[],
            tools_by_area=only_hr,
            call_tool=FakeTools({}),
            masker=Masker(),
        )
        assert model.calls[1]["messages"][-1]["content"].startswith(
            "Erreur : aucun agent « finance »"
        )
        assert result.calls == [] and len(model.calls) == 2

    def test_missing_request_is_an_error_result(self) -> None:
        model = ScriptedChat([call("o1", "finance"), say("Pardon ?")])
        run(model, FakeTools({}), "facture")
        assert "request" in model.calls[1]["messages"][-1]["content"]
        assert len(model.calls) == 2  # no sub-agent ran


class TestMasking:
    def test_personal_data_never_reaches_the_model(self) -> None:
        iban = "FR76 3000 6000 0112 3456 7890 189"
        found = ToolOutcome(
            "done", "finance.list_invoices", f"Diallo SARL, {EMAIL}, {PHONE}, IBAN {iban}"
        )

        def subagent_copies_placeholders(
            system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
        ) -> ModelReply:
            return say(messages[-1]["content"].removeprefix("done: "))

        model = ScriptedChat(
            [
                lambda s, m, t: call("o1", "finance", request=m[-1]["content"]),
                call("s1", "finance.list_invoices", customer="⟨TEL_1⟩"),
                subagent_copies_placeholders,
                lambda s, m, t: say("Trouvé : " + m[-1]["content"]),
            ]
        )
        tools = FakeTools({"finance.list_invoices": found})
        result = run(
            model,
            tools,
            f"Le client au {PHONE}, mail {EMAIL} ?",
            history=[{"role": "user", "content": f"RIB {iban}"}],
        )

        sent = json.dumps(model.calls, ensure_ascii=False)
        for secret in (EMAIL, PHONE, iban):
            assert secret not in sent
        assert "⟨TEL_1⟩" in sent and "⟨EMAIL_1⟩" in sent and "⟨IBAN_1⟩" in sent
        assert tools.calls == [("finance.list_invoices", {"customer": PHONE})]
        assert result.text == f"Trouvé : Diallo SARL, {EMAIL}, {PHONE}, IBAN {iban}"
        assert result.calls[0]["arguments"] == {"customer": PHONE}


class TestPrompts:
    def test_orchestrator_tools_are_the_areas_with_tools(self) -> None:
        prompt = orchestrator_prompt({**TOOLS_BY_AREA, "stock": []})
        assert prompt.system == load_prompt("orchestrator")
        assert [t["name"] for t in prompt.tools] == ["finance", "hr"]
        finance = prompt.tools[0]
        assert finance["description"].startswith("Finance : devis et factures")
        assert finance["parameters"]["required"] == ["request"]

    def test_area_without_prompt_file_gets_a_stand_in(self) -> None:
        prompt = subagent_prompt("automations", [list_invoices])
        assert prompt.system.startswith("Domaine « automations »")

    def test_prompts_dir_overrides_the_packaged_prompts(self, tmp_path: Path) -> None:
        for name, text in {"orchestrator": "O", "policy": "P", "finance": "F\n\nDétails"}.items():
            (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
        model = ScriptedChat([call("o1", "finance", request="x"), say("fini"), say("fini")])
        run(model, FakeTools({}), "x", prompts_dir=tmp_path)
        assert model.calls[0]["system"] == "O"
        assert model.calls[0]["tools"][0]["description"] == "F"
        assert model.calls[1]["system"] == "F\n\nDétails\n\nP"

    def test_today_and_context_reach_every_prompt(self) -> None:
        model = ScriptedChat([call("o1", "hr", request="x"), say("ok"), say("ok")])
        run(model, FakeTools({}), "x", today=date(2026, 3, 3), context="Devise : XOF.")
        expected = "Aujourd'hui : mardi 03/03/2026 (2026-03-03).\nDevise : XOF."
        assert turn_context(date(2026, 3, 3), "Devise : XOF.") == expected
        assert all(c["system"].endswith(expected) for c in model.calls)

    @pytest.mark.parametrize(
        "name",
        ["orchestrator", "policy", "finance", "sales", "hr", "stock", "documents", "reports"],
    )
    def test_prompts_are_short_french(self, name: str) -> None:
        text = load_prompt(name)
        assert 30 < len(text.split()) <= 250
        assert "français" in text or "Tu es" in text or text.startswith("# ")


class TestPersonnelMasking:
    def test_hr_names_and_salaries_never_reach_the_model_but_reach_the_user(self) -> None:
        contract = ContractOut(
            contract_id="c1",
            employee="Mariama Sow",
            kind="cdi",
            start_date=date(2026, 3, 1),
            end_date=None,
            salary=Decimal("350000"),
            currency="XOF",
            weekly_hours=Decimal("40"),
        )
        found = ToolOutcome(
            "done", "hr.leave_balance", contract.render(), result=contract.model_dump(mode="json")
        )

        def subagent_reports(
            system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
        ) -> ModelReply:
            return say("Résultat : " + messages[-1]["content"].removeprefix("done: "))

        model = ScriptedChat(
            [
                call("o1", "hr", request="Le contrat de la nouvelle caissière ?"),
                call("s1", "hr.leave_balance", employee="la nouvelle caissière"),
                # The model refers to the person by the placeholder it was shown.
                call("s2", "hr.leave_balance", employee="⟨NOM_1⟩"),
                subagent_reports,
                lambda s, m, t: say(m[-1]["content"]),
            ]
        )
        tools = FakeTools({"hr.leave_balance": found})
        result = run(model, tools, "Quel est le contrat de la nouvelle caissière ?")

        sent = json.dumps(model.calls, ensure_ascii=False)
        for secret in ("Mariama", "Sow", "350", "000 FCFA"):
            assert secret not in sent
        assert "⟨NOM_1⟩" in sent and "⟨MONTANT_" in sent
        assert tools.calls[1] == ("hr.leave_balance", {"employee": "Mariama Sow"})
        assert result.text == "Résultat : " + contract.render()
        assert "Mariama Sow" in result.text and "350\u202f000 FCFA" in result.text
