"""`comptoir run` (what `make run` starts), end to end: embedded servers, migrations, demo
seed, API, worker and beat; Ctrl-C stops them all; a second run reuses the data."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from comptoir.demo import DEMO_PASSWORD
from tests.conftest import free_port

COMPTOIR = Path(sys.executable).parent / "comptoir"


def start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "APP_DATABASE_URL", "REDIS_URL")
    }
    env.update(COMPTOIR_HOME=str(home), COMPTOIR_PORT=str(port))
    return subprocess.Popen(
        [str(COMPTOIR), "run"],
        env=env,
        start_new_session=True,
        stdout=open(home / "run.log", "ab"),
        stderr=subprocess.STDOUT,
    )


def wait_healthy(url: str, proc: subprocess.Popen[bytes], home: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, (home / "run.log").read_text()
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail("no healthy /health within 180 s:\n" + (home / "run.log").read_text())


def wait_logged(home: Path, text: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while text not in (home / "run.log").read_text():
        assert proc.poll() is None and time.monotonic() < deadline, (home / "run.log").read_text()
        time.sleep(0.5)


def ctrl_c(proc: subprocess.Popen[bytes]) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    return proc.wait(timeout=90)


def demo_user_id(url: str) -> str:
    pair = httpx.post(
        f"{url}/api/v1/auth/login",
        json={"email": "fatou@sahel-distribution.sn", "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert pair.status_code == 200, pair.text
    me = httpx.get(
        f"{url}/api/v1/auth/me",
        timeout=30,
        headers={"Authorization": f"Bearer {pair.json()['access_token']}"},
    )
    assert me.json()["tenant"]["currency"] == "XOF"
    return str(me.json()["user_id"])


class TestRunCommand:
    def test_starts_serves_stops_and_restarts_on_the_same_data(self, tmp_path: Path) -> None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start(tmp_path, port)
        try:
            wait_healthy(url, proc, tmp_path)
            first = demo_user_id(url)
            schema = httpx.get(f"{url}/openapi.json", timeout=60).json()
            assert "/api/v1/auth/login" in schema["paths"]
            # The web app is served by the same process: its address leads to « Connexion ».
            page = httpx.get(f"{url}/", follow_redirects=True, timeout=30)
            assert page.url.path == "/connexion" and "Se connecter" in page.text
            # Beat's database scheduler gave the demo businesses their automations.
            wait_logged(tmp_path, "automations: {'installed': ", proc)
        finally:
            code = ctrl_c(proc)
        log = (tmp_path / "run.log").read_text()
        assert code == 0, log
        assert "Comptoir est arrêté." in log
        assert "fatou@sahel-distribution.sn" in log
        assert f"Application web : {url}/" in log
        with pytest.raises(ProcessLookupError):
            os.killpg(proc.pid, 0)  # nothing left of what it started
        assert not (tmp_path / "pg" / "postmaster.pid").exists()
        password_file = tmp_path / "app-db.password"
        password = password_file.read_text()
        assert password.strip() not in ("", "comptoir_app")  # not the old shared constant
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600

        proc = start(tmp_path, port)
        try:
            wait_healthy(url, proc, tmp_path)
            assert demo_user_id(url) == first  # the app role still logs in after a restart…
        finally:
            assert ctrl_c(proc) == 0
        assert password_file.read_text() == password  # …with the same kept password

    def test_refuses_an_external_server_without_the_app_password(self, tmp_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_APP_DB")}
        env.update(
            COMPTOIR_HOME=str(tmp_path),
            DATABASE_URL="postgresql://comptoir@db.invalid:5432/comptoir",
        )
        env.pop("APP_DATABASE_URL", None)
        done = subprocess.run(
            [str(COMPTOIR), "run"], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, done.stderr
        assert "COMPTOIR_APP_DB_PASSWORD est obligatoire" in done.stderr
        assert "Traceback" not in done.stderr
