"""« Connexion », the choice of a business, the switch to another one, and logout.

The password is checked by ``Authentication.login`` (throttling, audit, verified address),
exactly as the API's login. A person in several businesses is refused there for want of a
business only after the password was right: the page then lists their businesses for a
few minutes (a signed, HttpOnly cookie names the person), and the one chosen gets the
session.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from api.deps import ContainerDep, ContextDep, declare_channel
from api.web.deps import PageRoute, WebUserDep, read_web_user, render, web_keys
from api.web.security import (
    CHOICE_COOKIE,
    CHOICE_MINUTES,
    CSRF_FIELD,
    PRE_COOKIE,
    SESSION_COOKIE,
    SESSION_HOURS,
    SessionClaims,
    check_csrf,
    clear_cookie,
    new_nonce,
    pre_binding,
    session_binding,
    set_cookie,
)
from comptoir.bootstrap import Container
from domain.identity import repository as repo
from domain.identity import web_sessions
from domain.identity.errors import SessionRevoked, TenantChoiceRequired
from domain.kit.errors import DomainError
from domain.kit.principal import Channel

router = APIRouter(
    route_class=PageRoute,
    include_in_schema=False,
    dependencies=[declare_channel(Channel.WEB)],
)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _pre_nonce(request: Request) -> tuple[str, bool]:
    """The pre-session nonce the login forms' CSRF token is bound to (new if absent)."""
    nonce = request.cookies.get(PRE_COOKIE)
    return (nonce, False) if nonce else (new_nonce(), True)


def _login_page(
    request: Request, c: Container, *, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    nonce, fresh = _pre_nonce(request)
    csrf = web_keys(c).csrf_token(pre_binding(nonce))
    response = render(
        request,
        "login.html",
        {"csrf": csrf, "error": error, "email": email, "title": "Connexion"},
        status_code=status,
    )
    if fresh:
        set_cookie(response, request, PRE_COOKIE, nonce, max_age=86400, same_site="strict")
    return response


def _signed_in(request: Request, c: Container, opened: SessionClaims) -> Response:
    response = RedirectResponse("/", status_code=303)
    cookie = web_keys(c).session_cookie(opened, c.clock.now())
    set_cookie(response, request, SESSION_COOKIE, cookie, max_age=SESSION_HOURS * 3600)
    clear_cookie(response, request, CHOICE_COOKIE)
    return response


def _check_pre_csrf(request: Request, c: Container, form: FormData) -> None:
    nonce = request.cookies.get(PRE_COOKIE, "")
    check_csrf(request, web_keys(c), pre_binding(nonce), _field(form, CSRF_FIELD) or None)


@router.get("/connexion")
def login_page(request: Request, c: ContainerDep) -> Response:
    if read_web_user(request, c) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request, c)


def _choose_later(request: Request, c: Container, email: str) -> Response:
    """The password was right but the person works in several businesses: let them
    choose, for ``CHOICE_MINUTES``, without typing it again."""
    with c.db.unit_of_work() as session:
        credentials = repo.find_credentials(session, email)
    assert credentials is not None  # the password of this account was just checked
    claims = {"sub": str(credentials.user_id)}
    ttl = timedelta(minutes=CHOICE_MINUTES)
    token = web_keys(c).sign("choice", claims, c.clock.now(), ttl)
    response = RedirectResponse("/connexion/entreprise", status_code=303)
    set_cookie(
        response, request, CHOICE_COOKIE, token, max_age=CHOICE_MINUTES * 60, same_site="strict"
    )
    return response


