"""Figures of a run (pass^1, pass^k after τ-bench, per tag and per tier, latency and
tokens), the thresholds gate, and the JSON / Markdown / HTML reports."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from math import comb
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def pass_hat(successes: list[int], trials: int, k: int) -> float:
    """τ-bench's pass^k: the mean over cases of C(c, k) / C(K, k)."""
    if not successes or k > trials:
        return 0.0
    return sum(comb(c, k) / comb(trials, k) for c in successes) / len(successes)


def _group(results: list[dict[str, Any]], trials: int) -> dict[str, Any]:
    per_case: dict[str, int] = defaultdict(int)
    for r in results:
        per_case[r["id"]] += int(r["passed"])
    successes = list(per_case.values())
    figures: dict[str, Any] = {
        "cases": len(per_case),
        "passed": sum(1 for c in successes if c == trials),
        "pass^1": round(pass_hat(successes, trials, 1), 4),
    }
    for k in range(2, trials + 1):
        figures[f"pass^{k}"] = round(pass_hat(successes, trials, k), 4)
    figures["wrong_writes"] = len(wrong_writes(results))
    return figures


def wrong_writes(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failed runs (one per case and trial) that changed the tenant's business data:
    the agent did something, and not what was asked."""
    return [r for r in results if not r["passed"] and r.get("wrote")]


def totals(results: list[dict[str, Any]], trials: int, seconds: float) -> dict[str, Any]:
    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_tier: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        for tag in r["tags"] or ["(sans tag)"]:
            by_tag[tag].append(r)
        by_tier[r["tier"]].append(r)
    turns = [t for r in results for t in r["turns"] if t.get("advance_to") is None]
    latencies = [t["latency_ms"] for t in turns]
    return {
        "overall": _group(results, trials),
        "trials": trials,
        "wrong_writes": len(wrong_writes(results)),
        "per_tag": {tag: _group(rs, trials) for tag, rs in sorted(by_tag.items())},
        "per_tier": {tier: _group(rs, trials) for tier, rs in sorted(by_tier.items())},
        "latency_ms": {
            "turns": len(latencies),
            "p50": _percentile(latencies, 0.5),
            "p95": _percentile(latencies, 0.95),
            "max": max(latencies, default=0.0),
        },
        "tokens": {
            "input": sum(t["tokens"].get("input", 0) for t in turns),
            "output": sum(t["tokens"].get("output", 0) for t in turns),
        },
        "seconds": round(seconds, 1),
    }


# --- the gate ----------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    overall: float | None = None  # pass^1 of the whole run
    per_tag: float | None = None  # pass^1 of every tag with at least ``min_cases`` cases
    min_cases: int = 10
    max_wrong_writes: int | None = None  # failed runs that changed business data

    @classmethod
    def from_readme(cls, path: Path) -> Thresholds:
        """The ``thresholds`` block of evals/README.md: ``overall: 0.90`` lines."""
        found = re.search(r"```thresholds\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        if not found:
            raise ValueError(f"{path}: no ```thresholds block")
        values = dict(
            (key.strip(), value.strip())
            for key, _, value in (
                line.partition(":") for line in found.group(1).splitlines() if ":" in line
            )
        )
        return cls(
            overall=float(values["overall"]) if "overall" in values else None,
            per_tag=float(values["per_tag"]) if "per_tag" in values else None,
            min_cases=int(values.get("min_cases_per_tag", 10)),
            max_wrong_writes=(
                int(values["max_wrong_writes"]) if "max_wrong_writes" in values else None
            ),
        )


def misses(figures: dict[str, Any], thresholds: Thresholds) -> list[str]:
    """Every threshold the run missed, in words (empty: the gate passes)."""
    out: list[str] = []
    overall = figures["overall"]["pass^1"]
    if thresholds.overall is not None and overall < thresholds.overall:
        out.append(f"pass^1 global {overall:.3f} < {thresholds.overall:.2f}")
    if thresholds.per_tag is not None:
        for tag, g in figures["per_tag"].items():
            if g["cases"] >= thresholds.min_cases and g["pass^1"] < thresholds.per_tag:
                out.append(
                    f"pass^1 du tag {tag} {g['pass^1']:.3f} < {thresholds.per_tag:.2f}"
                    f" ({g['cases']} cas)"
                )
    wrong = figures.get("wrong_writes", 0)
    if thresholds.max_wrong_writes is not None and wrong > thresholds.max_wrong_writes:
        out.append(
            f"écritures à tort {wrong} > {thresholds.max_wrong_writes} (cas échoués qui ont"
            " modifié les données : l'agent a agi, et pas comme demandé)"
        )
    return out


# --- reports -----------------------------------------------------------------------


def write_json(path: Path, results: list[dict[str, Any]], figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"cases": results, "totals": figures}, ensure_ascii=False, indent=1, default=str
        ),
        encoding="utf-8",
    )


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(results: list[dict[str, Any]], figures: dict[str, Any], title: str) -> str:
    o, lat, tok = figures["overall"], figures["latency_ms"], figures["tokens"]
    ks = [k for k in o if k.startswith("pass^")]
    lines = [
        f"# {title}",
        "",
        f"- Cases: {o['cases']}, trials: {figures['trials']}, passed every trial: {o['passed']}",
        "- " + ", ".join(f"{k} = {o[k]:.3f}" for k in ks),
        f"- Turns: {lat['turns']}, latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
        f"max {lat['max']:.0f} ms",
        f"- Wrong writes (failed cases that changed business data): {figures['wrong_writes']}",
        f"- Tokens: {tok['input']} in, {tok['output']} out",
        f"- Wall time: {figures['seconds']} s",
        "",
        "## Per tier",
        "",
        "| tier | cases | " + " | ".join(ks) + " |",
        "|---|---:|" + "---:|" * len(ks),
    ]
    for tier, g in figures["per_tier"].items():
        lines.append(f"| {tier} | {g['cases']} | " + " | ".join(f"{g[k]:.3f}" for k in ks) + " |")
    lines += ["", "## Per tag", "", "| tag | cases | " + " | ".join(ks) + " | wrong writes |"]
    lines.append("|---|---:|" + "---:|" * (len(ks) + 1))
    for tag, g in figures["per_tag"].items():
        cells = " | ".join(f"{g[k]:.3f}" for k in ks)
        lines.append(f"| {tag} | {g['cases']} | {cells} | {g.get('wrong_writes', 0)} |")
    wrong = wrong_writes(results)
    lines += ["", f"## Wrong writes ({len(wrong)})", ""]
    lines += [f"- {r['id']} (essai {r['trial']})" for r in wrong] or ["Aucune."]
    failed = [r for r in results if not r["passed"]]
    lines += ["", f"## Failures ({len(failed)})", ""]
    for r in failed:
        wrote = " — **a écrit**" if r.get("wrote") else ""
        lines += [f"### {r['id']} (essai {r['trial']}) — {', '.join(r['tags'])}{wrote}", ""]
        for f in r["failures"]:
            lines.append(
                f"- **attendu** {_cell(f['expectation'])} — **trouvé** {_cell(f['found'])}"
            )
        lines.append("")
        for t in r["turns"]:
            if t.get("advance_to"):
                lines.append(f"> *horloge avancée au {t['advance_to']}*  ")
                continue
            calls = ", ".join(f"{c['tool']} ({c['status']})" for c in t["calls"]) or "aucun outil"
            lines.append(f"> **vous** : {_cell(t['user'])}  ")
            lines.append(f"> **comptoir** [{t['tier']}, {calls}] : {_cell(t['reply'])}  ")
        lines.append("")
    return "\n".join(lines) + "\n"


def to_html(markdown_text: str, title: str) -> str:
    """The Markdown report as an HTML page (raw HTML in replies is escaped)."""
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown_text)
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}"
        "blockquote{margin:0 0 0 1em;color:#333}"
    )
    return (
        f"<!doctype html><html lang=fr><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{style}</style><body>{body}</body></html>\n"
    )


def write_report(path: Path, results: list[dict[str, Any]], figures: dict[str, Any]) -> None:
    title = "Comptoir — évaluation"
    text = markdown(results, figures, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".html", ".htm"):
        text = to_html(text, title)
    path.write_text(text, encoding="utf-8")
