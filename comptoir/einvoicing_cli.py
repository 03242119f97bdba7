"""``comptoir einvoicing``: configure a business's plateforme agréée, poll it now, look a
company up in the directory, and serve a local fake platform for demos."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Annotated

import typer

einvoicing_app = typer.Typer(help="Facturation électronique : plateforme agréée.")
Tenant = Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")]


@einvoicing_app.command("configure")
def configure(
    tenant: Tenant,
    flow_url: Annotated[str, typer.Option(help="URL du Flow Service (…/flow-service)")],
    directory_url: Annotated[str, typer.Option(help="URL du Directory Service")],
    token_url: Annotated[str | None, typer.Option(help="URL du jeton OAuth2")] = None,
    client_id: Annotated[str | None, typer.Option(help="Identifiant client")] = None,
    client_secret: Annotated[
        str | None, typer.Option(help="Secret client", envvar="COMPTOIR_PA_CLIENT_SECRET")
    ] = None,
) -> None:
    """Set the business's platform account (the secret may come from the environment)."""
    from comptoir.bootstrap import build_container
    from comptoir.exports import operator
    from domain.finance.einvoicing import service

    container = build_container()
    principal = operator(container, tenant)
    settings = service.PlatformSettings(
        flow_url, directory_url, token_url, client_id, client_secret
    )
    with container.db.unit_of_work(principal.tenant_id) as session:
        service.configure(session, principal, container.clock, settings)
    typer.echo("Plateforme configurée.")


@einvoicing_app.command("sync")
def synchronise(tenant: Tenant) -> None:
    """Poll the platform now: received invoices, statuses, what waits to be sent."""
    from comptoir.bootstrap import build_container
    from comptoir.exports import operator
    from domain.finance.einvoicing import service, sync
    from domain.finance.einvoicing.errors import PlatformNotConfigured

    container = build_container()
    principal = operator(container, tenant)
    with container.db.unit_of_work(principal.tenant_id) as session:
        account = service.account_of(session, principal.tenant_id)
        if account is None:
            raise PlatformNotConfigured()
        platform = service.afnor_platform(account)
        figures = sync.synchronise(session, principal, container.clock, platform, account)
    typer.echo(json.dumps(figures, ensure_ascii=False))


@einvoicing_app.command("lookup")
def lookup(tenant: Tenant, siren: str) -> None:
    """Is the company with this SIREN on e-invoicing, and at which address?"""
    from comptoir.bootstrap import build_container
    from comptoir.exports import operator
    from domain.finance.einvoicing import service

    container = build_container()
    principal = operator(container, tenant)
    with container.db.unit_of_work(principal.tenant_id) as session:
        platform = service.platform_of(session, principal.tenant_id)
    typer.echo(json.dumps(asdict(service.lookup(principal, platform, siren)), ensure_ascii=False))


@einvoicing_app.command("fake-platform")
def fake_platform(
    port: Annotated[int, typer.Option(help="Port d'écoute (127.0.0.1)")] = 8091,
) -> None:
    """Serve a local plateforme agréée (XP Z12-013 shapes) for demos and print each flow
    it receives; configure a business with the URLs shown (any client id and secret)."""
    from comptoir.einvoicing_fake import FakePlatform, serve

    fake = FakePlatform()
    server, thread = serve(fake, port)
    typer.echo(f"--flow-url {fake.flow_url} --directory-url {fake.directory_url}")
    typer.echo(f"--token-url {fake.token_url}  (Ctrl-C pour arrêter)")
    seen: set[str] = set()
    try:
        while thread.is_alive():
            time.sleep(0.3)
            for flow in list(fake.flows.values()):
                if flow.flow_id not in seen:
                    seen.add(flow.flow_id)
                    typer.echo(
                        f"{flow.flow_id} {flow.direction} {flow.flow_type} {flow.syntax} "
                        f"{flow.name} ({flow.client})"
                    )
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(timeout=5)
