"""Resolving a product or a partner from what a person says: plurals, words in any order,
partial names, accents, typos; an exact or near-exact name beats fuzzy neighbours; true
variants stay ambiguous; another tenant's rows never come back, not even to raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from comptoir.bootstrap import Container
from domain.kit.resolution import NameQuery, Scope, search_names, search_statement
from domain.sales import service as sales
from domain.sales.errors import AmbiguousPartner, AmbiguousProduct, ProductNotFound
from domain.sales.models import Product
from tests.factories import Account
from tests.sales_factories import make_partner, make_product, make_sales_tenant

PRODUCTS = [
    "Lampe de bureau pliable",
    "Lampe de chevet",
    "Sucre en poudre 50 kg",
    "Lait concentré sucré",
    "Riz brisé 50 kg",
    "Riz parfumé 25 kg",
    "Huile d'arachide 5 L",
    "Ciment CEM II 42,5",
    "Confiture d'abricot",
    "Crème fraîche épaisse",
]


@pytest.fixture(scope="module")
def shop(container: Container) -> Account:
    account = make_sales_tenant(container, country="SN")
    for name in PRODUCTS:
        make_product(container, account, name=name)
    make_partner(container, account, name="Grands Moulins de Dakar", roles=["supplier"])
    make_partner(container, account, name="Moulins Sentenac", roles=["supplier"])
    make_partner(container, account, name="Hôtel Le Marais")
    return account


def product(container: Container, account: Account, said: str) -> str:
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.resolve_product(session, account.principal(), said).name


def ambiguous_products(container: Container, account: Account, said: str) -> set[str]:
    with pytest.raises(AmbiguousProduct) as info:
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.resolve_product(session, account.principal(), said)
    return {c["name"] for c in info.value.details["candidates"]}


class TestPluralsAndWordOrder:
    @pytest.mark.parametrize(
        ("said", "meant"),
        [
            ("lampes de bureau pliables", "Lampe de bureau pliable"),
            ("les lampes de chevet", "Lampe de chevet"),
            ("poudre sucre", "Sucre en poudre 50 kg"),
            ("pliable lampe", "Lampe de bureau pliable"),
            ("riz 25 kg", "Riz parfumé 25 kg"),
            ("le bidon de 5 litres", "Huile d'arachide 5 L"),
        ],
    )
    def test_the_name_as_said_finds_the_product(
        self, container: Container, shop: Account, said: str, meant: str
    ) -> None:
        assert product(container, shop, said) == meant


class TestAccentsAndCase:
    @pytest.mark.parametrize("said", ["creme fraiche", "CRÈME FRAÎCHE ÉPAISSE", "crème épaisse"])
    def test_accents_and_case_aside(self, container: Container, shop: Account, said: str) -> None:
        assert product(container, shop, said) == "Crème fraîche épaisse"

    def test_the_whole_name_without_accents_is_exact(
        self, container: Container, shop: Account
    ) -> None:
        assert product(container, shop, "lait concentre sucre") == "Lait concentré sucré"


class TestTypos:
    @pytest.mark.parametrize(
        ("said", "meant"),
        [
            ("ciman", "Ciment CEM II 42,5"),
            ("huille arachid", "Huile d'arachide 5 L"),
            ("confitur", "Confiture d'abricot"),
            ("lampe de bureu pliable", "Lampe de bureau pliable"),
        ],
    )
    def test_a_typo_still_finds_the_product(
        self, container: Container, shop: Account, said: str, meant: str
    ) -> None:
        assert product(container, shop, said) == meant

    def test_nothing_close_is_not_found(self, container: Container, shop: Account) -> None:
        with pytest.raises(ProductNotFound, match="Aucun produit ne correspond à « trompette »"):
            product(container, shop, "trompette")


class TestExactBeatsFuzzy:
    def test_every_word_in_one_name_beats_a_name_sharing_one(
        self, container: Container, shop: Account
    ) -> None:
        # « sucré » in « Lait concentré sucré » is one word of two: not a rival.
        assert product(container, shop, "sucre en poudre") == "Sucre en poudre 50 kg"
        assert product(container, shop, "du sucre en poudre") == "Sucre en poudre 50 kg"

    def test_a_partial_name_of_a_partner(self, container: Container, shop: Account) -> None:
        with container.db.unit_of_work(shop.tenant_id) as session:
            found = sales.resolve_supplier(session, shop.principal(), "Grands Moulins")
            hotel = sales.resolve_customer(session, shop.principal(), "le marais")
        assert (found.name, hotel.name) == ("Grands Moulins de Dakar", "Hôtel Le Marais")

    def test_a_container_in_the_name_chooses_among_complete_names(
        self, container: Container
    ) -> None:
        account = make_sales_tenant(container, country="SN")
        make_product(container, account, name="Sac de riz 25kg")
        make_product(container, account, name="Riz brisé 50 kg")
        assert product(container, account, "sacs de riz") == "Sac de riz 25kg"
        assert product(container, account, "2 sacs de riz 25 kg") == "Sac de riz 25kg"


class TestVariantsStayAmbiguous:
    def test_two_products_holding_every_word(self, container: Container, shop: Account) -> None:
        assert ambiguous_products(container, shop, "riz") == {
            "Riz brisé 50 kg",
            "Riz parfumé 25 kg",
        }
        assert ambiguous_products(container, shop, "lampes") == {
            "Lampe de bureau pliable",
            "Lampe de chevet",
        }

    def test_two_partners_holding_every_word(self, container: Container, shop: Account) -> None:
        with pytest.raises(AmbiguousPartner) as info:
            with container.db.unit_of_work(shop.tenant_id) as session:
                sales.resolve_supplier(session, shop.principal(), "moulins")
        assert info.value.message.startswith("Plusieurs fournisseurs correspondent : ")
        names = {c["name"] for c in info.value.details["candidates"]}
        assert names == {"Grands Moulins de Dakar", "Moulins Sentenac"}


class TestAcrossTenants:
    def test_another_tenants_products_never_resolve(
        self, container: Container, shop: Account
    ) -> None:
        other = make_sales_tenant(container, country="SN")
        make_product(container, other, name="Sucre en poudre 1 kg")
        make_product(container, other, name="Trompette de cuivre")
        with container.db.unit_of_work(shop.tenant_id) as session:
            assert sales.resolve_product(session, shop.principal(), "sucre en poudre").name == (
                "Sucre en poudre 50 kg"
            )
            with pytest.raises(ProductNotFound):
                sales.resolve_product(session, shop.principal(), "trompette")

    def test_row_level_security_hides_them_from_the_search_itself(
        self, container: Container, shop: Account
    ) -> None:
        other = make_sales_tenant(container, country="SN")
        make_product(container, other, name="Trompette de cuivre")
        # Asked for the other tenant's id inside our transaction, PostgreSQL returns nothing.
        with container.db.unit_of_work(shop.tenant_id) as session:
            hits = search_names(
                session, Product, other.tenant_id, NameQuery.of("trompette"), limit=5
            )
        assert hits == []
        with container.db.unit_of_work(other.tenant_id) as session:
            hits = search_names(
                session, Product, other.tenant_id, NameQuery.of("trompette"), limit=5
            )
        assert [h.row.name for h in hits] == ["Trompette de cuivre"]

    def test_the_indexed_candidates_are_the_signed_tenants_only(
        self, container: Container, shop: Account
    ) -> None:
        """The candidates function runs as the owner (to use the trigram index): it must
        still answer for the tenant of the signed context alone, and for nobody without one."""
        other = make_sales_tenant(container, country="SN")
        make_product(container, other, name="Trompette de cuivre")
        call = text(
            "SELECT count(*) FROM comptoir_name_candidates('products', 'trompette',"
            " 'trompette', ARRAY['tro'])"
        )
        counts = []
        for tenant in (shop.tenant_id, other.tenant_id):
            with container.db.unit_of_work(tenant) as session:
                counts.append(session.scalar(call))
        with container.db.engine.connect() as conn:
            counts.append(conn.scalar(call))
        assert counts == [0, 1, 0]

    def test_the_candidates_function_reads_three_tables_only(
        self, container: Container, shop: Account
    ) -> None:
        with pytest.raises(ProgrammingError, match="no name search on users"):
            with container.db.unit_of_work(shop.tenant_id) as session:
                session.execute(
                    text("SELECT * FROM comptoir_name_candidates('users', 'a', 'a', '{}')")
                )


class TestIndexes:
    def test_a_product_search_reads_the_tenants_rows_through_an_index(
        self, container: Container, shop: Account
    ) -> None:
        wanted = NameQuery.of("2 sacs de riz parfumé")
        with container.db.unit_of_work(shop.tenant_id) as session:
            session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
            sql, params = search_statement("products", shop.tenant_id, wanted, Scope(), 5)
            plan = "\n".join(r[0] for r in session.execute(text("EXPLAIN " + sql), params))
        assert "Index Cond: (tenant_id = " in plan and "Seq Scan on products" not in plan, plan


class TestAnotherNameIsNotATypo:
    def test_a_shared_trade_word_with_another_proper_name_does_not_resolve(
        self, container: Container
    ) -> None:
        account = make_sales_tenant(container, country="FR")
        make_partner(container, account, name="Boulangerie Marchand")
        with (
            container.db.unit_of_work(account.tenant_id) as session,
            pytest.raises(AmbiguousPartner, match="Lefebvre"),
        ):
            sales.resolve_customer(session, account.principal(), "Boulangerie Lefebvre")

    def test_a_typo_in_the_proper_name_still_resolves(self, container: Container) -> None:
        account = make_sales_tenant(container, country="FR")
        make_partner(container, account, name="Boulangerie Marchand")
        with container.db.unit_of_work(account.tenant_id) as session:
            found = sales.resolve_customer(session, account.principal(), "Boulangeri Marchan")
        assert found.name == "Boulangerie Marchand"

    def test_a_polite_word_left_in_a_product_name_still_resolves(
        self, container: Container
    ) -> None:
        account = make_sales_tenant(container, country="FR")
        make_product(container, account, name="Heure de pose")
        assert product(container, account, "pose stp") == "Heure de pose"
