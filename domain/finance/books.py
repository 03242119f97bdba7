"""The tenant's books as one unit of work sees them: currency, settings, today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from domain.finance.charts import ChartName, PostingAccounts, posting_accounts
from domain.finance.errors import WrongCurrency
from domain.finance.models import FiscalSettings, VatRate
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.money import Currency
from domain.kit.principal import Principal
from domain.kit.transaction import recall, remember


@dataclass(frozen=True, slots=True)
class Books:
    principal: Principal
    tenant: Tenant
    settings: FiscalSettings
    clock: Clock
    # The tenant's active VAT rates, highest first (``vat.active_rates``' order).
    vat_rates: tuple[VatRate, ...]

    @property
    def currency(self) -> Currency:
        return Currency(self.tenant.currency)

    @property
    def accounts(self) -> PostingAccounts:
        return posting_accounts(ChartName(self.settings.chart))

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Business dates are the tenant's local date (Paris, Dakar), from the clock."""
        return self.clock.now().astimezone(ZoneInfo(self.tenant.timezone)).date()

    def require_currency(self, currency: str | None) -> Currency:
        if currency is not None and currency.upper() != self.currency.value:
            raise WrongCurrency(
                f"Devise refusée : {currency}. Les montants de cette entreprise sont en "
                f"{self.currency.value}.",
                field="currency",
            )
        return self.currency


def open_books(session: Session, principal: Principal, clock: Clock) -> Books:
    """The books of the principal's tenant, with its active VAT rates. Read in one
    statement, once per transaction: an invoice created then posted in one unit of work
    opens them twice, and the second read would return the very same rows of the
    session's identity map. (The rates are written with the settings, by
    ``setup.prepare_books``, and never changed after: a transaction that found the books
    cannot see them change.)"""
    key = ("finance.books", principal.tenant_id)
    memo: tuple[Tenant, FiscalSettings, tuple[VatRate, ...]] | None = recall(session, key)
    if memo is None:
        found = session.execute(
            select(Tenant, FiscalSettings, VatRate)
            .join(FiscalSettings, FiscalSettings.tenant_id == Tenant.id)
            .outerjoin(VatRate, and_(VatRate.tenant_id == Tenant.id, VatRate.is_active))
            .where(Tenant.id == principal.tenant_id)
            .order_by(VatRate.rate.desc())
        ).all()
        if not found:  # every tenant gets its books when created
            raise RuntimeError(f"tenant {principal.tenant_id} has no books")
        rates = tuple(row[2] for row in found if row[2] is not None)
        memo = (found[0][0], found[0][1], rates)
        remember(session, key, memo)
    tenant, settings, rates = memo
    return Books(
        principal=principal, tenant=tenant, settings=settings, clock=clock, vat_rates=rates
    )


def currency_of(session: Session, principal: Principal) -> str:
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant.currency
