"""The tenant's books as one unit of work sees them: currency, settings, today's date."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.finance.charts import ChartName, PostingAccounts, posting_accounts
from domain.finance.errors import WrongCurrency
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.money import Currency
from domain.kit.principal import Principal
from domain.kit.transaction import recall, remember


@dataclass(frozen=True, slots=True)
class TenantFacts:
    """The ``tenants`` row as the books read it (read-only: the tenant is changed through
    the identity services, never through the books)."""

    id: UUID
    name: str
    country: str
    currency: str
    timezone: str
    siren: str | None
    siret: str | None
    vat_number: str | None
    ninea: str | None


@dataclass(frozen=True, slots=True)
class FiscalFacts:
    """The ``fiscal_settings`` row as the books read it (read-only, like ``TenantFacts``)."""

    chart: str
    payment_terms_days: int
    quote_validity_days: int
    invoice_pattern: str
    credit_note_pattern: str
    quote_pattern: str
    legal_mentions: list[str]
    late_penalty_text: str | None
    iban: str | None
    address_line1: str | None
    postcode: str | None
    city: str | None
    legal_form: str | None
    share_capital: str | None
    trade_registry: str | None
    vat_on_debits: bool


@dataclass(frozen=True, slots=True)
class ActiveRate:
    """An active ``vat_rates`` row, as lines are priced with it (``vat.RateLike``)."""

    id: UUID
    rate: Decimal
    category: str
    label: str
    exemption_reason: str | None
    is_default: bool


@dataclass(frozen=True, slots=True)
class Books:
    principal: Principal
    tenant: TenantFacts
    settings: FiscalFacts
    clock: Clock
    # The tenant's active VAT rates, highest first (``vat.active_rates``' order).
    vat_rates: tuple[ActiveRate, ...]

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


_TENANT_NAMES = [f.name for f in fields(TenantFacts)]
_FISCAL_NAMES = [f.name for f in fields(FiscalFacts)]
_TENANT_COLUMNS = ", ".join(f"t.{name}" for name in _TENANT_NAMES)
_FISCAL_COLUMNS = ", ".join(f"f.{name}" for name in _FISCAL_NAMES)
# The tenant, its fiscal settings and its active rates (as one JSON array, highest first)
# in one row. Plain rows, not ORM entities: the books are read by every finance operation,
# and building three mapped objects per rate row cost more Python than the statement.
_BOOKS_SQL = f"""
SELECT {_TENANT_COLUMNS}, {_FISCAL_COLUMNS},
       (SELECT json_agg(json_build_array(r.id, r.rate::text, r.category, r.label,
                                         r.exemption_reason, r.is_default)
                        ORDER BY r.rate DESC)
          FROM vat_rates r WHERE r.tenant_id = t.id AND r.is_active) AS rates
  FROM tenants t JOIN fiscal_settings f ON f.tenant_id = t.id
 WHERE t.id = %(tenant_id)s
"""


def _rates(found: list[list[Any]] | None) -> tuple[ActiveRate, ...]:
    return tuple(
        ActiveRate(UUID(rid), Decimal(rate), category, label, reason, bool(default))
        for rid, rate, category, label, reason, default in found or ()
    )


def open_books(session: Session, principal: Principal, clock: Clock) -> Books:
    """The books of the principal's tenant, with its active VAT rates. Read in one
    statement, once per transaction: an invoice created then posted in one unit of work
    opens them twice, and the second read would find the very same rows. (The rates are
    written with the settings, by ``setup.prepare_books``, and never changed after: a
    transaction that found the books cannot see them change.)"""
    key = ("finance.books", principal.tenant_id)
    memo: tuple[TenantFacts, FiscalFacts, tuple[ActiveRate, ...]] | None = recall(session, key)
    if memo is None:
        session.flush()  # the books a transaction has just written (sign-up) are read too
        row = (
            session.connection()
            .exec_driver_sql(_BOOKS_SQL, {"tenant_id": principal.tenant_id})
            .first()
        )
        if row is None:  # every tenant gets its books when created
            raise RuntimeError(f"tenant {principal.tenant_id} has no books")
        tenant_end = len(_TENANT_NAMES)
        fiscal_end = tenant_end + len(_FISCAL_NAMES)
        memo = (
            TenantFacts(*row[:tenant_end]),
            FiscalFacts(*row[tenant_end:fiscal_end]),
            _rates(row[fiscal_end]),
        )
        remember(session, key, memo)
    tenant, settings, rates = memo
    return Books(
        principal=principal, tenant=tenant, settings=settings, clock=clock, vat_rates=rates
    )


def currency_of(session: Session, principal: Principal) -> str:
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant.currency
