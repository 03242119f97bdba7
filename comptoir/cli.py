"""The ``comptoir`` command."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from comptoir.einvoice_cli import import_app
from comptoir.einvoicing_cli import einvoicing_app
from comptoir.whatsapp_cli import whatsapp_app

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

T = TypeVar("T")

app = typer.Typer(help="Comptoir — l'ERP conversationnel.", no_args_is_help=True)
db_app = typer.Typer(help="Base de données : migrations et données de démonstration.")
app.add_typer(db_app, name="db")
export_app = typer.Typer(help="Exports légaux : Factur-X, FEC.")
app.add_typer(export_app, name="export")
eval_app = typer.Typer(help="Évaluation de l'agent sur des conversations (evals/).")
app.add_typer(eval_app, name="eval")
app.add_typer(whatsapp_app, name="whatsapp")
app.add_typer(import_app, name="import")
app.add_typer(einvoicing_app, name="einvoicing")
report_app = typer.Typer(help="Rapports : le rapport mensuel en PDF et Excel.")
app.add_typer(report_app, name="report")


def _configured_container() -> Container:
    """The process's container, or a plain message and exit 2 when a required setting is
    missing (no traceback for a configuration mistake)."""
    from comptoir.bootstrap import build_container
    from comptoir.settings import ConfigurationError

    try:
        return build_container()
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and provision the application role."""
    _configured_container().prepare_database()
    typer.echo("Base de données à jour.")


@db_app.command("seed")
def db_seed() -> None:
    """Create the demo businesses (idempotent)."""
    from comptoir.demo import seed_demo

    for slug, email, roles in seed_demo(_configured_container()):
        typer.echo(f"{slug:22} {email:32} {roles}")


@export_app.command("facturx")
def export_facturx(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    invoice: Annotated[str, typer.Option(help="Numéro de la facture, ex. F-2026-00001")],
    out: Annotated[Path, typer.Option(help="Dossier de destination")],
) -> None:
    """Write an invoice as a Factur-X PDF/A-3 (EN 16931) into OUT."""
    from comptoir.bootstrap import build_container
    from comptoir.exports import export_facturx as write

    container = build_container()
    try:
        path = _or_fail(lambda: write(container, tenant, invoice, out))
    finally:
        container.close()
    typer.echo(f"Factur-X écrit : {path}")


@export_app.command("fec")
def export_fec(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    year: Annotated[int, typer.Option(help="Exercice (année civile)")],
    out: Annotated[Path, typer.Option(help="Fichier, ou dossier recevant <SIREN>FEC<date>.txt")],
) -> None:
    """Write the FEC of YEAR and check it against the FEC rules."""
    from comptoir.bootstrap import build_container
    from comptoir.exports import export_fec as write

    container = build_container()
    try:
        path, problems = _or_fail(lambda: write(container, tenant, year, out))
    finally:
        container.close()
    typer.echo(f"FEC écrit : {path}")
    for problem in problems:
        typer.echo(f"  ✗ {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("Contrôles FEC : conforme.")


def _or_fail(action: Callable[[], T]) -> T:
    from domain.kit.errors import DomainError

    try:
        return action()
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None


@report_app.command("monthly")
def report_monthly(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    month: Annotated[str, typer.Option(help="Mois, ex. 2026-11")],
    out: Annotated[Path, typer.Option(help="Dossier de destination")],
) -> None:
    """Write the monthly report of MONTH (PDF and Excel) into OUT."""
    from automations.report import export_monthly

    container = _configured_container()
    try:
        paths = _or_fail(lambda: export_monthly(container, tenant, month, out))
    finally:
        container.close()
    for path in paths:
        typer.echo(f"Rapport écrit : {path}")


@app.command()
def bench(
    name: str,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the figures here")] = None,
) -> None:
    """Run benchmarks/NAME and print its figures."""
    from comptoir.bootstrap import build_container

    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError:
        typer.echo(f"Benchmark inconnu : {name}", err=True)
        raise typer.Exit(2) from None
    from comptoir.runtime import stop_embedded

    container = build_container()
    try:
        figures = module.run(container)
    finally:
        container.close()
        stop_embedded()  # the embedded Redis would otherwise outlive the command
    text = json.dumps(figures, indent=2, ensure_ascii=False, default=str)
    typer.echo(text)
    if json_file:
        json_file.write_text(text + "\n")


@eval_app.command("run")
def eval_run(
    paths: Annotated[list[Path], typer.Argument(help="Fichiers YAML ou dossiers de cas")],
    tier: Annotated[str, typer.Option(help="local, llm ou auto")] = "local",
    trials: Annotated[int, typer.Option(min=1, help="Essais par cas (pass^k)")] = 1,
    tags: Annotated[
        list[str] | None, typer.Option("--tags", help="Seulement les cas portant ce tag")
    ] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="Seulement ce cas")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Rapport JSON")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Rapport Markdown (.md) ou HTML (.html)")
    ] = None,
    min_pass: Annotated[float | None, typer.Option(help="pass^1 global minimal")] = None,
    min_tag_pass: Annotated[
        float | None, typer.Option(help="pass^1 minimal par tag d'au moins 10 cas")
    ] = None,
    gate: Annotated[
        Path | None, typer.Option(help="Lire les seuils dans ce fichier (evals/README.md)")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Processus (défaut : un par cœur)")] = None,
    keep_db: Annotated[bool, typer.Option(help="Garder la base de l'évaluation")] = False,
) -> None:
    """Replay the cases against fresh tenants and score the final state (exit 1 below a
    threshold, 2 when the run cannot happen)."""
    from evals.command import EvalOptions, run_eval
    from evals.report import Thresholds

    if tier not in ("local", "llm", "auto"):
        typer.echo(f"Tier inconnu : {tier} (local, llm ou auto).", err=True)
        raise typer.Exit(2)
    thresholds = Thresholds.from_readme(gate) if gate else Thresholds()
    if min_pass is not None or min_tag_pass is not None:
        thresholds = Thresholds(
            overall=min_pass if min_pass is not None else thresholds.overall,
            per_tag=min_tag_pass if min_tag_pass is not None else thresholds.per_tag,
            min_cases=thresholds.min_cases,
        )
    options = EvalOptions(
        paths=paths,
        tier=tier,  # type: ignore[arg-type]
        trials=trials,
        tags=tags or [],
        ids=ids or [],
        json_file=json_file,
        report=report,
        thresholds=thresholds,
        workers=workers,
        keep_db=keep_db,
    )
    raise typer.Exit(run_eval(options))


