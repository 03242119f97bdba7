"""Stock errors, each with a stable code and a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, InvalidInput, NotFound


class InsufficientStock(Conflict):
    """Not enough on hand (or available) and the tenant does not allow negative stock.
    ``details``: product, requested, on_hand."""

    code = "insufficient_stock"
    default_message = "Stock insuffisant."


class InvalidQuantity(InvalidInput):
    code = "invalid_quantity"
    default_message = "La quantité doit être strictement positive."


class NotStockable(InvalidInput):
    code = "not_stockable"
    default_message = "Ce produit n'est pas géré en stock."


class LotRequired(InvalidInput):
    code = "lot_required"
    default_message = "Ce produit est suivi par lots : indiquez le numéro de lot."


class SameWarehouse(InvalidInput):
    code = "same_warehouse"
    default_message = "Le dépôt de départ et le dépôt d'arrivée doivent être différents."


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
    default_message = "Dépôt introuvable."


class WarehouseCodeTaken(Conflict):
    code = "warehouse_code_taken"


class WarehouseInactive(InvalidInput):
    code = "warehouse_inactive"


class LotNotFound(NotFound):
    code = "lot_not_found"
    default_message = "Lot introuvable."


class ReservationNotFound(NotFound):
    code = "reservation_not_found"
    default_message = "Réservation introuvable."


class CountNotFound(NotFound):
    code = "inventory_count_not_found"
    default_message = "Inventaire introuvable."


class CountClosed(Conflict):
    code = "inventory_count_closed"
    default_message = "Cet inventaire est déjà validé ou annulé."
