"""Fuzzy search and resolution of partners and products: accents, case, typos, exact ids,
ambiguity, and no leak across tenants."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from domain.kit.resolution import NameQuery, Scope, search_statement, use_trigram_thresholds
from domain.sales import service as sales
from domain.sales.errors import (
    AmbiguousPartner,
    AmbiguousProduct,
    PartnerNotFound,
    ProductNotFound,
)
from domain.sales.models import Partner
from tests.factories import Account
from tests.sales_factories import make_partner, make_product, make_sales_tenant

NAMES = [
    "Diallo SARL",
    "Diallo & Fils",
    "N'Diaye Transport",
    "Ciments du Sénégal",
    "Senegal Transit",
    "Quincaillerie Sow",
    "Dia Services",
]


@pytest.fixture(scope="module")
def shop(container: Container) -> tuple[Account, dict[str, Partner]]:
    account = make_sales_tenant(container, country="SN")
    partners = {name: make_partner(container, account, name=name) for name in NAMES}
    partners["Fournisseur Ba"] = make_partner(
        container,
        account,
        name="Fournisseur Ba",
        roles=["supplier"],
        email="ventes@ba.sn",
        phone="+221 33 820 00 00",
        ninea="306 7221",
    )
    return account, partners


def names(container: Container, account: Account, query: str, **kw: object) -> list[str]:
    with container.db.unit_of_work(account.tenant_id) as session:
        matches = sales.search_partners(session, account.principal(Role.EMPLOYEE), query, **kw)  # type: ignore[arg-type]
    return [m.name for m in matches]


class TestSearchPartners:
    @pytest.mark.parametrize("query", ["diallo", "Dialo", "DIALLÖ", "  diallo  "])
    def test_accent_case_and_typo_tolerant(
        self, container: Container, shop: tuple[Account, dict[str, Partner]], query: str
    ) -> None:
        account, _ = shop
        assert set(names(container, account, query)[:2]) == {"Diallo SARL", "Diallo & Fils"}

    def test_a_word_inside_a_longer_name(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, _ = shop
        assert names(container, account, "sow")[0] == "Quincaillerie Sow"

    @pytest.mark.parametrize("query", ["ndiaye", "N'Diaye", "n’diaye"])
    def test_apostrophes(
        self, container: Container, shop: tuple[Account, dict[str, Partner]], query: str
    ) -> None:
        account, _ = shop
        assert names(container, account, query)[0] == "N'Diaye Transport"

    @pytest.mark.parametrize("query", ["sénégal", "senegal", "SENEGAL"])
    def test_accents_either_way(
        self, container: Container, shop: tuple[Account, dict[str, Partner]], query: str
    ) -> None:
        account, _ = shop
        found = names(container, account, query)
        assert set(found[:2]) == {"Ciments du Sénégal", "Senegal Transit"}

    def test_scores_are_ranked_and_bounded(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, _ = shop
        with container.db.unit_of_work(account.tenant_id) as session:
            matches = sales.search_partners(session, account.principal(), "diallo sarl", limit=3)
        assert matches[0].name == "Diallo SARL" and matches[0].score == 1.0
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        assert all(0 <= m.score <= 1 for m in matches) and len(matches) <= 3

    @pytest.mark.parametrize(
        "query", ["F00001", "f00001", "VENTES@BA.SN", "33 820 00 00", "+221338200000", "306 7221"]
    )
    def test_exact_identifiers(
        self, container: Container, shop: tuple[Account, dict[str, Partner]], query: str
    ) -> None:
        account, _ = shop
        with container.db.unit_of_work(account.tenant_id) as session:
            matches = sales.search_partners(session, account.principal(), query)
        assert (matches[0].name, matches[0].score) == ("Fournisseur Ba", 1.0)

    def test_role_filter(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, _ = shop
        assert names(container, account, "ba", role="supplier") == ["Fournisseur Ba"]
        assert "Fournisseur Ba" not in names(container, account, "fournisseur ba", role="customer")

    def test_nothing_matches(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, _ = shop
        assert names(container, account, "xyzzy") == []
        assert names(container, account, "   ") == []

    def test_the_search_reads_the_tenants_rows_through_an_index(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, _ = shop
        with container.db.unit_of_work(account.tenant_id) as session:
            session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
            use_trigram_thresholds(session)
            sql, params = search_statement(
                "partners", account.tenant_id, NameQuery.of("diallo"), Scope(), 5
            )
            plan = session.execute(text("EXPLAIN " + sql), params)
            lines = "\n".join(row[0] for row in plan)
        # Under row-level security PostgreSQL will not use pg_trgm's operators (not
        # LEAKPROOF) as index conditions: the index bounds the scan to the tenant.
        assert "Index Cond: (tenant_id = " in lines and "Seq Scan on partners" not in lines, lines


class TestResolvePartner:
    def test_ambiguous_names_ask_which_one(
        self, container: Container, shop: tuple[Account, dict[str, Partner]]
    ) -> None:
        account, partners = shop
        with pytest.raises(AmbiguousPartner) as info:
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.resolve_partner(session, account.principal(), "diallo", role="customer")
        error = info.value
        assert (error.code, error.status_code) == ("ambiguous", 409)
        candidates = error.details["candidates"]
        first, second = (c["name"] for c in candidates)
        assert {first, second} == {"Diallo SARL", "Diallo & Fils"}
        assert error.message == f"Plusieurs clients correspondent : {first} ou {second} ?"
        by_name = {c["name"]: c for c in candidates}
        assert by_name["Diallo SARL"]["id"] == str(partners["Diallo SARL"].id)
        assert by_name["Diallo SARL"]["code"] == partners["Diallo SARL"].code

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("diallo sarl", "Diallo SARL"),  # exact name, accents and case aside
            ("DIALLO & FILS", "Diallo & Fils"),
            ("quincaillerie", "Quincaillerie Sow"),
            ("ciment senegal", "Ciments du Sénégal"),
            ("F00001", "Fournisseur Ba"),
            ("ndiaye", "N'Diaye Transport"),
        ],
    )
    def test_a_clear_winner_is_chosen(
        self,
        container: Container,
        shop: tuple[Account, dict[str, Partner]],
        query: str,
        expected: str,
    ) -> None:
        account, _ = shop
        with container.db.unit_of_work(account.tenant_id) as session:
            assert sales.resolve_partner(session, account.principal(), query).name == expected

    def test_a_typo_resolves_when_alone(self, container: Container) -> None:
        account = make_sales_tenant(container)
        make_partner(container, account, name="Diallo SARL")
        make_partner(container, account, name="Dia Services")
        with container.db.unit_of_work(account.tenant_id) as session:
            assert (
                sales.resolve_partner(session, account.principal(), "Dialo").name == "Diallo SARL"
            )

    @pytest.mark.parametrize(
        ("role", "message"),
        [
            ("customer", "Aucun client ne correspond à « xyz »."),
            ("supplier", "Aucun fournisseur ne correspond à « xyz »."),
            (None, "Aucun client ni fournisseur ne correspond à « xyz »."),
        ],
    )
    def test_none_matches(
        self,
        container: Container,
        shop: tuple[Account, dict[str, Partner]],
        role: str | None,
        message: str,
    ) -> None:
        account, _ = shop
        with pytest.raises(PartnerNotFound) as info:
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.resolve_partner(session, account.principal(), "xyz", role=role)  # type: ignore[arg-type]
        assert info.value.message == message and info.value.status_code == 404

    def test_archived_partners_are_not_found(self, container: Container) -> None:
        account = make_sales_tenant(container)
        gone = make_partner(container, account, name="Ancien Client Kane")
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.archive_partner(session, account.principal(), gone.id)
        with pytest.raises(PartnerNotFound):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.resolve_partner(session, account.principal(), "Ancien Client Kane")


class TestAcrossTenants:
    def test_another_tenants_partners_never_show(self, container: Container) -> None:
        a = make_sales_tenant(container)
        b = make_sales_tenant(container)
        ours = make_partner(container, a, name="Diallo SARL")
        theirs = [
            make_partner(container, b, name="Keur Massar Distribution", email="k@m.sn"),
            make_partner(container, b, name="Diallo & Fils", siren="552100554"),
        ]
        seen: set[object] = set()
        with container.db.unit_of_work(a.tenant_id) as session:
            for query in ("keur massar", "k@m.sn", "C00001", "C00002", "552100554", "diallo"):
                seen |= {m.id for m in sales.search_partners(session, a.principal(), query)}
            # Tenant B's « Diallo & Fils » would make this ambiguous if it leaked.
            assert sales.resolve_partner(session, a.principal(), "diallo").id == ours.id
            with pytest.raises(PartnerNotFound):
                sales.resolve_partner(session, a.principal(), "keur massar")
        assert seen == {ours.id}
        assert not seen & {p.id for p in theirs}


@pytest.fixture(scope="module")
def catalog(container: Container) -> Account:
    account = make_sales_tenant(container, country="SN")
    make_product(container, account, name="Riz parfumé 25 kg", sku="RIZ-25", unit="sac")
    make_product(container, account, name="Riz brisé 50 kg", sku="RIZ-50", unit="sac")
    make_product(container, account, name="Huile d'arachide 5 L", sku="HUI-5", unit="litre")
    make_product(container, account, name="Livraison", kind="service", unit="forfait")
    return account


class TestProducts:
    def test_exact_sku_first(self, container: Container, catalog: Account) -> None:
        with container.db.unit_of_work(catalog.tenant_id) as session:
            matches = sales.search_products(session, catalog.principal(), "riz-50")
        assert (matches[0].name, matches[0].score) == ("Riz brisé 50 kg", 1.0)

    def test_names_are_fuzzy(self, container: Container, catalog: Account) -> None:
        with container.db.unit_of_work(catalog.tenant_id) as session:
            found = [m.name for m in sales.search_products(session, catalog.principal(), "RIZ")]
            huile = sales.resolve_product(session, catalog.principal(), "huille arachid")
            parfume = sales.resolve_product(session, catalog.principal(), "riz parfume")
        assert set(found[:2]) == {"Riz parfumé 25 kg", "Riz brisé 50 kg"}
        assert (huile.name, parfume.name) == ("Huile d'arachide 5 L", "Riz parfumé 25 kg")

    def test_ambiguous_and_unknown(self, container: Container, catalog: Account) -> None:
        with pytest.raises(AmbiguousProduct) as info:
            with container.db.unit_of_work(catalog.tenant_id) as session:
                sales.resolve_product(session, catalog.principal(), "riz")
        assert info.value.message.startswith("Plusieurs produits correspondent : Riz ")
        assert len(info.value.details["candidates"]) == 2
        with pytest.raises(ProductNotFound) as missing:
            with container.db.unit_of_work(catalog.tenant_id) as session:
                sales.resolve_product(session, catalog.principal(), "ciment")
        assert missing.value.message == "Aucun produit ne correspond à « ciment »."


@pytest.fixture(scope="module")
def crowd(container: Container) -> Account:
    """Many names sharing words: the words alone rank most of them."""
    account = make_sales_tenant(container, country="SN")
    for name in [
        "Supérette Ndiaye",
        *(f"Superette Ndiaye {i:02d}" for i in range(12)),
        *(f"Superette Fall {i:02d}" for i in range(6)),
        "Ndiaye Transport",
        "Boutique Ndiaye",
    ]:
        make_partner(container, account, name=name)
    return account


class TestRankingByWordsFirst:
    """Trigram scores are computed only for the rows the words leave in contention (see
    ``resolution._SEARCH``): the first k rows of a search are the first k of a longer one,
    for every k, whether the words decide (many complete names) or the scores do (typos)."""

    @pytest.mark.parametrize("query", ["Supérette Ndiaye", "superete ndiay", "ndiaye", "fall"])
    def test_a_shorter_search_is_the_start_of_a_longer_one(
        self, container: Container, crowd: Account, query: str
    ) -> None:
        every = names(container, crowd, query, limit=50)
        assert every, query
        for k in (1, 2, 5, 10, 13, 14):
            assert names(container, crowd, query, limit=k) == every[:k], (query, k)

    def test_the_exact_name_then_the_complete_ones(
        self, container: Container, crowd: Account
    ) -> None:
        found = names(container, crowd, "Supérette Ndiaye", limit=14)
        assert found[0] == "Supérette Ndiaye"
        assert found[1:13] == sorted(found[1:13]) and all("Ndiaye " in n for n in found[1:13])
