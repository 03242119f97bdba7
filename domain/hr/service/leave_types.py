"""Leave types: the country's defaults (``domain.hr.setup``), configurable per business."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.errors import LeaveTypeCodeTaken, LeaveTypeNotFound
from domain.hr.models import LeaveType
from domain.hr.schemas import LeaveTypeCreate, LeaveTypeUpdate
from domain.hr.service._common import (
    HR,
    required,
    tenant_of,
)
from domain.hr.setup import ANNUAL_LEAVE
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal


def list_leave_types(
    session: Session, principal: Principal, *, active: bool | None = True
) -> list[LeaveType]:
    """Every member sees the leave types (to ask for one)."""
    return repo.list_leave_types(session, principal.tenant_id, active=active)


def resolve_leave_type(session: Session, principal: Principal, text: str | None) -> LeaveType:
    """The leave type named by its code or name (accents and case aside); paid leave when
    ``text`` is empty."""
    wanted = " ".join((text or "").split()) or ANNUAL_LEAVE[tenant_of(session, principal).country]
    found = repo.leave_type_matching(session, principal.tenant_id, wanted)
    if found is None:
        names = ", ".join(t.name for t in list_leave_types(session, principal))
        raise LeaveTypeNotFound(
            f"Type de congé inconnu : « {wanted} ». Types possibles : {names}.",
            field="leave_type",
        )
    return found


def _refuse_taken_name(
    session: Session, principal: Principal, name: str, exclude: UUID | None = None
) -> None:
    """Names designate types (requests, payroll columns): two types never share one."""
    if repo.leave_type_named(session, principal.tenant_id, name, exclude=exclude) is not None:
        raise LeaveTypeCodeTaken(f"Un type de congé s'appelle déjà « {name} ».", field="name")


def create_leave_type(session: Session, principal: Principal, data: LeaveTypeCreate) -> LeaveType:
    principal.require(*HR)
    if repo.leave_type_matching(session, principal.tenant_id, data.code) is not None:
        raise LeaveTypeCodeTaken(f"Le code « {data.code} » existe déjà.", field="code")
    _refuse_taken_name(session, principal, data.name)
    if data.annual_days and not data.tracks_balance:
        raise InvalidInput(
            "Des droits annuels supposent un solde : activez le suivi du solde.",
            field="annual_days",
        )
    position = 10 * (len(repo.list_leave_types(session, principal.tenant_id, active=None)) + 1)
    leave_type = LeaveType(
        tenant_id=principal.tenant_id, id=uuid7(), position=position, **data.model_dump()
    )
    session.add(leave_type)
    session.flush()
    record_change(session, principal, leave_type, "leave_type.created", "leave_type.create")
    return leave_type


def update_leave_type(
    session: Session, principal: Principal, type_id: UUID, data: LeaveTypeUpdate
) -> LeaveType:
    """Change the name, the accrual (``annual_days``), whether requests may exceed the
    balance (``allow_negative``), or retire a type (``is_active``). The code stays."""
    principal.require(*HR)
    leave_type = repo.get_leave_type(session, principal.tenant_id, type_id)
    if leave_type is None:
        raise LeaveTypeNotFound()
    changes = data.model_dump(exclude_unset=True)
    required(changes, *changes)
    if "name" in changes:
        _refuse_taken_name(session, principal, changes["name"], exclude=leave_type.id)
    before = row_state(leave_type)
    after = {**before, **changes}
    if after["annual_days"] and not after["tracks_balance"]:
        raise InvalidInput(
            "Des droits annuels supposent un solde : activez le suivi du solde.",
            field="annual_days",
        )
    for key, value in changes.items():
        setattr(leave_type, key, value)
    session.flush()
    record_change(
        session, principal, leave_type, "leave_type.updated", "leave_type.update", before=before
    )
    return leave_type
