"""Dunning: reminding customers of unpaid invoices, J-3 (courteous), J+7, J+30 (firm).

The daily run records, per open invoice, the one stage its due date has reached and that
was never sent (``dunning_reminders``, unique per invoice and stage: a retried or repeated
run records nothing twice; a run missed for days sends the stage reached, not the ones it
skipped). The reminders are the invoice's dunning history (the table, and an audit entry
per run naming them). Each goes to the customer's e-mail or WhatsApp, the first of the
``channels`` parameter they have an address on; an event per reminder sends it after
commit (``automations.dunning_send``: e-mail with the PDF at J+30, or the WhatsApp outbox)
— re-checking the invoice, so a payment or a dispute recorded in between stops it. Paid,
cancelled or disputed invoices and customers who opted out are never reminded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from automations.events import subscribe
from automations.kinds import RunContext, automation_kind
from domain.audit import service as audit
from domain.automations.models import MANUAL_STAGE, DunningExclusion, DunningReminder
from domain.automations.reminders import REMINDER_EVENT
from domain.events.models import DomainEvent
from domain.finance.models import Invoice
from domain.identity.models import Tenant
from domain.kit.db import EVENT_PUBLISHER, on_commit
from domain.kit.errors import NotFound
from domain.kit.ids import uuid7
from domain.kit.money import Currency, Money
from domain.kit.principal import Principal, Role
from domain.sales.models import Partner
from domain.whatsapp.outbox import business_number

OPEN = ("posted", "partially_paid")
CHANNELS = ("email", "whatsapp")
DEFAULTS: dict[str, Any] = {
    "before_due_days": 3,
    "first_overdue_days": 7,
    "final_overdue_days": 30,
    "channels": ["email", "whatsapp"],  # the customer's first address in this order
    # A reminder a member sent by hand holds the daily run back on that invoice this long.
    "days_after_manual": 5,
}
FINAL_STAGE = "overdue_30"


def stage_for(days_past_due: int, params: dict[str, Any]) -> str | None:
    """The stage an invoice ``days_past_due`` days after its due date has reached."""
    if days_past_due >= int(params["final_overdue_days"]):
        return FINAL_STAGE
    if days_past_due >= int(params["first_overdue_days"]):
        return "overdue_7"
    if -int(params["before_due_days"]) <= days_past_due < 0:
        return "before_due"
    return None


def _candidates(
    session: Session, tenant_id: UUID, today: date, before: int, held_since: datetime
) -> Any:
    """Open invoices whose due date is at most ``before`` days away and not reminded by
    hand since ``held_since``, with what the run needs of them in plain columns (no ORM
    object per invoice: a business switching dunning on may have hundreds of them)."""
    excluded = exists().where(
        DunningExclusion.tenant_id == tenant_id,
        or_(
            DunningExclusion.invoice_id == Invoice.id,
            DunningExclusion.partner_id == Invoice.partner_id,
        ),
    )
    # An invoice given its last reminder has nothing more to receive: most long-overdue
    # invoices, every day, are left out in SQL rather than read and skipped.
    finished = exists().where(
        DunningReminder.tenant_id == tenant_id,
        DunningReminder.invoice_id == Invoice.id,
        DunningReminder.stage == FINAL_STAGE,
    )
    reminded_by_hand = exists().where(
        DunningReminder.tenant_id == tenant_id,
        DunningReminder.invoice_id == Invoice.id,
        DunningReminder.stage == MANUAL_STAGE,
        DunningReminder.sent_at >= held_since,
    )
    return session.execute(
        select(
            Invoice.id,
            Invoice.due_date,
            (Invoice.gross_total - Invoice.amount_settled).label("due"),
            Partner.email,
            Partner.phone,
        )
        .join(
            Partner,
            and_(Partner.tenant_id == Invoice.tenant_id, Partner.id == Invoice.partner_id),
        )
        .where(
            Invoice.tenant_id == tenant_id,
            Invoice.kind == "invoice",
            Invoice.status.in_(OPEN),
            Invoice.due_date.is_not(None),
            Invoice.due_date <= date.fromordinal(today.toordinal() + before),
            ~excluded,
            ~finished,
            ~reminded_by_hand,
        )
        .order_by(Invoice.due_date)
    ).all()


@automation_kind(
    "dunning",
    label="Relance des factures impayées",
    rule="FREQ=DAILY;BYHOUR=9;BYMINUTE=0",
    params=DEFAULTS,
    priority=30,
)
def dunning(ctx: RunContext) -> dict[str, Any]:
    """Record the stage each open invoice has reached, to the customer's e-mail or
    WhatsApp (``channels``: the order of preference; WhatsApp only when the business
    linked a number)."""
    params, today = ctx.params, ctx.today()
    held_since = ctx.now() - timedelta(days=int(params.get("days_after_manual", 0)))
    candidates = _candidates(
        ctx.session, ctx.tenant.id, today, int(params["before_due_days"]), held_since
    )
    sent = _stages_sent(ctx.session, ctx.tenant.id, [c.id for c in candidates])
    usable = _usable_channels(ctx.session, ctx.tenant.id, params)
    planned: list[dict[str, Any]] = []
    without_address = 0
    for c in candidates:
        stage = stage_for((today - c.due_date).days, params)
        if stage is None or (c.id, stage) in sent:
            continue
        address = _address(usable, c.email, c.phone)
        if address is None:
            without_address += 1
            continue
        planned.append(_reminder_row(ctx, c.id, c.due, stage, address))
    recorded = _record(ctx, planned) if planned else []
    by_stage: dict[str, int] = {}
    for _, stage in recorded:
        by_stage[stage] = by_stage.get(stage, 0) + 1
    return {"relances": by_stage, "sans_adresse": without_address}


def _usable_channels(session: Session, tenant_id: UUID, params: dict[str, Any]) -> list[str]:
    chosen = params.get("channels") or DEFAULTS["channels"]
    chosen = [chosen] if isinstance(chosen, str) else chosen  # "whatsapp" alone
    wanted = [c for c in chosen if c in CHANNELS]
    if "whatsapp" in wanted and business_number(session, tenant_id) is None:
        wanted.remove("whatsapp")
    return wanted


def _address(usable: list[str], email: str | None, phone: str | None) -> tuple[str, str] | None:
    """The first of ``usable`` the customer has an address on: (channel, address)."""
    for channel in usable:
        address = email if channel == "email" else phone
        if address:
            return channel, address
    return None


def _stages_sent(
    session: Session, tenant_id: UUID, invoice_ids: list[UUID]
) -> set[tuple[UUID, str]]:
    """The (invoice, stage) pairs already reminded, in one query (most, on a given day)."""
    rows = session.execute(
        select(DunningReminder.invoice_id, DunningReminder.stage).where(
            DunningReminder.tenant_id == tenant_id, DunningReminder.invoice_id.in_(invoice_ids)
        )
    )
    return {(r.invoice_id, r.stage) for r in rows}


def _reminder_row(
    ctx: RunContext, invoice_id: UUID, due: Decimal, stage: str, address: tuple[str, str]
) -> dict[str, Any]:
    return {
        "tenant_id": ctx.tenant.id,
        "id": uuid7(),
        "invoice_id": invoice_id,
        "stage": stage,
        "channel": address[0],
        "recipient": address[1],
        "amount_due": due,
        "sent_at": ctx.now(),
    }


def _record(ctx: RunContext, rows: list[dict[str, Any]]) -> list[tuple[UUID, str]]:
    """Write the reminders (a stage already recorded is skipped), one audit entry naming
    them, and one event per reminder: each is sent in its own relay, so one customer's
    failing address never sends another's reminder twice. Rows and events go in one
    statement each (executemany): a first pass over a backlog records hundreds."""
    written = ctx.session.execute(
        insert(DunningReminder)
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "invoice_id", "stage"],
            index_where=DunningReminder.stage != MANUAL_STAGE,
        )
        .returning(DunningReminder.id, DunningReminder.invoice_id, DunningReminder.stage),
        rows,
    ).all()
    if not written:
        return []
    audit.record(
        ctx.session,
        ctx.principal,
        "invoice.reminders",
        target_type="invoice",
        after={"reminders": [{"invoice": str(r.invoice_id), "stage": r.stage} for r in written]},
    )
    _emit_each(ctx, [r.id for r in written])
    return [(r.invoice_id, r.stage) for r in written]


def _emit_each(ctx: RunContext, reminder_ids: list[UUID]) -> None:
    """One ``dunning.reminder_recorded`` event per reminder, as ``events.emit`` writes
    them (actor, automation, channel), in one statement; each handed to the publisher
    after commit."""
    p = ctx.principal
    events_ = [
        {
            "tenant_id": p.tenant_id,
            "id": uuid7(),
            "name": REMINDER_EVENT,
            "payload": {"reminder_id": str(reminder_id)},
            "actor_id": p.user_id,
            "automation_id": p.automation_id,
            "channel": p.channel.value,
            "occurred_at": ctx.now(),
        }
        for reminder_id in reminder_ids
    ]
    ctx.session.execute(insert(DomainEvent), events_)
    publisher = ctx.session.info.get(EVENT_PUBLISHER)
    if publisher is not None:
        for event in events_:
            on_commit(ctx.session, partial(publisher, event["tenant_id"], event["id"]))


def reminder_mail(
    tenant: Tenant, invoice: Invoice, stage: str, due: Decimal, *, on: date | None = None
) -> tuple[str, str]:
    """The subject and body of a reminder (French, courteous then firm). A manual one,
    sent ``on`` a day, reads as the courteous reminder before the due date, else as the
    first one after it."""
    amount = Money(due, Currency(invoice.currency)).format_fr()
    assert invoice.due_date is not None
    if stage == MANUAL_STAGE:
        stage = "overdue_7" if on is not None and invoice.due_date < on else "before_due"
    when = f"{invoice.due_date:%d/%m/%Y}"
    ref = f"facture {invoice.number}"
    if stage == "before_due":
        subject = f"Rappel : {ref} à régler le {when}"
        text = (
            f"Nous vous rappelons que la {ref}, d'un montant restant de {amount}, "
            f"arrive à échéance le {when}. Si le règlement est déjà parti, merci de ne pas "
            "tenir compte de ce message."
        )
    elif stage == "overdue_7":
        subject = f"Relance : {ref} échue le {when}"
        text = (
            f"Sauf erreur de notre part, la {ref}, échue le {when}, reste impayée : "
            f"{amount}. Merci de procéder au règlement dans les meilleurs délais."
        )
    else:
        subject = f"Dernière relance : {ref} impayée depuis le {when}"
        text = (
            f"Malgré nos relances, la {ref}, échue le {when}, reste impayée : {amount}. "
            "Vous la trouverez ci-jointe. Nous vous demandons de la régler sans délai ; à "
            "défaut, nous serons contraints d'engager une procédure de recouvrement."
        )
    body = f"Bonjour,\n\n{text}\n\nCordialement,\n{tenant.name}\n"
    return subject, body


@subscribe(REMINDER_EVENT)
def send_reminder(session: Session, event: DomainEvent) -> None:
    """Send a recorded reminder, unless the invoice was paid or disputed meanwhile. A failed
    send raises: the relay rolls back and the sweep tries again."""
    from automations.dunning_send import send_recorded

    reminder = session.get(DunningReminder, (event.tenant_id, UUID(event.payload["reminder_id"])))
    if reminder is None:
        return
    invoice = session.get(Invoice, (event.tenant_id, reminder.invoice_id))
    tenant = session.get(Tenant, event.tenant_id)
    if invoice is None or tenant is None or invoice.status not in OPEN:
        return
    if is_excluded(session, invoice):
        return
    send_recorded(session, event, tenant, invoice, reminder)


def is_excluded(session: Session, invoice: Invoice) -> bool:
    return bool(
        session.scalar(
            select(DunningExclusion.id).where(
                DunningExclusion.tenant_id == invoice.tenant_id,
                or_(
                    DunningExclusion.invoice_id == invoice.id,
                    DunningExclusion.partner_id == invoice.partner_id,
                ),
            )
        )
    )


# --- opting out and disputing ---------------------------------------------------------

WRITERS = (Role.ACCOUNTANT, Role.SALES, Role.MANAGER)


def set_exclusion(
    session: Session,
    principal: Principal,
    *,
    excluded: bool,
    partner_id: UUID | None = None,
    invoice_id: UUID | None = None,
) -> bool:
    """Opt a customer out of reminders (``partner_id``) or mark an invoice disputed
    (``invoice_id``) — or undo it. Returns whether it is now excluded."""
    principal.require(*WRITERS)
    target = Partner if partner_id is not None else Invoice
    target_id = partner_id if partner_id is not None else invoice_id
    if session.get(target, (principal.tenant_id, target_id)) is None:
        raise NotFound("Client introuvable." if partner_id else "Facture introuvable.")
    column = DunningExclusion.partner_id if partner_id else DunningExclusion.invoice_id
    current = session.scalar(
        select(DunningExclusion).where(
            DunningExclusion.tenant_id == principal.tenant_id, column == target_id
        )
    )
    if excluded and current is None:
        session.add(
            DunningExclusion(
                tenant_id=principal.tenant_id,
                partner_id=partner_id,
                invoice_id=invoice_id,
                reason="opt_out" if partner_id else "disputed",
            )
        )
    elif not excluded and current is not None:
        session.delete(current)
    audit.record(
        session,
        principal,
        "dunning.exclude" if excluded else "dunning.include",
        target_type="partner" if partner_id else "invoice",
        target_id=target_id,
    )
    session.flush()
    return excluded


def reminders_of(session: Session, tenant_id: UUID, invoice_id: UUID) -> list[DunningReminder]:
    """The reminders recorded on an invoice of this business, oldest first; an invoice it
    does not have is not found (never an empty list)."""
    if session.get(Invoice, (tenant_id, invoice_id)) is None:
        raise NotFound("Facture introuvable.")
    return list(
        session.scalars(
            select(DunningReminder)
            .where(DunningReminder.tenant_id == tenant_id, DunningReminder.invoice_id == invoice_id)
            .order_by(DunningReminder.sent_at)
        )
    )
