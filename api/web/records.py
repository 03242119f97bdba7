"""Record pages: Factures, Clients, Produits, Stock — lists with search, filters and pagination,
detail pages (an invoice with its PDF), and the actions a role may do (post a draft
invoice), all through the same domain services as the REST API. A role the service
refuses gets the French 403 page; another business's record is simply not found (RLS).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api import finance as finance_api
from api.deps import ContainerDep, declare_channel
from api.web.deps import PageRoute, WebUser, WebUserDep, render, web_keys
from api.web.figures import allowed
from api.web.security import CSRF_FIELD, check_csrf, session_binding
from comptoir.bootstrap import Container
from domain.finance import invoices, payments, quotes, reports
from domain.finance.invoices import STATUS_LABELS
from domain.finance.models import Invoice
from domain.finance.schemas import PAYMENT_METHOD_LABELS, PaymentCreate
from domain.kit.errors import InvalidInput
from domain.kit.principal import Channel, Role
from domain.sales import service as sales
from domain.sales.schemas import ProductOut
from domain.stock import service as stock
from domain.stock.purchasing import planning

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
PER_PAGE = 20
PageNumber = Annotated[int, Query(ge=1, le=10_000)]
Search = Annotated[str | None, Query(max_length=100)]
# Who sees the « Valider la facture » button; the service checks the roles again itself.
POSTERS = (Role.MANAGER, Role.ACCOUNTANT)
InvoiceFilter = Literal["", "draft", "posted", "partially_paid", "paid", "cancelled", "overdue"]


@dataclass(frozen=True, slots=True)
class Pager:
    page: int
    has_next: bool
    params: dict[str, str]

    def link(self, page: int) -> str:
        wanted = {k: v for k, v in {**self.params, "page": str(page)}.items() if v}
        return f"?{urlencode(wanted)}"


def pager(page: int, rows: list[Any], **params: str) -> tuple[list[Any], Pager]:
    """The page's rows (one more was read to know whether a next page exists)."""
    return rows[:PER_PAGE], Pager(page, len(rows) > PER_PAGE, params)


async def checked_form(request: Request, c: Container, user: WebUser) -> FormData:
    """The posted form, once its CSRF token is this session's."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    assert user.principal.session_id is not None
    binding = session_binding(user.principal.session_id)
    check_csrf(request, web_keys(c), binding, token if isinstance(token, str) else None)
    return form


def partner_names(session: Session, user: WebUser, ids: set[UUID]) -> dict[UUID, str]:
    return {i: sales.get_partner(session, user.principal, i).name for i in ids}


# --- Factures -----------------------------------------------------------------------------


def _invoices(
    session: Session,
    c: Container,
    user: WebUser,
    shown: InvoiceFilter,
    client: str | None,
    page: int,
) -> dict[str, Any]:
    partner_id, matches = None, []
    if client:
        matches = sales.search_partners(session, user.principal, client, role="customer", limit=5)
        partner_id = matches[0].id if len(matches) == 1 else None
    rows: list[Invoice] = []
    if not client or partner_id is not None:
        rows, _ = invoices.list_invoices(
            session,
            user.principal,
            c.clock,
            status=None if shown in ("", "overdue") else shown,
            overdue=True if shown == "overdue" else None,
            partner_id=partner_id,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
    rows, pages = pager(page, rows, statut=shown, client=client or "")
    names = partner_names(session, user, {r.partner_id for r in rows})
    return {"rows": rows, "pager": pages, "names": names, "matches": matches}


@router.get("/factures")
def invoice_list(
    request: Request,
    c: ContainerDep,
    user: WebUserDep,
    statut: InvoiceFilter = "",
    client: Search = None,
    page: PageNumber = 1,
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        found = _invoices(session, c, user, statut, (client or "").strip() or None, page)
    context = {"title": "Factures", "statut": statut, "client": client or "", **found}
    return render(request, "invoices.html", {**context, "labels": STATUS_LABELS})


@router.get("/factures/{invoice_id}")
def invoice_detail(
    request: Request,
    invoice_id: UUID,
    c: ContainerDep,
    user: WebUserDep,
    fait: Literal["", "paiement"] = "",
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        invoice, lines, today = invoices.invoice_with_lines(
            session, user.principal, c.clock, invoice_id
        )
        partner = sales.get_partner(session, user.principal, invoice.partner_id)
        context = {
            "title": f"Facture {invoice.number or '(brouillon)'}",
            "invoice": invoice,
            "lines": lines,
            "partner": partner,
            "balance": invoices.balance(invoice),
            "overdue": invoices.is_overdue(invoice, today),
            "labels": STATUS_LABELS,
            "may_post": invoice.status == "draft" and user.may(*POSTERS),
            "may_pay": invoice.status in ("posted", "partially_paid")
            and user.may(*payments.WRITERS),
            "methods": PAYMENT_METHOD_LABELS,
            "done": "Paiement enregistré." if fait == "paiement" else None,
        }
    return render(request, "invoice.html", context)


@router.get("/factures/{invoice_id}/pdf")
def invoice_pdf(invoice_id: UUID, c: ContainerDep, user: WebUserDep) -> Response:
    return finance_api.invoice_pdf(invoice_id, c, user.principal, facturx=True)


@router.post("/factures/{invoice_id}/valider")
async def post_invoice(
    request: Request, invoice_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await checked_form(request, c, user)
    finance_api.post_invoice(invoice_id, c, user.principal)
    return RedirectResponse(f"/factures/{invoice_id}", status_code=303)


def _amount(text: str) -> Decimal:
    """An amount as typed in French (« 1 234,50 »)."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput("Montant invalide : écrivez par exemple 1 234,50.") from None


