"""Reading a tenant's data for scoring: the records of each state kind, and a digest of
its business tables.

``records(session, tenant_id, kind)`` returns one dict per record with exactly the field
names of the spec's table (``/work/shared/specs/eval-cases.md``, "State kinds and their
fields"), plus a few extra fields that make a failed expectation easier to read. Values are
``str``, ``Decimal``, ``int``, ``bool``, ``date``, ``time`` or ``None``; references are
given by name (customer, supplier, employee, manager, stage, department), by SKU (the
product of a stock move) or by number (the invoice of a payment). Numbers keep their value
but lose trailing zeros (``15000.0000`` → ``15000``, ``5.5000`` → ``5.5``). Dates and times
are the tenant's local ones (Paris, Dakar); times are to the minute.

``business_snapshot(session, tenant_id)`` maps every tenant table holding business data to
``"<rows>:<md5 of the rows>"``: two snapshots are equal when nothing a user would call a
change happened in between, whatever the agent's own bookkeeping (conversations,
confirmations, audit, checkpoints, token counts) wrote.

Both read through the session they are given (a tenant unit of work, RLS on) and still
filter on ``tenant_id`` themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, TextClause, and_, case, func, select, text
from sqlalchemy.orm import Session, aliased

from automations import engine as automation_engine
from domain.automations import rules
from domain.automations.models import (
    Automation,
    DunningReminder,
    Notification,
    NotificationDelivery,
)
from domain.documents.models import Document
from domain.finance.models import Allocation, Invoice, InvoiceLine, Payment, Quote, QuoteLine
from domain.finance.payables.models import SupplierBill, SupplierPayment
from domain.finance.quotes import effective_status
from domain.finance.repository import OPEN_STATUSES
from domain.hr.models import (
    AttendanceRecord,
    Department,
    Employee,
    LeaveMovement,
    LeaveRequest,
    LeaveType,
)
from domain.hr.setup import ANNUAL_LEAVE
from domain.identity.models import Tenant, User
from domain.models import metadata
from domain.sales.models import Activity, Opportunity, Partner, PipelineStage, Product
from domain.stock.models import Location, StockLevel, StockMove, StockSettings
from domain.stock.purchasing.models import (
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
)
from domain.whatsapp.models import InvoiceSend, WhatsAppMessage

Record = dict[str, Any]

KINDS: tuple[str, ...] = (
    "customers",
    "suppliers",
    "products",
    "invoices",
    "quotes",
    "payments",
    "opportunities",
    "activities",
    "employees",
    "leave_requests",
    "attendance",
    "purchase_orders",
    "stock_moves",
    "documents",
    "automations",
    "notifications",
    "messages_sent",
    "supplier_bills",
    "supplier_payments",
)

# Kinds of the spec whose tables do not exist yet.
NOT_BUILT: dict[str, str] = {}

# Tenant tables only the agent's bookkeeping (or logging in) writes: a read-only
# conversation writes here, so these never count as a business change.
BOOKKEEPING_TABLES = frozenset(
    {
        "audit_log",
        "conversations",
        "conversation_messages",
        "pending_confirmations",
        "agent_policies",
        "llm_token_usage",
        "auth_sessions",
        "refresh_tokens",
        # The automation machinery's own records: their runs, what members were told and
        # its sending. Whatever a run changes in the business (an invoice, a reminder, an
        # alert) is still compared, and so are the rules people make (``RULE_ROWS``).
        "automation_runs",
        "notifications",
        "notification_deliveries",
    }
)
# Of the automations, only the rules people make count as business data (a rule stored by
# mistake is a wrong write), and only what they say: the built-ins are installed and
# scheduled by the machinery, and every row's next run moves on its own.
RULE_ROWS = (
    "automations",
    "t.kind LIKE 'rule:%'",
    ("kind", "enabled", "rule", "params", "owner_id"),
)
# Columns that change without any business change: the outbox relay marks an event
# dispatched after the commit that wrote it (the event itself is kept: only writes emit).
VOLATILE_COLUMNS = frozenset({("domain_events", "dispatched_at")})


class UnknownKind(Exception):
    """A state kind that is not in the spec's table, or whose tables do not exist yet."""


