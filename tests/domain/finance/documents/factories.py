"""Printable documents as the finance services would snapshot them, built in Python.

``make_line`` and ``make_document`` do the arithmetic the way the services must (line net
rounded once, VAT rounded once per rate) so fixtures stay consistent; the tests also pin
the hand-computed totals of the French invoice so a slip here cannot hide.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from domain.finance.documents.model import (
    Address,
    DocumentKind,
    Line,
    Party,
    PrintableDocument,
    Totals,
    VatBreakdown,
)
from domain.kit.money import Currency, round_to_currency

FR_MENTIONS = [
    "En cas de retard de paiement, des pénalités de retard sont exigibles au taux de trois "
    "fois le taux d'intérêt légal (article L441-10 du Code de commerce).",
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
    "(article D441-5 du Code de commerce).",
    "Pas d'escompte pour paiement anticipé.",
]
SN_EXEMPTION = "Exonération de TVA – article 361 du Code général des impôts (formation)"


def fr_seller() -> Party:
    return Party(
        name="Atelier Lumière SARL",
        address=Address("12 rue de la Paix", "75002", "Paris", "FR", line2="Bâtiment B"),
        siren="123456789",
        siret="12345678900017",
        vat_number="FR32123456789",
        email="facturation@atelier-lumiere.fr",
        phone="+33142000000",
        legal_form="SARL",
        share_capital="10 000 €",
        registry="RCS Paris",
    )


def fr_buyer() -> Party:
    return Party(
        name="Boulangerie Éclair & Fils",
        address=Address("3 place du Marché", "69001", "Lyon", "FR"),
        siren="987654321",
        vat_number="FR44987654321",
        email="compta@eclair.fr",
    )


def sn_seller() -> Party:
    return Party(
        name="Téranga Services SARL",
        address=Address("Route de Ngor, Almadies", "12500", "Dakar", "SN"),
        ninea="005678912 2V2",
        phone="+221338001122",
        legal_form="SARL",
        share_capital="1 000 000 FCFA",
        registry="RCCM SN-DKR-2020-B-1234",
    )


def sn_buyer() -> Party:
    return Party(
        name="Boutique Ndèye Fall",
        address=Address("Marché Sandaga", "10200", "Dakar", "SN"),
        ninea="004433221",
    )


def make_line(
    position: int,
    description: str,
    quantity: str,
    unit_price: str,
    *,
    currency: Currency = Currency.EUR,
    unit: str = "C62",
    discount: str = "0",
    vat_rate: str = "20",
    category: str = "S",
    sku: str | None = None,
) -> Line:
    qty, price, disc = Decimal(quantity), Decimal(unit_price), Decimal(discount)
    net = round_to_currency(qty * price * (1 - disc / 100), currency)
    return Line(
        position=position,
        description=description,
        quantity=qty,
        unit=unit,
        unit_price=price,
        discount_percent=disc,
        net_amount=net,
        vat_rate=Decimal(vat_rate),
        vat_category=category,
        sku=sku,
    )


def make_document(
    kind: DocumentKind,
    lines: list[Line],
    *,
    currency: Currency = Currency.EUR,
    paid: str = "0",
    exemption_reason: str | None = None,
    **fields: Any,
) -> PrintableDocument:
    bases: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for line in lines:
        bases[(line.vat_category, line.vat_rate)] += line.net_amount
    vat = [
        VatBreakdown(
            rate=rate,
            category=category,
            base=base,
            tax=round_to_currency(base * rate / 100, currency),
            exemption_reason=exemption_reason if category == "E" else None,
        )
        for (category, rate), base in sorted(bases.items(), key=lambda kv: -kv[0][1])
    ]
    net = sum((line.net_amount for line in lines), Decimal(0))
    tax = sum((v.tax for v in vat), Decimal(0))
    gross = net + tax
    totals = Totals(net=net, tax=tax, gross=gross, paid=Decimal(paid), due=gross - Decimal(paid))
    defaults: dict[str, Any] = {
        "number": "F-2026-00042",
        "issue_date": date(2026, 1, 15),
        "seller": fr_seller(),
        "buyer": fr_buyer(),
        "country": "FR",
    }
    defaults.update(fields)
    return PrintableDocument(
        kind=kind, currency=currency, lines=lines, vat=vat, totals=totals, **defaults
    )


def fr_invoice() -> PrintableDocument:
    lines = [
        make_line(1, "Conseil en organisation", "3", "120.00", unit="HUR", sku="CONS-01"),
        make_line(2, "Licence logiciel annuelle", "2", "450.00", discount="10"),
        make_line(3, "Repas de séminaire", "12", "18.50", vat_rate="10"),
        make_line(
            4,
            "Ouvrage « Gérer sa boulangerie » – édition 2026",
            "5",
            "23.90",
            discount="5",
            vat_rate="5.5",
        ),
    ]
    return make_document(
        DocumentKind.INVOICE,
        lines,
        due_date=date(2026, 2, 14),
        payment_terms="Paiement à 30 jours",
        payment_means="Virement bancaire",
        iban="FR7630006000011234567890189",
        legal_mentions=FR_MENTIONS,
        notes=["Merci de rappeler le numéro de facture lors de votre règlement."],
        buyer_reference="BC-2026-117",
    )


def fr_long_invoice(lines: int = 70) -> PrintableDocument:
    items = [
        make_line(
            i,
            f"Prestation de maintenance n° {i} – intervention sur site",
            "1.5",
            "64.00",
            unit="HUR",
        )
        for i in range(1, lines + 1)
    ]
    return dataclasses.replace(
        fr_invoice(),
        lines=items,
        **_totals_of(make_document(DocumentKind.INVOICE, items)),
    )


def _totals_of(doc: PrintableDocument) -> dict[str, Any]:
    return {"vat": doc.vat, "totals": doc.totals}


def sn_invoice() -> PrintableDocument:
    xof = Currency.XOF
    lines = [
        make_line(
            1, "Sac de riz brisé 50 kg", "10", "17500", currency=xof, unit="XBG", vat_rate="18"
        ),
        make_line(2, "Livraison Dakar – Thiès", "1", "15000", currency=xof, vat_rate="18"),
        make_line(
            3, "Huile d'arachide 5 l", "7", "6250", currency=xof, discount="3", vat_rate="18"
        ),
        make_line(
            4,
            "Formation à la gestion de stock",
            "2",
            "75000",
            currency=xof,
            unit="DAY",
            vat_rate="0",
            category="E",
        ),
    ]
    return make_document(
        DocumentKind.INVOICE,
        lines,
        currency=xof,
        paid="100000",
        exemption_reason=SN_EXEMPTION,
        number="FA-2026-0007",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        seller=sn_seller(),
        buyer=sn_buyer(),
        country="SN",
        payment_terms="Paiement à 30 jours",
        payment_means="Wave ou Orange Money au +221 77 000 11 22",
    )


def credit_note() -> PrintableDocument:
    lines = [make_line(1, "Retour : licence logiciel annuelle", "1", "450.00", discount="10")]
    return make_document(
        DocumentKind.CREDIT_NOTE,
        lines,
        number="AV-2026-00003",
        issue_date=date(2026, 1, 28),
        preceding_invoice="F-2026-00042",
        preceding_invoice_date=date(2026, 1, 15),
        payment_terms="Avoir imputable sur la prochaine facture",
        legal_mentions=FR_MENTIONS,
    )


def deposit_invoice() -> PrintableDocument:
    lines = [make_line(1, "Acompte de 30 % sur le devis D-2026-0011", "1", "3000.00")]
    return make_document(
        DocumentKind.DEPOSIT_INVOICE,
        lines,
        number="FA-2026-00043",
        issue_date=date(2026, 1, 20),
        due_date=date(2026, 1, 27),
        payment_means="Virement",
        iban="FR7630006000011234567890189",
        legal_mentions=FR_MENTIONS,
    )


def quote(*, country: str = "FR") -> PrintableDocument:
    currency = Currency.XOF if country == "SN" else Currency.EUR
    price = "250000" if country == "SN" else "1250.00"
    lines = [
        make_line(
            1,
            "Refonte du site vitrine",
            "1",
            price,
            currency=currency,
            discount="15",
            vat_rate="18" if country == "SN" else "20",
        ),
        make_line(
            2,
            "Hébergement (12 mois)",
            "12",
            "15000" if country == "SN" else "9.90",
            currency=currency,
            unit="MON",
            vat_rate="18" if country == "SN" else "20",
        ),
    ]
    seller, buyer = (sn_seller(), sn_buyer()) if country == "SN" else (fr_seller(), fr_buyer())
    return make_document(
        DocumentKind.QUOTE,
        lines,
        currency=currency,
        number="D-2026-0011",
        issue_date=date(2026, 1, 5),
        valid_until=date(2026, 2, 4),
        version=2,
        seller=seller,
        buyer=buyer,
        country=country,
        notes=["Délai de réalisation : 4 semaines après acceptation."],
    )


def all_invoices() -> dict[str, PrintableDocument]:
    """Every document that has a Factur-X form, by name (for parametrised tests)."""
    return {
        "fr_invoice": fr_invoice(),
        "sn_invoice": sn_invoice(),
        "credit_note": credit_note(),
        "deposit_invoice": deposit_invoice(),
        "fr_long_invoice": fr_long_invoice(),
    }
