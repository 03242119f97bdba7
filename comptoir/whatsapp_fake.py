"""A local stand-in for Meta's Graph API, served by uvicorn on loopback, for the tests,
the benchmark and demos without a Meta account (point COMPTOIR_WHATSAPP_API_URL at it).

It records every request (with the time it arrived) and answers the way the Cloud API
does: message ids, media ids and download URLs, and errors in Meta's JSON shape — 429,
5xx, 131047 — when told to, so the real client code runs over real HTTP."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VERSION = "v23.0"


@dataclass
class Recorded:
    method: str
    path: str
    body: dict[str, Any]
    authorization: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeGraph:
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    # Ids the next successful sends answer with, when a test needs to know one in advance.
    next_wamids: list[str] = field(default_factory=list)
    _failures: list[tuple[int, int | None]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, code: int | None = None, times: int = 1) -> None:
        """The next ``times`` message sends answer this error."""
        with self._lock:
            self._failures.extend([(status, code)] * times)

    def sent_to(self, phone: str) -> list[dict[str, Any]]:
        """Message bodies sent to ``phone`` (E.164 with or without +), oldest first."""
        to = phone.lstrip("+")
        with self._lock:
            return [
                r.body
                for r in self.requests
                if r.path.endswith("/messages") and r.body.get("to") == to
            ]

    def send_times(self, phone: str) -> list[float]:
        """When each message to ``phone`` arrived (``time.monotonic()``), oldest first."""
        to = phone.lstrip("+")
        with self._lock:
            return [
                r.at
                for r in self.requests
                if r.path.endswith("/messages") and r.body.get("to") == to
            ]

    def add_medium(self, media_id: str, data: bytes, mime_type: str) -> None:
        self.media[media_id] = (data, mime_type)

    async def messages(self, request: Request) -> Response:
        body = await request.json()
        self._record(request, body)
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, code = failure
            error = {"message": f"(#{code}) simulated", "type": "OAuthException", "code": code}
            return JSONResponse({"error": error}, status_code=status)
        with self._lock:
            chosen = self.next_wamids.pop(0) if self.next_wamids else None
        wamid = chosen or f"wamid.OUT{next(self._ids):06d}"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
        )

    async def upload(self, request: Request) -> Response:
        form = await request.form()
        upload = form["file"]
        data = await upload.read()  # type: ignore[union-attr]
        media_id = f"{next(self._ids)}"
        self.media[media_id] = (data, str(form.get("type") or ""))
        self._record(request, {"type": form.get("type"), "bytes": len(data)})
        return JSONResponse({"id": media_id})

    async def medium(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        self._record(request, {})
        if media_id not in self.media:
            return JSONResponse({"error": {"message": "unknown", "code": 100}}, status_code=404)
        data, mime = self.media[media_id]
        url = f"{self.base_url.rsplit('/', 1)[0]}/files/{media_id}"
        return JSONResponse({"url": url, "mime_type": mime, "id": media_id, "file_size": len(data)})

    async def file(self, request: Request) -> Response:
        self._record(request, {})
        if not request.headers.get("authorization"):
            return Response(status_code=401)
        data, mime = self.media[request.path_params["media_id"]]
        return Response(data, media_type=mime)

    def _record(self, request: Request, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(
                Recorded(
                    request.method, request.url.path, body, request.headers.get("authorization")
                )
            )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(f"/{VERSION}/{{number}}/messages", self.messages, methods=["POST"]),
                Route(f"/{VERSION}/{{number}}/media", self.upload, methods=["POST"]),
                Route("/files/{media_id}", self.file, methods=["GET"]),
                Route(f"/{VERSION}/{{media_id}}", self.medium, methods=["GET"]),
            ]
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(fake: FakeGraph, port: int | None = None) -> tuple[uvicorn.Server, threading.Thread]:
    """Start ``fake`` on loopback (a free port unless given; its ``base_url`` is set) in a
    thread."""
    port = port or free_port()
    fake.base_url = f"http://127.0.0.1:{port}/{VERSION}"
    server = uvicorn.Server(
        uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake Graph API did not start")
        time.sleep(0.02)
    return server, thread
