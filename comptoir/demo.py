"""The demo data `make run` seeds: one French shop and one Senegalese distributor.

Idempotent: a business whose administrator already exists is left as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from comptoir.bootstrap import Container
from comptoir.demo_books import seed_books
from comptoir.demo_hr import seed_hr
from comptoir.demo_payables import seed_payables
from comptoir.demo_stock import seed_stock
from domain import onboarding
from domain.audit.service import RequestContext
from domain.identity import repository as repo
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate, SignUp, TenantCreate, UserCreate
from domain.kit.principal import Channel, Principal, Role

DEMO_PASSWORD = "comptoir-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    roles: list[Role]
    phone: str | None = None


@dataclass(frozen=True)
class DemoBusiness:
    tenant: TenantCreate
    admin: DemoPerson
    members: list[DemoPerson] = field(default_factory=list)


DEMO = [
    DemoBusiness(
        tenant=TenantCreate(
            name="Boutique Lumière",
            slug="boutique-lumiere",
            country="FR",
            siret="73282932000074",
            vat_number="FR44732829320",
        ),
        admin=DemoPerson(
            "admin@boutique-lumiere.fr", "Claire Martin", [Role.ADMIN], "+33612345678"
        ),
        members=[
            DemoPerson(
                "compta@boutique-lumiere.fr", "Julien Petit", [Role.ACCOUNTANT], "+33623456789"
            ),
            DemoPerson(
                "sophie@boutique-lumiere.fr", "Sophie Bernard", [Role.MANAGER], "+33634567890"
            ),
        ],
    ),
    DemoBusiness(
        tenant=TenantCreate(
            name="Sahel Distribution", slug="sahel-distribution", country="SN", ninea="3067221"
        ),
        admin=DemoPerson(
            "fatou@sahel-distribution.sn", "Fatou Sarr", [Role.ADMIN], "+221771234567"
        ),
        members=[
            DemoPerson("awa@sahel-distribution.sn", "Awa Ndiaye", [Role.EMPLOYEE], "+221772345678"),
            DemoPerson("modou@sahel-distribution.sn", "Modou Diop", [Role.SALES], "+221773456789"),
            DemoPerson(
                "ibrahima@sahel-distribution.sn", "Ibrahima Gueye", [Role.MANAGER], "+221774567890"
            ),
            DemoPerson(
                "ousmane@sahel-distribution.sn",
                "Ousmane Ba",
                [Role.ACCOUNTANT, Role.HR],
                "+221775678901",
            ),
        ],
    ),
]


def _create(container: Container, business: DemoBusiness) -> None:
    ctx = RequestContext(channel=Channel.CLI, request_id="demo-seed")
    admin = business.admin
    signup = SignUp(
        tenant=business.tenant,
        admin=UserCreate(
            email=admin.email, name=admin.name, password=DEMO_PASSWORD, phone=admin.phone
        ),
    )
    with container.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            container.db, session, signup, container.passwords, ctx
        )
        principal = _admin(tenant.id, user.id)
        for person in business.members:
            member = MemberCreate(
                email=person.email,
                name=person.name,
                password=DEMO_PASSWORD,
                roles=person.roles,
                phone=person.phone,
            )
            identity.add_member(session, principal, member, container.passwords)


def _admin(tenant_id: UUID, user_id: UUID) -> Principal:
    return Principal(
        tenant_id=tenant_id, user_id=user_id, roles=frozenset({Role.ADMIN}), channel=Channel.CLI
    )


def _existing_admin(container: Container, business: DemoBusiness) -> Principal | None:
    with container.db.unit_of_work() as session:
        credentials = repo.find_credentials(session, business.admin.email)
        if credentials is None:
            return None
        tenants = repo.user_tenants(session, credentials.user_id)
    tenant = next(t for t in tenants if t.slug == business.tenant.slug)
    return _admin(tenant.tenant_id, credentials.user_id)


def seed_demo(container: Container) -> list[tuple[str, str, str]]:
    """Create the demo businesses and their history if missing (a business created by an
    earlier version gets what it lacks); return their (slug, e-mail, roles) logins."""
    logins: list[tuple[str, str, str]] = []
    for business in DEMO:
        if _existing_admin(container, business) is None:
            _create(container, business)
        principal = _existing_admin(container, business)
        assert principal is not None
        with container.db.unit_of_work(principal.tenant_id) as session:
            tenant = repo.get_tenant(session, principal.tenant_id)
            assert tenant is not None
            onboarding.prepare_tenant(session, principal, tenant)  # idempotent
        seed_books(container, principal, business.tenant.country)
        seed_hr(container, principal, business.tenant.country)
        seed_stock(container, principal, business.tenant.country)
        seed_payables(container, principal, business.tenant.country)
        for person in (business.admin, *business.members):
            roles = ",".join(r.value for r in person.roles)
            logins.append((business.tenant.slug, person.email, roles))
    return logins
