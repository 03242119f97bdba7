"""The web app, served by the API's own process: server-rendered French pages, small
scripts of our own plus vendored htmx, no build step. ``install_web`` wires it into the
FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web import (
    approvals,
    auth_pages,
    chat_pages,
    dashboard,
    hr_pages,
    more_records,
    navigation,
    pwa,
    quote_pages,
    records,
)
from api.web.deps import STATIC, templates
from api.web.security import SECURITY_HEADERS

# The API's interactive documentation loads its own inline scripts: it keeps its headers.
_OWN_HEADERS = ("/docs", "/redoc")
# The REST API and the chat stream answer as they always did; pages and their files are
# compressed (data is dear on a phone in Dakar).
_UNCOMPRESSED = ("/api/", "/app/api/", "/docs", "/redoc", "/openapi")


class WebCompression:
    """gzip for the web app's pages and static files only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("path", "").startswith(_UNCOMPRESSED):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds the CSP and companion headers to every response but the API documentation;
    static files are cached for a day (their URLs change with their content)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or path.startswith(_OWN_HEADERS):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in names:
                        headers.append((name.lower().encode(), value.encode()))
                if path.startswith("/static/"):
                    headers.append((b"cache-control", b"public, max-age=86400"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_web(app: FastAPI) -> None:
    templates.env.globals["navigation"] = navigation.navigation
    app.add_middleware(WebCompression)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        auth_pages.router,
        chat_pages.pages,
        chat_pages.calls,
        dashboard.router,
        records.router,
        more_records.router,
        quote_pages.router,
        hr_pages.router,
        approvals.router,
        pwa.router,
    ):
        app.include_router(router)
