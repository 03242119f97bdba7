"""Personnel data through the whole LLM tier, on real PostgreSQL with the real HR tools: the
model is sent the placeholders, the user reads the names."""

from __future__ import annotations

import json
from typing import Any

from agents.llm.providers import ModelReply, ScriptedChat, ToolCall
from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.agents.conftest import Talk
from tests.agents.test_llm_tier_graph import agent_with
from tests.hr_factories import make_employee, make_staff


def _copy_last(
    system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
) -> ModelReply:
    return ModelReply(str(messages[-1]["content"]).removeprefix("done: "), [], 30, 5)


class TestPersonnelMaskingInTheGraph:
    def test_employee_names_found_by_a_tool_never_reach_the_model(
        self, container: Container
    ) -> None:
        staff = make_staff(container, country="SN")
        make_employee(container, staff, "Mariama Sow", phone="+221 77 555 12 34")
        make_employee(container, staff, "Khady Sow")
        model = ScriptedChat(
            [
                ModelReply("", [ToolCall("o1", "hr", {"request": "Employés nommés Sow ?"})], 40, 5),
                ModelReply("", [ToolCall("s1", "hr.find_employee", {"query": "Sow"})], 60, 8),
                _copy_last,
                _copy_last,
            ]
        )
        talk = Talk(agent_with(container, model, mode="llm"), staff.account.principal(Role.HR))

        reply = talk("Qui sont les employés qui s'appellent Sow ?")

        sent = json.dumps(model.calls, ensure_ascii=False)
        assert "Mariama" not in sent and "Khady" not in sent and "555 12 34" not in sent
        assert "⟨NOM_1⟩" in sent and "⟨NOM_2⟩" in sent
        assert "Mariama Sow" in reply and "Khady Sow" in reply
        assert model.exhausted
