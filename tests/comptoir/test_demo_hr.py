"""The HR demo seed: what it promises, and that a second run changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from comptoir.bootstrap import Container
from comptoir.demo_hr import seed_hr
from domain.hr import service as hr
from domain.hr.models import Employee, LeaveRequest, Review
from domain.identity.models import User
from domain.kit.principal import Role
from tests.factories import make_member, make_tenant


def test_seed_hr_builds_a_living_team_once(container: Container) -> None:
    admin = make_tenant(container, country="SN", name="Sahel Démo")
    awa = make_member(container, admin, Role.EMPLOYEE)
    with container.db.unit_of_work(admin.tenant_id) as session:  # the demo member's name
        user = session.get(User, awa.user_id)
        assert user is not None
        user.name = "Awa Ndiaye"
    principal = admin.principal()
    seed_hr(container, principal, "SN")
    seed_hr(container, principal, "SN")  # idempotent
    today = container.clock.now().date()
    with container.db.unit_of_work(admin.tenant_id) as session:
        employees = session.scalars(select(Employee)).all()
        statuses = Counter(session.scalars(select(LeaveRequest.status)))
        reviews = Counter(session.scalars(select(Review.status)))
        departments = hr.list_departments(session, principal)
        expiring = hr.expiring_contracts(session, principal, container.clock)
        report = hr.attendance_report(
            session, principal, container.clock, today - timedelta(days=28), today
        )
        linked = session.scalar(select(Employee).where(Employee.user_id == awa.user_id))
        count = session.scalar(select(func.count()).select_from(Employee))
    assert count == len(employees) == 11 and len(departments) == 3
    assert sum(1 for e in employees if e.manager_id) == 10
    assert set(statuses) == {"pending", "approved", "rejected", "cancelled"}
    assert set(reviews) == {"completed", "self_assessment"}
    assert [c.kind for c in expiring][:1] == ["cdd"]
    assert linked is not None and linked.name == "Awa Ndiaye"
    assert sum(e.late_arrivals for e in report.employees) >= 2
    assert sum(e.missing_check_outs for e in report.employees) == 1
    assert all(e.worked_days >= 10 for e in report.employees)
