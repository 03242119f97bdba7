"""Partners (customers and suppliers), their contacts, and finding one by name or
identifier (``search_partners``, ``resolve_partner``; the rule is in ``_resolution``)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Literal
from uuid import UUID

from sqlalchemy.orm import Session

from domain.audit.changes import record_change, row_state
from domain.identity.legal_ids import normalize_phone, validate_ninea
from domain.identity.models import Tenant
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.kit.resolution import Hit, merge_hits, resolve_hit
from domain.kit.sequences import take_next
from domain.sales import repository as repo
from domain.sales.errors import AmbiguousPartner, DuplicatePartner, PartnerNotFound
from domain.sales.models import Partner, PartnerContact
from domain.sales.schemas import (
    ContactCreate,
    LegalIds,
    Page,
    PartnerCreate,
    PartnerMatch,
    PartnerUpdate,
    validate_legal_ids,
)
from domain.sales.service._common import (
    READERS,
    WRITERS,
    _bounds,
    _required,
    _tenant,
)

PartnerRoleFilter = Literal["customer", "supplier"] | None
_PARTNER_NOUNS = {
    None: ("client ni fournisseur", "clients ou fournisseurs"),
    "customer": ("client", "clients"),
    "supplier": ("fournisseur", "fournisseurs"),
}
_LEGAL_ID_LABELS = {
    "siren": "ce SIREN",
    "vat_number": "ce numéro de TVA",
    "ninea": "ce NINEA",
    "email": "cette adresse e-mail",
}


_PARTNER_COLUMNS = ("email", "phone", "siren", "siret", "vat_number", "ninea", "notes")
_ADDRESS_COLUMNS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
}


def _partner_columns(changes: dict[str, Any]) -> dict[str, Any]:
    """Map a (partial) PartnerCreate/PartnerUpdate dump to Partner columns."""
    columns = {k: v for k, v in changes.items() if k not in ("roles", "address", "contacts")}
    if "roles" in changes:
        _required(changes, "roles")
        columns["is_customer"] = "customer" in changes["roles"]
        columns["is_supplier"] = "supplier" in changes["roles"]
    for key, value in (changes.get("address") or {}).items():
        columns[_ADDRESS_COLUMNS[key]] = value
    return columns


def _validate_partner(tenant: Tenant, state: dict[str, Any], changed: set[str]) -> None:
    """Validate (and compact) the legal ids and the phone of a partner's final ``state``."""
    state["country"] = state.get("country") or tenant.country
    ids = validate_legal_ids(
        state["country"],
        LegalIds(
            state.get("siren"), state.get("siret"), state.get("vat_number"), state.get("ninea")
        ),
    )
    state.update(siren=ids.siren, siret=ids.siret, vat_number=ids.vat_number, ninea=ids.ninea)
    if state.get("phone") and "phone" in changed:
        # The partner's own country: a French supplier's « 01 23 45 67 89 » for a Dakar shop.
        state["phone"] = normalize_phone(state["phone"], state["country"])


def _refuse_duplicates(
    session: Session, principal: Principal, state: dict[str, Any], exclude: UUID | None = None
) -> None:
    for column, label in _LEGAL_ID_LABELS.items():
        value = state.get(column)
        if not value:
            continue
        other = repo.partner_with(session, principal.tenant_id, column, value, exclude=exclude)
        if other is not None:
            raise DuplicatePartner(
                f"« {other.name} » ({other.code}) a déjà {label} : {value}.",
                field=column,
                existing_id=str(other.id),
                existing_code=other.code,
            )


def _contact(partner: Partner, data: ContactCreate) -> PartnerContact:
    phone = normalize_phone(data.phone, partner.country) if data.phone else None
    return PartnerContact(
        tenant_id=partner.tenant_id,
        id=uuid7(),
        partner_id=partner.id,
        name=data.name,
        job_title=data.job_title,
        email=data.email,
        phone=phone,
    )


