"""Read back what a generated PDF declares (pypdf objects, loosely typed on purpose)."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader


def catalog(pdf: bytes) -> Any:
    return PdfReader(io.BytesIO(pdf)).root_object


def fonts(pdf: bytes) -> dict[str, Any]:
    """Every font the pages use: base name → font dictionary."""
    found: dict[str, Any] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def unembedded_fonts(pdf: bytes) -> list[str]:
    return [
        name
        for name, font in fonts(pdf).items()
        if "/FontFile2" not in font.get("/FontDescriptor", {})
    ]
