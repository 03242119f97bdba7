"""Documents over real HTTP: multipart upload sniffed by content, list, search with pages
and sources, download, re-index, access by role, isolation, bad files, deletion."""

from __future__ import annotations

import httpx

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.factories import Account, login, make_member, make_tenant
from tests.rag.test_parsing import make_docx, make_pdf

RULES = "# Accord congés\n\n## Mariage\n\nQuatre jours de congé sont accordés pour un mariage.\n"


def _auth(http: httpx.Client, account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(http, account)['access_token']}"}


def _upload(
    http: httpx.Client, h: dict[str, str], data: bytes, name: str, **form: object
) -> httpx.Response:
    return http.post(
        "/api/v1/documents",
        files={"file": (name, data)},
        data=form,
        headers=h,  # type: ignore[arg-type]
    )


def test_upload_search_download_replace_delete(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    h = _auth(http, account)
    # A PDF named like a text file is still read as a PDF: the bytes decide.
    created = _upload(http, h, make_pdf(), "notes.txt", title="Contrat de maintenance Froid+")
    assert created.status_code == 201, created.text
    doc = created.json()
    assert (doc["kind"], doc["pages"], doc["version"]) == ("pdf", 3, 1)
    assert doc["chunks"] >= 3
    found = http.post(
        "/api/v1/documents/search",
        json={"question": "quel préavis pour résilier ?"},
        headers=h,
    ).json()
    best = found[0]
    assert best["document_id"] == doc["id"] and best["page"] == 3
    assert "préavis de trois mois" in best["text"]
    assert best["source"].startswith("Contrat de maintenance Froid+, p. 3")
    listed = http.get("/api/v1/documents", params={"search": "froid"}, headers=h).json()
    assert [d["id"] for d in listed["items"]] == [doc["id"]] and listed["total"] == 1
    file = http.get(f"/api/v1/documents/{doc['id']}/file", headers=h)
    assert file.headers["content-type"] == "application/pdf"
    assert file.content.startswith(b"%PDF")
    replaced = http.put(
        f"/api/v1/documents/{doc['id']}/file", files={"file": ("v2.docx", make_docx())}, headers=h
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["kind"], replaced.json()["version"]) == ("docx", 2)
    assert http.delete(f"/api/v1/documents/{doc['id']}", headers=h).status_code == 204
    assert http.get(f"/api/v1/documents/{doc['id']}", headers=h).status_code == 404
    assert (
        http.post("/api/v1/documents/search", json={"question": "préavis"}, headers=h).json() == []
    )


def test_roles_tenants_and_bad_files(container: Container, http: httpx.Client) -> None:
    account = make_tenant(container)
    h = _auth(http, account)
    hr_doc = _upload(http, h, RULES.encode(), "accord.md", access_roles="hr").json()
    assert hr_doc["access_roles"] == ["hr"]
    seller = make_member(container, account, Role.SALES)
    hs = _auth(http, seller)
    assert http.get(f"/api/v1/documents/{hr_doc['id']}", headers=hs).status_code == 404
    assert http.get("/api/v1/documents", headers=hs).json()["total"] == 0
    asked = http.post("/api/v1/documents/search", json={"question": "congé mariage"}, headers=hs)
    assert asked.json() == []
    hr = make_member(container, account, Role.HR)
    seen = http.post(
        "/api/v1/documents/search", json={"question": "congé mariage"}, headers=_auth(http, hr)
    ).json()
    assert seen[0]["document_id"] == hr_doc["id"]
    other = make_tenant(container)
    ho = _auth(http, other)
    assert http.get(f"/api/v1/documents/{hr_doc['id']}", headers=ho).status_code == 404
    assert http.delete(f"/api/v1/documents/{hr_doc['id']}", headers=ho).status_code == 404
    # A seller cannot delete what they may not even see; an unreadable file writes nothing.
    assert http.delete(f"/api/v1/documents/{hr_doc['id']}", headers=hs).status_code == 404
    bad = _upload(http, h, b"\x00\x9f\x92\x96" * 100, "scan.pdf")
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("Format de fichier non pris en charge")
    too_big = _upload(http, h, b"a" * (20 * 1024 * 1024 + 1), "big.txt")
    assert too_big.status_code == 422
    assert "trop volumineux" in too_big.json()["error"]["message"]
    assert http.get("/api/v1/documents", headers=h).json()["total"] == 1
