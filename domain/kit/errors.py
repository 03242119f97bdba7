"""Typed domain errors: a stable code, an HTTP status and a French message for the user."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    status_code = 400
    default_message = "La demande n'a pas pu être traitée."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid_input"
    status_code = 422
    default_message = "Les données envoyées ne sont pas valides."


class NotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = "Élément introuvable."


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
    default_message = "Cet élément existe déjà."


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status_code = 401
    default_message = "Authentification requise."


class PermissionDenied(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = "Vous n'avez pas les droits pour cette action."


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status_code = 429
    default_message = "Trop de tentatives. Réessayez plus tard."
