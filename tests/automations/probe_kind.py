"""An automation kind for tests only (not built in): it marks that it started, may wait or
fail as its params say, then writes one notification — so a test counts how often it ran.
Worker subprocesses load it with ``celery worker -I tests.automations.probe_kind``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from automations.kinds import RunContext, automation_kind
from domain.automations.notifications import notify


@automation_kind(
    "probe", label="Sonde de test", rule="FREQ=DAILY;BYHOUR=6;BYMINUTE=0", builtin=False
)
def probe(ctx: RunContext) -> dict[str, Any]:
    params = ctx.params
    marker = Path(params["marker"]) if params.get("marker") else None
    first_time = marker is not None and not marker.exists()
    if marker is not None:
        marker.write_text(str(os.getpid()))  # which process is doing it
    if first_time or not params.get("sleep_first_only"):
        time.sleep(float(params.get("sleep", 0)))
    if params.get("fail"):
        raise RuntimeError("la sonde échoue exprès")
    notify(
        ctx.session,
        ctx.principal,
        ctx.now(),
        [ctx.principal.user_id],
        kind="probe",
        title="Sonde",
        body=f"période {ctx.run.period_key}",
    )
    return {"periode": ctx.run.period_key}
