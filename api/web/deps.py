"""Who is using the web app: the session cookie turned into a principal, checked against
the database on every request; the templates; and the route class that renders errors of
a page as a French page (a refused role is a 403 page, a lost session a redirect to
« Connexion ») instead of the API's JSON."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from api.deps import ContainerDep
from api.web.security import SESSION_COOKIE, WebKeys, clear_cookie, session_binding
from comptoir.bootstrap import Container
from domain.finance.documents import labels
from domain.identity import repository as repo
from domain.kit.errors import DomainError, InvalidInput, Unauthenticated
from domain.kit.money import Currency
from domain.kit.principal import Channel, Principal, Role

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


class NeedsLogin(Unauthenticated):
    code = "login_required"
    default_message = "Connectez-vous pour continuer."


@functools.cache
def asset_version() -> str:
    """A short hash of the static files: their URLs change when they do, so a browser
    (and the service worker) never mixes an old script with a new page."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _money(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else labels.money(Decimal(amount), Currency(currency))


def _number(value: Decimal | int | None) -> str:
    return "—" if value is None else labels.french_number(Decimal(value))


def _date(value: date | datetime | None) -> str:
    return "—" if value is None else value.strftime("%d/%m/%Y")


templates.env.globals["asset_version"] = asset_version
templates.env.filters.update(money=_money, number=_number, datefr=_date)


@functools.lru_cache(maxsize=8)
def _keys(secret_key: str) -> WebKeys:
    return WebKeys(secret_key)


def web_keys(c: Container) -> WebKeys:
    return _keys(c.settings.resolved_secret_key())


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in person, their business and the CSRF token of their session."""

    principal: Principal
    name: str
    email: str
    business: str
    slug: str
    currency: str
    csrf: str

    def may(self, *roles: Role) -> bool:
        return self.principal.has_any(*roles)


def read_web_user(request: Request, c: Container) -> WebUser | None:
    keys = web_keys(c)
    claims = keys.session_claims(request.cookies.get(SESSION_COOKIE), c.clock.now())
    if claims is None:
        return None
    with c.db.unit_of_work(claims.tenant_id) as session:
        access = repo.session_access(session, claims.tenant_id, claims.session_id, claims.user_id)
        if access is None or access.revoked or not access.active:
            return None
        user = repo.get_user(session, claims.user_id)
        tenant = repo.get_tenant(session, claims.tenant_id)
        assert user is not None and tenant is not None
        principal = Principal(
            tenant_id=claims.tenant_id,
            user_id=claims.user_id,
            roles=frozenset(Role(r) for r in access.roles),
            channel=Channel.WEB,
            session_id=claims.session_id,
            request_id=getattr(request.state, "request_id", None),
        )
        return WebUser(
            principal=principal,
            name=user.name,
            email=user.email,
            business=tenant.name,
            slug=tenant.slug,
            currency=tenant.currency,
            csrf=keys.csrf_token(session_binding(claims.session_id)),
        )


def web_user(request: Request, c: ContainerDep) -> WebUser:
    """The signed-in person (a page redirects to « Connexion », a JSON call answers 401)."""
    user = read_web_user(request, c)
    if user is None:
        raise NeedsLogin()
    request.state.web_user = user
    return user


WebUserDep = Annotated[WebUser, Depends(web_user)]


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    user = getattr(request.state, "web_user", None)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "generated": generated, **context},
        status_code=status_code,
    )


def error_page(request: Request, error: DomainError) -> Response:
    titles = {
        403: "Accès refusé",
        404: "Introuvable",
        401: "Connexion requise",
        422: "Données invalides",
    }
    title = titles.get(error.status_code, "Impossible")
    return render(
        request,
        "error.html",
        {"title": title, "message": error.message},
        status_code=error.status_code,
    )


class PageRoute(APIRoute):
    """A web page: a lost session redirects to « Connexion » (coming back here after),
    any other domain error is a French page with the error's status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except NeedsLogin:
                response = RedirectResponse("/connexion", status_code=303)
                clear_cookie(response, request, SESSION_COOKIE)
                return response
            except DomainError as error:
                return error_page(request, error)
            except RequestValidationError:
                # A hand-edited address (« ?page=abc »): a page, not the API's JSON.
                invalid = InvalidInput("Adresse invalide : un paramètre n'est pas reconnu.")
                return error_page(request, invalid)

        return page
