"""The fresh tenant of one eval case, filled from its ``setup`` through the domain services.

Everything is written in one transaction (a setup that fails leaves nothing behind), as an
admin of the tenant on the CLI channel. Dated records (invoices, quotes, payments, purchase
orders and their receipts) are written with a clock at that date; on return the clock is at
the case's ``today``. A record that cannot be built — an unknown key, a reference that
resolves to nothing, a value a service refuses — raises ``SetupError`` naming the case, the
setup kind and the record.

What a few keys mean (the final state is what the case says):
- ``products.stock``: the quantity on hand in the main warehouse once the whole setup is
  built. The opening receipt (valued at ``purchase_price``) adds back what posted setup
  invoices deliver and takes out what setup purchase orders receive. A goods product is
  managed in stock when it has ``stock``, ``min_stock``, ``max_stock`` or ``supplier``, or
  is on a purchase order (``stockable`` forces either way).
- ``employees.leave_balance``: the paid-leave balance (ledger sum, pending requests not
  deducted) once the setup's leave requests are decided; without it, the balance is what
  the pending requests need.
- ``invoices.status`` paid / partially_paid: the setup's ``payments`` settle it, or else a
  payment on the invoice's date (all of it; ``amount_paid`` or half for partially_paid).
- Statuses default to what a business's history mostly holds: invoices posted, quotes and
  purchase orders sent, leave requests pending.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import cache
from typing import Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from pydantic import ValidationError
from sqlalchemy.orm import Session

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.finance import invoices, payments, quotes
from domain.finance.models import Invoice
from domain.finance.schemas import (
    InvoiceCreate,
    LineIn,
    PaymentCreate,
    PaymentMethod,
    QuoteCreate,
)
from domain.hr import service as hr
from domain.hr.calendar import leave_days
from domain.hr.models import LeaveType
from domain.hr.schemas import BalanceAdjustment, ContractCreate, EmployeeCreate, LeaveRequestCreate
from domain.hr.setup import SCHEDULES
from domain.identity import service as identity
from domain.identity.passwords import Passwords
from domain.identity.schemas import (
    COUNTRY_DEFAULTS,
    MemberCreate,
    SignUp,
    TenantCreate,
    UserCreate,
)
from domain.kit.clock import ManualClock
from domain.kit.errors import DomainError
from domain.kit.money import Currency, round_to_currency
from domain.kit.principal import Channel, Principal, Role
from domain.kit.text import fold
from domain.sales import service as sales
from domain.sales.schemas import AddressIn, OpportunityCreate, PartnerCreate, ProductCreate
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.schemas import (
    PurchaseLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
    ReorderRuleIn,
    SupplierTermsIn,
)
from evals.cases import Case
from evals.setup_documents import DocumentSetupError, build_documents

DEFAULT_NAMES = {"FR": "Entreprise Test", "SN": "Commerce Test Dakar"}
# Valid but invented legal ids: FEC exports and printed invoices need the seller's.
LEGAL_IDS = {
    "FR": {"siret": "84215739800012", "vat_number": "FR21842157398"},
    "SN": {"ninea": "4512308"},
}
ADMIN_NAME = "Administrateur Comptoir"
EMAIL_DOMAIN = "eval.example.com"  # ".test" is refused by the e-mail validator
DEFAULT_METHOD = {"FR": "bank_transfer", "SN": "cash"}
PAID = ("posted", "partially_paid", "paid")  # invoice statuses that deliver stock

_PARTNER = {"ref", "name", "email", "phone", "city", "address", "postcode", "country", "type"}
_PARTNER |= {"siren", "siret", "vat_number", "ninea", "payment_terms_days", "notes", "tags"}
_KEYS = {
    "customers": _PARTNER,
    "suppliers": _PARTNER | {"lead_time_days"},
    "products": {"ref", "name", "sku", "unit", "kind", "sale_price", "purchase_price"}
    | {"vat_rate", "stock", "min_stock", "max_stock", "supplier", "category", "description"}
    | {"barcode", "stockable"},
    "employees": {"ref", "name", "job_title", "department", "manager", "leave_balance"}
    | {"whatsapp", "phone", "email", "hire_date", "contract"},
    "contract": {"kind", "salary", "start", "end", "weekly_hours"},
    "line": {"product", "description", "quantity", "unit", "unit_price", "discount", "vat_rate"},
    "invoices": {"ref", "customer", "date", "due_date", "payment_terms_days", "status", "lines"}
    | {"notes", "amount_paid", "payment_method"},
    "quotes": {"ref", "customer", "date", "status", "lines", "valid_days", "notes"},
    "payments": {"ref", "invoice", "customer", "amount", "method", "date", "reference"},
    "opportunities": {"ref", "customer", "title", "amount", "stage", "probability"}
    | {"close_date", "lost_reason"},
    "leave_requests": {"ref", "employee", "type", "start", "end", "starts_afternoon"}
    | {"ends_morning", "status", "comment", "reason"},
    "purchase_orders": {"ref", "supplier", "status", "date", "expected_date", "received_date"}
    | {"notes", "lines"},
    "po_line": {"product", "quantity", "unit_price", "vat_rate", "description", "received"},
}
# Beyond the natural key, only what the domain itself cannot do without. A product needs only
# its name: without ``sale_price`` it has none, and its ``unit`` may be any unit word.
_REQUIRED = {
    "customers": {"name"},
    "suppliers": {"name"},
    "products": {"name"},
    "employees": {"name"},
    "contract": {"kind", "salary"},
    "line": {"quantity"},
    "invoices": {"customer", "lines"},
    "quotes": {"customer", "lines"},
    "payments": set(),
    "opportunities": {"customer", "title"},
    "leave_requests": {"employee", "start", "end"},
    "purchase_orders": {"supplier", "lines"},
    "po_line": {"product", "quantity"},
}
_STATUSES = {  # the first is the default: records describe the business's history
    "invoices": ("posted", "draft", "partially_paid", "paid", "cancelled"),
    "quotes": ("sent", "draft", "accepted", "refused", "expired"),
    "leave_requests": ("pending", "approved", "rejected", "cancelled"),
    "purchase_orders": ("sent", "draft", "partially_received", "received", "cancelled"),
}
_METHODS = {
    "cash": "cash", "especes": "cash", "espece": "cash", "liquide": "cash",
    "bank_transfer": "bank_transfer", "virement": "bank_transfer", "card": "card",
    "carte": "card", "carte bancaire": "card", "cb": "card", "cheque": "cheque",
    "wave": "wave", "orange_money": "orange_money", "orange money": "orange_money",
}  # fmt: skip


class SetupError(Exception):
    """A setup record that cannot be built; the message names the case, kind and record."""


class _Bad(Exception):
    """What is wrong with the record being built (``SetupError`` adds where it is)."""


@dataclass
class Built:
    tenant_id: UUID
    principal: Principal  # the case user, channel = case.channel
    admin: Principal  # an admin of the tenant (channel CLI) used for setup
    refs: dict[str, dict[str, Any]]  # `ref` -> {"id": str, "number": str | None, ...}
    currency: str  # "EUR" | "XOF"
    timezone: str  # the tenant's IANA zone


@cache
def _passwords() -> Passwords:
    """Eval accounts never log in with their password: a cheap hash saves ~0.2 s a case."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def _slug(case_id: str) -> str:
    core = re.sub(r"[^a-z0-9]+", "-", fold(case_id)).strip("-")[:40].strip("-") or "case"
    return f"eval-{core}-{secrets.token_hex(4)}"


