"""The monthly report: on the 1st, the month just ended as a PDF and an Excel workbook, to
the business's admins and accountants.

Its figures come from the services the dashboard and the REST reports read
(``domain.finance.reports``, ``stock.valuation``, ``planning.low_stock``,
``hr.who_is_absent``), with the same arguments, so the report says what the API says for
the same month. The two files are stored as documents of the business (readable by
accountants; admins always) and the notification links them; e-mail carries them as
attachments, WhatsApp as documents while the member's 24-hour window is open. Exactly
once per month: the run's period key is the month's first day, and the notification's
``dedup_key`` names the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from automations.kinds import RunContext, automation_kind
from comptoir.bootstrap import Container
from domain.automations.notifications import members_with_roles, notify
from domain.documents.models import Document
from domain.finance import reports
from domain.finance.recurring import add_months
from domain.hr import service as hr
from domain.hr.schemas import AbsenceOut
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, PermissionDenied
from domain.kit.money import Currency, Money
from domain.kit.principal import Principal, Role
from domain.stock import service as stock
from domain.stock.purchasing import planning

MONTHS_SHOWN = 12
TOP_CUSTOMERS = 5
ZERO = Decimal(0)
MONTH_NAMES = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AGE_BUCKETS = ("not_due", "days_0_30", "days_31_60", "days_61_90", "days_over_90")
AGE_LABELS = ("Pas encore échu", "0 à 30 jours", "31 à 60 jours", "61 à 90 jours", "Plus de 90 j")


@dataclass(frozen=True, slots=True)
class StockFigures:
    value: Decimal | None  # None: the owner may not see values
    products: int  # products with stock on hand
    low: list[planning.Position]


@dataclass(frozen=True, slots=True)
class MonthlyFigures:
    business: str
    currency: str
    month: date  # first day of the month reported
    end: date  # its last day
    months: list[reports.RevenuePoint]  # the last MONTHS_SHOWN months, oldest first
    kpis: reports.Kpis  # over the month
    ageing: list[tuple[str, Decimal]]  # receivables by age at the month's end
    customers_owing: int
    stock: StockFigures | None
    absences: list[AbsenceOut] | None

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month.month - 1]} {self.month.year}"

    def money(self, amount: Decimal) -> str:
        return Money(amount, Currency(self.currency)).format_fr()


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def monthly_figures(
    session: Session, principal: Principal, clock: Clock, month: date
) -> MonthlyFigures:
    """The figures of ``month`` (its first day), read with ``principal``'s rights; a part
    their roles do not allow is left out (None)."""
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    end = month_end(month)
    first = add_months(month, 1 - MONTHS_SHOWN)
    found = {
        p.period: p
        for p in reports.revenue(session, principal, start=first, end=end, grouping="month")
    }
    months = [
        found.get(m) or reports.RevenuePoint(m, ZERO, ZERO, ZERO)
        for m in (add_months(first, i) for i in range(MONTHS_SHOWN))
    ]
    kpis = reports.kpis(session, principal, clock, start=month, end=end, top=TOP_CUSTOMERS)
    aged = reports.aged_receivables(session, principal, clock, as_of=end)
    ageing = [
        (label, sum((getattr(r, name) for r in aged), ZERO))
        for name, label in zip(AGE_BUCKETS, AGE_LABELS, strict=True)
    ]
    return MonthlyFigures(
        business=tenant.name,
        currency=tenant.currency,
        month=month,
        end=end,
        months=months,
        kpis=kpis,
        ageing=ageing,
        customers_owing=len(aged),
        stock=_allowed(lambda: _stock(session, principal)),
        absences=_allowed(lambda: hr.who_is_absent(session, principal, month, end)),
    )


def _allowed(read: Any) -> Any:
    try:
        return read()
    except PermissionDenied:
        return None


def _stock(session: Session, principal: Principal) -> StockFigures:
    low = planning.low_stock(session, principal)
    valued = _allowed(lambda: stock.valuation(session, principal))
    return StockFigures(
        value=valued.total if valued is not None else None,
        products=len([line for line in valued.lines if line.quantity > 0]) if valued else 0,
        low=low,
    )


# --- the built-in -------------------------------------------------------------------


@automation_kind(
    "monthly_report",
    label="Rapport mensuel",
    rule="FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=6;BYMINUTE=30",
    priority=90,
)
def monthly_report(ctx: RunContext) -> dict[str, Any]:
    """The month just ended, as a PDF and a workbook stored in the business's documents,
    announced to the admins and accountants with both attached."""
    from automations.report_files import render_pdf, render_xlsx

    # The month before the run's occurrence (not today's): a retry or a catch-up days
    # later still reports the month its period names.
    occurred = ctx.run.scheduled_for.astimezone(ctx.zone).date()
    month = add_months(occurred.replace(day=1), -1)
    figures = monthly_figures(ctx.session, ctx.principal, ctx.clock, month)
    stem = f"rapport-mensuel-{month:%Y-%m}"
    title = f"Rapport mensuel — {figures.label}"
    pdf = store_file(ctx.session, ctx.principal, render_pdf(figures), f"{stem}.pdf", title)
    xlsx = store_file(ctx.session, ctx.principal, render_xlsx(figures), f"{stem}.xlsx", title)
    recipients = members_with_roles(ctx.session, ctx.tenant.id, Role.ACCOUNTANT)
    notify(
        ctx.session,
        ctx.principal,
        ctx.now(),
        recipients,
        kind="report.monthly",
        title=f"Votre rapport mensuel de {figures.label}",
        body=summary(figures, [pdf, xlsx]),
        data={"month": month.isoformat(), "attachments": [str(pdf.id), str(xlsx.id)]},
        dedup_key=f"report:{month:%Y-%m}",
    )
    return {
        "mois": month.isoformat(),
        "documents": [str(pdf.id), str(xlsx.id)],
        "destinataires": len(recipients),
    }


def summary(figures: MonthlyFigures, files: list[Document]) -> str:
    """The notification's text: the month's key figures and where the files are."""
    k = figures.kpis
    lines = [
        f"Facturé HT en {figures.label} : {figures.money(k.invoiced_net)}",
        f"Encaissé : {figures.money(k.collected)}",
        f"Reste à encaisser : {figures.money(k.unpaid)}, dont en retard "
        f"{figures.money(k.overdue)} ({k.overdue_count} facture(s))",
    ]
    if figures.stock is not None and figures.stock.value is not None:
        lines.append(
            f"Stock : {figures.money(figures.stock.value)}, "
            f"{len(figures.stock.low)} produit(s) sous le minimum"
        )
    if figures.absences is not None:
        lines.append(f"Absences du mois : {len(figures.absences)}")
    lines.append("")
    lines += [f"{d.filename} : /api/v1/documents/{d.id}/file" for d in files]
    return "\n".join(lines)


def store_file(
    session: Session, principal: Principal, data: bytes, filename: str, title: str
) -> Document:
    """Keep a report file among the business's documents, readable by accountants (and
    admins), through the documents service. It is not indexed for search: its figures
    are the reports' own, read from the books at any time."""
    from rag import service as documents  # parsing and embedding: not needed by beat
    from rag.parsing import ParsedDocument
    from rag.sniff import DocumentKind

    kind = DocumentKind.PDF if filename.endswith(".pdf") else DocumentKind.XLSX
    nothing = documents.Indexed(ParsedDocument(kind, title, [], None), [], [])
    return documents.upload(
        session,
        principal,
        data,
        filename=filename,
        title=title,
        access_roles=[Role.ACCOUNTANT.value],
        indexed=nothing,
    )


def report_files(
    session: Session, principal: Principal, clock: Clock, month: date
) -> dict[str, bytes]:
    """The report of ``month`` as files (name → bytes), stored nowhere (the CLI)."""
    from automations.report_files import render_pdf, render_xlsx

    figures = monthly_figures(session, principal, clock, month)
    stem = f"rapport-mensuel-{month:%Y-%m}"
    return {f"{stem}.pdf": render_pdf(figures), f"{stem}.xlsx": render_xlsx(figures)}


def parse_month(text: str) -> date:
    """``"2026-11"`` → the first of November 2026 (refused in French otherwise)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise InvalidInput(f"Mois attendu sous la forme AAAA-MM : « {text} ».") from None


def export_monthly(container: Container, slug: str, month: str, out: Path) -> list[Path]:
    """``comptoir report monthly``: the report of ``month`` for the business ``slug``, as
    its first admin, written into ``out`` (nothing stored, nobody notified). Balances and
    what is overdue are today's; the month's figures are the month's."""
    from comptoir.exports import operator

    first = parse_month(month)
    principal = operator(container, slug)
    with container.db.unit_of_work(principal.tenant_id) as session:
        files = report_files(session, principal, container.clock, first)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written
