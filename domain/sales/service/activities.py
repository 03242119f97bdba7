"""Activities: calls, meetings, tasks and notes about a partner or an opportunity."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.kit.clock import Clock
from domain.kit.errors import Conflict, InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.sales import repository as repo
from domain.sales.errors import ActivityNotFound
from domain.sales.models import Activity
from domain.sales.schemas import ActivityCreate, Page
from domain.sales.service._common import (
    READERS,
    WRITERS,
    _bounds,
    _require_member,
    _tenant,
)
from domain.sales.service.partners import get_partner
from domain.sales.service.pipeline import get_opportunity


def _activity_subject(
    session: Session, principal: Principal, data: ActivityCreate
) -> tuple[UUID | None, UUID | None]:
    """The (partner, opportunity) an activity is about; the opportunity implies its partner."""
    if data.partner_id is None and data.opportunity_id is None:
        raise InvalidInput(
            "Rattachez l'activité à un client ou fournisseur, ou à une affaire.",
            field="partner_id",
        )
    partner_id = get_partner(session, principal, data.partner_id).id if data.partner_id else None
    if data.opportunity_id is None:
        return partner_id, None
    opportunity = get_opportunity(session, principal, data.opportunity_id)
    if partner_id is not None and opportunity.partner_id != partner_id:
        raise InvalidInput(
            "Cette affaire concerne un autre client que celui indiqué.", field="opportunity_id"
        )
    return opportunity.partner_id, opportunity.id


def log_activity(session: Session, principal: Principal, data: ActivityCreate) -> Activity:
    """A call, meeting, task or note; assigned to the caller unless ``assignee_id`` names
    another member of the business."""
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    partner_id, opportunity_id = _activity_subject(session, principal, data)
    assignee_id = data.assignee_id or principal.user_id
    _require_member(session, principal, assignee_id, "assignee_id")
    due_at = data.due_at
    if due_at is not None and due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=ZoneInfo(tenant.timezone))
    activity = Activity(
        tenant_id=tenant.id,
        id=uuid7(),
        kind=data.kind,
        subject=data.subject.strip(),
        notes=data.notes,
        due_at=due_at,
        assignee_id=assignee_id,
        partner_id=partner_id,
        opportunity_id=opportunity_id,
    )
    session.add(activity)
    session.flush()
    record_change(
        session, principal, activity, "activity.logged", "activity.log",
        kind=activity.kind, assignee_id=assignee_id, due_at=due_at,
    )  # fmt: skip
    return activity


def get_activity(session: Session, principal: Principal, activity_id: UUID) -> Activity:
    principal.require(*READERS)
    activity = repo.get_activity(session, principal.tenant_id, activity_id)
    if activity is None:
        raise ActivityNotFound()
    return activity


def complete_activity(
    session: Session, principal: Principal, activity_id: UUID, *, clock: Clock
) -> Activity:
    """Mark done (by a sales writer, or by the person it is assigned to)."""
    activity = get_activity(session, principal, activity_id)
    if activity.assignee_id != principal.user_id:
        principal.require(*WRITERS)
    if activity.done:
        raise Conflict("Cette activité est déjà terminée.")
    before = row_state(activity)
    activity.done = True
    activity.done_at = clock.now()
    session.flush()
    record_change(
        session, principal, activity, "activity.completed", "activity.complete", before=before
    )
    return activity


def list_activities(
    session: Session,
    principal: Principal,
    *,
    clock: Clock,
    assignee_id: UUID | None = None,
    done: bool | None = None,
    overdue: bool = False,
    partner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Activity]:
    """Soonest due first. ``overdue``: not done and due before now."""
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    items, total = repo.list_activities(
        session,
        principal.tenant_id,
        assignee_id=assignee_id,
        done=done,
        overdue_at=clock.now() if overdue else None,
        partner_id=partner_id,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)
