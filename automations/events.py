"""Relaying domain events from the outbox to their subscribers, in Celery.

``relay`` is queued right after the commit that wrote the events — one message per
transaction and tenant, naming each event the transaction committed, in the order they were
emitted; ``sweep`` (beat, every minute) re-queues anything left undispatched, e.g. when the
broker was down at commit time. Each event is handled in a transaction of its own, scoped
to its tenant, where its subscribers run: one event's failing subscriber neither undoes
nor holds back another's. Nobody reads the relay's return value, so Celery stores no
result for it (no result subscription when publishing, no result written by the worker).
"""

from __future__ import annotations

import json
import logging
from base64 import b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from kombu.entity import Queue
from kombu.transport.redis import Channel as RedisChannel
from kombu.utils.uuid import uuid
from sqlalchemy.orm import Session

from automations.celery_app import app
from automations.maintenance import container_for_tasks
from comptoir.bootstrap import Container
from domain.events import service as events
from domain.events.models import DomainEvent

logger = logging.getLogger(__name__)

Subscriber = Callable[[Session, DomainEvent], None]
SUBSCRIBERS: dict[str, list[Subscriber]] = {}


def subscribe(name: str) -> Callable[[Subscriber], Subscriber]:
    """Register a handler for events called ``name`` (``"*"`` for all)."""

    def register(handler: Subscriber) -> Subscriber:
        SUBSCRIBERS.setdefault(name, []).append(handler)
        return handler

    return register


def relay_event(container: Container, tenant_id: UUID, event_id: UUID) -> bool:
    """Hand one event to its subscribers and mark it dispatched; False if already done."""
    with container.db.unit_of_work(tenant_id) as session:
        event = events.claim(session, tenant_id, event_id)
        if event is None:
            return False
        for handler in [*SUBSCRIBERS.get(event.name, []), *SUBSCRIBERS.get("*", [])]:
            handler(session, event)
        event.dispatched_at = container.clock.now()
        return True


def relay_events(container: Container, tenant_id: UUID, event_ids: Sequence[UUID]) -> int:
    """Relay each event in its own unit of work, in order; how many were relayed now. A
    failing event does not stop the others; the first failure is raised at the end (its
    event stays undispatched, for the sweep), as it would have failed its own task."""
    relayed, failure = 0, None
    for event_id in event_ids:
        try:
            relayed += relay_event(container, tenant_id, event_id)
        except Exception as exc:  # noqa: BLE001 - raised again once the others are relayed
            logger.exception("relaying event %s failed", event_id)
            failure = failure or exc
    if failure is not None:
        raise failure
    return relayed


def pending_events(container: Container, *, grace: timedelta) -> list[tuple[UUID, UUID]]:
    with container.db.unit_of_work() as session:
        return events.pending(session, older_than=container.clock.now() - grace)


@app.task(name="automations.events.relay", ignore_result=True)  # type: ignore[untyped-decorator]
def relay(tenant_id: str, *event_ids: str) -> int:
    return relay_events(container_for_tasks(), UUID(tenant_id), [UUID(e) for e in event_ids])


@app.task(name="automations.events.sweep")  # type: ignore[untyped-decorator]
def sweep() -> int:
    found = pending_events(container_for_tasks(), grace=timedelta(seconds=30))
    for tenant_id, event_id in found:
        relay.delay(str(tenant_id), str(event_id))
    return len(found)


def publish_with_celery(tenant_id: UUID, *event_ids: UUID) -> None:
    """The publisher the composition root wires: queue one relay for the events of a
    committed transaction, never fail the caller."""
    try:
        publish_relay([str(tenant_id), *map(str, event_ids)])
    except Exception:  # noqa: BLE001 - the sweep relays them later
        logger.warning("events %s queued for the sweep", ", ".join(map(str, event_ids)))


def publish_relay(args: list[str]) -> None:
    """Send ``relay(*args)`` to the relay's queue, as ``relay.apply_async(args,
    retry=False)`` does: the protocol-2 message Celery's ``create_task_message`` makes, on
    the queue Celery's router names. Every committed transaction that emitted events sends
    one, so this is on the hot path of every write, and ``apply_async`` costs several
    times the message: options, configuration and routing looked up again, the queue
    declared again, signals, a result object, then kombu's generic publishing. On Redis
    (the broker Comptoir runs with) the message is pushed onto the queue's list as kombu's
    Redis transport writes it (``redis_envelope``); on any other broker kombu publishes
    it."""
    route = _relay_route()
    message = relay_message(args)
    with app.producer_or_acquire() as producer:
        channel = producer.channel
        if route.plain_redis and isinstance(channel, RedisChannel):
            envelope = redis_envelope(message, route.queue.name, route.delivery_mode)
            channel.client.lpush(route.queue.name, envelope)
            return
        producer.publish(
            message.body,
            exchange="",  # the default (direct) exchange: routed by the queue's name
            routing_key=route.queue.name,
            serializer=route.serializer,
            retry=False,
            delivery_mode=route.delivery_mode,
            declare=[route.queue],
            headers=message.headers,
            **message.properties,
        )


