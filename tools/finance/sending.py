"""Sending an invoice's PDF: to its customer by WhatsApp (the business's invoice template)
or e-mail, or to the member asking (« envoie-moi la facture »). A WRITE: the preview says
which invoice, to whom, on which channel and at which address, before anything leaves."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance.models import Invoice
from domain.kit.errors import InvalidInput
from domain.whatsapp import invoice_sends
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import find_invoice, money, partner_name, resolve_customer


class SendInvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    invoice: str | None = Field(
        default=None,
        max_length=200,
        description="La facture : son numéro (« F-2026-00012 ») ou le nom du client "
        "(sa dernière facture).",
    )
    invoice_id: UUID | None = Field(default=None, description="Identifiant (boutons).")
    customer: str | None = Field(
        default=None,
        max_length=200,
        description="À qui, quand c'est dit (« à Diallo ») : le client de la facture.",
    )
    channel: Literal["whatsapp", "email", "sms"] | None = Field(
        default=None,
        description="Par WhatsApp ou par e-mail (le SMS n'est pas proposé) ; sans "
        "précision, selon ce que le client a.",
    )
    to_me: bool = Field(
        default=False, description="À soi-même (« envoie-moi la facture ») plutôt qu'au client."
    )


class SentInvoice(ToolResult):
    send_id: str
    invoice_id: str
    number: str
    customer: str
    currency: str
    gross_total: Decimal
    channel: Literal["whatsapp", "email"]
    recipient: str
    to_me: bool
    status: str

    def _route(self) -> str:
        by = "par WhatsApp au" if self.channel == "whatsapp" else "par e-mail à"
        return f"{by} {self.recipient}"

    def _what(self) -> str:
        return f"la facture {self.number} ({money(self.gross_total, self.currency)})"

    def render(self) -> str:
        whom = "vous" if self.to_me else self.customer
        return (
            f"C'est parti : {self._what()} est envoyée à {whom} {self._route()}. "
            "L'envoi est noté sur la facture avec son statut."
        )

    def preview(self) -> str:
        if self.to_me:
            return f"Vous envoyer {self._what()} de {self.customer} {self._route()} ?"
        return f"Envoyer {self._what()} à {self.customer} {self._route()} ?"


_CHANNELS: dict[str, invoice_sends.SendChannel] = {"whatsapp": "whatsapp", "email": "email"}


def _the_invoice(ctx: ToolContext, args: SendInvoiceIn) -> Invoice:
    """The invoice meant: by number or id, else the named customer's latest one; a named
    customer who is not the invoice's is refused rather than sent another's invoice."""
    reference = args.invoice or (None if args.to_me else args.customer)
    if reference is None and args.invoice_id is None:
        raise AskBack("Quelle facture : son numéro ou le nom du client ?", field="invoice")
    invoice = find_invoice(ctx, reference, args.invoice_id, wanted="any")
    if args.customer and not args.to_me and reference != args.customer:
        named = resolve_customer(ctx, args.customer)
        if named.id != invoice.partner_id:
            raise InvalidInput(
                f"La facture {invoice.number or 'brouillon'} est celle de "
                f"{partner_name(ctx, invoice.partner_id)}, pas de {named.name} : "
                "je ne l'envoie pas à un autre client."
            )
    return invoice


@tool(
    "finance.send_invoice",
    title="Envoyer une facture",
    effect=Effect.WRITE,
    roles=invoice_sends.SENDERS,
    acts_on=("invoice",),
)
def send_invoice(ctx: ToolContext, args: SendInvoiceIn) -> SentInvoice:
    """Envoie le PDF d'une facture validée à son client, par WhatsApp (modèle de facture
    de l'entreprise) ou par e-mail, ou à soi-même ; l'envoi est noté sur la facture avec
    son statut. Sans canal précisé : WhatsApp si le client a un numéro, sinon son e-mail.
    Exemples : « envoie la facture F-2026-00012 à Diallo par WhatsApp », « envoie-la lui
    par mail », « envoie-moi la facture F-2026-00012 »."""
    if args.channel == "sms":
        raise InvalidInput(
            "L'envoi de factures par SMS n'est pas disponible et rien n'a été envoyé : "
            "je peux l'envoyer par WhatsApp ou par e-mail."
        )
    invoice = _the_invoice(ctx, args)
    send = invoice_sends.send_invoice(
        ctx.session,
        ctx.principal,
        ctx.clock,
        invoice.id,
        channel=_CHANNELS.get(args.channel or ""),
        to_me=args.to_me,
    )
    return SentInvoice(
        send_id=str(send.id),
        invoice_id=str(invoice.id),
        number=invoice.number or "brouillon",
        customer=partner_name(ctx, invoice.partner_id),
        currency=invoice.currency,
        gross_total=invoice.gross_total,
        channel="whatsapp" if send.channel == "whatsapp" else "email",
        recipient=send.recipient,
        to_me=args.to_me,
        status=send.status,
    )
