"""Sending queued messages, and recording Meta's statuses on them.

A message is sent by whoever locks its row first (``FOR UPDATE SKIP LOCKED``): the task
queued after commit, a retry, or the sweep that finds what a dead worker or a broker
outage left behind. The Graph call happens while the row is locked, so two workers never
send the same row; a worker that dies after Meta accepted the message but before its
commit leaves it to be sent again — the one duplicate no protocol without an idempotency
key on Meta's side can exclude. 429 and 5xx are retried with back-off; after the last try
the message is given up and the business's admins are told in French. After 24 hours
without a message from the contact only templates may go out (error 131047).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from domain.identity.models import Membership
from domain.kit.clock import Clock
from domain.kit.db import Database
from domain.whatsapp import inbox, outbox
from domain.whatsapp.graph import WINDOW_CLOSED, GraphAPI, GraphError
from domain.whatsapp.invoice_sends import follow
from domain.whatsapp.models import WhatsAppContact, WhatsAppMessage
from domain.whatsapp.templates import notification_body, templates_of

BACKOFF = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
WINDOW = timedelta(hours=24)
RANK = {"queued": 0, "retrying": 0, "sent": 1, "delivered": 2, "read": 3}


@dataclass(frozen=True)
class Attempt:
    status: str  # the message's status after this attempt, or "skipped"
    retry_in: timedelta | None = None


def window_open(session: Session, tenant_id: UUID, phone: str, now: datetime) -> bool:
    last = session.scalar(
        select(WhatsAppContact.last_inbound_at).where(
            WhatsAppContact.tenant_id == tenant_id, WhatsAppContact.phone == phone
        )
    )
    return last is not None and now - last < WINDOW


def deliver(
    db: Database, graph: GraphAPI, clock: Clock, tenant_id: UUID, message_id: UUID
) -> Attempt:
    """Try to send one queued message now."""
    with db.unit_of_work(tenant_id) as session:
        row = session.scalar(
            select(WhatsAppMessage)
            .where(
                WhatsAppMessage.tenant_id == tenant_id,
                WhatsAppMessage.id == message_id,
                WhatsAppMessage.status.in_(("queued", "retrying")),
            )
            .with_for_update(skip_locked=True)
        )
        now = clock.now()
        if row is None or row.next_attempt_at > now:
            return Attempt("skipped")
        attempt = _attempt(session, graph, row, now)
        follow(row)  # an invoice sending carried by this message
        return attempt


def _attempt(session: Session, graph: GraphAPI, row: WhatsAppMessage, now: datetime) -> Attempt:
    """Send the locked row once and record the outcome."""
    tenant_id = row.tenant_id
    closed = row.kind != "template" and not window_open(session, tenant_id, row.to_phone, now)
    if closed and not _as_template(session, row):
        _fail(session, row, now, WINDOW_CLOSED, "fenêtre de 24 h fermée : modèle requis")
        return Attempt(row.status)
    row.attempts += 1
    try:
        wamid = _send(session, graph, row)
    except GraphError as error:
        return _failed_attempt(session, row, now, error)
    row.status, row.wamid, row.sent_at = "sent", wamid, now
    row.last_error = row.error_code = None
    session.flush()
    for early in inbox.statuses_for(session, wamid):
        apply_status(row, early.payload or {})
        inbox.finish(session, early, now, "applied")
    return Attempt(row.status)


def _send(session: Session, graph: GraphAPI, row: WhatsAppMessage) -> str:
    """Send the row; a text Meta refuses for a closed window (131047) goes again at once
    as the business's notification template, when it has one."""
    try:
        return graph.send_message(row.phone_number_id, row.to_phone, _with_media(graph, row))
    except GraphError as error:
        if error.code != WINDOW_CLOSED or not _as_template(session, row):
            raise
    return graph.send_message(row.phone_number_id, row.to_phone, row.body)


def _as_template(session: Session, row: WhatsAppMessage) -> bool:
    """Turn a plain text into the business's notification template (False if it has none)."""
    if row.kind != "text":
        return False
    text_ = str((row.body.get("text") or {}).get("body") or "")
    body = notification_body(templates_of(session, row.tenant_id, row.phone_number_id), text_)
    if body is None:
        return False
    row.kind, row.body = "template", body
    session.flush()
    return True


