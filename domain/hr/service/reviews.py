"""Performance reviews, kept minimal: a review per employee and period with goals.

draft (HR or the manager set title, period and goals) → self_assessment (opened to the
employee) → manager_review (the employee wrote their self-assessment) → completed (the
manager wrote their feedback, rated 1–5 and scored the goals). Only the employee writes the
self-assessment; only their managers or HR open and complete the review.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.hr import repository as repo
from domain.hr.errors import ReviewExists, ReviewNotFound, ReviewTransition
from domain.hr.models import Review, ReviewGoal
from domain.hr.schemas import GoalOut, ManagerAssessment, ReviewCreate, ReviewOut, SelfAssessment
from domain.hr.service._common import (
    require_employee,
    scope_of,
)
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.principal import Principal

STATUS_LABELS = {
    "draft": "en préparation",
    "self_assessment": "en auto-évaluation",
    "manager_review": "en revue par le responsable",
    "completed": "terminé",
}


def _require_review(session: Session, principal: Principal, review_id: UUID) -> Review:
    review = repo.get_review(session, principal.tenant_id, review_id)
    if review is None or not scope_of(session, principal).sees(review.employee_id):
        raise ReviewNotFound()
    return review


def _managed_review(session: Session, principal: Principal, review_id: UUID) -> Review:
    review = _require_review(session, principal, review_id)
    if not scope_of(session, principal).manages(review.employee_id):
        raise PermissionDenied("Seuls le responsable de l'employé ou les RH mènent cet entretien.")
    return review


def _expect(review: Review, status: str) -> None:
    if review.status != status:
        raise ReviewTransition(
            f"Cet entretien est {STATUS_LABELS[review.status]}.", status=review.status
        )


def create_review(session: Session, principal: Principal, data: ReviewCreate) -> Review:
    employee = require_employee(session, principal, data.employee_id)  # 404 before 403
    if not scope_of(session, principal).manages(employee.id):
        raise PermissionDenied("Seuls le responsable de l'employé ou les RH créent un entretien.")
    if repo.review_for_period(
        session, principal.tenant_id, employee.id, data.period_start, data.period_end
    ):
        raise ReviewExists(f"{employee.name} a déjà un entretien sur cette période.")
    review = Review(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        employee_id=employee.id,
        title=data.title,
        period_start=data.period_start,
        period_end=data.period_end,
        status="draft",
    )
    session.add(review)
    session.flush()
    session.add_all(
        ReviewGoal(
            tenant_id=principal.tenant_id,
            id=uuid7(),
            review_id=review.id,
            position=i + 1,
            title=goal.title,
            weight=goal.weight,
        )
        for i, goal in enumerate(data.goals)
    )
    session.flush()
    record_change(
        session,
        principal,
        review,
        "review.created",
        "review.create",
        employee_id=employee.id,
        goals=len(data.goals),
    )
    return review


def open_self_assessment(session: Session, principal: Principal, review_id: UUID) -> Review:
    review = _managed_review(session, principal, review_id)
    _expect(review, "draft")
    before = row_state(review)
    review.status = "self_assessment"
    session.flush()
    record_change(session, principal, review, "review.opened", "review.open", before=before)
    return review


def submit_self_assessment(
    session: Session, principal: Principal, review_id: UUID, data: SelfAssessment
) -> Review:
    review = _require_review(session, principal, review_id)
    if review.employee_id != scope_of(session, principal).self_id:
        raise PermissionDenied("Seul l'employé concerné écrit son auto-évaluation.")
    _expect(review, "self_assessment")
    before = row_state(review)
    review.self_feedback, review.status = data.self_feedback, "manager_review"
    session.flush()
    record_change(
        session, principal, review, "review.self_assessed", "review.self_assess", before=before
    )
    return review


def complete_review(
    session: Session, principal: Principal, clock: Clock, review_id: UUID, data: ManagerAssessment
) -> Review:
    review = _managed_review(session, principal, review_id)
    _expect(review, "manager_review")
    goals = {g.id: g for g in repo.review_goals(session, principal.tenant_id, review.id)}
    unknown = [r.goal_id for r in data.goals if r.goal_id not in goals]
    if unknown:
        raise InvalidInput("Objectif inconnu dans cet entretien.", field="goals")
    before = row_state(review)
    for result in data.goals:
        goals[result.goal_id].achieved = result.achieved
        goals[result.goal_id].score = result.score
    review.manager_feedback, review.rating = data.manager_feedback, data.rating
    review.status, review.completed_at = "completed", clock.now()
    session.flush()
    record_change(
        session,
        principal,
        review,
        "review.completed",
        "review.complete",
        before=before,
        rating=data.rating,
    )
    return review


def get_review(session: Session, principal: Principal, review_id: UUID) -> Review:
    return _require_review(session, principal, review_id)


def list_reviews(
    session: Session, principal: Principal, *, employee_id: UUID | None = None
) -> list[Review]:
    return repo.list_reviews(
        session,
        principal.tenant_id,
        ids=scope_of(session, principal).visible,
        employee_id=employee_id,
    )


def describe_review(session: Session, principal: Principal, review: Review) -> ReviewOut:
    goals = repo.review_goals(session, principal.tenant_id, review.id)
    return ReviewOut.model_validate(
        {
            **{f: getattr(review, f) for f in ReviewOut.model_fields if f != "goals"},
            "goals": [GoalOut.model_validate(g) for g in goals],
        }
    )
