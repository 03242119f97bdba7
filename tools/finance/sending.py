"""Sending a document's PDF — an invoice or a quote — to its customer by WhatsApp (the
business's template for it) or e-mail, or to the member asking (« envoie-moi la
facture »). WRITEs: the preview says which document, to whom, on which channel and at
which address, before anything leaves.

A quote may also be only marked as sent, when the user sent it himself (« j'ai envoyé le
devis ») : ``mode`` says which, and the preview says plainly that nothing leaves."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.finance import quotes as quote_service
from domain.finance.models import Invoice, Quote
from domain.kit.errors import InvalidInput
from domain.whatsapp import invoice_sends
from tools.base import AskBack, Effect, ToolContext, ToolResult, tool
from tools.finance.common import (
    QuoteWanted,
    find_invoice,
    find_quote,
    money,
    partner_name,
    resolve_customer,
    today,
)
from tools.finance.quotes import QuoteRef

_CHANNELS: dict[str, invoice_sends.SendChannel] = {"whatsapp": "whatsapp", "email": "email"}


class SendDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str | None = Field(
        default=None,
        max_length=200,
        description="À qui, quand c'est dit (« à Diallo ») : le client du document.",
    )
    channel: Literal["whatsapp", "email", "sms"] | None = Field(
        default=None,
        description="Par WhatsApp ou par e-mail (le SMS n'est pas proposé) ; sans "
        "précision, selon ce que le client a.",
    )
    to_me: bool = Field(
        default=False, description="À soi-même (« envoie-moi la facture ») plutôt qu'au client."
    )


class SendInvoiceIn(SendDocumentIn):
    invoice: str | None = Field(
        default=None,
        max_length=200,
        description="La facture : son numéro (« F-2026-00012 ») ou le nom du client "
        "(sa dernière facture).",
    )
    invoice_id: UUID | None = Field(default=None, description="Identifiant (boutons).")


class SendQuoteIn(QuoteRef, SendDocumentIn):
    mode: Literal["send", "mark_sent"] | None = Field(
        default=None,
        description="« send » : Comptoir envoie le PDF au client (« envoie le devis à "
        "Diallo par mail ») ; « mark_sent » : l'utilisateur l'a envoyé lui-même, le devis "
        "est seulement noté envoyé (« j'ai envoyé le devis », « le devis est parti »). "
        "Sans précision : envoi quand un canal ou « à moi » est dit, sinon noté envoyé.",
    )


class SentDocument(ToolResult):
    send_id: str
    number: str
    customer: str
    currency: str
    gross_total: Decimal
    channel: Literal["whatsapp", "email"]
    recipient: str
    to_me: bool
    status: str
    document: Literal["invoice", "quote"] = "invoice"

    def _noun(self) -> str:
        return "la facture" if self.document == "invoice" else "le devis"

    def _route(self) -> str:
        by = "par WhatsApp au" if self.channel == "whatsapp" else "par e-mail à"
        return f"{by} {self.recipient}"

    def _what(self) -> str:
        return f"{self._noun()} {self.number} ({money(self.gross_total, self.currency)})"

    def _sent_word(self) -> str:
        return "envoyée" if self._noun() == "la facture" else "envoyé"

    def render(self) -> str:
        whom = "vous" if self.to_me else self.customer
        return (
            f"C'est parti : {self._what()} est {self._sent_word()} à {whom} {self._route()}. "
            f"L'envoi est noté sur {self._noun()} avec son statut."
        )

    def preview(self) -> str:
        if self.to_me:
            return f"Vous envoyer {self._what()} de {self.customer} {self._route()} ?"
        return f"Envoyer {self._what()} à {self.customer} {self._route()} ?"


class SentInvoice(SentDocument):
    invoice_id: str


def refuse_sms(channel: str | None) -> None:
    if channel == "sms":
        raise InvalidInput(
            "L'envoi de documents par SMS n'est pas disponible et rien n'a été envoyé : "
            "je peux l'envoyer par WhatsApp ou par e-mail."
        )


def check_customer(
    ctx: ToolContext, said: str | None, partner_id: UUID, what: str, whose: str = "celle"
) -> None:
    """A named customer (``said``) who is not the document's is refused rather than sent
    another's document."""
    if not said:
        return
    named = resolve_customer(ctx, said)
    if named.id != partner_id:
        raise InvalidInput(
            f"{what} est {whose} de {partner_name(ctx, partner_id)}, pas de {named.name} : "
            "je ne l'envoie pas à un autre client."
        )


def _the_invoice(ctx: ToolContext, args: SendInvoiceIn) -> Invoice:
    """The invoice meant: by number or id, else the named customer's latest one."""
    reference = args.invoice or (None if args.to_me else args.customer)
    if reference is None and args.invoice_id is None:
        raise AskBack("Quelle facture : son numéro ou le nom du client ?", field="invoice")
    invoice = find_invoice(ctx, reference, args.invoice_id, wanted="any")
    if reference != args.customer:
        what = f"La facture {invoice.number or 'brouillon'}"
        check_customer(ctx, None if args.to_me else args.customer, invoice.partner_id, what)
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
    refuse_sms(args.channel)
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


