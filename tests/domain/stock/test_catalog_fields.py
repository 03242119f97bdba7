"""The stock fields of the shared catalog: products and suppliers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comptoir.bootstrap import Container
from domain.kit.errors import InvalidInput
from domain.sales import service as sales
from domain.sales.schemas import PartnerCreate, ProductCreate, ProductUpdate
from domain.sales.service.catalog import BarcodeTaken
from tests.factories import Account, make_tenant
from tests.stock_factories import make_stock_product, stocked


@pytest.fixture(scope="module")
def shop(container: Container) -> Account:
    return make_tenant(container)


def _create(container: Container, shop: Account, **fields: object) -> object:
    with container.db.unit_of_work(shop.tenant_id) as session:
        data = ProductCreate(name=fields.pop("name", "Article"), sale_price=Decimal(5), **fields)  # type: ignore[arg-type]
        return sales.create_product(session, shop.principal(), data)


def _update(container: Container, shop: Account, product_id: object, **fields: object) -> object:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return sales.update_product(
            session,
            shop.principal(),
            product_id,  # type: ignore[arg-type]
            ProductUpdate(**fields),  # type: ignore[arg-type]
        )


class TestProductStockFields:
    def test_stock_is_opt_in_for_goods_and_never_for_services(
        self, container: Container, shop: Account
    ) -> None:
        plain = _create(container, shop)
        goods = _create(
            container,
            shop,
            is_stockable=True,
            purchase_price=Decimal("3.20"),
            barcode="3017620422003",
        )
        assert plain.is_stockable is False  # type: ignore[attr-defined]
        assert (goods.is_stockable, goods.purchase_price, goods.barcode) == (  # type: ignore[attr-defined]
            True,
            Decimal("3.20"),
            "3017620422003",
        )
        with pytest.raises(InvalidInput, match="service"):
            _create(container, shop, kind="service", is_stockable=True)
        with pytest.raises(InvalidInput, match="lots"):
            _create(container, shop, is_stockable=False, tracks_lots=True)

    def test_negative_purchase_price_and_taken_barcode_are_refused(
        self, container: Container, shop: Account
    ) -> None:
        with pytest.raises(InvalidInput, match="prix d'achat"):
            _create(container, shop, purchase_price=Decimal("-1"))
        first = make_stock_product(container, shop, barcode="5449000000996")
        with pytest.raises(BarcodeTaken):
            _create(container, shop, barcode="5449000000996")
        other = make_stock_product(container, shop)
        with pytest.raises(BarcodeTaken):
            _update(container, shop, other, barcode="5449000000996")
        assert _update(container, shop, first, barcode="5449000000996") is not None

    def test_tracking_changes_only_without_stock(self, container: Container, shop: Account) -> None:
        held = stocked(container, shop, quantity="2")
        with pytest.raises(InvalidInput, match="a du stock"):
            _update(container, shop, held, is_stockable=False)
        with pytest.raises(InvalidInput, match="a du stock"):
            _update(container, shop, held, tracks_lots=True)
        empty = make_stock_product(container, shop)
        became = _update(container, shop, empty, kind="service")
        assert (became.kind, became.is_stockable) == ("service", False)  # type: ignore[attr-defined]


class TestSupplierLeadTime:
    def test_lead_time_is_kept_and_bounded(self, container: Container, shop: Account) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            supplier = sales.create_partner(
                session,
                shop.principal(),
                PartnerCreate(name="Grands Moulins", roles=["supplier"], lead_time_days=5),
            )
            assert supplier.lead_time_days == 5
        with pytest.raises(InvalidInput, match="livraison"):
            PartnerCreate(name="Trop lent", roles=["supplier"], lead_time_days=400)
