"""The chat, home page of the web app, and the two calls its script makes.

The calls go to the chat and document APIs' own endpoints (``api.chat.chat``,
``api.documents.upload_document``) with the principal of the session cookie instead of a
bearer token, after the CSRF header is checked: same agent turn, roles, confirmation
tokens, audit (channel ``web``) and upload checks as every other client.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api import chat as chat_api
from api import documents as documents_api
from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUser, WebUserDep, render, web_keys, web_user
from api.web.security import CSRF_HEADER, check_csrf, session_binding
from domain.kit.principal import Channel, Principal
from rag.service import UPLOADERS

pages = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
calls = APIRouter(
    prefix="/app/api", include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
RECENT_CONVERSATIONS = 30


def csrf_user(request: Request, c: ContainerDep) -> WebUser:
    """The signed-in person, for a state-changing call: the ``X-CSRF-Token`` header must
    be their session's token (checked before any body is read)."""
    user = web_user(request, c)
    assert user.principal.session_id is not None
    binding = session_binding(user.principal.session_id)
    check_csrf(request, web_keys(c), binding, request.headers.get(CSRF_HEADER))
    return user


CsrfUserDep = Annotated[WebUser, Depends(csrf_user)]


@pages.get("/")
def chat_page(
    request: Request, c: ContainerDep, user: WebUserDep, conversation: UUID | None = None
) -> Response:
    principal = user.principal
    past = chat_api.list_conversations(c, principal, limit=RECENT_CONVERSATIONS, offset=0)
    current = (
        chat_api.get_conversation(conversation, c, principal, limit=200)
        if conversation is not None
        else None
    )
    return render(
        request,
        "chat.html",
        {
            "title": "Discussion",
            "conversations": past,
            "current": current,
            "may_upload": user.may(*UPLOADERS),
        },
    )


@calls.post("/chat")
async def chat(body: chat_api.ChatIn, request: Request, c: ContainerDep, user: CsrfUserDep) -> Any:
    return await chat_api.chat(body, request, c, user.principal)


def _uploader(c: ContainerDep, user: CsrfUserDep) -> Principal:
    return documents_api.uploader(c, user.principal)


@calls.post("/documents", status_code=201)
async def upload(
    request: Request, c: ContainerDep, principal: Annotated[Principal, Depends(_uploader)]
) -> Any:
    return await documents_api.upload_document(request, c, principal)
