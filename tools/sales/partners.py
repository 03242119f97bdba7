"""Customers and suppliers: finding, creating, updating."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from domain.kit.errors import Conflict, InvalidInput
from domain.kit.text import fold
from domain.sales import service as sales
from domain.sales.models import Partner
from domain.sales.schemas import (
    AddressIn,
    PartnerCreate,
    PartnerRole,
    PartnerUpdate,
)
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.sales._common import (
    ROLE_NOUNS,
    partner_named,
)

# --- finding customers and suppliers ----------------------------------------------------


class FindPartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Nom, code, téléphone, e-mail ou NINEA cherché",
    )
    city: str | None = Field(
        default=None, min_length=2, max_length=100, description="Ville (« mes clients à Thiès »)"
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de résultats")


class PartnerRow(BaseModel):
    partner_id: str
    code: str
    name: str
    city: str | None = None
    phone: str | None = None
    email: str | None = None

    def line(self) -> str:
        details = [d for d in (self.city, self.phone, self.email) if d]
        suffix = f" — {', '.join(details)}" if details else ""
        return f"- {self.name} ({self.code}){suffix}"


class FindPartnerOut(ToolResult):
    role: PartnerRole
    query: str
    partners: list[PartnerRow]
    city: str | None = None

    def render(self) -> str:
        noun = ROLE_NOUNS[self.role]
        if self.city is not None:
            return self._in_city(noun)
        if not self.partners:
            return f"Aucun {noun} ne correspond à « {self.query} »."
        if len(self.partners) == 1:
            return f"{noun.capitalize()} trouvé :\n{self.partners[0].line()}"
        rows = "\n".join(p.line() for p in self.partners[:10])
        return f"{len(self.partners)} {noun}s correspondent à « {self.query} » :\n{rows}"

    def found_nothing(self) -> bool:
        return not self.partners

    def _in_city(self, noun: str) -> str:
        where = f"à {self.city}" + (f" nommé « {self.query} »" if self.query else "")
        if not self.partners:
            return f"Aucun {noun} {where}."
        rows = "\n".join(p.line() for p in self.partners)
        many = "s" if len(self.partners) > 1 else ""
        return f"{len(self.partners)} {noun}{many} {where} :\n{rows}"


def _find(ctx: ToolContext, args: FindPartnerIn, role: PartnerRole) -> FindPartnerOut:
    """By name, code, phone or e-mail (someone asked for as anyone and no customer is a
    supplier); or everyone of a city (then of that name too)."""
    if args.city is not None:
        found = sales.partners_in_city(ctx.session, ctx.principal, args.city, role=role)
        wanted = set(fold(args.query).split()) if args.query else set()
        partners = [p for p in found if wanted <= set(fold(p.name).split())][: args.limit]
        return FindPartnerOut(
            role=role, query=args.query or "", city=args.city, partners=[_row(p) for p in partners]
        )
    if args.query is None:
        raise AskBack(f"Quel {ROLE_NOUNS[role]} cherchez-vous ?", field="query")
    matches = sales.search_partners(
        ctx.session, ctx.principal, args.query, role=role, limit=args.limit
    )
    if not matches and role == "customer":  # « le numéro des Grands Moulins »: a supplier
        matches = sales.search_partners(
            ctx.session, ctx.principal, args.query, role="supplier", limit=args.limit
        )
        role = "supplier" if matches else role
    by_id = sales.get_partners(ctx.session, ctx.principal, [m.id for m in matches])
    rows = [_row(by_id[m.id]) for m in matches]
    return FindPartnerOut(role=role, query=args.query, partners=rows)


def _row(p: Partner) -> PartnerRow:
    return PartnerRow(
        partner_id=str(p.id), code=p.code, name=p.name, city=p.city, phone=p.phone, email=p.email
    )


@tool("sales.find_customer", title="Chercher un client", effect=Effect.READ)
def find_customer(ctx: ToolContext, args: FindPartnerIn) -> FindPartnerOut:
    """Cherche des clients par nom (fautes et accents tolérés), code, téléphone ou e-mail,
    ou liste les clients d'une ville.

    Exemples : « cherche le client Diallo », « c'est quoi le numéro de Ndiaye ? »,
    « trouve le client 77 123 45 67 », « mes clients à Thiès »."""
    return _find(ctx, args, "customer")


@tool("sales.find_supplier", title="Chercher un fournisseur", effect=Effect.READ)
def find_supplier(ctx: ToolContext, args: FindPartnerIn) -> FindPartnerOut:
    """Cherche des fournisseurs par nom (fautes et accents tolérés), code, téléphone ou e-mail.

    Exemples : « cherche le fournisseur Sotiba », « le téléphone du fournisseur de riz
    Sow ? », « trouve le fournisseur F00002 »."""
    return _find(ctx, args, "supplier")


# --- creating and updating partners -----------------------------------------------------


class _PartnerDetails(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr | None = Field(default=None, description="Adresse e-mail")
    phone: str | None = Field(default=None, max_length=32, description="Téléphone")
    address: str | None = Field(default=None, max_length=200, description="Adresse (rue)")
    city: str | None = Field(default=None, max_length=100, description="Ville")
    payment_terms_days: int | None = Field(
        default=None, ge=0, le=365, description="Délai de paiement en jours"
    )
    ninea: str | None = Field(default=None, max_length=20, description="NINEA (Sénégal)")
    siren: str | None = Field(default=None, max_length=20, description="SIREN ou SIRET (France)")
    notes: str | None = Field(default=None, max_length=2000, description="Remarques")

    @field_validator("email", mode="before")
    @classmethod
    def _has_at(cls, value: object) -> object:
        if isinstance(value, str) and "@" not in value:
            raise ValueError(f"l'adresse e-mail « {value} » n'est pas valide (il manque le « @ »)")
        return value


class CreatePartnerIn(_PartnerDetails):
    name: str = Field(min_length=1, max_length=200, description="Nom du client ou fournisseur")
    kind: Literal["company", "individual"] = Field(
        default="company", description="Entreprise (company) ou particulier (individual)"
    )


class CreateSupplierIn(CreatePartnerIn):
    lead_time_days: int | None = Field(
        default=None, ge=0, le=365, description="Délai de livraison habituel en jours"
    )


def _identifiers(args: _PartnerDetails) -> dict[str, Any]:
    siren = (args.siren or "").replace(" ", "") or None
    ids: dict[str, Any] = {"ninea": args.ninea}
    if siren:
        ids["siret" if len(siren) == 14 else "siren"] = siren
    return ids


def _address(args: _PartnerDetails) -> AddressIn | None:
    if args.address is None and args.city is None:
        return None
    fields = {k: v for k, v in (("line1", args.address), ("city", args.city)) if v is not None}
    return AddressIn(**fields)


class PartnerOut(ToolResult):
    role: PartnerRole
    partner_id: str
    code: str
    name: str
    details: list[str] = Field(default_factory=list)

    def preview(self) -> str:
        noun = ROLE_NOUNS[self.role]
        extra = f" ({', '.join(self.details)})" if self.details else ""
        return f"Créer le {noun} « {self.name} »{extra}."

    def render(self) -> str:
        return f"{ROLE_NOUNS[self.role].capitalize()} créé : {self.name} ({self.code})."


def _details(p: Partner) -> list[str]:
    pairs = (("tél.", p.phone), ("e-mail", p.email), ("ville", p.city), ("NINEA", p.ninea))
    out = [f"{label} {value}" for label, value in pairs if value]
    if p.payment_terms_days is not None:
        out.append(f"paiement à {p.payment_terms_days} jours")
    return out


def _same_name(ctx: ToolContext, name: str, role: PartnerRole) -> Partner | None:
    """A partner of this role with exactly this name (accents and case aside)."""
    wanted = " ".join(fold(name).split())
    matches = sales.search_partners(ctx.session, ctx.principal, name, role=role, limit=10)
    same = [m.id for m in matches if " ".join(fold(m.name).split()) == wanted]
    return sales.get_partner(ctx.session, ctx.principal, same[0]) if same else None


def _create(ctx: ToolContext, args: CreatePartnerIn, role: PartnerRole) -> PartnerOut:
    twin = _same_name(ctx, args.name, role)
    if twin is not None:
        noun = ROLE_NOUNS[role]
        raise Conflict(
            f"Un {noun} « {twin.name} » existe déjà ({twin.code}). "
            f"Pour le modifier, dites par exemple « change le téléphone de {twin.name} »."
        )
    fields: dict[str, Any] = {
        "name": args.name, "kind": args.kind, "roles": [role], "email": args.email,
        "phone": args.phone, "address": _address(args), "notes": args.notes,
        "payment_terms_days": args.payment_terms_days, **_identifiers(args),
    }  # fmt: skip
    if isinstance(args, CreateSupplierIn):
        fields["lead_time_days"] = args.lead_time_days
    data = PartnerCreate.model_validate(fields)
    try:
        p = sales.create_partner(ctx.session, ctx.principal, data)
    except InvalidInput as e:
        if args.phone and "téléphone" in e.message:  # the user may give the right one
            raise AskBack(f"{e.message} Quel est le bon numéro ?", field="phone") from e
        raise
    return PartnerOut(
        role=role, partner_id=str(p.id), code=p.code, name=p.name, details=_details(p)
    )


@tool(
    "sales.create_customer",
    title="Créer un client",
    effect=Effect.WRITE,
    roles=sales.WRITERS,
    creates="customer",
)
def create_customer(ctx: ToolContext, args: CreatePartnerIn) -> PartnerOut:
    """Crée une fiche client (entreprise ou particulier), avec téléphone, e-mail, ville.

    Exemples : « ajoute le client Diallo SARL, tél 77 123 45 67 »,
    « nouveau client Awa Ndiaye, particulier, à Thiès », « crée le client Dupont SAS »."""
    return _create(ctx, args, "customer")


@tool(
    "sales.create_supplier",
    title="Créer un fournisseur",
    effect=Effect.WRITE,
    roles=sales.WRITERS,
    creates="supplier",
)
def create_supplier(ctx: ToolContext, args: CreateSupplierIn) -> PartnerOut:
    """Crée une fiche fournisseur, avec téléphone, e-mail, ville et délai de livraison.

    Exemples : « ajoute le fournisseur Sotiba, tél 33 822 11 00 »,
    « nouveau fournisseur Grands Moulins de Dakar », « crée le fournisseur Metro »."""
    return _create(ctx, args, "supplier")


class UpdateCustomerIn(_PartnerDetails):
    customer: str = Field(min_length=1, max_length=200, description="Le client à modifier")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="Nouveau nom")


_FIELD_LABELS = {
    "name": "nom", "email": "e-mail", "phone": "téléphone", "address_line1": "adresse",
    "city": "ville", "payment_terms_days": "délai de paiement", "ninea": "NINEA",
    "siren": "SIREN", "siret": "SIRET", "notes": "remarques",
}  # fmt: skip


class FieldChange(BaseModel):
    label: str
    before: str | None
    after: str | None

    def text(self) -> str:
        return f"{self.label} : {self.before or '—'} → {self.after or '—'}"


class UpdateCustomerOut(ToolResult):
    partner_id: str
    name: str
    changes: list[FieldChange]

    def preview(self) -> str:
        if not self.changes:
            return f"Rien à changer pour {self.name}."
        return f"Modifier le client {self.name} : " + " ; ".join(c.text() for c in self.changes)

    def render(self) -> str:
        if not self.changes:
            return f"Rien n'a changé pour {self.name}."
        return f"Client {self.name} mis à jour : " + " ; ".join(c.text() for c in self.changes)


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)


@tool(
    "sales.update_customer",
    title="Modifier un client",
    effect=Effect.WRITE,
    roles=sales.WRITERS,
    acts_on=("customer",),
)
def update_customer(ctx: ToolContext, args: UpdateCustomerIn) -> UpdateCustomerOut:
    """Modifie la fiche d'un client : nom, téléphone, e-mail, adresse, délai de paiement.

    Exemples : « change le téléphone de Diallo : 77 000 11 22 », « Ndiaye a déménagé à
    Thiès », « mets le délai de paiement de Dupont à 30 jours »."""
    partner = partner_named(ctx, args.customer, "customer", "customer")
    asked = args.model_dump(exclude={"customer"}, exclude_none=True)
    if not asked:
        raise AskBack(
            f"Que faut-il modifier pour {partner.name} : téléphone, e-mail, adresse, ville "
            "ou délai de paiement ?",
            field="email",
        )
    sent = args.model_dump(exclude={"customer", "address", "city", "siren"}, exclude_none=True)
    changes: dict[str, Any] = {**sent, **_identifiers(args)}
    changes = {k: v for k, v in changes.items() if v is not None}
    address = _address(args)
    if address is not None:
        changes["address"] = address
    before = {c: getattr(partner, c) for c in _FIELD_LABELS}
    updated = sales.update_partner(ctx.session, ctx.principal, partner.id, PartnerUpdate(**changes))
    diffs = [
        FieldChange(label=label, before=_shown(before[c]), after=_shown(getattr(updated, c)))
        for c, label in _FIELD_LABELS.items()
        if before[c] != getattr(updated, c)
    ]
    return UpdateCustomerOut(partner_id=str(updated.id), name=updated.name, changes=diffs)
