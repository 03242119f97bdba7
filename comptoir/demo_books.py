"""The demo businesses' commercial history: customers, catalog, pipeline, quotes, six
months of invoices and payments — written through the services, dated by a clock that
walks through those months, so numbers, dates, entries and overdue amounts are all real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from comptoir.bootstrap import Container
from domain.finance import invoices, payments, quotes
from domain.finance.models import FiscalSettings
from domain.finance.schemas import (
    CreditNoteCreate,
    InvoiceCreate,
    LineIn,
    PaymentCreate,
    QuoteCreate,
)
from domain.kit.clock import ManualClock
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.schemas import (
    AddressIn,
    ContactCreate,
    OpportunityCreate,
    PartnerCreate,
    ProductCreate,
)


@dataclass(frozen=True)
class Catalog:
    """(name, sku, kind, unit, price, vat) per product, customers and the seller's details."""

    products: list[tuple[str, str, str, str, str, str]]
    customers: list[dict[str, Any]]
    settings: dict[str, Any]
    mobile: tuple[str, ...]


FR = Catalog(
    products=[
        ("Lampe de chevet Opaline", "LAMP-OPA", "goods", "pièce", "49.90", "20"),
        ("Ampoule LED E27 9 W", "LED-E27", "goods", "pièce", "6.50", "20"),
        ("Suspension rotin Ø 45", "SUSP-ROT", "goods", "pièce", "129.00", "20"),
        ("Guirlande guinguette 10 m", "GUIR-10", "goods", "pièce", "39.00", "20"),
        ("Installation luminaire", "POSE", "service", "heure", "55.00", "20"),
        ("Étude d'éclairage", "ETUDE", "service", "forfait", "350.00", "20"),
        ("Livre « Lumières de Paris »", "LIVRE-LUM", "goods", "pièce", "24.00", "5.5"),
        ("Travaux de rénovation éclairage", "RENOV", "service", "heure", "60.00", "10"),
    ],
    customers=[
        {"name": "Café des Arts", "siren": "552100554", "city": "Paris", "postcode": "75011"},
        {"name": "Hôtel Le Marais", "siren": "542051180", "city": "Paris", "postcode": "75004"},
        {"name": "Atelier Dubois", "city": "Montreuil", "postcode": "93100"},
        {"name": "Sophie Lefèvre", "kind": "individual", "city": "Vincennes", "postcode": "94300"},
        {"name": "Restaurant Chez Léon", "city": "Paris", "postcode": "75010"},
        {
            "name": "Cabinet Moreau Architectes",
            "siren": "443061841",
            "city": "Lyon",
            "postcode": "69002",
        },
    ],
    settings={
        "address_line1": "12 rue de la Roquette",
        "postcode": "75011",
        "city": "Paris",
        "legal_form": "SARL",
        "share_capital": "10 000 €",
        "trade_registry": "RCS Paris",
        "iban": "FR7630006000011234567890189",
    },
    mobile=("card", "bank_transfer", "cheque"),
)

SN = Catalog(
    products=[
        ("Sac de riz brisé 50 kg", "RIZ-50", "goods", "sac", "17500", "0"),
        ("Huile d'arachide 20 L", "HUILE-20", "goods", "unité", "26000", "18"),
        ("Sucre en morceaux (carton)", "SUCRE-CT", "goods", "carton", "12000", "18"),
        ("Lait en poudre 400 g (carton de 24)", "LAIT-24", "goods", "carton", "38400", "18"),
        ("Savon de Marseille (carton)", "SAVON-CT", "goods", "carton", "9500", "18"),
        ("Livraison Dakar et banlieue", "LIVR-DKR", "service", "forfait", "5000", "18"),
        ("Thé vert Chinois (carton)", "THE-CT", "goods", "carton", "21000", "18"),
    ],
    customers=[
        {"name": "Boutique Diallo & Fils", "city": "Dakar", "ninea": "0048290"},
        {"name": "Diallo SARL", "city": "Thiès"},
        {"name": "Supérette Ndiaye", "city": "Pikine"},
        {"name": "Alimentation Fall", "city": "Rufisque"},
        {"name": "Mame Diarra Sow", "kind": "individual", "city": "Dakar"},
        {"name": "Restaurant Le Lagon", "city": "Saint-Louis"},
    ],
    settings={
        "address_line1": "Zone industrielle, route de Rufisque",
        "postcode": "BP 2045",
        "city": "Dakar",
        "legal_form": "SARL",
        "trade_registry": "RCCM SN-DKR-2019-B-12345",
    },
    mobile=("wave", "orange_money", "cash"),
)


def _clock(day: date) -> ManualClock:
    return ManualClock(datetime.combine(day, time(10), tzinfo=UTC))


def _setup(
    container: Container, principal: Principal, catalog: Catalog, country: str
) -> tuple[list[UUID], list[UUID]]:
    with container.db.unit_of_work(principal.tenant_id) as session:
        session.execute(
            update(FiscalSettings)
            .where(FiscalSettings.tenant_id == principal.tenant_id)
            .values(**catalog.settings)
        )
        products = [
            sales.create_product(
                session,
                principal,
                ProductCreate(
                    name=name,
                    sku=sku,
                    kind=kind,  # type: ignore[arg-type]
                    unit=unit,
                    sale_price=Decimal(price),
                    vat_rate=Decimal(vat),
                ),
            ).id
            for name, sku, kind, unit, price, vat in catalog.products
        ]
        customers = []
        for i, c in enumerate(catalog.customers):
            partner = sales.create_partner(
                session,
                principal,
                PartnerCreate(
                    name=c["name"],
                    kind=c.get("kind", "company"),
                    siren=c.get("siren"),
                    ninea=c.get("ninea"),
                    email=f"contact{i}@client-demo.{country.lower()}",
                    payment_terms_days=30 if i % 2 == 0 else 15,
                    address=AddressIn(
                        line1=f"{i + 3} avenue principale",
                        city=c["city"],
                        postcode=c.get("postcode"),
                    ),
                    contacts=[ContactCreate(name="Responsable achats")]
                    if c.get("kind") != "individual"
                    else [],
                ),
            )
            customers.append(partner.id)
        return products, customers


