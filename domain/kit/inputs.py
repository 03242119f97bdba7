"""What the edge accepts: input types shared by the REST routes and the tools.

Bad input is refused here, as a validation error with a French message (a 422 over HTTP, a
question back in conversation), before it can reach a service or PostgreSQL:

- text never carries a NUL character: PostgreSQL refuses ``\\x00`` in ``text`` columns, and
  the driver would raise in the middle of a unit of work. ``InputModel`` checks every field
  of every input model once, nested lists and objects included; ``Text`` does the same for
  a lone query or form parameter;
- money, prices, rates and quantities fit the columns that store them: every one is
  ``Numeric(18, 4)`` (see the migrations), so at most 14 digits before the point and 4
  after. NaN and infinities are refused (pydantic's default for ``Decimal``), and so are
  ``1e30`` and ``1e-30``, which would overflow the column or break ``quantize``;
- paging offsets fit a PostgreSQL ``bigint``, years a ``date``; other integer fields carry
  their own business bounds (days of payment terms, probabilities, positions…).

Services still check what needs the tenant (signs, VAT rates, the currency's minor unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

NUL = "\x00"
NUL_ERROR = "nul_character"
NUL_MESSAGE = "caractère nul (\\0) interdit"

# Every money and quantity column is Numeric(18, 4).
MAX_DIGITS = 18
DECIMAL_PLACES = 4
OFFSET_MAX = 10**9  # far beyond any real list, far below bigint


def has_nul(value: object) -> bool:
    """Whether a NUL character hides anywhere in ``value`` (keys of mappings included)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, bytes):
        return b"\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(v) for v in value)
    return False


def _refuse_nul(value: Any) -> Any:
    if has_nul(value):
        raise PydanticCustomError(NUL_ERROR, NUL_MESSAGE)
    return value


class InputModel(BaseModel):
    """Base of every input model (REST bodies, tool arguments): no field, however nested,
    may carry a NUL character."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _refuse_nul(value)


# A lone text parameter (query string, form field) outside an ``InputModel``.
Text = Annotated[str, AfterValidator(_refuse_nul)]

_Column = Field(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
# An amount of money, a unit price or cost.
Amount = Annotated[Decimal, _Column]
# A quantity of goods, hours or days.
Quantity = Annotated[Decimal, _Column]
# A percentage: VAT rate, discount, deposit.
Rate = Annotated[Decimal, _Column]
# A page's offset: bounded so PostgreSQL's OFFSET never overflows.
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX)]
# A calendar or fiscal year: within what ``datetime.date`` (and a year before it) can hold.
Year = Annotated[int, Field(ge=1900, le=2999)]

WALL_TIME_ERROR = "wall_time"
WALL_TIME_MESSAGE = "heure locale attendue, sans fuseau (par exemple 09:00)"


def _local(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError(WALL_TIME_ERROR, WALL_TIME_MESSAGE)
    return value


# A time of day on the business's wall clock (its time zone is the business's), sent as
# "09:00:00" with no offset. JSON Schema's "time" format requires an offset, so the
# published schema says what is sent; an offset in input is refused, not stored.
WallTime = Annotated[
    time,
    AfterValidator(_local),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"}),
]
