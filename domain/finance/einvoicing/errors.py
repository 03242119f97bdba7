"""E-invoicing errors, each with a French message."""

from __future__ import annotations

from domain.kit.errors import Conflict, NotFound


class PlatformNotConfigured(Conflict):
    code = "einvoicing_not_configured"

    def __init__(self) -> None:
        super().__init__(
            "Aucune plateforme de facturation électronique n'est configurée pour l'entreprise."
        )


class NotExchanged(NotFound):
    code = "einvoice_not_exchanged"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} n'est pas passée par la plateforme de facturation électronique.")


class AlreadySubmitted(Conflict):
    code = "einvoice_already_submitted"
