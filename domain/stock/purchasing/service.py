"""The purchasing services in one place: ``from domain.stock.purchasing import service``.

Each takes ``(session, principal, ...)`` (and the clock when it needs a date), checks
roles, validates everything before writing, flushes and never commits.
"""

from domain.stock.purchasing._common import BUYERS, DEFAULT_LEAD_TIME_DAYS, READERS, RECEIVERS
from domain.stock.purchasing.orders import (
    OrderView,
    cancel_purchase_order,
    create_purchase_order,
    get_purchase_order,
    list_purchase_orders,
    send_purchase_order,
)
from domain.stock.purchasing.planning import (
    DEFAULT_WINDOW_DAYS,
    Forecast,
    Position,
    SuggestionLine,
    SupplierSuggestion,
    create_orders_from_suggestions,
    forecast_stockout,
    low_stock,
    reorder_suggestions,
)
from domain.stock.purchasing.receipts import ReceiptResult, list_receipts, receive_purchase_order
from domain.stock.purchasing.supply import (
    delete_reorder_rule,
    list_reorder_rules,
    list_supplier_terms,
    remove_supplier_terms,
    set_reorder_rule,
    set_supplier_terms,
)

__all__ = [
    "BUYERS",
    "DEFAULT_LEAD_TIME_DAYS",
    "DEFAULT_WINDOW_DAYS",
    "READERS",
    "RECEIVERS",
    "Forecast",
    "OrderView",
    "Position",
    "ReceiptResult",
    "SuggestionLine",
    "SupplierSuggestion",
    "cancel_purchase_order",
    "create_orders_from_suggestions",
    "create_purchase_order",
    "delete_reorder_rule",
    "forecast_stockout",
    "get_purchase_order",
    "list_purchase_orders",
    "list_receipts",
    "list_reorder_rules",
    "list_supplier_terms",
    "low_stock",
    "receive_purchase_order",
    "remove_supplier_terms",
    "reorder_suggestions",
    "send_purchase_order",
    "set_reorder_rule",
    "set_supplier_terms",
]
