"""Input and output shapes for sales: partners, catalog, pipeline, activities.

Shapes are checked here (lengths, closed sets, tags, units, signs); what needs the tenant
(legal ids against the partner's country, phone region, currency minor units, VAT rates)
is checked by the services before anything is written. Money travels as strings in JSON:
pydantic serializes ``Decimal`` as a string, and amounts are brought to the currency's
minor unit on the way out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from domain.identity import legal_ids
from domain.identity.schemas import TenantCreate
from domain.kit import inputs
from domain.kit.costs import Cost
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency, round_to_currency
from domain.sales.models import Activity, Opportunity, Partner, PartnerContact, Product
from domain.sales.units import normalize_unit, unit_code

PartnerRole = Literal["customer", "supplier"]
PartnerKind = Literal["individual", "company"]
ProductKind = Literal["goods", "service"]
StageOutcome = Literal["open", "won", "lost"]
ActivityKind = Literal["call", "meeting", "task", "note"]
TAG_MAX = 40

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# --- legal identifiers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegalIds:
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    ninea: str | None = None


def validate_legal_ids(country: str, ids: LegalIds) -> LegalIds:
    """Validate a partner's identifiers against its country, in their compact form.

    France follows exactly the rules of a business's own identifiers (``TenantCreate``:
    SIRET and VAT number must match the SIREN, the SIREN is derived from the SIRET); Senegal
    takes a NINEA only; elsewhere only a VAT number (EU format) makes sense.
    """
    if country == "FR":
        probe = TenantCreate.model_construct(
            country="FR", siren=ids.siren, siret=ids.siret, vat_number=ids.vat_number,
            ninea=ids.ninea,
        )  # fmt: skip
        probe._validate_french_ids()  # the one implementation of the French rules
        return LegalIds(probe.siren, probe.siret, probe.vat_number)
    if ids.siren or ids.siret or (country == "SN" and ids.vat_number):
        raise InvalidInput("SIREN, SIRET et TVA intracommunautaire concernent la France.")
    if ids.ninea and country != "SN":
        raise InvalidInput("Le NINEA concerne les entreprises du Sénégal.", field="ninea")
    ninea = legal_ids.validate_ninea(ids.ninea) if ids.ninea else None
    return LegalIds(ninea=ninea, vat_number=_eu_vat(ids.vat_number) if ids.vat_number else None)


def _eu_vat(value: str) -> str:
    try:
        return str(eu_vat.validate(value))
    except ValidationError as exc:
        raise InvalidInput(f"Numéro de TVA invalide : « {value} ».", field="vat_number") from exc


# --- partners ---------------------------------------------------------------------------


def _clean_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    for value in values:
        tag = " ".join(value.split()).lower()
        if len(tag) > TAG_MAX:
            raise InvalidInput(f"Étiquette trop longue (40 caractères au plus) : « {tag} ».")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _strip_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        raise InvalidInput("Le nom est obligatoire.", field="name")
    return value


class AddressIn(inputs.InputModel):
    line1: str | None = Field(default=None, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=16)
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="Code pays ISO (FR, SN…)"
    )

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else None


class ContactCreate(inputs.InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["Awa Ndiaye"])
    job_title: str | None = Field(default=None, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32)

    _name = field_validator("name")(_strip_name)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else None


class _PartnerFields(inputs.InputModel):
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32, examples=["77 123 45 67"])
    address: AddressIn | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    ninea: str | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    notes: str | None = None
    lead_time_days: int | None = Field(
        default=None, ge=0, le=365, description="Délai de livraison habituel du fournisseur"
    )

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value else None

    @field_validator("siren", "siret", "vat_number", "ninea", "phone")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("payment_terms_days", mode="before")
    @classmethod
    def _terms(cls, value: object) -> object:
        if isinstance(value, int) and not 0 <= value <= 365:
            raise InvalidInput(
                "Le délai de paiement va de 0 à 365 jours.", field="payment_terms_days"
            )
        return value

    @field_validator("lead_time_days", mode="before")
    @classmethod
    def _lead_time(cls, value: object) -> object:
        if isinstance(value, int) and not 0 <= value <= 365:
            raise InvalidInput("Le délai de livraison va de 0 à 365 jours.", field="lead_time_days")
        return value


class PartnerCreate(_PartnerFields):
    """A customer, a supplier, or both. The country defaults to the business's own."""

    kind: PartnerKind = "company"
    roles: list[PartnerRole] = Field(default=["customer"], min_length=1)
    name: str = Field(min_length=1, max_length=200, examples=["Diallo SARL"])
    tags: list[str] = Field(default_factory=list)
    contacts: list[ContactCreate] = Field(default_factory=list)

    _name = field_validator("name")(_strip_name)
    _tags = field_validator("tags")(_clean_tags)


