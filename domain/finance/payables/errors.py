"""Payables errors, each with a stable code and a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, NotFound


class BillNotFound(NotFound):
    code = "supplier_bill_not_found"
    default_message = "Facture fournisseur introuvable."


class SupplierNotFound(NotFound):
    code = "supplier_not_found"
    default_message = "Fournisseur introuvable."


class DuplicateSupplierNumber(Conflict):
    code = "duplicate_supplier_bill"


class BillTransition(Conflict):
    code = "supplier_bill_transition"


class BillNotPayable(Conflict):
    code = "supplier_bill_not_payable"


class MatchDifferences(Conflict):
    """Posting a bill that differs from its purchase order or receipts, without saying so."""

    code = "three_way_match_differences"


class BillIncomplete(Conflict):
    """A draft taken in from a scan whose supplier or number nobody has filled in yet."""

    code = "supplier_bill_incomplete"
    default_message = (
        "Cette facture fournisseur est incomplète (fournisseur ou numéro manquant) : "
        "complétez-la d'abord."
    )