def _keys(kind: str, record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise _Bad(f"a {kind} record is a mapping, not {record!r}")
    unknown = sorted(set(record) - _KEYS[kind])
    if unknown:
        raise _Bad(f"unknown key(s) {unknown}; known: {sorted(_KEYS[kind])}")
    missing = sorted(_REQUIRED[kind] - set(record))
    if missing:
        raise _Bad(f"missing key(s) {missing}")
    return record


def _dec(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _Bad(f"{name}: a number is expected, not {value!r}")
    try:
        number = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise _Bad(f"{name}: a number is expected, not {value!r}") from None
    if not number.is_finite():
        raise _Bad(f"{name}: a number is expected, not {value!r}")
    return number


def _opt_dec(record: dict[str, Any], name: str) -> Decimal | None:
    return None if record.get(name) is None else _dec(record[name], name)


def _date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _Bad(f"{name}: an ISO date (YYYY-MM-DD) is expected, not {value!r}") from None


def _status(kind: str, record: dict[str, Any]) -> str:
    status = str(record.get("status", _STATUSES[kind][0]))
    if status not in _STATUSES[kind]:
        raise _Bad(f"status {status!r}: one of {list(_STATUSES[kind])}")
    return status


class _Index:
    """The setup records of one kind by natural key and ref (folded), and their ids."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self._keys: dict[str, int | None] = {}  # None: two records answer to it
        self.ids: dict[int, UUID] = {}

    def add(self, i: int, *keys: Any) -> None:
        for key in {fold(str(k)) for k in keys if k is not None and str(k).strip()}:
            self._keys[key] = i if self._keys.get(key, i) == i else None

    def find(self, key: Any) -> int:
        if key is None or isinstance(key, dict | list):
            raise _Bad(f"a {self.noun} reference is a name or a ref, not {key!r}")
        found = self._keys.get(fold(str(key)), -1)
        if found is None:
            raise _Bad(f"{self.noun} {key!r} is ambiguous in the setup")
        if found == -1:
            raise _Bad(f"no {self.noun} {key!r} in the setup")
        return found

    def id(self, key: Any) -> UUID:
        return self.ids[self.find(key)]


@dataclass
class _Plan:
    """What the building needs to know ahead: stock flows and the earliest date."""

    delivered: dict[int, Decimal] = field(default_factory=dict)  # by product index
    received: dict[int, Decimal] = field(default_factory=dict)
    on_po: set[int] = field(default_factory=set)
    first_day: date | None = None


class _Builder:
    def __init__(
        self, session: Session, case: Case, admin: Principal, tz: ZoneInfo, now: datetime
    ) -> None:
        self.session, self.case, self.admin, self.tz, self.now = session, case, admin, tz, now
        self.today = now.astimezone(tz).date()
        self.country = case.tenant.country
        self.currency = Currency(COUNTRY_DEFAULTS[self.country]["currency"])
        self.setup = case.setup
        self.refs: dict[str, dict[str, Any]] = {}
        self.partners = _Index("customer or supplier")
        self.products = _Index("product")
        self.employees = _Index("employee")
        self.invoices = _Index("invoice")
        self.invoice_rows: dict[int, Invoice] = {}
        self.balances: dict[UUID, Decimal] = {}  # employee -> leave_balance given
        self.plan = _Plan()
        self.user_id: UUID | None = None
        self.partner_list: list[tuple[dict[str, Any], set[str], list[Any]]] = []
        self.product_records: list[dict[str, Any]] = []
        self.stockable: set[int] = set()

    # --- plumbing ----------------------------------------------------------------------

    @contextmanager
    def record(self, kind: str, record: Any) -> Iterator[None]:
        try:
            yield
        except SetupError:
            raise
        except (_Bad, DomainError, ValidationError, InvalidOperation, ValueError) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            raise SetupError(f"case {self.case.id}: setup.{kind} {record!r}: {message}") from exc

    def ref(self, record: dict[str, Any], **info: Any) -> None:
        name = record.get("ref")
        if name is None:
            return
        if str(name) in self.refs:
            raise _Bad(f"ref {name!r} is already used")
        self.refs[str(name)] = {"number": None, **{k: _text(v) for k, v in info.items()}}

    def clock_on(self, day: date, name: str = "date") -> ManualClock:
        """A clock at ``day`` (10:00 local), the case's moment for today."""
        if day > self.today:
            raise _Bad(f"{name} {day} is after today ({self.today})")
        if day == self.today:
            return ManualClock(self.now)
        return ManualClock(datetime.combine(day, time(10), self.tz).astimezone(UTC))

    def day(self, record: dict[str, Any], name: str = "date") -> date:
        return _date(record[name], name) if record.get(name) is not None else self.today

    def dated(self, kind: str) -> list[tuple[date, dict[str, Any]]]:
        """The records of ``kind`` in date order (keys checked)."""
        rows = []
        for record in getattr(self.setup, kind):
            with self.record(kind, record):
                rows.append((self.day(_keys(kind, record)), record))
        return sorted(rows, key=lambda row: row[0])

    # --- planning ----------------------------------------------------------------------

    def index(self) -> None:
        """Index partners and products and plan the stock before anything is written, so
        that most bad references fail the setup before its first write."""
        for kind, role in (("customers", "customer"), ("suppliers", "supplier")):
            for record in getattr(self.setup, kind):
                with self.record(kind, record):
                    self.add_partner(role, _keys(kind, record))
        for i, (fields, _, refs) in enumerate(self.partner_list):
            self.partners.add(i, fields["name"], *refs)
        taken: set[str] = set()
        for i, record in enumerate(self.setup.products):
            with self.record("products", record):
                _keys("products", record)
                if not record.get("sku"):  # the case's own record is left as it is
                    record = dict(record, sku=_new_sku(record["name"], taken))
                self.product_records.append(record)
                taken.add(fold(str(record["sku"])))
                self.products.add(i, record["sku"], record["name"], record.get("ref"))
        self.plan_stock()

    def add_partner(self, role: str, record: dict[str, Any]) -> None:
        """One partner per name: a name in both lists is a customer who is also a supplier."""
        name = fold(str(record["name"]))
        same = [p for p in self.partner_list if fold(str(p[0]["name"])) == name]
        if not same:
            same = [({}, set(), [])]
            self.partner_list.append(same[0])
        fields, roles, refs = same[0]
        if role in roles:
            raise _Bad(f"two {role}s are named {record['name']!r}")
        roles.add(role)
        refs += [record["ref"]] if record.get("ref") is not None else []
        fields.update({k: _text(v) for k, v in record.items() if k != "ref"})

    def plan_stock(self) -> None:
        for day, record in self.dated("purchase_orders"):
            with self.record("purchase_orders", record):
                self.plan.first_day = min(self.plan.first_day or day, day)
                for line, quantity in _receipts(record):
                    i = self.products.find(line["product"])
                    self.plan.on_po.add(i)
                    self.plan.received[i] = self.plan.received.get(i, Decimal(0)) + quantity
        for day, record in self.dated("invoices"):
            with self.record("invoices", record):
                self.plan.first_day = min(self.plan.first_day or day, day)
                if _status("invoices", record) not in PAID:
                    continue
                for line in _lines(record):
                    if line.get("product") is not None:
                        i = self.products.find(line["product"])
                        qty = _dec(line["quantity"], "quantity")
                        self.plan.delivered[i] = self.plan.delivered.get(i, Decimal(0)) + qty

    def partner(self, key: Any, role: str) -> UUID:
        i = self.partners.find(key)
        if role not in self.partner_list[i][1]:
            raise _Bad(f"{key!r} is not a {role} of the setup")
        return self.partners.ids[i]

    # --- partners, catalog, staff ------------------------------------------------------

    def build_partners(self) -> None:
        for i, (fields, roles, refs) in enumerate(self.partner_list):
            kind = "customers" if "customer" in roles else "suppliers"
            with self.record(kind, fields):
                address = {k: fields.get(k) for k in ("address", "postcode", "city", "country")}
                data = PartnerCreate(
                    name=fields["name"],
                    kind=fields.get("type", "company"),
                    roles=sorted(roles),  # type: ignore[arg-type]
                    address=AddressIn(
                        line1=address.pop("address"), **address
                    ) if any(address.values()) else None,
                    **{k: fields[k] for k in _PARTNER_FIELDS if k in fields},
                )  # fmt: skip
                partner = sales.create_partner(self.session, self.admin, data)
                self.partners.ids[i] = partner.id
                for ref in refs:
                    self.ref({"ref": ref}, id=partner.id, code=partner.code, name=partner.name)

    def build_products(self) -> None:
        for i, record in enumerate(self.product_records):
            with self.record("products", record):
                kind = str(record.get("kind", "goods"))
                stocked = any(k in record for k in ("stock", "min_stock", "max_stock", "supplier"))
                stockable = bool(
                    record.get("stockable", kind == "goods" and (stocked or i in self.plan.on_po))
                )
                if not stockable and stocked:
                    raise _Bad("stock, min_stock, max_stock and supplier need stocked goods")
                if stockable:
                    self.stockable.add(i)
                product = sales.create_product(
                    self.session,
                    self.admin,
                    ProductCreate(
                        name=record["name"],
                        sku=str(record["sku"]),
                        kind=kind,  # type: ignore[arg-type]
                        unit=str(record.get("unit", "unité")),
                        sale_price=_opt_dec(record, "sale_price"),
                        vat_rate=_opt_dec(record, "vat_rate"),
                        purchase_price=_opt_dec(record, "purchase_price"),
                        category=record.get("category"),
                        description=record.get("description"),
                        barcode=record.get("barcode"),
                        is_stockable=stockable,
                    ),
                )
                self.products.ids[i] = product.id
                self.ref(record, id=product.id, sku=product.sku, name=product.name)
                self.supply(record, product.id)

    def supply(self, record: dict[str, Any], product_id: UUID) -> None:
        """The reorder rule (min/max) and the preferred supplier of a product."""
        low, high = _opt_dec(record, "min_stock"), _opt_dec(record, "max_stock")
        if low is not None or high is not None:
            low = low if low is not None else Decimal(0)
            high = high if high is not None else low * 2
            rule = ReorderRuleIn(product_id=product_id, min_quantity=low, max_quantity=high)
            purchasing.set_reorder_rule(self.session, self.admin, rule)
        if record.get("supplier") is not None:
            terms = SupplierTermsIn(
                supplier_id=self.partner(record["supplier"], "supplier"),
                price=_opt_dec(record, "purchase_price"),
                is_preferred=True,
            )  # lead time: the supplier's own
            purchasing.set_supplier_terms(
                self.session, self.admin, ManualClock(self.now), product_id, terms
            )

    def build_employees(self) -> None:
        records = list(self.setup.employees)
        for i, record in enumerate(records):
            with self.record("employees", record):
                self.employees.add(i, _keys("employees", record)["name"], record.get("ref"))
        for record in list(records):
            manager = record.get("manager")
            if manager is not None and self._find_employee(manager) is None:
                self.employees.add(len(records), manager)  # named only as a manager
                records.append({"name": manager})
        managers = {}
        for i, record in enumerate(records):
            with self.record("employees", record):
                managers[i] = (
                    self.employees.find(record["manager"]) if record.get("manager") else None
                )
        for i in _managers_first(managers, records, self.case.id):
            with self.record("employees", records[i]):
                self.employee(i, records[i], managers[i])

    def _find_employee(self, key: Any) -> int | None:
        try:
            return self.employees.find(key)
        except _Bad:
            return None

    def employee(self, i: int, record: dict[str, Any], manager: int | None) -> None:
        department = (
            hr.ensure_department(self.session, self.admin, str(record["department"])).id
            if record.get("department")
            else None
        )
        is_user = fold(str(record["name"])) == fold(self.case.user.display_name)
        hired = (
            _date(record["hire_date"], "hire_date")
            if record.get("hire_date")
            else date(self.today.year - 1, 1, 1)
        )
        data = EmployeeCreate(
            name=str(record["name"]),
            job_title=record.get("job_title"),
            department_id=department,
            manager_id=self.employees.ids[manager] if manager is not None else None,
            user_id=self.user_id if is_user else None,
            email=record.get("email"),
            phone=_text(record.get("phone")),
            whatsapp=_text(record.get("whatsapp")),
            hire_date=hired,
        )
        employee = hr.create_employee(self.session, self.admin, ManualClock(self.now), data)
        self.employees.ids[i] = employee.id
        self.ref(record, id=employee.id, code=employee.code, name=employee.name)
        if record.get("leave_balance") is not None:
            self.balances[employee.id] = _dec(record["leave_balance"], "leave_balance")
        if record.get("contract") is not None:
            self.contract(employee.id, hired, record["contract"])

    def contract(self, employee_id: UUID, hired: date, spec: Any) -> None:
        spec = _keys("contract", spec)
        data = ContractCreate(
            employee_id=employee_id,
            kind=spec["kind"],
            start_date=_date(spec["start"], "start") if spec.get("start") else hired,
            end_date=_date(spec["end"], "end") if spec.get("end") else None,
            salary=_dec(spec["salary"], "salary"),
            weekly_hours=_opt_dec(spec, "weekly_hours") or SCHEDULES[self.country][2] * 5,
        )
        hr.create_contract(self.session, self.admin, data)

    def opening_stock(self) -> list[tuple[UUID, Decimal]]:
        """Receive each product's opening quantity; return the counts to adjust to at the
        end (when purchase orders receive more than the final stock plus deliveries)."""
        clock = ManualClock(self.now) if self.plan.first_day is None else self.clock_on(
            self.plan.first_day
        )  # fmt: skip
        recounts = []
        for i, record in enumerate(self.product_records):
            if i not in self.stockable:
                continue
            with self.record("products", record):
                flows = self.plan.delivered.get(i, Decimal(0)) - self.plan.received.get(
                    i, Decimal(0)
                )
                final = _opt_dec(record, "stock")
                opening = flows if final is None else final + flows
                if final is not None and opening < 0:
                    recounts.append((self.products.ids[i], final))
                if opening > 0:
                    stock.receive(
                        self.session,
                        self.admin,
                        clock,
                        product_id=self.products.ids[i],
                        quantity=opening,
                        reference="Stock initial",
                    )
        return recounts

    # --- documents ---------------------------------------------------------------------

    def line(self, spec: Any) -> LineIn:
        spec = _keys("line", spec)
        product = spec.get("product")
        vat = _opt_dec(spec, "vat_rate")
        if product is None and vat is None:
            vat = sales.STANDARD_VAT_RATE[self.country]  # a free-text line
        return LineIn(
            product_id=self.products.id(product) if product is not None else None,
            description=spec.get("description"),
            quantity=_dec(spec["quantity"], "quantity"),
            unit=spec.get("unit"),
            unit_price=_opt_dec(spec, "unit_price"),
            discount_percent=_opt_dec(spec, "discount") or Decimal(0),
            vat_rate=vat,
        )

    def build_purchase_orders(self) -> None:
        for day, record in self.dated("purchase_orders"):
            with self.record("purchase_orders", record):
                self.purchase_order(day, record)

    def purchase_order(self, day: date, record: dict[str, Any]) -> None:
        status = _status("purchase_orders", record)
        lines = [_keys("po_line", line) for line in _lines(record)]
        data = PurchaseOrderCreate(
            supplier_id=self.partner(record["supplier"], "supplier"),
            lines=[
                PurchaseLineIn(
                    product_id=self.products.id(line["product"]),
                    quantity=_dec(line["quantity"], "quantity"),
                    unit_price=_opt_dec(line, "unit_price"),
                    vat_rate=_opt_dec(line, "vat_rate"),
                    description=line.get("description"),
                )
                for line in lines
            ],
            expected_date=_date(record["expected_date"], "expected_date")
            if record.get("expected_date")
            else None,
            notes=record.get("notes"),
        )
        s, admin, clock = self.session, self.admin, self.clock_on(day)
        order = purchasing.create_purchase_order(s, admin, clock, data)
        if status == "cancelled":
            purchasing.cancel_purchase_order(s, admin, clock, order.id)
        elif status != "draft":
            purchasing.send_purchase_order(s, admin, clock, order.id)
        if status in ("partially_received", "received"):
            arrived = self.day(record, "received_date") if record.get("received_date") else max(
                day, min(order.expected_date or self.today, self.today)
            )  # fmt: skip
            rows = purchasing.get_purchase_order(s, admin, order.id).lines
            receipt = ReceiptCreate(
                lines=[
                    ReceiptLineIn(line_id=row.id, quantity=quantity)
                    for row, (_, quantity) in zip(rows, _receipts(record, every=True), strict=True)
                    if quantity > 0
                ]
            )
            purchasing.receive_purchase_order(
                s, admin, self.clock_on(arrived, "received_date"), order.id, receipt
            )
        if order.status != status:
            raise _Bad(f"the order ends {order.status}, not {status}")
        self.ref(record, id=order.id, number=order.number)

    def build_invoices(self) -> None:
        for i, (day, record) in enumerate(self.dated("invoices")):
            with self.record("invoices", record):
                self.invoices.add(i, record.get("ref"))
                self.invoice(i, day, record)

    def invoice(self, i: int, day: date, record: dict[str, Any]) -> None:
        status = _status("invoices", record)
        if status not in ("paid", "partially_paid") and (
            "amount_paid" in record or "payment_method" in record
        ):
            raise _Bad("amount_paid and payment_method are for paid or partially_paid invoices")
        terms = record.get("payment_terms_days")
        if record.get("due_date") is not None:
            if terms is not None:
                raise _Bad("give due_date or payment_terms_days, not both")
            terms = (_date(record["due_date"], "due_date") - day).days
            if terms < 0:
                raise _Bad("due_date is before the invoice date")
        s, admin, clock = self.session, self.admin, self.clock_on(day)
        data = InvoiceCreate(
            partner_id=self.partner(record["customer"], "customer"),
            lines=[self.line(line) for line in _lines(record)],
            payment_terms_days=terms,
            notes=record.get("notes"),
        )
        invoice = invoices.create_invoice(s, admin, clock, data)
        if status == "cancelled":
            invoice = invoices.cancel_draft(s, admin, clock, invoice.id)
        elif status != "draft":
            invoice = invoices.post_invoice(s, admin, clock, invoice.id)
        self.invoice_rows[i] = invoice
        self.invoices.ids[i] = invoice.id
        if invoice.number:
            self.invoices.add(i, invoice.number)
        self.ref(record, id=invoice.id, number=invoice.number)

    def build_payments(self) -> set[UUID]:
        """Record the setup's payments; return the invoices (and customers) they were for."""
        paid: set[UUID] = set()
        for day, record in self.dated("payments"):
            with self.record("payments", record):
                invoice_id = partner_id = None
                if record.get("invoice") is not None:
                    invoice_id = self.invoices.id(record["invoice"])
                    paid.add(invoice_id)
                elif record.get("customer") is not None:
                    partner_id = self.partner(record["customer"], "customer")
                    paid.add(partner_id)  # it settles that customer's oldest invoices
                else:
                    raise _Bad("a payment names its invoice (or its customer)")
                amount = _opt_dec(record, "amount")
                if amount is None:
                    if invoice_id is None:
                        raise _Bad("a payment without an invoice needs its amount")
                    amount = invoices.balance(
                        self.invoice_rows[self.invoices.find(record["invoice"])]
                    )
                data = PaymentCreate(
                    invoice_id=invoice_id,
                    partner_id=partner_id,
                    amount=amount,
                    method=_method(record.get("method"), self.country),
                    received_on=day,
                    reference=record.get("reference"),
                )
                payment = payments.record_payment(
                    self.session, self.admin, self.clock_on(day), data
                )
                self.ref(record, id=payment.id, number=payment.number)
        return paid

    def settle_invoices(self, paid: set[UUID]) -> None:
        """Pay the invoices whose status says so and no setup payment was for; then check
        that every invoice ends in the status its record gives."""
        for i, (day, record) in enumerate(self.dated("invoices")):
            with self.record("invoices", record):
                invoice, status = self.invoice_rows[i], _status("invoices", record)
                due, settled = invoices.balance(invoice), {invoice.id, invoice.partner_id} & paid
                if status in ("paid", "partially_paid") and not settled and due > 0:
                    amount = due
                    if status == "partially_paid":
                        amount = _opt_dec(record, "amount_paid") or round_to_currency(
                            amount / 2, self.currency
                        )
                    method = _method(record.get("payment_method"), self.country)
                    data = PaymentCreate(
                        invoice_id=invoice.id,
                        amount=amount,
                        method=method,
                        received_on=day,
                    )
                    payments.record_payment(self.session, self.admin, self.clock_on(day), data)
                # A posted invoice the setup's payments were for ends as they leave it.
                if invoice.status != status and (status != "posted" or not settled):
                    raise _Bad(f"the invoice ends {invoice.status}, not {status}")

    def build_quotes(self) -> None:
        built = []
        for day, record in self.dated("quotes"):
            with self.record("quotes", record):
                status = _status("quotes", record)
                s, admin, clock = self.session, self.admin, self.clock_on(day)
                data = QuoteCreate(
                    partner_id=self.partner(record["customer"], "customer"),
                    lines=[self.line(line) for line in _lines(record)],
                    valid_days=record.get("valid_days"),
                    notes=record.get("notes"),
                )
                quote = quotes.create_quote(s, admin, clock, data)
                if status != "draft":
                    quotes.send_quote(s, admin, clock, quote.id)
                if status == "accepted":
                    quotes.accept_quote(s, admin, clock, quote.id)
                elif status == "refused":
                    quotes.refuse_quote(s, admin, clock, quote.id)
                built.append((record, quote, status))
                self.ref(record, id=quote.id, number=quote.number)
        if built:  # what the nightly job would have done by today
            quotes.expire_quotes(self.session, self.admin, ManualClock(self.now))
        for record, quote, status in built:
            with self.record("quotes", record):
                found = quotes.effective_status(quote, self.today)
                if found != status:
                    raise _Bad(
                        f"the quote is {found} on {self.today} (valid until "
                        f"{quote.valid_until}), not {status}: see date / valid_days"
                    )

    def build_opportunities(self) -> None:
        for record in self.setup.opportunities:
            with self.record("opportunities", record):
                _keys("opportunities", record)
                stage = record.get("stage")
                lost = fold(str(stage or "")) == "perdu"
                data = OpportunityCreate(
                    partner_id=self.partner(record["customer"], "customer"),
                    title=str(record["title"]),
                    amount=_opt_dec(record, "amount") or Decimal(0),
                    stage=str(stage) if stage is not None else None,
                    probability=record.get("probability"),
                    expected_close_date=_date(record["close_date"], "close_date")
                    if record.get("close_date")
                    else None,
                    lost_reason=record.get("lost_reason") or ("Non précisée" if lost else None),
                )
                opportunity = sales.create_opportunity(
                    self.session, self.admin, data, clock=ManualClock(self.now)
                )
                self.ref(record, id=opportunity.id)

    # --- leave -------------------------------------------------------------------------

    def build_leave(self) -> None:
        """Opening balances so that each ends as given, then the requests: decided ones
        first (a rejected request once fitted the balance), pending ones last."""
        requests = []
        for record in self.setup.leave_requests:
            with self.record("leave_requests", record):
                _keys("leave_requests", record)
                data = LeaveRequestCreate(
                    employee_id=self.employees.id(record["employee"]),
                    leave_type=record.get("type"),
                    start_date=_date(record["start"], "start"),
                    end_date=_date(record["end"], "end"),
                    starts_afternoon=bool(record.get("starts_afternoon", False)),
                    ends_morning=bool(record.get("ends_morning", False)),
                    comment=record.get("comment"),
                )
                kind = hr.resolve_leave_type(self.session, self.admin, data.leave_type)
                days = leave_days(
                    self.country,
                    data.start_date,
                    data.end_date,
                    starts_afternoon=data.starts_afternoon,
                    ends_morning=data.ends_morning,
                )
                status = _status("leave_requests", record)
                requests.append((record, data, kind, days, status))
        extras = self.open_balances(requests)
        order = {"approved": 0, "rejected": 1, "cancelled": 1, "pending": 2}
        for record, data, _, _, status in sorted(requests, key=lambda r: order[r[4]]):
            if status == "pending" and extras:
                self.give_back(extras)
                extras = {}
            with self.record("leave_requests", record):
                self.leave_request(record, data, status)
        self.give_back(extras)

    def open_balances(
        self, requests: list[tuple[dict[str, Any], LeaveRequestCreate, LeaveType, Decimal, str]]
    ) -> dict[tuple[UUID, str], Decimal]:
        annual = hr.resolve_leave_type(self.session, self.admin, None)
        targets = {(e, annual.code): days for e, days in self.balances.items()}
        approved: dict[tuple[UUID, str], Decimal] = {}
        pending: dict[tuple[UUID, str], Decimal] = {}
        refused: dict[tuple[UUID, str], Decimal] = {}
        for _, data, kind, days, status in requests:
            if not kind.tracks_balance or kind.allow_negative:
                continue
            assert data.employee_id is not None
            key = (data.employee_id, kind.code)
            if status in ("approved", "pending"):
                sums = approved if status == "approved" else pending
                sums[key] = sums.get(key, Decimal(0)) + days
            else:
                refused[key] = max(refused.get(key, Decimal(0)), days)
        extras = {}
        for key in targets.keys() | approved.keys() | pending.keys() | refused.keys():
            target = targets.get(key, pending.get(key, Decimal(0)))
            extra = max(Decimal(0), refused.get(key, Decimal(0)) - target)
            opening = target + approved.get(key, Decimal(0)) + extra
            if extra:
                extras[key] = extra
            if opening:
                self.adjust(key, opening, "opening", "Solde de reprise")
        return extras

    def adjust(self, key: tuple[UUID, str], days: Decimal, kind: str, note: str) -> None:
        employee_id, code = key
        data = BalanceAdjustment(leave_type=code, days=days, kind=kind, note=note)  # type: ignore[arg-type]
        hr.adjust_leave_balance(self.session, self.admin, ManualClock(self.now), employee_id, data)

    def give_back(self, extras: dict[tuple[UUID, str], Decimal]) -> None:
        for key, extra in extras.items():
            self.adjust(key, -extra, "adjustment", "Correction du solde de reprise")

    def leave_request(self, record: dict[str, Any], data: LeaveRequestCreate, status: str) -> None:
        s, admin, clock = self.session, self.admin, ManualClock(self.now)
        request = hr.request_leave(s, admin, data)
        if status == "approved":
            hr.approve_leave(s, admin, clock, request.id)
        elif status == "rejected":
            hr.reject_leave(s, admin, clock, request.id, record.get("reason") or "Refusé")
        elif status == "cancelled":
            hr.cancel_leave(s, admin, clock, request.id)
        self.ref(record, id=request.id)

    def recount(self, recounts: list[tuple[UUID, Decimal]]) -> None:
        for product_id, counted in recounts:
            stock.adjust(
                self.session,
                self.admin,
                ManualClock(self.now),
                product_id=product_id,
                counted_quantity=counted,
                reason="Inventaire",
            )

    def build(self) -> None:
        self.index()
        self.build_partners()
        self.build_products()
        self.build_employees()
        recounts = self.opening_stock()
        self.build_purchase_orders()
        self.build_invoices()
        self.build_quotes()
        self.settle_invoices(self.build_payments())
        self.build_opportunities()
        self.build_leave()
        self.recount(recounts)


_PARTNER_FIELDS = (
    "email", "phone", "siren", "siret", "vat_number", "ninea", "notes", "tags",
    "payment_terms_days", "lead_time_days",
)  # fmt: skip


def _text(value: Any) -> Any:
    """Ids as strings; phone numbers YAML read as ints as strings."""
    if isinstance(value, UUID | int) and not isinstance(value, bool):
        return str(value)
    return value


def _new_sku(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Z0-9]+", "-", fold(name).upper()).strip("-")[:24].strip("-") or "ART"
    sku, n = base, 1
    while fold(sku) in taken:
        n += 1
        sku = f"{base}-{n}"
    return sku


def _lines(record: dict[str, Any]) -> list[Any]:
    lines = record.get("lines")
    if not isinstance(lines, list) or not lines:
        raise _Bad("lines: a non-empty list is expected")
    return lines


def _receipts(record: dict[str, Any], every: bool = False) -> list[tuple[dict[str, Any], Decimal]]:
    """(line, quantity received) of a purchase order's lines: all of it when received; for
    partially_received, each line's ``received`` if any line gives one, else half of each
    line (whole units). ``every``: zeros included."""
    status = _status("purchase_orders", record)
    lines = [_keys("po_line", line) for line in _lines(record)]
    wanted = [_dec(line["quantity"], "quantity") for line in lines]
    if status == "received":
        got = wanted
    elif status == "partially_received":
        if any("received" in line for line in lines):
            got = [_opt_dec(line, "received") or Decimal(0) for line in lines]
        else:
            got = [(q / 2).quantize(Decimal(1), rounding=ROUND_DOWN) for q in wanted]
        if not any(got):
            raise _Bad("nothing to receive: give `received` quantities on the lines")
    else:
        if any("received" in line for line in lines):
            raise _Bad("`received` is for partially_received orders")
        got = [Decimal(0)] * len(lines)
    rows = list(zip(lines, got, strict=True))
    return rows if every else [(line, q) for line, q in rows if q > 0]


def _method(value: Any, country: str) -> PaymentMethod:
    if value is None:
        return cast(PaymentMethod, DEFAULT_METHOD[country])
    method = _METHODS.get(fold(str(value)).replace("-", " "))
    if method is None:
        raise _Bad(f"payment method {value!r}: one of {sorted(set(_METHODS.values()))}")
    return cast(PaymentMethod, method)


def _managers_first(managers: dict[int, int | None], records: list[Any], case_id: str) -> list[int]:
    order: list[int] = []
    placed: set[int] = set()
    while len(order) < len(managers):
        ready = [
            i
            for i in managers
            if i not in placed and (managers[i] is None or managers[i] in placed)
        ]
        if not ready:
            names = [records[i]["name"] for i in managers if i not in placed]
            raise SetupError(f"case {case_id}: setup.employees: managers form a cycle: {names}")
        order += ready
        placed.update(ready)
    return order


def _accounts(container: Container, session: Session, case: Case) -> tuple[Principal, Principal]:
    """The tenant, its admin and the case user (the admin itself when the role is admin)."""
    country, token = case.tenant.country, secrets.token_hex(4)
    user_is_admin = case.user.role == Role.ADMIN
    signup = SignUp(
        tenant=TenantCreate(
            name=case.tenant.name or DEFAULT_NAMES[country],
            slug=_slug(case.id),
            country=country,
            siret=LEGAL_IDS[country].get("siret"),
            vat_number=LEGAL_IDS[country].get("vat_number"),
            ninea=LEGAL_IDS[country].get("ninea"),
        ),
        admin=UserCreate(
            email=f"{'user' if user_is_admin else 'admin'}-{token}@{EMAIL_DOMAIN}",
            name=case.user.display_name if user_is_admin else ADMIN_NAME,
            password=secrets.token_urlsafe(16),
        ),
    )
    ctx = RequestContext(channel=Channel.CLI, request_id=f"eval-{case.id}")
    tenant, admin_user = identity.register_tenant(container.db, session, signup, _passwords(), ctx)
    admin = Principal(
        tenant_id=tenant.id,
        user_id=admin_user.id,
        roles=frozenset({Role.ADMIN}),
        channel=Channel.CLI,
    )
    user_id = admin_user.id
    if not user_is_admin:
        member = MemberCreate(
            email=f"user-{token}@{EMAIL_DOMAIN}",
            name=case.user.display_name,
            password=secrets.token_urlsafe(16),
            roles=[case.user.role],
        )
        user_id = identity.add_member(session, admin, member, _passwords())[1].id
    user = Principal(
        tenant_id=tenant.id,
        user_id=user_id,
        roles=frozenset({case.user.role}),
        channel=Channel(case.channel),
    )
    return admin, user


def build_tenant(container: Container, clock: ManualClock, case: Case) -> Built:
    """Create a fresh tenant for ``case`` and fill it from ``case.setup`` (one transaction).
    On return ``clock`` is at ``case.today`` (the tenant's local time, as aware UTC)."""
    defaults = COUNTRY_DEFAULTS[case.tenant.country]
    tz = ZoneInfo(defaults["timezone"])
    now = case.today.replace(tzinfo=tz).astimezone(UTC)
    clock.set(now)
    with container.db.unit_of_work() as session:
        try:
            admin, user = _accounts(container, session, case)
        except (DomainError, ValidationError) as exc:
            raise SetupError(f"case {case.id}: tenant or user: {exc}") from exc
        builder = _Builder(session, case, admin, tz, now)
        builder.user_id = user.user_id
        builder.build()
        try:
            build_documents(session, admin, case)
        except (DomainError, DocumentSetupError) as exc:
            raise SetupError(f"case {case.id}: documents: {exc}") from exc
    clock.set(now)
    return Built(
        tenant_id=admin.tenant_id,
        principal=user,
        admin=admin,
        refs=builder.refs,
        currency=defaults["currency"],
        timezone=defaults["timezone"],
    )
