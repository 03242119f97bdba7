"""Celery beat's database scheduler: the businesses' schedules live in PostgreSQL.

Beat keeps the platform's fixed jobs (``beat_schedule``: the outbox sweep, token purge)
in memory as usual, and every ``POLL_SECONDS`` calls ``automations.tasks.poll``, which
reads the automations due from the ``automations`` table (through a definer function:
ids only), writes one run per period and queues it. Nothing lives in a local shelve
file: a restarted beat, or a second one, reads the same rows, and the period key keeps
each occurrence to one run.

Why not sqlalchemy-celery-beat: it keeps one global ``PeriodicTask`` row per schedule,
outside tenant isolation (the application role would read every business's schedules),
knows nothing of a period key, and loads every entry into beat's heap — 10,000
businesses × 7 built-ins would be 70,000 heap entries re-read on change. Here beat asks
PostgreSQL one indexed question per poll ("what is due now?") and the answer is small.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.beat import Scheduler

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0


class DatabaseScheduler(Scheduler):  # type: ignore[misc]
    """``celery beat -S automations.scheduler:DatabaseScheduler``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_poll = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        wait = float(super().tick(*args, **kwargs))
        now = time.monotonic()
        if now >= self._next_poll:
            self._next_poll = now + POLL_SECONDS
            self.poll_database()
        return min(wait, max(self._next_poll - time.monotonic(), 0.5))

    def poll_database(self) -> None:
        from automations.maintenance import container_for_tasks
        from automations.tasks import poll

        try:
            counts = poll(container_for_tasks())
        except Exception:  # noqa: BLE001 - beat keeps ticking; the next poll tries again
            log.exception("automation poll failed")
            return
        if any(counts.values()):
            log.info("automations: %s", counts)
