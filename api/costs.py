"""REST routes that return cost data empty it for the roles that may not see it.

``CostGuardedRoute`` wraps each endpoint of a router: whatever the endpoint returns goes
through ``domain.kit.costs.hide_costs`` with the principal the route was called with,
before FastAPI validates and serialises it. The rule itself (which fields, which roles)
lives in ``domain.kit.costs``; a test walks the app and fails if a route whose response
carries a cost field is not guarded.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any

from fastapi.routing import APIRoute

from domain.kit.costs import hide_costs, without_costs
from domain.kit.principal import Principal

GUARDED = "__hides_costs__"


def _principal(kwargs: dict[str, Any]) -> Principal | None:
    return next((v for v in kwargs.values() if isinstance(v, Principal)), None)


def _guarded(result: Any, kwargs: dict[str, Any]) -> Any:
    # No principal among the endpoint's arguments: nobody is known to see costs.
    principal = _principal(kwargs)
    return without_costs(result) if principal is None else hide_costs(result, principal)


def hiding_costs(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` whose result has its cost fields emptied for the calling principal.
    The signature is kept (``functools.wraps``) so FastAPI injects the same dependencies."""
    if getattr(endpoint, GUARDED, False):
        return endpoint
    if inspect.iscoroutinefunction(endpoint):

        @wraps(endpoint)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            return _guarded(await endpoint(*args, **kwargs), kwargs)

        setattr(guarded_async, GUARDED, True)
        return guarded_async

    @wraps(endpoint)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return _guarded(endpoint(*args, **kwargs), kwargs)

    setattr(guarded, GUARDED, True)
    return guarded


class CostGuardedRoute(APIRoute):
    """An API route whose responses follow the cost-visibility rule."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, hiding_costs(endpoint), **kwargs)
