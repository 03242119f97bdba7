"""HR tools: employees, leave, attendance, contracts.

Thin typed wrappers over ``domain.hr.service``: employees are named the way a person says
it and resolved with ``resolve_employee`` among those the caller may see (asking back when
ambiguous); the services decide who may act on whom, and the tools say so in French.
"""

from tools.base import Tool
from tools.hr.attendance import attendance_report, check_in, check_out
from tools.hr.contracts import create_contract, expiring_contracts
from tools.hr.employees import create_employee, find_employee, update_employee
from tools.hr.leave import (
    approve_leave,
    cancel_leave,
    leave_balance,
    pending_leave,
    reject_leave,
    request_leave,
    who_is_absent,
)

__all__ = [
    "TOOLS",
    "approve_leave",
    "attendance_report",
    "cancel_leave",
    "check_in",
    "check_out",
    "create_contract",
    "create_employee",
    "expiring_contracts",
    "find_employee",
    "leave_balance",
    "pending_leave",
    "reject_leave",
    "request_leave",
    "update_employee",
    "who_is_absent",
]

TOOLS: list[Tool] = [
    find_employee,
    create_employee,
    update_employee,
    request_leave,
    approve_leave,
    reject_leave,
    cancel_leave,
    pending_leave,
    leave_balance,
    who_is_absent,
    check_in,
    check_out,
    attendance_report,
    create_contract,
    expiring_contracts,
]
