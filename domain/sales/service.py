"""Sales services: partners and their fuzzy resolution, the catalog, the pipeline, activities.

Every function takes ``(session, principal, ...)``, checks the principal's roles, validates
everything before writing, flushes (never commits), and records each write as a domain
event and an audit entry in the caller's transaction.

Resolving a name (``resolve_partner``, ``resolve_product``) picks a candidate only when it
is clearly the one meant: an exact match (the whole name, accents and case aside, or a
code, e-mail, phone, SKU or legal id), or a best score ≥ ``RESOLVE_MIN_SCORE`` ahead of the
runner-up by ≥ ``RESOLVE_MIN_MARGIN``. Otherwise the caller gets the candidates to ask
the user (``Ambiguous*``), or a clear « aucun … ne correspond » (``*NotFound``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.identity import repository as identity_repo
from domain.identity.legal_ids import normalize_phone, validate_ninea
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import Conflict, DomainError, InvalidInput
from domain.kit.ids import uuid7
from domain.kit.money import Currency, Money, round_to_currency
from domain.kit.principal import Principal, Role
from domain.kit.sequences import take_next
from domain.sales import repository as repo
from domain.sales.errors import (
    ActivityNotFound,
    AmbiguousPartner,
    AmbiguousProduct,
    DuplicatePartner,
    OpportunityNotFound,
    PartnerNotFound,
    ProductNotFound,
    SkuTaken,
    StageNameTaken,
    StageNotFound,
    UnknownStage,
)
from domain.sales.models import (
    Activity,
    Opportunity,
    Partner,
    PartnerContact,
    PipelineStage,
    Product,
)
from domain.sales.schemas import (
    ActivityCreate,
    ContactCreate,
    LegalIds,
    OpportunityCreate,
    Page,
    PartnerCreate,
    PartnerMatch,
    PartnerUpdate,
    PipelineSummary,
    ProductCreate,
    ProductMatch,
    ProductUpdate,
    StageCreate,
    StageSummary,
    StageUpdate,
    plain,
    validate_legal_ids,
)

# Who may do what. Admin always passes ``Principal.require``.
READERS = tuple(Role)  # every member reads the customer file, the catalog and the pipeline
WRITERS = (Role.MANAGER, Role.SALES, Role.ACCOUNTANT)  # partners, products, activities
PIPELINE_WRITERS = (Role.MANAGER, Role.SALES)  # opportunities
STAGE_ADMINS = (Role.MANAGER,)  # the pipeline's stages

RESOLVE_MIN_SCORE = 0.45
RESOLVE_MIN_MARGIN = 0.15
PAGE_MAX = 200
AMOUNT_MAX = Decimal("1e13")  # Numeric(18, 4) holds up to 10^14

DEFAULT_STAGES = (
    ("Nouveau", 10, "open"),
    ("Qualifié", 25, "open"),
    ("Proposition", 50, "open"),
    ("Négociation", 75, "open"),
    ("Gagné", 100, "won"),
    ("Perdu", 0, "lost"),
)
# Used until domain.finance.vat exists (the finance area owns the tenant's VAT rates).
FALLBACK_VAT_RATES = {
    "FR": tuple(Decimal(r) for r in ("20", "10", "5.5", "2.1", "0")),
    "SN": tuple(Decimal(r) for r in ("18", "10", "0")),
}
STANDARD_VAT_RATE = {"FR": Decimal(20), "SN": Decimal(18)}

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


# --- shared helpers ---------------------------------------------------------------------


def _tenant(session: Session, principal: Principal) -> Tenant:
    tenant = identity_repo.get_tenant(session, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant


def _today(tenant: Tenant, clock: Clock) -> date:
    return clock.now().astimezone(ZoneInfo(tenant.timezone)).date()


def _state(obj: object) -> dict[str, Any]:
    """Column values of a row, for audit ``before``/``after``."""
    skip = {"tenant_id", "created_at", "updated_at"}
    return {
        a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs if a.key not in skip
    }


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return min(max(limit, 1), PAGE_MAX), max(offset, 0)


def _check_amount(amount: Decimal, currency: Currency, field: str) -> None:
    if amount < 0:
        raise InvalidInput("Un montant ne peut pas être négatif.", field=field)
    if amount >= AMOUNT_MAX:
        raise InvalidInput("Montant trop élevé.", field=field)
    if not Money(amount, currency).is_rounded:
        message = (
            "Le franc CFA n'a pas de centimes."
            if currency is Currency.XOF
            else "Un montant en euros a au plus deux décimales."
        )
        raise InvalidInput(message, field=field)


def _required(changes: dict[str, Any], *fields: str) -> None:
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"Le champ « {field} » ne peut pas être vide.", field=field)


def _require_member(session: Session, principal: Principal, user_id: UUID, field: str) -> None:
    membership = identity_repo.get_membership(session, principal.tenant_id, user_id)
    if membership is None or not membership.is_active:
        raise InvalidInput("Cette personne n'est pas membre de l'entreprise.", field=field)


def _record(
    session: Session,
    principal: Principal,
    target: Any,
    event: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    **payload: Any,
) -> None:
    """The domain event and the audit entry of one write (``partner.created`` and
    ``partner.create``), in the caller's transaction."""
    kind = action.split(".")[0]
    events.emit(session, principal, event, **{f"{kind}_id": target.id}, **payload)
    audit.record(
        session,
        principal,
        action,
        target_type=kind,
        target_id=target.id,
        before=before,
        after=_state(target),
    )


