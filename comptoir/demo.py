"""The demo data `make run` seeds: one French shop and one Senegalese distributor.

Idempotent: a business that already exists is left as it is."""

from __future__ import annotations

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.identity import repository as repo
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate, SignUp, TenantCreate, UserCreate
from domain.kit.principal import Channel, Principal, Role

DEMO_PASSWORD = "comptoir-demo-2026"

DEMO = [
    {
        "tenant": TenantCreate(name="Boutique Lumière", slug="boutique-lumiere", country="FR",
                               siret="73282932000074", vat_number="FR44732829320"),
        "admin": ("admin@boutique-lumiere.fr", "Claire Martin", "+33612345678"),
        "members": [("compta@boutique-lumiere.fr", "Julien Petit", [Role.ACCOUNTANT])],
    },
    {
        "tenant": TenantCreate(name="Sahel Distribution", slug="sahel-distribution",
                               country="SN", ninea="3067221"),
        "admin": ("fatou@sahel-distribution.sn", "Fatou Sarr", "+221771234567"),
        "members": [("awa@sahel-distribution.sn", "Awa Ndiaye", [Role.EMPLOYEE]),
                    ("modou@sahel-distribution.sn", "Modou Diop", [Role.SALES])],
    },
]


def seed_demo(container: Container) -> list[tuple[str, str, str]]:
    """Create the demo businesses if missing; return (tenant, email, roles) logins."""
    ctx = RequestContext(channel=Channel.CLI, request_id="demo-seed")
    logins: list[tuple[str, str, str]] = []
    for spec in DEMO:
        tenant: TenantCreate = spec["tenant"]  # type: ignore[assignment]
        email, name, phone = spec["admin"]  # type: ignore[misc]
        with container.db.unit_of_work() as session:
            existing = repo.find_credentials(session, email)
        if existing is None:
            admin = UserCreate(email=email, name=name, password=DEMO_PASSWORD, phone=phone)
            with container.db.unit_of_work() as session:
                created, user = identity.register_tenant(
                    container.db, session, SignUp(tenant=tenant, admin=admin),
                    container.passwords, ctx,
                )
                principal = Principal(tenant_id=created.id, user_id=user.id,
                                      roles=frozenset({Role.ADMIN}), channel=Channel.CLI)
                for m_email, m_name, roles in spec["members"]:  # type: ignore[attr-defined]
                    identity.add_member(session, principal, MemberCreate(
                        email=m_email, name=m_name, password=DEMO_PASSWORD, roles=roles,
                    ), container.passwords)
        logins.append((tenant.slug, email, "admin"))
        for m_email, _, roles in spec["members"]:  # type: ignore[attr-defined]
            logins.append((tenant.slug, m_email, ",".join(r.value for r in roles)))
    return logins
