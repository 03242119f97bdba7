"""Every sales query. Each one names the tenant: RLS is the wall, this is the second one."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.kit.resolution import (
    PRODUCT_OPTIONAL_WORDS,
    Hit,
    NameQuery,
    Scope,
    search_names,
    use_trigram_thresholds,
)
from domain.sales.models import (
    Activity,
    Opportunity,
    Partner,
    PartnerContact,
    PipelineStage,
    Product,
)

# --- partners ---------------------------------------------------------------------------


def get_partner(session: Session, tenant_id: UUID, partner_id: UUID) -> Partner | None:
    return session.get(Partner, (tenant_id, partner_id))


def partners_by_id(session: Session, tenant_id: UUID, ids: Collection[UUID]) -> list[Partner]:
    """The partners of ``ids`` (those of the tenant), in one query."""
    if not ids:
        return []
    return list(
        session.scalars(select(Partner).where(Partner.tenant_id == tenant_id, Partner.id.in_(ids)))
    )


def partner_with(
    session: Session, tenant_id: UUID, column: str, value: str, *, exclude: UUID | None = None
) -> Partner | None:
    """The partner whose ``column`` (siren, vat_number, email) equals ``value``, if any."""
    stmt = select(Partner).where(Partner.tenant_id == tenant_id, getattr(Partner, column) == value)
    if exclude is not None:
        stmt = stmt.where(Partner.id != exclude)
    return session.scalars(stmt.order_by(Partner.code).limit(1)).first()


def list_partners(
    session: Session,
    tenant_id: UUID,
    *,
    role: str | None,
    tag: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[Partner], int]:
    stmt = select(Partner).where(Partner.tenant_id == tenant_id)
    if role is not None:
        stmt = stmt.where(_role_filter(role))
    if tag is not None:
        stmt = stmt.where(Partner.tags.contains([tag]))
    if active is not None:
        stmt = stmt.where(Partner.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = session.scalars(stmt.order_by(Partner.name, Partner.code).limit(limit).offset(offset))
    return list(items), total


def _role_filter(role: str) -> ColumnElement[bool]:
    return Partner.is_customer.is_(True) if role == "customer" else Partner.is_supplier.is_(True)


def partner_contacts(session: Session, tenant_id: UUID, partner_id: UUID) -> list[PartnerContact]:
    return list(
        session.scalars(
            select(PartnerContact)
            .where(PartnerContact.tenant_id == tenant_id, PartnerContact.partner_id == partner_id)
            .order_by(PartnerContact.name)
        )
    )


def search_partner_names(
    session: Session, tenant_id: UUID, query: str, *, role: str | None, limit: int
) -> list[Hit]:
    """Active partners (of ``role``) whose name matches ``query``, best first."""
    scope = Scope(_ROLE_CONDITIONS[role]) if role is not None else Scope()
    return search_names(session, Partner, tenant_id, NameQuery.of(query), scope=scope, limit=limit)


_ROLE_CONDITIONS = {"customer": "t.is_customer", "supplier": "t.is_supplier"}


def partners_by_identifier(
    session: Session, tenant_id: UUID, values: dict[str, str], *, role: str | None
) -> list[Partner]:
    """Active partners whose code, e-mail, phone or legal id equals one of ``values``
    (column → candidate value)."""
    if not values:
        return []
    stmt = select(Partner).where(
        Partner.tenant_id == tenant_id,
        Partner.is_active.is_(True),
        or_(*(getattr(Partner, column) == value for column, value in values.items())),
    )
    if role is not None:
        stmt = stmt.where(_role_filter(role))
    return list(session.scalars(stmt.order_by(Partner.code).limit(10)))


# --- catalog ----------------------------------------------------------------------------


def get_product(session: Session, tenant_id: UUID, product_id: UUID) -> Product | None:
    return session.get(Product, (tenant_id, product_id))


def product_by_sku(
    session: Session, tenant_id: UUID, skus: set[str], *, exclude: UUID | None = None
) -> Product | None:
    stmt = select(Product).where(Product.tenant_id == tenant_id, Product.sku.in_(skus))
    if exclude is not None:
        stmt = stmt.where(Product.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def list_products(
    session: Session,
    tenant_id: UUID,
    *,
    kind: str | None,
    category: str | None,
    active: bool | None,
    query: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Product], int]:
    """Products by name; with ``query``, those close to it (or of that SKU), best first."""
    stmt = select(Product).where(Product.tenant_id == tenant_id)
    order: list[Any] = [Product.name]
    if query:
        use_trigram_thresholds(session)
        folded, q = func.comptoir_unaccent(Product.name), func.comptoir_unaccent(literal(query))
        is_sku = Product.sku.in_({query, query.upper(), query.lower()})
        stmt = stmt.where(or_(folded.op("%")(q), q.op("<<%")(folded), is_sku))
        score = func.greatest(func.similarity(folded, q), func.strict_word_similarity(q, folded))
        order = [is_sku.desc(), score.desc(), Product.name]
    if kind is not None:
        stmt = stmt.where(Product.kind == kind)
    if category is not None:
        stmt = stmt.where(func.lower(Product.category) == category.strip().lower())
    if active is not None:
        stmt = stmt.where(Product.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = session.scalars(stmt.order_by(*order).limit(limit).offset(offset))
    return list(items), total


def search_product_names(
    session: Session,
    tenant_id: UUID,
    query: str,
    *,
    among: Collection[UUID] | None = None,
    limit: int,
) -> list[Hit]:
    """Active products whose name matches ``query`` (containers optional), best first;
    with ``among``, only those products."""
    scope = Scope("t.id = ANY(:among)", {"among": list(among)}) if among is not None else Scope()
    wanted = NameQuery.of(query, PRODUCT_OPTIONAL_WORDS)
    return search_names(session, Product, tenant_id, wanted, scope=scope, limit=limit)


# --- pipeline ---------------------------------------------------------------------------


def list_stages(session: Session, tenant_id: UUID) -> list[PipelineStage]:
    return list(
        session.scalars(
            select(PipelineStage)
            .where(PipelineStage.tenant_id == tenant_id)
            .order_by(PipelineStage.position, PipelineStage.name)
        )
    )


def get_stage(session: Session, tenant_id: UUID, stage_id: UUID) -> PipelineStage | None:
    return session.get(PipelineStage, (tenant_id, stage_id))


def stage_named(
    session: Session, tenant_id: UUID, name: str, *, exclude: UUID | None = None
) -> PipelineStage | None:
    """The stage whose name equals ``name``, accents and case aside."""
    stmt = select(PipelineStage).where(
        PipelineStage.tenant_id == tenant_id,
        func.comptoir_unaccent(PipelineStage.name) == func.comptoir_unaccent(literal(name)),
    )
    if exclude is not None:
        stmt = stmt.where(PipelineStage.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def insert_stages_if_none(session: Session, tenant_id: UUID, stages: list[dict[str, Any]]) -> int:
    """Insert ``stages`` unless the tenant already has a pipeline; how many were inserted.

    ``ON CONFLICT DO NOTHING`` makes two concurrent calls safe: the loser inserts nothing.
    """
    if session.scalar(select(func.count()).where(PipelineStage.tenant_id == tenant_id)):
        return 0
    result = session.execute(
        insert(PipelineStage)
        .values([{"tenant_id": tenant_id, **s} for s in stages])
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def get_opportunity(session: Session, tenant_id: UUID, opportunity_id: UUID) -> Opportunity | None:
    return session.get(Opportunity, (tenant_id, opportunity_id))


def list_opportunities(
    session: Session,
    tenant_id: UUID,
    *,
    stage_id: UUID | None,
    partner_id: UUID | None,
    owner_id: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[Opportunity], int]:
    stmt = select(Opportunity).where(Opportunity.tenant_id == tenant_id)
    for column, value in (
        (Opportunity.stage_id, stage_id),
        (Opportunity.partner_id, partner_id),
        (Opportunity.owner_id, owner_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = session.scalars(
        stmt.order_by(Opportunity.created_at.desc(), Opportunity.id).limit(limit).offset(offset)
    )
    return list(items), total


@dataclass(frozen=True, slots=True)
class StageTotals:
    stage: PipelineStage
    count: int
    amount: Decimal
    weighted: Decimal  # unrounded: Σ amount × probability / 100


def stage_totals(session: Session, tenant_id: UUID) -> list[StageTotals]:
    totals = (
        select(
            Opportunity.stage_id,
            func.count().label("n"),
            func.sum(Opportunity.amount).label("amount"),
            func.sum(Opportunity.amount * Opportunity.probability / 100).label("weighted"),
        )
        .where(Opportunity.tenant_id == tenant_id)
        .group_by(Opportunity.stage_id)
        .subquery()
    )
    rows = session.execute(
        select(PipelineStage, totals.c.n, totals.c.amount, totals.c.weighted)
        .outerjoin(totals, totals.c.stage_id == PipelineStage.id)
        .where(PipelineStage.tenant_id == tenant_id)
        .order_by(PipelineStage.position, PipelineStage.name)
    )
    return [
        StageTotals(r[0], r.n or 0, r.amount or Decimal(0), r.weighted or Decimal(0)) for r in rows
    ]


# --- activities -------------------------------------------------------------------------


def get_activity(session: Session, tenant_id: UUID, activity_id: UUID) -> Activity | None:
    return session.get(Activity, (tenant_id, activity_id))


def list_activities(
    session: Session,
    tenant_id: UUID,
    *,
    assignee_id: UUID | None,
    done: bool | None,
    overdue_at: datetime | None,
    partner_id: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[Activity], int]:
    stmt = select(Activity).where(Activity.tenant_id == tenant_id)
    if assignee_id is not None:
        stmt = stmt.where(Activity.assignee_id == assignee_id)
    if done is not None:
        stmt = stmt.where(Activity.done.is_(done))
    if overdue_at is not None:
        stmt = stmt.where(Activity.done.is_(False), Activity.due_at < overdue_at)
    if partner_id is not None:
        stmt = stmt.where(Activity.partner_id == partner_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (Activity.due_at.asc().nulls_last(), Activity.created_at)
    items = session.scalars(stmt.order_by(*order).limit(limit).offset(offset))
    return list(items), total


def partners_in_city(
    session: Session, tenant_id: UUID, city: str, *, role: str | None, limit: int
) -> list[Partner]:
    """Active partners (of ``role``) whose city is ``city``, accents and case aside, by
    name."""
    folded = func.comptoir_unaccent(func.btrim(Partner.city))
    stmt = select(Partner).where(
        Partner.tenant_id == tenant_id,
        Partner.is_active.is_(True),
        folded == func.comptoir_unaccent(" ".join(city.split())),
    )
    if role is not None:
        stmt = stmt.where(_role_filter(role))
    return list(session.scalars(stmt.order_by(Partner.name).limit(limit)))
