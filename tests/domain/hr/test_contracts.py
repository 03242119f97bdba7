"""Employment contracts: terms per kind, no overlap, salaries in the currency's minor
unit, termination, contracts about to end, and who sees salaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy.exc import IntegrityError

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import ContractNotFound, ContractOverlap, InvalidContract
from domain.hr.models import Contract
from domain.hr.schemas import ContractCreate, ContractTermination
from domain.kit.errors import PermissionDenied
from domain.kit.principal import Role
from tests.hr_factories import CLOCK, Staff, as_user, make_employee, make_linked, make_staff

EMPLOYEE_ID = UUID(int=1)


@pytest.fixture(scope="module")
def staff(container: Container) -> Staff:
    return make_staff(container, country="SN")


def sign(container: Container, staff: Staff, **fields: object) -> Contract:
    fields.setdefault("salary", Decimal(250000))
    fields.setdefault("weekly_hours", Decimal(40))
    with container.db.unit_of_work(staff.tenant_id) as session:
        return hr.create_contract(session, staff.hr, ContractCreate(**fields))  # type: ignore[arg-type]


class TestTerms:
    def test_cdd_and_stage_need_an_end_a_cdi_has_none(self) -> None:
        for kind in ("cdd", "stage"):
            with pytest.raises(InvalidContract, match="date de fin"):
                ContractCreate(
                    employee_id=EMPLOYEE_ID,
                    kind=kind,
                    start_date=date(2026, 1, 1),
                    salary=Decimal(1),
                )
        with pytest.raises(InvalidContract, match="CDI"):
            ContractCreate(
                employee_id=EMPLOYEE_ID,
                kind="cdi",
                start_date=date(2026, 1, 1),
                end_date=date(2026, 6, 30),
                salary=Decimal(1),
            )
        with pytest.raises(InvalidContract, match="précède"):
            ContractCreate(
                employee_id=EMPLOYEE_ID,
                kind="freelance",
                start_date=date(2026, 6, 1),
                end_date=date(2026, 5, 1),
                salary=Decimal(1),
            )

    def test_a_cfa_salary_has_no_cents(self, container: Container, staff: Staff) -> None:
        employee = make_employee(container, staff)
        with pytest.raises(InvalidContract, match="centimes"):
            sign(
                container,
                staff,
                employee_id=employee.id,
                kind="cdi",
                start_date=date(2026, 1, 1),
                salary=Decimal("250000.50"),
            )

    def test_only_hr_signs(self, container: Container, staff: Staff) -> None:
        employee = make_employee(container, staff)
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(PermissionDenied):
                hr.create_contract(
                    session,
                    staff.account.principal(Role.MANAGER),
                    ContractCreate(
                        employee_id=employee.id,
                        kind="cdi",
                        start_date=date(2026, 1, 1),
                        salary=Decimal(1),
                    ),
                )


class TestOverlap:
    def test_contracts_of_one_employee_never_overlap(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        cdd = sign(
            container,
            staff,
            employee_id=employee.id,
            kind="cdd",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
        )
        with pytest.raises(ContractOverlap, match="CDD du 01/01/2026 au 30/06/2026"):
            sign(container, staff, employee_id=employee.id, kind="cdi", start_date=date(2026, 6, 1))
        cdi = sign(
            container, staff, employee_id=employee.id, kind="cdi", start_date=date(2026, 7, 1)
        )
        assert cdi.status == "active" and cdd.end_date == date(2026, 6, 30)
        with pytest.raises(ContractOverlap, match="sans date de fin"):
            sign(
                container,
                staff,
                employee_id=employee.id,
                kind="freelance",
                start_date=date(2027, 1, 1),
                end_date=date(2027, 3, 1),
            )

    def test_terminating_a_cdi_frees_what_follows(self, container: Container, staff: Staff) -> None:
        employee = make_employee(container, staff)
        cdi = sign(
            container, staff, employee_id=employee.id, kind="cdi", start_date=date(2025, 1, 1)
        )
        with container.db.unit_of_work(staff.tenant_id) as session:
            ended = hr.terminate_contract(
                session, staff.hr, cdi.id, ContractTermination(end_date=date(2026, 2, 28))
            )
            with pytest.raises(InvalidContract, match="déjà terminé"):
                hr.terminate_contract(
                    session, staff.hr, cdi.id, ContractTermination(end_date=date(2026, 2, 28))
                )
        assert (ended.status, ended.end_date) == ("terminated", date(2026, 2, 28))
        later = sign(
            container, staff, employee_id=employee.id, kind="freelance", start_date=date(2026, 3, 1)
        )
        assert later.end_date is None

    def test_a_cdd_is_not_extended_by_termination(self, container: Container, staff: Staff) -> None:
        employee = make_employee(container, staff)
        cdd = sign(
            container,
            staff,
            employee_id=employee.id,
            kind="cdd",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
        )
        with container.db.unit_of_work(staff.tenant_id) as session:
            with pytest.raises(InvalidContract, match="avenant"):
                hr.terminate_contract(
                    session, staff.hr, cdd.id, ContractTermination(end_date=date(2026, 9, 30))
                )

    def test_postgresql_refuses_an_overlap_the_services_did_not_see(
        self, container: Container, staff: Staff
    ) -> None:
        employee = make_employee(container, staff)
        sign(container, staff, employee_id=employee.id, kind="cdi", start_date=date(2026, 1, 1))
        with pytest.raises(IntegrityError, match="ex_employment_contracts_overlap"):
            with container.db.unit_of_work(staff.tenant_id) as session:
                session.add(
                    Contract(
                        tenant_id=staff.tenant_id,
                        employee_id=employee.id,
                        kind="freelance",
                        start_date=date(2027, 1, 1),
                        salary=Decimal(0),
                        weekly_hours=Decimal(10),
                    )
                )


class TestReading:
    def test_contracts_ending_within_sixty_days(self, container: Container) -> None:
        shop = make_staff(container)
        soon, later, done = (make_employee(container, shop) for _ in range(3))
        sign(
            container,
            shop,
            employee_id=soon.id,
            kind="cdd",
            start_date=date(2025, 9, 1),
            end_date=date(2026, 4, 30),
            salary=Decimal("2100.00"),
        )
        sign(
            container,
            shop,
            employee_id=later.id,
            kind="stage",
            start_date=date(2026, 1, 5),
            end_date=date(2026, 7, 3),
            salary=Decimal("650.00"),
        )
        sign(
            container,
            shop,
            employee_id=done.id,
            kind="cdd",
            start_date=date(2025, 9, 1),
            end_date=date(2026, 3, 1),
            salary=Decimal("2100.00"),
        )
        with container.db.unit_of_work(shop.tenant_id) as session:
            found = hr.expiring_contracts(session, shop.hr, CLOCK)
            wider = hr.expiring_contracts(session, shop.hr, CLOCK, within_days=120)
            with pytest.raises(PermissionDenied):
                hr.expiring_contracts(session, as_user(shop.account), CLOCK)
        assert [(c.employee_id, c.days_left) for c in found] == [(soon.id, 45)]
        assert [c.employee_id for c in wider] == [soon.id, later.id]

    def test_an_employee_sees_only_their_own_contracts(
        self, container: Container, staff: Staff
    ) -> None:
        account, me = make_linked(container, staff)
        other = make_employee(container, staff)
        mine = sign(container, staff, employee_id=me.id, kind="cdi", start_date=date(2026, 1, 1))
        theirs = sign(
            container, staff, employee_id=other.id, kind="cdi", start_date=date(2026, 1, 1)
        )
        with container.db.unit_of_work(staff.tenant_id) as session:
            seen = [c.id for c in hr.list_contracts(session, as_user(account))]
            with pytest.raises(ContractNotFound):
                hr.get_contract(session, as_user(account), theirs.id)
        assert seen == [mine.id]
