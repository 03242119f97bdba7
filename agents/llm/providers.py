"""Chat models behind one small interface: Anthropic, any OpenAI-compatible endpoint, and
a scripted model for tests.

Everything above this module speaks *neutral* messages and tools:

- messages: ``{"role": "user", "content": str}``,
  ``{"role": "assistant", "content": str, "tool_calls": [{"id", "name", "arguments"}]}``,
  ``{"role": "tool", "tool_call_id": str, "name": str, "content": str}``;
- tools: ``Tool.json_schema()`` dicts ``{"name", "description", "parameters"}``.

Tool names carry a dot (``finance.create_invoice``) that neither API accepts; providers
send ``finance__create_invoice`` and map the model's calls back.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from domain.kit.errors import DomainError

if TYPE_CHECKING:
    from comptoir.settings import Settings

DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelReply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0


class ChatModel(Protocol):
    name: str

    def complete(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> ModelReply: ...


class ModelUnavailable(DomainError):
    """The provider could not be reached or refused the request (network, key, quota)."""

    code = "llm_unavailable"
    status_code = 503
    default_message = "Le modèle de langage ne répond pas pour le moment. Réessayez plus tard."


_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def api_tool_name(name: str) -> str:
    """``finance.create_invoice`` → ``finance__create_invoice`` (``^[a-zA-Z0-9_-]{1,64}$``)."""
    return _INVALID_NAME_CHARS.sub("_", name.replace(".", "__"))[:64]


class _Names:
    """The API names of one request's tools, and the way back to ours."""

    def __init__(self, tools: list[dict[str, Any]]) -> None:
        self._back: dict[str, str] = {api_tool_name(t["name"]): str(t["name"]) for t in tools}

    def to_api(self, name: str) -> str:
        return api_tool_name(name)

    def from_api(self, name: str) -> str:
        return self._back.get(name, name.replace("__", "."))


def _parse_arguments(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


class AnthropicChat:
    """Claude through the ``anthropic`` SDK's Messages API (tool_use / tool_result blocks)."""

    def __init__(
        self,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        max_tokens: int = 1024,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
    ) -> None:
        import anthropic

        self.name = f"anthropic:{model}"
        self.model = model
        self.max_tokens = max_tokens
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    def complete(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> ModelReply:
        import anthropic

        names = _Names(tools)
        kwargs: dict[str, Any] = {}
        if tools:
            kwargs["tools"] = [
                {
                    "name": names.to_api(t["name"]),
                    "description": t.get("description", ""),
                    "input_schema": t["parameters"],
                }
                for t in tools
            ]
        try:
            reply = self._client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=system,
                messages=cast(Any, anthropic_messages(messages, names)),
                **kwargs,
            )
        except anthropic.APIError as e:
            raise ModelUnavailable(provider="anthropic", reason=type(e).__name__) from e
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in reply.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                calls.append(ToolCall(block.id, names.from_api(block.name), dict(block.input)))
        return ModelReply(
            text="".join(texts),
            tool_calls=calls,
            input_tokens=reply.usage.input_tokens,
            output_tokens=reply.usage.output_tokens,
        )


def anthropic_messages(messages: list[dict[str, Any]], names: _Names) -> list[dict[str, Any]]:
    """Neutral messages as Anthropic turns: tool results are blocks of a user turn, and
    consecutive turns of one role are merged (the API wants them alternating)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role, blocks = _anthropic_blocks(m, names)
        if not blocks:
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    # The API wants the conversation to open with the user (a history may not).
    while out and out[0]["role"] != "user":
        out.pop(0)
    return out


def _anthropic_blocks(m: dict[str, Any], names: _Names) -> tuple[str, list[dict[str, Any]]]:
    if m["role"] == "tool":
        block = {"type": "tool_result", "tool_use_id": m["tool_call_id"], "content": m["content"]}
        return "user", [block]
    blocks: list[dict[str, Any]] = []
    if m.get("content"):
        blocks.append({"type": "text", "text": m["content"]})
    for call in m.get("tool_calls") or []:
        blocks.append(
            {
                "type": "tool_use",
                "id": call["id"],
                "name": names.to_api(call["name"]),
                "input": call["arguments"],
            }
        )
    return m["role"], blocks


class OpenAICompatibleChat:
    """OpenAI chat completions with tools: OpenAI itself or any compatible endpoint (a
    local Ollama at ``http://127.0.0.1:11434/v1``, vLLM, …)."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        max_tokens: int = 1024,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
    ) -> None:
        import openai

        self.name = f"openai:{model}"
        self.model = model
        self.max_tokens = max_tokens
        # Local endpoints take no key, but the SDK insists on one.
        self._client = openai.OpenAI(
            api_key=api_key or "no-key",
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
        )

    def complete(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> ModelReply:
        import openai

        names = _Names(tools)
        kwargs: dict[str, Any] = {}
        if tools:
            kwargs["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": names.to_api(t["name"]),
                        "description": t.get("description", ""),
                        "parameters": t["parameters"],
                    },
                }
                for t in tools
            ]
        try:
            reply = self._client.chat.completions.create(
                model=self.model,
                max_tokens=self.max_tokens,
                messages=cast(Any, [{"role": "system", "content": system}])
                + [openai_message(m, names) for m in messages],
                **kwargs,
            )
        except openai.APIError as e:
            raise ModelUnavailable(provider="openai", reason=type(e).__name__) from e
        message = reply.choices[0].message
        calls = [
            ToolCall(c.id, names.from_api(c.function.name), _parse_arguments(c.function.arguments))
            for c in message.tool_calls or []
            if c.type == "function"
        ]
        usage = reply.usage
        return ModelReply(
            text=message.content or "",
            tool_calls=calls,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
        )


