"""Fixtures shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from comptoir.bootstrap import Container


@pytest.fixture
def dev_links(container: Container) -> Iterator[None]:
    """Development mode: the API returns the e-mailed links (as `comptoir run` does)."""
    container.settings.dev_links = True
    try:
        yield
    finally:
        container.settings.dev_links = False
