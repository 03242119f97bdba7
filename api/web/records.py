"""Record pages."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.deps import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