def relay_message(args: list[str]) -> Any:
    """The relay's task message, as ``create_task_message`` makes it. Its ``argsrepr``
    header is Celery's ``saferepr(args)``, which for a list of ids this short is
    ``repr(args)``: given, Celery does not walk the arguments again (a third of the
    message's cost). A longer list is left to Celery's ``saferepr``, which cuts it."""
    shown = repr(args)
    return app.amqp.create_task_message(
        uuid(),
        relay.name,
        args,
        {},
        ignore_result=True,
        reply_to=app.thread_oid,
        argsrepr=shown if len(shown) <= app.amqp.argsrepr_maxsize else None,
        kwargsrepr="{}",
    )


def redis_envelope(message: Any, routing_key: str, delivery_mode: int) -> str:
    """A Celery task message as kombu's Redis transport stores it in a queue's list for
    ``Producer.publish(body, exchange="", routing_key=…, serializer="json")`` at priority 0
    (the list is the queue's own name): the JSON body in base64, the headers, and the
    properties with the delivery information and a fresh delivery tag.
    ``tests/automations/test_relay_message.py`` holds it equal to kombu's own."""
    properties = message.properties | {
        "delivery_mode": delivery_mode,
        "delivery_info": {"exchange": "", "routing_key": routing_key},
        "priority": 0,
        "body_encoding": "base64",
        "delivery_tag": uuid(),
    }
    return json.dumps(
        {
            "body": b64encode(json.dumps(message.body).encode()).decode(),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": message.headers,
            "properties": properties,
        }
    )


@dataclass(frozen=True, slots=True)
class _Route:
    queue: Queue
    serializer: str
    delivery_mode: int
    # JSON, not compressed, no key prefix, a queue without a time to live: what
    # ``redis_envelope`` writes (kombu would otherwise prefix or expire keys).
    plain_redis: bool


_ROUTES: dict[str, _Route] = {}


def _relay_route() -> _Route:
    """Where and how the relay is sent, read from Celery's configuration once per broker
    (the configuration does not change while the process runs)."""
    conf = app.conf
    found = _ROUTES.get(conf.broker_url)
    if found is None:
        queue: Queue = app.amqp.router.route({}, relay.name, (), {})["queue"]
        if queue.exchange.type != "direct":
            raise RuntimeError(f"the relay's queue {queue.name} is not on a direct exchange")
        options = conf.broker_transport_options or {}
        found = _ROUTES[conf.broker_url] = _Route(
            queue=queue,
            serializer=conf.task_serializer,
            delivery_mode=queue.exchange.delivery_mode or conf.task_default_delivery_mode,
            plain_redis=(
                conf.task_serializer == "json"
                and conf.task_compression is None
                and not options.get("global_keyprefix")
                and getattr(queue, "expires", None) is None
                and getattr(queue, "message_ttl", None) is None
            ),
        )
    return found


# Identity mail: invitations and address verification. The event names the invitation or
# the account; the link's token is derived here again from the secret key, so it never
# sits in the outbox. A failed send raises: the relay's transaction rolls back and the
# sweep tries again.
@subscribe("invitation.created")
def send_invitation(session: Session, event: DomainEvent) -> None:
    from domain.identity import repository as identity_repo
    from domain.identity.mail import invitation_mail

    container = container_for_tasks()
    invitation = identity_repo.get_invitation(
        session, event.tenant_id, UUID(event.payload["invitation_id"])
    )
    tenant = identity_repo.get_tenant(session, event.tenant_id)
    if invitation is None or tenant is None or invitation.accepted_at or invitation.revoked_at:
        return
    links = container.links
    link = links.invitation_link(links.invitation_token(invitation.tenant_id, invitation.id))
    mail = invitation_mail(
        invitation.email,
        tenant.name,
        link,
        invitation.expires_at,
        own_signup=invitation.invited_by is None,
    )
    container.mailer.send(mail)


@subscribe("identity.verification_requested")
def send_verification(session: Session, event: DomainEvent) -> None:
    from datetime import datetime

    from domain.identity import repository as identity_repo
    from domain.identity.mail import verification_mail

    container = container_for_tasks()
    user = identity_repo.get_user(session, UUID(event.payload["user_id"]))
    tenant = identity_repo.get_tenant(session, event.tenant_id)
    if user is None or tenant is None or user.email_verified_at is not None:
        return
    expires = datetime.fromisoformat(event.payload["expires_at"])
    links = container.links
    token = links.verification_token(tenant.id, user.id, user.password_hash, expires)
    container.mailer.send(
        verification_mail(user.email, tenant.name, links.verification_link(token), expires)
    )