def create_partner(session: Session, principal: Principal, data: PartnerCreate) -> Partner:
    """A customer (code C00001…), a supplier (F00001…), or both (a C code)."""
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    state = _partner_columns(data.model_dump(exclude={"contacts"}))
    _validate_partner(tenant, state, set(state))
    _refuse_duplicates(session, principal, state)
    partner = Partner(tenant_id=tenant.id, id=uuid7(), code="", **state)
    # Contacts are validated before the code is taken and anything is written.
    contacts = [_contact(partner, c) for c in data.contacts]
    prefix = "C" if partner.is_customer else "F"
    partner.code = f"{prefix}{take_next(session, tenant.id, f'partner:{prefix}'):05d}"
    session.add(partner)
    session.flush()
    session.add_all(contacts)
    session.flush()
    record_change(
        session,
        principal,
        partner,
        "partner.created",
        "partner.create",
        code=partner.code,
        partner_name=partner.name,
        contacts=[c.name for c in contacts],
    )
    return partner


def update_partner(
    session: Session, principal: Principal, partner_id: UUID, data: PartnerUpdate
) -> Partner:
    """Change only the fields sent. The code never changes (it names the ledger account)."""
    principal.require(*WRITERS)
    partner = get_partner(session, principal, partner_id)
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "kind", "name", "tags", "is_active")
    columns = _partner_columns(changes)
    before = row_state(partner)
    state = {**before, **columns}
    _validate_partner(_tenant(session, principal), state, set(columns))
    _refuse_duplicates(session, principal, state, exclude=partner.id)
    changed = {k: v for k, v in state.items() if before.get(k) != v}
    if not changed:
        return partner
    for key, value in changed.items():
        setattr(partner, key, value)
    session.flush()
    record_change(
        session,
        principal,
        partner,
        "partner.updated",
        "partner.update",
        before=before,
        fields=sorted(changed),
    )
    return partner


def get_partner(session: Session, principal: Principal, partner_id: UUID) -> Partner:
    principal.require(*READERS)
    partner = repo.get_partner(session, principal.tenant_id, partner_id)
    if partner is None:
        raise PartnerNotFound()
    return partner


def get_partners(
    session: Session, principal: Principal, ids: Collection[UUID]
) -> dict[UUID, Partner]:
    """The partners of ``ids`` by id, read in one query (a list of documents names each
    one's partner); an id of no partner of the tenant is simply absent."""
    principal.require(*READERS)
    return {p.id: p for p in repo.partners_by_id(session, principal.tenant_id, set(ids))}


def list_contacts(session: Session, principal: Principal, partner_id: UUID) -> list[PartnerContact]:
    partner = get_partner(session, principal, partner_id)
    return repo.partner_contacts(session, principal.tenant_id, partner.id)