def records(
    session: Session, tenant_id: UUID, kind: str, *, today: date | None = None
) -> list[Record]:
    """The tenant's records of ``kind`` (one of ``KINDS``), oldest first.

    ``today`` (the case's date, tenant-local) lets date-driven states show: a sent quote
    past its validity date reads ``expired`` (as the domain's ``effective_status`` tells
    users), and invoices get ``overdue``. Without it, quotes show their stored status and
    ``overdue`` is None.
    """
    if kind in NOT_BUILT:
        raise UnknownKind(f"State kind « {kind} »: the {kind} tables {NOT_BUILT[kind]}.")
    reader = _READERS.get(kind)
    if reader is None:
        raise UnknownKind(f"Unknown state kind « {kind} »; known kinds: {', '.join(KINDS)}.")
    return reader(session, _tenant(session, tenant_id), today)


# --- values -------------------------------------------------------------------------------


def _num(value: Decimal | None) -> Decimal | None:
    """The same number without trailing zeros, never in exponent form."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def _clock_time(moment: datetime | None, zone: ZoneInfo) -> time | None:
    """The local time to the minute, as people say it (« arrivée à 8 h 05 »)."""
    local = _local(moment, zone)
    return local.time().replace(second=0, microsecond=0) if local is not None else None


def _tenant(session: Session, tenant_id: UUID) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(f"tenant {tenant_id} is not visible in this session")
    return tenant


def _to(target: Any, reference: Any) -> ColumnElement[bool]:
    """The composite join ``(tenant_id, reference) → target(tenant_id, id)``."""
    return and_(target.tenant_id == reference.class_.tenant_id, target.id == reference)


def _line_count(line: Any, parent_id: Any, parent: Any) -> Any:
    """A correlated count of a document's lines (``line.<parent_id> = parent.id``)."""
    return (
        select(func.count(line.id))
        .where(line.tenant_id == parent.tenant_id, parent_id == parent.id)
        .correlate(parent)
        .scalar_subquery()
    )


# --- sales --------------------------------------------------------------------------------


def _partners(session: Session, tenant: Tenant, role: str) -> list[Record]:
    """Customers (``role`` customer) or suppliers: the partners holding that role."""
    flag = Partner.is_customer if role == "customer" else Partner.is_supplier
    found = session.scalars(
        select(Partner).where(Partner.tenant_id == tenant.id, flag.is_(True)).order_by(Partner.id)
    )
    return [
        {
            "name": p.name,
            "email": p.email,
            "phone": p.phone,
            "city": p.city,
            "type": p.kind,
            "code": p.code,
            "is_customer": p.is_customer,
            "is_supplier": p.is_supplier,
            "lead_time_days": p.lead_time_days,
            "active": p.is_active,
        }
        for p in found
    ]


