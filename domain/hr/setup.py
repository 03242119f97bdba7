"""What a new business starts with in HR (called at sign-up; must be idempotent): the
leave types of its country and a work schedule. The sources are listed in ``docs/hr.md``.

Leave is counted in working days, Monday to Friday. The law counts paid leave in *jours
ouvrables* (Monday to Saturday): six of them make one week, which is five working days, so
``annual_days`` = jours ouvrables per year × 5/6.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import time
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.hr import repository as repo
from domain.hr.models import LeaveType, WorkSchedule
from domain.identity.models import Tenant
from domain.kit.ids import uuid7
from domain.kit.principal import Principal


@dataclass(frozen=True)
class DefaultLeaveType:
    code: str
    name: str
    is_paid: bool
    tracks_balance: bool
    annual_days: Decimal = Decimal(0)
    allow_negative: bool = False


LEAVE_TYPES: dict[str, list[DefaultLeaveType]] = {
    "FR": [
        # L3141-3: 2,5 jours ouvrables a month, 30 a year = 5 weeks = 25 working days.
        DefaultLeaveType("cp", "Congés payés", True, True, Decimal(25)),
        # RTT depend on the company's working-time agreement: none until HR sets them.
        DefaultLeaveType("rtt", "RTT", True, True, Decimal(0)),
        DefaultLeaveType("maladie", "Arrêt maladie", False, False),
        DefaultLeaveType("evenement_familial", "Congé pour événement familial", True, False),
        DefaultLeaveType("maternite_paternite", "Congé maternité / paternité", False, False),
        DefaultLeaveType("sans_solde", "Congé sans solde", False, False),
    ],
    "SN": [
        # Art. L.148: 2 jours ouvrables a month, 24 a year = 4 weeks = 20 working days.
        DefaultLeaveType("annuel", "Congé annuel", True, True, Decimal(20)),
        DefaultLeaveType("maladie", "Congé maladie", True, False),
        DefaultLeaveType("exceptionnel", "Permission exceptionnelle", True, False),
        DefaultLeaveType("maternite", "Congé de maternité", False, False),
        DefaultLeaveType("sans_solde", "Congé sans solde", False, False),
    ],
}

# The paid-leave type a request or a balance means when no type is named.
ANNUAL_LEAVE = {"FR": "cp", "SN": "annuel"}

# Start of the working day, grace minutes before a check-in counts as late, hours of a full
# day: 35 h a week in France (L3121-27), 40 h in Senegal (art. L.135), over five days.
SCHEDULES = {
    "FR": (time(9, 0), 10, Decimal(7)),
    "SN": (time(8, 0), 10, Decimal(8)),
}


def prepare_hr(session: Session, principal: Principal, tenant: Tenant) -> None:
    """Leave types of the tenant's country and its work schedule. Idempotent: a business
    that already has leave types (the defaults or its own) keeps them untouched.

    Part of sign-up (``domain.onboarding``), covered by its ``tenant.created`` event and
    audit entry, so it records none itself."""
    if not repo.count_leave_types(session, tenant.id):
        rows = [
            {"tenant_id": tenant.id, "id": uuid7(), "position": (i + 1) * 10, **asdict(t)}
            for i, t in enumerate(LEAVE_TYPES[tenant.country])
        ]
        session.execute(
            insert(LeaveType)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["tenant_id", "code"])
        )
    start, grace, hours = SCHEDULES[tenant.country]
    session.execute(
        insert(WorkSchedule)
        .values(
            tenant_id=tenant.id,
            id=uuid7(),
            start_time=start,
            grace_minutes=grace,
            daily_hours=hours,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
