"""The figures of « Tableau de bord » and « À valider », read through the domain services
in one transaction under the business's Row-Level Security. Each part is there only for
the roles its service allows: a service that refuses the person leaves its part out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy.orm import Session

from domain.finance import reports
from domain.finance.books import open_books
from domain.hr import service as hr
from domain.hr.schemas import AbsenceOut, LeaveRequestOut
from domain.kit.clock import Clock
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Principal
from domain.stock import service as stock
from domain.stock.purchasing import orders, planning
from domain.stock.purchasing._common import BUYERS

MONTHS_SHOWN = 6
STOCKOUT_DAYS = 14
LISTED = 10
ZERO = Decimal(0)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Ageing:
    not_due: Decimal
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal

    def rows(self) -> list[tuple[str, Decimal]]:
        return [
            ("Pas encore échu", self.not_due),
            ("0 à 30 jours", self.days_0_30),
            ("31 à 60 jours", self.days_31_60),
            ("61 à 90 jours", self.days_61_90),
            ("Plus de 90 jours", self.days_over_90),
        ]


@dataclass(frozen=True, slots=True)
class Finance:
    months: list[reports.RevenuePoint]
    ageing: Ageing
    kpis: reports.Kpis


@dataclass(frozen=True, slots=True)
class StockHealth:
    low: list[planning.Position]
    stockouts: list[planning.Forecast]
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class People:
    absences: list[AbsenceOut]
    to_decide: list[LeaveRequestOut]


@dataclass(frozen=True, slots=True)
class Waiting:
    """What waits for this person: leave to decide, purchase orders to send, drafts."""

    leave: list[LeaveRequestOut] = field(default_factory=list)
    purchase_orders: list[orders.OrderView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: date
    week: tuple[date, date]
    finance: Finance | None
    stock: StockHealth | None
    people: People | None
    waiting: Waiting


def allowed(read: Callable[[], T]) -> T | None:
    """What ``read`` returns, or None when the person's roles do not allow it."""
    try:
        return read()
    except PermissionDenied:
        return None


def month_starts(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    starts = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def _finance(session: Session, principal: Principal, clock: Clock, today: date) -> Finance:
    starts = month_starts(today, MONTHS_SHOWN)
    found = {
        p.period: p
        for p in reports.revenue(session, principal, start=starts[0], end=today, grouping="month")
    }
    months = [found.get(s) or reports.RevenuePoint(s, ZERO, ZERO, ZERO) for s in starts]
    aged = reports.aged_receivables(session, principal, clock)
    ageing = Ageing(
        *(
            sum((getattr(r, name) for r in aged), ZERO)
            for name in ("not_due", "days_0_30", "days_31_60", "days_61_90", "days_over_90")
        )
    )
    year = today.replace(month=1, day=1)
    kpis = reports.kpis(session, principal, clock, start=year, end=today)
    return Finance(months, ageing, kpis)


def _stock(session: Session, principal: Principal, clock: Clock, today: date) -> StockHealth:
    low = planning.low_stock(session, principal)
    horizon = today + timedelta(days=STOCKOUT_DAYS)
    stockouts = [
        f
        for f in planning.forecast_stockout(session, principal, clock)
        if f.stockout_date is not None and f.stockout_date <= horizon
    ]
    valued = allowed(lambda: stock.valuation(session, principal))
    return StockHealth(low, stockouts, valued.total if valued is not None else None)


def leave_to_decide(session: Session, principal: Principal) -> list[LeaveRequestOut]:
    """Pending leave requests of the people this person decides for."""
    scope = hr.scope_of(session, principal)
    pending = hr.list_leave_requests(session, principal, status="pending")
    return hr.describe_requests(
        session, principal, [r for r in pending if scope.manages(r.employee_id)]
    )


def _people(session: Session, principal: Principal, week: tuple[date, date]) -> People:
    absences = hr.who_is_absent(session, principal, *week)
    return People(absences, leave_to_decide(session, principal))


def waiting(session: Session, principal: Principal) -> Waiting:
    leave = allowed(lambda: leave_to_decide(session, principal)) or []
    drafts = []
    if principal.has_any(*BUYERS):
        drafts = orders.list_purchase_orders(session, principal, status="draft", limit=50)
    return Waiting(leave, drafts)


def dashboard(session: Session, principal: Principal, clock: Clock) -> Dashboard:
    today = open_books(session, principal, clock).today()
    monday = today - timedelta(days=today.weekday())
    week = (monday, monday + timedelta(days=6))
    return Dashboard(
        today=today,
        week=week,
        finance=allowed(lambda: _finance(session, principal, clock, today)),
        stock=allowed(lambda: _stock(session, principal, clock, today)),
        people=allowed(lambda: _people(session, principal, week)),
        waiting=waiting(session, principal),
    )
