"""Finance errors, each with a stable code and a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, DomainError, InvalidInput, NotFound


class UnknownVatRate(InvalidInput):
    code = "unknown_vat_rate"


class WrongCurrency(InvalidInput):
    code = "wrong_currency"


class InvoicePosted(Conflict):
    code = "invoice_posted"
    default_message = (
        "Une facture validée ne peut plus être modifiée ni supprimée : faites un avoir."
    )


class InvoiceNotPostable(Conflict):
    code = "invoice_not_postable"


class InvoiceNotPayable(Conflict):
    code = "invoice_not_payable"


class QuoteTransition(Conflict):
    code = "quote_transition"


class CreditNoteRefused(Conflict):
    code = "credit_note_refused"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"
    default_message = "Facture introuvable."


class QuoteNotFound(NotFound):
    code = "quote_not_found"
    default_message = "Devis introuvable."


class UnbalancedEntry(DomainError):
    """A bug, never a user's mistake: the ledger refuses an entry whose sides differ."""

    code = "unbalanced_entry"
    status_code = 500
    default_message = "Écriture comptable déséquilibrée : rien n'a été enregistré."
