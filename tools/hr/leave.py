"""Leave: asking, approving or rejecting, balances, who is away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.hr import service as hr
from domain.hr.calendar import is_working_day
from domain.hr.models import Employee, LeaveRequest
from domain.hr.schemas import LeaveRequestCreate
from domain.kit.errors import NotFound, PermissionDenied
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.hr._common import (
    days_text,
    employee_named,
    employee_or_me,
    fold,
    me,
    period_text,
    tenant_of,
    today,
)

LeaveAction = Literal["request", "approve", "reject", "cancel"]
# « valide les congés de Paul et de Sophie »: the same decision for each person named.
OTHERS_DESCRIPTION = "D'autres employés : la même chose pour chacun"
# « Awa m'a demandé 3 jours fin juin »: the request meant is the one of that many days.
DAYS_DESCRIPTION = "Le nombre de jours ouvrés de la demande (« ses 3 jours »)"
_FILLER = {"conge", "conges", "de", "du", "des", "en", "pour", "un", "une", "jour", "jours"}


def _leave_type(ctx: ToolContext, said: str) -> str | None:
    """The code of the leave type a person names: its code or name, or words of its name
    (« maladie », « sans solde », « congé payé »); None for plain leave (« des vacances »:
    paid leave); a question back otherwise."""
    wanted = fold(said)
    words = [w for w in wanted.replace("-", " ").split() if w not in _FILLER]
    if not words or words == ["vacances"]:
        return None
    types = hr.list_leave_types(ctx.session, ctx.principal)
    found = [t for t in types if wanted in (fold(t.code), fold(t.name))]
    if not found:
        found = [t for t in types if all(w in f"{fold(t.name)} {t.code}" for w in words)]
    if len(found) == 1:
        return found[0].code
    names = [t.name for t in found or types]
    raise AskBack(f"Quel type de congé ? {', '.join(names)}.", field="leave_type", options=names)


class LeaveOut(ToolResult):
    action: LeaveAction
    request_id: str
    employee: str
    leave_type: str
    start_date: date
    end_date: date
    starts_afternoon: bool = False
    ends_morning: bool = False
    days: Decimal
    reason: str | None = None
    others: list[LeaveOut] = Field(default_factory=list)  # the same, for others named
    days_off: list[date] = Field(default_factory=list)  # days said that are not worked

    def _what(self) -> str:
        period = period_text(
            self.start_date,
            self.end_date,
            starts_afternoon=self.starts_afternoon,
            ends_morning=self.ends_morning,
        )
        return f"{self.leave_type} de {self.employee} {period} ({days_text(self.days)} j ouvrés)"

    def preview(self) -> str:
        return "\n".join([*(one._preview() for one in (self, *self.others)), *self._off()])

    def render(self) -> str:
        return "\n".join([*(one._render() for one in (self, *self.others)), *self._off()])

    def _off(self) -> list[str]:
        return [
            f"Le {d:%d/%m/%Y} n'est pas un jour ouvré (férié ou week-end) : pas posé."
            for d in self.days_off
        ]

    def _preview(self) -> str:
        if self.action == "request":
            return f"Demander : {self._what()}. La demande attendra la validation du responsable."
        if self.action == "approve":
            return f"Approuver : {self._what()}."
        if self.action == "cancel":
            return f"Annuler : {self._what()}."
        return f"Refuser : {self._what()}. Motif : {self.reason}."

    def _render(self) -> str:
        if self.action == "request":
            return f"Demande enregistrée : {self._what()}, en attente de validation."
        if self.action == "approve":
            return f"Congé approuvé : {self._what()}."
        if self.action == "cancel":
            return f"Congé annulé : {self._what()}."
        return f"Congé refusé : {self._what()} (motif : {self.reason})."


def _leave_out(
    ctx: ToolContext, r: LeaveRequest, action: LeaveAction, reason: str | None = None
) -> LeaveOut:
    employee = hr.get_employee(ctx.session, ctx.principal, r.employee_id)
    types = {t.id: t.name for t in hr.list_leave_types(ctx.session, ctx.principal, active=None)}
    return LeaveOut(
        action=action, request_id=str(r.id), employee=employee.name,
        leave_type=types[r.leave_type_id], start_date=r.start_date, end_date=r.end_date,
        starts_afternoon=r.starts_afternoon, ends_morning=r.ends_morning, days=r.days,
        reason=reason,
    )  # fmt: skip


# --- asking -----------------------------------------------------------------------------


class RequestLeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(
        default=None, max_length=200, description="Pour qui (défaut : vous-même)"
    )
    leave_type: str | None = Field(
        default=None, max_length=100, description="Type : congés payés (défaut), maladie, RTT…"
    )
    start_date: date = Field(description="Premier jour")
    end_date: date | None = Field(default=None, description="Dernier jour (défaut : le premier)")
    starts_afternoon: bool = Field(default=False, description="Le premier jour à partir de midi")
    ends_morning: bool = Field(default=False, description="Le dernier jour jusqu'à midi")
    comment: str | None = Field(default=None, max_length=500, description="Commentaire")
    other_days: list[date] = Field(
        default_factory=list,
        max_length=10,
        description="D'autres jours séparés (« le lundi 6 et le vendredi 10 ») : un congé "
        "d'un jour chacun ; un jour non travaillé (férié, week-end) n'est pas posé",
    )


def _for_whom(ctx: ToolContext, name: str | None) -> Employee:
    """Whom a request is for: oneself, or someone the caller manages (named)."""
    scope = hr.scope_of(ctx.session, ctx.principal)
    if name is None or scope.everyone or scope.reports:
        return employee_or_me(ctx, name)
    try:
        employee = employee_named(ctx, name, "employee")
    except AskBack:
        employee = None
    if employee is None or employee.id != scope.self_id:
        raise PermissionDenied("Vous ne pouvez demander un congé que pour vous-même.")
    return employee


@tool("hr.request_leave", title="Demander un congé", effect=Effect.WRITE, creates="leave")
def request_leave(ctx: ToolContext, args: RequestLeaveIn) -> LeaveOut:
    """Pose une demande de congé (pour soi, ou pour un membre de son équipe) : type, dates,
    demi-journées. Les jours comptés sont les jours ouvrés.

    Exemples : « je veux poser du 3 au 7 août », « congé maladie demain pour Moussa »,
    « je prends vendredi après-midi », « pose-moi 2 jours de RTT lundi et mardi »."""
    employee = _for_whom(ctx, args.employee)
    leave_type = _leave_type(ctx, args.leave_type) if args.leave_type else None
    if args.other_days:
        return _separate_days(ctx, args, employee, leave_type)
    data = LeaveRequestCreate(
        employee_id=employee.id, leave_type=leave_type, start_date=args.start_date,
        end_date=args.end_date or args.start_date, starts_afternoon=args.starts_afternoon,
        ends_morning=args.ends_morning, comment=args.comment,
    )  # fmt: skip
    return _leave_out(ctx, hr.request_leave(ctx.session, ctx.principal, data), "request")


def _separate_days(
    ctx: ToolContext, args: RequestLeaveIn, employee: Employee, leave_type: str | None
) -> LeaveOut:
    """One day's leave for each day said apart; the days not worked (a public holiday, a
    weekend) are said, not asked for — unless no day said is worked (the service refuses)."""
    days = sorted({args.start_date, *args.other_days})
    country = tenant_of(ctx).country
    worked = [d for d in days if is_working_day(country, d)] or days[:1]
    made = [
        _leave_out(
            ctx,
            hr.request_leave(
                ctx.session,
                ctx.principal,
                LeaveRequestCreate(
                    employee_id=employee.id,
                    leave_type=leave_type,
                    start_date=day,
                    end_date=day,
                    comment=args.comment,
                ),
            ),
            "request",
        )  # fmt: skip
        for day in worked
    ]
    off = [d for d in days if d not in worked]
    return made[0].model_copy(update={"others": made[1:], "days_off": off})


# --- deciding ---------------------------------------------------------------------------


class DecideLeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(
        default=None, max_length=200, description="L'employé dont la demande est en attente"
    )
    start_date: date | None = Field(default=None, description="Un jour du congé demandé")
    end_date: date | None = Field(
        default=None,
        description="Avec start_date : une période qui recoupe le congé (« celle de fin mars »)",
    )
    request_id: str | None = Field(default=None, description="Identifiant (boutons)")
    others: list[str] = Field(default_factory=list, max_length=10, description=OTHERS_DESCRIPTION)
    any_week: bool = Field(
        default=False,
        description="Jours dits par leur nom seul (« jeudi et vendredi ») : la demande de ces "
        "jours de la semaine, quelle que soit la semaine",
    )
    every_pending: bool = Field(
        default=False,
        description="Toutes les demandes en attente (« valide toutes les demandes de congé ») : "
        "chacune, pour l'employé ou la période dite s'il y en a",
    )
    days: Decimal | None = Field(default=None, gt=0, le=366, description=DAYS_DESCRIPTION)


class RejectLeaveIn(DecideLeaveIn):
    reason: str = Field(min_length=1, max_length=500, description="Motif du refus")


def _request_label(r: LeaveRequest, names: dict[UUID, str]) -> str:
    return f"{names[r.employee_id]} {period_text(r.start_date, r.end_date)}"


def _meant(
    r: LeaveRequest,
    first: date | None,
    last: date | None,
    any_week: bool = False,
    days: Decimal | None = None,
) -> bool:
    """Whether a request is the one a day (inside it) or a period (overlapping it) points at;
    with ``any_week``, a request that holds those weekdays in whichever week (« jeudi et
    vendredi », said without their dates); with ``days``, one of that many working days."""
    if days is not None and r.days != days:
        return False
    if first is None:
        return True
    last = last or first
    if any_week:  # the first of its days with that weekday, and the days said after it
        same_weekday = r.start_date + timedelta(days=(first.weekday() - r.start_date.weekday()) % 7)
        return same_weekday + (last - first) <= r.end_date
    return r.start_date <= last and first <= r.end_date


def _pending_request(ctx: ToolContext, args: DecideLeaveIn, verb: str) -> LeaveRequest:
    """The pending request the caller means and may decide: by id, by employee, by a day
    inside it; a question back when several remain."""
    return _pending_requests(ctx, args, verb, every=False)[0]


def _pending_requests(
    ctx: ToolContext, args: DecideLeaveIn, verb: str, *, every: bool
) -> list[LeaveRequest]:
    """The pending requests the caller means and may decide (one unless ``every``)."""
    scope = hr.scope_of(ctx.session, ctx.principal)
    if not (scope.everyone or scope.reports):
        raise PermissionDenied(
            f"Seuls le responsable de l'employé ou les RH peuvent {verb} un congé."
        )
    if args.request_id:
        try:
            return [hr.get_leave_request(ctx.session, ctx.principal, UUID(args.request_id))]
        except ValueError:
            raise NotFound("Demande de congé introuvable.") from None
    employee = employee_named(ctx, args.employee, "employee") if args.employee else None
    requests = [
        r
        for r in hr.list_leave_requests(
            ctx.session,
            ctx.principal,
            employee_id=employee.id if employee else None,
            status="pending",
        )  # fmt: skip
        if scope.manages(r.employee_id)
        and _meant(r, args.start_date, args.end_date, args.any_week, args.days)
    ]
    whom = f" de {employee.name}" if employee else ""
    if not requests:
        raise NotFound(f"Aucune demande de congé{whom} en attente à {verb}.")
    if len(requests) == 1 or every:
        return sorted(requests, key=lambda r: (r.start_date, str(r.employee_id)))
    people = {r.employee_id: "" for r in requests}
    for e_id in people:
        people[e_id] = hr.get_employee(ctx.session, ctx.principal, e_id).name
    options = [_request_label(r, people) for r in requests]
    field = "start_date" if len(people) == 1 else "employee"
    raise AskBack(f"Plusieurs demandes{whom} en attente : laquelle ?", field=field, options=options)


_Decision = TypeVar("_Decision", "DecideLeaveIn", "RejectLeaveIn", "CancelLeaveIn")


def _for_each(
    ctx: ToolContext, args: _Decision, decide: Callable[[_Decision], LeaveOut], verb: str
) -> LeaveOut:
    """The decision for the employee named, then for each of the others, in one unit; with
    ``every_pending``, for each pending request meant."""
    if isinstance(args, DecideLeaveIn) and args.every_pending:
        requests = _pending_requests(ctx, args, verb, every=True)
        made = [decide(args.model_copy(update={"request_id": str(r.id)})) for r in requests]
        return made[0].model_copy(update={"others": made[1:]}) if len(made) > 1 else made[0]
    first = decide(args)
    others = [decide(args.model_copy(update={"employee": n, "others": []})) for n in args.others]
    return first.model_copy(update={"others": others}) if others else first


@tool("hr.approve_leave", title="Approuver un congé", effect=Effect.WRITE, acts_on=("leave",))
def approve_leave(ctx: ToolContext, args: DecideLeaveIn) -> LeaveOut:
    """Approuve la demande de congé en attente d'un employé (responsable ou RH) ; les jours
    sont déduits de son solde.

    Exemples : « approuve le congé d'Awa », « valide la demande de Moussa du 3 août »,
    « ok pour les congés de Fatou »."""

    def approve(one: DecideLeaveIn) -> LeaveOut:
        request = _pending_request(ctx, one, "approuver")
        approved = hr.approve_leave(ctx.session, ctx.principal, ctx.clock, request.id)
        return _leave_out(ctx, approved, "approve")

    return _for_each(ctx, args, approve, "approuver")


@tool("hr.reject_leave", title="Refuser un congé", effect=Effect.WRITE, acts_on=("leave",))
def reject_leave(ctx: ToolContext, args: RejectLeaveIn) -> LeaveOut:
    """Refuse la demande de congé en attente d'un employé (responsable ou RH), avec le motif.

    Exemples : « refuse le congé de Moussa, c'est l'inventaire », « non pour les congés
    d'Awa en août : trop de monde absent », « rejette la demande de Fatou, motif : rush »."""

    def reject(one: RejectLeaveIn) -> LeaveOut:
        request = _pending_request(ctx, one, "refuser")
        rejected = hr.reject_leave(ctx.session, ctx.principal, ctx.clock, request.id, one.reason)
        return _leave_out(ctx, rejected, "reject", rejected.rejection_reason)

    return _for_each(ctx, args, reject, "refuser")


class CancelLeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(default=None, max_length=200, description="Défaut : vous-même")
    start_date: date | None = Field(default=None, description="Un jour du congé à annuler")
    end_date: date | None = Field(
        default=None, description="Avec start_date : une période qui recoupe le congé (« d'avril »)"
    )
    request_id: str | None = Field(default=None, description="Identifiant (boutons)")
    others: list[str] = Field(default_factory=list, max_length=10, description=OTHERS_DESCRIPTION)
    any_week: bool = Field(default=False, description="Comme pour approuver : jours nommés seuls")
    days: Decimal | None = Field(default=None, gt=0, le=366, description=DAYS_DESCRIPTION)


def _cancellable_request(ctx: ToolContext, args: CancelLeaveIn) -> LeaveRequest:
    """The pending or approved request meant (by id, by a day or a period it touches), of
    the employee named or one's own; a question back when several remain."""
    if args.request_id:
        try:
            return hr.get_leave_request(ctx.session, ctx.principal, UUID(args.request_id))
        except ValueError:
            raise NotFound("Demande de congé introuvable.") from None
    employee = employee_named(ctx, args.employee, "employee") if args.employee else me(ctx)
    requests = [
        r
        for status in ("pending", "approved")
        for r in hr.list_leave_requests(
            ctx.session, ctx.principal, employee_id=employee.id, status=status
        )
        if r.end_date >= today(ctx)
        and _meant(r, args.start_date, args.end_date, args.any_week, args.days)
    ]
    if not requests:
        raise NotFound(f"Aucun congé à venir de {employee.name} à annuler sur cette période.")
    if len(requests) > 1:
        options = [_request_label(r, {employee.id: employee.name}) for r in requests]
        raise AskBack("Plusieurs congés à venir : lequel ?", field="start_date", options=options)
    return requests[0]


