"""What a new tenant's books start with: fiscal settings, VAT rates, chart, journals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.finance.charts import chart_for_country, load_chart
from domain.finance.models import Account, FiscalSettings, Journal, VatRate
from domain.finance.vat import COUNTRY_RATES
from domain.identity.models import Tenant
from domain.kit.errors import InvalidInput
from domain.kit.principal import Principal, Role

JOURNALS = (
    ("VT", "Journal des ventes", "sales"),
    ("AC", "Journal des achats", "purchases"),
    ("BQ", "Banque", "bank"),
    ("MM", "Mobile money (Wave, Orange Money)", "bank"),
    ("CA", "Caisse", "cash"),
    ("OD", "Opérations diverses", "miscellaneous"),
)

# Printed at the foot of every FR invoice (Code de commerce L. 441-9, L. 441-10, D. 441-5).
FR_MENTIONS = (
    "Pas d'escompte pour paiement anticipé.",
    "En cas de retard de paiement, une pénalité égale à trois fois le taux d'intérêt légal "
    "est exigible (article L. 441-10 du Code de commerce).",
    "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : "
    "40 € (article D. 441-5 du Code de commerce).",
)
SN_MENTIONS = ("Tout retard de paiement entraîne l'application de pénalités de retard.",)

PATTERNS = {
    "invoice_pattern": "F-{year}-{seq:05d}",
    "credit_note_pattern": "AV-{year}-{seq:05d}",
    "quote_pattern": "D-{year}-{seq:05d}",
}


def prepare_books(session: Session, tenant: Tenant) -> None:
    """Give ``tenant`` its settings, rates, chart and journals (idempotent)."""
    exists = session.scalar(select(FiscalSettings.id).where(FiscalSettings.tenant_id == tenant.id))
    if exists is not None:
        return
    chart = chart_for_country(tenant.country)
    session.add(
        FiscalSettings(
            tenant_id=tenant.id,
            chart=chart.value,
            legal_mentions=list(FR_MENTIONS if tenant.country == "FR" else SN_MENTIONS),
            **PATTERNS,
        )
    )
    for default in COUNTRY_RATES[tenant.country]:
        session.add(
            VatRate(
                tenant_id=tenant.id,
                rate=default.rate,
                category=default.category,
                label=default.label,
                exemption_reason=default.exemption_reason,
                is_default=default.is_default,
            )
        )
    session.add_all(
        Account(tenant_id=tenant.id, number=a.number, label=a.label, kind=a.kind)
        for a in load_chart(chart)
    )
    session.add_all(
        Journal(tenant_id=tenant.id, code=code, name=name, kind=kind)
        for code, name, kind in JOURNALS
    )
    session.flush()


def choose_vat_on_debits(session: Session, principal: Principal, *, chosen: bool) -> None:
    """Record whether the business opted to pay VAT on its debits (France, services): its
    invoices then say so, on paper and in their Factur-X (BT-8)."""
    principal.require(Role.ACCOUNTANT)
    settings = session.scalar(
        select(FiscalSettings).where(FiscalSettings.tenant_id == principal.tenant_id)
    )
    if settings is None:
        raise InvalidInput("Les réglages comptables de l'entreprise n'existent pas encore.")
    settings.vat_on_debits = chosen
    session.flush()
    audit.record(
        session, principal, "fiscal_settings.vat_on_debits", after={"vat_on_debits": chosen}
    )
