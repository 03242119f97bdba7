"""Leave requests: working days, overlap, balance, who approves, cancellation, absences,
and two approvals at once that must not overdraw a balance."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import (
    EmployeeNotFound,
    InsufficientBalance,
    InvalidLeavePeriod,
    LeaveOverlap,
    LeaveTransition,
    LeaveTypeNotFound,
    NoLinkedEmployee,
)
from domain.hr.models import LeaveRequest
from domain.hr.schemas import LeaveRequestCreate, LeaveTypeUpdate
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from tests.factories import make_member
from tests.finance_factories import clock_at
from tests.hr_factories import (
    CLOCK,
    MONDAY,
    Staff,
    as_user,
    ask_leave,
    balance,
    make_employee,
    make_linked,
    make_staff,
    open_balance,
)

TUESDAY, WEDNESDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 4))


@pytest.fixture(scope="module")
def staff(container: Container) -> Staff:
    return make_staff(container)


def approve(container: Container, staff: Staff, request_id: object, principal=None) -> LeaveRequest:  # type: ignore[no-untyped-def]
    with container.db.unit_of_work(staff.tenant_id) as session:
        return hr.approve_leave(session, principal or staff.hr, CLOCK, request_id)  # type: ignore[arg-type]


class TestRequest:
    def test_days_exclude_weekends_and_holidays_with_half_days(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "10")
        # Monday 11 May (afternoon) to Friday 15 May 2026; Ascension on Thursday 14.
        request = ask_leave(
            container,
            staff.hr,
            employee.id,
            date(2026, 5, 11),
            date(2026, 5, 15),
            starts_afternoon=True,
        )
        assert request.days == Decimal("3.5") and request.status == "pending"

    def test_an_employee_asks_for_themselves_by_default(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        open_balance(container, staff, me.id, "5")
        request = ask_leave(container, as_user(account), None, MONDAY, TUESDAY)
        assert request.employee_id == me.id and request.requested_by == account.user_id
        other = make_employee(container, staff)
        with pytest.raises(PermissionDenied):
            ask_leave(container, as_user(account), other.id, MONDAY, TUESDAY)

    def test_another_business_employee_does_not_exist(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        elsewhere = make_employee(container, make_staff(container))
        with pytest.raises(EmployeeNotFound):
            ask_leave(container, as_user(account), elsewhere.id, MONDAY, MONDAY)

    def test_an_account_without_employee_record_is_told_so(
        self, container: Container, staff: Staff
    ) -> None:
        with pytest.raises(NoLinkedEmployee):
            ask_leave(container, staff.hr, None, MONDAY, TUESDAY)

    def test_ending_before_starting_is_refused_and_nothing_is_written(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        with pytest.raises(InvalidLeavePeriod, match="précède"):
            ask_leave(container, staff.hr, employee.id, TUESDAY, MONDAY)
        with container.db.unit_of_work(staff.tenant_id) as session:
            count = session.scalar(
                select(func.count())
                .select_from(LeaveRequest)
                .where(LeaveRequest.employee_id == employee.id)
            )
        assert count == 0

    def test_a_weekend_only_request_is_refused(self, container: Container, staff: Staff) -> None:
        employee = make_employee(container, staff)
        with pytest.raises(InvalidLeavePeriod, match="Aucun jour ouvré"):
            ask_leave(container, staff.hr, employee.id, date(2026, 3, 21), date(2026, 3, 22))

    def test_unknown_leave_type_lists_the_known_ones(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        with pytest.raises(LeaveTypeNotFound, match="Congés payés"):
            ask_leave(container, staff.hr, employee.id, MONDAY, MONDAY, leave_type="vacances")

    def test_type_named_by_code_or_name_without_balance(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)  # no paid leave at all
        sick = ask_leave(
            container, staff.hr, employee.id, MONDAY, FRIDAY, leave_type="arret maladie"
        )
        unpaid = ask_leave(
            container,
            staff.hr,
            employee.id,
            FRIDAY + timedelta(days=3),
            FRIDAY + timedelta(days=3),
            leave_type="sans_solde",
        )
        assert sick.days == 5 and unpaid.days == 1


class TestOverlap:
    def test_overlapping_a_pending_or_approved_request_is_refused(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "20")
        first = ask_leave(container, staff.hr, employee.id, MONDAY, WEDNESDAY)
        with pytest.raises(LeaveOverlap, match="en attente"):
            ask_leave(container, staff.hr, employee.id, TUESDAY, FRIDAY)
        approve(container, staff, first.id)
        with pytest.raises(LeaveOverlap, match="approuvée"):
            ask_leave(container, staff.hr, employee.id, WEDNESDAY, WEDNESDAY)

    def test_a_morning_and_the_afternoon_of_the_same_day_fit(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "20")
        ask_leave(container, staff.hr, employee.id, MONDAY, WEDNESDAY, ends_morning=True)
        second = ask_leave(
            container, staff.hr, employee.id, WEDNESDAY, FRIDAY, starts_afternoon=True
        )
        assert second.days == Decimal("2.5")

    def test_a_rejected_or_cancelled_request_frees_its_dates(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "20")
        first = ask_leave(container, staff.hr, employee.id, MONDAY, TUESDAY)
        with container.db.unit_of_work(staff.tenant_id) as session:
            hr.reject_leave(session, staff.hr, CLOCK, first.id, "Inventaire")
        again = ask_leave(container, staff.hr, employee.id, MONDAY, TUESDAY)
        assert again.status == "pending"


class TestBalance:
    def test_over_balance_is_refused_counting_pending_requests(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "3")
        ask_leave(container, staff.hr, employee.id, MONDAY, TUESDAY)
        with pytest.raises(InsufficientBalance, match="1 disponible"):
            ask_leave(container, staff.hr, employee.id, WEDNESDAY, FRIDAY)

    def test_a_type_allowing_negative_balance_accepts_it(
        self, container: Container, staff: Staff
    ) -> None:
        shop = make_staff(container)  # its own settings
        employee = make_employee(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            rtt = hr.resolve_leave_type(session, shop.hr, "rtt")
            hr.update_leave_type(session, shop.hr, rtt.id, LeaveTypeUpdate(allow_negative=True))
        request = ask_leave(container, shop.hr, employee.id, MONDAY, TUESDAY, leave_type="RTT")
        approve(container, shop, request.id)
        assert balance(container, shop, employee.id, "rtt") == -2

    def test_approval_deducts_and_cancellation_gives_back(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "10")
        request = ask_leave(container, staff.hr, employee.id, MONDAY, FRIDAY, ends_morning=True)
        assert balance(container, staff, employee.id) == 10  # deducted on approval only
        approve(container, staff, request.id)
        assert balance(container, staff, employee.id) == Decimal("5.5")
        with container.db.unit_of_work(staff.tenant_id) as session:
            cancelled = hr.cancel_leave(session, staff.hr, CLOCK, request.id)
            kinds = [m.kind for m in hr.leave_movements(session, staff.hr, employee.id, "cp")]
        assert cancelled.status == "cancelled" and kinds == ["opening", "taken", "returned"]
        assert balance(container, staff, employee.id) == 10

    def test_cancellation_gives_back_what_approval_took_once(self, container: Container) -> None:
        shop = make_staff(container)  # its own settings
        employee = make_employee(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            rtt = hr.resolve_leave_type(session, shop.hr, "rtt")
            hr.update_leave_type(session, shop.hr, rtt.id, LeaveTypeUpdate(tracks_balance=False))
        request = ask_leave(container, shop.hr, employee.id, MONDAY, WEDNESDAY, leave_type="rtt")
        approve(container, shop, request.id)  # nothing taken: no balance then
        with container.db.unit_of_work(shop.tenant_id) as session:
            hr.update_leave_type(session, shop.hr, rtt.id, LeaveTypeUpdate(tracks_balance=True))
            hr.cancel_leave(session, shop.hr, CLOCK, request.id)
        assert balance(container, shop, employee.id, "rtt") == 0  # not 3 days out of thin air
        open_balance(container, shop, employee.id, "5", "rtt")
        taken = ask_leave(container, shop.hr, employee.id, FRIDAY, FRIDAY, leave_type="rtt")
        approve(container, shop, taken.id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            hr.cancel_leave(session, shop.hr, CLOCK, taken.id)
        with container.db.unit_of_work(shop.tenant_id) as session:
            with pytest.raises(LeaveTransition, match="annulée"):
                hr.cancel_leave(session, shop.hr, CLOCK, taken.id)
        assert balance(container, shop, employee.id, "rtt") == 5

    def test_two_concurrent_approvals_cannot_overdraw(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        open_balance(container, staff, employee.id, "6")
        first = ask_leave(container, staff.hr, employee.id, MONDAY, WEDNESDAY)
        second = ask_leave(
            container,
            staff.hr,
            employee.id,
            MONDAY + timedelta(days=7),
            WEDNESDAY + timedelta(days=7),
        )
        open_balance(container, staff, employee.id, "-2")  # now 4: room for one request only
        outcomes: list[str] = []

        def approve_second() -> None:
            try:
                approve(container, staff, second.id)
                outcomes.append("approved")
            except InsufficientBalance:
                outcomes.append("refused")

        thread = threading.Thread(target=approve_second)
        with container.db.unit_of_work(staff.tenant_id) as session:
            hr.approve_leave(session, staff.hr, CLOCK, first.id)
            thread.start()
            thread.join(timeout=0.5)
            # The other approval waits on the employee's lock instead of reading a balance
            # this transaction has not committed yet.
            assert thread.is_alive() and outcomes == []
        thread.join()
        assert outcomes == ["refused"]
        assert balance(container, staff, employee.id) == 1


class TestWhoDecides:
    def test_the_linked_manager_approves_their_report(
        self, container: Container, staff: Staff
    ) -> None:
        manager_account, boss = make_linked(container, staff, Role.SALES)
        report = make_employee(container, staff, manager_id=boss.id)
        open_balance(container, staff, report.id, "5")
        request = ask_leave(container, staff.hr, report.id, MONDAY, MONDAY)
        decided = approve(container, staff, request.id, as_user(manager_account, Role.SALES))
        assert decided.status == "approved" and decided.decided_by == manager_account.user_id
        assert decided.decided_at == CLOCK.now()

    def test_a_manager_role_does_not_decide_for_another_team(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff, Role.MANAGER)
        stranger = make_employee(container, staff)
        request = ask_leave(container, staff.hr, stranger.id, MONDAY, MONDAY, leave_type="maladie")
        with pytest.raises(PermissionDenied, match="responsable"):
            approve(container, staff, request.id, as_user(account, Role.MANAGER))

    def test_an_owner_manager_without_record_decides_for_everyone(
        self, container: Container, staff: Staff
    ) -> None:
        owner = make_member(container, staff.account, Role.MANAGER)
        employee = make_employee(container, staff)
        request = ask_leave(container, staff.hr, employee.id, MONDAY, MONDAY, leave_type="maladie")
        assert approve(container, staff, request.id, as_user(owner, Role.MANAGER)).status == (
            "approved"
        )

    def test_nobody_approves_their_own_leave_but_the_admin(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff, Role.HR)
        request = ask_leave(
            container, as_user(account, Role.HR), None, MONDAY, MONDAY, leave_type="maladie"
        )
        with pytest.raises(PermissionDenied):
            approve(container, staff, request.id, as_user(account, Role.HR))
        assert me.id == request.employee_id

    def test_rejection_needs_a_reason_and_a_pending_request(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        request = ask_leave(container, staff.hr, employee.id, MONDAY, MONDAY, leave_type="maladie")
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(InvalidInput, match="motif"):
                hr.reject_leave(session, staff.hr, CLOCK, request.id, "   ")
            rejected = hr.reject_leave(session, staff.hr, CLOCK, request.id, "  Inventaire  ")
        assert rejected.status == "rejected" and rejected.rejection_reason == "Inventaire"
        with pytest.raises(LeaveTransition, match="refusée"):
            approve(container, staff, request.id)


class TestCancellation:
    def test_an_employee_cancels_their_own_request_until_it_starts(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        open_balance(container, staff, me.id, "10")
        pending = ask_leave(container, as_user(account), None, MONDAY, MONDAY)
        started = ask_leave(container, as_user(account), None, TUESDAY, TUESDAY)
        approve(container, staff, started.id)
        with container.db.unit_of_work(staff.tenant_id) as session:
            assert hr.cancel_leave(session, as_user(account), CLOCK, pending.id).status == (
                "cancelled"
            )
        late = clock_at(TUESDAY)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(LeaveTransition, match="commencé"):
                hr.cancel_leave(session, as_user(account), late, started.id)
            assert hr.cancel_leave(session, staff.hr, late, started.id).status == "cancelled"
        assert balance(container, staff, me.id) == 10

    def test_a_colleague_cannot_cancel(self, container: Container, staff: Staff) -> None:
        account, _ = make_linked(container, staff)
        other = make_employee(container, staff)
        request = ask_leave(container, staff.hr, other.id, MONDAY, MONDAY, leave_type="maladie")
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(PermissionDenied):
                hr.cancel_leave(session, as_user(account), CLOCK, request.id)


class TestAbsences:
    def test_who_is_absent_lists_approved_leave_touching_the_period(
        self, container: Container
    ) -> None:
        shop = make_staff(container, country="SN")
        away, pending_one = (
            make_employee(container, shop, "Awa Ndiaye"),
            make_employee(container, shop),
        )
        open_balance(container, shop, away.id, "10")
        approve(container, shop, ask_leave(container, shop.hr, away.id, MONDAY, FRIDAY).id)
        ask_leave(container, shop.hr, pending_one.id, MONDAY, FRIDAY, leave_type="maladie")
        with container.db.unit_of_work(shop.tenant_id) as session:
            absent = hr.who_is_absent(session, shop.hr, WEDNESDAY, WEDNESDAY + timedelta(days=7))
            with pytest.raises(InvalidLeavePeriod):
                hr.who_is_absent(session, shop.hr, FRIDAY, MONDAY)
        assert [(a.employee, a.leave_type, a.days) for a in absent] == [
            ("Awa Ndiaye", "annuel", Decimal(3))
        ]

    def test_an_employee_only_sees_their_own_absences(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        other = make_employee(container, staff)
        request = ask_leave(
            container, staff.hr, other.id, date(2026, 6, 1), date(2026, 6, 2), leave_type="maladie"
        )
        approve(container, staff, request.id)
        with container.db.unit_of_work(staff.tenant_id) as session:
            mine = hr.who_is_absent(session, as_user(account), date(2026, 6, 1), date(2026, 6, 2))
            everyone = hr.who_is_absent(session, staff.hr, date(2026, 6, 1), date(2026, 6, 2))
        assert mine == [] and request.id in {a.request_id for a in everyone}

    def test_requests_validated_by_the_schema_first(self) -> None:
        with pytest.raises(InvalidLeavePeriod):
            LeaveRequestCreate(start_date=TUESDAY, end_date=MONDAY)