@tool("hr.cancel_leave", title="Annuler un congé", effect=Effect.WRITE, acts_on=("leave",))
def cancel_leave(ctx: ToolContext, args: CancelLeaveIn) -> LeaveOut:
    """Annule un congé à venir, en attente ou approuvé (le sien, ou celui de tout employé
    pour les RH) ; un congé approuvé rend ses jours au solde.

    Exemples : « j'annule mes congés d'avril », « annule le congé de Moussa du 12 mai »."""

    def cancel(one: CancelLeaveIn) -> LeaveOut:
        request = _cancellable_request(ctx, one)
        cancelled = hr.cancel_leave(ctx.session, ctx.principal, ctx.clock, request.id)
        return _leave_out(ctx, cancelled, "cancel")

    return _for_each(ctx, args, cancel, "annuler")


class PendingLeaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PendingLeaveOut(ToolResult):
    requests: list[AbsenceLine]

    def render(self) -> str:
        if not self.requests:
            return "Aucune demande de congé en attente."
        rows = "\n".join(r.line() for r in self.requests)
        return f"Demandes de congé en attente de validation :\n{rows}"


@tool(
    "hr.pending_leave",
    title="Demandes de congé en attente",
    effect=Effect.READ,
    acts_on=("leave",),
)
def pending_leave(ctx: ToolContext, args: PendingLeaveIn) -> PendingLeaveOut:
    """Liste les demandes de congé en attente que vous pouvez voir (les vôtres, celles de
    votre équipe ; toutes pour les RH).

    Exemples : « des demandes de congé à valider ? », « quelles demandes sont en attente ? »."""
    pending = hr.list_leave_requests(ctx.session, ctx.principal, status="pending")
    types = {t.code: t.name for t in hr.list_leave_types(ctx.session, ctx.principal, active=None)}
    return PendingLeaveOut(
        requests=[
            AbsenceLine(
                employee=r.employee,
                leave_type=types.get(r.leave_type, r.leave_type),
                start_date=r.start_date,
                end_date=r.end_date,
                starts_afternoon=r.starts_afternoon,
                ends_morning=r.ends_morning,
            )  # fmt: skip
            for r in hr.describe_requests(ctx.session, ctx.principal, pending)
        ]
    )


