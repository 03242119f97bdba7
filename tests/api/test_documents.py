"""Documents over real HTTP: multipart upload sniffed by content, list, search with pages
and sources, download, re-index, access by role, isolation, bad files, deletion — and the
attacks on uploads: bodies sent before authentication or past the cap, bombs, floods, an
API kept busy by parsing, duplicates that would name a hidden document."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from api.documents import UPLOADS_PER_WINDOW
from comptoir.bootstrap import Container
from domain.kit.principal import Role
from tests.factories import Account, login, make_member, make_tenant
from tests.rag.test_parsing import make_docx, make_docx_bomb, make_pdf, make_pdf_bomb

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
        headers=h,
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


# --- attacks on the upload route ------------------------------------------------------------


def _raw_request(
    live_url: str, head: str, pieces: Iterator[bytes], *, pace: float = 0.1
) -> tuple[int, str, int]:
    """Send a request over a plain socket, its body piece by piece, stopping as soon as the
    server answers. The status, the response's text and how many body bytes were sent."""
    url = urlsplit(live_url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80)) as sock:
        sock.settimeout(10)
        sock.sendall(head.encode())
        sent = 0
        try:
            for piece in pieces:
                if select.select([sock], [], [], pace)[0]:
                    break  # the server has answered: it reads no more
                sock.sendall(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server closed or stopped reading: its answer is waiting
        response = b""
        try:
            while chunk := sock.recv(65536):
                response += chunk
                if b"\r\n\r\n" in response and response.rstrip().endswith(b"}"):
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response.decode("utf-8", "replace"), sent


def _head(path: str, *, length: int | None, token: str | None = None, method: str = "POST") -> str:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: test",
        "Content-Type: multipart/form-data; boundary=b0",
    ]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    return "\r\n".join(lines) + "\r\n\r\n"


def _body(size: int, piece: int = 256 * 1024, *, chunked: bool = False) -> Iterator[bytes]:
    first = b'--b0\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
    yield (b"%x\r\n%s\r\n" % (len(first), first)) if chunked else first
    left = size - len(first)
    while left > 0:
        data = b"a" * min(piece, left)
        left -= len(data)
        yield (b"%x\r\n%s\r\n" % (len(data), data)) if chunked else data


MEGABYTE = 1024 * 1024


