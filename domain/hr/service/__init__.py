"""HR services: the organisation, contracts, leave (types, balances, requests),
attendance, payroll preparation and performance reviews.

Every function takes ``(session, principal, ...)`` — plus the injected ``clock`` when it
needs today's date or the time — checks who may act on whom (``_common``), validates
everything before writing, flushes (never commits), and records each write as a domain
event and an audit entry in the caller's transaction. The names are those of the agents'
``hr.*`` tools, which wrap them thinly.
"""

from domain.hr.service._common import HR, PAYROLL, Scope, scope_of
from domain.hr.service.attendance import (
    attendance_report,
    check_in,
    check_out,
    get_work_schedule,
    hours_of,
    missing_check_outs,
    not_checked_in,
    update_work_schedule,
)
from domain.hr.service.balances import (
    accrue_leave,
    adjust_leave_balance,
    leave_balance,
    leave_movements,
    monthly_accrual,
    team_balances,
)
from domain.hr.service.contracts import (
    create_contract,
    expiring_contracts,
    get_contract,
    list_contracts,
    terminate_contract,
)
from domain.hr.service.employees import (
    create_department,
    create_employee,
    describe_employees,
    ensure_department,
    find_employee,
    get_employee,
    list_departments,
    list_employees,
    resolve_employee,
    update_department,
    update_employee,
)
from domain.hr.service.leave import (
    approve_leave,
    cancel_leave,
    describe_requests,
    get_leave_request,
    list_leave_requests,
    reject_leave,
    request_leave,
    who_is_absent,
)
from domain.hr.service.leave_types import (
    create_leave_type,
    list_leave_types,
    resolve_leave_type,
    update_leave_type,
)
from domain.hr.service.payroll import payroll_export, payroll_rows
from domain.hr.service.reviews import (
    complete_review,
    create_review,
    describe_review,
    get_review,
    list_reviews,
    open_self_assessment,
    submit_self_assessment,
)

__all__ = [
    "HR",
    "PAYROLL",
    "Scope",
    "accrue_leave",
    "adjust_leave_balance",
    "approve_leave",
    "attendance_report",
    "cancel_leave",
    "check_in",
    "check_out",
    "complete_review",
    "create_contract",
    "create_department",
    "create_employee",
    "create_leave_type",
    "create_review",
    "describe_employees",
    "describe_requests",
    "describe_review",
    "ensure_department",
    "expiring_contracts",
    "find_employee",
    "get_contract",
    "get_employee",
    "get_leave_request",
    "get_review",
    "get_work_schedule",
    "hours_of",
    "leave_balance",
    "leave_movements",
    "list_contracts",
    "list_departments",
    "list_employees",
    "list_leave_requests",
    "list_leave_types",
    "list_reviews",
    "missing_check_outs",
    "not_checked_in",
    "monthly_accrual",
    "open_self_assessment",
    "payroll_export",
    "payroll_rows",
    "reject_leave",
    "request_leave",
    "resolve_employee",
    "resolve_leave_type",
    "scope_of",
    "submit_self_assessment",
    "team_balances",
    "terminate_contract",
    "update_department",
    "update_employee",
    "update_leave_type",
    "update_work_schedule",
    "who_is_absent",
]
