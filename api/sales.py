"""Customers and suppliers, the catalog, the sales pipeline and activities.

Amounts are JSON strings (``"15000"``, ``"12.50"``), brought to the currency's minor unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from api.costs import CostGuardedRoute
from api.deps import ContainerDep, ContextDep, PrincipalDep
from comptoir.bootstrap import Container
from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.kit import inputs
from domain.kit.errors import NotFound
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.schemas import (
    ActivityCreate,
    ActivityOut,
    ContactCreate,
    ContactOut,
    OpportunityCreate,
    OpportunityMove,
    OpportunityOut,
    PartnerCreate,
    PartnerDetail,
    PartnerMatch,
    PartnerOut,
    PartnerUpdate,
    PipelineSummary,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    StageCreate,
    StageOut,
    StageReorder,
    StageUpdate,
)

router = APIRouter(prefix="/api/v1", route_class=CostGuardedRoute)


class _Page(BaseModel):
    total: int
    limit: int
    offset: int


class PartnerPage(_Page):
    items: list[PartnerOut]


class PartnerSearch(BaseModel):
    query: str
    matches: list[PartnerMatch]


class ProductPage(_Page):
    items: list[ProductOut]


class OpportunityPage(_Page):
    items: list[OpportunityOut]


class ActivityPage(_Page):
    items: list[ActivityOut]


@contextmanager
def _audited_miss(
    c: Container, ctx: RequestContext, principal: Principal, action: str, target: UUID
) -> Iterator[None]:
    """A missing id may be another tenant's: answer 404 and keep the attempt on record."""
    try:
        yield
    except NotFound:
        audit.record_attempt(
            c.db,
            ctx,
            action,
            outcome="denied",
            tenant_id=principal.tenant_id,
            actor_id=principal.user_id,
            details={"target_id": str(target)},
        )
        raise


# --- partners ---------------------------------------------------------------------------


@router.get(
    "/partners",
    response_model=PartnerPage | PartnerSearch,
    tags=["partners"],
    summary="Clients et fournisseurs (avec ?q= : recherche tolérante, meilleurs d'abord)",
)
def list_partners(
    c: ContainerDep,
    principal: PrincipalDep,
    q: str | None = None,
    role: Literal["customer", "supplier"] | None = None,
    tag: str | None = None,
    include_archived: bool = False,
    limit: int = 50,
    offset: inputs.Offset = 0,
) -> PartnerPage | PartnerSearch:
    with c.db.unit_of_work(principal.tenant_id) as session:
        if q is not None:
            matches = sales.search_partners(session, principal, q, role=role, limit=limit)
            return PartnerSearch(query=q, matches=matches)
        page = sales.list_partners(
            session,
            principal,
            role=role,
            tag=tag,
            active=None if include_archived else True,
            limit=limit,
            offset=offset,
        )
        items = [PartnerOut.of(p) for p in page.items]
        return PartnerPage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/partners", response_model=PartnerDetail, status_code=201, tags=["partners"])
def create_partner(body: PartnerCreate, c: ContainerDep, principal: PrincipalDep) -> PartnerDetail:
    with c.db.unit_of_work(principal.tenant_id) as session:
        partner = sales.create_partner(session, principal, body)
        contacts = sales.list_contacts(session, principal, partner.id)
        return PartnerDetail.with_contacts(partner, contacts)


