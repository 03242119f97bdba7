"""Employees: finding, hiring (creating the record), updating."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from domain.hr import service as hr
from domain.hr.models import Employee
from domain.hr.schemas import EmployeeCreate, EmployeeUpdate
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Role
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.hr._common import department_id, employee_named

# --- finding ----------------------------------------------------------------------------


class FindEmployeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(
        min_length=1, max_length=200, description="Nom, matricule, téléphone ou e-mail cherché"
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de résultats")


class EmployeeRow(BaseModel):
    employee_id: str
    code: str
    name: str
    job_title: str | None = None
    phone: str | None = None
    email: str | None = None
    manager: str | None = None

    def line(self) -> str:
        details = [d for d in (self.job_title, self.phone, self.email) if d]
        if self.manager:
            details.append(f"responsable : {self.manager}")
        suffix = f" — {', '.join(details)}" if details else ""
        return f"- {self.name} ({self.code}){suffix}"


class FindEmployeeOut(ToolResult):
    query: str
    employees: list[EmployeeRow]

    def render(self) -> str:
        if not self.employees:
            return f"Aucun employé ne correspond à « {self.query} »."
        rows = "\n".join(e.line() for e in self.employees[:10])
        if len(self.employees) == 1:
            return f"Employé trouvé :\n{rows}"
        return f"{len(self.employees)} employés correspondent à « {self.query} » :\n{rows}"

    def found_nothing(self) -> bool:
        return not self.employees


@tool("hr.find_employee", title="Chercher un employé", effect=Effect.READ)
def find_employee(ctx: ToolContext, args: FindEmployeeIn) -> FindEmployeeOut:
    """Cherche un employé par nom (fautes et accents tolérés), matricule, téléphone ou
    e-mail, parmi ceux que vous pouvez voir.

    Exemples : « cherche l'employée Awa », « le numéro de Moussa Diop ? »,
    « qui a le matricule E00003 ? »."""
    matches = hr.find_employee(ctx.session, ctx.principal, args.query, limit=args.limit)
    rows = []
    for m in matches:
        e = hr.get_employee(ctx.session, ctx.principal, m.id)
        rows.append(
            EmployeeRow(
                employee_id=str(e.id),
                code=e.code,
                name=e.name,
                job_title=e.job_title,
                phone=e.phone,
                email=e.email,
                manager=_manager_name(ctx, e),
            )  # fmt: skip
        )
    return FindEmployeeOut(query=args.query, employees=rows)


def _manager_name(ctx: ToolContext, employee: Employee) -> str | None:
    """Whom the employee reports to, when the caller may see that person too."""
    if employee.manager_id is None:
        return None
    try:
        return hr.get_employee(ctx.session, ctx.principal, employee.manager_id).name
    except PermissionDenied:
        return None


# --- creating and updating --------------------------------------------------------------


class _EmployeeDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job_title: str | None = Field(default=None, max_length=100, description="Poste")
    email: EmailStr | None = Field(default=None, description="Adresse e-mail")
    phone: str | None = Field(default=None, max_length=32, description="Téléphone")
    whatsapp: str | None = Field(default=None, max_length=32, description="Numéro WhatsApp")
    department: str | None = Field(default=None, max_length=100, description="Service")
    manager: str | None = Field(default=None, max_length=200, description="Son responsable")


class CreateEmployeeIn(_EmployeeDetails):
    name: str = Field(min_length=1, max_length=200, description="Nom complet")
    hire_date: date | None = Field(default=None, description="Date d'embauche (défaut : ce jour)")


def _references(ctx: ToolContext, args: _EmployeeDetails) -> tuple[dict[str, Any], list[str]]:
    """Department and manager ids from the names said, and how to show them."""
    columns: dict[str, Any] = {}
    shown: list[str] = []
    if args.department:
        columns["department_id"], new = department_id(ctx, args.department)
        shown.append(f"service {args.department.strip()}" + (" (nouveau)" if new else ""))
    if args.manager:
        manager = employee_named(ctx, args.manager, "manager")
        columns["manager_id"] = manager.id
        shown.append(f"responsable {manager.name}")
    return columns, shown


class EmployeeOut(ToolResult):
    employee_id: str
    code: str
    name: str
    hire_date: date
    details: list[str] = Field(default_factory=list)

    def preview(self) -> str:
        extra = f", {', '.join(self.details)}" if self.details else ""
        return f"Créer la fiche de {self.name}, embauché(e) le {self.hire_date:%d/%m/%Y}{extra}."

    def render(self) -> str:
        return f"Fiche créée : {self.name} (matricule {self.code})."


@tool(
    "hr.create_employee",
    title="Créer une fiche employé",
    effect=Effect.WRITE,
    roles=(Role.HR,),
    creates="employee",
    acts_on=("contract",),
)
def create_employee(ctx: ToolContext, args: CreateEmployeeIn) -> EmployeeOut:
    """Crée la fiche d'un nouvel employé : poste, téléphone, service, responsable, date
    d'embauche.

    Exemples : « ajoute l'employée Awa Ndiaye, vendeuse, embauchée le 1er avril »,
    « nouvel employé Moussa Diop au service Livraison, responsable Fatou »,
    « crée la fiche de Jean Martin, comptable »."""
    columns, shown = _references(ctx, args)
    data = EmployeeCreate.model_validate(
        {
            **args.model_dump(include={"name", "hire_date", "job_title", "email", "phone",
                                       "whatsapp"}),
            **columns,
        }
    )  # fmt: skip
    e = hr.create_employee(ctx.session, ctx.principal, ctx.clock, data)
    details = [d for d in (e.job_title, e.phone and f"tél. {e.phone}") if d] + shown
    return EmployeeOut(
        employee_id=str(e.id), code=e.code, name=e.name, hire_date=e.hire_date, details=details
    )


class UpdateEmployeeIn(_EmployeeDetails):
    employee: str = Field(min_length=1, max_length=200, description="L'employé à modifier")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="Nouveau nom")
    left_on: date | None = Field(default=None, description="Date de départ de l'entreprise")


_LABELS = {
    "name": "nom", "job_title": "poste", "email": "e-mail", "phone": "téléphone",
    "whatsapp": "WhatsApp", "department_id": "service", "manager_id": "responsable",
    "left_on": "date de départ",
}  # fmt: skip


class Change(BaseModel):
    label: str
    before: str | None
    after: str | None

    def text(self) -> str:
        return f"{self.label} : {self.before or '—'} → {self.after or '—'}"


class UpdateEmployeeOut(ToolResult):
    employee_id: str
    name: str
    changes: list[Change]

    def preview(self) -> str:
        if not self.changes:
            return f"Rien à changer pour {self.name}."
        return f"Modifier la fiche de {self.name} : " + " ; ".join(c.text() for c in self.changes)

    def render(self) -> str:
        if not self.changes:
            return f"Rien n'a changé pour {self.name}."
        return f"Fiche de {self.name} mise à jour : " + " ; ".join(c.text() for c in self.changes)


def _shown(ctx: ToolContext, column: str, value: Any) -> str | None:
    if value is None:
        return None
    if column == "department_id":
        names = {d.id: d.name for d in hr.list_departments(ctx.session, ctx.principal)}
        return names.get(value)
    if column == "manager_id":
        return hr.get_employee(ctx.session, ctx.principal, value).name
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _state(e: Employee) -> dict[str, Any]:
    return {c: getattr(e, c) for c in _LABELS}


@tool(
    "hr.update_employee",
    title="Modifier une fiche employé",
    effect=Effect.WRITE,
    roles=(Role.HR,),
    acts_on=("contract",),
)
def update_employee(ctx: ToolContext, args: UpdateEmployeeIn) -> UpdateEmployeeOut:
    """Modifie la fiche d'un employé : poste, téléphone, service, responsable, ou son
    départ de l'entreprise.

    Exemples : « Awa passe responsable de boutique », « change le téléphone de Moussa :
    77 111 22 33 », « Jean a quitté l'entreprise le 31 mars »."""
    employee = employee_named(ctx, args.employee, "employee")
    columns, _ = _references(ctx, args)
    sent = args.model_dump(
        include={"name", "job_title", "email", "phone", "whatsapp", "left_on"}, exclude_none=True
    )
    before = _state(employee)
    updated = hr.update_employee(
        ctx.session, ctx.principal, employee.id, EmployeeUpdate.model_validate(sent | columns)
    )
    after = _state(updated)
    changes = [
        Change(label=label, before=_shown(ctx, c, before[c]), after=_shown(ctx, c, after[c]))
        for c, label in _LABELS.items()
        if before[c] != after[c]
    ]
    return UpdateEmployeeOut(employee_id=str(updated.id), name=updated.name, changes=changes)
