"""More record pages, drawn by one table template: Achats (an order's lines, « Envoyer la
commande » for a draft, « Tout réceptionner »), Équipe, Congés and Documents (with the
file), through the same domain services as the REST API — their roles, their scopes (a
manager sees their team's leave, a seller no HR document), and Row-Level Security
underneath."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from api import documents as documents_api
from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUserDep, render, templates
from api.web.records import PER_PAGE, PageNumber, Search, checked_form, pager
from domain.hr import service as hr
from domain.hr.service.leave import STATUS_LABELS as LEAVE_LABELS
from domain.kit.principal import Channel
from domain.stock.purchasing import orders, receipts
from domain.stock.purchasing._common import BUYERS, RECEIVERS
from domain.stock.purchasing.orders import STATUS_LABELS as ORDER_LABELS
from rag import service as documents

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
Status = Annotated[str, Query(max_length=20)]
ORDER_DONE = {
    "recu": "Livraison enregistrée : le stock est à jour.",
    "envoye": "Commande envoyée au fournisseur.",
}


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    num: bool = False


def table_page(
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


def money_text(value: Any, currency: str) -> str:
    return str(templates.env.filters["money"](value, currency))


def date_text(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


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
            Cell(date_text(v.order.order_date)),
            Cell(money_text(v.order.net_total, v.order.currency), num=True),
            Cell(ORDER_LABELS[v.order.status].capitalize()),
        ]
        for v in found
    ]
    rows, pages = pager(page, rows, statut=statut)
    headers = [Cell("Commande"), Cell("Fournisseur"), Cell("Date"), Cell("Total HT", num=True)]
    return table_page(
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
        "may_send": view.order.status == "draft" and user.may(*BUYERS),
        "done": ORDER_DONE.get(fait),
    }
    return render(request, "order.html", context)


@router.post("/achats/{order_id}/envoi")
async def send_order(
    request: Request, order_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    """A draft order is sent: dated today, its delivery expected after the lead time."""
    await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        orders.send_purchase_order(session, user.principal, c.clock, order_id)
    return RedirectResponse(f"/achats/{order_id}?fait=envoye", status_code=303)


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
            Cell(e.name, f"/equipe/{e.id}"),
            Cell(e.job_title or "—"),
            Cell(departments.get(e.department_id, "—") if e.department_id else "—"),
            Cell(date_text(e.hire_date)),
        ]
        for e in listed.items
    ]
    rows, pages = pager(page, rows)
    headers = [Cell("Nom"), Cell("Poste"), Cell("Service"), Cell("Arrivée")]
    return table_page(request, "Équipe", headers, rows, pager=pages, empty="Personne.")


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
            Cell(r.employee, f"/conges/{r.id}"),
            Cell(r.leave_type),
            Cell(date_text(r.start_date)),
            Cell(date_text(r.end_date)),
            Cell(LEAVE_LABELS[r.status].capitalize()),
        ]
        for r in described[start : start + PER_PAGE + 1]
    ]
    rows, pages = pager(page, rows, statut=statut)
    headers = [Cell("Personne"), Cell("Type"), Cell("Du"), Cell("Au"), Cell("Statut")]
    return table_page(
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
            Cell(date_text(d.created_at)),
        ]
        for d in found
    ]
    rows, pages = pager(page, rows, q=query)
    headers = [Cell("Titre (télécharger)"), Cell("Fichier"), Cell("Ajouté le")]
    return table_page(
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