def list_partners(
    session: Session,
    principal: Principal,
    *,
    role: PartnerRoleFilter = None,
    tag: str | None = None,
    active: bool | None = True,
    limit: int = 50,
    offset: int = 0,
) -> Page[Partner]:
    """Partners by name; ``active=None`` lists archived ones too."""
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    items, total = repo.list_partners(
        session,
        principal.tenant_id,
        role=role,
        tag=tag.strip().lower() if tag else None,
        active=active,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def add_contact(
    session: Session, principal: Principal, partner_id: UUID, data: ContactCreate
) -> PartnerContact:
    principal.require(*WRITERS)
    partner = get_partner(session, principal, partner_id)
    contact = _contact(partner, data)
    session.add(contact)
    session.flush()
    record_change(
        session, principal, contact, "partner.contact_added", "partner_contact.add",
        partner_id=partner.id,
    )  # fmt: skip
    return contact


def archive_partner(session: Session, principal: Principal, partner_id: UUID) -> Partner:
    """Hide a partner from lists and searches; its history stays (never deleted)."""
    principal.require(*WRITERS)
    partner = get_partner(session, principal, partner_id)
    if partner.is_active:
        before = row_state(partner)
        partner.is_active = False
        session.flush()
        record_change(
            session, principal, partner, "partner.archived", "partner.archive", before=before
        )
    return partner


_PARTNER_CODE = re.compile(r"^[CF]\d{1,10}$", re.IGNORECASE)


def _identifier_values(query: str, country: str) -> dict[str, str]:
    """Identifier columns ``query`` could be the exact value of (code, e-mail, phone, ids)."""
    if "@" in query:
        return {"email": query.lower()}
    if not any(c.isdigit() for c in query):
        return {}
    values: dict[str, str] = {}
    if _PARTNER_CODE.match(query):
        values["code"] = query.upper()
    digits = re.sub(r"[\s.\-]", "", query)
    if digits.isdigit() and len(digits) in (9, 14):
        values["siren" if len(digits) == 9 else "siret"] = digits
    for column, check in (
        ("phone", lambda v: normalize_phone(v, country)),
        ("ninea", validate_ninea),
    ):
        try:
            values[column] = check(query)
        except InvalidInput:
            pass
    return values


def _partner_hits(
    session: Session, principal: Principal, query: str, role: PartnerRoleFilter, limit: int
) -> list[Hit]:
    principal.require(*READERS)
    query = " ".join(query.split())
    if not query:
        return []
    country = _tenant(session, principal).country
    values = _identifier_values(query, country)
    exact = repo.partners_by_identifier(session, principal.tenant_id, values, role=role)
    fuzzy = repo.search_partner_names(session, principal.tenant_id, query, role=role, limit=limit)
    return merge_hits(exact, fuzzy, limit)


def _partner_match(hit: Hit) -> PartnerMatch:
    p: Partner = hit.row
    return PartnerMatch(id=p.id, code=p.code, name=p.name, city=p.city, score=round(hit.score, 3))


def search_partners(
    session: Session,
    principal: Principal,
    query: str,
    *,
    role: PartnerRoleFilter = None,
    limit: int = 5,
) -> list[PartnerMatch]:
    """Active partners matching ``query`` best first: typo-, accent- and case-tolerant on the
    name (pg_trgm), exact on code, e-mail, phone, SIREN/SIRET and NINEA."""
    hits = _partner_hits(session, principal, query, role, min(max(limit, 1), 50))
    return [_partner_match(h) for h in hits]


def partners_in_city(
    session: Session,
    principal: Principal,
    city: str,
    *,
    role: PartnerRoleFilter = None,
    limit: int = 50,
) -> list[Partner]:
    """Active partners of a city (« mes clients à Thiès »), by name."""
    principal.require(*READERS)
    return repo.partners_in_city(
        session, principal.tenant_id, city, role=role, limit=min(max(limit, 1), 200)
    )


def resolve_partner(
    session: Session, principal: Principal, query: str, *, role: PartnerRoleFilter = None
) -> Partner:
    """The one partner ``query`` designates (see the module docstring for the rule).

    Raises ``AmbiguousPartner`` (409, ``details["candidates"]``) or ``PartnerNotFound``.
    """
    hits = _partner_hits(session, principal, query, role, 5)
    partner: Partner = resolve_hit(
        hits,
        " ".join(query.split()),
        _PARTNER_NOUNS[role],
        (PartnerNotFound, AmbiguousPartner),
        _partner_match,
    )
    return partner


def resolve_customer(session: Session, principal: Principal, query: str) -> Partner:
    """The one customer ``query`` designates (``resolve_partner`` among customers)."""
    return resolve_partner(session, principal, query, role="customer")


def resolve_supplier(session: Session, principal: Principal, query: str) -> Partner:
    """The one supplier ``query`` designates (``resolve_partner`` among suppliers)."""
    return resolve_partner(session, principal, query, role="supplier")
