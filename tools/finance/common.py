"""Shared by the finance tools: resolving what a person says (a customer, a product, an
invoice or quote number, « la facture de Modou ») and showing documents in French.

Entity arguments are strings as said; they are resolved here through the domain's
``resolve_*`` and list functions, inside ``resolving(field)`` so that an ambiguous or
unknown name becomes a question back to the user about that argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, Protocol, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.finance import invoices, quotes
from domain.finance import repository as finance_repo
from domain.finance.books import currency_of, open_books
from domain.finance.documents.labels import french_date, french_number
from domain.finance.models import Invoice, Quote
from domain.finance.schemas import LineIn
from domain.kit import inputs
from domain.kit.errors import DomainError
from domain.kit.money import Money
from domain.kit.resolution import typed_number
from domain.sales import service as sales
from domain.sales.models import Partner, Product
from tools.base import AskBack, ToolContext, ToolResult, resolving

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
KIND_LABELS = {"invoice": "Facture", "deposit": "Facture d'acompte", "credit_note": "Avoir"}


def money(amount: Decimal, currency: str) -> str:
    return Money(amount, currency).format_fr()


def today(ctx: ToolContext) -> date:
    """The tenant's local date (Dakar, Paris)."""
    return open_books(ctx.session, ctx.principal, ctx.clock).today()


def tenant_currency(ctx: ToolContext) -> str:
    return currency_of(ctx.session, ctx.principal)


def dd_mm_yyyy(value: date | None) -> str:
    return french_date(value) if value else "—"


# --- lines -------------------------------------------------------------------------------


class LineInput(BaseModel):
    """A line as a person says it: a catalog product (name or SKU) or a free-text line."""

    model_config = ConfigDict(extra="forbid")

    product: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Produit ou service du catalogue, par son nom ou sa référence (SKU), "
        "tel que la personne le dit : « riz », « SAC-25 ».",
    )
    description: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Désignation libre d'une ligne hors catalogue (« Transport jusqu'à "
        "Thiès ») ; elle exige un prix unitaire.",
    )
    quantity: inputs.Quantity = Field(
        default=Decimal(1), gt=0, description="Quantité (« 3 sacs » → 3)."
    )
    unit: str | None = Field(
        default=None, max_length=20, description="Unité (sac, carton, heure…) d'une ligne libre."
    )
    unit_price: inputs.Amount | None = Field(
        default=None,
        ge=0,
        description="Prix unitaire HT dans la devise de l'entreprise ; par défaut, celui du "
        "catalogue.",
    )
    discount_percent: inputs.Rate = Field(
        default=Decimal(0), ge=0, le=100, description="Remise en pourcentage (10 pour 10 %)."
    )
    vat_rate: inputs.Rate | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Taux de TVA en % (18, 20, 5.5) ; par défaut celui du produit.",
    )

    @model_validator(mode="after")
    def _product_or_text(self) -> LineInput:
        if not self.product and not self.description:
            raise ValueError("chaque ligne indique un produit ou une désignation")
        return self  # a free-text line without its price is asked back (``line_inputs``)


def _catalogued(ctx: ToolContext, description: str) -> Product | None:
    """The one product a free text names, or None (nothing or several match)."""
    try:
        with ctx.session.begin_nested():
            return sales.resolve_product(ctx.session, ctx.principal, description)
    except (AskBack, DomainError):  # none, or several (« Lequel ? » is asked by price)
        return None


def _priced(product: Product | None, line: LineInput, i: int) -> None:
    """A product sold at a price agreed each time (none in the catalogue) needs it on the
    line: asked back about that line's ``unit_price``, so the answer fills it."""
    if product is not None and product.sale_price is None and line.unit_price is None:
        raise AskBack(
            f"Quel prix unitaire pour « {product.name} » ? Ce produit n'a pas de prix de vente.",
            field=f"lines.{i}.unit_price",
        )


