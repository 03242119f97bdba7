"""The Celery application. Broker and results on Redis (REDIS_URL or the embedded one).

Worker: ``celery -A automations.celery_app worker``; scheduler: ``... beat``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from celery import Celery

from comptoir.runtime import celery_broker_url

app = Celery(
    "comptoir",
    include=[
        "automations.maintenance",
        "automations.events",
        "automations.whatsapp",
        "automations.tasks",
    ],
)


def configure(redis_url: str) -> Celery:
    broker = celery_broker_url(redis_url)
    app.conf.update(
        broker_url=broker,
        result_backend=broker,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        # The businesses' schedules are rows in PostgreSQL (automations/scheduler.py).
        beat_scheduler="automations.scheduler:DatabaseScheduler",
        # A message a dead worker took is given to another after this long (acks_late);
        # the automation's period key makes the second delivery harmless.
        broker_transport_options={"visibility_timeout": 900},
        beat_schedule={
            "sweep-domain-events": {
                "task": "automations.events.sweep",
                "schedule": timedelta(minutes=1),
            },
            "whatsapp-sweep": {
                "task": "automations.whatsapp.sweep",
                "schedule": timedelta(minutes=1),
            },
            "whatsapp-purge-inbox": {
                "task": "automations.whatsapp.purge_inbox",
                "schedule": timedelta(days=1),
            },
            "purge-refresh-tokens": {
                "task": "automations.maintenance.purge_refresh_tokens",
                "schedule": timedelta(hours=1),
            },
        },
    )
    return app


if os.environ.get("REDIS_URL"):
    configure(os.environ["REDIS_URL"])
