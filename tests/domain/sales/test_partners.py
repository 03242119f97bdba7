"""Partners: codes, legal ids, phones, tags, duplicates, updates, permissions, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.errors import DomainError, InvalidInput, PermissionDenied
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.errors import DuplicatePartner, PartnerNotFound
from domain.sales.schemas import ContactCreate, PartnerCreate, PartnerUpdate
from tests.factories import Account, make_member
from tests.sales_factories import make_partner, make_sales_tenant, row_counts

SIREN = "732829320"
SIRET = "73282932000074"
VAT = "FR44732829320"
OTHER_SIREN = "552100554"  # valid, another company


def create(container: Container, account: Account, role: Role = Role.SALES, **fields: Any) -> Any:
    fields.setdefault("name", "Diallo SARL")
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.create_partner(session, account.principal(role), PartnerCreate(**fields))


def refused(
    container: Container, account: Account, error: type[DomainError], **fields: Any
) -> DomainError:
    """Creating is refused with ``error`` and nothing at all is written."""
    before = row_counts(container, account)
    with pytest.raises(error) as info:
        create(container, account, **fields)
    assert row_counts(container, account) == before
    return info.value


class TestCreate:
    def test_codes_follow_roles_without_gaps(self, container: Container) -> None:
        account = make_sales_tenant(container)
        first = create(container, account, name="Client Un")
        supplier = create(container, account, name="Fournisseur Un", roles=["supplier"])
        both = create(container, account, name="Les Deux", roles=["supplier", "customer"])
        assert (first.code, supplier.code, both.code) == ("C00001", "F00001", "C00002")
        assert (both.is_customer, both.is_supplier) == (True, True)

    def test_a_failed_creation_gives_its_code_back(self, container: Container) -> None:
        account = make_sales_tenant(container)
        create(container, account, name="Un")
        refused(container, account, InvalidInput, name="Deux", siren="123")
        assert create(container, account, name="Deux").code == "C00002"

    def test_normalizes_ids_phone_tags_and_defaults_country(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = create(
            container,
            account,
            kind="company",
            siret="732 829 320 00074",
            vat_number="FR 44 732829320",
            phone="01 23 45 67 89",
            email="Contact@Diallo.FR",
            tags=["Grossiste", " grossiste ", "VIP", ""],
            address={"line1": "3 rue de la Paix", "postcode": "75002", "city": "Paris"},
            payment_terms_days=30,
        )
        assert (partner.siren, partner.siret, partner.vat_number) == (SIREN, SIRET, VAT)
        assert partner.phone == "+33123456789" and partner.email == "contact@diallo.fr"
        assert partner.tags == ["grossiste", "vip"]
        assert (partner.country, partner.city, partner.payment_terms_days) == ("FR", "Paris", 30)

    def test_senegal_phone_and_ninea(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        partner = create(container, account, phone="77 123 45 67", ninea="306 7221")
        assert (partner.country, partner.phone, partner.ninea) == ("SN", "+221771234567", "3067221")

    def test_a_french_supplier_of_a_dakar_shop(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        partner = create(
            container,
            account,
            roles=["supplier"],
            siren=SIREN,
            phone="01 23 45 67 89",
            address={"country": "fr", "city": "Lyon"},
        )
        assert (partner.country, partner.siren, partner.phone) == ("FR", SIREN, "+33123456789")

    def test_contacts_event_and_audit(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = create(
            container,
            account,
            contacts=[{"name": "Awa Ndiaye", "job_title": "Gérante", "phone": "06 12 34 56 78"}],
        )
        with container.db.unit_of_work(account.tenant_id) as session:
            contacts = sales.list_contacts(session, account.principal(Role.EMPLOYEE), partner.id)
            event = session.execute(
                text("SELECT name, payload FROM domain_events WHERE name = 'partner.created'")
            ).one()
            entry = session.execute(
                text("SELECT actor_id, summary FROM audit_log WHERE action = 'partner.create'")
            ).one()
        assert [(c.name, c.phone) for c in contacts] == [("Awa Ndiaye", "+33612345678")]
        assert event.payload["partner_id"] == str(partner.id)
        assert event.payload["code"] == "C00001"
        assert entry.actor_id == account.user_id
        assert entry.summary["after"]["name"] == "Diallo SARL"


class TestBadInput:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"siren": "123456789"}, "SIREN invalide : « 123456789 »."),
            ({"siren": SIREN, "vat_number": "FR96552100554"}, "ne correspond pas au SIREN"),
            ({"siren": SIREN, "siret": "55210055400013"}, "Le SIRET ne correspond pas au SIREN."),
            ({"vat_number": "FR00732829320"}, "Numéro de TVA invalide"),
            ({"phone": "12"}, "Numéro de téléphone invalide : « 12 »."),
            ({"ninea": "3067221"}, "Le NINEA concerne les entreprises du Sénégal."),
            ({"address": {"country": "SN"}, "siren": SIREN}, "concernent la France"),
            ({"address": {"country": "SN"}, "ninea": "3067222"}, "NINEA invalide"),
            ({"contacts": [{"name": "Awa", "phone": "abc"}]}, "Numéro de téléphone invalide"),
        ],
    )
    def test_is_refused_in_french_and_writes_nothing(
        self, container: Container, fields: dict[str, Any], message: str
    ) -> None:
        account = make_sales_tenant(container)
        error = refused(container, account, InvalidInput, **fields)
        assert message in error.message

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"payment_terms_days": 400}, "Le délai de paiement va de 0 à 365 jours."),
            ({"name": "   "}, "Le nom est obligatoire."),
            ({"name": "X", "tags": ["x" * 41]}, "Étiquette trop longue"),
        ],
    )
    def test_shape_errors_are_french_too(self, fields: dict[str, Any], message: str) -> None:
        with pytest.raises(InvalidInput) as info:
            PartnerCreate(**fields)
        assert message in info.value.message


class TestDuplicates:
    @pytest.mark.parametrize(
        ("first", "second", "label"),
        [
            ({"siren": SIREN}, {"siret": SIRET}, "ce SIREN"),
            ({"vat_number": VAT}, {"vat_number": "FR 44 732 829 320"}, "ce numéro de TVA"),
            ({"email": "achat@diallo.sn"}, {"email": "ACHAT@diallo.sn"}, "cette adresse e-mail"),
        ],
    )
    def test_second_partner_with_the_same_id_is_refused(
        self, container: Container, first: dict[str, Any], second: dict[str, Any], label: str
    ) -> None:
        account = make_sales_tenant(container)
        existing = create(container, account, name="Diallo SARL", **first)
        error = refused(container, account, DuplicatePartner, name="Diallo Bis", **second)
        assert error.message.startswith(f"« Diallo SARL » (C00001) a déjà {label}")
        assert error.details["existing_id"] == str(existing.id)
        assert error.status_code == 409

    def test_other_tenants_do_not_count(self, container: Container) -> None:
        a = make_sales_tenant(container)
        b = make_sales_tenant(container)
        create(container, a, siren=SIREN, email="x@y.fr")
        assert create(container, b, siren=SIREN, email="x@y.fr").code == "C00001"


class TestUpdate:
    def test_partial_update_with_before_and_after(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account, email="a@b.fr", tags=["vip"])
        with container.db.unit_of_work(account.tenant_id) as session:
            updated = sales.update_partner(
                session,
                account.principal(Role.ACCOUNTANT),
                partner.id,
                PartnerUpdate(roles=["customer", "supplier"], payment_terms_days=45),
            )
            summary = session.scalar(
                text("SELECT summary FROM audit_log WHERE action = 'partner.update'")
            )
        assert (updated.is_supplier, updated.payment_terms_days) == (True, 45)
        assert (updated.email, updated.tags, updated.code) == ("a@b.fr", ["vip"], "C00001")
        assert summary["before"]["payment_terms_days"] is None
        assert summary["after"]["payment_terms_days"] == 45

    def test_ids_are_rechecked_against_what_is_kept(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account, siren=SIREN)
        with pytest.raises(InvalidInput, match="ne correspond pas au SIREN"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.update_partner(
                    session,
                    account.principal(),
                    partner.id,
                    PartnerUpdate(vat_number="FR96552100554"),
                )

    def test_duplicate_email_on_update(self, container: Container) -> None:
        account = make_sales_tenant(container)
        make_partner(container, account, name="Premier", email="a@b.fr")
        second = make_partner(container, account, name="Second")
        with pytest.raises(DuplicatePartner, match="Premier"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.update_partner(
                    session, account.principal(), second.id, PartnerUpdate(email="a@b.fr")
                )

    def test_clearing_a_field_and_refusing_to_clear_the_name(self, container: Container) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account, email="a@b.fr")
        with container.db.unit_of_work(account.tenant_id) as session:
            p = sales.update_partner(
                session, account.principal(), partner.id, PartnerUpdate(email=None)
            )
            assert p.email is None
        with pytest.raises(InvalidInput, match="ne peut pas être vide"):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.update_partner(
                    session, account.principal(), partner.id, PartnerUpdate(name=None)
                )


class TestListingAndArchive:
    def test_filters_and_pagination(self, container: Container) -> None:
        account = make_sales_tenant(container)
        make_partner(container, account, name="Alpha", tags=["grossiste"])
        make_partner(container, account, name="Beta", roles=["supplier"])
        gamma = make_partner(container, account, name="Gamma", tags=["Grossiste", "vip"])
        with container.db.unit_of_work(account.tenant_id) as session:
            sales.archive_partner(session, account.principal(), gamma.id)
        reader = account.principal(Role.EMPLOYEE)
        with container.db.unit_of_work(account.tenant_id) as session:
            customers = sales.list_partners(session, reader, role="customer")
            suppliers = sales.list_partners(session, reader, role="supplier")
            tagged = sales.list_partners(session, reader, tag="GROSSISTE", active=None)
            page = sales.list_partners(session, reader, limit=1, offset=1)
        assert [p.name for p in customers.items] == ["Alpha"]
        assert [p.name for p in suppliers.items] == ["Beta"]
        assert [p.name for p in tagged.items] == ["Alpha", "Gamma"]
        assert ([p.name for p in page.items], page.total) == (["Beta"], 2)

    def test_contact_added_to_a_partner(self, container: Container) -> None:
        account = make_sales_tenant(container, country="SN")
        partner = make_partner(container, account)
        with container.db.unit_of_work(account.tenant_id) as session:
            contact = sales.add_contact(
                session,
                account.principal(Role.SALES),
                partner.id,
                ContactCreate(name="Moussa", email="Moussa@Diallo.SN", phone="76 000 00 00"),
            )
        assert (contact.email, contact.phone) == ("moussa@diallo.sn", "+221760000000")


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.HR])
    def test_readers_cannot_write(self, container: Container, role: Role) -> None:
        account = make_sales_tenant(container)
        partner = make_partner(container, account)
        member = make_member(container, account, role)
        with pytest.raises(PermissionDenied):
            create(container, member, role=role)
        with pytest.raises(PermissionDenied):
            with container.db.unit_of_work(account.tenant_id) as session:
                sales.add_contact(
                    session, member.principal(role), partner.id, ContactCreate(name="X")
                )
        with container.db.unit_of_work(account.tenant_id) as session:
            assert (
                sales.get_partner(session, member.principal(role), partner.id).name == partner.name
            )

    def test_another_tenants_partner_is_not_found(self, container: Container) -> None:
        a = make_sales_tenant(container)
        b = make_sales_tenant(container)
        theirs = make_partner(container, b)
        with pytest.raises(PartnerNotFound):
            with container.db.unit_of_work(a.tenant_id) as session:
                sales.get_partner(session, a.principal(), theirs.id)
