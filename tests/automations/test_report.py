"""The monthly report on a real business: figures equal to the REST reports', a PDF with
vector charts and a workbook with native charts stored as documents, announced once per
month to admins and accountants, with both files attached to the e-mail (real SMTP)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from api.whatsapp_bot import note_inbound
from automations.channels import attached_files
from automations.report import monthly_figures, report_files
from comptoir.bootstrap import Container
from comptoir.whatsapp_fake import FakeGraph
from domain.automations.models import Notification
from domain.documents.models import Document
from domain.hr import service as hr
from domain.kit.principal import Role
from tests.automations.conftest import Inbox
from tests.automations.helpers import at, mailing, notifications, relay_all, run_kind, runs
from tests.factories import Account, login, make_member, make_tenant
from tests.finance_factories import Shop, clock_at, make_customer, make_shop, pay, posted_invoice
from tests.hr_factories import Staff, ask_leave, make_employee, open_balance
from tests.whatsapp.conftest import (
    add_member_with_phone,
    fake_graph,
    link,
    new_number,
    new_phone,
    whatsapp_on,
)

__all__ = ["fake_graph", "whatsapp_on"]  # fixtures used here

NOVEMBER = date(2026, 11, 1)


def first_of_december(hour: int = 7) -> datetime:
    local = datetime.combine(date(2026, 12, 1), time(hour), tzinfo=ZoneInfo("Europe/Paris"))
    return local.astimezone(UTC)


def busy_november(container: Container) -> Shop:
    """Two customers invoiced in November (one paid in part), one older unpaid invoice,
    goods in stock and an approved leave in November."""
    shop = make_shop(container)
    other = make_customer(container, shop.account, "Boulangerie Ba")
    first = posted_invoice(container, shop, clock=clock_at(date(2026, 11, 3)))
    posted_invoice(container, shop, clock=clock_at(date(2026, 11, 20)), partner_id=other)
    posted_invoice(container, shop, clock=clock_at(date(2026, 8, 4)))
    pay(
        container,
        shop,
        "20",
        clock=clock_at(date(2026, 11, 25)),
        partner_id=shop.customer_id,
        invoice_id=first.id,
    )
    staff = Staff(shop.account)
    employee = make_employee(container, staff, "Aminata Fall")
    open_balance(container, staff, employee.id, "10")
    leave = ask_leave(container, staff.admin, employee.id, date(2026, 11, 16), date(2026, 11, 18))
    with container.db.unit_of_work(shop.tenant_id) as s:
        hr.approve_leave(s, staff.admin, clock_at(date(2026, 11, 10)), leave.id)
    return shop


@pytest.fixture(scope="module")
def november(container: Container) -> Shop:
    return busy_november(container)


class TestFigures:
    def test_the_report_says_what_the_rest_reports_say(
        self, november: Shop, container: Container, http: httpx.Client
    ) -> None:
        shop = november
        with container.db.unit_of_work(shop.tenant_id) as s:
            f = monthly_figures(s, shop.principal, container.clock, NOVEMBER)
        headers = {"Authorization": f"Bearer {login(http, shop.account)['access_token']}"}
        month = {"start": "2026-11-01", "end": "2026-11-30"}
        kpis = http.get("/api/v1/reports/kpis", params=month, headers=headers).json()
        assert Decimal(kpis["invoiced_net"]) == f.kpis.invoiced_net > 0
        assert Decimal(kpis["collected"]) == f.kpis.collected == Decimal("20.00")
        assert Decimal(kpis["unpaid"]) == f.kpis.unpaid
        assert Decimal(kpis["overdue"]) == f.kpis.overdue > 0
        assert [t["name"] for t in kpis["top_customers"]] == [t.name for t in f.kpis.top_customers]
        aged = http.get(
            "/api/v1/reports/aged-receivables", params={"as_of": "2026-11-30"}, headers=headers
        ).json()
        assert sum(Decimal(r["total"]) for r in aged) == sum(a for _, a in f.ageing) > 0
        assert Decimal(aged[0]["days_over_90"]) + Decimal(aged[0]["days_61_90"]) >= 0
        revenue = http.get(
            "/api/v1/reports/revenue",
            params={"start": "2025-12-01", "end": "2026-11-30"},
            headers=headers,
        ).json()
        by_month = {r["period"]: Decimal(r["invoiced_net"]) for r in revenue}
        assert {p.period.isoformat(): p.invoiced_net for p in f.months if p.invoiced_net} == (
            by_month
        )
        value = http.get("/api/v1/stock/valuation", headers=headers).json()
        assert f.stock is not None and Decimal(value["total"]) == f.stock.value
        absences = http.get("/api/v1/hr/absences", params=month, headers=headers).json()
        assert f.absences is not None
        assert [a["employee"] for a in absences] == [a.employee for a in f.absences]
        assert [a.employee for a in f.absences] == ["Aminata Fall"]


class TestFiles:
    def test_pdf_with_vector_charts_and_workbook_with_native_charts(
        self, november: Shop, container: Container
    ) -> None:
        shop = november
        with container.db.unit_of_work(shop.tenant_id) as s:
            files = report_files(s, shop.principal, container.clock, NOVEMBER)
            f = monthly_figures(s, shop.principal, container.clock, NOVEMBER)
        pdf = PdfReader(io.BytesIO(files["rapport-mensuel-2026-11.pdf"]))
        text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
        assert "rapport mensuel de novembre 2026" in text
        assert "Créances par ancienneté" in text and "Aminata Fall" in text
        assert "Boulangerie Ba" in text and "du 16/11 au 18/11" in text
        drawing_ops = pdf.pages[0].get_contents().get_data()  # type: ignore[union-attr]
        assert b" re" in drawing_ops  # bars are rectangles drawn in the page, not images
        assert not any(page.images for page in pdf.pages)
        book = load_workbook(io.BytesIO(files["rapport-mensuel-2026-11.xlsx"]))
        assert book.sheetnames[:4] == ["Synthèse", "Chiffre d'affaires", "Créances", "Clients"]
        assert {"Stock", "Absences"} <= set(book.sheetnames)
        assert len(book["Chiffre d'affaires"]._charts) == 1  # noqa: SLF001
        assert len(book["Créances"]._charts) == 1  # noqa: SLF001
        revenue = list(book["Chiffre d'affaires"].iter_rows(min_row=2))
        months = [row[0].value for row in revenue]
        assert revenue[-1][1].value == f.kpis.invoiced_net  # the cell holds the amount
        assert revenue[-1][1].number_format == "#,##0.00"
        assert months[0] == "déc. 25" and months[-1] == "nov. 26"


class TestMonthlyReport:
    def test_once_a_month_to_admins_and_accountants_with_the_files(
        self, container: Container, smtp: tuple[str, Inbox], http: httpx.Client
    ) -> None:
        url, inbox = smtp
        shop = busy_november(container)
        accountant = make_member(container, shop.account, Role.ACCOUNTANT)
        seller = make_member(container, shop.account, Role.SALES)
        december = mailing(container, url, first_of_december())
        run_kind(december, shop.account, "monthly_report")
        run_kind(december, shop.account, "monthly_report")  # same month: nothing new
        relay_all(december, shop.account)
        [run] = [r for r in runs(container, shop.account, "monthly_report")]
        assert run.status == "succeeded" and run.output["mois"] == "2026-11-01"
        sent = notifications(container, shop.account, "report.monthly")
        assert sorted(n.user_id for n in sent) == sorted([shop.account.user_id, accountant.user_id])
        assert seller.user_id not in {n.user_id for n in sent}
        body = sent[0].body
        assert "Facturé HT en novembre 2026" in body
        with container.db.unit_of_work(shop.tenant_id) as s:
            stored = list(s.scalars(select(Document).order_by(Document.filename)))
        assert [d.filename for d in stored] == [
            "rapport-mensuel-2026-11.pdf",
            "rapport-mensuel-2026-11.xlsx",
        ]
        assert all(d.access_roles == ["accountant"] for d in stored)
        assert all(f"/api/v1/documents/{d.id}/file" in body for d in stored)
        assert sent[0].data["attachments"] == [str(d.id) for d in stored]
        mails = [m for m in inbox.messages if "rapport mensuel" in str(m["Subject"])]
        mails = [m for m in mails if m["To"] in {accountant.email, shop.account.email}]
        assert len(mails) == 2
        parts = [p for p in mails[0].walk() if p.get_filename()]
        files = {p.get_filename(): p.get_payload(decode=True) for p in parts}
        assert set(files) == {"rapport-mensuel-2026-11.pdf", "rapport-mensuel-2026-11.xlsx"}
        assert bytes(files["rapport-mensuel-2026-11.pdf"])[:5] == b"%PDF-"
        with container.db.unit_of_work(shop.tenant_id) as s:
            named = {"attachments": [str(d.id) for d in stored]}
            for_seller = Notification(user_id=seller.user_id, data=named)
            for_accountant = Notification(user_id=accountant.user_id, data=named)
            assert attached_files(s, shop.tenant_id, for_seller) == ()  # may not read them
            assert len(attached_files(s, shop.tenant_id, for_accountant)) == 2
        pdf_id = stored[0].id
        assert fetch(http, accountant, pdf_id) == 200
        assert fetch(http, seller, pdf_id) == 404  # the file is the accountants' and admins'


def fetch(http: httpx.Client, account: Account, document_id: UUID) -> int:
    headers = {"Authorization": f"Bearer {login(http, account)['access_token']}"}
    return http.get(f"/api/v1/documents/{document_id}/file", headers=headers).status_code


class TestCommand:
    def test_comptoir_report_monthly_writes_both_files(
        self,
        november: Shop,
        container: Container,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
    ) -> None:
        from typer.testing import CliRunner

        import comptoir.bootstrap
        from comptoir.cli import app

        monkeypatch.setattr(comptoir.bootstrap, "build_container", lambda: container)
        monkeypatch.setattr(container, "close", lambda: None)  # the session's container
        args = ["report", "monthly", "--tenant", november.account.slug, "--out", str(tmp_path)]
        done = CliRunner().invoke(app, [*args, "--month", "2026-11"])
        assert done.exit_code == 0, done.output
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "rapport-mensuel-2026-11.pdf",
            "rapport-mensuel-2026-11.xlsx",
        ]
        refused = CliRunner().invoke(app, [*args, "--month", "novembre"])
        assert refused.exit_code == 2
        assert "Mois attendu sous la forme AAAA-MM" in refused.output


class TestOnWhatsApp:
    def test_an_empty_month_goes_as_text_and_two_documents_while_the_window_is_open(
        self, whatsapp_on: Container, fake_graph: FakeGraph
    ) -> None:
        from automations import whatsapp  # noqa: F401 - its relay sends the outbox
        from domain.automations.notifications import set_preferences

        admin = make_tenant(whatsapp_on, country="SN")
        link(whatsapp_on, admin, new_number())
        phone = new_phone()
        accountant = add_member_with_phone(whatsapp_on, admin, phone, Role.ACCOUNTANT)
        # After the real clock: the outbox holds a message queued "in the future" until then.
        moment = datetime(2027, 1, 1, 7, tzinfo=UTC)
        with whatsapp_on.db.unit_of_work(admin.tenant_id) as s:
            set_preferences(
                s,
                accountant.principal(Role.ACCOUNTANT),
                channels=["whatsapp"],
                quiet_start=None,
                quiet_end=None,
            )
            note_inbound(s, admin.tenant_id, phone, moment)
        december = at(whatsapp_on, moment)
        run_kind(december, admin, "monthly_report")
        relay_all(december, admin)
        sent = fake_graph.sent_to(phone)
        assert [m["type"] for m in sent] == ["text", "document", "document"]
        assert "Facturé HT en décembre 2026 : 0 FCFA" in sent[0]["text"]["body"]
        files = {m["document"]["filename"]: m["document"]["id"] for m in sent[1:]}
        assert set(files) == {"rapport-mensuel-2026-12.pdf", "rapport-mensuel-2026-12.xlsx"}
        assert fake_graph.media[files["rapport-mensuel-2026-12.pdf"]][0][:5] == b"%PDF-"
