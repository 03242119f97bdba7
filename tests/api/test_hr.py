"""HR over real HTTP: staff, contracts, leave from request to approval, attendance, the
payroll file, French typed errors, who may do what, and tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import openpyxl
import pytest

from comptoir.bootstrap import Container
from domain.kit.clock import ManualClock
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.factories import Account, login, make_member, make_tenant

# Monday 16 March 2026, 09:20 in Paris (UTC+1): a late check-in with the default schedule.
NOW = datetime(2026, 3, 16, 8, 20, tzinfo=UTC)


@pytest.fixture
def frozen(container: Container, monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The routes read ``c.clock``: freeze it (authentication keeps its own clock)."""
    _ = container.authentication  # built on the real clock before the swap
    clock = ManualClock(NOW)
    monkeypatch.setattr(container, "clock", clock)
    return clock


def auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return bearer(login(http, account)["access_token"])


def created(response: httpx.Response) -> dict:  # type: ignore[type-arg]
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def post(http: httpx.Client, path: str, body: dict, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    return created(http.post(f"/api/v1/hr/{path}", json=body, headers=headers))


def _team(http: httpx.Client, h: dict[str, str], boss: Account, worker: Account) -> dict:  # type: ignore[type-arg]
    """A department, a manager and their report (with a CDD and 10 days of paid leave)."""
    sales = post(http, "departments", {"name": "Ventes"}, h)
    manager = post(http, "employees", {"name": "Claire Martin", "user_id": str(boss.user_id)}, h)
    employee = post(
        http,
        "employees",
        {
            "name": "Léa Moreau",
            "job_title": "Vendeuse",
            "department_id": sales["id"],
            "manager_id": manager["id"],
            "user_id": str(worker.user_id),
            "whatsapp": "06 12 34 56 78",
            "hire_date": "2024-09-02",
        },
        h,
    )
    contract = {
        "employee_id": employee["id"],
        "kind": "cdd",
        "start_date": "2025-09-01",
        "end_date": "2026-04-30",
        "salary": "2100",
    }
    employee["contract"] = post(http, "contracts", contract, h)
    opening = {"leave_type": "cp", "days": "10", "kind": "opening"}
    post(http, f"employees/{employee['id']}/leave-movements", opening, h)
    return employee


def test_staff_and_contracts(container: Container, http: httpx.Client, frozen: ManualClock) -> None:
    admin = make_tenant(container)
    h = auth(http, admin)
    employee = _team(
        http, h, make_member(container, admin, Role.MANAGER), make_member(container, admin)
    )
    assert employee["whatsapp"] == "+33612345678"
    assert (employee["department"], employee["manager"]) == ("Ventes", "Claire Martin")
    contract = employee["contract"]
    assert contract["salary"] == "2100.00" and contract["currency"] == "EUR"
    assert contract["weekly_hours"] == "35"
    expiring = http.get("/api/v1/hr/contracts/expiring", headers=h).json()
    assert [(c["employee"], c["days_left"]) for c in expiring] == [("Léa Moreau", 45)]
    found = http.get("/api/v1/hr/employees", params={"q": "lea moreau"}, headers=h).json()
    assert found["matches"][0]["id"] == employee["id"]


def test_leave_from_request_to_approval(
    container: Container, http: httpx.Client, frozen: ManualClock
) -> None:
    admin = make_tenant(container)
    boss, worker = make_member(container, admin, Role.MANAGER), make_member(container, admin)
    _team(http, auth(http, admin), boss, worker)
    hw = auth(http, worker)
    request = created(
        http.post(
            "/api/v1/hr/leave-requests",
            json={"start_date": "2026-03-23", "end_date": "2026-03-24", "ends_morning": True},
            headers=hw,
        )
    )
    assert (request["days"], request["status"], request["leave_type"]) == ("1.5", "pending", "cp")
    refused = http.post(f"/api/v1/hr/leave-requests/{request['id']}/approve", headers=hw)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"

    hb = auth(http, boss)
    approved = http.post(f"/api/v1/hr/leave-requests/{request['id']}/approve", headers=hb)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    balances = http.get("/api/v1/hr/leave-balances", headers=hw).json()
    assert next(b for b in balances if b["leave_type"] == "cp")["balance"] == "8.5"
    absent = http.get(
        "/api/v1/hr/absences", params={"start": "2026-03-23", "end": "2026-03-27"}, headers=hb
    ).json()
    assert [(a["employee"], a["days"]) for a in absent] == [("Léa Moreau", "1.5")]
    mine = http.get("/api/v1/hr/employees", headers=hw).json()
    assert [e["name"] for e in mine["items"]] == ["Léa Moreau"]


def test_attendance_and_payroll_file(
    container: Container, http: httpx.Client, frozen: ManualClock
) -> None:
    admin = make_tenant(container)
    worker = make_member(container, admin)
    h = auth(http, admin)
    created(
        http.post(
            "/api/v1/hr/employees",
            json={"name": "Paul Girard", "user_id": str(worker.user_id), "hire_date": "2025-01-06"},
            headers=h,
        )
    )
    hw = auth(http, worker)
    arrival = created(http.post("/api/v1/hr/attendance/check-in", json={}, headers=hw))
    assert arrival["late_minutes"] == 20 and arrival["hours"] is None
    again = http.post("/api/v1/hr/attendance/check-in", json={"source": "kiosk"}, headers=hw)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_checked_in"
    frozen.advance(datetime(2026, 3, 16, 17, 5, tzinfo=UTC) - NOW)
    departure = http.post(
        "/api/v1/hr/attendance/check-out", json={"source": "whatsapp"}, headers=hw
    )
    assert departure.status_code == 200 and departure.json()["hours"] == "8.75"
    report = http.get(
        "/api/v1/hr/attendance/report",
        params={"start": "2026-03-16", "end": "2026-03-22"},
        headers=hw,
    ).json()
    (mine,) = report["employees"]
    assert (mine["late_arrivals"], mine["weekly_hours"]) == (1, {"2026-W12": "8.75"})
    as_csv = http.get(
        "/api/v1/hr/payroll-export", params={"month": "2026-03", "format": "csv"}, headers=h
    )
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert 'filename="paie-2026-03.csv"' in as_csv.headers["content-disposition"]
    assert rows[1][1:5] == ["Paul Girard", "", "1", "8,75"] and rows[1][-2:] == ["1", "0"]
    as_xlsx = http.get(
        "/api/v1/hr/payroll-export", params={"month": "2026-03", "format": "xlsx"}, headers=h
    )
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.cell(2, 2).value == "Paul Girard"
    forbidden = http.get("/api/v1/hr/payroll-export", params={"month": "2026-03"}, headers=hw)
    assert forbidden.status_code == 403
    schedule = http.patch(
        "/api/v1/hr/work-schedule", json={"start_time": "08:30", "grace_minutes": 5}, headers=h
    ).json()
    assert (schedule["start_time"], schedule["daily_hours"]) == ("08:30:00", "7")


def test_errors_are_french_and_typed(container: Container, http: httpx.Client) -> None:
    admin = make_tenant(container, country="SN")
    h = auth(http, admin)
    employee = created(http.post("/api/v1/hr/employees", json={"name": "Awa Ndiaye"}, headers=h))
    backwards = http.post(
        "/api/v1/hr/leave-requests",
        json={"employee_id": employee["id"], "start_date": "2026-03-24", "end_date": "2026-03-23"},
        headers=h,
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "invalid_leave_period"
    assert "précède" in backwards.json()["error"]["message"]
    cdd = http.post(
        "/api/v1/hr/contracts",
        json={
            "employee_id": employee["id"],
            "kind": "cdd",
            "start_date": "2026-01-01",
            "salary": "150000",
        },
        headers=h,
    )
    assert cdd.status_code == 422 and cdd.json()["error"]["code"] == "invalid_contract"
    month = http.get("/api/v1/hr/payroll-export", params={"month": "2026-13"}, headers=h)
    assert month.status_code == 422 and "AAAA-MM" in month.json()["error"]["message"]
    kind = http.post(
        "/api/v1/hr/leave-requests",
        json={
            "employee_id": employee["id"],
            "leave_type": "vacances",
            "start_date": "2026-03-23",
            "end_date": "2026-03-23",
        },
        headers=h,
    )
    assert kind.status_code == 404 and "Congé annuel" in kind.json()["error"]["message"]
    over = http.post(
        "/api/v1/hr/leave-requests",
        json={"employee_id": employee["id"], "start_date": "2026-03-23", "end_date": "2026-03-24"},
        headers=h,
    )
    assert over.status_code == 409 and over.json()["error"]["code"] == "insufficient_leave_balance"
    missing = http.post("/api/v1/hr/employees", json={}, headers=h)
    assert missing.status_code == 422 and "champ obligatoire" in missing.json()["error"]["message"]
    found = http.get("/api/v1/hr/employees", params={"q": "awa ndiaye"}, headers=h).json()
    assert found["matches"][0]["id"] == employee["id"]


def test_roles_and_tenant_isolation(container: Container, http: httpx.Client) -> None:
    admin, other = make_tenant(container), make_tenant(container)
    worker = make_member(container, admin)
    theirs = created(
        http.post("/api/v1/hr/employees", json={"name": "Autre"}, headers=auth(http, other))
    )
    h, hw = auth(http, admin), auth(http, worker)
    assert http.get(f"/api/v1/hr/employees/{theirs['id']}", headers=h).status_code == 404
    # Not 403 for an employee either: another business's record does not exist here.
    assert http.get(f"/api/v1/hr/employees/{theirs['id']}", headers=hw).status_code == 404
    denied = http.post("/api/v1/hr/employees", json={"name": "Moi"}, headers=hw)
    assert denied.status_code == 403 and "droits" in denied.json()["error"]["message"]
    unlinked = http.post(
        "/api/v1/hr/leave-requests",
        json={"start_date": "2026-03-23", "end_date": "2026-03-23"},
        headers=hw,
    )
    assert unlinked.json()["error"]["code"] == "no_linked_employee"
    assert http.get("/api/v1/hr/employees", headers=hw).json()["items"] == []
    types = http.get("/api/v1/hr/leave-types", headers=hw).json()
    assert {t["code"] for t in types} >= {"cp", "rtt"}