def _customers(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    return _partners(session, tenant, "customer")


def _suppliers(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    return _partners(session, tenant, "supplier")


def _products(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    levels = (
        select(
            StockLevel.product_id,
            func.sum(StockLevel.on_hand).label("on_hand"),
            func.sum(StockLevel.reserved).label("reserved"),
        )
        .join(Location, _to(Location, StockLevel.location_id))
        .where(StockLevel.tenant_id == tenant.id, Location.kind == "internal")
        .group_by(StockLevel.product_id)
        .subquery()
    )
    rule = (
        select(ReorderRule.product_id, ReorderRule.min_quantity, ReorderRule.max_quantity)
        .join(
            StockSettings,
            and_(
                StockSettings.tenant_id == ReorderRule.tenant_id,
                StockSettings.default_warehouse_id == ReorderRule.warehouse_id,
            ),
        )
        .where(ReorderRule.tenant_id == tenant.id)
        .subquery()
    )
    preferred = (
        select(ProductSupplier.product_id, Partner.name)
        .join(Partner, _to(Partner, ProductSupplier.supplier_id))
        .where(ProductSupplier.tenant_id == tenant.id, ProductSupplier.is_preferred)
        .subquery()
    )
    rows = session.execute(
        select(
            Product,
            levels.c.on_hand,
            levels.c.reserved,
            rule.c.min_quantity,
            rule.c.max_quantity,
            preferred.c.name,
        )
        .outerjoin(levels, levels.c.product_id == Product.id)
        .outerjoin(rule, rule.c.product_id == Product.id)
        .outerjoin(preferred, preferred.c.product_id == Product.id)
        .where(Product.tenant_id == tenant.id)
        .order_by(Product.id)
    )
    out: list[Record] = []
    for product, on_hand, reserved, low, high, supplier in rows:
        stock = on_hand if on_hand is not None else Decimal(0)
        out.append(
            {
                "sku": product.sku,
                "name": product.name,
                "unit": product.unit,
                "stock": _num(stock),
                "available": _num(stock - (reserved or Decimal(0))),
                "min_stock": _num(low),
                "max_stock": _num(high),
                "sale_price": _num(product.sale_price),
                "purchase_price": _num(product.purchase_price),
                "vat_rate": _num(product.vat_rate),
                "kind": product.kind,
                "stockable": product.is_stockable,
                "supplier": supplier,
                "category": product.category,
                "active": product.is_active,
            }
        )
    return out


def _opportunities(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    rows = session.execute(
        select(Opportunity, Partner.name, PipelineStage.name, PipelineStage.outcome)
        .join(Partner, _to(Partner, Opportunity.partner_id))
        .join(PipelineStage, _to(PipelineStage, Opportunity.stage_id))
        .where(Opportunity.tenant_id == tenant.id)
        .order_by(Opportunity.id)
    )
    return [
        {
            "customer": customer,
            "title": o.title,
            "stage": stage,
            "amount": _num(o.amount),
            "probability": o.probability,
            "outcome": outcome,
            "expected_close_date": o.expected_close_date,
        }
        for o, customer, stage, outcome in rows
    ]


def _activities(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    zone = ZoneInfo(tenant.timezone)
    rows = session.execute(
        select(Activity, Partner.name, Opportunity.title)
        .outerjoin(Partner, _to(Partner, Activity.partner_id))
        .outerjoin(Opportunity, _to(Opportunity, Activity.opportunity_id))
        .where(Activity.tenant_id == tenant.id)
        .order_by(Activity.id)
    )
    out: list[Record] = []
    for activity, customer, opportunity in rows:
        due = _local(activity.due_at, zone)
        out.append(
            {
                "customer": customer,
                "kind": activity.kind,
                "due_date": due.date() if due else None,
                "done": activity.done,
                "subject": activity.subject,
                "due_time": _clock_time(activity.due_at, zone),
                "opportunity": opportunity,
            }
        )
    return out


# --- finance ------------------------------------------------------------------------------


def _amount_due(invoice: Invoice) -> Decimal:
    """What is left to pay: nothing on a cancelled invoice or a credit note."""
    if invoice.status == "cancelled" or invoice.kind == "credit_note":
        return Decimal(0)
    return invoice.gross_total - invoice.amount_settled


def _invoices(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    lines = _line_count(InvoiceLine, InvoiceLine.invoice_id, Invoice)
    rows = session.execute(
        select(Invoice, Partner.name, lines)
        .join(Partner, _to(Partner, Invoice.partner_id))
        .where(Invoice.tenant_id == tenant.id)
        .order_by(Invoice.id)
    )
    out: list[Record] = []
    for invoice, customer, count in rows:
        overdue = None
        if today is not None:
            overdue = bool(
                invoice.status in OPEN_STATUSES
                and invoice.due_date is not None
                and invoice.due_date < today
            )
        out.append(
            {
                "number": invoice.number,
                # A deposit invoice is an invoice; ``deposit`` says which.
                "kind": "credit_note" if invoice.kind == "credit_note" else "invoice",
                "customer": customer,
                "status": invoice.status,
                "date": invoice.issue_date,
                "due_date": invoice.due_date,
                "total": _num(invoice.gross_total),
                "total_excl_tax": _num(invoice.net_total),
                "tax": _num(invoice.tax_total),
                "amount_due": _num(_amount_due(invoice)),
                "currency": invoice.currency,
                "lines": int(count),
                "deposit": invoice.kind == "deposit",
                "amount_settled": _num(invoice.amount_settled),
                "overdue": overdue,
            }
        )
    return out


def _quotes(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """The current version of each quote (a revision keeps the number)."""
    lines = _line_count(QuoteLine, QuoteLine.quote_id, Quote)
    rows = session.execute(
        select(Quote, Partner.name, lines)
        .join(Partner, _to(Partner, Quote.partner_id))
        .where(Quote.tenant_id == tenant.id, Quote.is_current)
        .order_by(Quote.id)
    )
    return [
        {
            "number": quote.number,
            "customer": customer,
            "status": effective_status(quote, today) if today is not None else quote.status,
            "total": _num(quote.gross_total),
            "total_excl_tax": _num(quote.net_total),
            "tax": _num(quote.tax_total),
            "date": quote.issue_date,
            "valid_until": quote.valid_until,
            "version": quote.version,
            "currency": quote.currency,
            "lines": int(count),
        }
        for quote, customer, count in rows
    ]


def _payments(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """One row per payment, as the spec's ``payments`` kind is: ``amount`` the amount
    received and ``invoice`` the invoice it settles (the first, oldest, when it is spread
    over several; None when it settles none: the customer's credit). Every row also
    carries ``invoices`` (every invoice it settles, oldest first, « F-…, F-… »),
    ``payment_amount`` (received), ``allocated`` and ``unallocated`` (left as credit)."""
    payments = session.execute(
        select(Payment, Partner.name)
        .join(Partner, _to(Partner, Payment.partner_id))
        .where(Payment.tenant_id == tenant.id)
        .order_by(Payment.id)
    ).all()
    allocations: dict[UUID | None, list[tuple[str | None, Decimal]]] = defaultdict(list)
    for payment_id, number, amount in session.execute(
        select(Allocation.payment_id, Invoice.number, Allocation.amount)
        .join(Invoice, _to(Invoice, Allocation.invoice_id))
        .where(Allocation.tenant_id == tenant.id, Allocation.payment_id.is_not(None))
        .order_by(Invoice.issue_date, Invoice.id)
    ):
        allocations[payment_id].append((number, amount))
    out: list[Record] = []
    for payment, customer in payments:
        common = {
            "method": payment.method,
            "date": payment.received_on,
            "number": payment.number,
            "customer": customer,
            "payment_amount": _num(payment.amount),
            "unallocated": _num(payment.amount - payment.amount_allocated),
            "currency": payment.currency,
            "reference": payment.reference,
        }
        parts = allocations.get(payment.id, [])
        out.append(
            {
                "invoice": parts[0][0] if parts else None,
                "invoices": ", ".join(str(number) for number, _ in parts) or None,
                "amount": _num(payment.amount),
                "allocated": _num(payment.amount_allocated),
            }
            | common
        )
    return out


# --- HR -----------------------------------------------------------------------------------


def _paid_leave_days(tenant: Tenant, status: str | None) -> Any:
    """Per employee, the paid-leave ledger's sum (``status`` None) or the days of their
    requests in ``status`` — the sums ``hr.leave_balance`` shows as balance and pending."""
    paid = and_(LeaveType.code == ANNUAL_LEAVE[tenant.country], LeaveType.tenant_id == tenant.id)
    if status is None:
        return (
            select(LeaveMovement.employee_id, func.sum(LeaveMovement.days).label("days"))
            .join(LeaveType, and_(paid, LeaveType.id == LeaveMovement.leave_type_id))
            .where(LeaveMovement.tenant_id == tenant.id)
            .group_by(LeaveMovement.employee_id)
            .subquery()
        )
    return (
        select(LeaveRequest.employee_id, func.sum(LeaveRequest.days).label("days"))
        .join(LeaveType, and_(paid, LeaveType.id == LeaveRequest.leave_type_id))
        .where(LeaveRequest.tenant_id == tenant.id, LeaveRequest.status == status)
        .group_by(LeaveRequest.employee_id)
        .subquery()
    )


def _employees(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    manager = aliased(Employee)
    balance = _paid_leave_days(tenant, None)
    pending = _paid_leave_days(tenant, "pending")
    rows = session.execute(
        select(Employee, Department.name, manager.name, balance.c.days, pending.c.days)
        .outerjoin(Department, _to(Department, Employee.department_id))
        .outerjoin(manager, _to(manager, Employee.manager_id))
        .outerjoin(balance, balance.c.employee_id == Employee.id)
        .outerjoin(pending, pending.c.employee_id == Employee.id)
        .where(Employee.tenant_id == tenant.id)
        .order_by(Employee.id)
    )
    out: list[Record] = []
    for employee, department, manager_name, days, asked in rows:
        left, asked = days or Decimal(0), asked or Decimal(0)
        out.append(
            {
                "name": employee.name,
                "job_title": employee.job_title,
                "department": department,
                "manager": manager_name,
                "leave_balance": _num(left),
                "leave_pending": _num(asked),
                "leave_available": _num(left - asked),
                "code": employee.code,
                "email": employee.email,
                "phone": employee.phone,
                "whatsapp": employee.whatsapp,
                "hire_date": employee.hire_date,
                "active": employee.is_active,
            }
        )
    return out


def _leave_requests(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    rows = session.execute(
        select(LeaveRequest, Employee.name, LeaveType.code, LeaveType.name)
        .join(Employee, _to(Employee, LeaveRequest.employee_id))
        .join(LeaveType, _to(LeaveType, LeaveRequest.leave_type_id))
        .where(LeaveRequest.tenant_id == tenant.id)
        .order_by(LeaveRequest.id)
    )
    return [
        {
            "employee": employee,
            "type": code,
            "type_name": type_name,
            "start": r.start_date,
            "end": r.end_date,
            "days": _num(r.days),
            "status": r.status,
            "starts_afternoon": r.starts_afternoon,
            "ends_morning": r.ends_morning,
            "comment": r.comment,
            "rejection_reason": r.rejection_reason,
        }
        for r, employee, code, type_name in rows
    ]


def _attendance(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    zone = ZoneInfo(tenant.timezone)
    rows = session.execute(
        select(AttendanceRecord, Employee.name)
        .join(Employee, _to(Employee, AttendanceRecord.employee_id))
        .where(AttendanceRecord.tenant_id == tenant.id)
        .order_by(AttendanceRecord.check_in_at, AttendanceRecord.id)
    )
    return [
        {
            "employee": employee,
            "date": r.work_date,
            "check_in": _clock_time(r.check_in_at, zone),
            "check_out": _clock_time(r.check_out_at, zone),
            "late_minutes": r.late_minutes,
            "source": r.check_in_source,
        }
        for r, employee in rows
    ]


# --- stock --------------------------------------------------------------------------------


def _purchase_orders(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    lines = _line_count(PurchaseOrderLine, PurchaseOrderLine.order_id, PurchaseOrder)
    rows = session.execute(
        select(PurchaseOrder, Partner.name, lines)
        .join(Partner, _to(Partner, PurchaseOrder.supplier_id))
        .where(PurchaseOrder.tenant_id == tenant.id)
        .order_by(PurchaseOrder.id)
    )
    return [
        {
            "number": order.number,
            "supplier": supplier,
            "status": order.status,
            # Incl. tax, like invoices and quotes (the tools show HT, TVA and TTC).
            "total": _num(order.gross_total),
            "total_excl_tax": _num(order.net_total),
            "tax": _num(order.tax_total),
            "currency": order.currency,
            "date": order.order_date,
            "expected_date": order.expected_date,
            "lines": int(count),
        }
        for order, supplier, count in rows
    ]


def _stock_moves(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    zone = ZoneInfo(tenant.timezone)
    source, dest = aliased(Location), aliased(Location)
    # Signed change of what the tenant holds (internal locations): + in, − out, 0 transfer.
    delta = case((dest.kind == "internal", StockMove.quantity), else_=0) - case(
        (source.kind == "internal", StockMove.quantity), else_=0
    )
    rows = session.execute(
        select(StockMove, Product.sku, Product.name, delta)
        .join(Product, _to(Product, StockMove.product_id))
        .join(source, _to(source, StockMove.from_location_id))
        .join(dest, _to(dest, StockMove.to_location_id))
        .where(StockMove.tenant_id == tenant.id)
        .order_by(StockMove.moved_at, StockMove.id)
    )
    out: list[Record] = []
    for move, sku, name, change in rows:
        moved = move.moved_at.astimezone(zone)
        out.append(
            {
                "product": sku,
                "quantity": _num(move.quantity),
                "kind": move.kind,
                "reference": move.reference,
                "reason": move.reason,
                "product_name": name,
                "delta": _num(change),
                "date": moved.date(),
                "origin": move.origin_type,
            }
        )
    return out


Reader = Callable[[Session, Tenant, date | None], list[Record]]


# --- payables -----------------------------------------------------------------------------


def _supplier_bills(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """Supplier bills and credit notes; ``number`` is the supplier's own number, as the
    spec says (the business's internal one is ``internal_number``)."""
    rows = session.execute(
        select(SupplierBill, Partner.name)
        .join(Partner, _to(Partner, SupplierBill.supplier_id))
        .where(SupplierBill.tenant_id == tenant.id)
        .order_by(SupplierBill.id)
    )
    return [
        {
            "supplier": supplier,
            "number": bill.supplier_number,
            "status": bill.status,
            "total": _num(bill.gross_total),
            "total_excl_tax": _num(bill.net_total),
            "tax": _num(bill.tax_total),
            "due_date": bill.due_date,
            "date": bill.issue_date,
            "kind": bill.kind,
            "internal_number": bill.number,
            "amount_due": _num(bill.gross_total - bill.amount_settled),
            "currency": bill.currency,
            "source": bill.source,
        }
        for bill, supplier in rows
    ]


def _supplier_payments(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    rows = session.execute(
        select(SupplierPayment, Partner.name)
        .join(Partner, _to(Partner, SupplierPayment.supplier_id))
        .where(SupplierPayment.tenant_id == tenant.id)
        .order_by(SupplierPayment.id)
    )
    return [
        {
            "supplier": supplier,
            "amount": _num(payment.amount),
            "method": payment.method,
            "date": payment.paid_on,
            "number": payment.number,
            "allocated": _num(payment.amount_allocated),
            "currency": payment.currency,
        }
        for payment, supplier in rows
    ]


def _documents(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    rows = session.scalars(
        select(Document).where(Document.tenant_id == tenant.id).order_by(Document.created_at)
    )
    return [
        {"title": d.title, "kind": d.kind, "access": list(d.access_roles), "chunks": d.chunk_count}
        for d in rows
    ]


def _user_names(session: Session, user_ids: set[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    return {uid: name for uid, name in rows}


def _automations(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """Every automation: the built-ins (by their label) and the rules defined in chat (by
    their French reading)."""
    rows = list(
        session.scalars(
            select(Automation)
            .where(Automation.tenant_id == tenant.id)
            .order_by(Automation.created_at)
        )
    )
    names = _user_names(session, {a.owner_id for a in rows if a.owner_id})
    found = []
    for a in rows:
        if rules.is_rule(a):
            spec = rules.spec_of(a)
            description, channel = rules.label_of(spec), spec.channel
        else:
            kind = automation_engine.kind_of(a)
            description, channel = (kind.label if kind else a.kind), None
        found.append(
            {
                "description": description,
                "active": a.enabled,
                "trigger": "schedule" if a.rule else "event",
                "channel": channel,
                "owner": names.get(a.owner_id) if a.owner_id else None,
                "kind": "rule" if rules.is_rule(a) else a.kind,
            }
        )
    return found


def _notifications(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """One record per notification in the app (channel ``web``) and one per outside
    channel it was sent or is to be sent on."""
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.tenant_id == tenant.id)
            .order_by(Notification.created_at)
        )
    )
    names = _user_names(session, {n.user_id for n in rows})
    channels: dict[UUID, list[str]] = defaultdict(list)
    for d in session.scalars(
        select(NotificationDelivery).where(
            NotificationDelivery.tenant_id == tenant.id, NotificationDelivery.status != "failed"
        )
    ):
        channels[d.notification_id].append(d.channel)
    return [
        {
            "recipient": names.get(n.user_id),
            "channel": channel,
            "text": f"{n.title}\n{n.body}",
            "kind": n.kind,
            "read": n.read_at is not None,
        }
        for n in rows
        for channel in ["web", *channels[n.id]]
    ]


def _messages_sent(session: Session, tenant: Tenant, today: date | None) -> list[Record]:
    """What went out of the business: members' notifications sent by e-mail or WhatsApp,
    reminders to customers, invoices and quotes sent by e-mail, and WhatsApp messages to
    customers."""
    sent: list[Record] = []
    deliveries = session.execute(
        select(NotificationDelivery, Notification)
        .join(
            Notification,
            (Notification.tenant_id == NotificationDelivery.tenant_id)
            & (Notification.id == NotificationDelivery.notification_id),
        )
        .where(NotificationDelivery.tenant_id == tenant.id, NotificationDelivery.status == "sent")
        .order_by(NotificationDelivery.sent_at)
    ).all()
    names = _user_names(session, {n.user_id for _, n in deliveries})
    for d, n in deliveries:
        sent.append(
            {
                "to": names.get(n.user_id),
                "channel": d.channel,
                "kind": "text",
                "text": f"{n.title}\n{n.body}",
            }
        )
    reminders = session.execute(
        select(DunningReminder, Invoice.number, Partner.name)
        .join(
            Invoice,
            (Invoice.tenant_id == DunningReminder.tenant_id)
            & (Invoice.id == DunningReminder.invoice_id),
        )
        .join(Partner, _to(Partner, Invoice.partner_id))
        .where(DunningReminder.tenant_id == tenant.id)
        .order_by(DunningReminder.sent_at)
    ).all()
    for r, number, customer in reminders:
        sent.append(
            {
                "to": customer,
                "channel": r.channel,
                "kind": "text",
                "text": f"relance {r.stage} de la facture {number}",
            }
        )
    sent.extend(_documents_emailed(session, tenant))
    for m in session.scalars(
        select(WhatsAppMessage)
        .where(WhatsAppMessage.tenant_id == tenant.id, WhatsAppMessage.user_id.is_(None))
        .order_by(WhatsAppMessage.created_at)
    ):
        partner = session.scalar(
            select(Partner.name).where(Partner.tenant_id == tenant.id, Partner.phone == m.to_phone)
        )
        body = m.body.get("text", {}).get("body") if isinstance(m.body, dict) else None
        sent.append(
            {"to": partner or m.to_phone, "channel": "whatsapp", "kind": m.kind, "text": body}
        )
    return sent


def _documents_emailed(session: Session, tenant: Tenant) -> list[Record]:
    """Invoices and quotes sent by e-mail (``finance.send_invoice`` / ``send_quote``), to
    their customer or to the member who asked, whatever the SMTP server answered. Those
    sent by WhatsApp are read with the WhatsApp messages, so none is counted twice."""
    invoice, quote = aliased(Invoice), aliased(Quote)
    rows = session.execute(
        select(InvoiceSend, Partner.name)
        .outerjoin(invoice, _to(invoice, InvoiceSend.invoice_id))
        .outerjoin(quote, _to(quote, InvoiceSend.quote_id))
        .outerjoin(
            Partner,
            (Partner.tenant_id == InvoiceSend.tenant_id)
            & (Partner.id == func.coalesce(invoice.partner_id, quote.partner_id)),
        )
        .where(InvoiceSend.tenant_id == tenant.id, InvoiceSend.channel == "email")
        .order_by(InvoiceSend.created_at)
    ).all()
    members = _user_names(session, {s.to_member for s, _ in rows if s.to_member is not None})
    return [
        {
            "to": members.get(s.to_member) if s.to_member is not None else customer,
            "channel": "email",
            "kind": "document",
            "text": s.subject or s.filename,
        }
        for s, customer in rows
    ]


_READERS: dict[str, Reader] = {
    "automations": _automations,
    "notifications": _notifications,
    "messages_sent": _messages_sent,
    "documents": _documents,
    "customers": _customers,
    "suppliers": _suppliers,
    "products": _products,
    "invoices": _invoices,
    "quotes": _quotes,
    "payments": _payments,
    "opportunities": _opportunities,
    "activities": _activities,
    "employees": _employees,
    "leave_requests": _leave_requests,
    "attendance": _attendance,
    "purchase_orders": _purchase_orders,
    "stock_moves": _stock_moves,
    "supplier_bills": _supplier_bills,
    "supplier_payments": _supplier_payments,
}


# --- snapshot -----------------------------------------------------------------------------


def snapshot_tables() -> list[str]:
    """The tables ``business_snapshot`` digests: every table with a ``tenant_id`` but the
    bookkeeping ones, plus ``tenants`` (the business's own row, e.g. its name) and the
    automations people make (``RULE_ROWS``)."""
    tables = [
        t.name
        for t in metadata.sorted_tables
        if "tenant_id" in t.c and t.name not in BOOKKEEPING_TABLES
    ]
    return sorted([*tables, "tenants"])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def _snapshot_statement() -> TextClause:
    parts = []
    for name in snapshot_tables():
        table = metadata.tables[name]
        columns = [c.name for c in table.c if (name, c.name) not in VOLATILE_COLUMNS]
        where = "t.id = :tenant" if name == "tenants" else "t.tenant_id = :tenant"
        if name == RULE_ROWS[0]:
            columns, where = list(RULE_ROWS[2]), f"{where} AND {RULE_ROWS[1]}"
        row = "ROW(" + ", ".join(f"t.{_quoted(c)}" for c in columns) + ")::text"
        order = ", ".join(f"t.{_quoted(c.name)}" for c in table.primary_key.columns)
        parts.append(
            f"SELECT '{name}' AS name, count(*) AS n,"
            f" md5(coalesce(string_agg({row}, '|' ORDER BY {order}), '')) AS digest"
            f" FROM {_quoted(name)} t WHERE {where}"
        )
    return text("\nUNION ALL\n".join(parts))


def business_snapshot(session: Session, tenant_id: UUID) -> dict[str, str]:
    """Table name → ``"<row count>:<md5 of its rows>"`` for every business table of the
    tenant (see ``snapshot_tables``), in one statement. Equal snapshots: no business
    change in between. Excluded: ``BOOKKEEPING_TABLES`` (audit, conversations, messages,
    confirmations, agent policy, token usage, login sessions) and ``VOLATILE_COLUMNS``;
    the LangGraph checkpoint tables have no ``tenant_id`` and are never read."""
    rows = session.execute(_snapshot_statement(), {"tenant": tenant_id})
    return {name: f"{n}:{digest}" for name, n, digest in rows}
