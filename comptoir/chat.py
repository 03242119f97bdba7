"""``comptoir chat``: the agent in a terminal, on the same graph as every channel.

Interactive on a terminal; otherwise reads stdin line by line (scripts, tests) and prints
one reply block per line."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO
from uuid import UUID

from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.errors import NotFound
from domain.kit.principal import Channel, Principal, Role


def member_principal(container: Container, slug: str, email: str) -> Principal:
    """The active member ``email`` of the business ``slug``, over the CLI channel."""
    with container.owner_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT t.id, u.id, m.roles FROM tenants t"
                " JOIN memberships m ON m.tenant_id = t.id"
                " JOIN users u ON u.id = m.user_id"
                " WHERE t.slug = :slug AND lower(u.email) = lower(:email) AND m.is_active"
            ),
            {"slug": slug, "email": email},
        ).first()
    if row is None:
        raise NotFound(f"Aucun membre « {email} » dans l'entreprise « {slug} ».")
    return Principal(
        tenant_id=row[0],
        user_id=row[1],
        roles=frozenset(Role(r) for r in row[2]),
        channel=Channel.CLI,
    )


def chat(
    container: Container,
    principal: Principal,
    lines: Iterable[str],
    out: TextIO,
    *,
    interactive: bool = False,
) -> None:
    conversation: UUID | None = None
    for line in lines:
        message = line.rstrip("\n")
        for event in container.agent.turn(principal, message, conversation_id=conversation):
            if event["type"] == "conversation":
                conversation = UUID(event["id"])
            elif event["type"] == "reply":
                out.write(f"comptoir › {event['text']}\n")
        out.flush()
        if interactive:
            out.write("vous › ")
            out.flush()


def run(container: Container, slug: str, email: str) -> None:
    principal = member_principal(container, slug, email)
    interactive = sys.stdin.isatty()
    if interactive:
        sys.stdout.write("Comptoir — écrivez votre demande (Ctrl-D pour quitter).\nvous › ")
        sys.stdout.flush()
    chat(container, principal, sys.stdin, sys.stdout, interactive=interactive)
