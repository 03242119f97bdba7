"""The web app in a real browser (Debian's chromium through Playwright) against the app on
uvicorn and PostgreSQL: sign in, chat with streamed replies, confirm and cancel a write,
answer an ambiguity by a button, a phone's width, the CSP, logout."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import text

from comptoir.bootstrap import Container
from tests.api.test_chat import customer_name
from tests.api.web.conftest import Console, screenshot
from tests.factories import Account
from tests.sales_factories import make_partner, make_sales_tenant


def sign_in(page: Page, account: Account) -> None:
    page.goto("/connexion")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Mot de passe").fill(account.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_label("Votre message")).to_be_visible()


def say(page: Page, message: str) -> None:
    page.get_by_label("Votre message").fill(message)
    page.get_by_role("button", name="Envoyer").click()


def partners_named(container: Container, account: Account, name: str) -> int:
    with container.db.unit_of_work(account.tenant_id) as s:
        return int(s.scalar(text("SELECT count(*) FROM partners WHERE name = :n"), {"n": name}))


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


class TestChat:
    def test_a_write_confirmed_by_the_button_is_in_the_data(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_sales_tenant(container)
        sign_in(page, shop)
        log = page.get_by_role("log", name="Conversation")
        name = customer_name()
        say(page, f"crée le client {name}")
        expect(log.get_by_text(name).last).to_be_visible()
        confirm = log.get_by_role("button", name="Confirmer")
        expect(confirm).to_be_visible()
        expect(log.get_by_role("button", name="Annuler")).to_be_visible()
        assert partners_named(container, shop, name) == 0  # a preview writes nothing
        screenshot(page, "chat-phone")
        confirm.click()
        expect(log.locator(".msg.user", has_text="Confirmer")).to_be_visible()
        expect(confirm).to_be_disabled()
        expect(log.locator(".msg.progress")).to_have_count(0)  # the turn is done
        assert partners_named(container, shop, name) == 1
        page.set_viewport_size({"width": 360, "height": 740})
        assert no_horizontal_scroll(page)
        assert re.search(r"\?conversation=", page.url)
        page.reload()  # the conversation is kept, and listed
        expect(log.get_by_text(f"crée le client {name}")).to_be_visible()
        expect(page.get_by_role("heading", name="Conversations passées")).to_be_visible()
        assert console.problems == []

    def test_cancel_writes_nothing_and_logout_ends_the_session(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_sales_tenant(container)
        sign_in(page, shop)
        log = page.get_by_role("log", name="Conversation")
        name = customer_name()
        say(page, f"crée le client {name}")
        log.get_by_role("button", name="Annuler").click()
        expect(log.get_by_text("Rien n'a été fait")).to_be_visible()
        assert partners_named(container, shop, name) == 0
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/connexion$"))
        assert console.problems == []

    def test_an_ambiguity_is_answered_by_a_button(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_sales_tenant(container)
        make_partner(container, shop, name="Diallo SARL")
        make_partner(container, shop, name="Diallo Frères")
        sign_in(page, shop)
        log = page.get_by_role("log", name="Conversation")
        say(page, "crée un devis pour Diallo : 2 heures de conseil à 50 euros")
        option = log.get_by_role("button", name="Diallo Frères")
        expect(option).to_be_visible()
        option.click()
        expect(log.get_by_role("button", name="Confirmer").last).to_be_visible()
        expect(log.locator(".msg.preview").last).to_contain_text("Diallo Frères")
        assert console.problems == []
