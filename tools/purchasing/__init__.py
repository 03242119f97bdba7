"""Purchasing tools on the supplier side of the books: record a supplier bill, post a
draft one (an imported e-invoice), pay a supplier, read what is owed to suppliers (aged
payables, one supplier's balance)."""

from __future__ import annotations

from tools.base import Tool
from tools.purchasing.bills import (
    import_einvoice,
    pay_supplier,
    post_supplier_bill,
    record_supplier_bill,
)
from tools.purchasing.reading import payables

TOOLS: list[Tool] = [
    record_supplier_bill,
    import_einvoice,
    post_supplier_bill,
    pay_supplier,
    payables,
]

__all__ = [
    "TOOLS",
    "import_einvoice",
    "pay_supplier",
    "payables",
    "post_supplier_bill",
    "record_supplier_bill",
]