class PartnerUpdate(_PartnerFields):
    """A partial update: only the fields sent are changed (``null`` clears a field)."""

    kind: PartnerKind | None = None
    roles: list[PartnerRole] | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    tags: list[str] | None = None
    is_active: bool | None = None

    _name = field_validator("name")(_strip_name)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return _clean_tags(value) if value is not None else None


class AddressOut(BaseModel):
    line1: str | None
    line2: str | None
    postcode: str | None
    city: str | None
    country: str


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    job_title: str | None
    email: str | None
    phone: str | None


class PartnerOut(BaseModel):
    id: UUID
    code: str
    kind: PartnerKind
    roles: list[PartnerRole]
    name: str
    email: str | None
    phone: str | None
    address: AddressOut
    siren: str | None
    siret: str | None
    vat_number: str | None
    ninea: str | None
    tags: list[str]
    payment_terms_days: int | None
    notes: str | None
    is_active: bool
    lead_time_days: int | None = None

    @classmethod
    def of(cls, p: Partner) -> PartnerOut:
        return cls.model_validate(_partner_fields(p))


class PartnerDetail(PartnerOut):
    contacts: list[ContactOut]

    @classmethod
    def with_contacts(cls, p: Partner, contacts: Iterable[PartnerContact]) -> PartnerDetail:
        contact_list = [ContactOut.model_validate(c) for c in contacts]
        return cls.model_validate({**_partner_fields(p), "contacts": contact_list})


def partner_roles(p: Partner) -> list[PartnerRole]:
    roles: list[PartnerRole] = []
    if p.is_customer:
        roles.append("customer")
    if p.is_supplier:
        roles.append("supplier")
    return roles


def _partner_fields(p: Partner) -> dict[str, object]:
    address = AddressOut(
        line1=p.address_line1,
        line2=p.address_line2,
        postcode=p.postcode,
        city=p.city,
        country=p.country,
    )
    return {
        "id": p.id, "code": p.code, "kind": p.kind, "roles": partner_roles(p), "name": p.name,
        "email": p.email, "phone": p.phone, "address": address, "siren": p.siren,
        "siret": p.siret, "vat_number": p.vat_number, "ninea": p.ninea, "tags": list(p.tags),
        "payment_terms_days": p.payment_terms_days, "notes": p.notes, "is_active": p.is_active,
        "lead_time_days": p.lead_time_days,
    }  # fmt: skip


class PartnerMatch(BaseModel):
    """A search hit: ``score`` in [0, 1] (1 for an exact code, e-mail, phone or legal id)."""

    id: UUID
    code: str
    name: str
    city: str | None
    score: float


# --- catalog ----------------------------------------------------------------------------


def _unit(value: str | None) -> str | None:
    return normalize_unit(value) if value is not None else None


