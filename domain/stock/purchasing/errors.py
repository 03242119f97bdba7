"""Purchasing errors, each with a stable code and a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, InvalidInput, NotFound


class PurchaseOrderNotFound(NotFound):
    code = "purchase_order_not_found"
    default_message = "Bon de commande introuvable."


class SupplierNotFound(NotFound):
    code = "supplier_not_found"
    default_message = "Fournisseur introuvable."


class PurchaseOrderTransition(Conflict):
    """Sending, cancelling or receiving an order whose status does not allow it."""

    code = "purchase_order_transition"


class PurchaseOrderNotReceivable(PurchaseOrderTransition):
    code = "purchase_order_not_receivable"


class MissingPurchasePrice(InvalidInput):
    code = "missing_purchase_price"


class InvalidReorderRule(InvalidInput):
    code = "invalid_reorder_rule"
