"""HR errors, each with a stable code and a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class EmployeeNotFound(NotFound):
    code = "employee_not_found"
    default_message = "Employé introuvable."


class AmbiguousEmployee(DomainError):
    """Several employees match a name; ``details["candidates"]`` lists them, best first."""

    code = "ambiguous"
    status_code = 409
    default_message = "Plusieurs employés correspondent."


class NoLinkedEmployee(PermissionDenied):
    code = "no_linked_employee"
    default_message = "Votre compte n'est relié à aucune fiche employé : contactez les RH."


class UserAlreadyLinked(Conflict):
    code = "user_already_linked"


class ManagerCycle(InvalidInput):
    code = "manager_cycle"


class DepartmentNotFound(NotFound):
    code = "department_not_found"
    default_message = "Service introuvable."


class DepartmentNameTaken(Conflict):
    code = "department_name_taken"


class DepartmentCycle(InvalidInput):
    code = "department_cycle"


class ContractNotFound(NotFound):
    code = "contract_not_found"
    default_message = "Contrat introuvable."


class InvalidContract(InvalidInput):
    code = "invalid_contract"


class ContractOverlap(Conflict):
    code = "contract_overlap"


class LeaveTypeNotFound(NotFound):
    code = "leave_type_not_found"
    default_message = "Type de congé introuvable."


class LeaveTypeCodeTaken(Conflict):
    code = "leave_type_code_taken"


class InvalidLeavePeriod(InvalidInput):
    code = "invalid_leave_period"


class LeaveOverlap(Conflict):
    code = "leave_overlap"


class InsufficientBalance(Conflict):
    code = "insufficient_leave_balance"


class LeaveRequestNotFound(NotFound):
    code = "leave_request_not_found"
    default_message = "Demande de congé introuvable."


class LeaveTransition(Conflict):
    code = "leave_transition"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class NotCheckedIn(Conflict):
    code = "not_checked_in"


class ReviewNotFound(NotFound):
    code = "review_not_found"
    default_message = "Entretien introuvable."


class ReviewTransition(Conflict):
    code = "review_transition"


class ReviewExists(Conflict):
    code = "review_exists"
