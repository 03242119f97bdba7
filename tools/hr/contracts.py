"""Employment contracts: signing one, and those ending soon."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.hr import service as hr
from domain.hr.schemas import ContractCreate
from domain.kit import inputs
from domain.kit.money import Money
from domain.kit.principal import Role
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.hr._common import days_text, employee_named, tenant_of

ContractKind = Literal["cdi", "cdd", "stage", "freelance"]
KIND_LABELS = {"cdi": "CDI", "cdd": "CDD", "stage": "Stage", "freelance": "Freelance"}


class CreateContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str = Field(min_length=1, max_length=200, description="L'employé")
    kind: ContractKind = Field(description="CDI, CDD, stage ou freelance")
    start_date: date = Field(description="Début du contrat")
    end_date: date | None = Field(default=None, description="Fin (CDD, stage)")
    salary: inputs.Amount = Field(ge=0, description="Salaire brut mensuel")
    weekly_hours: inputs.Quantity | None = Field(
        default=None,
        gt=0,
        le=60,
        description="Heures par semaine (défaut : horaire de l'entreprise)",
    )
    notes: str | None = Field(default=None, max_length=2000, description="Remarques")


class ContractOut(ToolResult):
    contract_id: str
    employee: str
    kind: ContractKind
    start_date: date
    end_date: date | None
    salary: Decimal
    currency: str
    weekly_hours: Decimal

    def _what(self) -> str:
        until = f" au {self.end_date:%d/%m/%Y}" if self.end_date else ""
        salary = Money(self.salary, self.currency).format_fr()
        return (
            f"{KIND_LABELS[self.kind]} de {self.employee} du {self.start_date:%d/%m/%Y}{until} : "
            f"{salary} brut par mois, {days_text(self.weekly_hours)} h par semaine"
        )

    def preview(self) -> str:
        return f"Créer le contrat : {self._what()}."

    def render(self) -> str:
        return f"Contrat créé : {self._what()}."


@tool(
    "hr.create_contract",
    title="Créer un contrat de travail",
    effect=Effect.WRITE,
    roles=(Role.HR,),
    creates="contract",
)
def create_contract(ctx: ToolContext, args: CreateContractIn) -> ContractOut:
    """Enregistre le contrat d'un employé : CDI, CDD ou stage (avec date de fin),
    freelance ; salaire brut mensuel et heures par semaine.

    Exemples : « CDD pour Awa du 1er avril au 30 septembre, 250 000 FCFA par mois »,
    « Moussa passe en CDI au 1er mai, 2 100 € brut », « stage de Jean jusqu'au 31 août »."""
    employee = employee_named(ctx, args.employee, "employee")
    if args.kind in ("cdd", "stage") and args.end_date is None:
        raise AskBack(
            f"Jusqu'à quelle date court ce {KIND_LABELS[args.kind]} ? (date de fin)",
            field="end_date",
        )
    hours = args.weekly_hours or hr.get_work_schedule(ctx.session, ctx.principal).daily_hours * 5
    data = ContractCreate(
        employee_id=employee.id, kind=args.kind, start_date=args.start_date,
        end_date=args.end_date, salary=args.salary, weekly_hours=hours, notes=args.notes,
    )  # fmt: skip
    c = hr.create_contract(ctx.session, ctx.principal, data)
    return ContractOut(
        contract_id=str(c.id), employee=employee.name, kind=args.kind, start_date=c.start_date,
        end_date=c.end_date, salary=c.salary, currency=tenant_of(ctx).currency,
        weekly_hours=c.weekly_hours,
    )  # fmt: skip


class ExpiringContractsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    within_days: int = Field(default=60, ge=0, le=730, description="Horizon en jours")


class ExpiringLine(BaseModel):
    employee: str
    kind: ContractKind
    end_date: date
    days_left: int

    def line(self) -> str:
        return (
            f"- {self.employee} : {KIND_LABELS[self.kind]}, fin le {self.end_date:%d/%m/%Y} "
            f"(dans {self.days_left} jour(s))"
        )


class ExpiringContractsOut(ToolResult):
    within_days: int
    contracts: list[ExpiringLine]

    def render(self) -> str:
        if not self.contracts:
            return f"Aucun contrat ne se termine dans les {self.within_days} prochains jours."
        rows = "\n".join(c.line() for c in self.contracts[:10])
        more = f"\n… et {len(self.contracts) - 10} autre(s)." if len(self.contracts) > 10 else ""
        return (
            f"{len(self.contracts)} contrat(s) se terminent dans les {self.within_days} "
            f"prochains jours :\n{rows}{more}"
        )


@tool(
    "hr.expiring_contracts",
    title="Voir les contrats qui se terminent",
    effect=Effect.READ,
    roles=(Role.HR, Role.MANAGER),
)
def expiring_contracts(ctx: ToolContext, args: ExpiringContractsIn) -> ExpiringContractsOut:
    """Liste les contrats (CDD, stages…) qui se terminent bientôt, pour les renouveler à temps.

    Exemples : « quels contrats arrivent à échéance ? », « les CDD qui finissent ce mois-ci »,
    « fin de contrats dans les 90 jours »."""
    rows = hr.expiring_contracts(
        ctx.session, ctx.principal, ctx.clock, within_days=args.within_days
    )
    lines = [ExpiringLine.model_validate(r, from_attributes=True) for r in rows]
    return ExpiringContractsOut(within_days=args.within_days, contracts=lines)
