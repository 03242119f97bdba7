"""Linking a business to its WhatsApp number (admin API and CLI), and members' phones."""

from __future__ import annotations

import httpx
import pytest
import typer

from comptoir.bootstrap import Container
from comptoir.whatsapp_cli import link_tenant, simulate_turn
from domain.kit.principal import Role
from tests.api.test_auth import bearer
from tests.factories import Account, login, make_member, make_tenant
from tests.whatsapp.conftest import Line, add_member_with_phone, new_number, new_phone

LINKS = "/api/v1/whatsapp/links"


def auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return bearer(login(http, account)["access_token"])


class TestLinkApi:
    def test_an_admin_links_the_number_once(self, http: httpx.Client, container: Container) -> None:
        admin = make_tenant(container)
        h, number = auth(http, admin), new_number()
        created = http.post(LINKS, json={"phone_number_id": number}, headers=h)
        assert created.status_code == 201 and created.json()["phone_number_id"] == number
        again = http.post(LINKS, json={"phone_number_id": number}, headers=h)
        assert again.status_code == 409
        assert [x["phone_number_id"] for x in http.get(LINKS, headers=h).json()] == [number]

    def test_an_employee_cannot_link_and_garbage_is_refused(
        self, http: httpx.Client, container: Container
    ) -> None:
        admin = make_tenant(container)
        employee = make_member(container, admin, Role.EMPLOYEE)
        body = {"phone_number_id": new_number()}
        assert http.post(LINKS, json=body, headers=auth(http, employee)).status_code == 403
        bad = http.post(LINKS, json={"phone_number_id": "abc-123"}, headers=auth(http, admin))
        assert bad.status_code == 422


class TestCli:
    def test_link_by_slug(self, container: Container) -> None:
        admin, number = make_tenant(container), new_number()
        assert number in link_tenant(container, admin.slug, number)
        with pytest.raises(typer.Exit):
            link_tenant(container, admin.slug, number)

    def test_the_simulator_prints_the_reply_and_sends_nothing(
        self, whatsapp_on: Container, line: Line
    ) -> None:
        printed = simulate_turn(
            whatsapp_on, line.admin.slug, line.phone, "crée le client Maison Ba"
        )
        assert len(printed) == 1 and "Maison Ba" in printed[0] and "[Oui]" in printed[0]


class TestPhones:
    def test_a_member_sets_their_own_phone(self, http: httpx.Client, line: Line) -> None:
        phone = new_phone()
        url = f"/api/v1/whatsapp/members/{line.member.user_id}/phone"
        r = http.put(url, json={"phone": phone[4:]}, headers=auth(http, line.member))
        assert r.status_code == 200 and r.json()["phone"] == phone

    def test_an_admin_cannot_change_an_account_shared_with_another_business(
        self, http: httpx.Client, container: Container, line: Line
    ) -> None:
        other = make_tenant(container)
        shared = add_member_with_phone(container, other, new_phone(), Role.EMPLOYEE)
        with container.db.unit_of_work(line.admin.tenant_id) as session:
            from domain.identity import service as identity
            from domain.identity.schemas import MemberCreate

            identity.add_member(
                session,
                line.admin.principal(),
                MemberCreate(
                    email=shared.email,
                    name="x",
                    password="mot-de-passe-solide",
                    roles=[Role.EMPLOYEE],
                ),
                container.passwords,
            )
        url = f"/api/v1/whatsapp/members/{shared.user_id}/phone"
        r = http.put(url, json={"phone": new_phone()}, headers=auth(http, line.admin))
        assert r.status_code == 403 and "autre entreprise" in r.json()["error"]["message"]

    def test_a_phone_another_member_has_is_refused(
        self, http: httpx.Client, container: Container, line: Line
    ) -> None:
        employee = make_member(container, line.admin, Role.EMPLOYEE)
        url = f"/api/v1/whatsapp/members/{employee.user_id}/phone"
        r = http.put(url, json={"phone": line.phone}, headers=auth(http, line.admin))
        assert r.status_code == 409


class TestTemplatesApi:
    def test_an_admin_names_the_approved_templates(
        self, http: httpx.Client, container: Container
    ) -> None:
        admin = make_tenant(container)
        h = auth(http, admin)
        link_id = http.post(LINKS, json={"phone_number_id": new_number()}, headers=h).json()["id"]
        url = f"{LINKS}/{link_id}/templates"
        r = http.put(url, json={"invoice": "facture_envoyee", "notification": "alerte"}, headers=h)
        assert r.status_code == 200
        assert r.json()["templates"] == {
            "invoice": "facture_envoyee",
            "notification": "alerte",
            "language": "fr",
        }
        assert http.put(url, json={"invoice": "Pas Un Nom"}, headers=h).status_code == 422
