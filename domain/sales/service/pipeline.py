"""The pipeline: its stages (a new business's defaults, renaming, ordering), the
opportunities moving through them, and the per-stage summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.audit.changes import record_change, row_state
from domain.events import service as events
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Principal
from domain.sales import repository as repo
from domain.sales.errors import OpportunityNotFound, StageNameTaken, StageNotFound, UnknownStage
from domain.sales.models import Opportunity, PipelineStage
from domain.sales.schemas import (
    OpportunityCreate,
    Page,
    PipelineSummary,
    StageCreate,
    StageSummary,
    StageUpdate,
)
from domain.sales.service._common import (
    PIPELINE_WRITERS,
    READERS,
    STAGE_ADMINS,
    _bounds,
    _check_amount,
    _require_member,
    _tenant,
    _today,
)
from domain.sales.service.partners import get_partner

DEFAULT_STAGES = (
    ("Nouveau", 10, "open"),
    ("Qualifié", 25, "open"),
    ("Proposition", 50, "open"),
    ("Négociation", 75, "open"),
    ("Gagné", 100, "won"),
    ("Perdu", 0, "lost"),
)


def prepare_tenant(session: Session, principal: Principal) -> list[PipelineStage]:
    """Give a new business the default pipeline. Idempotent: a business that already has
    stages (default or its own) keeps them untouched.

    Part of sign-up (``domain.onboarding``): like the books' defaults, it is covered by the
    ``tenant.created`` event and ``tenant.create`` audit entry, so it records none itself.
    """
    principal.require(*STAGE_ADMINS)
    rows = [
        {"id": uuid7(), "name": name, "position": (i + 1) * 10, "probability": p, "outcome": o}
        for i, (name, p, o) in enumerate(DEFAULT_STAGES)
    ]
    repo.insert_stages_if_none(session, principal.tenant_id, rows)
    return repo.list_stages(session, principal.tenant_id)


def list_stages(session: Session, principal: Principal) -> list[PipelineStage]:
    principal.require(*READERS)
    return repo.list_stages(session, principal.tenant_id)


def _refuse_taken_stage_name(
    session: Session, principal: Principal, name: str, exclude: UUID | None = None
) -> None:
    if repo.stage_named(session, principal.tenant_id, name, exclude=exclude) is not None:
        raise StageNameTaken(f"L'étape « {name} » existe déjà.", field="name")


def create_stage(session: Session, principal: Principal, data: StageCreate) -> PipelineStage:
    """A new stage, placed last unless ``position`` is given."""
    principal.require(*STAGE_ADMINS)
    _refuse_taken_stage_name(session, principal, data.name)
    position = data.position
    if position is None:
        stages = repo.list_stages(session, principal.tenant_id)
        position = max((s.position for s in stages), default=0) + 10
    stage = PipelineStage(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        name=data.name,
        position=position,
        probability=data.probability,
        outcome=data.outcome,
    )
    session.add(stage)
    session.flush()
    record_change(session, principal, stage, "stage.created", "stage.create", stage_name=stage.name)
    return stage


def _stage(session: Session, principal: Principal, stage_id: UUID) -> PipelineStage:
    stage = repo.get_stage(session, principal.tenant_id, stage_id)
    if stage is None:
        raise StageNotFound()
    return stage


def update_stage(
    session: Session, principal: Principal, stage_id: UUID, data: StageUpdate
) -> PipelineStage:
    principal.require(*STAGE_ADMINS)
    stage = _stage(session, principal, stage_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    if "name" in changes:
        _refuse_taken_stage_name(session, principal, changes["name"], exclude=stage.id)
    before = row_state(stage)
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return stage
    for key, value in changed.items():
        setattr(stage, key, value)
    session.flush()
    record_change(session, principal, stage, "stage.updated", "stage.update", before=before)
    return stage


def reorder(session: Session, principal: Principal, stage_ids: list[UUID]) -> list[PipelineStage]:
    """Put the stages in the order given; every stage must be named exactly once."""
    principal.require(*STAGE_ADMINS)
    stages = {s.id: s for s in repo.list_stages(session, principal.tenant_id)}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise InvalidInput(
            "Donnez toutes les étapes du pipeline, chacune une seule fois.", field="stage_ids"
        )
    before = [s.name for s in sorted(stages.values(), key=lambda s: s.position)]
    for i, stage_id in enumerate(stage_ids):
        stages[stage_id].position = (i + 1) * 10
    session.flush()
    after = [stages[i].name for i in stage_ids]
    events.emit(session, principal, "pipeline.reordered", stages=after)
    audit.record(
        session,
        principal,
        "pipeline.reorder",
        target_type="pipeline",
        before={"order": before},
        after={"order": after},
    )
    return [stages[i] for i in stage_ids]


def _as_uuid(ref: UUID | str) -> UUID | None:
    if isinstance(ref, UUID):
        return ref
    try:
        return UUID(ref.strip())
    except ValueError:
        return None


def _stage_named(session: Session, principal: Principal, ref: UUID | str) -> PipelineStage:
    """A stage by id or by name (« negociation » finds « Négociation »)."""
    stage_id = _as_uuid(ref)
    stage = (
        repo.get_stage(session, principal.tenant_id, stage_id)
        if stage_id is not None
        else repo.stage_named(session, principal.tenant_id, " ".join(str(ref).split()))
    )
    if stage is None:
        names = ", ".join(s.name for s in repo.list_stages(session, principal.tenant_id))
        raise UnknownStage(
            f"Étape inconnue : « {ref} ». Étapes possibles : {names}.", field="stage"
        )
    return stage


def _first_open_stage(session: Session, principal: Principal) -> PipelineStage:
    for stage in repo.list_stages(session, principal.tenant_id):
        if stage.outcome == "open":
            return stage
    raise UnknownStage("Le pipeline n'a aucune étape ouverte.", field="stage")


def _enter_stage(
    opportunity: Opportunity,
    stage: PipelineStage,
    today: date,
    *,
    lost_reason: str | None,
    probability: int | None,
) -> None:
    """Put an opportunity in ``stage``: won/lost close it today, lost needs a reason."""
    reason = " ".join((lost_reason or "").split()) or None
    if stage.outcome == "lost" and reason is None:
        raise InvalidInput("Indiquez la raison de la perte de l'affaire.", field="lost_reason")
    opportunity.stage_id = stage.id
    opportunity.probability = stage.probability if probability is None else probability
    opportunity.closed_on = None if stage.outcome == "open" else today
    opportunity.lost_reason = reason if stage.outcome == "lost" else None


def create_opportunity(
    session: Session, principal: Principal, data: OpportunityCreate, *, clock: Clock
) -> Opportunity:
    """A deal with a customer; probability defaults to the stage's, owner to the caller."""
    principal.require(*PIPELINE_WRITERS)
    tenant = _tenant(session, principal)
    partner = get_partner(session, principal, data.partner_id)
    if not partner.is_customer:
        raise InvalidInput(f"« {partner.name} » n'est pas un client.", field="partner_id")
    _check_amount(data.amount, Currency(tenant.currency), "amount")
    stage = (
        _stage_named(session, principal, data.stage)
        if data.stage
        else _first_open_stage(session, principal)
    )
    owner_id = data.owner_id or principal.user_id
    _require_member(session, principal, owner_id, "owner_id")
    opportunity = Opportunity(
        tenant_id=tenant.id,
        id=uuid7(),
        partner_id=partner.id,
        title=data.title.strip(),
        amount=data.amount,
        expected_close_date=data.expected_close_date,
        owner_id=owner_id,
    )
    _enter_stage(
        opportunity,
        stage,
        _today(tenant, clock),
        lost_reason=data.lost_reason,
        probability=data.probability,
    )
    session.add(opportunity)
    session.flush()
    record_change(
        session, principal, opportunity, "opportunity.created", "opportunity.create",
        partner_id=partner.id, stage=stage.name, amount=opportunity.amount,
    )  # fmt: skip
    return opportunity


