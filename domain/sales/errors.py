from __future__ import annotations

from domain.kit.errors import Conflict, DomainError, InvalidInput, NotFound


class AmbiguousPartner(DomainError):
    """Several partners match a name; ``details["candidates"]`` lists them, best first."""

    code = "ambiguous"
    status_code = 409
    default_message = "Plusieurs clients ou fournisseurs correspondent."


class PartnerNotFound(NotFound):
    code = "partner_not_found"
    default_message = "Client ou fournisseur introuvable."


class DuplicatePartner(Conflict):
    code = "duplicate_partner"


class AmbiguousProduct(DomainError):
    code = "ambiguous"
    status_code = 409
    default_message = "Plusieurs produits correspondent."


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "Produit introuvable."


class SkuTaken(Conflict):
    code = "sku_taken"


class StageNotFound(NotFound):
    code = "stage_not_found"
    default_message = "Étape du pipeline introuvable."


class UnknownStage(InvalidInput):
    """A stage named in a request (move an opportunity to « Négociation ») that does not exist."""

    code = "unknown_stage"


class StageNameTaken(Conflict):
    code = "stage_name_taken"


class OpportunityNotFound(NotFound):
    code = "opportunity_not_found"
    default_message = "Affaire introuvable."


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    default_message = "Activité introuvable."
