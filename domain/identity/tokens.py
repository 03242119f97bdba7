"""JWT access tokens (short-lived) and refresh tokens (single-use, rotated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import jwt

from domain.kit.clock import Clock
from domain.kit.errors import Unauthenticated

TokenType = Literal["access", "refresh"]


class TokenExpired(Unauthenticated):
    code = "token_expired"
    default_message = "Votre session a expiré. Reconnectez-vous."


class TokenInvalid(Unauthenticated):
    code = "token_invalid"
    default_message = "Jeton d'authentification invalide."


@dataclass(frozen=True, slots=True)
class TokenClaims:
    type: TokenType
    user_id: UUID
    tenant_id: UUID
    session_id: UUID
    token_id: UUID
    expires_at: datetime


class Tokens:
    algorithm = "HS256"

    def __init__(
        self, secret_key: str, clock: Clock, *, access_ttl: timedelta, refresh_ttl: timedelta
    ) -> None:
        self._key = secret_key
        self._clock = clock
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def issue(
        self, type_: TokenType, *, user_id: UUID, tenant_id: UUID, session_id: UUID, token_id: UUID
    ) -> tuple[str, datetime]:
        now = self._clock.now()
        expires = now + (self.access_ttl if type_ == "access" else self.refresh_ttl)
        claims: dict[str, Any] = {
            "typ": type_,
            "sub": str(user_id),
            "tid": str(tenant_id),
            "sid": str(session_id),
            "jti": str(token_id),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=self.algorithm), expires

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        """Verify signature, type and expiry (against the injected clock)."""
        # Time claims are checked below against the injected clock, not the wall clock.
        try:
            raw = jwt.decode(
                token,
                self._key,
                algorithms=[self.algorithm],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["exp", "sub", "tid", "sid", "jti"],
                },
            )
            claims = TokenClaims(
                type=raw["typ"],
                user_id=UUID(raw["sub"]),
                tenant_id=UUID(raw["tid"]),
                session_id=UUID(raw["sid"]),
                token_id=UUID(raw["jti"]),
                expires_at=datetime.fromtimestamp(raw["exp"], tz=self._clock.now().tzinfo),
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise TokenInvalid() from exc
        if claims.type != expected:
            raise TokenInvalid()
        if claims.expires_at <= self._clock.now():
            raise TokenExpired()
        return claims