@router.post("/connexion")
async def login(request: Request, c: ContainerDep, ctx: ContextDep) -> Response:
    form = await request.form()
    _check_pre_csrf(request, c, form)
    email = _field(form, "email").strip().lower()
    password = _field(form, "password")
    if not email or not password:
        return _login_page(
            request, c, error="Saisissez votre e-mail et votre mot de passe.", email=email
        )

    def check() -> SessionClaims:
        pair = c.authentication.login(ctx, email=email, password=password)
        claims = c.tokens.decode(pair.access_token, "access")
        return SessionClaims(claims.tenant_id, claims.user_id, claims.session_id)

    try:
        opened = await anyio.to_thread.run_sync(check)
    except TenantChoiceRequired:
        return await anyio.to_thread.run_sync(_choose_later, request, c, email)
    except DomainError as error:
        return _login_page(request, c, error=error.message, email=email, status=error.status_code)
    return _signed_in(request, c, opened)


def _chooser(request: Request, c: Container) -> UUID | None:
    claims = web_keys(c).read("choice", request.cookies.get(CHOICE_COOKIE), c.clock.now())
    return UUID(claims["sub"]) if claims else None


@router.get("/connexion/entreprise")
def choose_page(request: Request, c: ContainerDep) -> Response:
    user_id = _chooser(request, c)
    if user_id is None:
        return RedirectResponse("/connexion", status_code=303)
    nonce, _ = _pre_nonce(request)
    return render(
        request,
        "choose.html",
        {
            "title": "Choisir l'entreprise",
            "businesses": web_sessions.businesses(c.db, user_id),
            "csrf": web_keys(c).csrf_token(pre_binding(nonce)),
            "action": "/connexion/entreprise",
        },
    )


@router.post("/connexion/entreprise")
async def choose(request: Request, c: ContainerDep, ctx: ContextDep) -> Response:
    form = await request.form()
    _check_pre_csrf(request, c, form)
    user_id = _chooser(request, c)
    if user_id is None:
        return RedirectResponse("/connexion", status_code=303)
    slug = _field(form, "business")

    def open_() -> SessionClaims:
        opened = web_sessions.open_session(c.db, ctx, user_id=user_id, slug=slug)
        return SessionClaims(opened.tenant_id, opened.user_id, opened.session_id)

    return _signed_in(request, c, await anyio.to_thread.run_sync(open_))


@router.get("/entreprise")
def switch_page(request: Request, c: ContainerDep, user: WebUserDep) -> Response:
    return render(
        request,
        "choose.html",
        {
            "title": "Changer d'entreprise",
            "businesses": web_sessions.businesses(c.db, user.principal.user_id),
            "csrf": user.csrf,
            "action": "/entreprise",
            "current": user.slug,
        },
    )


@router.post("/entreprise")
async def switch(request: Request, c: ContainerDep, ctx: ContextDep, user: WebUserDep) -> Response:
    """Open a session in the chosen business, then close the one left."""
    form = await request.form()
    binding = session_binding(_session_id(user.principal.session_id))
    check_csrf(request, web_keys(c), binding, _field(form, CSRF_FIELD) or None)
    slug = _field(form, "business")

    def switch_() -> SessionClaims:
        opened = web_sessions.open_session(
            c.db, ctx, user_id=user.principal.user_id, slug=slug, action="auth.switch"
        )
        web_sessions.close_session(c.db, user.principal, c.clock, reason="switch")
        return SessionClaims(opened.tenant_id, opened.user_id, opened.session_id)

    return _signed_in(request, c, await anyio.to_thread.run_sync(switch_))


def _session_id(value: UUID | None) -> UUID:
    assert value is not None  # a web principal always comes from a session
    return value


@router.post("/deconnexion")
async def logout(request: Request, c: ContainerDep, user: WebUserDep) -> Response:
    form = await request.form()
    binding = session_binding(_session_id(user.principal.session_id))
    check_csrf(request, web_keys(c), binding, _field(form, CSRF_FIELD) or None)

    def close() -> None:
        try:
            with c.db.unit_of_work(user.principal.tenant_id) as session:
                c.authentication.logout(session, user.principal)
        except SessionRevoked:
            pass  # already closed elsewhere: the cookie goes all the same

    await anyio.to_thread.run_sync(close)
    response = RedirectResponse("/connexion", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response
