"""Cost data: what the business pays for what it sells, seen only by the roles that value
the stock.

Purchase prices, weighted average costs, the unit cost of a stock move, purchase order
prices and totals, supplier prices: from them anyone can work out the margin on every
sale. They are shown to the roles that may value the stock (manager, accountant; admin
always) and to nobody else.

The rule is declared once, on the fields: an output field typed ``Cost[...]`` holds cost
data. ``hide_costs`` walks an output (models, lists, dicts, nested) and empties those
fields for a principal outside ``COST_VIEWERS``. It is applied where outputs leave the
app — the REST routes (``api.costs.CostGuardedRoute``) and ``tools.base.Tool.run``, which
the agent and every tool caller go through — not route by route. An emptied field is
``null``, as when a product has no purchase price: the shapes stay the same for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel

from domain.kit.principal import Principal, Role

COST_VIEWERS: tuple[Role, ...] = (Role.MANAGER, Role.ACCOUNTANT)


class CostData:
    """The marker ``Cost[...]`` puts on a field (in its pydantic metadata)."""

    def __repr__(self) -> str:
        return "COST_DATA"


COST_DATA = CostData()

T = TypeVar("T")
Cost = Annotated[T | None, COST_DATA]
"""A field holding cost data: ``purchase_price: Cost[Decimal]``. Always optional, since
it is emptied for the roles that may not see it."""


def sees_costs(principal: Principal) -> bool:
    return principal.has_any(*COST_VIEWERS)


def is_cost_field(model: type[BaseModel], name: str) -> bool:
    return any(isinstance(m, CostData) for m in model.model_fields[name].metadata)


def hide_costs(value: T, principal: Principal) -> T:
    """``value`` as ``principal`` may see it: unchanged for a cost viewer, otherwise a copy
    whose cost fields (at any depth) are ``None``."""
    if sees_costs(principal):
        return value
    return without_costs(value)


def without_costs(value: T) -> T:
    """A copy of ``value`` whose cost fields (at any depth) are ``None``: for whoever is
    not known to be a cost viewer."""
    return _without_costs(value)  # type: ignore[no-any-return]


def _without_costs(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _model_without_costs(value)
    if isinstance(value, list | tuple):
        items = [_without_costs(item) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        if not changed:
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, Mapping):
        entries = {key: _without_costs(item) for key, item in value.items()}
        changed = any(entries[key] is not item for key, item in value.items())
        return entries if changed else value
    return value


def _model_without_costs(model: BaseModel) -> BaseModel:
    cls = type(model)
    update: dict[str, Any] = {}
    for name in cls.model_fields:
        current = getattr(model, name)
        if is_cost_field(cls, name):
            if current is not None:
                update[name] = None
            continue
        stripped = _without_costs(current)
        if stripped is not current:
            update[name] = stripped
    return model.model_copy(update=update) if update else model


def carries_costs(annotation: Any, seen: set[type] | None = None) -> bool:
    """Whether a type (a model, or a list/dict/union of them) has a cost field anywhere:
    the test that proves every route returning one is guarded walks the app with it."""
    seen = set() if seen is None else seen
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return False
        seen.add(annotation)
        return any(
            is_cost_field(annotation, name) or carries_costs(info.annotation, seen)
            for name, info in annotation.model_fields.items()
        )
    return any(carries_costs(arg, seen) for arg in getattr(annotation, "__args__", ()))
