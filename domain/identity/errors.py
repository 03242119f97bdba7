from __future__ import annotations

from domain.kit.errors import Conflict, InvalidInput, PermissionDenied, Unauthenticated


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    default_message = "Adresse e-mail ou mot de passe incorrect."


class SessionRevoked(Unauthenticated):
    code = "session_revoked"
    default_message = "Cette session a été fermée. Reconnectez-vous."


class RefreshTokenReused(Unauthenticated):
    code = "refresh_token_reused"
    default_message = (
        "Ce jeton a déjà été utilisé : par sécurité, la session a été fermée. Reconnectez-vous."
    )


class AccountDisabled(PermissionDenied):
    code = "account_disabled"
    default_message = "Ce compte est désactivé."


class TenantAccessDenied(PermissionDenied):
    code = "tenant_access_denied"
    default_message = "Entreprise inconnue ou accès refusé."


class TenantChoiceRequired(InvalidInput):
    code = "tenant_required"
    status_code = 400


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "Un compte existe déjà avec cette adresse e-mail."


class SlugTaken(Conflict):
    code = "slug_taken"
    default_message = "Cet identifiant d'entreprise est déjà pris."