def openai_message(m: dict[str, Any], names: _Names) -> dict[str, Any]:
    if m["role"] == "tool":
        return {"role": "tool", "tool_call_id": m["tool_call_id"], "content": m["content"]}
    if m["role"] == "assistant" and m.get("tool_calls"):
        return {
            "role": "assistant",
            "content": m.get("content") or None,
            "tool_calls": [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {
                        "name": names.to_api(c["name"]),
                        "arguments": json.dumps(c["arguments"], ensure_ascii=False),
                    },
                }
                for c in m["tool_calls"]
            ],
        }
    return {"role": m["role"], "content": m["content"]}


ScriptedReply = ModelReply | Callable[[str, list[dict[str, Any]], list[dict[str, Any]]], ModelReply]


class ScriptedChat:
    """A model that answers from a script, for tests: each ``complete`` takes the next
    reply (or calls it with ``(system, messages, tools)``) and records what it was sent."""

    def __init__(self, replies: list[ScriptedReply], name: str = "scripted") -> None:
        self.name = name
        self._replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def complete(
        self, *, system: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]
    ) -> ModelReply:
        messages, tools = copy.deepcopy(messages), copy.deepcopy(tools)
        self.calls.append({"system": system, "messages": messages, "tools": tools})
        if not self._replies:
            raise AssertionError(f"ScriptedChat: no reply left for call {len(self.calls)}")
        reply = self._replies.pop(0)
        if isinstance(reply, ModelReply):
            return reply
        return reply(system, messages, tools)

    @property
    def exhausted(self) -> bool:
        return not self._replies


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The configured model, or None when the LLM tier is off (no provider)."""
    provider = (settings.llm_provider or "").strip().lower()
    if not provider:
        return None
    if not settings.llm_model:
        raise ValueError("COMPTOIR_LLM_MODEL must name the model when COMPTOIR_LLM_PROVIDER is set")
    if provider == "anthropic":
        return AnthropicChat(settings.llm_model, settings.llm_api_key, settings.llm_base_url)
    if provider == "openai":
        return OpenAICompatibleChat(settings.llm_model, settings.llm_base_url, settings.llm_api_key)
    raise ValueError(f"Unknown COMPTOIR_LLM_PROVIDER {settings.llm_provider!r}: anthropic|openai")
