"""The web app's pages in a real browser: the dashboard's charts and tables, reading it
again offline from the service worker's copy, a document uploaded from the chat with its
progress, every control labelled in the accessibility tree, the keyboard reaching every
control, sufficient contrast, no horizontal scroll at 360 px, and a phone and a laptop
screenshot of each main page kept as test artefacts (var/test/screenshots)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, FilePayload, Page, expect
from sqlalchemy import text

from comptoir.bootstrap import Container
from tests.api.web.conftest import LAPTOP, PHONE, Console, screenshot
from tests.api.web.test_browser import no_horizontal_scroll, sign_in
from tests.finance_factories import make_customer, make_shop, pay, posted_invoice

MAIN_PAGES = {
    "discussion": "/",
    "tableau-de-bord": "/tableau-de-bord",
    "factures": "/factures",
    "clients": "/clients",
    "produits": "/produits",
    "stock": "/stock",
    "devis": "/devis",
    "achats": "/achats",
    "equipe": "/equipe",
    "conges": "/conges",
    "documents": "/documents",
    "a-valider": "/a-valider",
}
CONTROL_ROLES = {"button", "textbox", "searchbox", "combobox", "link", "checkbox", "listbox"}
CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
TOP = "Meilleurs clients depuis le 1er janvier (facturé HT)"


def unlabelled_controls(page: Page) -> list[str]:
    """Controls of the page whose accessible name is empty, read from Chromium's own
    accessibility tree."""
    cdp = page.context.new_cdp_session(page)
    tree: dict[str, Any] = cdp.send("Accessibility.getFullAXTree")
    missing = []
    for node in tree["nodes"]:
        role = node.get("role", {}).get("value")
        if role in CONTROL_ROLES and not node.get("ignored"):
            if not str(node.get("name", {}).get("value", "")).strip():
                missing.append(role)
    cdp.detach()
    return missing


def keyboard_reaches_every_control(page: Page) -> list[str]:
    """The controls Tab never reaches (from the top of the page, a full cycle). What a
    closed « Plus » holds is reached through it (its summary is a control too)."""
    controls = page.evaluate(
        """() => [...document.querySelectorAll(
              'a[href], button, input:not([type=hidden]), select, textarea, summary')]
            .filter((e) => e.getClientRects().length && !e.disabled
              && !e.closest('details:not([open]) > :not(summary)'))
            .map((e, i) => (e.dataset.k = String(i)))"""
    )
    seen: set[str] = set()
    page.locator("body").focus()
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        key = page.evaluate("document.activeElement && document.activeElement.dataset.k")
        if key is not None:
            seen.add(key)
    return sorted(set(controls) - seen)


class TestDashboard:
    def test_charts_offline_reading_and_screenshots(
        self, page: Page, context: BrowserContext, console: Console, container: Container
    ) -> None:
        shop = make_shop(container)
        first = posted_invoice(container, shop)
        posted_invoice(container, shop)  # still owed: the ageing chart has a bar
        pay(container, shop, str(first.gross_total), invoice_id=first.id)
        sign_in(page, shop.account)
        page.goto("/tableau-de-bord")
        for caption in ("Chiffre d'affaires par mois", "Créances clients", "Meilleurs clients"):
            figure = page.get_by_role("figure", name=caption)
            expect(figure).to_be_visible()
            expect(figure.get_by_role("img")).to_be_visible()
            expect(figure.get_by_role("table")).to_be_visible()
        top = page.get_by_role("figure", name=TOP)
        expect(top.get_by_role("row", name="Diallo SARL")).to_be_visible()
        page.set_viewport_size({"width": 360, "height": 740})
        assert no_horizontal_scroll(page)
        for name, path in MAIN_PAGES.items():
            for size, viewport in (("telephone", PHONE), ("ordinateur", LAPTOP)):
                page.set_viewport_size(viewport)
                page.goto(path)
                assert screenshot(page, f"{name}-{size}").stat().st_size > 1000
            assert unlabelled_controls(page) == [], path
            assert page.evaluate(CONTRAST) == [], path
        # Offline: the service worker keeps the last copy of each page seen.
        page.goto("/tableau-de-bord")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now through the service worker, which keeps a copy
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        try:
            page.reload()
            expect(page.get_by_text("Hors ligne — données du")).to_be_visible()
            expect(page.get_by_role("figure", name=TOP)).to_be_visible()
            expect(page.get_by_role("button", name="Se déconnecter")).to_be_disabled()
            page.goto("/clients?jamais=vu")
            expect(page.get_by_role("heading", name="Hors ligne")).to_be_visible()
        finally:
            context.set_offline(False)
        assert console.problems == []


class TestChatPage:
    def test_upload_labels_keyboard_and_contrast(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_shop(container)
        sign_in(page, shop.account)
        assert unlabelled_controls(page) == []
        assert keyboard_reaches_every_control(page) == []
        assert page.evaluate(CONTRAST) == []
        upload: FilePayload = {
            "name": "horaires.txt",
            "mimeType": "text/plain",
            "buffer": "Horaires d'ouverture : du lundi au samedi, 9 h – 19 h.".encode(),
        }
        page.get_by_label("Joindre un document").set_input_files(files=[upload])
        expect(page.get_by_role("status").filter(has_text="ajouté")).to_be_visible(timeout=60_000)
        assert page.locator("#upload-progress").evaluate("p => p.value") == 100
        with container.db.unit_of_work(shop.tenant_id) as s:
            assert s.scalar(text("SELECT count(*) FROM documents")) == 1
        page.goto("/tableau-de-bord")
        assert unlabelled_controls(page) == []
        assert page.evaluate(CONTRAST) == []
        page.goto("/connexion")  # signed in: back to the chat
        assert console.problems == []


class TestLists:
    def test_search_updates_the_list_as_one_types(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_shop(container)
        make_customer(container, shop.account, "Quincaillerie Moderne")
        sign_in(page, shop.account)
        page.locator("nav.main summary", has_text="Plus").click()  # the phone's other pages
        page.get_by_role("link", name="Clients").click()
        table = page.get_by_role("table", name="Liste des clients")
        expect(table.get_by_role("row", name="Diallo SARL")).to_be_visible()
        page.get_by_label("Rechercher un client").fill("quincaillerie")
        expect(table.get_by_role("row", name="Diallo SARL")).to_have_count(0)
        expect(table.get_by_role("row", name="Quincaillerie Moderne")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/clients\?q=quincaillerie$"))
        assert console.problems == []
