"""What is owed to suppliers: all of them by due date, or one supplier's balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance.payables import bills, reports
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.finance.common import dd_mm_yyyy, money
from tools.stock._common import find_supplier

BUCKET_LABELS = {
    "not_due": "pas encore échu",
    "days_1_30": "en retard de 1 à 30 jours",
    "days_31_60": "de 31 à 60 jours",
    "days_61_90": "de 61 à 90 jours",
    "over_90": "de plus de 90 jours",
}


class PayablesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    supplier: str | None = Field(
        default=None,
        max_length=200,
        description="Un fournisseur précis, tel que dit ; tous les fournisseurs sinon.",
    )


class SupplierOwed(BaseModel):
    supplier: str
    total: Decimal
    buckets: dict[str, Decimal]


class PayablesOut(ToolResult):
    currency: str
    as_of: date
    total: Decimal
    suppliers: list[SupplierOwed]
    # One supplier asked about: its advances and credit notes, and the next due date.
    advances: Decimal | None = None
    next_due_date: date | None = None

    def _one(self, row: SupplierOwed) -> str:
        parts = [
            f"{money(v, self.currency)} {BUCKET_LABELS[k]}" for k, v in row.buckets.items() if v
        ]
        return f"{row.supplier} : {money(row.total, self.currency)} ({', '.join(parts)})"

    def render(self) -> str:
        if self.advances is not None:
            return self._supplier_text()
        if not self.suppliers:
            return "Vous ne devez rien à vos fournisseurs."
        rows = "; ".join(self._one(r) for r in self.suppliers[:10])
        return (
            f"Vous devez {money(self.total, self.currency)} à vos fournisseurs au "
            f"{dd_mm_yyyy(self.as_of)}. {rows}."
        )

    def _supplier_text(self) -> str:
        row = self.suppliers[0]
        if row.total == 0 and not self.advances:
            return f"Vous ne devez rien à {row.supplier}."
        text = self._one(row) if row.total else f"{row.supplier} : rien à payer"
        if self.next_due_date:
            text += f" ; prochaine échéance le {dd_mm_yyyy(self.next_due_date)}"
        if self.advances:
            text += f" ; avance ou avoir à votre crédit : {money(self.advances, self.currency)}"
        return text + "."


@tool(
    "purchasing.payables",
    title="Voir ce qui est dû aux fournisseurs",
    effect=Effect.READ,
    roles=bills.READERS,
)
def payables(ctx: ToolContext, args: PayablesIn) -> PayablesOut:
    """Ce que l'entreprise doit à ses fournisseurs, par ancienneté des échéances, ou ce
    qu'elle doit à un fournisseur précis (avec ses avances et avoirs).
    Exemples : « qu'est-ce que je dois à mes fournisseurs ? », « combien je dois à Grands
    Moulins ? », « mes factures fournisseurs en retard »."""
    aged = reports.aged_payables(ctx.session, ctx.principal, ctx.clock)
    rows = [
        SupplierOwed(supplier=s.supplier, total=s.total, buckets=s.buckets) for s in aged.suppliers
    ]
    if args.supplier is None:
        return PayablesOut(
            currency=aged.currency, as_of=aged.as_of, total=aged.total, suppliers=rows
        )
    supplier = find_supplier(ctx, args.supplier)
    balance = reports.supplier_balance(ctx.session, ctx.principal, ctx.clock, supplier.id)
    mine = next(
        (r for r, s in zip(rows, aged.suppliers, strict=True) if s.supplier_id == supplier.id),
        SupplierOwed(supplier=supplier.name, total=Decimal(0), buckets={}),
    )
    return PayablesOut(
        currency=aged.currency,
        as_of=aged.as_of,
        total=mine.total,
        suppliers=[mine],
        advances=balance.advances + balance.credit_notes,
        next_due_date=balance.next_due_date,
    )
