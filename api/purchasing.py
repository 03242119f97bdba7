"""REST routes for purchasing and reorder (filled in by the purchasing work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
