"""A local plateforme agréée for tests and demos, served by uvicorn on loopback.

It speaks the XP Z12-013 shapes ``domain.finance.einvoicing.afnor`` uses — OAuth2 client
credentials, the Flow Service (submit, search, get) and the Directory Service's search —
keeping each client's flows apart, so the real adapter runs over real HTTP. A submitted
invoice is acknowledged at the first look (Ok, or Error when told to reject it) and, once
Ok, the buyer's side answers « Mise à disposition ». Test hooks play the other parties:
``deliver_invoice`` (a supplier sends an invoice), ``buyer_status`` (a customer approves,
refuses…), ``register`` (a directory entry); ``sent_statuses`` reads what a client said.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from comptoir.whatsapp_fake import free_port
from domain.finance.einvoicing.lifecycle import read_cdar, write_cdar
from domain.finance.einvoicing.platform import LifecycleMessage
from domain.finance.payables.einvoice import read_einvoice
from domain.kit.errors import DomainError


@dataclass
class FakeFlow:
    flow_id: str
    client: str
    direction: str  # In | Out
    flow_type: str
    syntax: str
    data: bytes
    name: str
    tracking_id: str | None
    submitted_at: datetime
    updated_at: datetime
    ack: str = "Ok"
    details: list[dict[str, str]] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        ack: dict[str, Any] = {"status": self.ack}
        if self.details:
            ack["details"] = self.details
        return {
            "flowId": self.flow_id,
            "trackingId": self.tracking_id,
            "flowType": self.flow_type,
            "flowDirection": self.direction,
            "flowSyntax": self.syntax,
            "processingRule": "B2B",
            "submittedAt": self.submitted_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
            "acknowledgement": ack,
        }


def _error(status: int, code: str, message: str | None = None) -> JSONResponse:
    return JSONResponse({"errorCode": code, "errorMessage": message}, status_code=status)


@dataclass
class FakePlatform:
    base_url: str = ""
    flows: dict[str, FakeFlow] = field(default_factory=dict)
    directory: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    _rejections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _outages: list[int] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _last: datetime = field(default_factory=lambda: datetime.now(UTC))
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # --- addresses a business configures -------------------------------------------------

    @property
    def flow_url(self) -> str:
        return f"{self.base_url}/flow-service"

    @property
    def directory_url(self) -> str:
        return f"{self.base_url}/directory-service"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/auth/token"

    # --- hooks playing the other parties ---------------------------------------------------

    def reject_next(self, client: str, code: str, message: str) -> None:
        """The client's next submitted invoice is rejected with this reason."""
        with self._lock:
            self._rejections.setdefault(client, []).append((code, message))

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        """The next ``times`` flow requests answer ``status`` (an outage)."""
        with self._lock:
            self._outages.extend([status] * times)

    def deliver_invoice(self, client: str, data: bytes, name: str = "facture.pdf") -> str:
        """A supplier's invoice arrives for ``client``; returns its flow id."""
        syntax = "Factur-X" if data.lstrip()[:5] == b"%PDF-" else "CII"
        return self._add(client, "In", "SupplierInvoice", syntax, data, name, None).flow_id

    def buyer_status(
        self,
        client: str,
        invoice_number: str,
        code: int,
        *,
        reason: str | None = None,
        issuer_siren: str | None = None,
    ) -> str:
        """The buyer of ``client``'s invoice says something about it (a CDAR flow)."""
        message = LifecycleMessage(code, invoice_number, issuer_siren, reason, self._now())
        data = write_cdar(message, message_id=f"lc-{next(self._ids)}")
        return self._add(client, "In", "CustomerInvoiceLC", "CDAR", data, "cdar.xml", None).flow_id

    def register(
        self, siren: str, *, name: str, address: str, platform: str = "Plateforme locale"
    ) -> None:
        self.directory[siren] = {
            "siren": siren,
            "addressingIdentifier": address,
            "platform": {"name": platform},
            "legalUnit": {"businessName": name},
        }

    def sent_statuses(self, client: str) -> list[LifecycleMessage]:
        """The lifecycle statuses ``client`` sent, oldest first."""
        with self._lock:
            mine = [f for f in self.flows.values() if f.client == client and f.syntax == "CDAR"]
            return [read_cdar(f.data) for f in mine if f.direction == "Out"]

    def submitted_invoices(self, client: str) -> list[FakeFlow]:
        with self._lock:
            return [
                f
                for f in self.flows.values()
                if f.client == client and f.direction == "Out" and f.syntax != "CDAR"
            ]

    # --- plumbing ------------------------------------------------------------------------

    def _now(self) -> datetime:
        """Strictly increasing times: paging by ``updatedAfter`` never skips a flow."""
        with self._lock:
            self._last = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
            return self._last

    def _add(
        self,
        client: str,
        direction: str,
        flow_type: str,
        syntax: str,
        data: bytes,
        name: str,
        tracking_id: str | None,
        ack: str = "Ok",
    ) -> FakeFlow:
        with self._lock:
            now = self._now()
            flow = FakeFlow(
                f"flow-{next(self._ids):06d}",
                client,
                direction,
                flow_type,
                syntax,
                data,
                name,
                tracking_id,
                now,
                now,
                ack,
            )
            self.flows[flow.flow_id] = flow
            return flow

    def _client(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        return token.removeprefix("tok-") if token.startswith("tok-") else None

    def _outage(self) -> Response | None:
        with self._lock:
            status = self._outages.pop(0) if self._outages else None
        return _error(status, "RESOURCE_ERROR") if status else None

    # --- routes --------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        form = await request.form()
        client, secret = str(form.get("client_id") or ""), str(form.get("client_secret") or "")
        expected = self.secrets.get(client)
        if form.get("grant_type") != "client_credentials" or not client or not secret:
            return _error(400, "INVALID_REQUEST")
        if expected is not None and secret != expected:
            return _error(401, "INVALID_CLIENT")
        return JSONResponse(
            {"access_token": f"tok-{client}", "token_type": "Bearer", "expires_in": 3600}
        )

    async def submit(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return _error(401, "MISSING_TOKEN")
        if (outage := self._outage()) is not None:
            return outage
        form = await request.form()
        upload = form.get("file")
        info = json.loads(str(form.get("flowInfo") or "{}"))
        if upload is None or isinstance(upload, str) or "flowSyntax" not in info:
            return _error(400, "MISSING_REQUIRED_FIELD", "flowInfo and file are required")
        data = await upload.read()
        syntax = info["flowSyntax"]
        flow_type = "CustomerInvoice" if syntax != "CDAR" else _lc_type(data)
        flow = self._add(
            client,
            "Out",
            flow_type,
            syntax,
            data,
            info.get("name", ""),
            info.get("trackingId"),
            ack="Pending" if syntax != "CDAR" else "Ok",
        )
        return JSONResponse(
            {
                "flowId": flow.flow_id,
                "submittedAt": flow.submitted_at.isoformat(),
                **info,
            },
            status_code=202,
        )

    def _acknowledge(self, flow: FakeFlow) -> None:
        """The platform's checks run at the first look; an accepted invoice is then made
        available to its buyer, who says so."""
        if flow.ack != "Pending":
            return
        rejections = self._rejections.get(flow.client) or []
        if rejections:
            code, message = rejections.pop(0)
            flow.ack = "Error"
            flow.details = [
                {"level": "Error", "item": flow.name, "reasonCode": code, "reasonMessage": message}
            ]
        else:
            try:
                invoice = read_einvoice(flow.data)
            except DomainError as exc:
                flow.ack = "Error"
                flow.details = [
                    {
                        "level": "Error",
                        "item": flow.name,
                        "reasonCode": "InvalidSchema",
                        "reasonMessage": exc.message,
                    }
                ]
            else:
                flow.ack = "Ok"
                self.buyer_status(
                    flow.client, invoice.number, 203, issuer_siren=invoice.seller.siren
                )
        flow.updated_at = self._now()

    async def get(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return _error(401, "MISSING_TOKEN")
        if (outage := self._outage()) is not None:
            return outage
        with self._lock:
            flow = self.flows.get(request.path_params["flow_id"])
            if flow is None or flow.client != client:
                return _error(404, "MISSING_RESOURCE")
            self._acknowledge(flow)
        if request.query_params.get("docType", "Metadata") == "Metadata":
            return JSONResponse(flow.metadata())
        media = "application/pdf" if flow.data[:5] == b"%PDF-" else "application/xml"
        return Response(flow.data, media_type=media)

    async def search(self, request: Request) -> Response:
        client = self._client(request)
        if client is None:
            return _error(401, "MISSING_TOKEN")
        if (outage := self._outage()) is not None:
            return outage
        body = await request.json()
        where, limit = body.get("where") or {}, min(int(body.get("limit", 25)), 100)
        after = where.get("updatedAfter")
        since = datetime.fromisoformat(after) if after else None
        with self._lock:
            found = sorted(
                (
                    f
                    for f in self.flows.values()
                    if f.client == client
                    and f.direction in where.get("flowDirection", [f.direction])
                    and f.flow_type in where.get("flowType", [f.flow_type])
                    and (since is None or f.updated_at > since)
                ),
                key=lambda f: f.updated_at,
            )[:limit]
            results = [f.metadata() for f in found]
        return JSONResponse({"limit": limit, "filters": where, "results": results})

    async def directory_search(self, request: Request) -> Response:
        if self._client(request) is None:
            return _error(401, "MISSING_TOKEN")
        body = await request.json()
        siren = (body.get("where") or {}).get("siren")
        entry = self.directory.get(str(siren))
        return JSONResponse({"results": [entry] if entry else []})

    async def health(self, request: Request) -> Response:
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/auth/token", self.token, methods=["POST"]),
                Route("/flow-service/v1/flows", self.submit, methods=["POST"]),
                Route("/flow-service/v1/flows/search", self.search, methods=["POST"]),
                Route("/flow-service/v1/flows/{flow_id}", self.get, methods=["GET"]),
                Route("/flow-service/v1/healthcheck", self.health, methods=["GET"]),
                Route(
                    "/directory-service/v1/directory-line/search",
                    self.directory_search,
                    methods=["POST"],
                ),
            ]
        )


def _lc_type(data: bytes) -> str:
    """A lifecycle message about an invoice the sender issued (Encaissée) concerns a
    customer invoice; anything else a buyer says concerns a supplier invoice."""
    return "CustomerInvoiceLC" if read_cdar(data).code == 212 else "SupplierInvoiceLC"


def serve(fake: FakePlatform, port: int | None = None) -> tuple[uvicorn.Server, threading.Thread]:
    """Start ``fake`` on loopback (a free port unless given; its ``base_url`` is set)."""
    port = port or free_port()
    fake.base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(
            fake.app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake e-invoicing platform did not start")
        time.sleep(0.02)
    return server, thread
