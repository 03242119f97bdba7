"""WhatsApp in the worker: processing recorded deliveries, sending the outbox.

- ``process`` runs one delivery the webhook recorded (api/whatsapp_bot.py);
- an outgoing message announces itself with a domain event; its relay sends it at once
  (``send_queued``), and a retry after a 429/5xx is the ``deliver`` task, queued with its
  back-off;
- ``sweep`` (beat, every minute) re-queues deliveries nobody finished (a worker killed
  mid-way, the broker down) and messages whose time has come;
- ``purge_inbox`` (beat, daily) deletes the keys of deliveries processed over 30 days ago.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.orm import Session

from automations.celery_app import app
from automations.events import subscribe
from automations.maintenance import container_for_tasks
from comptoir.bootstrap import Container
from domain.events.models import DomainEvent
from domain.whatsapp import delivery, inbox
from domain.whatsapp.graph import GraphAPI
from domain.whatsapp.outbox import QUEUED_EVENT

log = logging.getLogger("comptoir.whatsapp")
_clients: dict[tuple[str, str], GraphAPI] = {}


def graph_for(container: Container) -> GraphAPI | None:
    """The Graph API client of this process (None until WhatsApp is configured)."""
    s = container.settings
    if not s.whatsapp_access_token:
        return None
    key = (s.whatsapp_api_url, s.whatsapp_access_token)
    if key not in _clients:
        _clients[key] = GraphAPI(*key)
    return _clients[key]


def send_now(container: Container, tenant_id: UUID, message_id: UUID) -> str:
    """Try to send one message; a retry is queued with its back-off."""
    graph = graph_for(container)
    if graph is None:
        log.warning("WhatsApp not configured: message %s stays queued", message_id)
        return "not_configured"
    attempt = delivery.deliver(container.db, graph, container.clock, tenant_id, message_id)
    if attempt.retry_in is not None:
        countdown = attempt.retry_in.total_seconds()
        _queue(deliver, [str(tenant_id), str(message_id)], countdown=countdown)
    return attempt.status


@subscribe(QUEUED_EVENT)
def send_queued(session: Session, event: DomainEvent) -> None:
    send_now(container_for_tasks(), event.tenant_id, UUID(event.payload["message_id"]))


@app.task(name="automations.whatsapp.process")  # type: ignore[untyped-decorator]
def process(inbound_id: str) -> str:
    return process_then_send(container_for_tasks(), UUID(inbound_id))


def process_then_send(container: Container, inbound_id: UUID) -> str:
    """Process one delivery, then send its replies from here at once (committed by then):
    no wait behind other tasks for their relay, which will find them sent."""
    from api.whatsapp_bot import QUEUED
    from api.whatsapp_bot import process as process_delivery

    queued: list[tuple[UUID, UUID]] = []
    token = QUEUED.set(queued)
    try:
        outcome = process_delivery(container, inbound_id)
    finally:
        QUEUED.reset(token)
    for tenant_id, message_id in queued:
        send_now(container, tenant_id, message_id)
    return outcome


@app.task(name="automations.whatsapp.deliver")  # type: ignore[untyped-decorator]
def deliver(tenant_id: str, message_id: str) -> str:
    return send_now(container_for_tasks(), UUID(tenant_id), UUID(message_id))


def sweep_now(container: Container) -> tuple[int, int]:
    """Re-queue unfinished deliveries and due messages; returns how many of each."""
    now = container.clock.now()
    with container.db.unit_of_work() as session:
        waiting = inbox.waiting(session, now)
    for inbound_id in waiting:
        queue_inbound(inbound_id)
    due = delivery.due(container.db, now)
    for tenant_id, message_id in due:
        _queue(deliver, [str(tenant_id), str(message_id)])
    return len(waiting), len(due)


@app.task(name="automations.whatsapp.sweep")  # type: ignore[untyped-decorator]
def sweep() -> list[int]:
    return list(sweep_now(container_for_tasks()))


@app.task(name="automations.whatsapp.purge_inbox")  # type: ignore[untyped-decorator]
def purge_inbox() -> int:
    container = container_for_tasks()
    with container.db.unit_of_work() as session:
        return inbox.purge(session, container.clock.now())


def queue_inbound(inbound_id: UUID) -> None:
    _queue(process, [str(inbound_id)])


def _queue(task: object, args: list[str], countdown: float | None = None) -> None:
    """Queue a task, never failing the caller: the sweep finds what could not be queued."""
    try:
        task.apply_async(args=args, countdown=countdown, retry=False)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        log.warning("could not queue %s%s; the sweep will", getattr(task, "name", task), args)
