"""Sales tools: customers and suppliers, the pipeline, activities.

Thin typed wrappers over ``domain.sales.service``: names a person says are resolved with
``resolve_partner`` (asking back when ambiguous), the service checks roles again and
writes; the tools only shape what the user reads.
"""

from tools.base import Tool
from tools.sales.activities import list_activities, log_activity
from tools.sales.partners import (
    create_customer,
    create_supplier,
    find_customer,
    find_supplier,
    update_customer,
)
from tools.sales.pipeline import create_opportunity, move_opportunity, pipeline_summary

__all__ = [
    "TOOLS",
    "create_customer",
    "create_opportunity",
    "create_supplier",
    "find_customer",
    "find_supplier",
    "list_activities",
    "log_activity",
    "move_opportunity",
    "pipeline_summary",
    "update_customer",
]

TOOLS: list[Tool] = [
    find_customer,
    create_customer,
    update_customer,
    find_supplier,
    create_supplier,
    create_opportunity,
    move_opportunity,
    pipeline_summary,
    log_activity,
    list_activities,
]