# --- quotes ------------------------------------------------------------------------------


class SentQuote(ToolResult):
    """A quote sent by Comptoir (``mode`` « send ») or only marked sent (« mark_sent »)."""

    quote_id: str
    number: str
    customer: str
    currency: str
    gross_total: Decimal
    status: str  # the quote's status afterwards
    mode: Literal["send", "mark_sent"]
    was_draft: bool
    sending: SentDocument | None = None

    def _amount(self) -> str:
        return f"{money(self.gross_total, self.currency)} TTC"

    def render(self) -> str:
        if self.sending is None:
            return (
                f"Devis {self.number} de {self.customer} marqué comme envoyé "
                f"({self._amount()}). Comptoir n'a rien envoyé lui-même."
            )
        marked = " Il est maintenant marqué « envoyé »." if self.was_draft else ""
        return f"{self.sending.render()}{marked}"

    def preview(self) -> str:
        if self.sending is None:
            return (
                f"Marquer le devis {self.number} de {self.customer} ({self._amount()}) "
                "comme envoyé au client, que vous lui avez transmis vous-même. Comptoir "
                "n'envoie rien : pour qu'il l'envoie, dites « envoie le devis par mail » ou "
                "« par WhatsApp »."
            )
        marked = " Il passera à « envoyé »." if self.was_draft and not self.sending.to_me else ""
        return f"{self.sending.preview()}{marked}"


def _the_quote(ctx: ToolContext, args: SendQuoteIn, mode: str) -> Quote:
    """The quote meant: by number or id, else the named customer's one (a draft first;
    to send, a sent or accepted one too). Marked sent, nothing leaves: « depuis ma boîte
    mail » says how the user sent it, not that it goes to him."""
    to_me = args.to_me and mode != "mark_sent"
    reference = args.quote or (None if to_me else args.customer)
    if reference is None and args.quote_id is None:
        raise AskBack("Quel devis : son numéro ou le nom du client ?", field="quote")
    wanted: tuple[QuoteWanted, ...] = (
        ("draft",) if mode == "mark_sent" else ("draft", "sent", "accepted")
    )
    quote = find_quote(ctx, reference, args.quote_id, wanted=wanted, made_within=args.made_within())
    if reference != args.customer:
        said = None if to_me else args.customer
        check_customer(ctx, said, quote.partner_id, f"Le devis {quote.number}", "celui")
    return quote


@tool(
    "finance.send_quote",
    title="Envoyer un devis",
    effect=Effect.WRITE,
    roles=invoice_sends.SENDERS,
    acts_on=("quote",),
)
def send_quote(ctx: ToolContext, args: SendQuoteIn) -> SentQuote:
    """Envoie le PDF d'un devis à son client, par WhatsApp (modèle de devis de
    l'entreprise) ou par e-mail, ou à soi-même ; l'envoi est noté sur le devis, et un
    devis brouillon passe à « envoyé ». Ou, quand l'utilisateur l'a envoyé lui-même,
    marque seulement le devis comme envoyé (``mode`` « mark_sent ») : rien ne part.
    Exemples : « envoie le devis D-2026-00003 à Diallo par mail », « envoie-lui le devis
    sur WhatsApp », « j'ai envoyé le devis à Ndiaye », « le devis de Sow est parti »."""
    refuse_sms(args.channel)
    mode = args.mode or ("send" if args.channel or args.to_me else "mark_sent")
    quote = _the_quote(ctx, args, mode)
    was_draft = quote.status == "draft"
    sending = None
    if mode == "mark_sent":
        quote = quote_service.send_quote(ctx.session, ctx.principal, ctx.clock, quote.id)
    else:
        send = invoice_sends.send_quote(
            ctx.session,
            ctx.principal,
            ctx.clock,
            quote.id,
            channel=_CHANNELS.get(args.channel or ""),
            to_me=args.to_me,
        )
        sending = SentDocument(
            document="quote",
            send_id=str(send.id),
            number=quote.number,
            customer=partner_name(ctx, quote.partner_id),
            currency=quote.currency,
            gross_total=quote.gross_total,
            channel="whatsapp" if send.channel == "whatsapp" else "email",
            recipient=send.recipient,
            to_me=args.to_me,
            status=send.status,
        )
    return SentQuote(
        quote_id=str(quote.id),
        number=quote.number,
        customer=partner_name(ctx, quote.partner_id),
        currency=quote.currency,
        gross_total=quote.gross_total,
        status=quote_service.effective_status(quote, today(ctx)),
        mode="send" if sending is not None else "mark_sent",
        was_draft=was_draft,
        sending=sending,
    )