def _invoice_history(
    container: Container,
    principal: Principal,
    catalog: Catalog,
    products: list[UUID],
    customers: list[UUID],
    start: date,
) -> None:
    """24 invoices over six months; most paid (some in part), the rest open or overdue."""
    currency = Currency.EUR if catalog is FR else Currency.XOF
    posted = []
    for i in range(24):
        day = start + timedelta(days=7 * i + 1)
        clock = _clock(day)
        lines = [
            LineIn(
                product_id=products[(i + k) % len(products)],
                quantity=Decimal(1 + (i + k) % 4),
                discount_percent=Decimal(5) if k == 1 and i % 3 == 0 else Decimal(0),
            )
            for k in range(1 + i % 3)
        ]
        with container.db.unit_of_work(principal.tenant_id) as session:
            draft = invoices.create_invoice(
                session,
                principal,
                clock,
                InvoiceCreate(partner_id=customers[i % len(customers)], lines=lines),
            )
            invoice = invoices.post_invoice(session, principal, clock, draft.id)
            posted.append((invoice.id, invoice.gross_total, day))
    for i, (invoice_id, gross, day) in enumerate(posted[:18]):
        method = catalog.mobile[i % len(catalog.mobile)]
        amount = gross if i % 4 else round_to_currency(gross / 2, currency)  # some partial
        with container.db.unit_of_work(principal.tenant_id) as session:
            payments.record_payment(
                session,
                principal,
                _clock(day + timedelta(days=12)),
                PaymentCreate(invoice_id=invoice_id, amount=amount, method=method),  # type: ignore[arg-type]
            )
    last_id = posted[-1][0]
    with container.db.unit_of_work(principal.tenant_id) as session:
        invoices.create_credit_note(
            session,
            principal,
            _clock(posted[-1][2] + timedelta(days=2)),
            last_id,
            CreditNoteCreate(reason="Article retourné par le client"),
        )


def _quotes(
    container: Container,
    principal: Principal,
    products: list[UUID],
    customers: list[UUID],
    today: date,
) -> None:
    """One quote per status (draft, sent, accepted, refused, expired) and one invoiced."""
    plan = [
        ("draft", 2),
        ("sent", 5),
        ("accepted", 8),
        ("refused", 20),
        ("expired", 45),
        ("invoiced", 10),
    ]
    for i, (status, age) in enumerate(plan):
        clock = _clock(today - timedelta(days=age))
        with container.db.unit_of_work(principal.tenant_id) as session:
            quote = quotes.create_quote(
                session,
                principal,
                clock,
                QuoteCreate(
                    partner_id=customers[i % len(customers)],
                    lines=[
                        LineIn(product_id=products[i % len(products)], quantity=Decimal(2 + i)),
                        LineIn(product_id=products[(i + 3) % len(products)], quantity=Decimal(1)),
                    ],
                ),
            )
            if status != "draft":
                quotes.send_quote(session, principal, clock, quote.id)
            if status in ("accepted", "invoiced"):
                quotes.accept_quote(session, principal, clock, quote.id)
            if status == "refused":
                quotes.refuse_quote(session, principal, clock, quote.id)
            if status == "expired":
                quotes.expire_quotes(session, principal, _clock(today))
            if status == "invoiced":
                invoice = quotes.convert_to_invoice(session, principal, clock, quote.id)
                invoices.post_invoice(
                    session, principal, _clock(today - timedelta(days=age - 1)), invoice.id
                )


def _pipeline(
    container: Container, principal: Principal, customers: list[UUID], today: date, unit: Decimal
) -> None:
    clock = _clock(today)
    stages = ["Nouveau", "Qualifié", "Proposition", "Négociation", "Gagné", "Perdu"]
    with container.db.unit_of_work(principal.tenant_id) as session:
        for i, stage in enumerate(stages):
            opportunity = sales.create_opportunity(
                session,
                principal,
                OpportunityCreate(
                    partner_id=customers[i % len(customers)],
                    title=f"Affaire {i + 1} — commande {KINDS_OF_DEAL[i % 3]}",
                    amount=unit * (i + 1) * 10,
                    expected_close_date=today + timedelta(days=15 * (i + 1)),
                ),
                clock=clock,
            )
            if stage != "Nouveau":
                sales.move_opportunity(
                    session,
                    principal,
                    opportunity.id,
                    stage,
                    clock=clock,
                    lost_reason="Prix trop élevé" if stage == "Perdu" else None,
                )


KINDS_OF_DEAL = ("annuelle", "trimestrielle", "spéciale")


def seed_books(container: Container, principal: Principal, country: str) -> None:
    catalog = FR if country == "FR" else SN
    today = container.clock.now().date()
    start = today - timedelta(days=24 * 7 + 10)
    with container.db.unit_of_work(principal.tenant_id) as session:
        if session.scalar(
            select(FiscalSettings.address_line1).where(
                FiscalSettings.tenant_id == principal.tenant_id
            )
        ):
            return  # already seeded
    products, customers = _setup(container, principal, catalog, country)
    _invoice_history(container, principal, catalog, products, customers, start)
    _quotes(container, principal, products, customers, today)
    _pipeline(
        container,
        principal,
        customers,
        today,
        Decimal("1000") if country == "FR" else Decimal("500000"),
    )
