"""VAT rates: the country defaults a tenant starts with, and the check every line goes through."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance.errors import UnknownVatRate
from domain.finance.models import VatRate


@dataclass(frozen=True, slots=True)
class RateDefault:
    rate: Decimal
    category: str
    label: str
    exemption_reason: str | None = None
    is_default: bool = False


# France: CGI art. 278 (20 %), 278 bis/279 (10 %), 278-0 bis (5,5 %), 281 quater… (2,1 %).
# Senegal: Code général des impôts art. 369 (18 %), 10 % for tourist accommodation and
# restaurants (loi de finances 2017…); exemptions of art. 361 (basic foodstuffs…).
COUNTRY_RATES: dict[str, tuple[RateDefault, ...]] = {
    "FR": (
        RateDefault(Decimal("20"), "S", "TVA 20 %", is_default=True),
        RateDefault(Decimal("10"), "S", "TVA 10 %"),
        RateDefault(Decimal("5.5"), "S", "TVA 5,5 %"),
        RateDefault(Decimal("2.1"), "S", "TVA 2,1 %"),
        RateDefault(Decimal("0"), "E", "Exonéré", "Exonération de TVA, article 261 du CGI"),
    ),
    "SN": (
        RateDefault(Decimal("18"), "S", "TVA 18 %", is_default=True),
        RateDefault(Decimal("10"), "S", "TVA 10 %"),
        RateDefault(Decimal("0"), "E", "Exonéré", "Exonération de TVA, article 361 du CGI"),
    ),
}


class RateLike(Protocol):
    """A VAT rate as pricing reads it: a ``VatRate`` row or the books' ``ActiveRate``."""

    @property
    def rate(self) -> Decimal: ...
    @property
    def category(self) -> str: ...
    @property
    def is_default(self) -> bool: ...


R = TypeVar("R", bound=RateLike)


def format_rate(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text.replace(".", ",") + " %"


def active_rates(session: Session, tenant_id: UUID) -> list[VatRate]:
    return list(
        session.scalars(
            select(VatRate)
            .where(VatRate.tenant_id == tenant_id, VatRate.is_active)
            .order_by(VatRate.rate.desc())
        )
    )


def pick_rate(rates: list[R], rate: Decimal) -> R:
    """The rate of ``rates`` equal to ``rate``, or a French refusal listing them."""
    for candidate in rates:
        if candidate.rate == rate:
            return candidate
    allowed = ", ".join(format_rate(r.rate) for r in rates)
    raise UnknownVatRate(
        f"Taux de TVA inconnu : {format_rate(rate)}. Taux possibles : {allowed}.",
        field="vat_rate",
    )


def require_rate(session: Session, tenant_id: UUID, rate: Decimal) -> VatRate:
    """The tenant's active rate equal to ``rate``, or a French refusal listing the others."""
    return pick_rate(active_rates(session, tenant_id), rate)


def default_of(rates: list[R]) -> R:
    return next((r for r in rates if r.is_default), rates[0])