# --- balances and absences --------------------------------------------------------------


class LeaveBalanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employee: str | None = Field(default=None, max_length=200, description="Défaut : vous-même")
    others: list[str] = Field(default_factory=list, max_length=10, description=OTHERS_DESCRIPTION)
    team: bool = Field(
        default=False,
        description="Le solde de chaque employé en poste que vous voyez (« toute l'équipe »).",
    )


class BalanceLine(BaseModel):
    name: str
    balance: Decimal
    pending: Decimal
    available: Decimal

    def line(self) -> str:
        pending = (
            f" (dont {days_text(self.pending)} en attente : "
            f"{days_text(self.available)} disponible(s))"
            if self.pending
            else ""
        )
        return f"- {self.name} : {days_text(self.balance)} jour(s){pending}"


class LeaveBalanceOut(ToolResult):
    employee: str
    balances: list[BalanceLine]
    others: list[LeaveBalanceOut] = Field(default_factory=list)

    def render(self) -> str:
        shown = (self, *self.others) if self.employee else self.others
        if not shown:
            return "Aucun employé en poste que vous puissiez voir."
        return "\n".join(one._render() for one in shown)

    def _render(self) -> str:
        if not self.balances:
            return f"Aucun solde de congés suivi pour {self.employee}."
        return f"Solde de congés de {self.employee} :\n" + "\n".join(
            b.line() for b in self.balances
        )


