"""More record pages, drawn by one table template: Devis (with the PDF), Achats (an order's
lines and « Tout réceptionner »), Équipe, Congés and Documents (with the file), through the
same domain services as the REST API — their roles, their scopes (a manager sees their
team's leave, a seller no HR document), and Row-Level Security underneath."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from api import documents as documents_api
from api import finance as finance_api
from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUser, WebUserDep, render, templates
from api.web.records import PER_PAGE, PageNumber, Search, checked_form, pager, partner_names
from comptoir.bootstrap import Container
from domain.finance import quotes
from domain.hr import service as hr
from domain.hr.service.leave import STATUS_LABELS as LEAVE_LABELS
from domain.kit.principal import Channel
from domain.stock.purchasing import orders, receipts
from domain.stock.purchasing._common import RECEIVERS
from domain.stock.purchasing.orders import STATUS_LABELS as ORDER_LABELS
from rag import service as documents

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
Status = Annotated[str, Query(max_length=20)]


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    num: bool = False


def _table(
    request: Request,
    title: str,
    headers: list[Cell],
    rows: list[list[Cell]],
    **context: Any,
) -> Response:
    context.setdefault("empty", "Rien pour l'instant.")
    return render(
        request, "table.html", {"title": title, "headers": headers, "rows": rows, **context}
    )


def _money(value: Any, currency: str) -> str:
    return str(templates.env.filters["money"](value, currency))


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


# --- Devis --------------------------------------------------------------------------------


def _quote_rows(session: Session, c: Container, user: WebUser, statut: str, page: int) -> Any:
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
            Cell(q.number, f"/devis/{q.id}/pdf"),
            Cell(names[q.partner_id]),
            Cell(_date(q.issue_date)),
            Cell(_money(q.gross_total, q.currency), num=True),
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
    headers = [Cell("Devis (PDF)"), Cell("Client"), Cell("Date"), Cell("Total TTC", num=True)]
    return _table(
        request,
        "Devis",
        [*headers, Cell("Statut")],
        rows,
        pager=pages,
        choices=quotes.STATUS_LABELS,
        statut=statut,
        empty="Aucun devis.",
    )


@router.get("/devis/{quote_id}/pdf")
def quote_pdf(quote_id: UUID, c: ContainerDep, user: WebUserDep) -> Response:
    return finance_api.quote_pdf(quote_id, c, user.principal)


# --- Achats -------------------------------------------------------------------------------


@router.get("/achats")
def order_list(
    request: Request, c: ContainerDep, user: WebUserDep, statut: Status = "", page: PageNumber = 1
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        found = orders.list_purchase_orders(
            session,
            user.principal,
            status=statut if statut in ORDER_LABELS else None,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
    rows = [
        [
            Cell(v.order.number, f"/achats/{v.order.id}"),
            Cell(v.supplier_name),
            Cell(_date(v.order.order_date)),
            Cell(_money(v.order.net_total, v.order.currency), num=True),
            Cell(ORDER_LABELS[v.order.status].capitalize()),
        ]
        for v in found
    ]
    rows, pages = pager(page, rows, statut=statut)
    headers = [Cell("Commande"), Cell("Fournisseur"), Cell("Date"), Cell("Total HT", num=True)]
    return _table(
        request,
        "Achats",
        [*headers, Cell("Statut")],
        rows,
        pager=pages,
        choices=ORDER_LABELS,
        statut=statut,
        empty="Aucune commande fournisseur.",
    )


@router.get("/achats/{order_id}")
def order_detail(
    request: Request, order_id: UUID, c: ContainerDep, user: WebUserDep, fait: str = ""
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        view = orders.get_purchase_order(session, user.principal, order_id)
    context = {
        "title": f"Commande {view.order.number}",
        "view": view,
        "labels": ORDER_LABELS,
        "may_receive": view.order.status in ("sent", "partially_received") and user.may(*RECEIVERS),
        "done": "Livraison enregistrée : le stock est à jour." if fait == "recu" else None,
    }
    return render(request, "order.html", context)


@router.post("/achats/{order_id}/reception")
async def receive_order(
    request: Request, order_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    """Everything still expected arrived (a partial delivery is told in the chat)."""
    await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        receipts.receive_purchase_order(session, user.principal, c.clock, order_id)
    return RedirectResponse(f"/achats/{order_id}?fait=recu", status_code=303)


# --- Équipe, Congés -----------------------------------------------------------------------


@router.get("/equipe")
def staff_list(
    request: Request, c: ContainerDep, user: WebUserDep, page: PageNumber = 1
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        listed = hr.list_employees(
            session, user.principal, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
        )
        departments = {d.id: d.name for d in hr.list_departments(session, user.principal)}
    rows = [
        [
            Cell(e.name),
            Cell(e.job_title or "—"),
            Cell(departments.get(e.department_id, "—") if e.department_id else "—"),
            Cell(_date(e.hire_date)),
        ]
        for e in listed.items
    ]
    rows, pages = pager(page, rows)
    headers = [Cell("Nom"), Cell("Poste"), Cell("Service"), Cell("Arrivée")]
    return _table(request, "Équipe", headers, rows, pager=pages, empty="Personne.")


@router.get("/conges")
def leave_list(
    request: Request, c: ContainerDep, user: WebUserDep, statut: Status = "", page: PageNumber = 1
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        found = hr.list_leave_requests(
            session,
            user.principal,
            status=statut if statut in LEAVE_LABELS else None,  # type: ignore[arg-type]
        )
        described = hr.describe_requests(session, user.principal, found)
    start = (page - 1) * PER_PAGE
    rows = [
        [
            Cell(r.employee),
            Cell(r.leave_type),
            Cell(_date(r.start_date)),
            Cell(_date(r.end_date)),
            Cell(LEAVE_LABELS[r.status].capitalize()),
        ]
        for r in described[start : start + PER_PAGE + 1]
    ]
    rows, pages = pager(page, rows, statut=statut)
    headers = [Cell("Personne"), Cell("Type"), Cell("Du"), Cell("Au"), Cell("Statut")]
    return _table(
        request,
        "Congés",
        headers,
        rows,
        pager=pages,
        choices=LEAVE_LABELS,
        statut=statut,
        empty="Aucune demande de congé.",
    )


# --- Documents ----------------------------------------------------------------------------


@router.get("/documents")
def document_list(
    request: Request, c: ContainerDep, user: WebUserDep, q: Search = None, page: PageNumber = 1
) -> Response:
    query = (q or "").strip()
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        found, _ = documents.list_documents(
            session,
            user.principal,
            search=query or None,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
    rows = [
        [
            Cell(d.title, f"/documents/{d.id}/fichier"),
            Cell(d.filename),
            Cell(_date(d.created_at)),
        ]
        for d in found
    ]
    rows, pages = pager(page, rows, q=query)
    headers = [Cell("Titre (télécharger)"), Cell("Fichier"), Cell("Ajouté le")]
    return _table(
        request,
        "Documents",
        headers,
        rows,
        pager=pages,
        search="Rechercher dans les titres",
        q=query,
        empty="Aucun document. Joignez-en un depuis la discussion.",
    )


@router.get("/documents/{document_id}/fichier")
def document_file(document_id: UUID, c: ContainerDep, user: WebUserDep) -> Response:
    return documents_api.download_document(document_id, c, user.principal)
