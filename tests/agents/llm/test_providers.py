"""The real SDK clients against local fake servers: request shapes, tool name mapping,
tool call round trips, usage, errors. No network."""

from __future__ import annotations

from typing import Any

import pytest

from agents.llm.providers import (
    AnthropicChat,
    ModelReply,
    ModelUnavailable,
    OpenAICompatibleChat,
    ScriptedChat,
    ToolCall,
    api_tool_name,
    build_chat_model,
)
from comptoir.settings import Settings
from tests.agents.llm.fake_servers import FakeAPI, anthropic_message, openai_completion, serving

TOOLS = [
    {
        "name": "finance.create_invoice",
        "description": "Créer une facture.",
        "parameters": {
            "type": "object",
            "properties": {"customer": {"type": "string"}},
            "required": ["customer"],
        },
    }
]
ASK = [{"role": "user", "content": "Facture pour Diallo"}]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fake servers are on loopback: an inherited proxy setting must not intercept them.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def _round_trip(call: ToolCall, reply: ModelReply) -> list[dict[str, Any]]:
    """The messages of the second request: the ask, the model's call, the tool's result."""
    return [
        *ASK,
        {
            "role": "assistant",
            "content": reply.text,
            "tool_calls": [{"id": call.id, "name": call.name, "arguments": call.arguments}],
        },
        {
            "role": "tool",
            "tool_call_id": call.id,
            "name": call.name,
            "content": "needs_confirmation: Créer une facture pour Diallo SARL",
        },
    ]


class TestToolNames:
    def test_dots_become_double_underscores(self) -> None:
        assert api_tool_name("finance.create_invoice") == "finance__create_invoice"

    def test_names_the_apis_refuse_are_cleaned_and_cut(self) -> None:
        name = api_tool_name("x." + "é" * 80)
        assert len(name) == 64 and name.startswith("x__") and "é" not in name


class TestAnthropicChat:
    def test_tool_call_round_trip(self) -> None:
        api = FakeAPI(
            [
                (
                    200,
                    anthropic_message(
                        [
                            {"type": "text", "text": "Je prépare la facture."},
                            {
                                "type": "tool_use",
                                "id": "toolu_1",
                                "name": "finance__create_invoice",
                                "input": {"customer": "Diallo"},
                            },
                        ],
                        input_tokens=120,
                        output_tokens=30,
                    ),
                ),
                (
                    200,
                    anthropic_message(
                        [{"type": "text", "text": "Confirmez-vous ?"}],
                        input_tokens=160,
                        output_tokens=8,
                    ),
                ),
            ]
        )
        with serving(api):
            chat = AnthropicChat("claude-test", "sk-test", base_url=api.url, max_tokens=256)
            first = chat.complete(system="Tu es Comptoir.", messages=ASK, tools=TOOLS)
            call = first.tool_calls[0]
            second = chat.complete(
                system="Tu es Comptoir.", messages=_round_trip(call, first), tools=TOOLS
            )

        assert first.text == "Je prépare la facture."
        assert call == ToolCall("toolu_1", "finance.create_invoice", {"customer": "Diallo"})
        assert (first.input_tokens, first.output_tokens) == (120, 30)
        assert second == ModelReply("Confirmez-vous ?", [], 160, 8)

        request = api.requests[0]
        assert request["path"] == "/v1/messages"
        headers = request["headers"]
        # SDK 2.x sends the key as a bearer token; 0.x sent x-api-key.
        assert "sk-test" in headers.get("x-api-key", "") + headers.get("authorization", "")
        body = request["body"]
        assert body["model"] == "claude-test" and body["max_tokens"] == 256
        assert body["system"] == "Tu es Comptoir."
        assert body["tools"] == [
            {
                "name": "finance__create_invoice",
                "description": "Créer une facture.",
                "input_schema": TOOLS[0]["parameters"],
            }
        ]
        assert body["messages"] == [
            {"role": "user", "content": [{"type": "text", "text": ASK[0]["content"]}]}
        ]

        sent = api.requests[1]["body"]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]
        assert sent[1]["content"][1] == {
            "type": "tool_use",
            "id": "toolu_1",
            "name": "finance__create_invoice",
            "input": {"customer": "Diallo"},
        }
        assert sent[2]["content"] == [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": "needs_confirmation: Créer une facture pour Diallo SARL",
            }
        ]

    def test_no_tools_sends_no_tools_and_history_opens_with_the_user(self) -> None:
        reply = anthropic_message(
            [{"type": "text", "text": "Bonjour !"}], input_tokens=5, output_tokens=2
        )
        api = FakeAPI([(200, reply)])
        history = [{"role": "assistant", "content": "Bienvenue."}, *ASK]
        with serving(api):
            AnthropicChat("claude-test", "sk-test", base_url=api.url).complete(
                system="s", messages=history, tools=[]
            )
        body = api.requests[0]["body"]
        assert "tools" not in body
        assert [m["role"] for m in body["messages"]] == ["user"]

    def test_server_error_is_model_unavailable(self) -> None:
        api = FakeAPI([(500, {"type": "error", "error": {"type": "api_error", "message": "x"}})])
        with serving(api):
            chat = AnthropicChat("claude-test", "sk-test", base_url=api.url, max_retries=0)
            with pytest.raises(ModelUnavailable) as caught:
                chat.complete(system="s", messages=ASK, tools=TOOLS)
        assert caught.value.message.startswith("Le modèle de langage ne répond pas")
        assert len(api.requests) == 1


