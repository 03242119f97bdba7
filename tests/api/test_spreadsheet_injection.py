"""Formula injection through the exports, attacked over real HTTP: names a user can type
that a spreadsheet would run (``=HYPERLINK(…)``, ``+1+1``, ``@SUM(1)``, ``-2+3``, a
leading tab) must come out of every CSV and XLSX export as text, while amounts stay
numbers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import httpx
import openpyxl

from comptoir.bootstrap import Container
from tests.factories import login, make_tenant
from tests.finance_factories import make_shop

PAYLOADS = ('=HYPERLINK("http://x","clic")', "+1+1", "@SUM(1)", "-2+3", "\t=1")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def _auth(http: httpx.Client, account: object) -> dict[str, str]:
    token = login(http, account)["access_token"]  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def _dangerous(text: str) -> bool:
    """What Excel or LibreOffice would read as a formula (or a number, which is harmless)."""
    if _NUMBER.fullmatch(text):
        return False
    starts = set("=+-@\t\r\n")
    return text[:1] in starts or text.lstrip(" \u00a0\u202f")[:1] in starts


def _csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _assert_csv_safe(content: bytes) -> list[list[str]]:
    rows = _csv_cells(content)
    unsafe = [cell for row in rows for cell in row if _dangerous(cell)]
    assert unsafe == []
    return rows


def _assert_xlsx_safe(content: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), data_only=False).active
    assert sheet is not None
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert [t for t in texts if _dangerous(t)] == []
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _escaped(stored: str) -> str:
    return "'" + stored


class TestInvoiceExports:
    def test_customer_and_line_payloads_come_out_as_text(
        self, container: Container, http: httpx.Client
    ) -> None:
        shop = make_shop(container)
        h = _auth(http, shop.account)
        stored: list[str] = []
        for payload in PAYLOADS:
            partner = http.post("/api/v1/partners", json={"name": "Client"}, headers=h)
            assert partner.status_code == 201, partner.text
            renamed = http.patch(
                f"/api/v1/partners/{partner.json()['id']}", json={"name": payload}, headers=h
            )
            assert renamed.status_code == 200, renamed.text
            stored.append(renamed.json()["name"])
            line = {"description": payload, "quantity": "1", "unit_price": "5", "vat_rate": "20"}
            product = {"product_id": str(shop.goods_id), "quantity": "2"}
            invoice = http.post(
                "/api/v1/invoices",
                json={"partner_id": partner.json()["id"], "lines": [product, line]},
                headers=h,
            )
            assert invoice.status_code == 201, invoice.text
            posted = http.post(f"/api/v1/invoices/{invoice.json()['id']}/post", headers=h)
            assert posted.status_code == 200, posted.text
        assert any(_dangerous(name) for name in stored)  # the attack reached the database
        period = {"start": "2000-01-01", "end": "2100-12-31"}

        as_csv = http.get("/api/v1/exports/invoices", params={**period, "format": "csv"}, headers=h)
        assert as_csv.status_code == 200, as_csv.text
        rows = _assert_csv_safe(as_csv.content)
        customers = [row[5] for row in rows[1:]]
        assert sorted(customers) == sorted(_escaped(n) if _dangerous(n) else n for n in stored)
        # 2 × 12.50 + 5 = 30.00 net: amounts stay plain numbers the spreadsheet adds up.
        assert {row[8] for row in rows[1:]} == {"30,00"}

        as_xlsx = http.get(
            "/api/v1/exports/invoices", params={**period, "format": "xlsx"}, headers=h
        )
        assert as_xlsx.status_code == 200
        cells = _assert_xlsx_safe(as_xlsx.content)
        data = [row for row in cells[1:] if isinstance(row[0], str) and row[0].startswith("F-")]
        assert sorted(str(row[5]) for row in data) == sorted(customers)
        assert all(isinstance(row[8], int | float | Decimal) for row in data)
        assert {Decimal(str(row[8])) for row in data} == {Decimal(30)}

        # The FEC is the tax administration's tab-separated text, not a spreadsheet: its
        # labels must be the books' own, so the customer's name is kept as recorded.
        year = rows[1][3][-4:]
        fec = http.get("/api/v1/exports/fec", params={"year": year}, headers=h)
        assert fec.status_code == 200, fec.text
        aux_labels = {r.split("\t")[7] for r in fec.content.decode("iso-8859-15").splitlines()}
        assert '=HYPERLINK("http://x","clic")' in aux_labels


class TestPayrollExport:
    def test_employee_department_and_leave_names_come_out_as_text(
        self, container: Container, http: httpx.Client
    ) -> None:
        admin = make_tenant(container)
        h = _auth(http, admin)
        department = http.post("/api/v1/hr/departments", json={"name": "@SUM(1)"}, headers=h)
        assert department.status_code == 201, department.text
        leave = http.post(
            "/api/v1/hr/leave-types", json={"code": "piege", "name": "=1+1"}, headers=h
        )
        assert leave.status_code == 201, leave.text
        names = []
        for payload in PAYLOADS:
            employee = http.post(
                "/api/v1/hr/employees",
                json={
                    "name": payload,
                    "department_id": department.json()["id"],
                    "hire_date": "2025-01-06",
                },
                headers=h,
            )
            assert employee.status_code == 201, employee.text
            names.append(employee.json()["name"])
        assert any(_dangerous(name) for name in names)
        month = {"month": "2026-03"}

        as_csv = http.get("/api/v1/hr/payroll-export", params={**month, "format": "csv"}, headers=h)
        assert as_csv.status_code == 200, as_csv.text
        rows = _assert_csv_safe(as_csv.content)
        assert "'=1+1" in rows[0]  # a leave type names a column
        assert sorted(row[1] for row in rows[1:]) == sorted(
            _escaped(n) if _dangerous(n) else n for n in names
        )
        assert {row[2] for row in rows[1:]} == {"'@SUM(1)"}

        as_xlsx = http.get(
            "/api/v1/hr/payroll-export", params={**month, "format": "xlsx"}, headers=h
        )
        assert as_xlsx.status_code == 200
        cells = _assert_xlsx_safe(as_xlsx.content)
        assert "'=1+1" in cells[0]
        assert {row[2] for row in cells[1:]} == {"'@SUM(1)"}
        assert all(isinstance(row[3], int) for row in cells[1:])  # worked days stay numbers
