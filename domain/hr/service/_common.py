"""Shared by the HR services: who may see and manage whom, the caller's business and
today's date, paging, and the event + audit record of each write.

Who may do what (admin always passes):

- ``hr`` manages everything: employees, contracts, leave types and balances, every leave
  request, attendance corrections, the work schedule, reviews.
- A person's **managers** — the member accounts linked to the employees above them in the
  org chart (their manager, the manager's manager…) — see them and approve or reject
  their leave, and review them. This holds whatever the member's role.
- The ``manager`` role reads its team like any manager. A ``manager`` member with no
  employee record of its own (the owner-manager of a small shop) manages the whole staff.
- Everyone else sees only their own record: their leave and balance, their attendance,
  their contracts and reviews; they request and cancel their own leave, check in and out
  themselves and write their self-assessment.
- Payroll preparation is for ``hr`` and ``accountant``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.hr import repository as repo
from domain.hr.errors import EmployeeNotFound, NoLinkedEmployee
from domain.hr.models import Employee
from domain.identity import repository as identity_repo
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Principal, Role

HR = (Role.HR,)
PAYROLL = (Role.HR, Role.ACCOUNTANT)
PAGE_MAX = 500


@dataclass(frozen=True, slots=True)
class Scope:
    """Whom a principal sees and manages among the staff."""

    self_id: UUID | None
    reports: frozenset[UUID]
    everyone: bool  # sees and manages the whole staff
    is_admin: bool

    @property
    def visible(self) -> frozenset[UUID] | None:
        """Ids the principal may read, or None for everyone."""
        if self.everyone:
            return None
        own = {self.self_id} if self.self_id else set()
        return self.reports | own

    def sees(self, employee_id: UUID) -> bool:
        return self.everyone or employee_id == self.self_id or employee_id in self.reports

    def manages(self, employee_id: UUID) -> bool:
        """May decide for this employee (leave, review). Never for oneself, unless admin."""
        if employee_id == self.self_id and not self.is_admin:
            return False
        return self.everyone or employee_id in self.reports


def scope_of(session: Session, principal: Principal) -> Scope:
    me = repo.employee_of_user(session, principal.tenant_id, principal.user_id)
    self_id = me.id if me else None
    everyone = principal.has_any(Role.HR) or (me is None and principal.has_any(Role.MANAGER))
    reports = (
        frozenset()
        if everyone or me is None
        else frozenset(repo.reports_of(session, principal.tenant_id, me.id))
    )
    return Scope(self_id, reports, everyone, Role.ADMIN in principal.roles)


def linked_employee(session: Session, principal: Principal) -> Employee:
    me = repo.employee_of_user(session, principal.tenant_id, principal.user_id)
    if me is None:
        raise NoLinkedEmployee()
    return me


def require_employee(
    session: Session, principal: Principal, employee_id: UUID, *, lock: bool = False
) -> Employee:
    employee = repo.get_employee(session, principal.tenant_id, employee_id, lock=lock)
    if employee is None:
        raise EmployeeNotFound(field="employee_id")
    return employee


def visible_employee(
    session: Session, principal: Principal, employee_id: UUID | None, scope: Scope | None = None
) -> Employee:
    """The employee named (default: the caller's own record), if the caller may see it."""
    if employee_id is None:
        return linked_employee(session, principal)
    # Existence first: another business's employee does not exist (404), whoever asks.
    employee = require_employee(session, principal, employee_id)
    if not (scope or scope_of(session, principal)).sees(employee.id):
        raise PermissionDenied("Vous ne pouvez consulter que votre fiche et celle de votre équipe.")
    return employee


def tenant_of(session: Session, principal: Principal) -> Tenant:
    tenant = identity_repo.get_tenant(session, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant


def zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def today(tenant: Tenant, clock: Clock) -> date:
    """Business dates are the tenant's local date (Paris, Dakar), from the clock."""
    return clock.now().astimezone(zone(tenant)).date()


def local(tenant: Tenant, moment: datetime) -> datetime:
    """``moment`` in the tenant's time zone; a naive time is taken as local already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone(tenant))
    return moment.astimezone(zone(tenant))


def local_time(tenant: Tenant, moment: datetime | None) -> time | None:
    return None if moment is None else local(tenant, moment).time().replace(microsecond=0)


def bounds(limit: int, offset: int) -> tuple[int, int]:
    return min(max(limit, 1), PAGE_MAX), max(offset, 0)


def required(changes: dict[str, Any], *fields: str) -> None:
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"Le champ « {field} » ne peut pas être vide.", field=field)
