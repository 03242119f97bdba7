"""Following purchase orders up: which ones are still expected (and what remains to
come on each), what was ordered from a supplier over a period, and cancelling one that
is no longer wanted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.finance.documents.labels import french_date
from domain.kit.costs import Cost
from domain.kit.lexicon import words
from domain.kit.text import fold
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine
from domain.stock.purchasing.orders import CANCELLABLE, STATUS_LABELS, OrderView
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import period_label
from tools.stock._common import (
    cost_money,
    currency_of,
    find_order,
    find_supplier,
    money,
    of_product,
)
from tools.stock._common import today as tenant_today
from tools.stock.purchases import ArrivedLine

EXPECTED = ("sent", "partially_received")  # sent and not fully received: still to come
StatusSaid = Literal[
    "open", "placed", "draft", "sent", "partially_received", "received", "cancelled", "all"
]
# What each status asked for lists; None: every status.
STATUS_SETS: dict[str, tuple[str, ...] | None] = {
    "open": EXPECTED,
    "placed": (*EXPECTED, "received"),
    "draft": ("draft",),
    "sent": ("sent",),
    "partially_received": ("partially_received",),
    "received": ("received",),
    "cancelled": ("cancelled",),
    "all": None,
}
# How a list of each kind is titled (« Commandes fournisseurs attendues chez Sotiba »).
HEADINGS = {
    "open": "Commandes fournisseurs attendues",
    "placed": "Commandes fournisseurs passées",
    "draft": "Bons de commande en brouillon",
    "sent": "Bons de commande envoyés",
    "partially_received": "Bons de commande partiellement reçus",
    "received": "Bons de commande reçus",
    "cancelled": "Bons de commande annulés",
    "all": "Bons de commande",
}
EMPTY = {
    "open": "Aucune commande fournisseur n'est attendue",
    "placed": "Aucune commande fournisseur passée",
    "draft": "Aucun bon de commande en brouillon",
    "sent": "Aucun bon de commande envoyé en attente",
    "partially_received": "Aucun bon de commande partiellement reçu",
    "received": "Aucun bon de commande reçu",
    "cancelled": "Aucun bon de commande annulé",
    "all": "Aucun bon de commande",
}
SHOWN = 20  # orders listed in one answer; the count of the others is said


class _In(BaseModel):
    model_config = {"extra": "forbid"}


def _remaining(lines: list[PurchaseOrderLine]) -> list[ArrivedLine]:
    return [
        ArrivedLine(name=x.description, quantity=x.quantity - x.received_quantity, unit=x.unit)
        for x in lines
        if x.received_quantity < x.quantity
    ]


# --- stock.list_purchase_orders -----------------------------------------------------------


class ListPurchaseOrdersIn(_In):
    supplier: str | None = Field(
        default=None, min_length=1, max_length=200, description="Le fournisseur (« Sotiba »)."
    )
    order: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Un bon de commande précis (« BC-2026-00004 »).",
    )
    status: StatusSaid | None = Field(
        default=None,
        description="open : envoyées et pas entièrement reçues, ce qu'on attend encore (par "
        "défaut sans période) ; placed : envoyées, reçues ou non (par défaut avec une "
        "période) ; draft : brouillons ; received : reçues ; cancelled : annulées ; all : "
        "toutes.",
    )
    start: date | None = Field(default=None, description="Commandes datées de ce jour ou après.")
    end: date | None = Field(default=None, description="Commandes datées de ce jour ou avant.")


class ListedOrder(BaseModel):
    number: str
    supplier_name: str
    status: str
    order_date: date
    expected_date: date | None
    gross_total: Cost[Decimal]
    remaining: list[ArrivedLine]
    late: bool


class ListPurchaseOrdersOut(ToolResult):
    status: str
    supplier: str | None
    start: date | None
    end: date | None
    currency: str
    orders: list[ListedOrder]
    total: Cost[Decimal]
    others: int  # listed beyond the ones shown
    drafts: int  # drafts not sent yet, told beside what is expected

    def _where(self) -> str:
        parts = [f" chez {self.supplier}" if self.supplier else ""]
        if self.start is not None and self.end is not None:
            parts.append(f" {period_label(self.start, self.end)}")
        elif self.start is not None:
            parts.append(f" depuis le {french_date(self.start)}")
        elif self.end is not None:
            parts.append(f" jusqu'au {french_date(self.end)}")
        return "".join(parts)

    def _line(self, x: ListedOrder) -> str:
        amount = "" if x.gross_total is None else f"{money(x.gross_total, self.currency)} TTC, "
        text = (
            f"- {x.number} — {x.supplier_name}, du {french_date(x.order_date)}, {amount}"
            f"{STATUS_LABELS[x.status]}"
        )
        if x.status in EXPECTED and x.expected_date is not None:
            late = " (en retard)" if x.late else ""
            text += f" ; livraison attendue le {french_date(x.expected_date)}{late}"
        if x.remaining and x.status in EXPECTED:
            goods = ", ".join(of_product(r.quantity, r.unit, r.name) for r in x.remaining)
            text += f" ; reste à recevoir : {goods}"
        return text + "."

    def _drafts(self) -> str:
        if not self.drafts:
            return ""
        many = "s" if self.drafts > 1 else ""
        return (
            f"\n{self.drafts} bon{many} de commande en brouillon, pas encore envoyé{many} "
            "au fournisseur."
        )

    def render(self) -> str:
        if not self.orders:
            return f"{EMPTY[self.status]}{self._where()}.{self._drafts()}"
        count = len(self.orders) + self.others
        many = "s" if count > 1 else ""
        head = f"{HEADINGS[self.status]}{self._where()} : {count} commande{many}"
        if not self.others and self.total is not None:  # amounts are hidden from some roles
            head += f", {money(self.total, self.currency)} TTC en tout"
        lines = [self._line(x) for x in self.orders]
        if self.others:
            lines.append(f"… et {self.others} autre{'s' if self.others > 1 else ''}.")
        return "\n".join([head + ".", *lines]) + self._drafts()


def _status_of(args: ListPurchaseOrdersIn) -> str:
    if args.status is not None:
        return args.status
    return "placed" if args.start is not None or args.end is not None else "open"


def _drafts(ctx: ToolContext, supplier_id: UUID | None, args: ListPurchaseOrdersIn) -> int:
    """Drafts not sent yet, told beside what is expected (they are not expected yet)."""
    drafts = purchasing.list_purchase_orders(
        ctx.session,
        ctx.principal,
        status="draft",
        supplier_id=supplier_id,
        start=args.start,
        end=args.end,
        limit=500,
    )
    return len(drafts)


def _listed(view: OrderView, today: date) -> ListedOrder:
    order = view.order
    expected = order.expected_date
    return ListedOrder(
        number=order.number,
        supplier_name=view.supplier_name,
        status=order.status,
        order_date=order.order_date,
        expected_date=expected,
        gross_total=order.gross_total,
        remaining=_remaining(view.lines),
        late=expected is not None and expected < today and order.status in EXPECTED,
    )


@tool(
    "stock.list_purchase_orders",
    title="Suivre les commandes fournisseurs",
    effect=Effect.READ,
    roles=purchasing.READERS,
    acts_on=("purchase_order",),
)
def list_purchase_orders(ctx: ToolContext, args: ListPurchaseOrdersIn) -> ListPurchaseOrdersOut:
    """Liste les commandes fournisseurs : par défaut celles qu'on attend encore (envoyées,
    pas entièrement reçues) avec leur date de livraison prévue et ce qui reste à recevoir ;
    filtre par fournisseur, statut et période (date de commande).

    Exemples : « quelles commandes fournisseurs on attend encore ? », « la commande de
    Sedima arrive quand ? », « qu'est-ce qu'on a commandé chez Dinor ce mois-ci ? », « les
    bons de commande annulés »
    """
    status = _status_of(args)
    supplier = find_supplier(ctx, args.supplier) if args.supplier else None
    supplier_id = supplier.id if supplier else None
    if args.order:
        one = find_order(ctx, args.order)
        views = [purchasing.get_purchase_order(ctx.session, ctx.principal, one.id)]
        status = "all"
    else:
        views = purchasing.list_purchase_orders(
            ctx.session,
            ctx.principal,
            statuses=STATUS_SETS[status],
            supplier_id=supplier_id,
            start=args.start,
            end=args.end,
            with_lines=True,
            limit=500,
        )
    drafts = _drafts(ctx, supplier_id, args) if status == "open" else 0
    today = tenant_today(ctx)
    return ListPurchaseOrdersOut(
        status=status,
        supplier=supplier.name if supplier else None,
        start=args.start,
        end=args.end,
        currency=str(currency_of(ctx).value),
        orders=[_listed(v, today) for v in views[:SHOWN]],
        total=sum((v.order.gross_total for v in views), Decimal(0)),
        others=max(0, len(views) - SHOWN),
        drafts=drafts,
    )


# --- stock.cancel_purchase_order ----------------------------------------------------------


class CancelPurchaseOrderIn(_In):
    order: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Numéro du bon de commande (« BC-2026-00004 »).",
    )
    supplier: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Le fournisseur dont la commande en cours est annulée (« la commande "
        "passée à Sedima »), quand le numéro n'est pas dit.",
    )
    dated: date | None = Field(
        default=None,
        description="La date de la commande quand le fournisseur en a plusieurs en cours "
        "(« celle du 3 mars »).",
    )
    reason: str | None = Field(
        default=None, max_length=300, description="Le motif (« trouvé moins cher »)."
    )


class CancelPurchaseOrderOut(ToolResult):
    order_id: str
    number: str
    supplier_name: str
    order_date: date
    was: str  # the status before
    currency: str
    gross_total: Cost[Decimal]
    dropped: list[ArrivedLine]  # what will no longer be expected
    kept: list[ArrivedLine]  # what arrived already (a partially received order)
    reason: str | None

    def _goods(self, lines: list[ArrivedLine]) -> str:
        return ", ".join(of_product(x.quantity, x.unit, x.name) for x in lines)

    def _what(self) -> str:
        if self.was == "partially_received":
            return (
                f"le reste à livrer du bon de commande {self.number} du "
                f"{french_date(self.order_date)} ({self.supplier_name}) : "
                f"{self._goods(self.dropped)} ; ce qui est déjà arrivé "
                f"({self._goods(self.kept)}) reste en stock"
            )
        state = STATUS_LABELS[self.was]
        return (
            f"le bon de commande {self.number} du {french_date(self.order_date)} "
            f"({self.supplier_name}, {state}, "
            f"{cost_money(self.gross_total, self.currency)} TTC) : {self._goods(self.dropped)}"
        )

    def _reason(self) -> str:
        return f" Motif : {self.reason}." if self.reason else ""

    def preview(self) -> str:
        return f"Annuler {self._what()}.{self._reason()} Le numéro {self.number} est conservé."

    def render(self) -> str:
        return f"Annulé : {self._what()}.{self._reason()}"


def _cancellable_of(ctx: ToolContext, supplier_said: str, dated: date | None) -> PurchaseOrder:
    """The one order of that supplier (dated ``dated`` when said) that can still be
    cancelled, or a question back."""
    supplier = find_supplier(ctx, supplier_said)
    open_ones = purchasing.list_purchase_orders(
        ctx.session,
        ctx.principal,
        statuses=CANCELLABLE,
        supplier_id=supplier.id,
        start=dated,
        end=dated,
        limit=50,
    )
    if len(open_ones) == 1:
        return open_ones[0].order
    on = f" du {french_date(dated)}" if dated else ""
    if not open_ones:
        raise AskBack(
            f"Aucune commande{on} en cours chez {supplier.name} (brouillon, envoyée ou "
            "partiellement reçue) : il n'y a rien à annuler. Quel bon de commande (numéro "
            "BC-…) ?",
            field="order",
        )
    numbers = [v.order.number for v in open_ones]
    raise AskBack(
        f"Plusieurs commandes{on} sont en cours chez {supplier.name} : "
        f"{' ou '.join(numbers)} ? Laquelle faut-il annuler ?",
        field="order",
        options=numbers,
    )


def _order_to_cancel(ctx: ToolContext, args: CancelPurchaseOrderIn) -> PurchaseOrder:
    if args.order:
        order = find_order(ctx, args.order)
        supplier = find_supplier(ctx, args.supplier) if args.supplier else None
        if supplier is not None and supplier.id != order.supplier_id:
            raise AskBack(
                f"Le bon de commande {order.number} n'est pas passé à {supplier.name}. "
                "Quel bon de commande faut-il annuler ?",
                field="order",
            )
        if args.dated is not None and args.dated != order.order_date:
            raise AskBack(
                f"Le bon de commande {order.number} est du {french_date(order.order_date)}, "
                f"pas du {french_date(args.dated)}. Quel bon de commande faut-il annuler ?",
                field="order",
            )
        return order
    if args.supplier:
        return _cancellable_of(ctx, args.supplier, args.dated)
    raise AskBack(
        "Quel bon de commande faut-il annuler (numéro BC-… ou fournisseur) ?", field="order"
    )


def _said_reason(reason: str | None) -> str | None:
    """The reason as said, unless it is only polite words (« stp », « merci »)."""
    if reason is None:
        return None
    fillers = set(words("fillers"))
    kept = [w for w in fold(reason).replace(",", " ").split() if w not in fillers]
    return reason.strip(" ,.;!") if kept else None


@tool(
    "stock.cancel_purchase_order",
    title="Annuler un bon de commande",
    effect=Effect.WRITE,
    roles=purchasing.BUYERS,
    acts_on=("purchase_order",),
)
def cancel_purchase_order(ctx: ToolContext, args: CancelPurchaseOrderIn) -> CancelPurchaseOrderOut:
    """Annule un bon de commande pas encore reçu (brouillon ou envoyé) ; sur une commande
    partiellement reçue, annule ce qui reste à livrer (ce qui est arrivé reste en stock).
    Le numéro est conservé ; le motif est noté.

    Exemples : « annule le bon de commande BC-2026-00004 », « annule la commande passée à
    Sedima, on a trouvé moins cher », « on ne veut plus la commande de Dinor, annule-la »
    """
    order = _order_to_cancel(ctx, args)
    before = purchasing.get_purchase_order(ctx.session, ctx.principal, order.id)
    was = before.order.status
    reason = _said_reason(args.reason)
    purchasing.cancel_purchase_order(ctx.session, ctx.principal, ctx.clock, order.id, reason)
    kept = [
        ArrivedLine(name=x.description, quantity=x.received_quantity, unit=x.unit)
        for x in before.lines
        if x.received_quantity > 0
    ]
    return CancelPurchaseOrderOut(
        order_id=str(order.id),
        number=before.order.number,
        supplier_name=before.supplier_name,
        order_date=before.order.order_date,
        was=was,
        currency=before.order.currency,
        gross_total=before.order.gross_total,
        dropped=_remaining(before.lines),
        kept=kept,
        reason=reason,
    )