@tool("hr.leave_balance", title="Consulter un solde de congés", effect=Effect.READ)
def leave_balance(ctx: ToolContext, args: LeaveBalanceIn) -> LeaveBalanceOut:
    """Donne le solde de congés (acquis, en attente, disponible) d'un employé, ou le sien.

    Exemples : « combien il me reste de congés ? », « solde de congés d'Awa »,
    « mes jours de congé », « les soldes de toute l'équipe »."""
    if args.team:  # everyone the caller may see: a manager's team, the whole staff for HR
        balances = hr.team_balances(ctx.session, ctx.principal)
        if not balances:
            return LeaveBalanceOut(employee="", balances=[])
    else:
        people = [employee_named(ctx, args.employee, "employee") if args.employee else me(ctx)]
        people += [employee_named(ctx, name, "others") for name in args.others]
        balances = [(e, hr.leave_balance(ctx.session, ctx.principal, e.id)) for e in people]
    found = [
        LeaveBalanceOut(
            employee=employee.name,
            balances=[BalanceLine.model_validate(b, from_attributes=True) for b in lines],
        )
        for employee, lines in balances
    ]
    return found[0].model_copy(update={"others": found[1:]})


class WhoIsAbsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start_date: date | None = Field(default=None, description="Début (défaut : aujourd'hui)")
    end_date: date | None = Field(default=None, description="Fin (défaut : le début)")


