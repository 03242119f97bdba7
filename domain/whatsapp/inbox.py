"""The inbox of webhook deliveries: signature check, recording each item once under its
key, claiming it for processing, and marking it done.

Meta redelivers a webhook until it gets a 200 and may send the same item concurrently:
each message or status is inserted under a unique key (``message:<wamid>``,
``status:<wamid>:<status>``) with ``ON CONFLICT DO NOTHING``, and only the insert that
created the row hands it to the worker. A worker claims a row for a short lease before
processing it and marks it processed in the same transaction as the work it did.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.kit.ids import uuid7
from domain.whatsapp.models import WhatsAppInbound

SIGNATURE_PREFIX = "sha256="
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
# Meta retries a delivery for up to 7 days: a processed key is kept longer than that, so a
# late redelivery still finds it, then deleted.
KEEP_KEYS = timedelta(days=30)


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256`` is ``sha256=`` + the HMAC-SHA256 of the raw body with the
    app secret; compared in constant time."""
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len(SIGNATURE_PREFIX) :].strip().lower())


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    phone_number_id: str
    wamid: str
    payload: dict[str, Any]


def _profile_names(value: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict) and contact.get("wa_id"):
            names[str(contact["wa_id"])] = str((contact.get("profile") or {}).get("name") or "")
    return names


def items_of(body: dict[str, Any]) -> list[Item]:
    """The messages and statuses a webhook body carries (other fields are ignored)."""
    found: list[Item] = []
    for entry in body.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            phone_number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if change.get("field") != "messages" or not phone_number_id:
                continue
            names = _profile_names(value)
            for message in value.get("messages") or []:
                wamid = str(message.get("id") or "")
                if wamid:
                    payload = {**message, "profile_name": names.get(str(message.get("from")))}
                    found.append(
                        Item(f"message:{wamid}", "message", phone_number_id, wamid, payload)
                    )
            for status in value.get("statuses") or []:
                wamid, state = str(status.get("id") or ""), str(status.get("status") or "")
                if wamid and state:
                    key = f"status:{wamid}:{state}"
                    found.append(Item(key, "status", phone_number_id, wamid, dict(status)))
    return found


def record(session: Session, items: list[Item], now: datetime) -> list[UUID]:
    """Insert the items not seen before, in one statement (Meta batches statuses: one
    round trip however many); the ids of those this call inserted."""
    if not items:
        return []
    rows = [
        {
            "id": uuid7(),
            "key": item.key[:200],
            "kind": item.kind,
            "phone_number_id": item.phone_number_id[:32],
            "wamid": item.wamid[:128],
            "payload": item.payload,
            "received_at": now,
            "attempts": 0,
        }
        for item in items
    ]
    inserted = session.scalars(
        insert(WhatsAppInbound)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(WhatsAppInbound.id)
    )
    return list(inserted)


def claim(session: Session, inbound_id: UUID, now: datetime) -> WhatsAppInbound | None:
    """Take the row for a lease if it is unprocessed and nobody holds it (else None)."""
    row = session.scalar(
        select(WhatsAppInbound)
        .where(WhatsAppInbound.id == inbound_id, WhatsAppInbound.processed_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    if row is None or (row.claimed_until is not None and row.claimed_until > now):
        return None
    row.claimed_until = now + LEASE
    row.attempts += 1
    session.flush()
    return row


def lock_unprocessed(session: Session, inbound_id: UUID) -> WhatsAppInbound | None:
    """The row, locked until the caller's transaction ends, if still unprocessed: the
    second wall against processing one delivery twice."""
    return session.scalar(
        select(WhatsAppInbound)
        .where(WhatsAppInbound.id == inbound_id, WhatsAppInbound.processed_at.is_(None))
        .with_for_update()
    )


def finish(
    session: Session, row: WhatsAppInbound, now: datetime, outcome: str, *, keep: bool = False
) -> None:
    """Mark processed; a message's content is dropped unless ``keep`` (a message put on
    hold while the sender says which business they mean)."""
    row.processed_at, row.outcome = now, outcome[:32]
    if not keep and row.kind == "message":
        row.payload = None
    session.flush()


def release(session: Session, inbound_id: UUID) -> None:
    """Give the lease back (the work failed and may be tried again at once)."""
    session.execute(
        update(WhatsAppInbound).where(WhatsAppInbound.id == inbound_id).values(claimed_until=None)
    )


def waiting(session: Session, now: datetime, *, limit: int = 200) -> list[UUID]:
    """Unprocessed rows whose lease is over (a worker died, the broker was down)."""
    return list(
        session.scalars(
            select(WhatsAppInbound.id)
            .where(
                WhatsAppInbound.processed_at.is_(None),
                WhatsAppInbound.received_at < now - timedelta(seconds=30),
                (WhatsAppInbound.claimed_until.is_(None)) | (WhatsAppInbound.claimed_until < now),
            )
            .order_by(WhatsAppInbound.received_at)
            .limit(limit)
        )
    )


def statuses_for(session: Session, wamid: str) -> list[WhatsAppInbound]:
    """Status items of ``wamid`` received before the message's id was known (Meta may
    report ``sent`` before the send call's own answer is committed)."""
    return list(
        session.scalars(
            select(WhatsAppInbound)
            .where(
                WhatsAppInbound.wamid == wamid,
                WhatsAppInbound.kind == "status",
                WhatsAppInbound.processed_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        )
    )


def purge(session: Session, now: datetime) -> int:
    """Delete processed items older than ``KEEP_KEYS``; how many went."""
    result = session.execute(
        delete(WhatsAppInbound).where(
            WhatsAppInbound.processed_at.is_not(None),
            WhatsAppInbound.received_at < now - KEEP_KEYS,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
