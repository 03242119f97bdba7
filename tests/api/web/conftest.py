"""Browser fixtures: Debian's chromium driven by Playwright, one browser per module, a
fresh context (cookies, service worker, cache) per test. pip's Playwright cannot download
its own browsers here, so the system executable is used; when it is missing the tests
fail — never skip — with how to install it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    sync_playwright,
)

from comptoir.bootstrap import Container

CHROMIUM = Path(os.environ.get("COMPTOIR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = (
    f"Chromium introuvable ({CHROMIUM}) : installez-le avec « sudo apt-get install -y chromium » "
    "(ou `make test`, qui le fait). / Chromium not found: install it with "
    "'sudo apt-get install -y chromium' (or run `make test`, which does), or point "
    "COMPTOIR_CHROMIUM at another Chromium executable."
)
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "test" / "screenshots"


@pytest.fixture(scope="module", autouse=True)
def agent_ready(container: Container) -> None:
    """Build the agent before the first chat call (embedding the exemplars may take long)."""
    assert container.agent is not None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Console:
    """What the page said on its console: CSP violations and script errors fail a test."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def listen(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(message.text)
        elif message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)  # a 4xx answer is logged too; it is tested


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live_url, viewport=PHONE, locale="fr-FR")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext, console: Console) -> Page:
    opened = context.new_page()
    opened.on("console", console.listen)
    opened.on("pageerror", lambda error: console.problems.append(str(error)))
    return opened


def screenshot(page: Page, name: str) -> Path:
    """Keep a screenshot as a test artefact (var/test/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
