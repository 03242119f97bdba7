"""Stock and purchasing tools: products, levels, moves, replenishment, purchase orders.

Thin typed wrappers over ``domain.stock.service``, ``domain.stock.purchasing.service`` and
the catalog (``domain.sales.service``): products, warehouses, suppliers and purchase
orders are named as a person says them and resolved here (asking back when ambiguous);
the services check roles again and write; the tools shape what the user reads.
"""

from __future__ import annotations

from tools.base import Tool
from tools.stock.catalog import create_product, find_product_tool, update_product
from tools.stock.moves import adjust, issue, receive, stock_level, transfer
from tools.stock.purchase_tracking import cancel_purchase_order, list_purchase_orders
from tools.stock.purchases import (
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
)
from tools.stock.reports import forecast_stockout, low_stock, reorder_suggestions, valuation

TOOLS: list[Tool] = [
    find_product_tool,
    create_product,
    update_product,
    stock_level,
    receive,
    issue,
    transfer,
    adjust,
    low_stock,
    reorder_suggestions,
    forecast_stockout,
    create_purchase_order,
    send_purchase_order,
    receive_purchase_order,
    list_purchase_orders,
    cancel_purchase_order,
    valuation,
]
