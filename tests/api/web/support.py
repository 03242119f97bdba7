"""Helpers for the web app's tests: sign in through the « Connexion » form as a browser
would (pre-session cookie, CSRF token read from the page)."""

from __future__ import annotations

import re

import httpx

from tests.factories import Account

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def form_token(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no CSRF field in the page"
    return found.group(1)


def session_token(page: str) -> str:
    found = META_CSRF.search(page)
    assert found, "no CSRF meta in the page"
    return found.group(1)


def sign_in(http: httpx.Client, account: Account, password: str | None = None) -> httpx.Response:
    token = form_token(http.get("/connexion").text)
    return http.post(
        "/connexion",
        data={
            "email": account.email,
            "password": password or account.password,
            "csrf_token": token,
        },
    )


def signed_in(http: httpx.Client, account: Account) -> str:
    """Sign in and return the session's CSRF token (read from the chat page)."""
    answer = sign_in(http, account)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    page = http.get("/")
    assert page.status_code == 200
    return session_token(page.text)
