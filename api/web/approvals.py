"""« À valider »: what waits for this person — leave requests of the people they decide
for, drafts (invoices and quotes: the whole business's for those who may post an
invoice, their own for a seller), draft purchase orders to send — with the decisions a
role may take (approve or refuse a leave request) through the same services as the REST
API. Each part is there only for the roles its service allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from api.deps import ContainerDep, declare_channel
from api.web import figures
from api.web.deps import PageRoute, WebUser, WebUserDep, render
from api.web.hr_pages import DONE, decide_leave
from api.web.records import POSTERS, partner_names
from comptoir.bootstrap import Container
from domain.finance import invoices, quotes
from domain.finance.models import Invoice, Quote
from domain.kit.principal import Channel

router = APIRouter(
    route_class=PageRoute, include_in_schema=False, dependencies=[declare_channel(Channel.WEB)]
)
SHOWN = 50
# A seller's own drafts are found among the business's newest ones.
SCANNED = 500


@dataclass(frozen=True, slots=True)
class Drafts:
    """Draft invoices and quotes waiting for this person, and whose they are."""

    invoices: list[Invoice] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    everyone: bool = False  # the whole business's drafts, or the person's own

    def __len__(self) -> int:
        return len(self.invoices) + len(self.quotes)


def drafts(session: Session, c: Container, user: WebUser) -> Drafts:
    """Those who may post an invoice see every draft; another writer (a seller) sees the
    drafts they made themself; anyone else none."""
    if not user.may(*invoices.WRITERS):
        return Drafts()
    principal, everyone = user.principal, user.may(*POSTERS)
    limit = SHOWN if everyone else SCANNED
    found_invoices = invoices.list_invoices(
        session, principal, c.clock, status="draft", limit=limit
    )[0]
    found_quotes = quotes.list_quotes(session, principal, c.clock, status="draft", limit=limit)[0]
    if not everyone:
        found_invoices = [i for i in found_invoices if i.created_by == principal.user_id]
        found_quotes = [q for q in found_quotes if q.created_by == principal.user_id]
    return Drafts(found_invoices[:SHOWN], found_quotes[:SHOWN], everyone)


@router.get("/a-valider")
def waiting_page(
    request: Request,
    c: ContainerDep,
    user: WebUserDep,
    fait: Literal["", "approuve", "refuse"] = "",
) -> Response:
    with c.db.unit_of_work(user.principal.tenant_id) as session:
        waiting = figures.waiting(session, user.principal)
        found = drafts(session, c, user)
        partners = {i.partner_id for i in found.invoices} | {q.partner_id for q in found.quotes}
        names = partner_names(session, user, partners)
    context = {
        "title": "À valider",
        "waiting": waiting,
        "drafts": found,
        "names": names,
        "done": DONE.get(fait),
    }
    return render(request, "approvals.html", context)


@router.post("/a-valider/conges/{request_id}/approuver")
async def approve_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await decide_leave(request, c, user, request_id, "approuve")
    return RedirectResponse("/a-valider?fait=approuve", status_code=303)


@router.post("/a-valider/conges/{request_id}/refuser")
async def reject_leave(
    request: Request, request_id: UUID, c: ContainerDep, user: WebUserDep
) -> Response:
    await decide_leave(request, c, user, request_id, "refuse")
    return RedirectResponse("/a-valider?fait=refuse", status_code=303)