def _with_media(graph: GraphAPI, row: WhatsAppMessage) -> dict[str, Any]:
    """The body to send: a file is uploaded first and named by its media id — the
    document of a document message, the header document of a template."""
    if row.media is None:
        return row.body
    body = copy.deepcopy(row.body)
    if row.kind == "document":
        document = body.setdefault("document", {})
    else:
        header = next(c for c in body["template"]["components"] if c.get("type") == "header")
        document = header["parameters"][0]["document"]
    document["id"] = graph.upload_media(
        row.phone_number_id,
        row.media,
        row.media_type or "application/octet-stream",
        str(document.get("filename") or "document"),
    )
    return body


def _failed_attempt(
    session: Session, row: WhatsAppMessage, now: datetime, error: GraphError
) -> Attempt:
    row.last_error, row.error_code = error.message[:500], error.code
    if error.retryable and row.attempts < MAX_ATTEMPTS:
        delay = BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)]
        row.status, row.next_attempt_at = "retrying", now + delay
        session.flush()
        return Attempt("retrying", delay)
    _fail(session, row, now, error.code, error.message)
    return Attempt(row.status)


def _fail(
    session: Session, row: WhatsAppMessage, now: datetime, code: int | None, reason: str
) -> None:
    row.status = "given_up" if row.attempts >= MAX_ATTEMPTS else "failed"
    row.failed_at, row.error_code, row.last_error = now, code, reason[:500]
    session.flush()
    if not row.dedup_key.startswith("notice:"):
        _tell_admins(session, row)


def _tell_admins(session: Session, row: WhatsAppMessage) -> None:
    """A French notice to the business's admins (by WhatsApp, where they have a phone),
    except to the person the failed message was for."""
    why = (
        "le destinataire n'a pas écrit depuis plus de 24 h (un modèle de message est requis)"
        if row.error_code == WINDOW_CLOSED
        else f"après {row.attempts} essai(s) : {row.last_error or 'erreur inconnue'}"
    )
    notice = f"Un message WhatsApp pour {row.to_phone} n'a pas pu être envoyé — {why}."
    admins = session.scalars(
        select(Membership.user_id).where(
            Membership.tenant_id == row.tenant_id,
            Membership.is_active.is_(True),
            text("'admin' = ANY(memberships.roles)"),
        )
    )
    for admin_id in admins:
        phone = outbox.member_phone(session, row.tenant_id, admin_id)
        if phone and phone != row.to_phone:
            outbox.queue(
                session,
                row.tenant_id,
                phone_number_id=row.phone_number_id,
                to_phone=phone,
                kind="text",
                body=outbox.text_body(notice),
                dedup_key=f"notice:{row.id}:{admin_id}",
                user_id=admin_id,
            )


def apply_status(row: WhatsAppMessage, status: dict[str, Any]) -> None:
    """Record one of Meta's statuses; they may come in any order, and a message never
    moves back (a late ``sent`` after ``read`` changes nothing but its time)."""
    state = str(status.get("status") or "")
    at = _timestamp(status.get("timestamp"))
    if state == "sent":
        row.sent_at = row.sent_at or at
    elif state == "delivered":
        row.delivered_at = row.delivered_at or at
    elif state == "read":
        row.read_at = row.read_at or at
    elif state == "failed":
        row.failed_at = row.failed_at or at
        errors = status.get("errors") or [{}]
        row.error_code = errors[0].get("code")
        row.last_error = str(errors[0].get("title") or errors[0].get("message") or "")[:500]
        if RANK.get(row.status, 0) < RANK["delivered"]:
            row.status = "failed"
        return
    if state in RANK and row.status != "failed" and RANK[state] > RANK.get(row.status, 0):
        row.status = state


def _timestamp(value: Any) -> datetime | None:
    from datetime import UTC

    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError):
        return None


def due(db: Database, now: datetime, *, limit: int = 200) -> list[tuple[UUID, UUID]]:
    """Messages of every business waiting for a (first or next) try."""
    with db.unit_of_work() as session:
        rows = session.execute(
            text("SELECT tenant_id, id FROM comptoir_whatsapp_due(:now, :limit)"),
            {"now": now, "limit": limit},
        )
        return [(r.tenant_id, r.id) for r in rows]


GraphFactory = Callable[[], GraphAPI]
