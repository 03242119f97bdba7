"""Performance reviews: draft → self-assessment → manager review → completed, and who
writes what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from pydantic import ValidationError

from comptoir.bootstrap import Container
from domain.hr import service as hr
from domain.hr.errors import ReviewExists, ReviewNotFound, ReviewTransition
from domain.hr.schemas import (
    GoalIn,
    GoalResult,
    ManagerAssessment,
    ReviewCreate,
    SelfAssessment,
)
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.principal import Role
from tests.hr_factories import CLOCK, as_user, make_employee, make_linked, make_staff

ANY_EMPLOYEE = UUID(int=1)
YEAR = {"period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31)}


def test_a_review_from_draft_to_completed(container: Container) -> None:
    staff = make_staff(container)
    boss_account, boss = make_linked(container, staff, Role.MANAGER)
    me_account, me = make_linked(container, staff, manager_id=boss.id)
    boss_p, me_p = as_user(boss_account, Role.MANAGER), as_user(me_account)
    outsider = make_employee(container, staff)
    with container.db.unit_of_work(staff.tenant_id) as session:
        review = hr.create_review(
            session,
            boss_p,
            ReviewCreate(
                employee_id=me.id,
                title="Entretien annuel 2025",
                **YEAR,
                goals=[
                    GoalIn(title="Ouvrir 5 clients", weight=Decimal(60)),
                    GoalIn(title="Former un stagiaire"),
                ],
            ),
        )
        with pytest.raises(ReviewExists):
            hr.create_review(
                session, staff.hr, ReviewCreate(employee_id=me.id, title="Bis", **YEAR)
            )
        with pytest.raises(PermissionDenied):
            hr.create_review(
                session, me_p, ReviewCreate(employee_id=outsider.id, title="X", **YEAR)
            )
        with pytest.raises(ReviewTransition, match="en préparation"):
            hr.submit_self_assessment(session, me_p, review.id, SelfAssessment(self_feedback="…"))
        hr.open_self_assessment(session, boss_p, review.id)
        with pytest.raises(PermissionDenied, match="Seul l'employé"):
            hr.submit_self_assessment(session, boss_p, review.id, SelfAssessment(self_feedback="x"))
        hr.submit_self_assessment(
            session, me_p, review.id, SelfAssessment(self_feedback="Bonne année, objectifs tenus.")
        )
        goals = hr.describe_review(session, me_p, review).goals
        assessment = ManagerAssessment(
            manager_feedback="Très bon travail.",
            rating=4,
            goals=[GoalResult(goal_id=goals[0].id, achieved=True, score=5)],
        )
        with pytest.raises(PermissionDenied):
            hr.complete_review(session, me_p, CLOCK, review.id, assessment)
        done = hr.complete_review(session, boss_p, CLOCK, review.id, assessment)
        out = hr.describe_review(session, me_p, done)
    assert (out.status, out.rating, out.completed_at) == ("completed", 4, CLOCK.now())
    assert out.self_feedback == "Bonne année, objectifs tenus."
    assert [(g.title, g.achieved, g.score) for g in out.goals] == [
        ("Ouvrir 5 clients", True, 5),
        ("Former un stagiaire", None, None),
    ]


def test_reviews_are_private_to_the_employee_and_their_managers(container: Container) -> None:
    staff = make_staff(container)
    colleague_account, _ = make_linked(container, staff)
    employee = make_employee(container, staff)
    with container.db.unit_of_work(staff.tenant_id) as session:
        review = hr.create_review(
            session, staff.hr, ReviewCreate(employee_id=employee.id, title="2025", **YEAR)
        )
        with pytest.raises(ReviewNotFound):
            hr.get_review(session, as_user(colleague_account), review.id)
        assert hr.list_reviews(session, as_user(colleague_account)) == []
        assert [r.id for r in hr.list_reviews(session, staff.hr)] == [review.id]


def test_bad_reviews_are_refused_before_anything_is_written() -> None:
    with pytest.raises(InvalidInput, match="100 %"):
        ReviewCreate(
            employee_id=ANY_EMPLOYEE,
            title="X",
            **YEAR,
            goals=[GoalIn(title="a", weight=Decimal(70)), GoalIn(title="b", weight=Decimal(40))],
        )
    with pytest.raises(InvalidInput, match="précède"):
        ReviewCreate(
            employee_id=ANY_EMPLOYEE,
            title="X",
            period_start=date(2026, 1, 1),
            period_end=date(2025, 1, 1),
        )
    with pytest.raises(ValidationError):
        ManagerAssessment(manager_feedback="ok", rating=6)
