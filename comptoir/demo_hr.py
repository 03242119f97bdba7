"""Demo HR data: departments, employees, contracts, leave, a month of attendance, reviews.

Written through the HR services with clocks set to the moments things happen, relative to
the container clock's today: eleven people in three departments with their managers and
contracts (a CDD ending within 60 days), leave in every status, the last four weeks of
check-ins (two late arrivals, one forgotten check-out), one completed review and one
waiting for its self-assessment. The demo members are linked to the employee of their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from comptoir.bootstrap import Container
from domain.hr import repository as hr_repo
from domain.hr import service as hr
from domain.hr.calendar import is_working_day
from domain.hr.schemas import (
    AttendanceEvent,
    BalanceAdjustment,
    ContractCreate,
    ContractKind,
    EmployeeCreate,
    GoalIn,
    GoalResult,
    LeaveRequestCreate,
    ManagerAssessment,
    ReviewCreate,
    SelfAssessment,
)
from domain.hr.setup import ANNUAL_LEAVE
from domain.identity import repository as identity_repo
from domain.kit.clock import ManualClock
from domain.kit.principal import Principal, Role


@dataclass(frozen=True)
class Person:
    name: str
    job_title: str
    department: str
    manager: str | None
    salary: str
    contract: ContractKind = "cdi"
    years: int = 3  # seniority


@dataclass(frozen=True)
class Staffing:
    people: list[Person]
    phone_prefix: str
    weekly_hours: Decimal


FR = Staffing(
    people=[
        Person("Claire Martin", "Gérante", "Direction", None, "3800.00", years=8),
        Person("Julien Petit", "Comptable", "Direction", "Claire Martin", "2700.00", years=5),
        Person("Sophie Bernard", "Responsable boutique", "Boutique", "Claire Martin", "2500.00"),
        Person("Léa Moreau", "Vendeuse", "Boutique", "Sophie Bernard", "1900.00"),
        Person("Thomas Dubois", "Vendeur", "Boutique", "Sophie Bernard", "1850.00", "cdd", 0),
        Person("Camille Laurent", "Vendeuse", "Boutique", "Sophie Bernard", "1850.00", years=2),
        Person("Hugo Lefebvre", "Vendeur", "Boutique", "Sophie Bernard", "1850.00", years=1),
        Person("Nicolas Roux", "Responsable atelier", "Atelier", "Claire Martin", "2600.00"),
        Person("Manon Fournier", "Électricienne", "Atelier", "Nicolas Roux", "2200.00"),
        Person("Antoine Girard", "Électricien", "Atelier", "Nicolas Roux", "2150.00", years=4),
        Person(
            "Inès Bonnet", "Stagiaire éclairagiste", "Atelier", "Nicolas Roux", "650.00", "stage", 0
        ),
    ],  # fmt: skip
    phone_prefix="+336120000",
    weekly_hours=Decimal(35),
)

SN = Staffing(
    people=[
        Person("Fatou Sarr", "Directrice générale", "Direction", None, "1200000", years=7),
        Person("Ousmane Ba", "Comptable", "Direction", "Fatou Sarr", "600000", years=5),
        Person("Modou Diop", "Chef des ventes", "Ventes", "Fatou Sarr", "550000"),
        Person("Awa Ndiaye", "Vendeuse", "Ventes", "Modou Diop", "250000"),
        Person("Cheikh Fall", "Commercial", "Ventes", "Modou Diop", "300000", "cdd", 0),
        Person("Aminata Sow", "Commerciale", "Ventes", "Modou Diop", "300000", years=2),
        Person("Mamadou Faye", "Magasinier", "Logistique", "Ibrahima Gueye", "200000", years=1),
        Person("Ibrahima Gueye", "Chef d'entrepôt", "Logistique", "Fatou Sarr", "450000"),
        Person("Khady Diallo", "Magasinière", "Logistique", "Ibrahima Gueye", "200000"),
        Person(
            "Abdoulaye Mbaye",
            "Chauffeur-livreur",
            "Logistique",
            "Ibrahima Gueye",
            "220000",
            years=4,
        ),
        Person(
            "Ndeye Seck",
            "Stagiaire logistique",
            "Logistique",
            "Ibrahima Gueye",
            "75000",
            "stage",
            0,
        ),
    ],  # fmt: skip
    phone_prefix="+2217700000",
    weekly_hours=Decimal(40),
)

# The roles the history gives to people, by their position in the staff list.
PENDING, REJECTED, CANCELLED, ON_LEAVE, SICK, LATE, FORGETFUL = 5, 9, 8, 3, 6, 4, 6
LATE_DAYS, FORGOTTEN_DAY = (3, 11), 7  # among the month's working days


def _clock(tz: ZoneInfo, day: date, at: time) -> ManualClock:
    return ManualClock(datetime.combine(day, at, tzinfo=tz).astimezone(UTC))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _rank(staffing: Staffing, person: Person) -> int:
    """How far ``person`` is from the top of the org chart."""
    managers = {p.name: p.manager for p in staffing.people}
    rank, above = 0, person.manager
    while above is not None:
        rank, above = rank + 1, managers[above]
    return rank


def _members(session: Session, principal: Principal) -> dict[str, tuple[UUID, list[str]]]:
    """Demo member accounts (user id, roles) by name, to link them to their employee."""
    return {
        u.name: (u.id, m.roles) for m, u in identity_repo.list_members(session, principal.tenant_id)
    }


def _hire(
    session: Session, principal: Principal, clock: ManualClock, staffing: Staffing, today: date
) -> dict[str, UUID]:
    members = _members(session, principal)
    ids: dict[str, UUID] = {}
    # Managers first: an employee's manager must exist before them.
    for i, p in sorted(enumerate(staffing.people), key=lambda x: _rank(staffing, x[1])):
        department = hr.ensure_department(session, principal, p.department)
        data = EmployeeCreate(
            name=p.name,
            job_title=p.job_title,
            department_id=department.id,
            manager_id=ids.get(p.manager) if p.manager else None,
            user_id=members[p.name][0] if p.name in members else None,
            whatsapp=f"{staffing.phone_prefix}{i:02d}",
            hire_date=today.replace(day=1) - timedelta(days=365 * p.years + 90),
        )
        employee = hr.create_employee(session, principal, clock, data)
        ids[p.name] = employee.id
    return ids


def _contracts(
    session: Session, principal: Principal, staffing: Staffing, ids: dict[str, UUID], today: date
) -> None:
    for p in staffing.people:
        employee = hr_repo.get_employee(session, principal.tenant_id, ids[p.name])
        assert employee is not None
        end = None
        if p.contract == "cdd":
            end = today + timedelta(days=40)  # within the 60 days of expiring_contracts
        elif p.contract == "stage":
            end = employee.hire_date + timedelta(days=180)
        hr.create_contract(
            session,
            principal,
            ContractCreate(
                employee_id=employee.id,
                kind=p.contract,
                start_date=employee.hire_date,
                end_date=end,
                salary=Decimal(p.salary),
                weekly_hours=staffing.weekly_hours,
            ),
        )


def _balances(
    session: Session, principal: Principal, clock: ManualClock, ids: dict[str, UUID], country: str
) -> None:
    for employee_id in ids.values():
        hr.adjust_leave_balance(
            session,
            principal,
            clock,
            employee_id,
            BalanceAdjustment(
                leave_type=ANNUAL_LEAVE[country],
                days=Decimal(12),
                kind="opening",
                note="Reprise du solde au démarrage de Comptoir",
            ),
        )
    hr.accrue_leave(session, principal, clock)


def _ask(
    session: Session,
    principal: Principal,
    employee_id: UUID,
    start: date,
    days: int,
    leave_type: str | None = None,
) -> UUID:
    data = LeaveRequestCreate(
        employee_id=employee_id,
        leave_type=leave_type,
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        comment="Demande de démonstration",
    )
    return hr.request_leave(session, principal, data).id


def _leave(
    session: Session,
    principal: Principal,
    clock: ManualClock,
    names: list[str],
    ids: dict[str, UUID],
    today: date,
) -> dict[str, tuple[date, date]]:
    """One request in each status; returns who is away when, for the attendance."""
    ahead, back = _monday(today) + timedelta(days=14), _monday(today) - timedelta(days=14)
    _ask(session, principal, ids[names[PENDING]], ahead, 5)
    rejected = _ask(session, principal, ids[names[REJECTED]], ahead + timedelta(days=7), 2)
    hr.reject_leave(session, principal, clock, rejected, "Inventaire annuel cette semaine-là")
    cancelled = _ask(session, principal, ids[names[CANCELLED]], ahead + timedelta(days=14), 2)
    hr.approve_leave(session, principal, clock, cancelled)
    hr.cancel_leave(session, principal, clock, cancelled)
    hr.approve_leave(
        session, principal, clock, _ask(session, principal, ids[names[ON_LEAVE]], back, 5)
    )
    sick = back + timedelta(days=7)
    hr.approve_leave(
        session,
        principal,
        clock,
        _ask(session, principal, ids[names[SICK]], sick, 2, leave_type="maladie"),
    )
    return {
        names[ON_LEAVE]: (back, back + timedelta(days=4)),
        names[SICK]: (sick, sick + timedelta(days=1)),
    }


def _attendance_day(
    container: Container,
    principal: Principal,
    arrival_at: datetime,
    k: int,
    ids: dict[str, UUID],
    away: set[str],
    names: list[str],
) -> None:
    """The ``k``-th working day of the month: everyone not away checks in and out."""
    with container.db.unit_of_work(principal.tenant_id) as session:
        for n, name in enumerate(names):
            if name in away:
                continue
            late = name == names[LATE] and k in LATE_DAYS
            minutes = 25 if late else (n * 3 + k) % 9  # on time: within the grace minutes
            arrival = arrival_at + timedelta(minutes=minutes)
            event = AttendanceEvent(employee_id=ids[name], source=("web", "kiosk")[n % 2])
            hr.check_in(session, principal, ManualClock(arrival), event)
            if name == names[FORGETFUL] and k == FORGOTTEN_DAY:
                continue  # forgot to check out
            departure = arrival + timedelta(hours=8, minutes=30 + n)
            hr.check_out(session, principal, ManualClock(departure), event)


def _attendance(
    container: Container,
    principal: Principal,
    tz: ZoneInfo,
    country: str,
    today: date,
    ids: dict[str, UUID],
    away: dict[str, tuple[date, date]],
    names: list[str],
) -> None:
    """The last four weeks, up to yesterday."""
    with container.db.unit_of_work(principal.tenant_id) as session:
        start = hr.get_work_schedule(session, principal).start_time
    days = [today - timedelta(days=n) for n in range(28, 0, -1)]
    for k, day in enumerate(d for d in days if is_working_day(country, d)):
        absent = {n for n, (first, last) in away.items() if first <= day <= last}
        arrival_at = datetime.combine(day, start, tzinfo=tz)
        _attendance_day(container, principal, arrival_at, k, ids, absent, names)


def _reviews(
    session: Session,
    principal: Principal,
    clock: ManualClock,
    names: list[str],
    ids: dict[str, UUID],
    today: date,
) -> None:
    """A completed review of the first member on the staff (the employee writes their own
    self-assessment), and another one waiting for it."""
    members = _members(session, principal)
    reviewed = next((n for n in names[1:] if n in members), names[3])
    year = today.year - 1
    title, start, end = f"Entretien annuel {year}", date(year, 1, 1), date(year, 12, 31)
    goals = [
        GoalIn(title="Fidéliser la clientèle", weight=Decimal(60)),
        GoalIn(title="Se former aux nouveaux produits", weight=Decimal(40)),
    ]
    done = hr.create_review(
        session,
        principal,
        ReviewCreate(
            employee_id=ids[reviewed], title=title, period_start=start, period_end=end, goals=goals
        ),
    )
    hr.open_self_assessment(session, principal, done.id)
    if reviewed in members:
        user_id, roles = members[reviewed]
        employee = Principal(
            tenant_id=principal.tenant_id,
            user_id=user_id,
            roles=frozenset(Role(r) for r in roles),
            channel=principal.channel,
        )
        feedback = SelfAssessment(self_feedback="Une belle année, j'ai beaucoup progressé.")
        hr.submit_self_assessment(session, employee, done.id, feedback)
        results = [
            GoalResult(goal_id=g.id, achieved=True, score=4)
            for g in hr_repo.review_goals(session, principal.tenant_id, done.id)
        ]
        assessment = ManagerAssessment(
            manager_feedback="Très bon travail, fiable et apprécié.", rating=4, goals=results
        )
        hr.complete_review(session, principal, clock, done.id, assessment)
    waiting = next(n for n in names[2:] if n != reviewed)
    review = hr.create_review(
        session,
        principal,
        ReviewCreate(employee_id=ids[waiting], title=title, period_start=start, period_end=end),
    )
    hr.open_self_assessment(session, principal, review.id)


def seed_hr(container: Container, principal: Principal, country: str) -> None:
    """Idempotent: does nothing when the tenant already has employees."""
    staffing = FR if country == "FR" else SN
    names = [p.name for p in staffing.people]
    with container.db.unit_of_work(principal.tenant_id) as session:
        if hr_repo.count_employees(session, principal.tenant_id):
            return
        tenant = identity_repo.get_tenant(session, principal.tenant_id)
        assert tenant is not None
        tz = ZoneInfo(tenant.timezone)
        today = container.clock.now().astimezone(tz).date()
        clock = _clock(tz, today, time(8))
        ids = _hire(session, principal, clock, staffing, today)
        _contracts(session, principal, staffing, ids, today)
        _balances(session, principal, clock, ids, country)
        away = _leave(session, principal, clock, names, ids, today)
        _reviews(session, principal, clock, names, ids, today)
    _attendance(container, principal, tz, country, today, ids, away, names)
