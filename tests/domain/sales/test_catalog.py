"""Catalog: units (UN/ECE Rec 20), prices in the currency's minor unit, VAT rates, SKUs."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from comptoir.bootstrap import Container
from domain.kit.errors import DomainError, InvalidInput, PermissionDenied
from domain.kit.money import Currency
from domain.kit.principal import Role
from domain.kit.text import fold
from domain.sales import service as sales
from domain.sales.errors import SkuTaken
from domain.sales.schemas import ProductCreate, ProductOut, ProductUpdate
from domain.sales.units import UNIT_CODES, lexicon, normalize_unit, unit_code, unit_plural
from tests.factories import Account, make_member
from tests.sales_factories import make_product, make_sales_tenant, row_counts


def _en16931_unit_codes() -> set[str]:
    """The unit codes EN 16931 rule BR-CL-23 accepts (Rec 20 with Rec 21), read from the
    official Schematron the Factur-X tests run."""
    rules = Path(__file__).parents[1] / "finance/documents/rules/EN16931-CII-validation.xslt"
    text = rules.read_text(encoding="utf-8")
    start = text.index('match="ram:BasisQuantity[@unitCode] | ram:BilledQuantity[@unitCode]"')
    found = re.search(r"contains\(' ([^']+) ', concat", text[start:])
    assert found is not None
    return set(found.group(1).split())


class TestUnits:
    @pytest.mark.parametrize(
        ("unit", "code"),
        [
            ("unité", "C62"), ("pièce", "H87"), ("heure", "HUR"), ("jour", "DAY"),
            ("kg", "KGM"), ("g", "GRM"), ("litre", "LTR"), ("m", "MTR"), ("m²", "MTK"),
            ("sac", "XBG"), ("carton", "XCT"), ("boîte", "XBX"), ("forfait", "LS"),
            ("lot", "XLT"), ("mois", "MON"), ("tonne", "TNE"), ("douzaine", "DZN"),
            ("bidon", "XJC"), ("pot", "XPT"), ("sachet", "XSH"), ("seau", "XBJ"),
            ("fût", "XBA"), ("rouleau", "XRO"), ("barre", "XBR"), ("plaquette", "XPU"),
            ("cageot", "XCR"), ("botte", "XBH"), ("caisse", "XCS"), ("flacon", "XFL"),
            ("tube", "XTU"), ("pack", "XPK"), ("canette", "XCX"), ("bocal", "XJR"),
            ("tas", "C62"),
        ],
    )  # fmt: skip
    def test_known_units_keep_their_un_ece_code(self, unit: str, code: str) -> None:
        assert (normalize_unit(unit), unit_code(unit)) == (unit, code)

    @pytest.mark.parametrize(
        ("spelling", "unit"),
        [("u", "unité"), ("PCS", "pièce"), ("h", "heure"), ("Sacs", "sac"), ("m2", "m²"),
         ("boite", "boîte"), (" Kilos ", "kg"), ("Bidons", "bidon"), ("futs", "fût"),
         ("rouleaux", "rouleau"), ("bocaux", "bocal"), ("Seaux", "seau"),
         ("douzaines", "douzaine"), ("mètres", "m")],
    )  # fmt: skip
    def test_spellings_and_plurals_give_the_lexicon_label(self, spelling: str, unit: str) -> None:
        assert normalize_unit(spelling) == unit

    @pytest.mark.parametrize(
        ("written", "label"),
        [("barquette", "barquette"), ("Barquettes", "barquette"), ("bols", "bol"),
         ("portions", "portion"), ("gobelets", "gobelet"), ("plateaux", "plateau"),
         ("  Boîtes   de conserve ", "boîte de conserve"), ("jus", "jus"),
         ("demi-douzaine", "demi-douzaine"), ("Pots d\u2019échantillon", "pot d'échantillon")],
    )  # fmt: skip
    def test_an_unknown_unit_word_is_kept_as_its_label_with_code_c62(
        self, written: str, label: str
    ) -> None:
        assert (normalize_unit(written), unit_code(normalize_unit(written))) == (label, "C62")

    @pytest.mark.parametrize(
        ("written", "message"),
        [
            ("", "Unité vide : un mot comme sac, bidon, kg ou heure est attendu."),
            ("   ", "Unité vide : un mot comme sac, bidon, kg ou heure est attendu."),
            ("5 kg", "Unité invalide : « 5 kg » (pas de chiffres : un mot comme sac, bidon"),
            ("12", "Unité invalide : « 12 » (pas de chiffres"),
            ("sac!", "Unité invalide : « sac! » (des lettres seulement"),
            ("??", "Unité invalide : « ?? » (des lettres seulement"),
            ("sac/carton", "Unité invalide : « sac/carton » (des lettres seulement"),
            ("x" * 33, "(32 caractères au plus)."),
        ],
    )
    def test_what_is_not_a_unit_word_is_refused(self, written: str, message: str) -> None:
        with pytest.raises(InvalidInput) as info:
            normalize_unit(written)
        assert message in info.value.message and info.value.details["field"] == "unit"

    def test_every_lexicon_code_is_one_en16931_accepts(self) -> None:
        accepted = _en16931_unit_codes()
        assert len(accepted) > 1000  # the list was found, not an empty match
        assert {e.unit: e.code for e in lexicon() if e.code not in accepted} == {}
        assert set(UNIT_CODES.values()) <= accepted

    def test_no_spelling_names_two_units(self) -> None:
        seen: dict[str, str] = {}
        clashes = []
        for entry in lexicon():
            for form in {fold(f) for f in (entry.unit, *entry.forms, *entry.field_only)}:
                if seen.setdefault(form, entry.unit) != entry.unit:
                    clashes.append(form)
        assert clashes == []

    @pytest.mark.parametrize(
        ("unit", "plural"),
        [("sac", "sacs"), ("seau", "seaux"), ("bocal", "bocaux"), ("kg", "kg"), ("m²", "m²"),
         ("tas", "tas"), ("mois", "mois"), ("pièce", "pièces"), ("plateau", "plateaux"),
         ("boîte de conserve", "boîtes de conserve"), ("jus", "jus")],
    )  # fmt: skip
    def test_plural_after_two_or_more(self, unit: str, plural: str) -> None:
        assert unit_plural(unit) == plural

    def test_a_product_takes_any_unit_word(self) -> None:
        made = [ProductCreate(name="X", unit=u).unit for u in ("Bidons", "Barquettes", "tas")]
        assert made == ["bidon", "barquette", "tas"]
        with pytest.raises(InvalidInput, match="Unité invalide : « 25kg »"):
            ProductCreate(name="Ciment", sale_price=Decimal(1), unit="25kg")


def create(container: Container, account: Account, **fields: Any) -> Any:
    fields.setdefault("name", "Ciment 50 kg")
    fields.setdefault("sale_price", Decimal("4500"))
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.create_product(session, account.principal(Role.SALES), ProductCreate(**fields))


def refused(container: Container, account: Account, error: type[DomainError], **fields: Any) -> str:
    before = row_counts(container, account)
    with pytest.raises(error) as info:
        create(container, account, **fields)
    assert row_counts(container, account) == before
    return info.value.message


class TestCreateProduct:
    def test_defaults_follow_the_country(self, container: Container) -> None:
        fr = make_sales_tenant(container)
        sn = make_sales_tenant(container, country="SN")
        a = create(container, fr, sale_price=Decimal("12.50"))
        b = create(container, sn, unit="Sacs", vat_rate=Decimal("0"))
        c = create(container, sn, name="Transport", kind="service")
        assert (a.unit, a.vat_rate, a.sale_price) == ("unité", Decimal(20), Decimal("12.50"))
        assert (b.unit, b.vat_rate) == ("sac", Decimal(0))
        assert (c.kind, c.vat_rate) == ("service", Decimal(18))

    def test_output_in_minor_units(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        product = create(container, account, sale_price=Decimal("15000"))
        with container.db.unit_of_work(account.tenant_id) as session:
            stored = sales.get_product(session, account.principal(Role.EMPLOYEE), product.id)
            out = ProductOut.of(stored, Currency.XOF).model_dump(mode="json")
        assert (out["sale_price"], out["vat_rate"], out["unit_code"]) == ("15000", "18", "C62")

    @pytest.mark.parametrize(
        ("country", "fields", "message"),
        [
            ("SN", {"sale_price": Decimal("1500.50")}, "Le franc CFA n'a pas de centimes."),
            ("FR", {"sale_price": Decimal("1.005")}, "Un montant en euros a au plus deux"),
            ("FR", {"vat_rate": Decimal("7")}, "Taux de TVA inconnu : 7 %. Taux possibles :"),
            ("SN", {"vat_rate": Decimal("20")}, "Taux de TVA inconnu : 20 %."),
        ],
    )
    def test_bad_amounts_and_rates(
        self, container: Container, country: str, fields: dict[str, Any], message: str
    ) -> None:
        account = make_sales_tenant(container, country=country)
        assert message in refused(container, account, InvalidInput, **fields)

    def test_amount_beyond_the_column_is_refused_by_the_schema(self) -> None:
        # Numeric(18, 4): 14 digits before the point, checked before any service runs.
        with pytest.raises(ValidationError) as info:
            ProductCreate(name="X", sale_price=Decimal("1e15"))
        assert info.value.errors()[0]["type"] == "decimal_whole_digits"

    def test_negative_price(self) -> None:
        with pytest.raises(InvalidInput, match="Le prix ne peut pas être négatif."):
            ProductCreate(name="X", sale_price=Decimal("-1"))

    def test_vat_fallback_until_finance_owns_rates(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "domain.finance.vat", None)  # import fails
        account = make_sales_tenant(container)
        assert create(container, account, vat_rate=Decimal("5.5")).vat_rate == Decimal("5.5")
        message = refused(container, account, InvalidInput, vat_rate=Decimal("7"))
        assert message == (
            "Taux de TVA inconnu : 7 %. Taux possibles : 20 %, 10 %, 5,5 %, 2,1 %, 0 %."
        )

    def test_a_product_may_have_no_sale_price(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        product = create(container, account, name="Dépannage", kind="service", sale_price=None)
        with container.db.unit_of_work(account.tenant_id) as session:
            stored = sales.get_product(session, account.principal(Role.EMPLOYEE), product.id)
            out = ProductOut.of(stored, Currency.XOF).model_dump(mode="json")
        assert (stored.sale_price, out["sale_price"]) == (None, None)

    def test_a_price_can_be_given_then_taken_away(self, container: Container) -> None:
        account = make_sales_tenant(container)
        product = create(container, account, sale_price=None)
        principal = account.principal(Role.SALES)
        with container.db.unit_of_work(account.tenant_id) as session:
            priced = sales.update_product(
                session, principal, product.id, ProductUpdate(sale_price=Decimal("9.90"))
            )
            assert priced.sale_price == Decimal("9.90")
            unpriced = sales.update_product(
                session, principal, product.id, ProductUpdate(sale_price=None)
            )
            assert unpriced.sale_price is None

    def test_sku_is_unique_whatever_the_case(self, container: Container) -> None:
        account = make_sales_tenant(container)
        create(container, account, name="Riz 50 kg", sku="RIZ-50")
        message = refused(container, account, SkuTaken, name="Autre riz", sku="riz-50")
        assert message == "La référence « riz-50 » est déjà celle de « Riz 50 kg »."

    def test_employees_cannot_change_the_catalog(self, container: Container) -> None:
        account = make_sales_tenant(container)
        member = make_member(container, account, Role.EMPLOYEE)
        with pytest.raises(PermissionDenied):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.create_product(
                    session,
                    member.principal(Role.EMPLOYEE),
                    ProductCreate(name="X", sale_price=Decimal(1)),
                )


class TestUpdateAndList:
    def test_partial_update_and_checks(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        product = make_product(container, account, sku="RIZ-50")
        with container.db.unit_of_work(account.tenant_id) as session:
            updated = sales.update_product(
                session,
                account.principal(Role.ACCOUNTANT),
                product.id,
                ProductUpdate(sale_price=Decimal("16000"), unit="pcs"),
            )
        assert (updated.sale_price, updated.unit, updated.sku) == (
            Decimal(16000),
            "pièce",
            "RIZ-50",
        )
        with pytest.raises(InvalidInput, match="centimes"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.update_product(
                    session,
                    account.principal(),
                    product.id,
                    ProductUpdate(sale_price=Decimal("1.5")),
                )

    def test_filters(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        make_product(container, account, name="Riz 50 kg", category="Alimentaire", sku="R50")
        make_product(container, account, name="Sucre 1 kg", category="alimentaire")
        make_product(container, account, name="Livraison Dakar", kind="service")
        old = make_product(container, account, name="Riz ancien")
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.archive_product(session, account.principal(), old.id)
        reader = account.principal(Role.EMPLOYEE)
        with container.db.unit_of_work(account.tenant_id) as session:
            food = sales.list_products(session, reader, category="ALIMENTAIRE")
            services = sales.list_products(session, reader, kind="service")
            rice = sales.list_products(session, reader, query="riz")
            all_rice = sales.list_products(session, reader, query="riz", active=None)
            by_sku = sales.list_products(session, reader, query="r50")
        assert [p.name for p in food.items] == ["Riz 50 kg", "Sucre 1 kg"]
        assert [p.name for p in services.items] == ["Livraison Dakar"]
        assert [p.name for p in rice.items] == ["Riz 50 kg"]
        assert {p.name for p in all_rice.items} == {"Riz 50 kg", "Riz ancien"}
        assert [p.name for p in by_sku.items][0] == "Riz 50 kg"
