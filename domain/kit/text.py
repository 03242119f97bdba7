"""Comparing what people write: the same words, whatever their case, accents, spacing or
typographic apostrophes."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no accents, ’ as ', single spaces: « L’Épicerie  Ndiaye » → "l'epicerie
    ndiaye". NFKD also turns « m² » into "m2"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
