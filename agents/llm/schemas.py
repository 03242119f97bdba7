"""Tool schemas as the model reads them: the pydantic JSON schema without what costs
tokens and tells the model nothing it needs.

Dropped: ``title`` annotations (pydantic repeats every field name as a title),
``additionalProperties: false`` and length limits (the tool's own validation still refuses
extra fields and overlong values with a French message the model reads), and the
``null`` branch of optional fields (omitting the field is how the model says « none »), and
optional UUID fields (ids are for buttons; the model only ever has names and numbers).
Everything that shapes an answer stays: types, descriptions, enums, required, defaults,
numeric bounds, ``$defs``/``$ref``.
"""

from __future__ import annotations

from typing import Any

_DROPPED = frozenset({"title", "additionalProperties", "maxLength", "minLength", "maxItems"})
_NULL = {"type": "null"}


def compact_tool(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``Tool.json_schema()`` dict with its ``parameters`` compacted."""
    return {**schema, "parameters": compact_schema(schema["parameters"])}


def compact_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    required = set(node.get("required") or [])
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED and not isinstance(value, dict):
            continue
        if key == "properties" and isinstance(value, dict):
            props = {
                name: _optional(compact_schema(prop), name in required)
                for name, prop in value.items()
            }
            out[key] = {
                name: prop for name, prop in props.items() if name in required or not _is_uuid(prop)
            }
        elif key == "$defs" and isinstance(value, dict):
            out[key] = {name: compact_schema(d) for name, d in value.items()}
        else:
            out[key] = compact_schema(value)
    return out


def _is_uuid(prop: Any) -> bool:
    return isinstance(prop, dict) and prop.get("format") == "uuid"


def _optional(prop: Any, required: bool) -> Any:
    """``anyOf: [X, null]`` with default null → X, for a field that may be left out."""
    if required or not isinstance(prop, dict):
        return prop
    branches = prop.get("anyOf")
    if not isinstance(branches, list) or _NULL not in branches:
        return prop
    rest = [b for b in branches if b != _NULL]
    merged = {k: v for k, v in prop.items() if k != "anyOf"}
    if merged.get("default", ...) is None:
        del merged["default"]
    if len(rest) == 1 and isinstance(rest[0], dict):
        return {**rest[0], **merged}
    return {"anyOf": rest, **merged}
