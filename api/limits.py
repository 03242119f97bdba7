"""A cap on the size of every request body, enforced while the body streams in.

A declared ``Content-Length`` above the cap is refused before a byte of the body is read;
a body sent without one (chunked) or lying about it is cut off as soon as the bytes
received pass the cap. Either way the answer is a 413 with a French message, and the rest
of the body is never read: the application gets a disconnect, and uvicorn closes the
connection once the 413 is sent.

JSON bodies are small (``MAX_BODY_BYTES``); the routes that take a file in a multipart
body (``UPLOAD_ROUTES``) may send up to the document size limit plus room for the form.
"""

from __future__ import annotations

import json
import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.parsing import DEFAULT_MAX_BYTES

log = logging.getLogger("comptoir.api")

MEGABYTE = 1024 * 1024
MAX_BODY_BYTES = 1 * MEGABYTE
# The file itself is checked against DEFAULT_MAX_BYTES by the route (a 422 naming the file);
# this margin is for the multipart boundaries and the form's other fields.
MAX_UPLOAD_BODY_BYTES = DEFAULT_MAX_BYTES + 256 * 1024
UPLOAD_ROUTES = (
    ("POST", re.compile(r"^/api/v1/documents/?$")),
    ("PUT", re.compile(r"^/api/v1/documents/[^/]+/file/?$")),
)


def body_limit(method: str, path: str) -> int:
    """The largest body, in bytes, a request to ``method path`` may send."""
    if any(method == m and pattern.match(path) for m, pattern in UPLOAD_ROUTES):
        return MAX_UPLOAD_BODY_BYTES
    return MAX_BODY_BYTES


class BodySizeLimit:
    """ASGI middleware: 413 as soon as a request body is larger than its route allows."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_too_large(send, limit)
            return
        await _Guard(self.app, limit)(scope, receive, send)


class _Guard:
    """One request: counts the body's bytes, answers 413 once, then mutes the app."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.started = False
        self.refused = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def limited_receive() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    self.refused = True
                    if not self.started:
                        self.started = True
                        await _send_too_large(send, self.limit)
                    # What the app reads next is a disconnect: it stops reading the body.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return  # the 413 is the answer; whatever the app says after is dropped
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not self.refused:
                raise
            # The app failed on the body cut short (ClientDisconnect and the like).
            log.debug("request body cut off at %s bytes", self.received)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_too_large(send: Send, limit: int) -> None:
    size = f"{limit / MEGABYTE:.0f} Mo" if limit >= MEGABYTE else f"{limit // 1024} Ko"
    message = (
        f"La requête est trop volumineuse : au plus {size} pour cette adresse. "
        "Pour un document, la taille maximale est de "
        f"{DEFAULT_MAX_BYTES // MEGABYTE} Mo."
    )
    body = json.dumps(
        {"error": {"code": "payload_too_large", "message": message, "request_id": None}},
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
