"""Activities: calls, meetings, tasks and notes about a partner."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.finance.documents.labels import french_date
from domain.identity import repository as identity_repo
from domain.kit.text import fold
from domain.sales import service as sales
from domain.sales.schemas import (
    ActivityCreate,
)
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.sales._common import (
    KIND_LABELS,
    ActivityKind,
    ActivityStatus,
    partner_named,
    zone_of,
)

# --- activities -------------------------------------------------------------------------


def _member(ctx: ToolContext, name: str) -> tuple[UUID, str]:
    """The active member of the business a person names (« Awa », « Moussa Diop »)."""
    wanted = fold(name).split()
    members = [
        (u.id, u.name)
        for m, u in identity_repo.list_members(ctx.session, ctx.principal.tenant_id)
        if m.is_active
    ]
    exact = [m for m in members if fold(m[1]).split() == wanted]
    found = exact or [m for m in members if set(wanted) <= set(fold(m[1]).split())]
    if len(found) == 1:
        return found[0]
    if not found:
        raise AskBack(f"Aucun membre de l'équipe ne s'appelle « {name} ».", field="assignee")
    names = [m[1] for m in found]
    raise AskBack(f"Plusieurs personnes s'appellent ainsi : {', '.join(names)} ?",
                  field="assignee", options=names)  # fmt: skip


def _member_names(ctx: ToolContext) -> dict[UUID, str]:
    return {
        u.id: u.name for _, u in identity_repo.list_members(ctx.session, ctx.principal.tenant_id)
    }


def _due(day: date | None, at: time | None) -> str | None:
    if day is None:
        return None
    return french_date(day) + (f" à {at:%H:%M}" if at else "")


class LogActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ActivityKind = Field(description="Appel (call), rendez-vous (meeting), tâche, note")
    subject: str = Field(min_length=1, max_length=200, description="De quoi il s'agit")
    partner: str = Field(min_length=1, max_length=200, description="Le client ou fournisseur")
    due_date: date | None = Field(default=None, description="Pour quel jour")
    due_time: time | None = Field(default=None, description="À quelle heure")
    assignee: str | None = Field(
        default=None, max_length=200, description="Qui s'en charge (défaut : moi)"
    )
    notes: str | None = Field(default=None, max_length=2000, description="Détails")

    @field_validator("due_date", mode="before")
    @classmethod
    def _real_day(cls, value: object) -> object:
        if isinstance(value, str) and not value[:4].isdigit():
            raise ValueError(f"la date « {value} » n'existe pas")
        return value


class ActivityOut(ToolResult):
    activity_id: str
    kind: ActivityKind
    subject: str
    partner: str
    due: str | None
    assignee: str | None

    def _what(self) -> str:
        when = f", le {self.due}" if self.due else ""
        who = f", pour {self.assignee}" if self.assignee else ""
        return f"{KIND_LABELS[self.kind]} « {self.subject} » avec {self.partner}{when}{who}"

    def preview(self) -> str:
        return f"Noter : {self._what()}."

    def render(self) -> str:
        return f"C'est noté : {self._what()}."


@tool(
    "sales.log_activity",
    title="Noter une activité commerciale",
    effect=Effect.WRITE,
    roles=sales.WRITERS,
    creates="activity",
    acts_on=(
        "quote",
        "invoice",
        "reminder",
        "purchase_order",
        "payment",
        "contract",
        "opportunity",
        "credit_note",
        "leave",
    ),
)
def log_activity(ctx: ToolContext, args: LogActivityIn) -> ActivityOut:
    """Note un appel, un rendez-vous, une tâche ou une note sur un client ou fournisseur,
    avec une échéance et la personne qui s'en charge.

    Exemples : « rappelle Diallo demain 10h pour le devis », « note : rendez-vous avec
    Dupont jeudi 15h », « tâche pour Awa : relancer Ndiaye vendredi »."""
    partner = partner_named(ctx, args.partner, None, "partner")
    assignee_id, assignee = _member(ctx, args.assignee) if args.assignee else (None, None)
    day = args.due_date
    if day is None and args.due_time is not None:  # « à 15h »: today
        day = ctx.clock.now().astimezone(zone_of(ctx)).date()
    due_at = datetime.combine(day, args.due_time or time(9)) if day else None
    data = ActivityCreate(
        kind=args.kind, subject=args.subject, notes=args.notes, due_at=due_at,
        assignee_id=assignee_id, partner_id=partner.id,
    )  # fmt: skip
    a = sales.log_activity(ctx.session, ctx.principal, data)
    return ActivityOut(
        activity_id=str(a.id), kind=args.kind, subject=a.subject, partner=partner.name,
        due=_due(day, args.due_time), assignee=assignee,
    )  # fmt: skip


class ListActivitiesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: str | None = Field(default=None, max_length=200, description="Client ou fournisseur")
    status: ActivityStatus = Field(
        default="todo", description="À faire (todo), en retard (overdue), faites (done), toutes"
    )
    mine: bool = Field(default=False, description="Seulement celles qui me sont assignées")
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de lignes")


class ActivityRow(BaseModel):
    activity_id: str
    kind: ActivityKind
    subject: str
    partner: str | None
    due_at: datetime | None
    assignee: str | None
    done: bool
    overdue: bool

    def line(self) -> str:
        when = f" — {french_date(self.due_at.date())} {self.due_at:%H:%M}" if self.due_at else ""
        about = f" ({self.partner})" if self.partner else ""
        flag = " ✔" if self.done else (" (en retard)" if self.overdue else "")
        return f"- {KIND_LABELS[self.kind]} : {self.subject}{about}{when}{flag}"


class ListActivitiesOut(ToolResult):
    activities: list[ActivityRow]
    total: int

    def render(self) -> str:
        if not self.activities:
            return "Aucune activité."
        more = (
            f" (les {len(self.activities)} plus proches)"
            if self.total > len(self.activities)
            else ""
        )
        rows = "\n".join(a.line() for a in self.activities[:10])
        return f"{self.total} activité(s){more} :\n{rows}"


@tool("sales.list_activities", title="Lister les activités", effect=Effect.READ)
def list_activities(ctx: ToolContext, args: ListActivitiesIn) -> ListActivitiesOut:
    """Liste les appels, rendez-vous et tâches à faire, en retard ou faits, par client.

    Exemples : « qu'est-ce que j'ai à faire ? », « les relances en retard »,
    « les activités avec Diallo »."""
    partner = partner_named(ctx, args.partner, None, "partner") if args.partner else None
    page = sales.list_activities(
        ctx.session, ctx.principal, clock=ctx.clock,
        assignee_id=ctx.principal.user_id if args.mine else None,
        done={"todo": False, "done": True}.get(args.status),
        overdue=args.status == "overdue", partner_id=partner.id if partner else None,
        limit=args.limit,
    )  # fmt: skip
    members, zone, now = _member_names(ctx), zone_of(ctx), ctx.clock.now()
    rows = []
    for a in page.items:
        name = partner.name if partner else None
        if name is None and a.partner_id is not None:
            name = sales.get_partner(ctx.session, ctx.principal, a.partner_id).name
        rows.append(
            ActivityRow.model_validate(
                {
                    "activity_id": str(a.id),
                    "kind": a.kind,
                    "subject": a.subject,
                    "partner": name,
                    "due_at": a.due_at.astimezone(zone) if a.due_at else None,
                    "assignee": members.get(a.assignee_id) if a.assignee_id else None,
                    "done": a.done,
                    "overdue": not a.done and a.due_at is not None and a.due_at < now,
                }
            )  # fmt: skip
        )
    return ListActivitiesOut(activities=rows, total=page.total)