# --- partners ---------------------------------------------------------------------------

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
    _record(
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
    before = _state(partner)
    state = {**before, **columns}
    _validate_partner(_tenant(session, principal), state, set(columns))
    _refuse_duplicates(session, principal, state, exclude=partner.id)
    changed = {k: v for k, v in state.items() if before.get(k) != v}
    if not changed:
        return partner
    for key, value in changed.items():
        setattr(partner, key, value)
    session.flush()
    _record(
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
    _record(
        session, principal, contact, "partner.contact_added", "partner_contact.add",
        partner_id=partner.id,
    )  # fmt: skip
    return contact


def archive_partner(session: Session, principal: Principal, partner_id: UUID) -> Partner:
    """Hide a partner from lists and searches; its history stays (never deleted)."""
    principal.require(*WRITERS)
    partner = get_partner(session, principal, partner_id)
    if partner.is_active:
        before = _state(partner)
        partner.is_active = False
        session.flush()
        _record(session, principal, partner, "partner.archived", "partner.archive", before=before)
    return partner


# --- search and resolution --------------------------------------------------------------

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


def _merge(exact: list[Any], hits: list[repo.Hit], limit: int) -> list[repo.Hit]:
    merged = [repo.Hit(row, 1.0, True) for row in exact]
    seen = {h.row.id for h in merged}
    merged += [h for h in hits if h.row.id not in seen]
    return merged[:limit]


def _partner_hits(
    session: Session, principal: Principal, query: str, role: PartnerRoleFilter, limit: int
) -> list[repo.Hit]:
    principal.require(*READERS)
    query = " ".join(query.split())
    if not query:
        return []
    country = _tenant(session, principal).country
    values = _identifier_values(query, country)
    exact = repo.partners_by_identifier(session, principal.tenant_id, values, role=role)
    fuzzy = repo.search_partner_names(session, principal.tenant_id, query, role=role, limit=limit)
    return _merge(exact, fuzzy, limit)


def _partner_match(hit: repo.Hit) -> PartnerMatch:
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


def _choose(hits: list[repo.Hit]) -> repo.Hit | None:
    exact = [h for h in hits if h.exact]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if not hits or hits[0].score < RESOLVE_MIN_SCORE:
        return None
    if len(hits) > 1 and hits[0].score - hits[1].score < RESOLVE_MIN_MARGIN:
        return None
    return hits[0]


def _close_candidates(hits: list[repo.Hit]) -> list[repo.Hit]:
    exact = [h for h in hits if h.exact]
    if len(exact) > 1:
        return exact
    return [h for h in hits if hits[0].score - h.score < RESOLVE_MIN_MARGIN]


def _alternatives(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ou {names[-1]}"


def _resolve(
    hits: list[repo.Hit],
    query: str,
    nouns: tuple[str, str],
    errors: tuple[type[DomainError], type[DomainError]],
    to_match: Callable[[repo.Hit], Any],
) -> Any:
    chosen = _choose(hits)
    if chosen is not None:
        return chosen.row
    singular, plural = nouns
    not_found, ambiguous = errors
    if not hits:
        raise not_found(f"Aucun {singular} ne correspond à « {query} ».", query=query)
    close = _close_candidates(hits)
    names = [h.row.name for h in close]
    message = (
        f"Plusieurs {plural} correspondent : {_alternatives(names)} ?"
        if len(close) > 1
        else f"Aucun {singular} ne correspond exactement à « {query} ». "
        f"Vouliez-vous dire {names[0]} ?"
    )
    candidates = [to_match(h).model_dump(mode="json") for h in close]
    raise ambiguous(message, query=query, candidates=candidates)


def resolve_partner(
    session: Session, principal: Principal, query: str, *, role: PartnerRoleFilter = None
) -> Partner:
    """The one partner ``query`` designates (see the module docstring for the rule).

    Raises ``AmbiguousPartner`` (409, ``details["candidates"]``) or ``PartnerNotFound``.
    """
    hits = _partner_hits(session, principal, query, role, 5)
    partner: Partner = _resolve(
        hits,
        " ".join(query.split()),
        _PARTNER_NOUNS[role],
        (PartnerNotFound, AmbiguousPartner),
        _partner_match,
    )
    return partner


def _product_hits(session: Session, principal: Principal, query: str, limit: int) -> list[repo.Hit]:
    principal.require(*READERS)
    query = " ".join(query.split())
    if not query:
        return []
    skus = {query, query.upper(), query.lower()}
    by_sku = repo.product_by_sku(session, principal.tenant_id, skus)
    exact = [by_sku] if by_sku is not None and by_sku.is_active else []
    fuzzy = repo.search_product_names(session, principal.tenant_id, query, limit=limit)
    return _merge(exact, fuzzy, limit)


def _product_match(hit: repo.Hit) -> ProductMatch:
    p: Product = hit.row
    return ProductMatch(id=p.id, sku=p.sku, name=p.name, unit=p.unit, score=round(hit.score, 3))


def search_products(
    session: Session, principal: Principal, query: str, *, limit: int = 5
) -> list[ProductMatch]:
    """Active products matching ``query``: the exact SKU first, then names (pg_trgm)."""
    hits = _product_hits(session, principal, query, min(max(limit, 1), 50))
    return [_product_match(h) for h in hits]


def resolve_product(session: Session, principal: Principal, query: str) -> Product:
    """The one product ``query`` designates; ``AmbiguousProduct`` or ``ProductNotFound``."""
    hits = _product_hits(session, principal, query, 5)
    product: Product = _resolve(
        hits,
        " ".join(query.split()),
        ("produit", "produits"),
        (ProductNotFound, AmbiguousProduct),
        _product_match,
    )
    return product


# --- catalog ----------------------------------------------------------------------------


def _fr_rate(rate: Decimal) -> str:
    return f"{plain(rate)} %".replace(".", ",")


def _require_vat_rate(session: Session, tenant: Tenant, rate: Decimal) -> None:
    """The finance area owns the tenant's VAT rates; until its module exists, the legal
    rates of the country are accepted."""
    try:
        from domain.finance.vat import require_rate
    except ModuleNotFoundError as exc:
        if exc.name != "domain.finance.vat":
            raise
        allowed = FALLBACK_VAT_RATES[tenant.country]
        if rate not in allowed:
            raise InvalidInput(
                f"Taux de TVA inconnu : {_fr_rate(rate)}. Taux possibles : "
                f"{', '.join(_fr_rate(r) for r in allowed)}.",
                field="vat_rate",
            ) from None
        return
    require_rate(session, tenant.id, rate)


def _refuse_taken_sku(
    session: Session, principal: Principal, sku: str, exclude: UUID | None = None
) -> None:
    # Case variants too: « riz-50 » and « RIZ-50 » would be the same reference to a person.
    other = repo.product_by_sku(
        session, principal.tenant_id, {sku, sku.upper(), sku.lower()}, exclude=exclude
    )
    if other is not None:
        raise SkuTaken(
            f"La référence « {sku} » est déjà celle de « {other.name} ».",
            field="sku",
            existing_id=str(other.id),
        )


def _check_product(session: Session, tenant: Tenant, changes: dict[str, Any]) -> None:
    if changes.get("sale_price") is not None:
        _check_amount(changes["sale_price"], Currency(tenant.currency), "sale_price")
    if changes.get("vat_rate") is not None:
        _require_vat_rate(session, tenant, changes["vat_rate"])


def create_product(session: Session, principal: Principal, data: ProductCreate) -> Product:
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    fields = data.model_dump()
    if fields["vat_rate"] is None:
        fields["vat_rate"] = STANDARD_VAT_RATE[tenant.country]
    _check_product(session, tenant, fields)
    if data.sku:
        _refuse_taken_sku(session, principal, data.sku)
    product = Product(tenant_id=tenant.id, id=uuid7(), **fields)
    session.add(product)
    session.flush()
    _record(
        session, principal, product, "product.created", "product.create", product_name=product.name
    )
    return product


def update_product(
    session: Session, principal: Principal, product_id: UUID, data: ProductUpdate
) -> Product:
    principal.require(*WRITERS)
    product = get_product(session, principal, product_id)
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "kind", "name", "unit", "sale_price", "vat_rate", "is_active")
    _check_product(session, _tenant(session, principal), changes)
    if changes.get("sku"):
        _refuse_taken_sku(session, principal, changes["sku"], exclude=product.id)
    before = _state(product)
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return product
    for key, value in changed.items():
        setattr(product, key, value)
    session.flush()
    _record(
        session,
        principal,
        product,
        "product.updated",
        "product.update",
        before=before,
        fields=sorted(changed),
    )
    return product


def get_product(session: Session, principal: Principal, product_id: UUID) -> Product:
    principal.require(*READERS)
    product = repo.get_product(session, principal.tenant_id, product_id)
    if product is None:
        raise ProductNotFound()
    return product


def list_products(
    session: Session,
    principal: Principal,
    *,
    kind: Literal["goods", "service"] | None = None,
    category: str | None = None,
    active: bool | None = True,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Product]:
    """Products by name, or, with ``query``, by closeness to it (exact SKU first)."""
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    items, total = repo.list_products(
        session,
        principal.tenant_id,
        kind=kind,
        category=category,
        active=active,
        query=" ".join(query.split()) if query else None,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def archive_product(session: Session, principal: Principal, product_id: UUID) -> Product:
    principal.require(*WRITERS)
    product = get_product(session, principal, product_id)
    if product.is_active:
        before = _state(product)
        product.is_active = False
        session.flush()
        _record(session, principal, product, "product.archived", "product.archive", before=before)
    return product


# --- pipeline ---------------------------------------------------------------------------


def prepare_tenant(session: Session, principal: Principal) -> list[PipelineStage]:
    """Give a new business the default pipeline. Idempotent: a business that already has
    stages (default or its own) keeps them untouched.

    Part of sign-up (``domain.onboarding``): like the books' defaults, it is covered by the
    ``tenant.created`` event and ``tenant.create`` audit entry, so it records none itself.
    """
    principal.require(*STAGE_ADMINS)
    rows = [
        {"id": uuid7(), "name": name, "position": (i + 1) * 10, "probability": p, "outcome": o}
        for i, (name, p, o) in enumerate(DEFAULT_STAGES)
    ]
    repo.insert_stages_if_none(session, principal.tenant_id, rows)
    return repo.list_stages(session, principal.tenant_id)


def list_stages(session: Session, principal: Principal) -> list[PipelineStage]:
    principal.require(*READERS)
    return repo.list_stages(session, principal.tenant_id)


def _refuse_taken_stage_name(
    session: Session, principal: Principal, name: str, exclude: UUID | None = None
) -> None:
    if repo.stage_named(session, principal.tenant_id, name, exclude=exclude) is not None:
        raise StageNameTaken(f"L'étape « {name} » existe déjà.", field="name")


def create_stage(session: Session, principal: Principal, data: StageCreate) -> PipelineStage:
    """A new stage, placed last unless ``position`` is given."""
    principal.require(*STAGE_ADMINS)
    _refuse_taken_stage_name(session, principal, data.name)
    position = data.position
    if position is None:
        stages = repo.list_stages(session, principal.tenant_id)
        position = max((s.position for s in stages), default=0) + 10
    stage = PipelineStage(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        name=data.name,
        position=position,
        probability=data.probability,
        outcome=data.outcome,
    )
    session.add(stage)
    session.flush()
    _record(session, principal, stage, "stage.created", "stage.create", stage_name=stage.name)
    return stage


def _stage(session: Session, principal: Principal, stage_id: UUID) -> PipelineStage:
    stage = repo.get_stage(session, principal.tenant_id, stage_id)
    if stage is None:
        raise StageNotFound()
    return stage


def update_stage(
    session: Session, principal: Principal, stage_id: UUID, data: StageUpdate
) -> PipelineStage:
    principal.require(*STAGE_ADMINS)
    stage = _stage(session, principal, stage_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    if "name" in changes:
        _refuse_taken_stage_name(session, principal, changes["name"], exclude=stage.id)
    before = _state(stage)
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if not changed:
        return stage
    for key, value in changed.items():
        setattr(stage, key, value)
    session.flush()
    _record(session, principal, stage, "stage.updated", "stage.update", before=before)
    return stage


def reorder(session: Session, principal: Principal, stage_ids: list[UUID]) -> list[PipelineStage]:
    """Put the stages in the order given; every stage must be named exactly once."""
    principal.require(*STAGE_ADMINS)
    stages = {s.id: s for s in repo.list_stages(session, principal.tenant_id)}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise InvalidInput(
            "Donnez toutes les étapes du pipeline, chacune une seule fois.", field="stage_ids"
        )
    before = [s.name for s in sorted(stages.values(), key=lambda s: s.position)]
    for i, stage_id in enumerate(stage_ids):
        stages[stage_id].position = (i + 1) * 10
    session.flush()
    after = [stages[i].name for i in stage_ids]
    events.emit(session, principal, "pipeline.reordered", stages=after)
    audit.record(
        session,
        principal,
        "pipeline.reorder",
        target_type="pipeline",
        before={"order": before},
        after={"order": after},
    )
    return [stages[i] for i in stage_ids]


def _as_uuid(ref: UUID | str) -> UUID | None:
    if isinstance(ref, UUID):
        return ref
    try:
        return UUID(ref.strip())
    except ValueError:
        return None


def _stage_named(session: Session, principal: Principal, ref: UUID | str) -> PipelineStage:
    """A stage by id or by name (« negociation » finds « Négociation »)."""
    stage_id = _as_uuid(ref)
    stage = (
        repo.get_stage(session, principal.tenant_id, stage_id)
        if stage_id is not None
        else repo.stage_named(session, principal.tenant_id, " ".join(str(ref).split()))
    )
    if stage is None:
        names = ", ".join(s.name for s in repo.list_stages(session, principal.tenant_id))
        raise UnknownStage(
            f"Étape inconnue : « {ref} ». Étapes possibles : {names}.", field="stage"
        )
    return stage


def _first_open_stage(session: Session, principal: Principal) -> PipelineStage:
    for stage in repo.list_stages(session, principal.tenant_id):
        if stage.outcome == "open":
            return stage
    raise UnknownStage("Le pipeline n'a aucune étape ouverte.", field="stage")


def _enter_stage(
    opportunity: Opportunity,
    stage: PipelineStage,
    today: date,
    *,
    lost_reason: str | None,
    probability: int | None,
) -> None:
    """Put an opportunity in ``stage``: won/lost close it today, lost needs a reason."""
    reason = " ".join((lost_reason or "").split()) or None
    if stage.outcome == "lost" and reason is None:
        raise InvalidInput("Indiquez la raison de la perte de l'affaire.", field="lost_reason")
    opportunity.stage_id = stage.id
    opportunity.probability = stage.probability if probability is None else probability
    opportunity.closed_on = None if stage.outcome == "open" else today
    opportunity.lost_reason = reason if stage.outcome == "lost" else None


def create_opportunity(
    session: Session, principal: Principal, data: OpportunityCreate, *, clock: Clock
) -> Opportunity:
    """A deal with a customer; probability defaults to the stage's, owner to the caller."""
    principal.require(*PIPELINE_WRITERS)
    tenant = _tenant(session, principal)
    partner = get_partner(session, principal, data.partner_id)
    if not partner.is_customer:
        raise InvalidInput(f"« {partner.name} » n'est pas un client.", field="partner_id")
    _check_amount(data.amount, Currency(tenant.currency), "amount")
    stage = (
        _stage_named(session, principal, data.stage)
        if data.stage
        else _first_open_stage(session, principal)
    )
    owner_id = data.owner_id or principal.user_id
    _require_member(session, principal, owner_id, "owner_id")
    opportunity = Opportunity(
        tenant_id=tenant.id,
        id=uuid7(),
        partner_id=partner.id,
        title=data.title.strip(),
        amount=data.amount,
        expected_close_date=data.expected_close_date,
        owner_id=owner_id,
    )
    _enter_stage(
        opportunity,
        stage,
        _today(tenant, clock),
        lost_reason=data.lost_reason,
        probability=data.probability,
    )
    session.add(opportunity)
    session.flush()
    _record(
        session, principal, opportunity, "opportunity.created", "opportunity.create",
        partner_id=partner.id, stage=stage.name, amount=opportunity.amount,
    )  # fmt: skip
    return opportunity


def move_opportunity(
    session: Session,
    principal: Principal,
    opportunity_id: UUID,
    stage: UUID | str,
    *,
    clock: Clock,
    lost_reason: str | None = None,
    probability: int | None = None,
) -> Opportunity:
    """Move to ``stage`` (id or name). Gagné/Perdu set ``closed_on`` to today in the
    business's time zone; Perdu requires ``lost_reason``; back to an open stage reopens."""
    principal.require(*PIPELINE_WRITERS)
    opportunity = get_opportunity(session, principal, opportunity_id)
    target = _stage_named(session, principal, stage)
    before = _state(opportunity)
    today = _today(_tenant(session, principal), clock)
    _enter_stage(opportunity, target, today, lost_reason=lost_reason, probability=probability)
    session.flush()
    _record(
        session, principal, opportunity, "opportunity.stage_changed", "opportunity.move",
        before=before, stage=target.name, outcome=target.outcome,
    )  # fmt: skip
    return opportunity


def get_opportunity(session: Session, principal: Principal, opportunity_id: UUID) -> Opportunity:
    principal.require(*READERS)
    opportunity = repo.get_opportunity(session, principal.tenant_id, opportunity_id)
    if opportunity is None:
        raise OpportunityNotFound()
    return opportunity


def list_opportunities(
    session: Session,
    principal: Principal,
    *,
    stage: UUID | str | None = None,
    partner_id: UUID | None = None,
    owner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Opportunity]:
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    stage_id = _stage_named(session, principal, stage).id if stage is not None else None
    items, total = repo.list_opportunities(
        session,
        principal.tenant_id,
        stage_id=stage_id,
        partner_id=partner_id,
        owner_id=owner_id,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def pipeline_summary(session: Session, principal: Principal) -> PipelineSummary:
    """Per stage: count, total and weighted amount (Σ amount × probability / 100, each
    opportunity at its own probability), rounded to the currency once per stage."""
    principal.require(*READERS)
    currency = Currency(_tenant(session, principal).currency)
    stages = [
        StageSummary.model_validate(
            {
                "stage_id": t.stage.id,
                "name": t.stage.name,
                "position": t.stage.position,
                "outcome": t.stage.outcome,
                "count": t.count,
                "total_amount": round_to_currency(t.amount, currency),
                "weighted_amount": round_to_currency(t.weighted, currency),
            }
        )
        for t in repo.stage_totals(session, principal.tenant_id)
    ]
    open_stages = [s for s in stages if s.outcome == "open"]
    return PipelineSummary(
        currency=currency.value,
        stages=stages,
        open_count=sum(s.count for s in open_stages),
        open_amount=sum((s.total_amount for s in open_stages), Decimal(0)),
        open_weighted_amount=sum((s.weighted_amount for s in open_stages), Decimal(0)),
    )


# --- activities -------------------------------------------------------------------------


def _activity_subject(
    session: Session, principal: Principal, data: ActivityCreate
) -> tuple[UUID | None, UUID | None]:
    """The (partner, opportunity) an activity is about; the opportunity implies its partner."""
    if data.partner_id is None and data.opportunity_id is None:
        raise InvalidInput(
            "Rattachez l'activité à un client ou fournisseur, ou à une affaire.",
            field="partner_id",
        )
    partner_id = get_partner(session, principal, data.partner_id).id if data.partner_id else None
    if data.opportunity_id is None:
        return partner_id, None
    opportunity = get_opportunity(session, principal, data.opportunity_id)
    if partner_id is not None and opportunity.partner_id != partner_id:
        raise InvalidInput(
            "Cette affaire concerne un autre client que celui indiqué.", field="opportunity_id"
        )
    return opportunity.partner_id, opportunity.id


def log_activity(session: Session, principal: Principal, data: ActivityCreate) -> Activity:
    """A call, meeting, task or note; assigned to the caller unless ``assignee_id`` names
    another member of the business."""
    principal.require(*WRITERS)
    tenant = _tenant(session, principal)
    partner_id, opportunity_id = _activity_subject(session, principal, data)
    assignee_id = data.assignee_id or principal.user_id
    _require_member(session, principal, assignee_id, "assignee_id")
    due_at = data.due_at
    if due_at is not None and due_at.tzinfo is None:
        due_at = due_at.replace(tzinfo=ZoneInfo(tenant.timezone))
    activity = Activity(
        tenant_id=tenant.id,
        id=uuid7(),
        kind=data.kind,
        subject=data.subject.strip(),
        notes=data.notes,
        due_at=due_at,
        assignee_id=assignee_id,
        partner_id=partner_id,
        opportunity_id=opportunity_id,
    )
    session.add(activity)
    session.flush()
    _record(
        session, principal, activity, "activity.logged", "activity.log",
        kind=activity.kind, assignee_id=assignee_id, due_at=due_at,
    )  # fmt: skip
    return activity


def get_activity(session: Session, principal: Principal, activity_id: UUID) -> Activity:
    principal.require(*READERS)
    activity = repo.get_activity(session, principal.tenant_id, activity_id)
    if activity is None:
        raise ActivityNotFound()
    return activity


def complete_activity(
    session: Session, principal: Principal, activity_id: UUID, *, clock: Clock
) -> Activity:
    """Mark done (by a sales writer, or by the person it is assigned to)."""
    activity = get_activity(session, principal, activity_id)
    if activity.assignee_id != principal.user_id:
        principal.require(*WRITERS)
    if activity.done:
        raise Conflict("Cette activité est déjà terminée.")
    before = _state(activity)
    activity.done = True
    activity.done_at = clock.now()
    session.flush()
    _record(session, principal, activity, "activity.completed", "activity.complete", before=before)
    return activity


def list_activities(
    session: Session,
    principal: Principal,
    *,
    clock: Clock,
    assignee_id: UUID | None = None,
    done: bool | None = None,
    overdue: bool = False,
    partner_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Activity]:
    """Soonest due first. ``overdue``: not done and due before now."""
    principal.require(*READERS)
    limit, offset = _bounds(limit, offset)
    items, total = repo.list_activities(
        session,
        principal.tenant_id,
        assignee_id=assignee_id,
        done=done,
        overdue_at=clock.now() if overdue else None,
        partner_id=partner_id,
        limit=limit,
        offset=offset,
    )
    return Page(items, total, limit, offset)


def tenant_currency(session: Session, principal: Principal) -> Currency:
    """The currency amounts are kept in (EUR for France, XOF for Senegal)."""
    return Currency(_tenant(session, principal).currency)
