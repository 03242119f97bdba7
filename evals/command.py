"""``comptoir eval run``: load, run, score, report, gate."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from comptoir.settings import Settings
from evals.cases import Case, CaseFormatError, load_cases
from evals.report import Thresholds, misses, totals, write_json, write_report
from evals.runner import NoProvider, Tier, run_cases, run_database


@dataclass
class EvalOptions:
    paths: list[Path]
    tier: Tier = "local"
    trials: int = 1
    tags: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    json_file: Path | None = None
    report: Path | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    workers: int | None = None
    keep_db: bool = False


def select(cases: list[Case], tags: list[str], ids: list[str]) -> list[Case]:
    """Cases carrying any of ``tags`` (all when none given), narrowed to ``ids`` if given."""
    if tags:
        cases = [c for c in cases if set(c.tags) & set(tags)]
    if ids:
        cases = [c for c in cases if c.id in ids]
    return cases


def run_eval(
    options: EvalOptions, out: TextIO = sys.stdout, settings: Settings | None = None
) -> int:
    """Exit status: 0 all thresholds met, 1 a threshold missed, 2 the run could not happen."""
    try:
        cases = select(load_cases(options.paths), options.tags, options.ids)
    except CaseFormatError as e:
        out.write(f"Jeu de cas invalide : {e}\n")
        return 2
    if not cases:
        out.write("Aucun cas à exécuter.\n")
        return 2
    out.write(f"{len(cases)} cas × {options.trials} essai(s), tier {options.tier}\n")
    started = time.perf_counter()
    done = 0

    def progress(result: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        mark = "ok " if result["passed"] else "ÉCHEC"
        out.write(f"[{done}] {mark} {result['id']} ({result['seconds']:.1f} s)\n")
        out.flush()

    try:
        with run_database(settings or Settings(), options.tier, keep=options.keep_db) as config:
            results = run_cases(
                config, cases, trials=options.trials, workers=options.workers, progress=progress
            )
    except NoProvider as e:
        out.write(f"{e}\n")
        return 2
    figures = totals(results, options.trials, time.perf_counter() - started)
    if options.json_file:
        write_json(options.json_file, results, figures)
    if options.report:
        write_report(options.report, results, figures)
    o = figures["overall"]
    out.write(
        "\n"
        + ", ".join(f"{k} = {v:.3f}" for k, v in o.items() if k.startswith("pass^"))
        + f" sur {o['cases']} cas en {figures['seconds']} s,"
        f" écritures à tort {figures['wrong_writes']}"
        f" (tour p50 {figures['latency_ms']['p50']:.0f} ms,"
        f" p95 {figures['latency_ms']['p95']:.0f} ms)\n"
    )
    for tag, g in figures["per_tag"].items():
        out.write(f"  {tag:16} {g['pass^1']:.3f} ({g['cases']} cas)\n")
    missed = misses(figures, options.thresholds)
    for miss in missed:
        out.write(f"Seuil manqué : {miss}\n")
    return 1 if missed else 0
