"""Resolving an employee from what a person says: names in any order, a first or last
name alone when it is unique, accents and typos; two people holding the words said stay
ambiguous; the manager's scope and the tenant bound what is found."""

from __future__ import annotations

import pytest

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import AmbiguousEmployee, EmployeeNotFound
from tests.hr_factories import Staff, make_employee, make_staff


@pytest.fixture(scope="module")
def staff(container: Container) -> Staff:
    staff = make_staff(container, country="SN")
    for name in ("Moussa Diop", "Moussa Ba", "Ndèye Coumba Sène", "Ibrahima Diallo"):
        make_employee(container, staff, name)
    return staff


def employee(container: Container, staff: Staff, said: str) -> str:
    with container.db.unit_of_work(staff.tenant_id) as session:
        return hr.resolve_employee(session, staff.hr, said).name


class TestResolveEmployee:
    @pytest.mark.parametrize(
        ("said", "meant"),
        [
            ("Diop Moussa", "Moussa Diop"),  # words in any order
            ("diop", "Moussa Diop"),  # a last name alone, unique
            ("coumba sene", "Ndèye Coumba Sène"),  # part of the name, accents aside
            ("NDEYE SENE", "Ndèye Coumba Sène"),
            ("ibrahima dialo", "Ibrahima Diallo"),  # a typo
        ],
    )
    def test_the_name_as_said(
        self, container: Container, staff: Staff, said: str, meant: str
    ) -> None:
        assert employee(container, staff, said) == meant

    def test_a_first_name_two_people_share_asks_which(
        self, container: Container, staff: Staff
    ) -> None:
        with pytest.raises(AmbiguousEmployee) as info:
            employee(container, staff, "moussa")
        names = {c["name"] for c in info.value.details["candidates"]}
        assert names == {"Moussa Diop", "Moussa Ba"}

    def test_another_tenants_employee_is_not_found(
        self, container: Container, staff: Staff
    ) -> None:
        other = make_staff(container, country="SN")
        make_employee(container, other, "Ousmane Sonko")
        with pytest.raises(EmployeeNotFound):
            employee(container, staff, "Ousmane Sonko")
        assert employee(container, other, "ousmane") == "Ousmane Sonko"
