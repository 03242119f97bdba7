from __future__ import annotations

from dataclasses import fields

import pytest

from domain.finance.charts import (
    ACCOUNT_KINDS,
    AccountTemplate,
    ChartName,
    chart_for_country,
    load_chart,
    posting_accounts,
)
from domain.kit.errors import InvalidInput

# Accounts the posting rules name besides PostingAccounts (rounding, transfers, purchases).
REQUIRED = {
    ChartName.PCG: {
        "411", "4191", "401", "44571", "44566", "4457", "706", "707", "701", "709",
        "512", "53", "531", "5112", "58", "627", "658", "758", "665", "607", "6037",
    },
    ChartName.SYSCOHADA: {
        "411", "4191", "401", "4431", "4432", "4452", "701", "702", "706", "521",
        "571", "5711", "585", "55", "552", "513", "601", "631", "673", "6031",
    },
}  # fmt: skip

# Kinds a class (first digit) allows; SYSCOHADA class 8 is split by sub-class below.
CLASS_KINDS = {
    "1": {"equity", "liability"},
    "2": {"asset"},
    "3": {"asset"},
    "4": {"asset", "liability"},
    "5": {"asset"},
    "6": {"expense"},
    "7": {"income"},
}
HAO_KINDS = {"81": "expense", "83": "expense", "85": "expense", "87": "expense", "89": "expense",
             "82": "income", "84": "income", "86": "income", "88": "income"}  # fmt: skip


def _numbers(name: ChartName) -> set[str]:
    return {account.number for account in load_chart(name)}


@pytest.mark.parametrize("name", list(ChartName))
class TestChart:
    def test_loads_a_useful_number_of_accounts(self, name: ChartName) -> None:
        chart = load_chart(name)
        assert 150 <= len(chart) <= 400
        assert all(isinstance(account, AccountTemplate) for account in chart)

    def test_numbers_are_unique_digits(self, name: ChartName) -> None:
        numbers = [account.number for account in load_chart(name)]
        assert len(numbers) == len(set(numbers))
        assert all(number.isdigit() for number in numbers)

    def test_labels_are_french_and_trimmed(self, name: ChartName) -> None:
        for account in load_chart(name):
            assert account.label and account.label == account.label.strip(), account
        labels = " ".join(account.label for account in load_chart(name))
        assert "é" in labels and "Clients" in labels and "Fournisseurs" in labels

    def test_fits_the_accounts_table(self, name: ChartName) -> None:
        # accounts.number is String(12) and accounts.label String(200).
        assert all(len(a.number) <= 12 and len(a.label) <= 200 for a in load_chart(name))

    def test_kinds_are_valid(self, name: ChartName) -> None:
        assert {account.kind for account in load_chart(name)} <= ACCOUNT_KINDS

    def test_every_class_has_a_heading(self, name: ChartName) -> None:
        expected = {"1", "2", "3", "4", "5", "6", "7"}
        if name is ChartName.SYSCOHADA:
            expected.add("8")
        numbers = _numbers(name)
        assert expected <= numbers
        assert {number[0] for number in numbers} == expected

    def test_kind_matches_class(self, name: ChartName) -> None:
        for account in load_chart(name):
            if account.number[0] == "8":
                if len(account.number) > 1:
                    assert account.kind == HAO_KINDS[account.number[:2]], account
                continue
            assert account.kind in CLASS_KINDS[account.number[0]], account

    def test_every_parent_is_in_the_chart(self, name: ChartName) -> None:
        numbers = _numbers(name)
        orphans = [n for n in numbers if len(n) > 1 and n[:-1] not in numbers]
        assert orphans == []

    def test_parents_come_before_children(self, name: ChartName) -> None:
        seen: set[str] = set()
        for account in load_chart(name):
            assert len(account.number) == 1 or account.number[:-1] in seen, account
            seen.add(account.number)

    def test_required_accounts_exist(self, name: ChartName) -> None:
        assert REQUIRED[name] - _numbers(name) == set()

    def test_posting_accounts_exist(self, name: ChartName) -> None:
        accounts = posting_accounts(name)
        numbers = _numbers(name)
        for field in fields(accounts):
            assert getattr(accounts, field.name) in numbers, field.name

    def test_load_returns_a_fresh_list(self, name: ChartName) -> None:
        load_chart(name).clear()
        assert load_chart(name)


class TestPostingAccounts:
    def test_pcg(self) -> None:
        accounts = posting_accounts(ChartName.PCG)
        assert (accounts.receivable, accounts.vat_collected, accounts.vat_deductible) == (
            "411",
            "44571",
            "44566",
        )
        assert accounts.bank == accounts.mobile_money == "512"

    def test_syscohada(self) -> None:
        accounts = posting_accounts(ChartName.SYSCOHADA)
        assert (accounts.vat_collected, accounts.vat_collected_services) == ("4431", "4432")
        assert (accounts.bank, accounts.cash, accounts.mobile_money) == ("521", "5711", "552")

    def test_account_kinds_fit_their_use(self) -> None:
        for name in ChartName:
            by_number = {account.number: account.kind for account in load_chart(name)}
            accounts = posting_accounts(name)
            assert by_number[accounts.receivable] == "asset"
            assert by_number[accounts.customer_advances] == "liability"
            assert by_number[accounts.payable] == "liability"
            assert by_number[accounts.vat_collected] == "liability"
            assert by_number[accounts.vat_deductible] == "asset"
            assert by_number[accounts.sales_goods] == "income"
            assert by_number[accounts.bank_fees] == "expense"


class TestChartForCountry:
    def test_france_keeps_the_pcg(self) -> None:
        assert chart_for_country("FR") is ChartName.PCG

    @pytest.mark.parametrize("country", ["SN", "sn", " CI ", "CM", "CD", "GN", "KM", "GQ"])
    def test_ohada_states_keep_syscohada(self, country: str) -> None:
        assert chart_for_country(country) is ChartName.SYSCOHADA

    @pytest.mark.parametrize("country", ["BE", "MA", "", "XX"])
    def test_other_countries_are_refused(self, country: str) -> None:
        with pytest.raises(InvalidInput, match="plan comptable"):
            chart_for_country(country)