def line_inputs(ctx: ToolContext, lines: Iterable[LineInput]) -> list[LineIn]:
    """The lines with their products resolved; an unclear product name asks back about
    that line's ``product`` (``lines.0.product``)."""
    result = []
    for i, line in enumerate(lines):
        product: Product | None = None
        description = line.description
        if not line.product and line.unit_price is None and description:
            # « une étude d'éclairage » said without a price: the catalogue's, when it
            # names exactly one product
            product = _catalogued(ctx, description)
            description = None if product is not None else description
        if not line.product and line.unit_price is None and product is None:
            raise AskBack(
                f"À quel prix unitaire HT faut-il facturer « {description} » ?",
                field=f"lines.{i}.unit_price",
            )
        if line.product:
            try:
                with resolving(f"lines.{i}.product"):
                    product = sales.resolve_product(ctx.session, ctx.principal, line.product)
            except AskBack as asked:
                # « 3 fenêtres PVC à 420 € » with no such product: a priced line is a
                # free-text line, not a question; said without its price, nothing close
                # to it in the catalogue, its price is asked for that line.
                if asked.options:
                    raise
                if line.unit_price is None:
                    raise AskBack(
                        f"{asked.message} À quel prix unitaire HT faut-il facturer "
                        f"« {line.product} » ?",
                        field=f"lines.{i}.unit_price",
                    ) from None
                description = description or line.product
        _priced(product, line, i)
        result.append(
            LineIn(
                product_id=product.id if product is not None else None,
                description=description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                vat_rate=line.vat_rate,
            )
        )
    return result


class LineView(BaseModel):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    net_amount: Decimal


