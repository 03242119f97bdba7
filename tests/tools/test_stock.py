"""Stock and purchasing tools against real PostgreSQL: resolution of what a person says,
roles, ask-backs, French renderings and previews (dry runs that write nothing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from comptoir.bootstrap import Container
from domain.kit.errors import Conflict, InvalidInput, PermissionDenied
from domain.kit.principal import Principal, Role
from tests.factories import make_member
from tests.purchasing_factories import (
    NOW,
    Buyer,
    clock,
    line,
    make_buyer,
    make_goods,
    make_order,
    move_count,
    sell,
    set_rule,
    set_terms,
    stock_in,
)
from tests.stock_factories import level, make_warehouse
from tests.tools.kit import call, tool_context
from tools.base import AskBack, Tool, ToolResult
from tools.confirmation import dry_run
from tools.stock import TOOLS
from tools.stock.catalog import create_product, find_product_tool, update_product
from tools.stock.moves import adjust, issue, receive, stock_level, transfer
from tools.stock.purchases import (
    create_purchase_order,
    receive_purchase_order,
    send_purchase_order,
)
from tools.stock.reports import forecast_stockout, low_stock, reorder_suggestions, valuation

NNBSP = "\u202f"


@pytest.fixture
def buyer(container: Container) -> Buyer:
    return make_buyer(container)


@pytest.fixture
def rice(container: Container, buyer: Buyer) -> UUID:
    product = make_goods(container, buyer.account, name="Riz brisé 25 kg", sku="RIZ-25")
    stock_in(container, buyer, product, "42")
    return product


def run(
    container: Container, buyer: Buyer, tool: Tool, principal: Principal | None = None, **args: Any
) -> Any:  # fmt: skip
    return call(container, tool, principal or buyer.principal, clock(), args)


def preview(container: Container, buyer: Buyer, tool: Tool, **args: Any) -> ToolResult:
    with tool_context(container, buyer.principal, clock()) as ctx:
        return dry_run(ctx, tool, tool.validate(args))


def member(container: Container, buyer: Buyer, role: Role) -> Principal:
    return make_member(container, buyer.account, role).principal(role)


class TestCatalogue:
    def test_every_catalog_capability_is_a_tool(self) -> None:
        names = {t.name for t in TOOLS}
        assert names >= {
            "stock.find_product", "stock.create_product", "stock.update_product",
            "stock.stock_level", "stock.receive", "stock.issue", "stock.transfer",
            "stock.adjust", "stock.low_stock", "stock.reorder_suggestions",
            "stock.forecast_stockout", "stock.create_purchase_order",
            "stock.receive_purchase_order", "stock.valuation",
        }  # fmt: skip
        assert all(t.area == "stock" and "Exemples" in t.description for t in TOOLS)

    def test_schemas_take_names_not_ids(self) -> None:
        for t in TOOLS:
            props = t.json_schema()["parameters"].get("properties", {})
            assert not any(name.endswith("_id") for name in props), t.name


class TestStockLevel:
    def test_how_much_rice_is_left(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        result = run(container, buyer, stock_level, product="riz brise")
        assert result.on_hand == Decimal(42)
        assert result.render() == "Il reste 42 sacs de Riz brisé 25 kg (Entrepôt principal)."

    def test_by_sku_and_warehouse_code(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        result = run(container, buyer, stock_level, product="RIZ-25", warehouse="princ")
        assert result.warehouse_name == "Entrepôt principal"
        assert result.available == Decimal(42)

    def test_several_warehouses(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shop = make_warehouse(container, buyer.account, code="BOUT", name="Boutique Plateau")
        stock_in(container, buyer, rice, "8", warehouse_id=shop)
        text = run(container, buyer, stock_level, product="riz").render()
        assert text == (
            "Il reste 50 sacs de Riz brisé 25 kg : 42 (Entrepôt principal), 8 (Boutique Plateau)."
        )
        one = run(container, buyer, stock_level, product="riz", warehouse="la boutique")
        assert one.render() == "Il reste 8 sacs de Riz brisé 25 kg (Boutique Plateau)."

    def test_out_of_stock_and_not_stocked(self, container: Container, buyer: Buyer) -> None:
        make_goods(container, buyer.account, name="Ciment 50 kg")
        make_goods(container, buyer.account, name="Livraison", kind="service")
        empty = run(container, buyer, stock_level, product="ciment").render()
        assert empty == "Ciment 50 kg : rupture de stock."
        service = run(container, buyer, stock_level, product="livraison").render()
        assert service == "« Livraison » n'est pas géré en stock."

    def test_ambiguous_product_asks_back(self, container: Container, buyer: Buyer) -> None:
        make_goods(container, buyer.account, name="Huile Dinor 5 L")
        make_goods(container, buyer.account, name="Huile Dinor 1 L")
        with pytest.raises(AskBack) as asked:
            run(container, buyer, stock_level, product="huile dinor")
        assert asked.value.field == "product"
        assert set(asked.value.options) == {"Huile Dinor 5 L", "Huile Dinor 1 L"}

    def test_unknown_product_and_warehouse(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, buyer, stock_level, product="trompette")
        assert asked.value.field == "product"
        assert "trompette" in asked.value.message
        with pytest.raises(AskBack) as where:
            run(container, buyer, stock_level, product="riz", warehouse="Ziguinchor")
        assert where.value.field == "warehouse"
        assert where.value.options == ["Entrepôt principal"]

    def test_empty_product_is_refused_in_french(self, container: Container, buyer: Buyer) -> None:
        with pytest.raises(InvalidInput, match="Je ne peux pas le faire : le produit : vide"):
            run(container, buyer, stock_level, product="")


class TestReceive:
    def test_receive_and_preview(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shown = preview(
            container, buyer, receive, product="riz", quantity="20", reference="BL 4521"
        )
        assert shown.preview() == (
            "Enregistrer l'entrée de 20 sacs de Riz brisé 25 kg dans Entrepôt principal "
            f"(réf. BL 4521), coût unitaire 12{NNBSP}000 FCFA ; le stock y passera à 62 sacs."
        )
        assert level(container, buyer.account, rice).on_hand == Decimal(42)  # dry run undone
        done = run(container, buyer, receive, product="riz", quantity="20", reference="BL 4521")
        assert done.render() == (
            "Entrée en stock : 20 sacs de Riz brisé 25 kg dans Entrepôt principal "
            "(réf. BL 4521). Stock : 62 sacs."
        )
        assert level(container, buyer.account, rice).on_hand == Decimal(62)

    def test_sales_may_not_receive(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        seller = member(container, buyer, Role.SALES)
        with pytest.raises(PermissionDenied, match="entrer du stock"):
            run(container, buyer, receive, seller, product="riz", quantity="1")
        employee = member(container, buyer, Role.EMPLOYEE)
        assert run(container, buyer, receive, employee, product="riz", quantity="1").quantity == 1

    def test_bad_quantity_writes_nothing(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        before = move_count(container, buyer)
        with pytest.raises(InvalidInput, match="la quantité : doit être un nombre positif"):
            run(container, buyer, receive, product="riz", quantity="-3")
        with pytest.raises(InvalidInput):
            run(container, buyer, receive, product="riz", quantity="2", colour="rouge")
        assert move_count(container, buyer) == before


class TestIssue:
    def test_issue_with_reason(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        result = run(container, buyer, issue, product="riz", quantity="3", reason="casse")
        assert result.render() == (
            "Sortie de stock : 3 sacs de Riz brisé 25 kg depuis Entrepôt principal "
            "(motif : casse). Reste : 39 sacs."
        )

    def test_reason_is_required(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(InvalidInput, match="le motif : manquant"):
            run(container, buyer, issue, product="riz", quantity="3")

    def test_not_enough_stock(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        before = move_count(container, buyer)
        with pytest.raises(Conflict, match="Riz brisé 25 kg"):
            run(container, buyer, issue, product="riz", quantity="100", reason="vente")
        assert move_count(container, buyer) == before

    def test_accountant_may_not_issue(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(PermissionDenied):
            run(
                container,
                buyer,
                issue,
                member(container, buyer, Role.ACCOUNTANT),
                product="riz",
                quantity="1",
                reason="vente",
            )


class TestTransfer:
    def test_to_another_warehouse(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shop = make_warehouse(container, buyer.account, code="BOUT", name="Boutique Plateau")
        shown = preview(
            container, buyer, transfer, product="riz", quantity="10", to_warehouse="bout"
        )
        assert shown.preview() == (
            "Transférer 10 sacs de Riz brisé 25 kg de Entrepôt principal vers Boutique Plateau. "
            "Stock ensuite — Entrepôt principal : 32 sacs, Boutique Plateau : 10 sacs."
        )
        run(container, buyer, transfer, product="riz", quantity="10", to_warehouse="boutique")
        assert level(container, buyer.account, rice, shop).on_hand == Decimal(10)

    def test_same_warehouse_refused(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(InvalidInput, match="différents"):
            run(container, buyer, transfer, product="riz", quantity="1", to_warehouse="PRINC")


class TestAdjust:
    def test_counted_quantity(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shown = preview(container, buyer, adjust, product="riz", counted_quantity="40")
        assert shown.preview() == (
            "Corriger le stock de Riz brisé 25 kg dans Entrepôt principal : 40 sacs au lieu "
            "de 42 (écart -2 sacs)."
        )
        done = run(container, buyer, adjust, product="riz", counted_quantity="40")
        assert done.render().startswith("Stock de Riz brisé 25 kg dans Entrepôt principal corrigé")
        again = run(container, buyer, adjust, product="riz", counted_quantity="40")
        assert again.move_id is None
        assert again.render().startswith("Rien à corriger")

    def test_only_managers_adjust(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(PermissionDenied):
            run(
                container,
                buyer,
                adjust,
                member(container, buyer, Role.EMPLOYEE),
                product="riz",
                counted_quantity="0",
            )
        manager = member(container, buyer, Role.MANAGER)
        assert (
            run(container, buyer, adjust, manager, product="riz", counted_quantity="0").after == 0
        )


class TestProducts:
    def test_find(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        result = run(container, buyer, find_product_tool, query="riz")
        assert result.render() == (
            f"1 produit trouvé :\n- Riz brisé 25 kg (RIZ-25) : 15{NNBSP}000 FCFA HT, "
            f"TVA 18\u00a0%, prix d'achat 12{NNBSP}000 FCFA, 42 sacs en stock"
        )
        seller = member(container, buyer, Role.SALES)  # the purchase price is cost data
        assert (
            "prix d'achat"
            not in run(container, buyer, find_product_tool, seller, query="riz").render()
        )
        assert run(container, buyer, find_product_tool, query="trompette").render() == (
            "Aucun produit ne correspond à « trompette »."
        )

    def test_create_is_stockable_goods(self, container: Container, buyer: Buyer) -> None:
        args: dict[str, Any] = {
            "name": "Sucre 1 kg",
            "sale_price": "900",
            "unit": "paquets",
            "sku": "SUC-1",
        }
        shown = preview(container, buyer, create_product, **args)
        assert shown.preview() == (
            "Créer le produit Sucre 1 kg (réf. SUC-1), 900 FCFA HT par paquet, TVA 18 %, "
            "géré en stock."
        )
        created = run(container, buyer, create_product, **args)
        assert created.is_stockable and created.unit == "paquet"
        level_now = run(container, buyer, stock_level, product="SUC-1")
        assert level_now.render() == "Sucre 1 kg : rupture de stock."

    def test_create_without_a_price_in_any_unit(self, container: Container, buyer: Buyer) -> None:
        args: dict[str, Any] = {"name": "Beurre de karité", "unit": "Pots", "sku": "KAR"}
        shown = preview(container, buyer, create_product, **args)
        assert shown.preview() == (
            "Créer le produit Beurre de karité (réf. KAR), sans prix de vente (prix convenu "
            "à chaque fois), TVA 18 %, géré en stock."
        )
        created = run(container, buyer, create_product, **args)
        assert (created.unit, created.sale_price) == ("pot", None)
        found = run(container, buyer, find_product_tool, query="karité")
        assert found.render() == (
            "1 produit trouvé :\n- Beurre de karité (KAR) : sans prix de vente (prix convenu "
            "à chaque fois), TVA 18\u00a0%, 0 pot en stock"
        )

    def test_create_refusals(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(Conflict, match="RIZ-25"):
            run(container, buyer, create_product, name="Autre riz", sale_price="1", sku="RIZ-25")
        with pytest.raises(InvalidInput, match="centimes"):
            run(container, buyer, create_product, name="Bonbon", sale_price="12.5")
        with pytest.raises(PermissionDenied):
            run(
                container,
                buyer,
                create_product,
                member(container, buyer, Role.EMPLOYEE),
                name="Bonbon",
                sale_price="10",
            )

    def test_update_price(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shown = preview(container, buyer, update_product, product="riz", sale_price="16000")
        assert shown.preview() == (
            f"Modifier le produit Riz brisé 25 kg : prix de vente : 15{NNBSP}000 FCFA → "
            f"16{NNBSP}000 FCFA."
        )
        run(container, buyer, update_product, product="riz", sale_price="16000")
        found = run(container, buyer, find_product_tool, query="RIZ-25")
        assert found.products[0].sale_price == Decimal(16000)

    def test_a_price_said_with_taxes_is_stored_without_them(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        # 18 % VAT: 17 700 F with taxes is 15 000 F without; XOF rounds to the franc
        run(container, buyer, update_product, product="riz", sale_price_incl_tax="17700")
        found = run(container, buyer, find_product_tool, query="RIZ-25")
        assert found.products[0].sale_price == Decimal(15000)
        run(container, buyer, update_product, product="riz", sale_price_incl_tax="1000")
        found = run(container, buyer, find_product_tool, query="RIZ-25")
        assert found.products[0].sale_price == Decimal(847)  # 847,46 rounded

    def test_update_needs_a_change(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(InvalidInput, match="indiquez ce qui change"):
            run(container, buyer, update_product, product="riz")


class TestReplenishment:
    def test_low_stock_and_suggestions(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        set_rule(container, buyer, rice, "50", "100")
        set_terms(container, buyer, rice, is_preferred=True)
        low = run(container, buyer, low_stock)
        assert low.render() == (
            "1 produit sous le stock minimum :\n"
            "- Riz brisé 25 kg (Entrepôt principal) : 42 sacs pour un minimum de 50 sacs"
        )
        suggested = run(container, buyer, reorder_suggestions)
        assert suggested.groups[0].supplier_name == "Grands Moulins de Dakar"
        assert suggested.groups[0].lines[0].quantity == Decimal(58)
        assert "58 sacs Riz brisé 25 kg (Entrepôt principal)" in suggested.render()

    def test_one_product_asked_about(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        set_rule(container, buyer, rice, "10", "60")
        assert run(container, buyer, reorder_suggestions, product="riz").render() == (
            "Riz brisé 25 kg : 42 sacs en stock, au-dessus du minimum (10 sacs) : "
            "pas besoin d'en racheter."
        )
        set_rule(container, buyer, rice, "50", "100")
        suggested = run(container, buyer, reorder_suggestions, product="riz")
        assert suggested.groups[0].lines[0].quantity == Decimal(58)
        # under its minimum, but the order already sent brings it back up: nothing to buy,
        # and the reply never says the stock is above its minimum
        order = {"supplier": "grands moulins", "lines": [{"product": "riz", "quantity": "58"}]}
        run(
            container,
            buyer,
            send_purchase_order,
            order=run(container, buyer, create_purchase_order, **order).number,
        )
        assert run(container, buyer, reorder_suggestions, product="riz").render() == (
            "Riz brisé 25 kg : 42 sacs en stock, sous le minimum (50 sacs), mais les commandes "
            "en cours le couvrent."
        )

    def test_nothing_low(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        assert run(container, buyer, low_stock).render() == "Aucun produit sous son stock minimum."
        assert run(container, buyer, reorder_suggestions).render().startswith("Rien à recommander")

    def test_forecast(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        sell(container, buyer, rice, "12", clock(NOW - timedelta(days=2)))
        result = run(container, buyer, forecast_stockout, product="riz")
        assert result.rows[0].stockout_date is not None
        assert "rupture vers le" in result.render()
        overall = run(container, buyer, forecast_stockout)
        assert overall.render().startswith("Prochaines ruptures (ventes des 30 derniers jours) :")

    def test_hr_may_not_read_replenishment(self, container: Container, buyer: Buyer) -> None:
        with pytest.raises(PermissionDenied):
            run(container, buyer, low_stock, member(container, buyer, Role.HR))


class TestValuation:
    def test_value(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        result = run(container, buyer, valuation)
        assert result.total == Decimal(504000)
        assert result.render().startswith(f"Valeur du stock : 504{NNBSP}000 FCFA (1 produit")

    def test_sales_may_not_value(self, container: Container, buyer: Buyer) -> None:
        with pytest.raises(PermissionDenied):
            run(container, buyer, valuation, member(container, buyer, Role.SALES))


class TestPurchaseOrders:
    def test_create_send_receive(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        args: dict[str, Any] = {
            "supplier": "grands moulins",
            "lines": [{"product": "riz", "quantity": "50"}],
        }
        shown = preview(container, buyer, create_purchase_order, **args)
        assert shown.preview() == (
            "Créer un bon de commande brouillon pour Grands Moulins de Dakar (livraison : "
            f"Entrepôt principal) : 50 sacs de Riz brisé 25 kg à 12{NNBSP}000 FCFA. "
            f"Total HT 600{NNBSP}000 FCFA, TVA 108{NNBSP}000 FCFA, TTC 708{NNBSP}000 FCFA."
        )
        order = run(container, buyer, create_purchase_order, **args)
        assert order.number.startswith("BC-2026-") and order.status == "draft"
        sent = run(container, buyer, send_purchase_order, order=order.number.lower())
        assert sent.render().startswith(f"Bon de commande {order.number} marqué envoyé")
        part = run(
            container,
            buyer,
            receive_purchase_order,
            order=order.number,
            lines=[{"product": "riz", "quantity": "30"}],
        )
        assert part.render() == (
            f"Réception enregistrée sur {order.number} (Grands Moulins de Dakar) : 30 sacs de "
            "Riz brisé 25 kg. Reste à recevoir : 20 sacs de Riz brisé 25 kg."
        )
        rest = run(container, buyer, receive_purchase_order, order=order.number)
        assert rest.status == "received"
        assert rest.render().endswith("Commande entièrement reçue.")
        assert level(container, buyer.account, rice).on_hand == Decimal(92)

    def test_a_draft_is_sent_by_its_supplier(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        args = {"supplier": "Grands Moulins", "lines": [{"product": "riz", "quantity": "20"}]}
        order = run(container, buyer, create_purchase_order, **args)
        sent = run(container, buyer, send_purchase_order, supplier="grands moulins")
        assert (sent.number, sent.status) == (order.number, "sent")

    def test_a_count_alone_is_the_orders_only_product(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        args = {"supplier": "Grands Moulins", "lines": [{"product": "riz", "quantity": "50"}]}
        order = run(container, buyer, create_purchase_order, **args)
        run(container, buyer, send_purchase_order, order=order.number)
        part = run(
            container,
            buyer,
            receive_purchase_order,
            order="Grands Moulins",
            lines=[{"quantity": "20"}],
        )
        assert part.status == "partially_received"
        assert "Reste à recevoir : 30 sacs de Riz brisé 25 kg" in part.render()

    def test_goods_awaited_on_a_sent_order_are_received_on_it(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        args = {"supplier": "Grands Moulins", "lines": [{"product": "riz", "quantity": "50"}]}
        order = run(container, buyer, create_purchase_order, **args)
        drafted = run(container, buyer, receive, product="riz", quantity="5")
        assert drafted.render().startswith("Entrée en stock")  # a draft awaits nothing yet
        run(container, buyer, send_purchase_order, order=order.number)
        shown = preview(container, buyer, receive, product="riz", quantity="50")
        assert shown.preview().startswith(f"Réceptionner sur {order.number} (Grands Moulins")
        done = run(container, buyer, receive, product="riz", quantity="50")
        assert done.status == "received"
        assert level(container, buyer.account, rice).on_hand == Decimal(97)

    def test_receiving_a_draft_is_refused(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        order = make_order(container, buyer, line(rice, "5"))
        with pytest.raises(Conflict, match="brouillon"):
            run(container, buyer, receive_purchase_order, order=order.number)

    def test_unknown_order_and_supplier(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, buyer, receive_purchase_order, order="BC-2026-09999")
        assert asked.value.field == "order"
        with pytest.raises(AskBack) as who:
            run(
                container,
                buyer,
                create_purchase_order,
                supplier="Inconnu SA",
                lines=[{"product": "riz", "quantity": "1"}],
            )
        assert who.value.field == "supplier"

    def test_unknown_line_product_asks_about_that_line(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack) as asked:
            run(
                container,
                buyer,
                create_purchase_order,
                supplier="Grands Moulins",
                lines=[{"product": "riz", "quantity": "1"}, {"product": "zzz", "quantity": "2"}],
            )
        assert asked.value.field == "lines.1.product"

    def test_only_managers_order(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(PermissionDenied):
            run(
                container,
                buyer,
                create_purchase_order,
                member(container, buyer, Role.EMPLOYEE),
                supplier="Grands Moulins",
                lines=[{"product": "riz", "quantity": "1"}],
            )
        order = make_order(container, buyer, line(rice, "5"), status="sent")
        employee = member(container, buyer, Role.EMPLOYEE)
        done = run(container, buyer, receive_purchase_order, employee, order=order.number)
        assert done.status == "received"


class TestDescribedProducts:
    """A product named the way people describe it, when the catalog search finds nothing."""

    def test_size_in_words_typo_and_container(self, container: Container, buyer: Buyer) -> None:
        make_goods(container, buyer.account, name="Huile Dinor 5 L", sku="HUI5", unit="pièce")
        make_goods(container, buyer.account, name="Huile Dinor 20 L", sku="HUI20", unit="pièce")
        make_goods(container, buyer.account, name="Ciment CEM II 42,5", sku="CIM", unit="sac")
        make_goods(container, buyer.account, name="Fer à béton 10 mm", sku="FER10", unit="pièce")
        for said, sku in (
            ("le 20 litres", "HUI20"),
            ("le bidon de 5 litres", "HUI5"),
            ("ciman", "CIM"),
            ("les barres de fer", "FER10"),
        ):
            found = run(container, buyer, find_product_tool, query=sku)
            assert found.products, sku
            result = run(container, buyer, update_product, product=said, sale_price="7000")
            assert result.sku == sku, said

    def test_several_described_ask_which(self, container: Container, buyer: Buyer) -> None:
        make_goods(container, buyer.account, name="Huile Dinor 5 L", unit="pièce")
        make_goods(container, buyer.account, name="Huile Dinor 20 L", unit="pièce")
        with pytest.raises(AskBack) as asked:
            run(container, buyer, update_product, product="le bidon dinor", sale_price="1")
        assert asked.value.field == "product"
        assert set(asked.value.options) == {"Huile Dinor 5 L", "Huile Dinor 20 L"}
        with pytest.raises(AskBack, match="trompette"):
            run(container, buyer, update_product, product="trompette", sale_price="1")


class TestStockBounds:
    def test_set_minimum_then_maximum(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        shown = preview(container, buyer, update_product, product="riz", min_stock="30")
        assert shown.preview() == (
            "Modifier le produit Riz brisé 25 kg : stock minimum (Entrepôt principal) : — → "
            "30 sacs ; stock maximum (Entrepôt principal) : — → 60 sacs."
        )
        run(container, buyer, update_product, product="riz", min_stock="50")
        assert "42 sacs pour un minimum de 50 sacs" in run(container, buyer, low_stock).render()
        changed = run(container, buyer, update_product, product="riz", max_stock="200")
        assert changed.changes == ["stock maximum (Entrepôt principal) : 100 sacs → 200 sacs"]

    def test_minimum_above_maximum_keeps_a_valid_rule(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        set_rule(container, buyer, rice, "10", "20")
        changed = run(container, buyer, update_product, product="riz", min_stock="30")
        assert changed.changes == [
            "stock minimum (Entrepôt principal) : 10 sacs → 30 sacs",
            "stock maximum (Entrepôt principal) : 20 sacs → 60 sacs",
        ]

    def test_buyers_only(self, container: Container, buyer: Buyer, rice: UUID) -> None:
        with pytest.raises(PermissionDenied):
            run(
                container,
                buyer,
                update_product,
                member(container, buyer, Role.SALES),
                product="riz",
                min_stock="5",
            )


class TestPurchaseOrderFollowUps:
    def test_missing_price_asks_for_that_line_and_reads_the_answer(
        self, container: Container, buyer: Buyer
    ) -> None:
        make_goods(container, buyer.account, name="Thé vert 250 g", purchase_price=None)
        lines: list[dict[str, Any]] = [{"product": "thé", "quantity": "30"}]
        with pytest.raises(AskBack, match="prix unitaire") as asked:
            run(container, buyer, create_purchase_order, supplier="grands moulins", lines=lines)
        assert asked.value.field == "lines.0.unit_price"
        lines[0]["unit_price"] = "7 500 F le carton"
        order = run(container, buyer, create_purchase_order, supplier="grands moulins", lines=lines)
        assert order.net_total == Decimal(225000)

    def test_quantity_from_the_suggestion(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        set_rule(container, buyer, rice, "50", "100")
        set_terms(container, buyer, rice, is_preferred=True)
        order = run(
            container,
            buyer,
            create_purchase_order,
            supplier="grands moulins",
            lines=[{"product": "riz"}],
        )
        assert order.lines[0].quantity == Decimal(58)

    def test_no_quantity_nor_suggestion_asks(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack, match="Combien") as asked:
            run(
                container,
                buyer,
                create_purchase_order,
                supplier="grands moulins",
                lines=[{"product": "riz"}],
            )
        assert asked.value.field == "lines.0.quantity"

    def test_send_without_number_sends_the_newest_draft(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack) as asked:
            run(container, buyer, send_purchase_order)
        assert asked.value.field == "order"
        make_order(container, buyer, line(rice, "5"))
        newest = make_order(container, buyer, line(rice, "7"))
        sent = run(container, buyer, send_purchase_order)
        assert sent.number == newest.number and sent.status == "sent"

    def test_receive_names_a_line_by_description(self, container: Container, buyer: Buyer) -> None:
        iron = make_goods(container, buyer.account, name="Fer à béton 10 mm", unit="pièce")
        make_goods(container, buyer.account, name="Fer à béton 12 mm", unit="pièce")
        order = make_order(container, buyer, line(iron, "80"))
        run(container, buyer, send_purchase_order, order=order.number)
        got = run(
            container,
            buyer,
            receive_purchase_order,
            order=order.number,
            lines=[{"product": "barres de fer", "quantity": "50"}],
        )
        assert got.status == "partially_received"

    def test_receive_the_pending_order_of_a_supplier(
        self, container: Container, buyer: Buyer, rice: UUID
    ) -> None:
        with pytest.raises(AskBack, match="Aucune commande envoyée") as none:
            run(container, buyer, receive_purchase_order, order="Grands Moulins")
        assert none.value.field == "order"
        order = make_order(container, buyer, line(rice, "10"))
        run(container, buyer, send_purchase_order, order=order.number)
        got = run(container, buyer, receive_purchase_order, order="grands moulins")
        assert got.number == order.number and got.status == "received"
