"""Departments (a hierarchy) and employees (with their manager, department and member
account), and finding an employee by name the way a person says it."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.errors import (
    AmbiguousEmployee,
    DepartmentCycle,
    DepartmentNameTaken,
    DepartmentNotFound,
    EmployeeNotFound,
    ManagerCycle,
    UserAlreadyLinked,
)
from domain.hr.models import Department, Employee
from domain.hr.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    EmployeeCreate,
    EmployeeMatch,
    EmployeeOut,
    EmployeeUpdate,
    Page,
)
from domain.hr.service._common import (
    HR,
    bounds,
    require_employee,
    required,
    scope_of,
    tenant_of,
    today,
    visible_employee,
)
from domain.identity import repository as identity_repo
from domain.identity.legal_ids import normalize_phone
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.kit.resolution import merge_hits, resolve_hit
from domain.kit.sequences import take_next

# --- departments ------------------------------------------------------------------------


def list_departments(session: Session, principal: Principal) -> list[Department]:
    """Every member sees the departments (the org chart is no secret)."""
    return repo.list_departments(session, principal.tenant_id)


def _refuse_taken_name(
    session: Session, principal: Principal, name: str, exclude: UUID | None = None
) -> None:
    if repo.department_named(session, principal.tenant_id, name, exclude=exclude) is not None:
        raise DepartmentNameTaken(f"Le service « {name} » existe déjà.", field="name")


def _require_department(session: Session, principal: Principal, department_id: UUID) -> Department:
    department = repo.get_department(session, principal.tenant_id, department_id)
    if department is None:
        raise DepartmentNotFound(field="department_id")
    return department


def create_department(session: Session, principal: Principal, data: DepartmentCreate) -> Department:
    principal.require(*HR)
    _refuse_taken_name(session, principal, data.name)
    if data.parent_id is not None:
        _require_department(session, principal, data.parent_id)
    department = Department(
        tenant_id=principal.tenant_id, id=uuid7(), name=data.name, parent_id=data.parent_id
    )
    session.add(department)
    session.flush()
    record_change(session, principal, department, "department.created", "department.create")
    return department


def ensure_department(session: Session, principal: Principal, name: str) -> Department:
    """The department called ``name`` (accents and case aside), created if missing."""
    principal.require(*HR)
    found = repo.department_named(session, principal.tenant_id, " ".join(name.split()))
    return found or create_department(session, principal, DepartmentCreate(name=name))


def update_department(
    session: Session, principal: Principal, department_id: UUID, data: DepartmentUpdate
) -> Department:
    """Rename or move a department; a department never ends up under itself."""
    principal.require(*HR)
    department = _require_department(session, principal, department_id)
    changes = data.model_dump(exclude_unset=True)
    required(changes, "name")
    if "name" in changes:
        _refuse_taken_name(session, principal, changes["name"], exclude=department.id)
    parent_id = changes.get("parent_id")
    if parent_id is not None:
        _require_department(session, principal, parent_id)
        if department.id in repo.department_ancestors(session, principal.tenant_id, parent_id):
            raise DepartmentCycle(
                "Un service ne peut pas être rattaché à l'un de ses sous-services.",
                field="parent_id",
            )
    before = row_state(department)
    for key, value in changes.items():
        setattr(department, key, value)
    session.flush()
    record_change(
        session, principal, department, "department.updated", "department.update", before=before
    )
    return department


# --- employees --------------------------------------------------------------------------


def _check_manager(
    session: Session, principal: Principal, manager_id: UUID, employee_id: UUID | None
) -> None:
    manager = repo.get_employee(session, principal.tenant_id, manager_id)
    if manager is None:
        raise EmployeeNotFound("Responsable introuvable.", field="manager_id")
    if not manager.is_active:
        raise InvalidInput(f"{manager.name} a quitté l'entreprise.", field="manager_id")
    if employee_id is not None and employee_id in repo.manager_chain(
        session, principal.tenant_id, manager_id
    ):
        raise ManagerCycle(
            f"{manager.name} ne peut pas être son propre responsable, même indirectement.",
            field="manager_id",
        )


def _check_user(
    session: Session, principal: Principal, user_id: UUID, employee_id: UUID | None
) -> None:
    membership = identity_repo.get_membership(session, principal.tenant_id, user_id)
    if membership is None or not membership.is_active:
        raise InvalidInput("Ce compte n'est pas membre de l'entreprise.", field="user_id")
    other = repo.employee_with(
        session, principal.tenant_id, "user_id", user_id, exclude=employee_id
    )
    if other is not None:
        raise UserAlreadyLinked(
            f"Ce compte est déjà relié à la fiche de {other.name}.", field="user_id"
        )


def _validate(
    session: Session,
    principal: Principal,
    tenant: Tenant,
    columns: dict[str, Any],
    employee_id: UUID | None,
) -> None:
    """Check (and normalise) the changed ``columns`` of an employee."""
    for column in ("phone", "whatsapp"):
        if columns.get(column):
            try:
                columns[column] = normalize_phone(columns[column], tenant.country)
            except InvalidInput as exc:
                raise InvalidInput(exc.message, field=column) from exc
    if columns.get("department_id") is not None:
        _require_department(session, principal, columns["department_id"])
    if columns.get("manager_id") is not None:
        _check_manager(session, principal, columns["manager_id"], employee_id)
    if columns.get("user_id") is not None:
        _check_user(session, principal, columns["user_id"], employee_id)


def create_employee(
    session: Session, principal: Principal, clock: Clock, data: EmployeeCreate
) -> Employee:
    """A new employee (matricule E00001…), hired today unless ``hire_date`` is given."""
    principal.require(*HR)
    tenant = tenant_of(session, principal)
    columns = data.model_dump()
    columns["hire_date"] = data.hire_date or today(tenant, clock)
    _validate(session, principal, tenant, columns, None)
    employee = Employee(tenant_id=tenant.id, id=uuid7(), code="", **columns)
    employee.code = f"E{take_next(session, tenant.id, 'employee'):05d}"
    session.add(employee)
    session.flush()
    record_change(
        session,
        principal,
        employee,
        "employee.created",
        "employee.create",
        code=employee.code,
        employee_name=employee.name,
    )
    return employee


def update_employee(
    session: Session, principal: Principal, employee_id: UUID, data: EmployeeUpdate
) -> Employee:
    """Change only the fields sent. ``left_on`` marks a departure (``null`` a return)."""
    principal.require(*HR)
    employee = require_employee(session, principal, employee_id)
    changes = data.model_dump(exclude_unset=True)
    required(changes, "name", "hire_date")
    _validate(session, principal, tenant_of(session, principal), changes, employee.id)
    if "left_on" in changes:
        changes["is_active"] = changes["left_on"] is None
    hire = changes.get("hire_date", employee.hire_date)
    left = changes.get("left_on", employee.left_on)
    if left is not None and left < hire:
        raise InvalidInput("La date de départ précède l'embauche.", field="left_on")
    before = row_state(employee)
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return employee
    for key, value in changed.items():
        setattr(employee, key, value)
    session.flush()
    record_change(
        session,
        principal,
        employee,
        "employee.updated",
        "employee.update",
        before=before,
        fields=sorted(changed),
    )
    return employee


def get_employee(session: Session, principal: Principal, employee_id: UUID) -> Employee:
    return visible_employee(session, principal, employee_id)


def list_employees(
    session: Session,
    principal: Principal,
    *,
    department_id: UUID | None = None,
    active: bool | None = True,
    limit: int = 100,
    offset: int = 0,
) -> Page[Employee]:
    """The staff the caller may see, by name; ``active=None`` includes those who left."""
    limit, offset = bounds(limit, offset)
    items, total = repo.list_employees(
        session,
        principal.tenant_id,
        ids=scope_of(session, principal).visible,
        department_id=department_id,
        active=active,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def describe_employees(
    session: Session, principal: Principal, employees: list[Employee]
) -> list[EmployeeOut]:
    """Employees with their department's and manager's names."""
    tenant_id = principal.tenant_id
    departments = repo.department_names(
        session, tenant_id, {e.department_id for e in employees if e.department_id}
    )
    managers = repo.employee_names(
        session, tenant_id, {e.manager_id for e in employees if e.manager_id}
    )
    return [
        EmployeeOut.model_validate(
            {
                **{f: getattr(e, f) for f in EmployeeOut.model_fields if hasattr(e, f)},
                "department": departments.get(e.department_id) if e.department_id else None,
                "manager": managers.get(e.manager_id) if e.manager_id else None,
            }
        )
        for e in employees
    ]


# --- finding an employee ----------------------------------------------------------------

_EMPLOYEE_CODE = re.compile(r"^E\d{1,10}$", re.IGNORECASE)


def _identifier_values(query: str, country: str) -> dict[str, str]:
    """Identifier columns ``query`` could be the exact value of (matricule, e-mail, phone)."""
    if "@" in query:
        return {"email": query.lower()}
    if _EMPLOYEE_CODE.match(query):
        return {"code": query.upper()}
    if sum(c.isdigit() for c in query) < 6:
        return {}
    try:
        phone = normalize_phone(query, country)
    except InvalidInput:
        return {}
    return {"phone": phone, "whatsapp": phone}


def _employee_hits(session: Session, principal: Principal, query: str, limit: int) -> list[Any]:
    query = " ".join(query.split())
    if not query:
        return []
    ids = scope_of(session, principal).visible
    values = _identifier_values(query, tenant_of(session, principal).country)
    exact = repo.employees_by_identifier(session, principal.tenant_id, values, ids)
    fuzzy = repo.search_employee_names(session, principal.tenant_id, query, ids, limit)
    return merge_hits(exact, fuzzy, limit)


def _match(hit: Any) -> EmployeeMatch:
    e: Employee = hit.row
    return EmployeeMatch(
        id=e.id, code=e.code, name=e.name, job_title=e.job_title, score=round(hit.score, 3)
    )


def find_employee(
    session: Session, principal: Principal, query: str, *, limit: int = 5
) -> list[EmployeeMatch]:
    """Active employees the caller may see matching ``query`` best first: typo-, accent-
    and case-tolerant on the name, exact on matricule, e-mail, phone and WhatsApp."""
    hits = _employee_hits(session, principal, query, min(max(limit, 1), 50))
    return [_match(h) for h in hits]


def resolve_employee(session: Session, principal: Principal, query: str) -> Employee:
    """The one employee ``query`` designates (the rule of ``domain.kit.resolution``):
    raises ``AmbiguousEmployee`` (409, candidates to ask back) or ``EmployeeNotFound``."""
    hits = _employee_hits(session, principal, query, 5)
    employee: Employee = resolve_hit(
        hits,
        " ".join(query.split()),
        ("employé", "employés"),
        (EmployeeNotFound, AmbiguousEmployee),
        _match,
    )
    return employee
