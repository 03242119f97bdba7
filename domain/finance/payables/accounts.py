"""Which accounts a supplier bill line is charged to, and where its deductible VAT goes.

PCG: purchases of goods 607, services 604; deductible VAT 44566, on fixed assets 44562.
SYSCOHADA: purchases of goods 601, services 6057; deductible VAT 4452 on purchases (60x),
4453 on transport (61x), 4454 on external services and other charges (62x-63x…), 4451 on
fixed assets (2x).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance.books import Books
from domain.finance.charts import ChartName
from domain.finance.models import Account
from domain.kit.errors import InvalidInput

PURCHASE_ACCOUNTS = {
    ChartName.PCG: {"goods": "607", "service": "604"},
    ChartName.SYSCOHADA: {"goods": "601", "service": "6057"},
}


def chart_of(books: Books) -> ChartName:
    return ChartName(books.settings.chart)


def default_account(books: Books, product_kind: str | None) -> str:
    """The purchases account of a line: by the product's kind, goods when there is none."""
    return PURCHASE_ACCOUNTS[chart_of(books)][product_kind or "goods"]


def vat_account(books: Books, account: str) -> str:
    """The deductible-VAT account matching the account a line is charged to."""
    if chart_of(books) is ChartName.PCG:
        return "44562" if account.startswith("2") else books.accounts.vat_deductible
    if account.startswith("2"):
        return "4451"
    if account.startswith("60"):
        return "4452"
    if account.startswith("61"):
        return "4453"
    return "4454"


def check_accounts(session: Session, books: Books, numbers: set[str]) -> None:
    """Refuse an account that is not in the chart, a class heading, or neither an expense
    (class 6) nor a fixed asset (class 2)."""
    found = set(
        session.scalars(
            select(Account.number).where(
                Account.tenant_id == books.tenant.id,
                Account.number.in_(numbers),
                Account.is_active,
            )
        )
    )
    for number in sorted(numbers):
        if number not in found:
            raise InvalidInput(
                f"Compte {number} absent du plan comptable de l'entreprise.", field="account"
            )
        if len(number) < 3 or number[0] not in "26":
            raise InvalidInput(
                f"Compte {number} refusé : une facture fournisseur s'impute sur un compte de "
                "charges (classe 6) ou d'immobilisations (classe 2), d'au moins 3 chiffres.",
                field="account",
            )
