"""Detail pages and the phone's navigation in a real browser: a leave request approved
from its page, a quote marked sent from its page, the French 403 page for a role refused
a detail page and the 404 page for another business's record, the phone bar (four links
and « Plus », no sideways scroll, reached and closed by the keyboard), and a phone and a
laptop screenshot of each new page (var/test/screenshots)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.api.web.conftest import LAPTOP, PHONE, Console, screenshot
from tests.api.web.test_browser import sign_in
from tests.api.web.test_browser_pages import CONTRAST, unlabelled_controls
from tests.api.web.test_detail_pages import make_quote
from tests.factories import Account, make_member
from tests.finance_factories import make_shop
from tests.hr_factories import MONDAY, as_user, ask_leave, make_linked, make_staff, open_balance

NAV = "nav.main"
AT_HAND = ["Discussion", "Tableau de bord", "À valider", "Factures"]


def shoot(page: Page, name: str) -> None:
    """A phone and a laptop screenshot of the page, which must name every control and
    keep sufficient contrast at both sizes; the phone's viewport is restored."""
    for size, viewport in (("ordinateur", LAPTOP), ("telephone", PHONE)):
        page.set_viewport_size(viewport)
        assert screenshot(page, f"{name}-{size}").stat().st_size > 1000
        assert unlabelled_controls(page) == [], name
        assert page.evaluate(CONTRAST) == [], name


def summary_names(page: Page) -> list[str]:
    """Accessible names of the disclosure buttons, from Chromium's accessibility tree."""
    cdp = page.context.new_cdp_session(page)
    tree: dict[str, Any] = cdp.send("Accessibility.getFullAXTree")
    cdp.detach()
    return [
        str(node.get("name", {}).get("value", ""))
        for node in tree["nodes"]
        if node.get("role", {}).get("value") == "DisclosureTriangle"
    ]


def sign_out_and_in(page: Page, account: Account) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    sign_in(page, account)


class TestDetailPages:
    def test_a_leave_is_approved_from_its_page(
        self, page: Page, console: Console, container: Container
    ) -> None:
        staff = make_staff(container)
        awa, employee = make_linked(container, staff, name="Awa Ndiaye")
        open_balance(container, staff, employee.id, "10")
        asked = ask_leave(container, as_user(awa), None, MONDAY, MONDAY + timedelta(days=1))
        sign_in(page, staff.account)
        page.goto("/conges")
        page.get_by_role("link", name="Awa Ndiaye").click()
        expect(page.get_by_role("heading", name="Congé de Awa Ndiaye")).to_be_visible()
        shoot(page, "conge-detail")
        page.get_by_role("button", name="Approuver").click()
        expect(page.get_by_text("Demande de congé approuvée.")).to_be_visible()
        with container.db.unit_of_work(staff.tenant_id) as s:
            status = s.scalar(
                text("SELECT status FROM leave_requests WHERE id = :id"), {"id": asked.id}
            )
        assert status == "approved"
        expect(page.get_by_role("button", name="Approuver")).to_have_count(0)
        page.get_by_role("link", name="Awa Ndiaye").click()
        expect(page.get_by_role("heading", name="Awa Ndiaye")).to_be_visible()
        expect(page.get_by_role("table", name="Soldes de congés")).to_contain_text("8 j")
        shoot(page, "employe-detail")
        other = make_staff(container)
        sign_out_and_in(page, other.account)  # another business: not found
        answer = page.goto(f"/equipe/{employee.id}")
        assert answer is not None and answer.status == 404
        expect(page.get_by_role("heading", name="Introuvable")).to_be_visible()
        assert console.problems == []

    def test_a_quote_is_marked_sent_and_refused_to_an_employee(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_shop(container)
        quote = make_quote(container, shop)
        sign_in(page, shop.account)
        page.goto("/devis")
        page.get_by_role("link", name=quote.number).click()
        expect(page.get_by_role("heading", name=f"Devis {quote.number}")).to_be_visible()
        expect(page.get_by_role("link", name="Télécharger le PDF")).to_be_visible()
        shoot(page, "devis-detail")
        page.get_by_role("button", name="Marquer comme envoyé").click()
        expect(page.get_by_text("Devis marqué comme envoyé.")).to_be_visible()
        expect(page.get_by_role("button", name="Accepté par le client")).to_be_visible()
        employee = make_member(container, shop.account, Role.EMPLOYEE)
        sign_out_and_in(page, employee)
        answer = page.goto(f"/devis/{quote.id}")
        assert answer is not None and answer.status == 403
        expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
        assert console.problems == []


class TestPhoneNavigation:
    def test_four_links_and_more_without_sideways_scroll(
        self, page: Page, console: Console, container: Container
    ) -> None:
        shop = make_shop(container)
        sign_in(page, shop.account)
        nav = page.locator(NAV)
        more = nav.locator("summary", has_text="Plus")
        for width in (390, 360):
            page.set_viewport_size({"width": width, "height": 844})
            shown = nav.get_by_role("link").filter(visible=True)
            assert shown.all_inner_texts() == AT_HAND
            assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
            expect(more).to_be_visible()
        expect(nav.get_by_role("link", name="Clients")).to_be_hidden()
        assert "Plus" in summary_names(page)  # the arrow drawn by CSS is not read aloud
        more.focus()
        page.keyboard.press("Enter")
        expect(nav.get_by_role("link", name="Clients")).to_be_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Devis"
        page.keyboard.press("Escape")
        expect(nav.get_by_role("link", name="Clients")).to_be_hidden()
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        more.click()
        screenshot(page, "navigation-plus-telephone")
        nav.get_by_role("link", name="Clients").click()
        expect(page).to_have_url(re.compile(r"/clients$"))
        expect(more).to_have_class("current")
        page.set_viewport_size(LAPTOP)
        expect(nav.get_by_role("link")).to_have_count(12)
        expect(more).to_be_hidden()
        assert console.problems == []
