"""What makes the web app installable and readable offline: the manifest, the service
worker (served from the root so its scope is the whole app) and the offline page.

The service worker keeps the app shell (styles, scripts, icons, offline page) under a
cache named after the assets' version, and a copy of each page last seen (dashboard,
lists…), served only when the network fails; the page then shows « Hors ligne — données
du … » and disables its actions. Logging out empties the page cache.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from api.web.deps import STATIC, PageRoute, asset_version, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
THEME = "#175c4a"
SHELL = [
    "/hors-ligne",
    "/static/app.css",
    "/static/app.js",
    "/static/chat.js",
    "/static/vendor/htmx-2.0.11.min.js",
    "/static/icons/icon-192.png",
]


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    icon = "/static/icons/"
    body = {
        "name": "Comptoir",
        "short_name": "Comptoir",
        "description": "L'ERP conversationnel des petites entreprises",
        "lang": "fr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {"src": f"{icon}icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": f"{icon}icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": f"{icon}icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/sw.js")
def service_worker() -> Response:
    version = asset_version()
    shell = [url if url == "/hors-ligne" else f"{url}?v={version}" for url in SHELL]
    head = f"const VERSION = {json.dumps(version)};\nconst SHELL = {json.dumps(shell)};\n"
    body = head + (STATIC / "sw-body.js").read_text(encoding="utf-8")
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/hors-ligne")
def offline_page(request: Request) -> Response:
    return render(request, "offline.html", {"title": "Hors ligne"})
