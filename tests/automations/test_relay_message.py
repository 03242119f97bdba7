"""The relay's message, pushed straight onto its Redis list, is the one kombu writes: the
same body, headers and properties (delivery tag aside, fresh for every message). A kombu
release that changed its Redis format would fail here before a worker misread a relay.
(``test_worker.py`` has a real worker run relays published this way.)"""

from __future__ import annotations

import json
from base64 import b64decode
from typing import Any
from uuid import uuid4

import pytest

from automations.celery_app import app
from automations.events import _relay_route, redis_envelope, relay, relay_message
from comptoir.bootstrap import Container


def _readable(raw: str | bytes) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(raw)
    message["body"] = json.loads(b64decode(message["body"]))
    message["properties"].pop("delivery_tag")
    return message


class TestRelayMessage:
    def test_is_the_message_kombu_writes_for_the_same_task(self, container: Container) -> None:
        assert container.db.event_publisher is not None  # Celery now talks to the tests' Redis
        queue = f"essai-relais-{uuid4()}"  # no worker reads it
        args = [str(uuid4()), str(uuid4()), str(uuid4())]
        message = app.amqp.create_task_message(
            str(uuid4()), relay.name, args, {}, ignore_result=True, reply_to=app.thread_oid
        )
        ours = redis_envelope(message, queue, 2)
        with app.producer_or_acquire() as producer:
            producer.publish(
                message.body,
                exchange="",
                routing_key=queue,
                serializer="json",
                retry=False,
                delivery_mode=2,
                headers=message.headers,
                **message.properties,
            )
        theirs = container.redis.rpop(queue)
        assert isinstance(theirs, bytes)
        assert _readable(ours) == _readable(theirs)
        assert _readable(ours)["body"][0] == args

    def test_goes_to_the_queue_celery_routes_the_relay_to(self, container: Container) -> None:
        assert container.db.event_publisher is not None
        route = _relay_route()
        assert route.queue.name == app.conf.task_default_queue
        assert route.queue.exchange.type == "direct"
        assert route.plain_redis  # Comptoir's own configuration takes the direct path


class TestRelayHeaders:
    @pytest.mark.parametrize("events", [1, 2, 25, 40])
    def test_are_the_ones_celery_makes_for_the_same_arguments(self, events: int) -> None:
        """``relay_message`` passes ``argsrepr`` and ``kwargsrepr`` itself; whatever the
        number of events (40 is past Celery's cut), the headers are Celery's own."""
        args = [str(uuid4()) for _ in range(events + 1)]
        ours = relay_message(args)
        theirs = app.amqp.create_task_message(
            ours.headers["id"], relay.name, args, {}, ignore_result=True, reply_to=app.thread_oid
        )
        assert ours.headers == theirs.headers
        assert ours.body == theirs.body
