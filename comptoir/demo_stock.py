"""Demo stock data: products, two warehouses, six months of moves, purchase orders.

Written through the sales, stock and purchasing services, dated by a clock that walks
through the last six months: receipts of purchase orders, weekly counter sales, a
transfer, an inventory adjustment, lots (a few expiring within weeks), products under
their minimum, and open orders (one sent, one partially received). The demo catalog of
``demo_books`` is reused by SKU (created here if missing) and completed to 50+ products.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.bootstrap import Container
from comptoir.demo_books import FR as FR_BOOKS
from comptoir.demo_books import SN as SN_BOOKS
from domain.kit.clock import ManualClock
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.models import Partner, Product
from domain.sales.schemas import PartnerCreate, ProductCreate
from domain.stock import service as stock
from domain.stock.models import StockMove, Warehouse
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.schemas import (
    PurchaseLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
    ReorderRuleIn,
    SupplierTermsIn,
)

# (name, sku, unit, sale price, VAT, tracked by lots)
Item = tuple[str, str, str, str, str, bool]


@dataclass(frozen=True)
class StockPlan:
    books_goods: list[tuple[str, str, str, str, str]]  # (name, sku, unit, price, vat)
    extras: list[Item]
    suppliers: list[tuple[str, int]]  # (name, lead time in days)
    annex: tuple[str, str]  # second warehouse (code, name)
    base: int  # a typical maximum stock, in units
    moq: Decimal  # minimum order quantity of the first supplier


def _goods(catalog: object) -> list[tuple[str, str, str, str, str]]:
    products = getattr(catalog, "products")  # noqa: B009 - both catalogs share the shape
    return [
        (n, sku, unit, price, vat) for n, sku, kind, unit, price, vat in products if kind == "goods"
    ]


def _fr_extras() -> list[Item]:
    rows: list[Item] = []
    families = [
        (
            "Ampoule LED",
            "AMP",
            "pièce",
            "7.90",
            ["E14 5 W", "E27 12 W", "GU10 5 W", "B22 9 W", "filament E27 6 W", "G9 3 W"],
        ),
        ("Applique murale", "APP", "pièce", "69.00", ["laiton", "noire", "blanche", "rotin"]),
        ("Lampadaire", "LPD", "pièce", "159.00", ["arc", "trépied bois", "liseuse"]),
        ("Lampe de bureau", "LBU", "pièce", "59.00", ["articulée", "banquier verte", "pliable"]),
        ("Abat-jour lin", "ABJ", "pièce", "29.00", ["Ø 20", "Ø 30", "Ø 40"]),
        (
            "Suspension",
            "SUS",
            "pièce",
            "89.00",
            ["verre fumé", "métal noir", "papier Ø 60", "bambou"],
        ),
        ("Ruban LED", "RUB", "pièce", "24.90", ["2 m", "5 m", "10 m"]),
        ("Spot encastrable", "SPT", "pièce", "14.90", ["blanc", "noir", "orientable"]),
        ("Variateur", "VAR", "pièce", "19.90", ["rotatif", "tactile"]),
        ("Câble textile 3 m", "CAB", "pièce", "12.50", ["rouge", "or", "noir"]),
        ("Douille E27", "DOU", "pièce", "6.90", ["laiton", "porcelaine"]),
        ("Bougie LED", "BOU", "lot", "16.00", ["lot de 3", "lot de 6"]),
        ("Veilleuse enfant", "VEI", "pièce", "22.00", ["lune", "nuage"]),
        ("Lanterne solaire", "LAN", "pièce", "34.00", ["petite", "grande"]),
        ("Projecteur extérieur", "PRO", "pièce", "45.00", ["LED 20 W", "à détecteur"]),
    ]
    for family, code, unit, price, variants in families:
        for i, variant in enumerate(variants, start=1):
            rows.append((f"{family} {variant}", f"{code}-{i:02d}", unit, price, "20", False))
    rows += [
        ("Piles rechargeables AA (lot de 4)", "PIL-AA", "lot", "18.00", "20", True),
        ("Piles alcalines LR6 (lot de 10)", "PIL-LR6", "lot", "9.90", "20", True),
        ("Livre « Luminaires design »", "LIVRE-DES", "pièce", "32.00", "5.5", False),
    ]
    return rows


def _sn_extras() -> list[Item]:
    def row(
        name: str, sku: str, unit: str, price: str, vat: str = "18", lots: bool = False
    ) -> Item:
        return (name, sku, unit, price, vat, lots)

    return [
        row("Riz parfumé 25 kg", "RIZ-P25", "sac", "16000", "0"),
        row("Riz brisé 25 kg", "RIZ-B25", "sac", "9500", "0"),
        row("Riz local de la Vallée 50 kg", "RIZ-V50", "sac", "19000", "0"),
        row("Huile végétale 5 L", "HUI-5", "unité", "7500"),
        row("Huile d'arachide 1 L (carton de 12)", "HUI-1C", "carton", "15600"),
        row("Huile de palme 20 L", "HUI-P20", "unité", "21000"),
        row("Sucre en poudre 50 kg", "SUC-50", "sac", "32500"),
        row("Sucre cristal 1 kg (carton de 20)", "SUC-1C", "carton", "14000"),
        row("Farine de blé 50 kg", "FAR-50", "sac", "21500", "0"),
        row("Farine de mil 25 kg", "FAR-M25", "sac", "12500", "0"),
        row("Lait concentré sucré (carton de 48)", "LAI-CS", "carton", "28800", lots=True),
        row("Lait caillé en sachet (carton de 30)", "LAI-CA", "carton", "9000", lots=True),
        row("Lait UHT 1 L (carton de 12)", "LAI-UHT", "carton", "10800", lots=True),
        row("Concentré de tomate 70 g (carton de 50)", "TOM-70", "carton", "7500", lots=True),
        row("Concentré de tomate 400 g (carton de 24)", "TOM-400", "carton", "16800", lots=True),
        row("Café Touba 500 g", "CAF-TB", "paquet", "2500"),
        row("Café soluble 200 g (carton de 12)", "CAF-SOL", "carton", "30000"),
        row("Thé vert 25 g (carton de 100)", "THE-25", "carton", "25000"),
        row("Kinkéliba en feuilles (carton)", "KIN-CT", "carton", "8000"),
        row("Bouillon cube (carton de 60 boîtes)", "BOU-CT", "carton", "36000"),
        row("Sel iodé 1 kg (sac de 25)", "SEL-25", "sac", "5000", "0"),
        row("Spaghetti 500 g (carton de 20)", "PAT-SPA", "carton", "8000"),
        row("Macaronis 500 g (carton de 20)", "PAT-MAC", "carton", "8000"),
        row("Vermicelles 500 g (carton de 20)", "PAT-VER", "carton", "8400"),
        row("Sardines à l'huile (carton de 50)", "SAR-CT", "carton", "22500", lots=True),
        row("Thon à l'huile (carton de 48)", "THO-CT", "carton", "38400", lots=True),
        row("Eau minérale 1,5 L (pack de 6)", "EAU-15", "lot", "1800"),
        row("Eau minérale 10 L", "EAU-10", "unité", "1500"),
        row("Bissap 1 L (carton de 12)", "BIS-CT", "carton", "9600", lots=True),
        row("Jus de gingembre 1 L (carton de 12)", "GIN-CT", "carton", "9600", lots=True),
        row("Savon liquide 5 L", "SAV-5", "unité", "6000"),
        row("Lessive en poudre 1 kg (carton de 10)", "LES-CT", "carton", "12000"),
        row("Eau de Javel 1 L (carton de 12)", "JAV-CT", "carton", "6000"),
        row("Oignons 25 kg", "OIG-25", "sac", "9000", "0"),
        row("Pommes de terre 25 kg", "PDT-25", "sac", "11000", "0"),
        row("Mayonnaise 1 L (carton de 12)", "MAY-CT", "carton", "24000", lots=True),
        row("Moutarde 1 kg (carton de 12)", "MOU-CT", "carton", "18000", lots=True),
        row("Biscuits secs (carton de 48)", "BIS-48", "carton", "9600"),
        row("Bonbons assortis (carton)", "BON-CT", "carton", "7000"),
        row("Dattes 1 kg (carton de 10)", "DAT-CT", "carton", "15000", lots=True),
        row("Couches bébé (carton)", "COU-CT", "carton", "18000"),
        row("Papier toilette (paquet de 48)", "PAP-48", "paquet", "9600"),
        row("Allumettes (carton de 100 boîtes)", "ALL-CT", "carton", "5000"),
        row("Bougies (paquet de 50)", "BOG-50", "paquet", "4500"),
        row("Gaz butane 6 kg (recharge)", "GAZ-6", "bouteille", "3000"),
        row("Charbon de bois 25 kg", "CHA-25", "sac", "6500"),
        row("Savon de ménage (carton de 36)", "SAV-36", "carton", "10800"),
    ]


FR = StockPlan(
    books_goods=_goods(FR_BOOKS),
    extras=_fr_extras(),
    suppliers=[
        ("Lumina Distribution", 5),
        ("Atelier Verre et Laiton", 12),
        ("Électro Grossiste Paris", 3),
    ],
    annex=("RESERVE", "Réserve de Montreuil"),
    base=40,
    moq=Decimal(5),
)
SN = StockPlan(
    books_goods=_goods(SN_BOOKS),
    extras=_sn_extras(),
    suppliers=[
        ("Grands Moulins de Dakar", 5),
        ("SOCAS Agro-alimentaire", 7),
        ("Sénégal Import Négoce", 14),
    ],
    annex=("THIES", "Dépôt de Thiès"),
    base=120,
    moq=Decimal(10),
)


@dataclass(frozen=True)
class Good:
    id: UUID
    price: Decimal  # purchase price, excl. VAT
    lots: bool
    maximum: Decimal
    supplier: int  # index of its preferred supplier


@dataclass
class Seeding:
    """The tenant being seeded and what the Python side tracks of its main warehouse."""

    container: Container
    principal: Principal
    plan: StockPlan
    goods: list[Good]
    suppliers: list[UUID]
    main: UUID
    annex: UUID
    on_hand: dict[UUID, Decimal]


def _clock(day: date) -> ManualClock:
    return ManualClock(datetime.combine(day, time(10), tzinfo=UTC))


def _purchase_price(sale: str, country: str) -> Decimal:
    quantum = Decimal("0.01") if country == "FR" else Decimal(1)
    return (Decimal(sale) * Decimal("0.6")).quantize(quantum, rounding=ROUND_HALF_UP)


def _catalog(session: Session, principal: Principal, plan: StockPlan, country: str) -> list[Good]:
    """The books' goods (reused by SKU) and the extra stockable goods."""
    items: list[Item] = [(n, s, u, p, v, False) for n, s, u, p, v in plan.books_goods]
    items += plan.extras
    existing = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(
                Product.tenant_id == principal.tenant_id, Product.sku.in_([i[1] for i in items])
            )
        )
    }
    goods = []
    for i, (name, sku, unit, sale, vat, lots) in enumerate(items):
        cost = _purchase_price(sale, country)
        product = existing.get(sku)
        if product is None:
            product = sales.create_product(
                session,
                principal,
                ProductCreate(
                    name=name,
                    sku=sku,
                    unit=unit,
                    sale_price=Decimal(sale),
                    vat_rate=Decimal(vat),
                    purchase_price=cost,
                    tracks_lots=lots,
                    is_stockable=True,
                ),
            )
        else:
            # The books' goods were invoiced before the shop managed their stock (products
            # are not stockable by default): from now on their sales leave the warehouse.
            product.is_stockable = True
            if product.purchase_price is None:
                product.purchase_price = cost
        books = i < len(plan.books_goods)
        maximum = Decimal(plan.base * 3 if books else plan.base * (1 + i % 4) // 2)
        goods.append(Good(product.id, cost, product.tracks_lots, maximum, i % 3))
    return goods


def _suppliers(session: Session, principal: Principal, plan: StockPlan, country: str) -> list[UUID]:
    ids = []
    for i, (name, lead) in enumerate(plan.suppliers):
        found = session.scalar(
            select(Partner.id).where(Partner.tenant_id == principal.tenant_id, Partner.name == name)
        )
        if found is None:
            found = sales.create_partner(
                session,
                principal,
                PartnerCreate(
                    name=name,
                    roles=["supplier"],
                    lead_time_days=lead,
                    email=f"commandes{i}@fournisseur-demo.{country.lower()}",
                    payment_terms_days=30,
                ),
            ).id
        ids.append(found)
    return ids


def _warehouses(session: Session, principal: Principal, plan: StockPlan) -> tuple[UUID, UUID]:
    main = stock.default_warehouse(session, principal).id
    code, name = plan.annex
    annex = session.scalar(
        select(Warehouse.id).where(
            Warehouse.tenant_id == principal.tenant_id, Warehouse.code == code
        )
    )
    if annex is None:
        annex = stock.create_warehouse(session, principal, code=code, name=name).id
    return main, annex


def _terms_and_rules(session: Session, s: Seeding) -> None:
    """A preferred supplier per product (a dearer second one for some), min/max rules."""
    clock = _clock(date.today())  # terms and rules carry no business date
    for i, good in enumerate(s.goods):
        lead = s.plan.suppliers[good.supplier][1]
        terms = SupplierTermsIn(
            supplier_id=s.suppliers[good.supplier],
            price=good.price,
            lead_time_days=lead + 2 if i % 5 == 0 else None,
            min_order_quantity=s.plan.moq if good.supplier == 0 else Decimal(1),
            is_preferred=True,
        )
        purchasing.set_supplier_terms(session, s.principal, clock, good.id, terms)
        if i % 7 == 0:
            other = SupplierTermsIn(
                supplier_id=s.suppliers[(good.supplier + 1) % 3], price=good.price * Decimal("1.1")
            )
            purchasing.set_supplier_terms(session, s.principal, clock, good.id, other)
        rule = ReorderRuleIn(
            product_id=good.id,
            warehouse_id=s.main,
            min_quantity=good.maximum / 4,
            max_quantity=good.maximum,
        )
        purchasing.set_reorder_rule(session, s.principal, rule)
        if i < 12:
            annex_rule = ReorderRuleIn(
                product_id=good.id,
                warehouse_id=s.annex,
                min_quantity=good.maximum / 20,
                max_quantity=good.maximum / 4,
            )
            purchasing.set_reorder_rule(session, s.principal, annex_rule)


def _order(
    session: Session,
    s: Seeding,
    supplier: int,
    lines: list[tuple[Good, Decimal]],
    day: date,
    warehouse: UUID,
) -> UUID:
    """A purchase order created and sent on ``day``."""
    clock = _clock(day)
    data = PurchaseOrderCreate(
        supplier_id=s.suppliers[supplier],
        warehouse_id=warehouse,
        lines=[PurchaseLineIn(product_id=g.id, quantity=q) for g, q in lines],
    )
    order = purchasing.create_purchase_order(session, s.principal, clock, data)
    purchasing.send_purchase_order(session, s.principal, clock, order.id)
    return order.id


def _receive(
    session: Session,
    s: Seeding,
    order_id: UUID,
    lines: list[tuple[Good, Decimal]],
    day: date,
    expiry: date,
    warehouse: UUID,
) -> None:
    """Receive ``lines`` of an order on ``day`` (lots numbered by day, expiring ``expiry``)."""
    arrivals = [
        ReceiptLineIn(
            product_id=g.id,
            quantity=q,
            lot_number=f"L{day:%y%m%d}-{k:02d}" if g.lots else None,
            expiry_date=expiry if g.lots else None,
        )
        for k, (g, q) in enumerate(lines, start=1)
    ]
    data = ReceiptCreate(lines=arrivals, reference=f"BL-{day:%y%m%d}")
    purchasing.receive_purchase_order(session, s.principal, _clock(day), order_id, data)
    if warehouse == s.main:
        for g, q in lines:
            s.on_hand[g.id] = s.on_hand.get(g.id, Decimal(0)) + q


def _per_supplier(s: Seeding, goods: list[Good]) -> dict[int, list[Good]]:
    grouped: dict[int, list[Good]] = {}
    for good in goods:
        grouped.setdefault(good.supplier, []).append(good)
    return grouped


def _opening(s: Seeding, start: date, today: date) -> None:
    """Day one: every product ordered up to its maximum and received; then lots that
    expire soon delivered to the annex, and a transfer of a few products there."""
    with s.container.db.unit_of_work(s.principal.tenant_id) as session:
        for supplier, goods in _per_supplier(s, s.goods).items():
            lines = [(g, g.maximum) for g in goods]
            order_id = _order(session, s, supplier, lines, start, s.main)
            lead = s.plan.suppliers[supplier][1]
            arrival = start + timedelta(days=lead)
            _receive(session, s, order_id, lines, arrival, arrival + timedelta(days=300), s.main)
        tracked = [g for g in s.goods if g.lots][:3]
        if tracked:
            lines = [(g, g.maximum / 10) for g in tracked]
            order_id = _order(session, s, tracked[0].supplier, lines, start, s.annex)
            for k, line in enumerate(lines):
                _receive(
                    session,
                    s,
                    order_id,
                    [line],
                    start + timedelta(days=20),
                    today + timedelta(days=10 + 8 * k),
                    s.annex,
                )
        for good in [g for g in s.goods if not g.lots][:5]:
            quantity = good.maximum / 10
            stock.transfer(
                session,
                s.principal,
                _clock(start + timedelta(days=30)),
                product_id=good.id,
                quantity=quantity,
                from_warehouse_id=s.main,
                to_warehouse_id=s.annex,
                reason="Réassort du dépôt",
            )
            s.on_hand[good.id] -= quantity


def _week_of_sales(session: Session, s: Seeding, week: int, day: date) -> None:
    """Counter sales from the main warehouse: a rotating tenth of the catalog."""
    counter = list(s.goods)
    for k in range(max(4, len(counter) // 10)):
        good = counter[(week * 11 + k * 7) % len(counter)]
        wanted = (good.maximum * (2 + (week + k) % 3) / 20).to_integral_value()
        quantity = min(wanted, s.on_hand.get(good.id, Decimal(0)))
        if quantity <= 0:
            continue
        stock.issue(
            session,
            s.principal,
            _clock(day + timedelta(days=k % 5)),
            product_id=good.id,
            quantity=quantity,
            warehouse_id=s.main,
            reason="Vente au comptoir",
        )
        s.on_hand[good.id] -= quantity


def _replenish(session: Session, s: Seeding, day: date) -> None:
    """Products under half their maximum, reordered from their supplier and received."""
    short = [g for g in s.goods if s.on_hand.get(g.id, Decimal(0)) < g.maximum / 2]
    for supplier, goods in _per_supplier(s, short).items():
        lines = [(g, g.maximum - s.on_hand.get(g.id, Decimal(0))) for g in goods]
        order_id = _order(session, s, supplier, lines, day, s.main)
        arrival = day + timedelta(days=s.plan.suppliers[supplier][1])
        _receive(session, s, order_id, lines, arrival, arrival + timedelta(days=240), s.main)


def _history(s: Seeding, start: date, today: date) -> None:
    """Twenty-four weeks of sales, a reorder every six weeks, a count that finds breakage."""
    for week in range(1, 25):
        day = start + timedelta(days=7 * week)
        with s.container.db.unit_of_work(s.principal.tenant_id) as session:
            _week_of_sales(session, s, week, day)
            if week % 6 == 0 and day + timedelta(days=20) < today:
                _replenish(session, s, day + timedelta(days=5))
            if week == 13:
                good = next(g for g in s.goods if not g.lots and s.on_hand.get(g.id, 0) > 2)
                counted = s.on_hand[good.id] - 2
                stock.adjust(
                    session,
                    s.principal,
                    _clock(day + timedelta(days=1)),
                    product_id=good.id,
                    counted_quantity=counted,
                    warehouse_id=s.main,
                    reason="Inventaire : 2 articles cassés",
                )
                s.on_hand[good.id] = counted


def _just_above_minimum(session: Session, s: Seeding, good: Good, today: date) -> None:
    """Leave ``good`` one unit above its minimum in the main warehouse: the next sale
    takes it under, and the stock alert fires (something happens in the demo)."""
    level = stock.stock_level(session, s.principal, good.id, s.main)
    gap = level.on_hand - level.reserved - (good.maximum / 4 + 1)
    if gap == 0:
        return
    at, where = _clock(today - timedelta(days=1)), s.main
    if gap > 0:
        stock.issue(
            session,
            s.principal,
            at,
            product_id=good.id,
            quantity=gap,
            warehouse_id=where,
            reason="Vente au comptoir",
        )
    else:
        stock.receive(
            session, s.principal, at, product_id=good.id, quantity=-gap, warehouse_id=where
        )
    s.on_hand[good.id] = s.on_hand.get(good.id, Decimal(0)) - gap


def _finale(s: Seeding, today: date) -> None:
    """Recent big sales leave six products under their minimum and one just above it; two
    orders are open: one sent, one partially received."""
    plain = [g for g in s.goods if not g.lots]
    low, ordered = plain[2:32:5], plain[3:5] + plain[8:10]
    with s.container.db.unit_of_work(s.principal.tenant_id) as session:
        _just_above_minimum(session, s, plain[1], today)
        for good in low:
            quantity = s.on_hand.get(good.id, Decimal(0)) - (good.maximum / 8).to_integral_value()
            if quantity > 0:
                stock.issue(
                    session,
                    s.principal,
                    _clock(today - timedelta(days=3)),
                    product_id=good.id,
                    quantity=quantity,
                    warehouse_id=s.main,
                    reason="Vente en gros",
                )
                s.on_hand[good.id] -= quantity
        _order(
            session, s, 0, [(g, g.maximum) for g in ordered[:2]], today - timedelta(days=2), s.main
        )
        lines = [(g, g.maximum) for g in ordered[2:]]
        order_id = _order(session, s, 1, lines, today - timedelta(days=12), s.main)
        first = lines[0]
        _receive(
            session,
            s,
            order_id,
            [(first[0], first[1] / 2)],
            today - timedelta(days=4),
            today + timedelta(days=200),
            s.main,
        )


def seed_stock(container: Container, principal: Principal, country: str) -> None:
    """Idempotent: does nothing when the tenant already has stock moves (other than the
    deliveries of posted invoices, which the books' seed may have written first)."""
    with container.db.unit_of_work(principal.tenant_id) as session:
        # Invoices posted by the books' seed move stock too; only our own moves count.
        seeded = select(StockMove.id).where(StockMove.origin_type.is_distinct_from("invoice"))
        if session.scalar(seeded.limit(1)) is not None:
            return
        plan = FR if country == "FR" else SN
        goods = _catalog(session, principal, plan, country)
        suppliers = _suppliers(session, principal, plan, country)
        main, annex = _warehouses(session, principal, plan)
        seeding = Seeding(container, principal, plan, goods, suppliers, main, annex, {})
        _terms_and_rules(session, seeding)
    today = container.clock.now().date()
    start = today - timedelta(days=182)
    _opening(seeding, start, today)
    _history(seeding, start, today)
    _finale(seeding, today)
