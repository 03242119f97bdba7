"""``comptoir import einvoice``: a received Factur-X PDF, CII or UBL file as a draft
supplier bill of a business."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from comptoir.bootstrap import Container

import_app = typer.Typer(help="Imports : factures électroniques reçues (Factur-X, CII, UBL).")


def import_file(container: Container, slug: str, path: Path) -> dict[str, Any]:
    """Import ``path`` into the business ``slug``; the created bill as the CLI prints it."""
    from comptoir.exports import operator
    from domain.finance.payables.importing import import_einvoice
    from domain.kit.errors import InvalidInput
    from domain.kit.money import Currency

    principal = operator(container, slug)
    try:
        data = path.read_bytes()
    except OSError:
        raise InvalidInput(f"Fichier illisible : {path}.") from None
    with container.db.unit_of_work(principal.tenant_id) as session:
        done = import_einvoice(
            session,
            principal,
            container.clock,
            data,
            filename=path.name,
            reader=container.scan_reader,
        )
        bill = done.bill
        quantum = Currency(bill.currency).quantum
        return {
            "id": str(bill.id),
            "supplier": done.supplier.name if done.supplier else None,
            "number": bill.supplier_number,
            "currency": bill.currency,
            "total_excl_tax": format(bill.net_total.quantize(quantum), "f"),
            "tax": format(bill.tax_total.quantize(quantum), "f"),
            "total": format(bill.gross_total.quantize(quantum), "f"),
            "status": bill.status,
            "warnings": done.warnings,
        }


@import_app.command("einvoice")
def import_einvoice_command(
    file: Annotated[Path, typer.Argument(help="Facture Factur-X (PDF), CII ou UBL (XML)")],
    tenant: Annotated[str, typer.Option(help="Identifiant de l'entreprise (slug)")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Afficher la facture créée en JSON")
    ] = False,
) -> None:
    """Create a draft supplier bill from a received e-invoice (nothing written if refused)."""
    from comptoir.bootstrap import build_container
    from comptoir.cli import _or_fail

    container = build_container()
    try:
        bill = _or_fail(lambda: import_file(container, tenant, file))
    finally:
        container.close()
    if as_json:
        typer.echo(json.dumps(bill, ensure_ascii=False))
        return
    typer.echo(
        f"Facture {bill['number']} de {bill['supplier']} importée en brouillon : "
        f"{bill['total_excl_tax']} HT, TVA {bill['tax']}, {bill['total']} {bill['currency']} TTC."
    )
    for warning in bill["warnings"]:
        typer.echo(f"  ! {warning}")