class TestOpenAICompatibleChat:
    def test_tool_call_round_trip(self) -> None:
        api = FakeAPI(
            [
                (
                    200,
                    openai_completion(
                        {
                            "role": "assistant",
                            "content": None,
                            "tool_calls": [
                                {
                                    "id": "call_1",
                                    "type": "function",
                                    "function": {
                                        "name": "finance__create_invoice",
                                        "arguments": '{"customer": "Diallo"}',
                                    },
                                }
                            ],
                        },
                        prompt_tokens=90,
                        completion_tokens=12,
                    ),
                ),
                (
                    200,
                    openai_completion(
                        {"role": "assistant", "content": "Confirmez-vous ?"},
                        prompt_tokens=110,
                        completion_tokens=5,
                    ),
                ),
            ]
        )
        with serving(api):
            chat = OpenAICompatibleChat("test-model", f"{api.url}/v1", None)
            first = chat.complete(system="Tu es Comptoir.", messages=ASK, tools=TOOLS)
            call = first.tool_calls[0]
            second = chat.complete(
                system="Tu es Comptoir.", messages=_round_trip(call, first), tools=TOOLS
            )

        assert first == ModelReply(
            "", [ToolCall("call_1", "finance.create_invoice", {"customer": "Diallo"})], 90, 12
        )
        assert second == ModelReply("Confirmez-vous ?", [], 110, 5)

        request = api.requests[0]
        assert request["path"] == "/v1/chat/completions"
        body = request["body"]
        assert body["messages"] == [
            {"role": "system", "content": "Tu es Comptoir."},
            {"role": "user", "content": "Facture pour Diallo"},
        ]
        assert body["tools"] == [
            {
                "type": "function",
                "function": {
                    "name": "finance__create_invoice",
                    "description": "Créer une facture.",
                    "parameters": TOOLS[0]["parameters"],
                },
            }
        ]
        sent = api.requests[1]["body"]["messages"]
        assert sent[2]["tool_calls"] == [
            {
                "id": "call_1",
                "type": "function",
                "function": {
                    "name": "finance__create_invoice",
                    "arguments": '{"customer": "Diallo"}',
                },
            }
        ]
        assert sent[3] == {
            "role": "tool",
            "tool_call_id": "call_1",
            "content": "needs_confirmation: Créer une facture pour Diallo SARL",
        }

    def test_invalid_json_arguments_become_empty(self) -> None:
        message = {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "finance__create_invoice", "arguments": "{pas du json"},
                }
            ],
        }
        api = FakeAPI([(200, openai_completion(message, prompt_tokens=1, completion_tokens=1))])
        with serving(api):
            reply = OpenAICompatibleChat("m", f"{api.url}/v1", "k").complete(
                system="s", messages=ASK, tools=TOOLS
            )
        assert reply.tool_calls == [ToolCall("call_2", "finance.create_invoice", {})]

    def test_server_error_is_model_unavailable(self) -> None:
        api = FakeAPI([(503, {"error": {"message": "down"}})])
        with serving(api):
            chat = OpenAICompatibleChat("m", f"{api.url}/v1", "k", max_retries=0)
            with pytest.raises(ModelUnavailable):
                chat.complete(system="s", messages=ASK, tools=TOOLS)


class TestScriptedChat:
    def test_replays_and_records(self) -> None:
        def echo(
            system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
        ) -> ModelReply:
            return ModelReply(f"{system}/{len(messages)}/{len(tools)}")

        chat = ScriptedChat([ModelReply("un"), echo])
        assert chat.complete(system="a", messages=ASK, tools=[]).text == "un"
        assert chat.complete(system="b", messages=ASK * 2, tools=TOOLS).text == "b/2/1"
        assert [c["system"] for c in chat.calls] == ["a", "b"]
        assert chat.calls[1]["tools"] == TOOLS and chat.exhausted

    def test_recorded_messages_are_copies(self) -> None:
        messages = [dict(ASK[0])]
        chat = ScriptedChat([ModelReply("ok")])
        chat.complete(system="s", messages=messages, tools=[])
        messages[0]["content"] = "changé"
        assert chat.calls[0]["messages"][0]["content"] == "Facture pour Diallo"

    def test_running_out_of_replies_fails_loudly(self) -> None:
        with pytest.raises(AssertionError, match="no reply left"):
            ScriptedChat([]).complete(system="s", messages=ASK, tools=[])


class TestBuildChatModel:
    def test_off_without_provider(self) -> None:
        assert build_chat_model(Settings(llm_provider=None)) is None

    def test_anthropic(self) -> None:
        model = build_chat_model(
            Settings(llm_provider="anthropic", llm_model="claude-x", llm_api_key="k")
        )
        assert isinstance(model, AnthropicChat) and model.name == "anthropic:claude-x"

    def test_openai_compatible(self) -> None:
        model = build_chat_model(
            Settings(llm_provider="openai", llm_model="qwen", llm_base_url="http://127.0.0.1:1/v1")
        )
        assert isinstance(model, OpenAICompatibleChat) and model.name == "openai:qwen"

    @pytest.mark.parametrize(
        ("provider", "model", "error"),
        [("mistral", "m", "Unknown COMPTOIR_LLM_PROVIDER"), ("anthropic", None, "LLM_MODEL")],
    )
    def test_misconfiguration_is_refused(
        self, provider: str, model: str | None, error: str
    ) -> None:
        with pytest.raises(ValueError, match=error):
            build_chat_model(Settings(llm_provider=provider, llm_model=model))