class TestBodyBeforeAuthentication:
    """The body of an upload is not read before its sender is known and allowed."""

    def test_anonymous_bad_token_and_forbidden_uploads_are_answered_unread(
        self, container: Container, live_url: str
    ) -> None:
        size = 15 * MEGABYTE  # under the body cap: only authentication can stop it
        employee = make_member(container, make_tenant(container), Role.EMPLOYEE)
        with httpx.Client(base_url=live_url) as client:
            employee_token = login(client, employee)["access_token"]
        for token, expected in ((None, 401), ("nimportequoi", 401), (employee_token, 403)):
            for chunked in (False, True):
                head = _head("/api/v1/documents", length=None if chunked else size, token=token)
                status, text, sent = _raw_request(live_url, head, _body(size, chunked=chunked))
                assert status == expected, text
                # Answered after at most a few pieces: the other 14 Mo were never sent.
                assert sent <= 2 * MEGABYTE, (token, chunked, sent)
                assert '"message":"' in text

    def test_bodies_above_the_cap_get_a_413_while_streaming(
        self, container: Container, live_url: str, http: httpx.Client
    ) -> None:
        token = login(http, make_tenant(container))["access_token"]
        # A declared length over the cap: refused before any of the body is sent.
        head = _head("/api/v1/documents", length=40 * MEGABYTE, token=token)
        status, text, sent = _raw_request(live_url, head, _body(40 * MEGABYTE))
        assert (status, sent) == (413, 0), text
        assert "trop volumineuse" in text
        # No length declared: cut off once the bytes received pass the cap (about 20 Mo).
        head = _head("/api/v1/documents", length=None, token=token)
        pieces = _body(40 * MEGABYTE, MEGABYTE, chunked=True)
        status, text, sent = _raw_request(live_url, head, pieces, pace=0.02)
        assert status == 413, text
        assert "trop volumineuse" in text and "20 Mo" in text
        assert sent < 30 * MEGABYTE
        # Any other route takes small JSON bodies only.
        login_head = (
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        piece = b"%x\r\n%s\r\n" % (256 * 1024, b" " * 256 * 1024)
        status, text, sent = _raw_request(live_url, login_head, iter([piece] * 40))
        assert status == 413 and "trop volumineuse" in text, text
        assert sent < 4 * MEGABYTE


class TestUploadLimits:
    def test_zip_and_pdf_bombs_are_refused_in_french_and_write_nothing(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        h = _auth(http, account)
        for data, name in ((make_docx_bomb(), "bombe.docx"), (make_pdf_bomb(), "bombe.pdf")):
            refused = _upload(http, h, data, name)
            assert refused.status_code == 422, refused.text
            assert "décompressé dépasse" in refused.json()["error"]["message"]
        assert http.get("/api/v1/documents", headers=h).json()["total"] == 0

    def test_uploads_are_rate_limited_per_business(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        h = _auth(http, account)
        for _ in range(UPLOADS_PER_WINDOW):
            assert _upload(http, h, b"\x00\x9f\x92\x96" * 10, "x.bin").status_code == 422
        refused = _upload(http, h, RULES.encode(), "accord.md")
        assert refused.status_code == 429
        assert refused.json()["error"]["message"].startswith("Trop de documents déposés")
        other = _upload(http, _auth(http, make_tenant(container)), RULES.encode(), "accord.md")
        assert other.status_code == 201, other.text


class TestResponsiveDuringUpload:
    def test_health_answers_while_a_20_mb_upload_and_an_indexing_run(
        self, container: Container, live_url: str
    ) -> None:
        account = make_tenant(container)
        with httpx.Client(base_url=live_url, timeout=600) as client:
            h = _auth(client, account)
        line = "Le salarié bénéficie de quatre jours de congé pour son mariage, payés. "
        huge = (line * (20 * MEGABYTE // len(line.encode()))).encode()
        paragraphs = [f"## Article {i}\n\n" + line * 8 for i in range(24)]
        medium = ("# Convention\n\n" + "\n\n".join(paragraphs)).encode()
        for data, expected in ((huge, 422), (medium, 201)):
            status, latencies = _upload_while_polling_health(live_url, h, data)
            assert status == expected
            assert latencies, "the upload ended before /health was asked even once"
            assert max(latencies) < 2.0, latencies


def _upload_while_polling_health(
    live_url: str, h: dict[str, str], data: bytes
) -> tuple[int, list[float]]:
    result: dict[str, int] = {}

    def send() -> None:
        with httpx.Client(base_url=live_url, timeout=600) as client:
            result["status"] = _upload(client, h, data, "convention.md").status_code

    uploading = threading.Thread(target=send)
    uploading.start()
    latencies: list[float] = []
    with httpx.Client(base_url=live_url, timeout=60) as client:
        while uploading.is_alive():
            started = time.monotonic()
            assert client.get("/health").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.2)
    uploading.join()
    return result["status"], latencies


class TestDuplicates:
    def test_a_duplicate_of_a_document_the_uploader_cannot_read_reveals_nothing(
        self, container: Container, http: httpx.Client
    ) -> None:
        account = make_tenant(container)
        hidden = _upload(http, _auth(http, account), RULES.encode(), "accord.md",
                         title="Plan social confidentiel", access_roles="hr").json()  # fmt: skip
        seller = _auth(http, make_member(container, account, Role.SALES))
        mine = _upload(http, seller, RULES.encode(), "accord.md")
        # As for any new file: created, its own id, not a word of the hidden one.
        assert mine.status_code == 201, mine.text
        assert mine.json()["id"] != hidden["id"]
        assert hidden["id"] not in mine.text and "confidentiel" not in mine.text
        elsewhere = _upload(http, _auth(http, make_tenant(container)), RULES.encode(), "a.md")
        assert set(mine.json()) == set(elsewhere.json())
        assert mine.json()["title"] == elsewhere.json()["title"]
        # Someone who may read the hidden copy is told about it.
        hr = _auth(http, make_member(container, account, Role.HR))
        twin = _upload(http, hr, RULES.encode(), "accord.md")
        assert twin.status_code == 409
        assert "déjà été déposé" in twin.json()["error"]["message"]
