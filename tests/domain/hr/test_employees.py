"""Departments, employees, the org chart, finding someone by name, and who sees whom."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import (
    AmbiguousEmployee,
    DepartmentCycle,
    DepartmentNameTaken,
    EmployeeNotFound,
    ManagerCycle,
    UserAlreadyLinked,
)
from domain.hr.models import Employee, LeaveType, WorkSchedule
from domain.hr.schemas import DepartmentCreate, DepartmentUpdate, EmployeeCreate, EmployeeUpdate
from domain.hr.setup import prepare_hr
from domain.identity import repository as identity_repo
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from tests.hr_factories import (
    CLOCK,
    Staff,
    as_user,
    make_department,
    make_employee,
    make_linked,
    make_staff,
)


@pytest.fixture(scope="module")
def staff(container: Container) -> Staff:
    return make_staff(container, country="SN")


class TestSetup:
    def test_country_leave_types_and_schedule_are_created_once(self, container: Container) -> None:
        fr = make_staff(container)
        with container.db.unit_of_work(fr.tenant_id) as session:
            types = {t.code: t for t in hr.list_leave_types(session, fr.admin)}
            assert types["cp"].annual_days == 25 and types["cp"].tracks_balance
            assert {"rtt", "maladie", "sans_solde"} <= set(types)
            types["rtt"].name = "RTT maison"  # a business's own setting survives
            tenant = identity_repo.get_tenant(session, fr.tenant_id)
            assert tenant is not None
            prepare_hr(session, fr.admin, tenant)
            prepare_hr(session, fr.admin, tenant)
            count = session.scalar(select(func.count()).select_from(LeaveType))
            schedules = session.scalars(select(WorkSchedule)).all()
            names = {t.code: t.name for t in hr.list_leave_types(session, fr.admin)}
        assert count == len(types) and names["rtt"] == "RTT maison"
        assert len(schedules) == 1 and schedules[0].start_time.hour == 9

    def test_senegal_gets_its_own_leave_types(self, container: Container, staff: Staff) -> None:
        with container.db.unit_of_work(staff.tenant_id) as session:
            types = {t.code: t for t in hr.list_leave_types(session, staff.admin)}
            schedule = hr.get_work_schedule(session, staff.admin)
        assert types["annuel"].annual_days == 20
        assert {"maladie", "exceptionnel", "maternite"} <= set(types) and "cp" not in types
        assert schedule.daily_hours == 8


class TestEmployees:
    def test_create_normalizes_phones_and_numbers_the_employee(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(
            container,
            staff,
            "Awa Ndiaye",
            whatsapp="77 000 00 01",
            phone="33 820 00 00",
            job_title="Vendeuse",
        )
        assert employee.whatsapp == "+221770000001" and employee.phone == "+221338200000"
        assert employee.code.startswith("E") and employee.is_active

    def test_hire_date_defaults_to_the_clocks_local_today(
        self, container: Container, staff: Staff
    ) -> None:
        with container.db.unit_of_work(staff.tenant_id) as session:
            employee = hr.create_employee(session, staff.hr, CLOCK, EmployeeCreate(name="Ibou"))
        assert employee.hire_date == date(2026, 3, 16)

    def test_a_bad_phone_is_refused_and_nothing_is_written(
        self, container: Container, staff: Staff
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            make_employee(container, staff, "Numéro Faux", whatsapp="12")
        assert caught.value.details["field"] == "whatsapp"
        with container.db.unit_of_work(staff.tenant_id) as session:
            assert session.scalar(select(Employee).where(Employee.name == "Numéro Faux")) is None

    def test_only_hr_creates_employees(self, container: Container, staff: Staff) -> None:
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(PermissionDenied):
                hr.create_employee(
                    session, staff.account.principal(Role.MANAGER), CLOCK, EmployeeCreate(name="X")
                )

    def test_a_manager_cycle_is_refused(self, container: Container, staff: Staff) -> None:
        boss = make_employee(container, staff)
        middle = make_employee(container, staff, manager_id=boss.id)
        low = make_employee(container, staff, manager_id=middle.id)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(ManagerCycle):
                hr.update_employee(session, staff.hr, boss.id, EmployeeUpdate(manager_id=low.id))
            with pytest.raises(ManagerCycle):
                hr.update_employee(session, staff.hr, boss.id, EmployeeUpdate(manager_id=boss.id))

    def test_a_department_is_never_under_itself(self, container: Container, staff: Staff) -> None:
        top = make_department(container, staff)
        child = make_department(container, staff, parent_id=top)
        grandchild = make_department(container, staff, parent_id=child)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(DepartmentCycle):
                hr.update_department(session, staff.hr, top, DepartmentUpdate(parent_id=grandchild))
            moved = hr.update_department(
                session, staff.hr, grandchild, DepartmentUpdate(parent_id=top)
            )
            assert moved.parent_id == top

    def test_department_names_are_unique_accents_and_case_aside(
        self, container: Container, staff: Staff
    ) -> None:
        make_department(container, staff, "Comptabilité")
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(DepartmentNameTaken):
                hr.create_department(session, staff.hr, DepartmentCreate(name="COMPTABILITE"))
            assert hr.ensure_department(session, staff.hr, "comptabilite").name == "Comptabilité"

    def test_a_user_is_linked_to_one_employee_who_is_a_member(
        self, container: Container, staff: Staff
    ) -> None:
        account, _ = make_linked(container, staff)
        with pytest.raises(UserAlreadyLinked):
            make_employee(container, staff, user_id=account.user_id)
        stranger = make_staff(container)  # a user of another business
        with pytest.raises(InvalidInput, match="membre"):
            make_employee(container, staff, user_id=stranger.account.user_id)

    def test_leaving_deactivates_and_hides_from_the_list(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(InvalidInput, match="précède"):
                hr.update_employee(
                    session, staff.hr, employee.id, EmployeeUpdate(left_on=date(2020, 1, 1))
                )
            hr.update_employee(
                session, staff.hr, employee.id, EmployeeUpdate(left_on=date(2026, 3, 1))
            )
            active = {e.id for e in hr.list_employees(session, staff.hr, limit=500).items}
            everyone = {
                e.id for e in hr.list_employees(session, staff.hr, active=None, limit=500).items
            }
        assert employee.id not in active and employee.id in everyone

    def test_a_hire_date_after_the_recorded_departure_is_refused(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff, hire_date=date(2024, 1, 1))
        with container.db.unit_of_work(staff.tenant_id) as session:
            hr.update_employee(
                session, staff.hr, employee.id, EmployeeUpdate(left_on=date(2025, 6, 30))
            )
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(InvalidInput, match="précède"):
                hr.update_employee(
                    session, staff.hr, employee.id, EmployeeUpdate(hire_date=date(2026, 1, 1))
                )
        with container.db.unit_of_work(staff.tenant_id) as session:
            stored = session.get(Employee, (staff.tenant_id, employee.id))
        assert stored is not None and stored.hire_date == date(2024, 1, 1)


class TestVisibility:
    def test_an_employee_sees_only_themselves(self, container: Container, staff: Staff) -> None:
        account, me = make_linked(container, staff)
        other = make_employee(container, staff)
        with container.db.unit_of_work(staff.tenant_id) as session:
            page = hr.list_employees(session, as_user(account))
            assert [e.id for e in page.items] == [me.id]
            with pytest.raises(PermissionDenied):
                hr.get_employee(session, as_user(account), other.id)

    def test_a_manager_sees_their_team_down_the_chart(
        self, container: Container, staff: Staff
    ) -> None:
        account, boss = make_linked(container, staff, Role.MANAGER)
        report = make_employee(container, staff, manager_id=boss.id)
        indirect = make_employee(container, staff, manager_id=report.id)
        outsider = make_employee(container, staff)
        with container.db.unit_of_work(staff.tenant_id) as session:
            seen = {e.id for e in hr.list_employees(session, as_user(account, Role.MANAGER)).items}
        assert seen == {boss.id, report.id, indirect.id} and outsider.id not in seen

    def test_another_business_employee_does_not_exist(
        self, container: Container, staff: Staff
    ) -> None:
        elsewhere = make_employee(container, make_staff(container), "Ousmane Sembène")
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(EmployeeNotFound):
                hr.get_employee(session, staff.hr, elsewhere.id)
            assert hr.find_employee(session, staff.hr, elsewhere.name) == []

    def test_another_business_employee_does_not_exist_for_an_employee_either(
        self, container: Container, staff: Staff
    ) -> None:
        """404 (it does not exist here), not 403 (it exists but is not yours)."""
        account, _ = make_linked(container, staff)
        elsewhere = make_employee(container, make_staff(container), "Mariama Bâ")
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(EmployeeNotFound):
                hr.get_employee(session, as_user(account), elsewhere.id)
            with pytest.raises(EmployeeNotFound):
                hr.leave_balance(session, as_user(account), elsewhere.id)


@pytest.fixture(scope="module")
def shop(container: Container) -> Staff:
    shop = make_staff(container, country="SN")
    for name in ("Fatou Sarr", "Fatou Diop", "Mamadou Ndiaye", "Aïssatou Fall"):
        make_employee(container, shop, name)
    make_employee(container, shop, "Awa Ndiaye", whatsapp="+221770000001")
    return shop


class TestFindEmployee:
    @pytest.mark.parametrize("query", ["aissatou fall", "AISSATOU", "Aïsatou Fal"])
    def test_accent_case_and_typo_tolerant(
        self, container: Container, shop: Staff, query: str
    ) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert hr.resolve_employee(session, shop.hr, query).name == "Aïssatou Fall"

    def test_two_close_names_ask_back(self, container: Container, shop: Staff) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            with pytest.raises(AmbiguousEmployee) as caught:
                hr.resolve_employee(session, shop.hr, "Fatou")
        names = {c["name"] for c in caught.value.details["candidates"]}
        assert names == {"Fatou Sarr", "Fatou Diop"} and "Plusieurs employés" in str(caught.value)

    def test_whatsapp_number_is_an_exact_match(self, container: Container, shop: Staff) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            found = hr.find_employee(session, shop.hr, "77 000 00 01")
        assert found[0].name == "Awa Ndiaye" and found[0].score == 1.0

    def test_unknown_name_is_not_found(self, container: Container, shop: Staff) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            with pytest.raises(EmployeeNotFound, match="Aucun employé"):
                hr.resolve_employee(session, shop.hr, "Zinedine")
