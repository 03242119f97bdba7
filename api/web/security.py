"""The web app's session cookie, CSRF tokens and security headers.

- **Session**: an HttpOnly, SameSite=Lax cookie holding a signed token that names a login
  session (``auth_sessions`` row, tenant, user) and expires after ``SESSION_HOURS``. Every
  request checks it against the database (revoked? member still active? roles), as a bearer
  access token is; logging out revokes the row, so a copied cookie dies with it. JavaScript
  never sees it. ``Secure`` is set when the request came over HTTPS.
- **CSRF**: every state-changing request carries a token, in the form field
  ``csrf_token`` or the header ``X-CSRF-Token``: an HMAC of the session id (or, before
  login, of a random pre-session cookie) under a key derived from the secret key. A
  request with an ``Origin`` header from elsewhere is refused as well.
- **Headers**: a Content-Security-Policy without inline scripts or styles, no framing,
  no sniffing, same-origin referrers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from starlette.requests import Request
from starlette.responses import Response

from domain.kit.errors import PermissionDenied

SESSION_COOKIE = "comptoir_session"
PRE_COOKIE = "comptoir_pre"  # binds the login form's CSRF token before a session exists
CHOICE_COOKIE = "comptoir_choix"  # a proven person choosing a business, for a few minutes
SESSION_HOURS = 12
CHOICE_MINUTES = 5
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CsrfRefused(PermissionDenied):
    code = "csrf_refused"
    default_message = "Jeton de sécurité absent ou invalide : rechargez la page puis recommencez."


@dataclass(frozen=True, slots=True)
class SessionClaims:
    tenant_id: UUID
    user_id: UUID
    session_id: UUID


class WebKeys:
    """Signs and checks the web app's cookies and CSRF tokens with keys derived from the
    secret key, one per purpose: a web cookie is never an API token, and the reverse."""

    algorithm = "HS256"

    def __init__(self, secret_key: str) -> None:
        base = secret_key.encode()
        self._cookie_key = hmac.new(base, b"comptoir-web-cookie", hashlib.sha256).hexdigest()
        self._csrf_key = hmac.new(base, b"comptoir-web-csrf", hashlib.sha256).digest()

    def sign(self, kind: str, claims: dict[str, Any], now: datetime, ttl: timedelta) -> str:
        payload = {**claims, "typ": kind, "exp": int((now + ttl).timestamp())}
        return jwt.encode(payload, self._cookie_key, algorithm=self.algorithm)

    def read(self, kind: str, token: str | None, now: datetime) -> dict[str, Any] | None:
        """The claims of a cookie of ``kind`` still valid at ``now``, else None."""
        if not token:
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._cookie_key,
                algorithms=[self.algorithm],
                options={"verify_exp": False, "require": ["exp", "typ"]},
            )
        except jwt.PyJWTError:
            return None
        if claims.get("typ") != kind or claims["exp"] <= now.timestamp():
            return None
        return claims

    def session_cookie(self, opened: SessionClaims, now: datetime) -> str:
        claims = {
            "tid": str(opened.tenant_id),
            "sub": str(opened.user_id),
            "sid": str(opened.session_id),
        }
        return self.sign("web", claims, now, timedelta(hours=SESSION_HOURS))

    def session_claims(self, token: str | None, now: datetime) -> SessionClaims | None:
        claims = self.read("web", token, now)
        if claims is None:
            return None
        try:
            return SessionClaims(UUID(claims["tid"]), UUID(claims["sub"]), UUID(claims["sid"]))
        except (KeyError, ValueError, TypeError):
            return None

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self._csrf_key, binding.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, binding: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token(binding), str(given))


def session_binding(session_id: UUID) -> str:
    return f"session:{session_id}"


def pre_binding(nonce: str) -> str:
    return f"pre:{nonce}"


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    max_age: int,
    same_site: str = "lax",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite=same_site,  # type: ignore[arg-type]
        secure=is_https(request),
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, secure=is_https(request))


def origin_allowed(request: Request) -> bool:
    """A browser names the page's origin on every cross-site POST: only ours passes."""
    origin = request.headers.get("origin")
    if origin is None:  # same-origin GET-less requests from older browsers; the token decides
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def check_csrf(request: Request, keys: WebKeys, binding: str, given: str | None) -> None:
    """Refuse a state-changing request whose token (form field or header) or origin is
    not this session's."""
    if not origin_allowed(request) or not keys.csrf_valid(binding, given):
        raise CsrfRefused()
