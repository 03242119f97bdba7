"""Notifications: what members are told, in the in-app centre and on their channels.

``notify`` writes one notification per recipient and one delivery per outside channel the
member chose (e-mail by default), held past their quiet hours. It only writes: the
deliveries are sent after commit by the automations' senders (``automations.channels``),
each once — a delivery row is locked while it is sent and marked sent in that transaction.
A ``dedup_key`` makes a retried producer write the same notification once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.automations.models import Notification, NotificationDelivery, NotificationPreference
from domain.events import service as events
from domain.identity.models import Membership, Tenant, User
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role

DEFAULT_CHANNELS = ("in_app", "email")
OUTSIDE_CHANNELS = ("email", "whatsapp")


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: tuple[str, ...]
    quiet_start: time | None
    quiet_end: time | None


def members_with_roles(session: Session, tenant_id: UUID, *roles: Role) -> list[UUID]:
    """Active members holding one of ``roles`` (admins always), oldest membership first."""
    wanted = sorted({Role.ADMIN.value, *(r.value for r in roles)})
    return list(
        session.scalars(
            select(Membership.user_id)
            .where(
                Membership.tenant_id == tenant_id,
                Membership.is_active,
                Membership.roles.overlap(wanted),
            )
            .order_by(Membership.created_at)
        )
    )


def preferences(session: Session, tenant_id: UUID, user_id: UUID) -> Preferences:
    row = session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.tenant_id == tenant_id,
            NotificationPreference.user_id == user_id,
        )
    )
    if row is None:
        return Preferences(DEFAULT_CHANNELS, None, None)
    return Preferences(tuple(row.channels), row.quiet_start, row.quiet_end)


def quiet_until(prefs: Preferences, now: datetime, timezone: str) -> datetime:
    """``now`` if it is outside the member's quiet hours, else when they end (aware)."""
    if prefs.quiet_start is None or prefs.quiet_end is None:
        return now
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start, end, clock = prefs.quiet_start, prefs.quiet_end, local.time()
    spans_midnight = start > end
    inside = (clock >= start or clock < end) if spans_midnight else start <= clock < end
    if not inside:
        return now
    day = local.date() + timedelta(days=1 if spans_midnight and clock >= start else 0)
    return datetime.combine(day, end, tzinfo=zone)


def _address(user: User, channel: str) -> str | None:
    return user.email if channel == "email" else user.phone if channel == "whatsapp" else None


def notify(
    session: Session,
    principal: Principal,
    now: datetime,
    user_ids: list[UUID],
    *,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
    dedup_key: str | None = None,
    channels: list[str] | None = None,
) -> list[Notification]:
    """Notify each of ``user_ids``; returns the notifications written (a repeated
    ``dedup_key`` writes nothing). An event names the deliveries to send after commit.
    ``channels``: the channels the sender chose (a rule « sur WhatsApp »), instead of each
    member's own; quiet hours still apply."""
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    written: list[Notification] = []
    deliveries: list[UUID] = []
    for user_id in dict.fromkeys(user_ids):
        notification = _write(session, tenant.id, user_id, kind, title, body, data, dedup_key)
        if notification is None:
            continue
        written.append(notification)
        deliveries += _deliveries(session, tenant, notification, now, channels)
    if deliveries:
        events.emit(session, principal, "notification.deliveries_due", delivery_ids=deliveries)
    return written


def _write(
    session: Session,
    tenant_id: UUID,
    user_id: UUID,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any] | None,
    dedup_key: str | None,
) -> Notification | None:
    values = {
        "tenant_id": tenant_id,
        "id": uuid7(),
        "user_id": user_id,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "data": data or {},
        "dedup_key": dedup_key,
    }
    new_id = session.scalar(
        insert(Notification)
        .values(values)
        .on_conflict_do_nothing(constraint="uq_notifications_tenant_id_user_id_dedup_key")
        .returning(Notification.id)
    )
    return None if new_id is None else session.get(Notification, (tenant_id, new_id))


def _deliveries(
    session: Session,
    tenant: Tenant,
    notification: Notification,
    now: datetime,
    channels: list[str] | None = None,
) -> list[UUID]:
    prefs = preferences(session, tenant.id, notification.user_id)
    user = session.get(User, notification.user_id)
    if user is None:
        return []
    not_before = quiet_until(prefs, now, tenant.timezone)
    ids = []
    for channel in prefs.channels if channels is None else channels:
        address = _address(user, channel)
        if channel not in OUTSIDE_CHANNELS or not address:
            continue
        delivery = NotificationDelivery(
            tenant_id=tenant.id,
            id=uuid7(),
            notification_id=notification.id,
            channel=channel,
            address=address,
            not_before=not_before,
        )
        session.add(delivery)
        ids.append(delivery.id)
    session.flush()
    return ids


# --- the member's side: the in-app centre and preferences ---------------------------


def list_notifications(
    session: Session, principal: Principal, *, unread_only: bool = False, limit: int = 50
) -> tuple[list[Notification], int]:
    """The member's notifications, newest first, and how many are unread."""
    mine = (Notification.tenant_id == principal.tenant_id) & (
        Notification.user_id == principal.user_id
    )
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        )
    )
    unread = session.query(Notification).where(mine, Notification.read_at.is_(None)).count()
    return rows, unread


def mark_read(
    session: Session, principal: Principal, now: datetime, notification_id: UUID | None = None
) -> int:
    """Mark one of the member's notifications read (or all of them); returns how many."""
    query = update(Notification).where(
        Notification.tenant_id == principal.tenant_id,
        Notification.user_id == principal.user_id,
        Notification.read_at.is_(None),
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    count = session.execute(query.values(read_at=now)).rowcount  # type: ignore[attr-defined]
    if notification_id is not None and count == 0:
        exists = session.get(Notification, (principal.tenant_id, notification_id))
        if exists is None or exists.user_id != principal.user_id:
            raise NotFound("Notification introuvable.")
    return int(count)


def set_preferences(
    session: Session,
    principal: Principal,
    *,
    channels: list[str],
    quiet_start: time | None,
    quiet_end: time | None,
) -> Preferences:
    """The member's own channels (in-app is always on) and quiet hours."""
    unknown = [c for c in channels if c not in ("in_app", *OUTSIDE_CHANNELS)]
    if unknown:
        raise InvalidInput(f"Canal inconnu : {', '.join(unknown)}.", field="channels")
    if (quiet_start is None) != (quiet_end is None):
        raise InvalidInput(
            "Les heures calmes ont un début et une fin, ou ni l'un ni l'autre.",
            field="quiet_start",
        )
    chosen = ["in_app", *[c for c in dict.fromkeys(channels) if c != "in_app"]]
    values = {"channels": chosen, "quiet_start": quiet_start, "quiet_end": quiet_end}
    session.execute(
        insert(NotificationPreference)
        .values(tenant_id=principal.tenant_id, id=uuid7(), user_id=principal.user_id, **values)
        .on_conflict_do_update(
            constraint="uq_notification_preferences_tenant_id_user_id", set_=values
        )
    )
    return Preferences(tuple(chosen), quiet_start, quiet_end)
