"""The WhatsApp Cloud API webhook, and the admin's link between the business and its
WhatsApp number.

``GET /webhooks/whatsapp`` answers Meta's verification handshake. ``POST`` checks the
``X-Hub-Signature-256`` HMAC of the raw body, records each message and status under its
own key (a redelivery or a concurrent copy adds nothing) and answers 200 at once; the
work happens in the Celery worker (api/whatsapp_bot.py). A delivery without a valid
signature is refused and leaves only a platform audit entry. Without the WhatsApp
settings the webhook answers 503 and does nothing else.
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from api.deps import ContainerDep, ContextDep, PrincipalDep, declare_channel
from comptoir.bootstrap import Container
from domain.audit.service import RequestContext, record_attempt
from domain.kit import inputs
from domain.kit.principal import Channel
from domain.whatsapp import inbox
from domain.whatsapp.invoice_sends import sends_of
from domain.whatsapp.links import LinkOut, link_number, list_links, set_member_phone
from domain.whatsapp.templates import TemplatesIn, set_templates

log = logging.getLogger("comptoir.api.whatsapp")

# Meta's endpoint, not part of the API clients use: left out of the OpenAPI schema.
webhook_router = APIRouter(
    prefix="/webhooks",
    tags=["whatsapp"],
    dependencies=[declare_channel(Channel.WHATSAPP)],
    include_in_schema=False,
)
router = APIRouter(prefix="/api/v1/whatsapp", tags=["whatsapp"])
# An invoice's sendings, beside the invoice's own routes.
sends_router = APIRouter(prefix="/api/v1/invoices", tags=["finance"])

NOT_CONFIGURED = (
    "WhatsApp n'est pas configuré sur ce serveur : définissez COMPTOIR_WHATSAPP_ACCESS_TOKEN, "
    "COMPTOIR_WHATSAPP_APP_SECRET et COMPTOIR_WHATSAPP_VERIFY_TOKEN (voir docs/whatsapp.md)."
)


def _configured(c: Container) -> bool:
    s = c.settings
    return bool(s.whatsapp_access_token and s.whatsapp_app_secret and s.whatsapp_verify_token)


def _unavailable() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "whatsapp_not_configured", "message": NOT_CONFIGURED}},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


@webhook_router.get("/whatsapp", summary="Vérification du webhook WhatsApp (Meta)")
def verify(request: Request, c: ContainerDep) -> Response:
    if not _configured(c):
        return _unavailable()
    params = request.query_params
    token = params.get("hub.verify_token", "")
    expected = c.settings.whatsapp_verify_token or ""
    if params.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), expected.encode()
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Vérification refusée.", status_code=status.HTTP_403_FORBIDDEN)


@webhook_router.post("/whatsapp", summary="Messages et statuts WhatsApp (Meta)")
async def receive(request: Request, c: ContainerDep, ctx: ContextDep) -> Response:
    if not _configured(c):
        return _unavailable()
    body = await request.body()
    header = request.headers.get("x-hub-signature-256")
    if not inbox.signature_valid(c.settings.whatsapp_app_secret or "", body, header):
        await anyio.to_thread.run_sync(_refuse, c, ctx, header is None, len(body))
        code = status.HTTP_401_UNAUTHORIZED if header is None else status.HTTP_403_FORBIDDEN
        return PlainTextResponse("Signature invalide.", status_code=code)
    try:
        payload = json.loads(body)
    except ValueError:
        return PlainTextResponse("Corps illisible.", status_code=status.HTTP_400_BAD_REQUEST)
    items = inbox.items_of(payload if isinstance(payload, dict) else {})
    created = await anyio.to_thread.run_sync(_record, c, items) if items else []
    # Durable once committed: the answer goes out now, the tasks are queued just after it
    # (a process dying in between leaves them to the sweep).
    return PlainTextResponse("OK", background=BackgroundTask(_hand_over, created))


def _refuse(c: Container, ctx: RequestContext, missing: bool, size: int) -> None:
    record_attempt(
        c.db,
        ctx,
        "whatsapp.webhook",
        outcome="refused",
        details={"reason": "signature_missing" if missing else "signature_invalid", "bytes": size},
    )


def _record(c: Container, items: list[inbox.Item]) -> list[UUID]:
    with c.db.unit_of_work() as session:
        return inbox.record(session, items, c.clock.now())


def _hand_over(created: list[UUID]) -> None:
    """Queue the processing of what this delivery added (after its commit); a broker
    outage leaves it to the sweep."""
    from automations.whatsapp import queue_inbound

    for inbound_id in created:
        queue_inbound(inbound_id)


class LinkIn(inputs.InputModel):
    phone_number_id: str = Field(min_length=5, max_length=32, examples=["106540352242922"])


@router.post(
    "/links",
    response_model=LinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Relier l'entreprise à son numéro WhatsApp Business (admin)",
)
def create_link(body: LinkIn, c: ContainerDep, principal: PrincipalDep) -> LinkOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return LinkOut.model_validate(link_number(session, principal, body.phone_number_id))


@router.get("/links", response_model=list[LinkOut], summary="Numéros WhatsApp reliés (admin)")
def get_links(c: ContainerDep, principal: PrincipalDep) -> list[LinkOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [LinkOut.model_validate(x) for x in list_links(session, principal)]


@router.put(
    "/links/{link_id}/templates",
    response_model=LinkOut,
    summary="Modèles de message approuvés par Meta, par usage (admin)",
)
def put_templates(
    link_id: UUID, body: TemplatesIn, c: ContainerDep, principal: PrincipalDep
) -> LinkOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        set_templates(session, principal, link_id, body)
        link = next(x for x in list_links(session, principal) if x.id == link_id)
        return LinkOut.model_validate(link)


class PhoneIn(inputs.InputModel):
    phone: str | None = Field(default=None, max_length=32, examples=["+221 77 123 45 67"])


class PhoneOut(BaseModel):
    user_id: UUID
    phone: str | None


@router.put(
    "/members/{user_id}/phone",
    response_model=PhoneOut,
    summary="Numéro WhatsApp d'un membre (le sien, ou celui d'un membre pour l'admin)",
)
def put_phone(user_id: UUID, body: PhoneIn, c: ContainerDep, principal: PrincipalDep) -> PhoneOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        phone = set_member_phone(session, principal, user_id, body.phone)
    return PhoneOut(user_id=user_id, phone=phone)


class InvoiceSendOut(BaseModel):
    """One sending of an invoice (``finance.send_invoice``): channel, recipient, status."""

    model_config = ConfigDict(from_attributes=True)
    id: UUID
    channel: str
    recipient: str
    recipient_name: str
    to_member: UUID | None
    sent_by: UUID | None
    status: str
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None


@sends_router.get(
    "/{invoice_id}/sends",
    response_model=list[InvoiceSendOut],
    summary="Envois d'une facture (WhatsApp, e-mail) et leur statut",
)
def get_invoice_sends(
    invoice_id: UUID, c: ContainerDep, principal: PrincipalDep
) -> list[InvoiceSendOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = sends_of(session, principal, c.clock, invoice_id)
        return [InvoiceSendOut.model_validate(x) for x in found]
