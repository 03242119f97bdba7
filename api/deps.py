"""Request-scoped dependencies: the container, the request context, the principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.kit.errors import Unauthenticated
from domain.kit.principal import Channel, Principal

_bearer = HTTPBearer(auto_error=False, description="Jeton d'accès (POST /api/v1/auth/login)")


def container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def request_context(request: Request) -> RequestContext:
    channel = request.headers.get("x-comptoir-channel", Channel.API.value)
    return RequestContext(
        channel=Channel(channel) if channel in Channel._value2member_map_ else Channel.API,
        request_id=request.state.request_id,
        ip=request.client.host if request.client else None,
    )


ContainerDep = Annotated[Container, Depends(container)]
ContextDep = Annotated[RequestContext, Depends(request_context)]


def current_principal(
    c: ContainerDep,
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Authentification requise : envoyez « Authorization: Bearer … ».")
    return c.authentication.authenticate(ctx, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