@router.post("/factures/{invoice_id}/paiement")
async def record_payment(
    request: Request, invoice_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    form = await checked_form(request, c, user)
    amount, method = str(form.get("montant") or ""), str(form.get("moyen") or "")
    try:
        data = PaymentCreate.model_validate(
            {"invoice_id": invoice_id, "amount": _amount(amount), "method": method}
        )
    except ValidationError:
        raise InvalidInput(
            "Paiement invalide : un montant positif et un moyen de paiement."
        ) from None
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        payments.record_payment(session, user.principal, c.clock, data)
    return RedirectResponse(f"/factures/{invoice_id}?fait=paiement", status_code=303)


# --- Clients ------------------------------------------------------------------------------


@router.get("/clients")
def customer_list(
    request: Request, c: ContainerDep, user: WebUserDep, q: Search = None, page: PageNumber = 1
) -> Response:
    query = (q or "").strip()
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        if query:
            found = sales.search_partners(session, user.principal, query, role="customer", limit=20)
            rows, pages = [(m.id, m.code, m.name, m.city) for m in found], None
        else:
            listed = sales.list_partners(
                session,
                user.principal,
                role="customer",
                limit=PER_PAGE + 1,
                offset=(page - 1) * PER_PAGE,
            )
            partners = [(p.id, p.code, p.name, p.city) for p in listed.items]
            rows, pages = pager(page, partners)
    context = {"title": "Clients", "q": query, "rows": rows, "pager": pages}
    return render(request, "customers.html", context)


@router.get("/clients/{partner_id}")
def customer_detail(
    request: Request, partner_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        partner = sales.get_partner(session, user.principal, partner_id)
        balance = allowed(
            lambda: reports.customer_balance(session, user.principal, c.clock, partner_id)
        )
        recent = allowed(
            lambda: invoices.list_invoices(
                session, user.principal, c.clock, partner_id=partner_id, limit=10
            )[0]
        )
        quoted = allowed(
            lambda: quotes.list_quotes(
                session, user.principal, c.clock, partner_id=partner_id, limit=10
            )
        )
    context = {
        "title": partner.name,
        "partner": partner,
        "balance": balance,
        "recent": recent,
        "quotes": quoted[0] if quoted else None,
        "quote_labels": quotes.STATUS_LABELS,
        "today": quoted[1] if quoted else None,
        "effective": quotes.effective_status,
    }
    return render(request, "customer.html", {**context, "labels": STATUS_LABELS})


# --- Produits -----------------------------------------------------------------------------


@router.get("/produits")
def product_list(
    request: Request,
    c: ContainerDep,
    user: WebUserDep,
    q: Search = None,
    type: Literal["", "goods", "service"] = "",
    page: PageNumber = 1,
) -> Response:
    query = (q or "").strip()
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        currency = sales.tenant_currency(session, user.principal)
        listed = sales.list_products(
            session,
            user.principal,
            kind=type or None,
            query=query or None,
            limit=PER_PAGE + 1,
            offset=(page - 1) * PER_PAGE,
        )
        rows = [ProductOut.of(p, currency) for p in listed.items]
    rows, pages = pager(page, rows, q=query, type=type)
    context = {"title": "Produits", "q": query, "type": type, "rows": rows, "pager": pages}
    return render(request, "products.html", context)


@router.get("/produits/{product_id}")
def product_detail(
    request: Request, product_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        currency = sales.tenant_currency(session, user.principal)
        product = ProductOut.of(sales.get_product(session, user.principal, product_id), currency)
        levels = allowed(
            lambda: stock.stock_levels(session, user.principal, product_ids=[product_id])
        )
        warehouses = {
            w.id: w.name for w in stock.list_warehouses(session, user.principal, active=None)
        }
    context = {
        "title": product.name,
        "product": product,
        "levels": levels or [],
        "warehouses": warehouses,
    }
    return render(request, "product.html", context)


# --- Stock --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockLine:
    product_id: UUID
    product: str
    warehouse: str
    level: stock.LevelRow
    under_minimum: bool


def _stock_lines(session: Session, user: WebUser, query: str, page: int) -> list[StockLine]:
    principal = user.principal
    wanted = None
    if query:
        wanted = [p.id for p in sales.list_products(session, principal, query=query).items]
    rows = (
        []
        if wanted == []
        else stock.stock_levels(
            session, principal, product_ids=wanted, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
        )
    )
    warehouses = {w.id: w.name for w in stock.list_warehouses(session, principal, active=None)}
    low = {(p.product_id, p.warehouse_id) for p in planning.low_stock(session, principal)}
    names = {i: sales.get_product(session, principal, i).name for i in {r.product_id for r in rows}}
    return [
        StockLine(
            r.product_id,
            names[r.product_id],
            warehouses.get(r.warehouse_id, "—") if r.warehouse_id else "Tous les dépôts",
            r,
            (r.product_id, r.warehouse_id) in low,
        )
        for r in rows
    ]


@router.get("/stock")
def stock_page(
    request: Request, c: ContainerDep, user: WebUserDep, q: Search = None, page: PageNumber = 1
) -> Response:
    query = (q or "").strip()
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        lines = _stock_lines(session, user, query, page)
    rows, pages = pager(page, lines, q=query)
    return render(
        request, "stock.html", {"title": "Stock", "q": query, "rows": rows, "pager": pages}
    )
