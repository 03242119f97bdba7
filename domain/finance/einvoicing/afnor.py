"""``EInvoicingPlatform`` over HTTP, shaped after AFNOR XP Z12-013 (docs/einvoicing.md).

- **Flow Service** (annex A, v1.1.0): ``POST /v1/flows`` (multipart: ``flowInfo`` JSON and
  the ``file``; answers 202 with the ``flowId``), ``POST /v1/flows/search`` (``where``:
  direction, types, ``updatedAfter`` — paging is by ``updatedAfter``), ``GET
  /v1/flows/{flowId}`` (``docType=Metadata`` → the flow and its acknowledgement,
  ``docType=Original`` → the file). Invoices and lifecycle messages (CDAR) are both flows.
- **Directory Service** (annex B): ``POST /v1/directory-line/search`` by SIREN.
- **Authentication**: a bearer token from an OAuth2 client-credentials ``token_url`` when
  one is configured (cached until it expires), else the secret itself as a bearer API key.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from domain.finance.einvoicing.lifecycle import write_cdar
from domain.finance.einvoicing.platform import (
    Acknowledgement,
    AckStatus,
    DirectoryEntry,
    IncomingFlow,
    LifecycleMessage,
    PlatformRefused,
    PlatformUnavailable,
    Submission,
)

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
INCOMING_TYPES = ["SupplierInvoice", "CustomerInvoiceLC", "SupplierInvoiceLC"]
ACK: dict[str, AckStatus] = {"Pending": "pending", "Ok": "ok", "Error": "error"}


@dataclass(frozen=True)
class PlatformConfig:
    flow_url: str
    directory_url: str
    token_url: str | None
    client_id: str | None
    client_secret: str | None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class AfnorPlatform:
    """One business's account on a platform that implements XP Z12-013."""

    def __init__(self, config: PlatformConfig, *, http: httpx.Client | None = None):
        self.config = config
        self._http = http or _shared_client()
        self._token: tuple[str, float] | None = None

    # --- plumbing ---------------------------------------------------------------------

    def _bearer(self) -> str:
        c = self.config
        if not c.token_url:
            return c.client_secret or ""
        if self._token is None or self._token[1] <= time.monotonic():
            answer = self._send(
                "POST",
                c.token_url,
                auth=False,
                data={
                    "grant_type": "client_credentials",
                    "client_id": c.client_id or "",
                    "client_secret": c.client_secret or "",
                },
            )
            body = answer.json()
            lifetime = float(body.get("expires_in", 300)) - 30
            self._token = (str(body["access_token"]), time.monotonic() + lifetime)
        return self._token[0]

    def _send(self, method: str, url: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._bearer()}"} if auth else {}
        try:
            answer = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise PlatformUnavailable(
                "La plateforme de facturation électronique ne répond pas : nouvel essai plus tard."
            ) from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise PlatformUnavailable(
                f"La plateforme de facturation électronique est indisponible "
                f"({answer.status_code}) : nouvel essai plus tard."
            )
        if answer.status_code in (401, 403):
            raise PlatformRefused(
                "La plateforme de facturation électronique refuse nos identifiants : "
                "vérifiez la configuration."
            )
        if answer.status_code >= 400:
            detail = _error_text(answer)
            raise PlatformRefused(f"La plateforme de facturation électronique refuse : {detail}")
        return answer

    def _flow(self, path: str) -> str:
        return f"{self.config.flow_url.rstrip('/')}/v1/{path}"

    def _post_flow(self, data: bytes, info: dict[str, Any], filename: str, mime: str) -> Submission:
        info = {**info, "name": filename[:255], "sha256": hashlib.sha256(data).hexdigest()}
        files = [
            ("flowInfo", (None, json.dumps(info), "application/json")),
            ("file", (filename, data, mime)),
        ]
        body = self._send("POST", self._flow("flows"), files=files).json()
        return Submission(flow_id=str(body["flowId"]), submitted_at=_time(body.get("submittedAt")))

    # --- the port ---------------------------------------------------------------------

    def submit_invoice(self, data: bytes, *, filename: str, tracking_id: str) -> Submission:
        info = {
            "trackingId": tracking_id,
            "processingRule": "B2B",
            "flowSyntax": "Factur-X",
            "flowProfile": "CIUS",
        }
        return self._post_flow(data, info, filename, "application/pdf")

    def acknowledgement(self, flow_id: str) -> Acknowledgement:
        body = self._send("GET", self._flow(f"flows/{flow_id}"), params={"docType": "Metadata"})
        ack = body.json().get("acknowledgement") or {}
        reasons = [
            f"{d.get('reasonCode', '')} : {d.get('reasonMessage', '')}".strip(" :")
            for d in ack.get("details") or []
            if d.get("level", "Error") == "Error"
        ]
        return Acknowledgement(
            status=ACK.get(ack.get("status", "Pending"), "pending"), reasons=reasons
        )

    def incoming(self, *, since: datetime | None, limit: int = 100) -> list[IncomingFlow]:
        where: dict[str, Any] = {"flowDirection": ["In"], "flowType": INCOMING_TYPES}
        if since is not None:
            where["updatedAfter"] = since.isoformat()
        body = self._send(
            "POST", self._flow("flows/search"), json={"limit": limit, "where": where}
        ).json()
        flows = [
            IncomingFlow(
                flow_id=str(r["flowId"]),
                kind="lifecycle" if str(r.get("flowType", "")).endswith("LC") else "invoice",
                updated_at=_time(r.get("updatedAt") or r.get("submittedAt")) or datetime.min,
                syntax=str(r.get("flowSyntax", "")),
            )
            for r in body.get("results") or []
        ]
        return sorted(flows, key=lambda f: f.updated_at)

    def download(self, flow_id: str) -> bytes:
        return self._send(
            "GET", self._flow(f"flows/{flow_id}"), params={"docType": "Original"}
        ).content

    def send_status(self, message: LifecycleMessage, *, tracking_id: str) -> Submission:
        data = write_cdar(message, message_id=tracking_id)
        info = {"trackingId": tracking_id, "processingRule": "B2B", "flowSyntax": "CDAR"}
        return self._post_flow(data, info, f"cdar-{tracking_id}.xml", "application/xml")

    def lookup(self, siren: str) -> DirectoryEntry:
        url = f"{self.config.directory_url.rstrip('/')}/v1/directory-line/search"
        body = self._send("POST", url, json={"where": {"siren": siren}, "limit": 10}).json()
        lines = body.get("results") or []
        if not lines:
            return DirectoryEntry(siren, None, False, None, None)
        line = lines[0]
        platform = line.get("platform") or {}
        legal = line.get("legalUnit") or {}
        return DirectoryEntry(
            siren=siren,
            name=legal.get("businessName"),
            on_einvoicing=bool(line.get("addressingIdentifier")),
            address=line.get("addressingIdentifier"),
            platform=platform.get("name") or platform.get("registrationId"),
        )


_CLIENT: list[httpx.Client] = []


def _shared_client() -> httpx.Client:
    """One connection pool per process (httpx's client is thread-safe): an adapter is
    built per unit of work and must not leave a pool behind each time."""
    if not _CLIENT:
        _CLIENT.append(httpx.Client(timeout=TIMEOUT))
    return _CLIENT[0]


def _error_text(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"erreur {answer.status_code}"
    code, message = body.get("errorCode"), body.get("errorMessage")
    return " — ".join(str(x) for x in (code, message) if x) or f"erreur {answer.status_code}"
