"""Request-scoped dependencies: the container, the request context, the principal.

The audit channel of a request is a property of the route it reached, never of anything
the client sends: the REST API is ``api``; a router serving another channel declares it
with ``dependencies=[declare_channel(Channel.WEB)]`` (the chat) or ``WHATSAPP`` (the
webhook). Route dependencies run before the endpoint's own, so the context sees it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.kit.errors import Unauthenticated
from domain.kit.principal import Channel, Principal

_bearer = HTTPBearer(auto_error=False, description="Jeton d'accès (POST /api/v1/auth/login)")


def container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def declare_channel(channel: Channel) -> Any:
    """A dependency for ``APIRouter(dependencies=[...])``: requests reaching this router
    are recorded under ``channel``."""

    def _declare(request: Request) -> None:
        request.state.channel = channel

    return Depends(_declare)


def request_context(request: Request) -> RequestContext:
    return RequestContext(
        channel=getattr(request.state, "channel", Channel.API),
        request_id=request.state.request_id,
        ip=request.client.host if request.client else None,
    )


ContainerDep = Annotated[Container, Depends(container)]
ContextDep = Annotated[RequestContext, Depends(request_context)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_principal(c: ContainerDep, ctx: ContextDep, credentials: BearerDep) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Authentification requise : envoyez « Authorization: Bearer … ».")
    return c.authentication.authenticate(ctx, credentials.credentials)


def optional_principal(
    c: ContainerDep, ctx: ContextDep, credentials: BearerDep
) -> Principal | None:
    """The principal when a bearer token is sent (it must then be valid), else None."""
    if credentials is None:
        return None
    return current_principal(c, ctx, credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
