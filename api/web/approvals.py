"""« À valider »: what waits for this person — leave requests of the people they decide
for, draft invoices they may post, draft purchase orders — with the decisions a role may
take (approve or refuse a leave request) through the same services as the REST API."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from api.deps import ContainerDep, declare_channel
from api.web import figures
from api.web.deps import PageRoute, WebUser, WebUserDep, render
from api.web.records import POSTERS, checked_form, partner_names
from comptoir.bootstrap import Container
from domain.finance import invoices
from domain.finance.models import Invoice
from domain.hr import service as hr
from domain.kit.principal import Channel

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
DONE = {"approuve": "Demande de congé approuvée.", "refuse": "Demande de congé refusée."}


def _drafts(session: Session, c: Container, user: WebUser) -> list[Invoice]:
    if not user.may(*POSTERS):
        return []
    return invoices.list_invoices(session, user.principal, c.clock, status="draft", limit=50)[0]


@router.get("/a-valider")
def waiting_page(
    request: Request,
    c: ContainerDep,
    user: WebUserDep,
    fait: Literal["", "approuve", "refuse"] = "",
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        waiting = figures.waiting(session, user.principal)
        drafts = _drafts(session, c, user)
        names = partner_names(session, user, {i.partner_id for i in drafts})
    context = {
        "title": "À valider",
        "waiting": waiting,
        "drafts": drafts,
        "names": names,
        "done": DONE.get(fait),
    }
    return render(request, "approvals.html", context)


@router.post("/a-valider/conges/{request_id}/approuver")
async def approve_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await checked_form(request, c, user)
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        hr.approve_leave(session, user.principal, c.clock, request_id)
    return RedirectResponse("/a-valider?fait=approuve", status_code=303)


@router.post("/a-valider/conges/{request_id}/refuser")
async def reject_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    form = await checked_form(request, c, user)
    reason = form.get("motif")
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        # The service refuses an empty reason itself (« Indiquez le motif du refus. »);
        # PostgreSQL refuses a NUL character, which no one types.
        text = reason.replace("\x00", "") if isinstance(reason, str) else ""
        hr.reject_leave(session, user.principal, c.clock, request_id, text)
    return RedirectResponse("/a-valider?fait=refuse", status_code=303)