class AbsenceLine(BaseModel):
    employee: str
    leave_type: str
    start_date: date
    end_date: date
    starts_afternoon: bool
    ends_morning: bool

    def line(self) -> str:
        period = period_text(
            self.start_date,
            self.end_date,
            starts_afternoon=self.starts_afternoon,
            ends_morning=self.ends_morning,
        )
        return f"- {self.employee} ({self.leave_type}) {period}"


class WhoIsAbsentOut(ToolResult):
    start_date: date
    end_date: date
    absences: list[AbsenceLine]

    def render(self) -> str:
        when = period_text(self.start_date, self.end_date)
        if not self.absences:
            return f"Personne n'est en congé {when}."
        rows = "\n".join(a.line() for a in self.absences[:10])
        more = f"\n… et {len(self.absences) - 10} autre(s)." if len(self.absences) > 10 else ""
        return f"En congé {when} :\n{rows}{more}"


@tool("hr.who_is_absent", title="Voir qui est absent", effect=Effect.READ)
def who_is_absent(ctx: ToolContext, args: WhoIsAbsentIn) -> WhoIsAbsentOut:
    """Liste les congés approuvés sur une période (aujourd'hui par défaut), parmi les
    employés que vous pouvez voir.

    Exemples : « qui est absent aujourd'hui ? », « qui est en congé la semaine
    prochaine ? », « les absents du 3 au 7 août »."""
    start = args.start_date or today(ctx)
    end = args.end_date or start
    rows = hr.who_is_absent(ctx.session, ctx.principal, start, end)
    absences = [
        AbsenceLine(
            employee=a.employee,
            leave_type=a.leave_type_name,
            start_date=a.start_date,
            end_date=a.end_date,
            starts_afternoon=a.starts_afternoon,
            ends_morning=a.ends_morning,
        )  # fmt: skip
        for a in rows
    ]
    return WhoIsAbsentOut(start_date=start, end_date=end, absences=absences)
