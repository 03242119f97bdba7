"""``comptoir whatsapp …``: link a business to its WhatsApp number, and talk to the bot
locally without Meta (the simulator prints what would be sent instead of sending it)."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

whatsapp_app = typer.Typer(help="WhatsApp : numéro de l'entreprise, simulateur.")


@whatsapp_app.command("link")
def link(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    phone_number_id: Annotated[
        str, typer.Option("--phone-number-id", help="phone_number_id du numéro chez Meta")
    ],
) -> None:
    """Link the business to its WhatsApp Business number."""
    from comptoir.bootstrap import build_container

    container = build_container()
    try:
        typer.echo(link_tenant(container, tenant, phone_number_id))
    finally:
        container.close()


def link_tenant(container: Container, slug: str, phone_number_id: str) -> str:
    from comptoir.exports import operator
    from domain.kit.errors import DomainError
    from domain.whatsapp.links import link_number

    try:
        principal = operator(container, slug)
        with container.db.unit_of_work(principal.tenant_id) as session:
            link_number(session, principal, phone_number_id)
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    return f"{slug} reçoit désormais les messages WhatsApp du numéro {phone_number_id}."


@whatsapp_app.command("simulate")
def simulate(
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    sender: Annotated[str, typer.Option("--from", help="Numéro de l'expéditeur, ex. +221…")],
    message: Annotated[str, typer.Argument(help="Le message écrit")] = "",
    button: Annotated[str, typer.Option(help="Ou l'id d'un bouton touché (w:…)")] = "",
) -> None:
    """Send the bot a message as if from WhatsApp and print what it would answer."""
    from comptoir.bootstrap import build_container

    if not message and not button:
        typer.echo("Donnez un message ou --button.", err=True)
        raise typer.Exit(2)
    container = build_container()
    try:
        for line in simulate_turn(container, tenant, sender, message, button):
            typer.echo(line)
    finally:
        container.close()


def simulate_turn(
    container: Container, slug: str, sender: str, message: str, button: str = ""
) -> list[str]:
    """Record a delivery shaped like Meta's, process it here, and describe the replies
    (marked as not sent: the simulator never reaches WhatsApp)."""
    from sqlalchemy import select

    from api.whatsapp_bot import process
    from comptoir.exports import operator
    from domain.identity.legal_ids import normalize_phone
    from domain.whatsapp import inbox
    from domain.whatsapp.models import WhatsAppMessage
    from domain.whatsapp.outbox import business_number

    principal = operator(container, slug)
    with container.db.unit_of_work(principal.tenant_id) as session:
        number = business_number(session, principal.tenant_id)
    if number is None:
        return [f"Reliez d'abord un numéro : comptoir whatsapp link --tenant {slug} …"]
    phone = normalize_phone(sender, "SN")
    wamid = f"wamid.SIMULATION.{secrets.token_hex(8)}"
    payload: dict[str, Any] = {"from": phone.lstrip("+"), "id": wamid, "type": "text"}
    if button:
        payload.update(
            type="interactive",
            interactive={"type": "button_reply", "button_reply": {"id": button, "title": ""}},
        )
    else:
        payload["text"] = {"body": message}
    publisher, container.db.event_publisher = container.db.event_publisher, None
    try:
        with container.db.unit_of_work() as session:
            item = inbox.Item(f"message:{wamid}", "message", number, wamid, payload)
            (inbound_id,) = inbox.record(session, [item], container.clock.now())
        process(container, inbound_id)
        with container.db.unit_of_work(principal.tenant_id) as session:
            rows = list(
                session.scalars(
                    select(WhatsAppMessage)
                    .where(WhatsAppMessage.dedup_key.like(f"reply:{wamid}:%"))
                    .order_by(WhatsAppMessage.created_at, WhatsAppMessage.dedup_key)
                )
            )
            for row in rows:
                row.status, row.last_error = "failed", "simulation : non envoyé"
            return [describe(row.to_phone, row.body) for row in rows]
    finally:
        container.db.event_publisher = publisher


@whatsapp_app.command("fake-graph")
def fake_graph(
    port: Annotated[int, typer.Option(help="Port d'écoute (127.0.0.1)")] = 8090,
) -> None:
    """Serve a local stand-in of Meta's Graph API (demos without a Meta account) and print
    every message sent to it; point COMPTOIR_WHATSAPP_API_URL at the URL shown."""
    import time

    from comptoir.whatsapp_fake import FakeGraph, serve

    fake = FakeGraph()
    server, thread = serve(fake, port)
    typer.echo(f"COMPTOIR_WHATSAPP_API_URL={fake.base_url}  (Ctrl-C pour arrêter)")
    seen = 0
    try:
        while thread.is_alive():
            time.sleep(0.2)
            fresh, seen = fake.requests[seen:], len(fake.requests)
            for request in fresh:
                if request.path.endswith("/messages"):
                    typer.echo(describe("+" + str(request.body.get("to")), request.body))
    except KeyboardInterrupt:
        server.should_exit = True
        thread.join(timeout=5)


def describe(to: str, body: dict[str, Any]) -> str:
    """A message as a person would read it, with the ids of its buttons."""
    if body.get("type") == "text":
        return f"→ {to} : {body['text']['body']}"
    interactive = body.get("interactive") or {}
    text = (interactive.get("body") or {}).get("text", "")
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        choices = [(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])]
    else:
        rows = [r for s in action.get("sections", []) for r in s.get("rows", [])]
        choices = [(r["id"], r["title"]) for r in rows]
    shown = "  ".join(f"[{title}] ({ref})" for ref, title in choices)
    if shown:
        return f"→ {to} : {text}\n   {shown}"
    return f"→ {to} : {json.dumps(body, ensure_ascii=False)}"