def move_opportunity(
    session: Session,
    principal: Principal,
    opportunity_id: UUID,
    stage: UUID | str,
    *,
    clock: Clock,
    lost_reason: str | None = None,
    probability: int | None = None,
) -> Opportunity:
    """Move to ``stage`` (id or name). Gagné/Perdu set ``closed_on`` to today in the
    business's time zone; Perdu requires ``lost_reason``; back to an open stage reopens."""
    principal.require(*PIPELINE_WRITERS)
    opportunity = get_opportunity(session, principal, opportunity_id)
    target = _stage_named(session, principal, stage)
    before = row_state(opportunity)
    today = _today(_tenant(session, principal), clock)
    _enter_stage(opportunity, target, today, lost_reason=lost_reason, probability=probability)
    session.flush()
    record_change(
        session, principal, opportunity, "opportunity.stage_changed", "opportunity.move",
        before=before, stage=target.name, outcome=target.outcome,
    )  # fmt: skip
    return opportunity


def get_opportunity(session: Session, principal: Principal, opportunity_id: UUID) -> Opportunity:
    principal.require(*READERS)
    opportunity = repo.get_opportunity(session, principal.tenant_id, opportunity_id)
    if opportunity is None:
        raise OpportunityNotFound()
    return opportunity


def list_opportunities(
    session: Session,
    principal: Principal,
    *,
    stage: UUID | str | None = None,
    partner_id: UUID | None = None,
    owner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Opportunity]:
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    stage_id = _stage_named(session, principal, stage).id if stage is not None else None
    items, total = repo.list_opportunities(
        session,
        principal.tenant_id,
        stage_id=stage_id,
        partner_id=partner_id,
        owner_id=owner_id,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def pipeline_summary(session: Session, principal: Principal) -> PipelineSummary:
    """Per stage: count, total and weighted amount (Σ amount × probability / 100, each
    opportunity at its own probability), rounded to the currency once per stage."""
    principal.require(*READERS)
    currency = Currency(_tenant(session, principal).currency)
    stages = [
        StageSummary.model_validate(
            {
                "stage_id": t.stage.id,
                "name": t.stage.name,
                "position": t.stage.position,
                "outcome": t.stage.outcome,
                "count": t.count,
                "total_amount": round_to_currency(t.amount, currency),
                "weighted_amount": round_to_currency(t.weighted, currency),
            }
        )
        for t in repo.stage_totals(session, principal.tenant_id)
    ]
    open_stages = [s for s in stages if s.outcome == "open"]
    return PipelineSummary(
        currency=currency.value,
        stages=stages,
        open_count=sum(s.count for s in open_stages),
        open_amount=sum((s.total_amount for s in open_stages), Decimal(0)),
        open_weighted_amount=sum((s.weighted_amount for s in open_stages), Decimal(0)),
    )