@router.get("/partners/{partner_id}", response_model=PartnerDetail, tags=["partners"])
def get_partner(
    partner_id: UUID, c: ContainerDep, ctx: ContextDep, principal: PrincipalDep
) -> PartnerDetail:
    with _audited_miss(c, ctx, principal, "partner.read", partner_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            partner = sales.get_partner(session, principal, partner_id)
            contacts = sales.list_contacts(session, principal, partner.id)
            return PartnerDetail.with_contacts(partner, contacts)


@router.patch("/partners/{partner_id}", response_model=PartnerDetail, tags=["partners"])
def update_partner(
    partner_id: UUID,
    body: PartnerUpdate,
    c: ContainerDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> PartnerDetail:
    with _audited_miss(c, ctx, principal, "partner.update", partner_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            partner = sales.update_partner(session, principal, partner_id, body)
            contacts = sales.list_contacts(session, principal, partner.id)
            return PartnerDetail.with_contacts(partner, contacts)


@router.post(
    "/partners/{partner_id}/contacts",
    response_model=ContactOut,
    status_code=201,
    tags=["partners"],
)
def add_contact(
    partner_id: UUID,
    body: ContactCreate,
    c: ContainerDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> ContactOut:
    with _audited_miss(c, ctx, principal, "partner_contact.add", partner_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            contact = sales.add_contact(session, principal, partner_id, body)
            return ContactOut.model_validate(contact)


# --- catalog ----------------------------------------------------------------------------


@router.get("/products", response_model=ProductPage, tags=["products"])
def list_products(
    c: ContainerDep,
    principal: PrincipalDep,
    q: str | None = None,
    kind: Literal["goods", "service"] | None = None,
    category: str | None = None,
    include_archived: bool = False,
    limit: int = 50,
    offset: inputs.Offset = 0,
) -> ProductPage:
    with c.db.unit_of_work(principal.tenant_id) as session:
        currency = sales.tenant_currency(session, principal)
        page = sales.list_products(
            session,
            principal,
            kind=kind,
            category=category,
            active=None if include_archived else True,
            query=q,
            limit=limit,
            offset=offset,
        )
        items = [ProductOut.of(p, currency) for p in page.items]
        return ProductPage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/products", response_model=ProductOut, status_code=201, tags=["products"])
def create_product(body: ProductCreate, c: ContainerDep, principal: PrincipalDep) -> ProductOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        product = sales.create_product(session, principal, body)
        return ProductOut.of(product, sales.tenant_currency(session, principal))


@router.get("/products/{product_id}", response_model=ProductOut, tags=["products"])
def get_product(
    product_id: UUID, c: ContainerDep, ctx: ContextDep, principal: PrincipalDep
) -> ProductOut:
    with _audited_miss(c, ctx, principal, "product.read", product_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            product = sales.get_product(session, principal, product_id)
            return ProductOut.of(product, sales.tenant_currency(session, principal))


@router.patch("/products/{product_id}", response_model=ProductOut, tags=["products"])
def update_product(
    product_id: UUID,
    body: ProductUpdate,
    c: ContainerDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> ProductOut:
    with _audited_miss(c, ctx, principal, "product.update", product_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            product = sales.update_product(session, principal, product_id, body)
            return ProductOut.of(product, sales.tenant_currency(session, principal))


# --- pipeline ---------------------------------------------------------------------------


@router.get("/pipeline/stages", response_model=list[StageOut], tags=["pipeline"])
def list_stages(c: ContainerDep, principal: PrincipalDep) -> list[StageOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [StageOut.model_validate(s) for s in sales.list_stages(session, principal)]


@router.post(
    "/pipeline/stages",
    response_model=StageOut,
    status_code=201,
    tags=["pipeline"],
    summary="Ajouter une étape (administrateurs, responsables)",
)
def create_stage(body: StageCreate, c: ContainerDep, principal: PrincipalDep) -> StageOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return StageOut.model_validate(sales.create_stage(session, principal, body))


@router.patch("/pipeline/stages/{stage_id}", response_model=StageOut, tags=["pipeline"])
def update_stage(
    stage_id: UUID, body: StageUpdate, c: ContainerDep, principal: PrincipalDep
) -> StageOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return StageOut.model_validate(sales.update_stage(session, principal, stage_id, body))


@router.post(
    "/pipeline/stages/order",
    response_model=list[StageOut],
    tags=["pipeline"],
    summary="Réordonner les étapes (toutes, dans l'ordre voulu)",
)
def reorder_stages(body: StageReorder, c: ContainerDep, principal: PrincipalDep) -> list[StageOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        stages = sales.reorder(session, principal, body.stage_ids)
        return [StageOut.model_validate(s) for s in stages]


@router.get("/pipeline/summary", response_model=PipelineSummary, tags=["pipeline"])
def pipeline_summary(c: ContainerDep, principal: PrincipalDep) -> PipelineSummary:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return sales.pipeline_summary(session, principal)


@router.get("/opportunities", response_model=OpportunityPage, tags=["pipeline"])
def list_opportunities(
    c: ContainerDep,
    principal: PrincipalDep,
    stage: str | None = None,
    partner_id: UUID | None = None,
    owner_id: UUID | None = None,
    limit: int = 50,
    offset: inputs.Offset = 0,
) -> OpportunityPage:
    with c.db.unit_of_work(principal.tenant_id) as session:
        currency = sales.tenant_currency(session, principal)
        page = sales.list_opportunities(
            session,
            principal,
            stage=stage,
            partner_id=partner_id,
            owner_id=owner_id,
            limit=limit,
            offset=offset,
        )
        items = [OpportunityOut.of(o, currency) for o in page.items]
        return OpportunityPage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/opportunities", response_model=OpportunityOut, status_code=201, tags=["pipeline"])
def create_opportunity(
    body: OpportunityCreate, c: ContainerDep, principal: PrincipalDep
) -> OpportunityOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        opportunity = sales.create_opportunity(session, principal, body, clock=c.clock)
        return OpportunityOut.of(opportunity, sales.tenant_currency(session, principal))


@router.post(
    "/opportunities/{opportunity_id}/stage",
    response_model=OpportunityOut,
    tags=["pipeline"],
    summary="Changer d'étape (Perdu : raison obligatoire)",
)
def move_opportunity(
    opportunity_id: UUID,
    body: OpportunityMove,
    c: ContainerDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> OpportunityOut:
    with _audited_miss(c, ctx, principal, "opportunity.move", opportunity_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            opportunity = sales.move_opportunity(
                session,
                principal,
                opportunity_id,
                body.stage,
                clock=c.clock,
                lost_reason=body.lost_reason,
                probability=body.probability,
            )
            return OpportunityOut.of(opportunity, sales.tenant_currency(session, principal))


# --- activities -------------------------------------------------------------------------


@router.get("/activities", response_model=ActivityPage, tags=["activities"])
def list_activities(
    c: ContainerDep,
    principal: PrincipalDep,
    assignee_id: UUID | None = None,
    done: bool | None = None,
    overdue: bool = False,
    partner_id: UUID | None = None,
    limit: int = 50,
    offset: inputs.Offset = 0,
) -> ActivityPage:
    now = c.clock.now()
    with c.db.unit_of_work(principal.tenant_id) as session:
        page = sales.list_activities(
            session,
            principal,
            clock=c.clock,
            assignee_id=assignee_id,
            done=done,
            overdue=overdue,
            partner_id=partner_id,
            limit=limit,
            offset=offset,
        )
        items = [ActivityOut.of(a, now) for a in page.items]
        return ActivityPage(items=items, total=page.total, limit=page.limit, offset=page.offset)


@router.post("/activities", response_model=ActivityOut, status_code=201, tags=["activities"])
def log_activity(body: ActivityCreate, c: ContainerDep, principal: PrincipalDep) -> ActivityOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        activity = sales.log_activity(session, principal, body)
        return ActivityOut.of(activity, c.clock.now())


@router.post(
    "/activities/{activity_id}/done",
    response_model=ActivityOut,
    tags=["activities"],
    summary="Marquer une activité comme faite",
)
def complete_activity(
    activity_id: UUID, c: ContainerDep, ctx: ContextDep, principal: PrincipalDep
) -> ActivityOut:
    with _audited_miss(c, ctx, principal, "activity.complete", activity_id):
        with c.db.unit_of_work(principal.tenant_id) as session:
            activity = sales.complete_activity(session, principal, activity_id, clock=c.clock)
            return ActivityOut.of(activity, c.clock.now())
