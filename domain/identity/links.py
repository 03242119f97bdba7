"""Tokens carried by e-mailed links: invitations and address verification.

Both are derived with the secret key from what they name, so nothing stores them in clear:
an invitation keeps only the SHA-256 of its token, and the outbox event that mails it names
the invitation, not the token. The token carries the tenant it belongs to so it can be
checked (HMAC first, then the stored hash) before anything is read across tenants.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.kit.errors import InvalidInput


class LinkInvalid(InvalidInput):
    code = "link_invalid"
    status_code = 400
    default_message = "Ce lien n'est pas valide. Demandez-en un nouveau."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class VerificationClaims:
    tenant_id: UUID
    user_id: UUID
    expires_at: int


class Links:
    def __init__(self, secret_key: str, public_url: str) -> None:
        self._key = hmac.new(secret_key.encode(), b"comptoir-links-v1", hashlib.sha256).digest()
        self.public_url = public_url.rstrip("/")

    def _mac(self, *parts: str) -> str:
        digest = hmac.new(self._key, "|".join(parts).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    # Invitations ------------------------------------------------------------------------
    def invitation_token(self, tenant_id: UUID, invitation_id: UUID) -> str:
        mac = self._mac("invitation", str(tenant_id), str(invitation_id))
        return f"{tenant_id}.{invitation_id}.{mac}"

    def read_invitation_token(self, token: str) -> tuple[UUID, UUID]:
        """(tenant_id, invitation_id) of an authentic token, else LinkInvalid."""
        try:
            tenant, invitation, mac = token.strip().split(".")
            ids = UUID(tenant), UUID(invitation)
        except ValueError as exc:
            raise LinkInvalid() from exc
        if not hmac.compare_digest(mac, self._mac("invitation", str(ids[0]), str(ids[1]))):
            raise LinkInvalid()
        return ids

    def invitation_link(self, token: str) -> str:
        # The token travels in the fragment: browsers never send it to a server or a Referer.
        return f"{self.public_url}/invitation#{token}"

    # Address verification ----------------------------------------------------------------
    @staticmethod
    def _account_state(password_hash: str) -> str:
        # Tied to the password: when an unproven account is taken over (new password),
        # the links sent to the previous claimant stop working.
        return hashlib.sha256(password_hash.encode()).hexdigest()[:32]

    def verification_token(
        self, tenant_id: UUID, user_id: UUID, password_hash: str, expires_at: datetime
    ) -> str:
        exp = str(int(expires_at.timestamp()))
        mac = self._mac(
            "verify", str(tenant_id), str(user_id), exp, self._account_state(password_hash)
        )
        return f"{tenant_id}.{user_id}.{exp}.{mac}"

    def read_verification_token(self, token: str) -> tuple[VerificationClaims, str]:
        """The claims and the MAC; the MAC is checked with ``verification_matches`` once
        the account's current state is read."""
        try:
            tenant, user, exp, mac = token.strip().split(".")
            claims = VerificationClaims(UUID(tenant), UUID(user), int(exp))
        except ValueError as exc:
            raise LinkInvalid() from exc
        return claims, mac

    def verification_matches(
        self, claims: VerificationClaims, mac: str, password_hash: str
    ) -> bool:
        expected = self._mac(
            "verify",
            str(claims.tenant_id),
            str(claims.user_id),
            str(claims.expires_at),
            self._account_state(password_hash),
        )
        return hmac.compare_digest(mac, expected)

    def verification_link(self, token: str) -> str:
        return f"{self.public_url}/verification#{token}"
