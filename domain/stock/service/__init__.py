"""Stock services: ``from domain.stock import service as stock``.

Every function takes ``(session, principal, ...)`` (and the injected ``clock`` when it
dates something), checks the principal's roles, validates everything before writing,
flushes (never commits), and records each write as a domain event and an audit entry in
the caller's transaction. Quantities and money are ``Decimal``.
"""

from domain.stock.repository import LevelRow
from domain.stock.service._common import (
    ADJUSTERS,
    COUNTERS,
    INVOICE_ISSUERS,
    ISSUERS,
    READERS,
    RECEIVERS,
    RESERVERS,
    STOCK_ADMINS,
    VALUERS,
)
from domain.stock.service.counts import (
    CountSheet,
    cancel_count,
    get_count,
    list_counts,
    record_count,
    start_count,
    validate_count,
)
from domain.stock.service.invoicing import (
    Delivery,
    deliver_invoice,
    issue_for_invoice,
    plan_invoice_delivery,
)
from domain.stock.service.levels import (
    release,
    release_for_origin,
    reserve,
    stock_level,
    stock_levels,
    verify_levels,
)
from domain.stock.service.moves import (
    adjust,
    issue,
    list_moves,
    receive,
    return_from_customer,
    transfer,
)
from domain.stock.service.reports import (
    ExpiringLot,
    Valuation,
    ValuationLine,
    expiring_lots,
    valuation,
)
from domain.stock.service.warehouses import (
    create_warehouse,
    default_warehouse,
    get_settings,
    get_warehouse,
    list_warehouses,
    update_settings,
    update_warehouse,
)

__all__ = [
    "ADJUSTERS",
    "COUNTERS",
    "INVOICE_ISSUERS",
    "ISSUERS",
    "READERS",
    "RECEIVERS",
    "RESERVERS",
    "STOCK_ADMINS",
    "VALUERS",
    "CountSheet",
    "Delivery",
    "ExpiringLot",
    "LevelRow",
    "Valuation",
    "ValuationLine",
    "adjust",
    "cancel_count",
    "create_warehouse",
    "default_warehouse",
    "deliver_invoice",
    "expiring_lots",
    "get_count",
    "get_settings",
    "get_warehouse",
    "issue",
    "issue_for_invoice",
    "list_counts",
    "list_moves",
    "list_warehouses",
    "plan_invoice_delivery",
    "receive",
    "record_count",
    "release",
    "release_for_origin",
    "reserve",
    "return_from_customer",
    "start_count",
    "stock_level",
    "stock_levels",
    "transfer",
    "update_settings",
    "update_warehouse",
    "validate_count",
    "valuation",
    "verify_levels",
]
