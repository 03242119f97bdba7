"""The built-in automations, each on a real business: stock alert, morning digest,
dunning, recurring invoices, quote expiry, leave accrual, pending approvals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from comptoir.bootstrap import Container
from domain.audit.models import AuditEntry
from domain.automations.models import StockAlert
from domain.finance.models import Quote
from domain.finance.quotes import create_quote, send_quote
from domain.finance.recurring import create_recurring
from domain.finance.schemas import LineIn, QuoteCreate, RecurringCreate
from domain.hr import service as hr
from domain.hr.models import LeaveMovement
from domain.hr.schemas import ContractCreate
from domain.kit.money import Currency, Money
from domain.kit.principal import Role
from tests.automations.helpers import at, notifications, relay_all, run_kind, runs
from tests.factories import make_member
from tests.finance_factories import clock_at, make_shop, pay, posted_invoice
from tests.hr_factories import MONDAY, Staff, ask_leave, make_employee, make_staff, open_balance
from tests.purchasing_factories import clock, make_buyer, make_goods, sell, set_rule, stock_in


class TestStockAlert:
    def test_one_alert_per_crossing_with_the_reorder_suggestion(self, container: Container) -> None:
        buyer = make_buyer(container)
        manager = make_member(container, buyer.account, Role.MANAGER)
        seller = make_member(container, buyer.account, Role.SALES)
        rice = make_goods(container, buyer.account, name="Riz brisé", unit="sac")
        set_rule(container, buyer, rice, "20", "100")
        stock_in(container, buyer, rice, "25")
        relay_all(container, buyer.account)
        at = clock()
        sell(container, buyer, rice, "3", at)  # 22: still above
        relay_all(container, buyer.account)
        assert notifications(container, buyer.account, "stock.low") == []
        sell(container, buyer, rice, "5", at)  # 17: crosses under 20
        sell(container, buyer, rice, "2", at)  # 15: same crossing
        relay_all(container, buyer.account)
        alerts = notifications(container, buyer.account, "stock.low")
        assert sorted(n.user_id for n in alerts) == sorted([buyer.account.user_id, manager.user_id])
        assert seller.user_id not in {n.user_id for n in alerts}
        body = alerts[0].body
        assert "Riz brisé" in body and "15 sac" in body and "minimum 20" in body
        assert "commander 85 sac" in body  # back to the maximum of 100
        # Back above the minimum closes it; the next crossing alerts again.
        stock_in(container, buyer, rice, "50")
        relay_all(container, buyer.account)
        with container.db.unit_of_work(buyer.tenant_id) as s:
            assert s.scalars(select(StockAlert.cleared_at)).one() is not None
        sell(container, buyer, rice, "50", at)
        relay_all(container, buyer.account)
        assert len(notifications(container, buyer.account, "stock.low")) == 4  # 2 crossings × 2
        assert {r.status for r in runs(container, buyer.account, "stock_alert")} == {"succeeded"}

    def test_switched_off_it_says_nothing(self, container: Container) -> None:
        from automations.manage import update_automation

        buyer = make_buyer(container)
        rice = make_goods(container, buyer.account)
        set_rule(container, buyer, rice, "20", "100")
        stock_in(container, buyer, rice, "25")
        with container.db.unit_of_work(buyer.tenant_id) as s:
            update_automation(s, buyer.principal, clock(), "stock_alert", enabled=False)
        sell(container, buyer, rice, "10", clock())
        relay_all(container, buyer.account)
        assert notifications(container, buyer.account, "stock.low") == []


def local(day: date, hour: int, zone: str = "Europe/Paris") -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def accrual_months(container: Container, staff: Staff) -> list[date]:
    with container.db.unit_of_work(staff.tenant_id) as s:
        return sorted(
            set(
                s.scalars(
                    select(LeaveMovement.accrual_month).where(LeaveMovement.kind == "accrual")
                )
            )
        )


class TestMorningDigest:
    def test_yesterday_overdue_and_absences_to_the_managers(self, container: Container) -> None:
        shop = make_shop(container)
        yesterday = date(2026, 3, 22)
        sold = posted_invoice(container, shop, clock=clock_at(yesterday))
        old = posted_invoice(container, shop, clock=clock_at(date(2026, 1, 5)))
        pay(
            container,
            shop,
            "10",
            clock=clock_at(yesterday),
            partner_id=shop.customer_id,
            invoice_id=sold.id,
        )
        run_kind(at(container, local(date(2026, 3, 23), 8)), shop.account, "morning_digest")
        [digest] = notifications(container, shop.account, "digest.morning")
        assert digest.title == "Votre résumé du 23/03/2026"
        assert f"Ventes d'hier : {format_eur(sold.gross_total)} (1 facture(s))" in digest.body
        assert "Encaissé hier : 10,00 €" in digest.body
        assert f"En retard : 1 facture(s), {format_eur(old.gross_total)}" in digest.body
        assert "Absents aujourd'hui : personne" in digest.body


def format_eur(amount: Decimal) -> str:
    return Money(amount, Currency.EUR).format_fr()


class TestRoutine:
    def test_recurring_invoices_and_quote_expiry_run_daily(self, container: Container) -> None:
        shop = make_shop(container)
        day = date(2026, 3, 23)
        with container.db.unit_of_work(shop.tenant_id) as s:
            create_recurring(
                s,
                shop.principal,
                clock_at(day),
                RecurringCreate(
                    partner_id=shop.customer_id,
                    label="Loyer",
                    frequency="monthly",
                    start_date=date(2026, 2, 23),
                    lines=[LineIn(product_id=shop.service_id, quantity=Decimal(1))],
                ),
            )
            quote = create_quote(
                s,
                shop.principal,
                clock_at(date(2026, 3, 1)),
                QuoteCreate(
                    partner_id=shop.customer_id,
                    valid_days=10,
                    lines=[LineIn(product_id=shop.goods_id, quantity=Decimal(2))],
                ),
            )
            send_quote(s, shop.principal, clock_at(date(2026, 3, 1)), quote.id)
        moment = at(container, local(day, 7))
        run_kind(moment, shop.account, "recurring_invoices")
        run_kind(moment, shop.account, "quote_expiry")
        [recurring] = runs(container, shop.account, "recurring_invoices")
        assert recurring.output["factures"] == 2  # February's, caught up, and March's
        [expiry] = runs(container, shop.account, "quote_expiry")
        assert expiry.output == {"devis_expires": 1}
        with container.db.unit_of_work(shop.tenant_id) as s:
            assert s.get(Quote, (shop.tenant_id, quote.id)).status == "expired"  # type: ignore[union-attr]

    def test_leave_accrual_on_the_first_catches_up_missed_months(
        self, container: Container
    ) -> None:
        staff = make_staff(container)
        make_employee(container, staff, hire_date=date(2024, 1, 1))
        run_kind(at(container, local(date(2026, 3, 1), 2)), staff.account, "leave_accrual")
        assert accrual_months(container, staff) == [date(2026, 2, 1)]
        # April's and May's runs never happened; June's credits March, April and May.
        run_kind(at(container, local(date(2026, 6, 1), 2)), staff.account, "leave_accrual")
        assert accrual_months(container, staff) == [
            date(2026, 2, 1),
            date(2026, 3, 1),
            date(2026, 4, 1),
            date(2026, 5, 1),
        ]
        # Audited as the automation acting for the business's admin.
        with container.db.unit_of_work(staff.tenant_id) as s:
            entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "leave.accrue")).all()
        assert {(e.actor_type, e.channel, e.actor_id) for e in entries} == {
            ("automation", "automation", staff.account.user_id)
        }
        assert all(e.automation_id is not None for e in entries) and len(entries) == 4

    def test_pending_leave_requests_are_recalled_to_hr(self, container: Container) -> None:
        staff = make_staff(container)
        hr_member = make_member(container, staff.account, Role.HR)
        employee = make_employee(container, staff, name="Awa Ndiaye")
        open_balance(container, staff, employee.id, "10")
        ask_leave(container, staff.admin, employee.id, MONDAY, MONDAY + timedelta(days=1))
        run_kind(
            at(container, local(MONDAY - timedelta(days=4), 10)),
            staff.account,
            "approvals_reminder",
        )
        reminders = notifications(container, staff.account, "approvals.pending")
        assert {n.user_id for n in reminders} == {staff.account.user_id, hr_member.user_id}
        assert "Awa Ndiaye : du 23/03/2026 au 24/03/2026" in reminders[0].body

    def test_contract_expiry_is_announced_once(self, container: Container) -> None:
        staff = make_staff(container)
        employee = make_employee(container, staff, name="Moussa Sarr")
        with container.db.unit_of_work(staff.tenant_id) as s:
            hr.create_contract(
                s,
                staff.admin,
                ContractCreate(
                    employee_id=employee.id,
                    kind="cdd",
                    start_date=date(2025, 10, 1),
                    end_date=date(2026, 4, 15),
                    salary=Decimal("2000"),
                ),
            )
        run_kind(at(container, local(date(2026, 3, 10), 9)), staff.account, "contract_expiry")
        assert notifications(container, staff.account, "contract.expiring") == []  # 36 days
        for day in (20, 21):
            run_kind(at(container, local(date(2026, 3, day), 9)), staff.account, "contract_expiry")
        [notice] = notifications(container, staff.account, "contract.expiring")
        assert notice.title == "Fin de contrat : Moussa Sarr"
        assert "se termine le 15/04/2026, dans 26 jour(s)" in notice.body