@app.command()
def chat(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    user: Annotated[str, typer.Option(help="E-mail du membre qui parle")],
) -> None:
    """Talk to Comptoir in the terminal (reads stdin line by line when it is not a terminal)."""
    from comptoir.bootstrap import build_container
    from comptoir.chat import run as run_chat
    from comptoir.runtime import stop_embedded

    container = build_container()
    try:
        _or_fail(lambda: run_chat(container, tenant, user))
    finally:
        container.close()
        stop_embedded()


@app.command()
def run() -> None:
    """Start everything: PostgreSQL, Redis, migrations, demo, API, Celery worker and beat."""
    from comptoir.demo import DEMO_PASSWORD, seed_demo
    from comptoir.runtime import stop_embedded

    container = _configured_container()
    settings = container.settings
    typer.echo("Préparation de la base de données…")
    container.prepare_database()
    logins = seed_demo(container)
    env = {
        **os.environ,
        "DATABASE_URL": container.endpoints.database_url,
        "APP_DATABASE_URL": container.app_database_url,
        "REDIS_URL": container.endpoints.redis_url,
        "COMPTOIR_HOME": str(settings.home.resolve()),
        "COMPTOIR_SECRET_KEY": settings.resolved_secret_key(),
        # Local development: invitation and verification links are also returned by the
        # API, so nobody needs a mailbox to try the flows.
        "COMPTOIR_DEV_LINKS": os.environ.get("COMPTOIR_DEV_LINKS", "1"),
    }
    python = sys.executable
    commands = {
        "api": [
            python,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            settings.host,
            "--port",
            str(settings.port),
            "--no-access-log",
        ],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "automations.celery_app",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
        "beat": [
            python,
            "-m",
            "celery",
            "-A",
            "automations.celery_app",
            "beat",
            "--loglevel",
            "INFO",
            # Schedules live in PostgreSQL (automations/scheduler.py), not in a local file.
            "--scheduler",
            "automations.scheduler:DatabaseScheduler",
        ],
    }
    children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
    url = f"http://{settings.host}:{settings.port}"
    typer.echo(f"\nComptoir démarre sur {url}  (documentation de l'API : {url}/docs)")
    typer.echo(f"Application web : {url}/ (connexion avec un compte ci-dessous)")
    typer.echo(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for slug, email, roles in logins:
        typer.echo(f"  {slug:22} {email:32} {roles}")
    typer.echo("Ctrl-C pour tout arrêter.\n")

    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            dead = [n for n, p in children.items() if p.poll() is not None]
            if dead:
                typer.echo(f"Processus arrêté de façon inattendue : {', '.join(dead)}", err=True)
                break
            time.sleep(0.5)
    finally:
        _terminate(children)
        container.close()
        stop_embedded()
        typer.echo("Comptoir est arrêté.")


def _terminate(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@eval_app.command("rag")
def eval_rag(
    dataset: Annotated[Path, typer.Argument(help="Dossier du jeu (evals/datasets/rag)")],
    json_file: Annotated[Path | None, typer.Option("--json", help="Rapport JSON")] = None,
    min_recall: Annotated[float | None, typer.Option(help="recall@5 minimal")] = None,
) -> None:
    """Retrieval quality on a labelled document set: recall@5, MRR, citations, access
    refusals and « rien trouvé » (exit 1 below --min-recall or on any leaked document, 2 when
    the dataset cannot be read)."""
    from comptoir.settings import Settings
    from evals.rag import RagFormatError, run_rag

    try:
        figures = run_rag(dataset, Settings(), echo=typer.echo)
    except RagFormatError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if json_file:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    recall = figures["recall@5"]
    if figures["denied_respected"] < 1:
        typer.echo("Échec : un document réservé a été renvoyé à un rôle non autorisé.", err=True)
        raise typer.Exit(1)
    if min_recall is not None and recall < min_recall:
        typer.echo(f"Seuil manqué : recall@5 {recall} (minimum {min_recall}).", err=True)
        raise typer.Exit(1)
