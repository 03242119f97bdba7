"""Tool schemas compacted for the model: smaller, same meaning."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from agents.llm.budget import count_tokens
from agents.llm.schemas import compact_schema, compact_tool


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str | None = Field(default=None, max_length=200, description="Produit")
    quantity: Decimal = Field(default=Decimal(1), gt=0, description="Quantité")


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(min_length=1, max_length=200, description="Client, tel que dit")
    customer_id: UUID | None = Field(default=None, description="Identifiant (boutons).")
    title: str | None = Field(default=None, description="Un champ qui s'appelle title")
    lines: list[Line] = Field(min_length=1, max_length=100)
    due: date | None = None
    method: Literal["cash", "wave"] = "cash"
    maybe: int | None = Field(description="Obligatoire mais peut être nul")


class TestCompactSchema:
    def test_keeps_meaning_and_drops_noise(self) -> None:
        compact = compact_schema(InvoiceIn.model_json_schema())
        assert compact["required"] == ["customer", "lines", "maybe"]
        props = compact["properties"]
        assert props["customer"] == {"type": "string", "description": "Client, tel que dit"}
        assert "customer_id" not in props
        assert props["title"] == {"type": "string", "description": "Un champ qui s'appelle title"}
        assert props["due"] == {"type": "string", "format": "date"}
        assert props["method"] == {"type": "string", "enum": ["cash", "wave"], "default": "cash"}
        assert props["lines"] == {"type": "array", "items": {"$ref": "#/$defs/Line"}, "minItems": 1}
        # A required field keeps its null branch: the model must be able to say null.
        assert {"type": "null"} in props["maybe"]["anyOf"]
        line = compact["$defs"]["Line"]
        assert line["properties"]["product"] == {"type": "string", "description": "Produit"}
        assert "title" not in line and "additionalProperties" not in line
        quantity = line["properties"]["quantity"]["anyOf"]
        assert {"type": "number", "exclusiveMinimum": 0.0} in quantity

    def test_is_much_smaller(self) -> None:
        raw = str(InvoiceIn.model_json_schema())
        assert count_tokens(
            str(compact_schema(InvoiceIn.model_json_schema()))
        ) < 0.7 * count_tokens(raw)

    def test_compact_tool_keeps_name_and_description(self) -> None:
        schema = {"name": "a.b", "description": "d", "parameters": InvoiceIn.model_json_schema()}
        compact = compact_tool(schema)
        assert (compact["name"], compact["description"]) == ("a.b", "d")
        assert compact["parameters"] == compact_schema(schema["parameters"])
        assert "title" in schema["parameters"]  # the tool's own schema is left untouched
