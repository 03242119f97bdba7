"""Reminding a customer of unpaid invoices now (« relance Diallo par mail »): a WRITE whose
preview says who, on which channel and address, and for which invoices, before anything
leaves. The reminders are recorded in the invoices' dunning history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.automations import reminders
from domain.sales.models import Partner
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import dd_mm_yyyy, find_invoice, money, resolve_customer
from tools.finance.sending import check_customer, refuse_sms

_CHANNELS: dict[str, reminders.Channel] = {"whatsapp": "whatsapp", "email": "email"}


class SendReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str | None = Field(
        default=None,
        max_length=200,
        description="Le client à relancer : nom, code ou téléphone, tel que dit.",
    )
    invoice: str | None = Field(
        default=None,
        max_length=200,
        description="Une facture précise (« F-2026-00012 ») ; sinon ses factures en retard "
        "(ou, s'il n'y en a aucune, toutes ses factures impayées).",
    )
    invoice_id: UUID | None = Field(default=None, description="Identifiant (boutons).")
    channel: Literal["whatsapp", "email", "sms"] | None = Field(
        default=None,
        description="Par WhatsApp ou par e-mail ; sans précision, son e-mail s'il en a un, "
        "sinon WhatsApp.",
    )


class RemindedInvoice(BaseModel):
    number: str
    due: Decimal
    due_date: date
    overdue: bool


class SentReminder(ToolResult):
    customer: str
    channel: Literal["whatsapp", "email"]
    recipient: str
    currency: str
    invoices: list[RemindedInvoice]

    def _route(self) -> str:
        by = "par WhatsApp au" if self.channel == "whatsapp" else "par e-mail à"
        return f"{by} {self.recipient}"

    def _listed(self) -> str:
        parts = []
        for i in self.invoices:
            when = "échue le" if i.overdue else "à régler le"
            parts.append(
                f"{i.number} ({money(i.due, self.currency)} restant, {when} "
                f"{dd_mm_yyyy(i.due_date)})"
            )
        count = len(self.invoices)
        noun = "sa facture" if count == 1 else f"ses {count} factures"
        return f"{noun} {', '.join(parts)}"

    def render(self) -> str:
        return (
            f"Relance envoyée à {self.customer} {self._route()} pour {self._listed()}. "
            "Elle est notée dans l'historique des relances."
        )

    def preview(self) -> str:
        return f"Relancer maintenant {self.customer} {self._route()} pour {self._listed()} ?"


def _target(ctx: ToolContext, args: SendReminderIn) -> tuple[Partner | UUID, UUID | None]:
    """The customer (or their id) and the invoice named, if any."""
    if args.invoice or args.invoice_id:
        invoice = find_invoice(ctx, args.invoice, args.invoice_id, wanted="open")
        what = f"La facture {invoice.number or 'brouillon'}"
        check_customer(ctx, args.customer, invoice.partner_id, what)
        return invoice.partner_id, invoice.id
    if not args.customer:
        raise AskBack("Quel client faut-il relancer ?", field="customer")
    return resolve_customer(ctx, args.customer), None


@tool(
    "finance.send_reminder",
    title="Relancer un client",
    effect=Effect.WRITE,
    roles=reminders.SENDERS,
    acts_on=("invoice", "reminder"),
)
def send_reminder(ctx: ToolContext, args: SendReminderIn) -> SentReminder:
    """Relance maintenant un client pour ses factures impayées (celles en retard, ou la
    facture dite), par e-mail ou par WhatsApp ; la relance est notée dans l'historique de
    relances de chaque facture, et la relance automatique en tient compte. Refusé quand le
    client n'a rien d'impayé ou pas d'adresse pour ce canal.
    Exemples : « relance Diallo par mail », « relance Quincaillerie Ba sur WhatsApp pour sa
    facture en retard », « envoie un rappel de paiement pour la facture F-2026-00012 »."""
    refuse_sms(args.channel)
    customer, invoice_id = _target(ctx, args)
    partner_id = customer if isinstance(customer, UUID) else customer.id
    done = reminders.remind_now(
        ctx.session,
        ctx.principal,
        ctx.clock,
        partner_id,
        invoice_id=invoice_id,
        channel=_CHANNELS.get(args.channel or ""),
    )
    return SentReminder(
        customer=done.customer,
        channel=done.channel,
        recipient=done.recipient,
        currency=done.currency,
        invoices=[
            RemindedInvoice(number=r.number, due=r.due, due_date=r.due_date, overdue=r.overdue)
            for r in done.invoices
        ],
    )
