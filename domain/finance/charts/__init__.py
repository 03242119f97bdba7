"""Chart-of-accounts templates a new business starts from, and the accounts automatic
postings (invoices, payments, bank fees) use in each chart.

Two charts ship as package data (``number;label;kind`` CSV, UTF-8):

- ``pcg.csv``: French Plan comptable général, règlement ANC n° 2014-03 as amended by
  règlement ANC n° 2022-06 (exercises opened from 1 January 2025: 658 « Pénalités et
  autres charges », 758 « Indemnités et autres produits », no more 79 « Transferts de
  charges »);
- ``syscohada.csv``: SYSCOHADA révisé (Acte uniforme relatif au droit comptable et à
  l'information financière, 26 January 2017, in force since 1 January 2018), used by the
  17 OHADA member states.

Each chart holds the class headings, the 2- and 3-digit accounts a small business uses and
the sub-accounts automatic posting needs, and every account's parent (its number minus the
last digit) is in the chart too, so a tree can be built without gaps.

``kind`` is the side of the balance sheet or income statement the account belongs to:
contra accounts (depreciation 28/29/39/49/59, 109, 119, 129, 609, 709) keep the kind of
the class they sit in. Class 4 holds both: customers and VAT to recover are assets,
suppliers, customer advances and VAT collected are liabilities. Headings that cover both
sides (class 4, SYSCOHADA class 8) carry the kind of their first sub-class; nothing is
ever posted to a heading.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from domain.kit.errors import InvalidInput

ACCOUNT_KINDS = frozenset({"asset", "liability", "equity", "income", "expense"})


@dataclass(frozen=True, slots=True)
class AccountTemplate:
    number: str
    label: str
    kind: str  # one of ACCOUNT_KINDS


class ChartName(StrEnum):
    PCG = "pcg"
    SYSCOHADA = "syscohada"


# OHADA member states (ISO 3166-1 alpha-2): the 8 WAEMU/UEMOA states, the 6 CEMAC states,
# Comoros, DR Congo and Guinea.
OHADA_COUNTRIES = frozenset(
    {
        "BJ", "BF", "CI", "GW", "ML", "NE", "SN", "TG",
        "CM", "CF", "CG", "GA", "GQ", "TD",
        "KM", "CD", "GN",
    }
)  # fmt: skip


def chart_for_country(country: str) -> ChartName:
    """The chart a business registered in ``country`` (ISO alpha-2) must keep."""
    code = country.strip().upper()
    if code == "FR":
        return ChartName.PCG
    if code in OHADA_COUNTRIES:
        return ChartName.SYSCOHADA
    raise InvalidInput(
        f"Aucun plan comptable n'est disponible pour le pays « {country} ».", country=country
    )


@cache
def _load(name: ChartName) -> tuple[AccountTemplate, ...]:
    text = resources.files(__name__).joinpath(f"{name.value}.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text), delimiter=";")
    return tuple(
        AccountTemplate(number=row["number"], label=row["label"], kind=row["kind"]) for row in rows
    )


def load_chart(name: ChartName) -> list[AccountTemplate]:
    """The chart's accounts in file order (by class, parents before children).

    The file is parsed once per process; each call returns a fresh list so a caller
    sorting or filtering it cannot change what the next caller sees.
    """
    return list(_load(name))


@dataclass(frozen=True, slots=True)
class PostingAccounts:
    """Accounts automatic postings use. Each one exists in its chart."""

    receivable: str
    customer_advances: str
    payable: str
    vat_collected: str  # VAT on sales of goods (and on every sale in the PCG)
    vat_deductible: str
    sales_goods: str
    sales_services: str
    bank: str
    cash: str
    cheques: str  # cheques received, not yet credited by the bank
    mobile_money: str
    bank_fees: str
    discounts_granted: str  # cash discount for early payment (escompte), a financial charge
    vat_collected_services: str  # SYSCOHADA splits VAT on services (4432) from goods (4431)


_POSTING_ACCOUNTS = {
    ChartName.PCG: PostingAccounts(
        receivable="411",
        customer_advances="4191",
        payable="401",
        vat_collected="44571",
        vat_deductible="44566",
        sales_goods="707",
        sales_services="706",
        bank="512",
        cash="531",
        cheques="5112",
        # France has no dedicated account: e-money wallets are held with payment or
        # e-money institutions and follow the bank account (an operator sub-account of
        # 512 when the business wants one).
        mobile_money="512",
        bank_fees="627",
        discounts_granted="665",
        vat_collected_services="44571",
    ),
    ChartName.SYSCOHADA: PostingAccounts(
        receivable="411",
        customer_advances="4191",
        payable="401",
        vat_collected="4431",
        vat_deductible="4452",
        sales_goods="701",
        sales_services="706",
        bank="521",
        cash="5711",
        cheques="513",
        # 55 « Instruments de monnaie électronique », 552 « Monnaie électronique
        # téléphone portable »: Wave, Orange Money, Free Money… (one sub-account 552x
        # per operator when the business wants to reconcile them separately).
        mobile_money="552",
        bank_fees="631",
        discounts_granted="673",
        vat_collected_services="4432",
    ),
}


def posting_accounts(name: ChartName) -> PostingAccounts:
    return _POSTING_ACCOUNTS[name]