def _price(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise InvalidInput("Le prix ne peut pas être négatif.", field="sale_price")
    return value


def _sku(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _purchase_price(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise InvalidInput("Le prix d'achat ne peut pas être négatif.", field="purchase_price")
    return value


def _barcode(value: str | None) -> str | None:
    if value is None:
        return None
    code = "".join(value.split())
    if code and not code.isalnum():
        raise InvalidInput("Code-barres invalide : lettres et chiffres seulement.", field="barcode")
    return code or None


class ProductCreate(inputs.InputModel):
    """A catalog item. ``vat_rate`` in percent (20, 5.5, 18); default: the standard rate.
    ``unit``: any unit word (domain.sales.units). Without ``sale_price`` the product has no
    price of its own: each quote or invoice line gives one.

    Stock is opt-in: ``is_stockable`` (goods only) makes posting an invoice deliver it from
    stock; ``tracks_lots``: receipts need a lot number (and may carry an expiry date)."""

    kind: ProductKind = "goods"
    name: str = Field(min_length=1, max_length=200, examples=["Sac de riz 50 kg"])
    sku: str | None = Field(default=None, max_length=64, examples=["RIZ-50"])
    unit: str = Field(default="unité", examples=["sac", "heure", "bidon", "pot"])
    sale_price: inputs.Amount | None = Field(default=None, examples=["15000", "12.50"])
    vat_rate: inputs.Rate | None = Field(default=None, examples=["20", "5.5", "18"])
    category: str | None = Field(default=None, max_length=100)
    description: str | None = None
    is_stockable: bool = False
    purchase_price: inputs.Amount | None = Field(default=None, examples=["12000", "8.40"])
    barcode: str | None = Field(default=None, max_length=64, examples=["3017620422003"])
    tracks_lots: bool = False

    _name = field_validator("name")(_strip_name)
    _unit = field_validator("unit")(_unit)
    _price = field_validator("sale_price")(_price)
    _sku = field_validator("sku")(_sku)
    _purchase = field_validator("purchase_price")(_purchase_price)
    _barcode = field_validator("barcode")(_barcode)


class ProductUpdate(inputs.InputModel):
    kind: ProductKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    sku: str | None = Field(default=None, max_length=64)
    unit: str | None = None
    sale_price: inputs.Amount | None = None
    vat_rate: inputs.Rate | None = None
    category: str | None = Field(default=None, max_length=100)
    description: str | None = None
    is_active: bool | None = None
    is_stockable: bool | None = None
    purchase_price: inputs.Amount | None = None
    barcode: str | None = Field(default=None, max_length=64)
    tracks_lots: bool | None = None

    _name = field_validator("name")(_strip_name)
    _unit = field_validator("unit")(_unit)
    _price = field_validator("sale_price")(_price)
    _sku = field_validator("sku")(_sku)
    _purchase = field_validator("purchase_price")(_purchase_price)
    _barcode = field_validator("barcode")(_barcode)


def plain(value: Decimal) -> Decimal:
    """``20.0000`` → ``20``, ``5.5000`` → ``5.5`` (never an exponent)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class ProductOut(BaseModel):
    id: UUID
    kind: ProductKind
    name: str
    sku: str | None
    unit: str
    unit_code: str
    sale_price: Decimal | None  # None: no price of its own, agreed on each line
    currency: str
    vat_rate: Decimal
    category: str | None
    description: str | None
    is_active: bool
    is_stockable: bool
    purchase_price: Cost[Decimal]
    barcode: str | None
    tracks_lots: bool
    average_cost: Cost[Decimal]

    @classmethod
    def of(cls, p: Product, currency: Currency) -> ProductOut:
        return cls.model_validate({
            "id": p.id, "kind": p.kind, "name": p.name, "sku": p.sku, "unit": p.unit,
            "unit_code": unit_code(p.unit),
            "sale_price": None
            if p.sale_price is None
            else round_to_currency(p.sale_price, currency),
            "currency": currency.value, "vat_rate": plain(p.vat_rate), "category": p.category,
            "description": p.description, "is_active": p.is_active,
            "is_stockable": p.is_stockable,
            "purchase_price": None if p.purchase_price is None else plain(p.purchase_price),
            "barcode": p.barcode, "tracks_lots": p.tracks_lots,
            "average_cost": plain(p.average_cost),
        })  # fmt: skip


class ProductMatch(BaseModel):
    id: UUID
    sku: str | None
    name: str
    unit: str
    score: float


# --- pipeline ---------------------------------------------------------------------------


class StageCreate(inputs.InputModel):
    name: str = Field(min_length=1, max_length=60, examples=["Relance"])
    probability: int = Field(ge=0, le=100)
    outcome: StageOutcome = "open"
    position: int | None = Field(default=None, ge=0, le=32000)

    _name = field_validator("name")(_strip_name)


class StageUpdate(inputs.InputModel):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    probability: int | None = Field(default=None, ge=0, le=100)
    outcome: StageOutcome | None = None

    _name = field_validator("name")(_strip_name)


class StageReorder(inputs.InputModel):
    stage_ids: list[UUID] = Field(min_length=1)


class StageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    position: int
    probability: int
    outcome: StageOutcome


class OpportunityCreate(inputs.InputModel):
    """``stage``: an id or a name (« Qualifié »); default: the first open stage."""

    partner_id: UUID
    title: str = Field(min_length=1, max_length=200, examples=["Fourniture de riz 2027"])
    amount: inputs.Amount = Field(default=Decimal(0), examples=["1500000"])
    stage: str | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    expected_close_date: date | None = None
    owner_id: UUID | None = None
    lost_reason: str | None = Field(default=None, max_length=300)

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise InvalidInput("Le montant ne peut pas être négatif.", field="amount")
        return value


class OpportunityMove(inputs.InputModel):
    stage: str = Field(min_length=1, examples=["Négociation"])
    lost_reason: str | None = Field(default=None, max_length=300)
    probability: int | None = Field(default=None, ge=0, le=100)


class OpportunityOut(BaseModel):
    id: UUID
    partner_id: UUID
    stage_id: UUID
    title: str
    amount: Decimal
    currency: str
    probability: int
    expected_close_date: date | None
    owner_id: UUID | None
    closed_on: date | None
    lost_reason: str | None

    @classmethod
    def of(cls, o: Opportunity, currency: Currency) -> OpportunityOut:
        return cls(
            id=o.id, partner_id=o.partner_id, stage_id=o.stage_id, title=o.title,
            amount=round_to_currency(o.amount, currency), currency=currency.value,
            probability=o.probability, expected_close_date=o.expected_close_date,
            owner_id=o.owner_id, closed_on=o.closed_on, lost_reason=o.lost_reason,
        )  # fmt: skip


class StageSummary(BaseModel):
    stage_id: UUID
    name: str
    position: int
    outcome: StageOutcome
    count: int
    total_amount: Decimal
    weighted_amount: Decimal


class PipelineSummary(BaseModel):
    """Per stage: count, total, weighted total (Σ amount × probability / 100), rounded to
    the currency; ``open_*`` add up the open stages only."""

    currency: str
    stages: list[StageSummary]
    open_count: int
    open_amount: Decimal
    open_weighted_amount: Decimal


# --- activities -------------------------------------------------------------------------


class ActivityCreate(inputs.InputModel):
    """A call, meeting, task or note about a partner and/or an opportunity. A ``due_at``
    without a time zone is read in the business's time zone."""

    kind: ActivityKind
    subject: str = Field(min_length=1, max_length=200, examples=["Rappeler pour le devis"])
    notes: str | None = None
    due_at: datetime | None = None
    assignee_id: UUID | None = None
    partner_id: UUID | None = None
    opportunity_id: UUID | None = None


class ActivityOut(BaseModel):
    id: UUID
    kind: ActivityKind
    subject: str
    notes: str | None
    due_at: datetime | None
    assignee_id: UUID | None
    partner_id: UUID | None
    opportunity_id: UUID | None
    done: bool
    done_at: datetime | None
    overdue: bool

    @classmethod
    def of(cls, a: Activity, now: datetime) -> ActivityOut:
        return cls.model_validate({
            "id": a.id, "kind": a.kind, "subject": a.subject, "notes": a.notes,
            "due_at": a.due_at, "assignee_id": a.assignee_id, "partner_id": a.partner_id,
            "opportunity_id": a.opportunity_id, "done": a.done, "done_at": a.done_at,
            "overdue": is_overdue(a, now),
        })  # fmt: skip


def is_overdue(a: Activity, now: datetime) -> bool:
    return not a.done and a.due_at is not None and a.due_at < now