class _Line(Protocol):
    @property
    def description(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit(self) -> str: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def discount_percent(self) -> Decimal: ...
    @property
    def vat_rate(self) -> Decimal: ...
    @property
    def net_amount(self) -> Decimal: ...


def line_views(rows: Iterable[_Line]) -> list[LineView]:
    return [
        LineView(
            description=r.description,
            quantity=r.quantity,
            unit=r.unit,
            unit_price=r.unit_price,
            discount_percent=r.discount_percent,
            vat_rate=r.vat_rate,
            net_amount=r.net_amount,
        )
        for r in rows
    ]


class DocumentView(ToolResult):
    """An invoice, credit note or quote with its lines and totals, for French texts."""

    customer: str
    currency: str
    lines: list[LineView] = Field(default_factory=list)
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal

    def short_lines(self, limit: int = 3) -> str:
        """« 3 × Sac de riz 25 kg, 2 × Transport » (and « … » beyond ``limit``)."""
        parts = [f"{french_number(x.quantity)} × {x.description}" for x in self.lines[:limit]]
        if len(self.lines) > limit:
            parts.append(f"et {len(self.lines) - limit} autre(s) ligne(s)")
        return ", ".join(parts)

    def detailed_lines(self) -> str:
        rows = []
        for x in self.lines:
            discount = ""
            if x.discount_percent:
                discount = f", remise {french_number(x.discount_percent)} %"
            rows.append(
                f"- {french_number(x.quantity)} × {x.description} à "
                f"{money(x.unit_price, self.currency)}{discount} : "
                f"{money(x.net_amount, self.currency)} HT (TVA {french_number(x.vat_rate)} %)"
            )
        return "\n".join(rows)

    def totals(self) -> str:
        return (
            f"Total HT {money(self.net_total, self.currency)}, "
            f"TVA {money(self.tax_total, self.currency)}, "
            f"TTC {money(self.gross_total, self.currency)}."
        )


# --- customers, invoices, quotes ---------------------------------------------------------


# What a business is, said before its name or not: « l'association Les Amis du Vélo » is
# the customer « Les Amis du Vélo », « le Baobab » the « Restaurant Le Baobab ».
_ARTICLE = re.compile(r"^(?:l'|l’|le |la |les )", re.IGNORECASE)
_KIND = re.compile(
    r"^(?:association|asso|h[oô]tel|brasserie|cabinet|restaurant|resto|r[ée]sidence|sci"
    r"|boutique|quincaillerie|pharmacie|garage|[ée]tablissements|ets|clinique|[ée]cole"
    r"|coll[eè]ge|lyc[ée]e|agence|coop[ée]rative|gie|librairie|boulangerie|[ée]picerie"
    r"|salon|atelier|auberge|caf[ée]|maison|imprimerie|cave|ferme|magasin|club)\s+",
    re.IGNORECASE,
)


def name_variants(name: str) -> list[str]:
    """« l'association Les Amis du Vélo » → ["Les Amis du Vélo", "Amis du Vélo"]: the name
    without its leading article and kind word, shortest last."""
    variants: list[str] = []
    current = name.strip()
    while True:
        shorter = _KIND.sub("", _ARTICLE.sub("", current), count=1).strip()
        if shorter == current or len(shorter) < 3:
            return variants
        variants.append(shorter)
        current = shorter


def resolve_customer(ctx: ToolContext, name: str, field: str = "customer") -> Partner:
    """The customer ``name`` designates; when it designates none (or several), the name
    without its article or kind word (« la brasserie Lemoine », « l'Hôtel du Parc »)."""
    try:
        with resolving(field):
            return sales.resolve_customer(ctx.session, ctx.principal, name)
    except AskBack as first:
        for variant in name_variants(name):
            try:
                with resolving(field):
                    return sales.resolve_customer(ctx.session, ctx.principal, variant)
            except AskBack:
                continue
        raise first from None


def partner_name(ctx: ToolContext, partner_id: UUID) -> str:
    return sales.get_partner(ctx.session, ctx.principal, partner_id).name


_LEADING_WORDS = re.compile(
    r"^\s*(?:(?:la|le|l'|une?)\s+)?(?:derni[eè]re?\s+)?(?:facture|devis)\s+(?:de|du|d'|pour|à)\s*",
    re.IGNORECASE,
)


def _numbered(
    ctx: ToolContext, reference: str, patterns: list[str], noun: str, field: str
) -> list[str] | None:
    """The numbers ``reference`` may be (« f2026-12 » → ["F-2026-00012"]) in the tenant's
    numbering ``patterns``; None when it is no number. A number of another kind of document
    (« D-2026-3 » for an invoice) is said, not looked up."""
    typed = typed_number(reference)
    if typed is None:
        return None
    numbers = typed.formatted(patterns)
    if not numbers:
        raise AskBack(f"« {reference.strip()} » n'est pas un numéro de {noun}.", field=field)
    return numbers


_Numbered = TypeVar("_Numbered", Invoice, Quote)


def _one_numbered(found: list[_Numbered], numbers: list[str], noun: str, field: str) -> _Numbered:
    if not found:
        raise AskBack(f"Je ne trouve pas {noun} {' ni '.join(numbers)}.", field=field)
    if len(found) > 1:
        options = [x.number or "" for x in found]
        raise AskBack(f"Lequel : {' ou '.join(options)} ?", field=field, options=options)
    return found[0]


def strip_document_words(reference: str) -> str:
    """« la facture de Modou » → "Modou" (what an LLM may pass as is)."""
    return _LEADING_WORDS.sub("", reference).strip() or reference.strip()


InvoiceWanted = Literal["draft", "open", "posted", "any"]
_WANTED_STATUSES: dict[str, tuple[str, ...]] = {
    "draft": ("draft",),
    "open": ("posted", "partially_paid"),
    "posted": ("posted", "partially_paid", "paid"),
    "any": ("draft", "posted", "partially_paid", "paid"),
}
_WANTED_LABELS = {
    "draft": "en brouillon",
    "open": "restant à payer",
    "posted": "validée",
    "any": "",
}


def find_invoice(
    ctx: ToolContext,
    reference: str | None,
    invoice_id: UUID | None,
    *,
    wanted: InvoiceWanted,
    field: str = "invoice",
    issued_in: date | None = None,
) -> Invoice:
    """The invoice a person means: its id (a button), its number (« F-2026-00012 »), or a
    customer's name — their most recent draft (``draft``), most recent invoice (``any``),
    or their single open / posted invoice (of the month ``issued_in`` when it is said),
    asking back with the numbers when there are several."""
    if invoice_id is not None:
        with resolving(field):
            invoice, _, _ = invoices.invoice_with_lines(
                ctx.session, ctx.principal, ctx.clock, invoice_id
            )
        return invoice
    if not reference or not reference.strip():
        raise AskBack("De quelle facture s'agit-il ?", field=field)
    settings = open_books(ctx.session, ctx.principal, ctx.clock).settings
    patterns = [settings.invoice_pattern, settings.credit_note_pattern]
    numbers = _numbered(ctx, reference, patterns, "facture", field)
    if numbers is not None:
        ctx.principal.require(*invoices.READERS)
        tenant_id = ctx.principal.tenant_id
        found = finance_repo.invoices_numbered(ctx.session, tenant_id, numbers)
        return _one_numbered(found, numbers, "la facture", field)
    if re.fullmatch(r"[\d\s/-]+", reference.strip()):  # « la facture numéro 4587 »
        raise AskBack(f"Je ne trouve pas la facture n° {reference.strip()}.", field=field)
    customer = resolve_customer(ctx, strip_document_words(reference), field)
    listed, _ = invoices.list_invoices(
        ctx.session, ctx.principal, ctx.clock, partner_id=customer.id, limit=50
    )
    candidates = [
        x for x in listed if x.kind != "credit_note" and x.status in _WANTED_STATUSES[wanted]
    ]
    if issued_in is not None:  # « sa facture de mars »: the one issued that month
        month = (issued_in.year, issued_in.month)
        candidates = [x for x in candidates if (x.issue_date.year, x.issue_date.month) == month]
    if not candidates:
        message = f"{customer.name} n'a aucune facture {_WANTED_LABELS[wanted]}".strip()
        drafts = [x for x in listed if x.kind != "credit_note" and x.status == "draft"]
        if drafts and wanted != "draft":  # « Roux a réglé sa facture »: not posted yet
            message += (
                f" : sa facture est encore en brouillon, pas encore validée "
                f"({money(drafts[0].gross_total, drafts[0].currency)} TTC). Validez-la d'abord"
            )
        raise AskBack(f"{message}.", field=field)
    if wanted in ("draft", "any") or len(candidates) == 1:
        return candidates[0]  # listed newest first
    numbers = [x.number or "" for x in candidates[:8]]
    raise AskBack(
        f"{customer.name} a {len(candidates)} factures {_WANTED_LABELS[wanted]} : "
        f"{', '.join(numbers)}. Laquelle ?",
        field=field,
        options=numbers,
    )


QuoteWanted = Literal["draft", "sent", "accepted"]
_QUOTE_LABELS = {"draft": "en brouillon", "sent": "envoyé", "accepted": "accepté non facturé"}


def find_quote(
    ctx: ToolContext,
    reference: str | None,
    quote_id: UUID | None,
    *,
    wanted: QuoteWanted | tuple[QuoteWanted, ...],
    field: str = "quote",
    made_within: tuple[date, date] | None = None,
) -> Quote:
    """The quote a person means: its id, its number (« D-2026-00003 »), or a customer's
    name — their single quote in the ``wanted`` state, or in the first of several states
    that has one (asking back when there are several); only those made ``made_within`` a
    period when one is said (« le devis de la semaine dernière »)."""
    if quote_id is not None:
        ctx.principal.require(*invoices.WRITERS)
        quote = finance_repo.get_quote(ctx.session, ctx.principal.tenant_id, quote_id)
        if quote is None:
            raise AskBack("Devis introuvable.", field=field)
        return quote
    if not reference or not reference.strip():
        raise AskBack("De quel devis s'agit-il ?", field=field)
    settings = open_books(ctx.session, ctx.principal, ctx.clock).settings
    numbers = _numbered(ctx, reference, [settings.quote_pattern], "devis", field)
    if numbers is not None:
        ctx.principal.require(*invoices.WRITERS)
        tenant_id = ctx.principal.tenant_id
        found = finance_repo.current_quotes_numbered(ctx.session, tenant_id, numbers)
        return _one_numbered(found, numbers, "le devis", field)
    customer = resolve_customer(ctx, strip_document_words(reference), field)
    listed, day = quotes.list_quotes(
        ctx.session, ctx.principal, ctx.clock, partner_id=customer.id, limit=50
    )
    states = (wanted,) if isinstance(wanted, str) else wanted
    for state in states:
        candidates = [
            q
            for q in listed
            if quotes.effective_status(q, day) == state
            and not (state == "accepted" and q.invoice_id is not None)
            and (made_within is None or made_within[0] <= q.issue_date <= made_within[1])
        ]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            numbers = [q.number for q in candidates[:8]]
            raise AskBack(
                f"{customer.name} a {len(candidates)} devis {_QUOTE_LABELS[state]} : "
                f"{', '.join(numbers)}. Lequel ?",
                field=field,
                options=numbers,
            )
    labels = " ou ".join(_QUOTE_LABELS[state] for state in states)
    if made_within is not None:
        labels += f" fait du {dd_mm_yyyy(made_within[0])} au {dd_mm_yyyy(made_within[1])}"
    raise AskBack(f"{customer.name} n'a aucun devis {labels}.", field=field)


# --- periods -----------------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period_bounds(ctx: ToolContext, start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked, by default the current month; a lone start is that day onward
    to today, a lone end the month up to it."""
    if start is None and end is None:
        return month_bounds(today(ctx))
    if start is None:
        assert end is not None
        return end.replace(day=1), end
    return start, end or max(start, today(ctx))


def _of(word: str) -> str:
    return f"d'{word}" if word[0] in "aeiouyàâéèêh" else f"de {word}"


def period_label(start: date, end: date) -> str:
    """« de mars 2026 », « d'avril 2026 », « du 1er trimestre 2026 », « de 2026 »,
    « du 03/03/2026 au 07/03/2026 » — the complement after « le chiffre d'affaires »."""
    if start.day == 1 and end == month_bounds(end)[1]:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return _of(f"{MONTHS[start.month - 1]} {start.year}")
        if months == 12 and start.month == 1:
            return _of(str(start.year))
        if months == 3 and start.month % 3 == 1:
            quarter = (start.month - 1) // 3 + 1
            return f"du {'1er' if quarter == 1 else f'{quarter}e'} trimestre {start.year}"
    if start == end:
        return f"du {french_date(start)}"
    return f"du {french_date(start)} au {french_date(end)}"
