"""Devis: the list, a quote's page (lines, totals, status, PDF) and what a seller may do
with it — mark it sent, accepted or refused by the customer, turn an accepted quote into
a draft invoice — through the quote services the REST API uses (their roles, their
transitions, their audit). Another business's quote is not found (Row-Level Security)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from api import finance as finance_api
from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUser, WebUserDep, render
from api.web.more_records import Cell, Status, date_text, money_text, table_page
from api.web.records import PER_PAGE, PageNumber, Pager, checked_form, pager, partner_names
from comptoir.bootstrap import Container
from domain.finance import quotes
from domain.finance.models import Quote
from domain.kit.clock import Clock
from domain.kit.principal import Channel, Principal
from domain.sales import service as sales

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
Move = Literal["envoyer", "accepter", "refuser"]
MOVES: dict[str, Callable[[Session, Principal, Clock, UUID], Quote]] = {
    "envoyer": quotes.send_quote,
    "accepter": quotes.accept_quote,
    "refuser": quotes.refuse_quote,
}
DONE = {
    "envoyer": "Devis marqué comme envoyé.",
    "accepter": "Devis accepté par le client.",
    "refuser": "Devis refusé par le client.",
}


def _quote_rows(
    session: Session, c: Container, user: WebUser, statut: str, page: int
) -> tuple[list[list[Cell]], Pager]:
    found, today = quotes.list_quotes(
        session,
        user.principal,
        c.clock,
        status=statut if statut in quotes.STATUS_LABELS and statut != "expired" else None,
        limit=PER_PAGE + 1,
        offset=(page - 1) * PER_PAGE,
    )
    names = partner_names(session, user, {q.partner_id for q in found})
    rows = [
        [
            Cell(q.number, f"/devis/{q.id}"),
            Cell(names[q.partner_id]),
            Cell(date_text(q.issue_date)),
            Cell(money_text(q.gross_total, q.currency), num=True),
            Cell(quotes.STATUS_LABELS[quotes.effective_status(q, today)].capitalize()),
        ]
        for q in found
    ]
    return pager(page, rows, statut=statut)


@router.get("/devis")
def quote_list(
    request: Request, c: ContainerDep, user: WebUserDep, statut: Status = "", page: PageNumber = 1
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        rows, pages = _quote_rows(session, c, user, statut, page)
    headers = [Cell("Devis"), Cell("Client"), Cell("Date"), Cell("Total TTC", num=True)]
    return table_page(
        request,
        "Devis",
        [*headers, Cell("Statut")],
        rows,
        pager=pages,
        choices=quotes.STATUS_LABELS,
        statut=statut,
        empty="Aucun devis.",
    )


def _actions(quote: Quote, status: str) -> list[tuple[str, str]]:
    """The moves this quote allows now, as (path segment, button label)."""
    if not quote.is_current:
        return []
    return {
        "draft": [("envoyer", "Marquer comme envoyé")],
        "sent": [("accepter", "Accepté par le client"), ("refuser", "Refusé par le client")],
    }.get(status, [])


@router.get("/devis/{quote_id}")
def quote_detail(
    request: Request,
    quote_id: UUID,
    c: ContainerDep,
    user: WebUserDep,
    fait: Literal["", "envoyer", "accepter", "refuser"] = "",
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        quote, lines, today = quotes.quote_with_lines(session, user.principal, c.clock, quote_id)
        partner = sales.get_partner(session, user.principal, quote.partner_id)
    status = quotes.effective_status(quote, today)
    context = {
        "title": f"Devis {quote.number}",
        "quote": quote,
        "lines": lines,
        "partner": partner,
        "status": quotes.STATUS_LABELS[status],
        "moves": _actions(quote, status),
        "may_invoice": quote.is_current and status == "accepted" and quote.invoice_id is None,
        "done": DONE.get(fait),
    }
    return render(request, "quote.html", context)


@router.get("/devis/{quote_id}/pdf")
def quote_pdf(quote_id: UUID, c: ContainerDep, user: WebUserDep) -> Response:
    return finance_api.quote_pdf(quote_id, c, user.principal)


@router.post("/devis/{quote_id}/facturer")
async def invoice_quote(
    request: Request, quote_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    """The accepted quote becomes a draft invoice, shown next (posting it is a separate,
    explicit step on the invoice's page)."""
    await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        invoice = quotes.convert_to_invoice(session, user.principal, c.clock, quote_id)
        invoice_id = invoice.id
    return RedirectResponse(f"/factures/{invoice_id}", status_code=303)


@router.post("/devis/{quote_id}/{move}")
async def move_quote(
    request: Request, quote_id: UUID, move: Move, c: ContainerDep, user: WebUserDep
) -> Response:
    await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        MOVES[move](session, user.principal, c.clock, quote_id)
    return RedirectResponse(f"/devis/{quote_id}?fait={move}", status_code=303)
