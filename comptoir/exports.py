"""Operator exports (``comptoir export …``): Factur-X invoices and the FEC, for a tenant
named by its slug, acting as that tenant's first administrator over the CLI channel."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.finance import exporting, printing
from domain.finance import repository as finance_repo
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.documents.fec import check_fec
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.principal import Channel, Principal, Role


def operator(container: Container, slug: str) -> Principal:
    with container.owner_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT t.id, m.user_id FROM tenants t JOIN memberships m ON m.tenant_id = t.id "
                "WHERE t.slug = :slug AND 'admin' = ANY(m.roles) AND m.is_active "
                "ORDER BY m.created_at LIMIT 1"
            ),
            {"slug": slug},
        ).first()
    if row is None:
        raise NotFound(f"Entreprise inconnue : « {slug} ».")
    return Principal(
        tenant_id=row[0], user_id=row[1], roles=frozenset({Role.ADMIN}), channel=Channel.CLI
    )


def export_facturx(container: Container, slug: str, number: str, out_dir: Path) -> Path:
    principal = operator(container, slug)
    with container.db.unit_of_work(principal.tenant_id) as session:
        invoice = finance_repo.find_invoice_by_number(session, principal.tenant_id, number)
        if invoice is None:
            raise NotFound(f"Facture introuvable : {number}.")
        doc = printing.invoice_document(session, principal, container.clock, invoice.id)
    if doc.country != "FR":
        raise InvalidInput("Factur-X concerne les entreprises françaises.")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{number}.pdf"
    path.write_bytes(facturx_pdf(doc))
    return path


def export_fec(container: Container, slug: str, year: int, out: Path) -> tuple[Path, list[str]]:
    """Write the FEC; ``out`` is a file, or a folder receiving ``<SIREN>FEC<date>.txt``.
    Returns the path and the problems ``check_fec`` found (none expected)."""
    principal = operator(container, slug)
    with container.db.unit_of_work(principal.tenant_id) as session:
        content, filename = exporting.fec_export(session, principal, container.clock, year=year)
    path = out / filename if out.is_dir() else out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path, check_fec(content)
