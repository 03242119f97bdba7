from __future__ import annotations

from domain.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated


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


class EmailNotVerified(PermissionDenied):
    code = "email_not_verified"
    default_message = (
        "Adresse e-mail non confirmée : ouvrez le lien envoyé à cette adresse pour activer "
        "votre compte et votre entreprise."
    )


class InvitationUnusable(InvalidInput):
    code = "invitation_unusable"
    status_code = 410
    default_message = (
        "Cette invitation n'est plus valable (déjà utilisée, expirée ou annulée). "
        "Demandez-en une nouvelle à l'administrateur."
    )


class InvitationForAnotherAccount(PermissionDenied):
    code = "invitation_other_account"
    default_message = (
        "Cette invitation est destinée à une autre adresse e-mail que celle de votre compte."
    )


class LoginRequired(Conflict):
    code = "login_required"
    default_message = (
        "Un compte existe déjà pour cette adresse : connectez-vous, puis ouvrez à nouveau "
        "le lien pour accepter l'invitation."
    )


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = "Cette personne est déjà membre de l'entreprise."


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = (
        "Impossible : c'est le dernier administrateur actif de l'entreprise. "
        "Nommez d'abord un autre administrateur."
    )


class MemberNotFound(NotFound):
    code = "member_not_found"
    default_message = "Ce membre est introuvable dans l'entreprise."


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    default_message = "Invitation introuvable."
