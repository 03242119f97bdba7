"""FastAPI app factory: ``uvicorn --factory api.app:create_app``."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.automations import router as automations_router
from api.chat import router as chat_router
from api.documents import router as documents_router
from api.einvoicing import router as einvoicing_router
from api.errors import install_error_handlers
from api.finance import router as finance_router
from api.hr import router as hr_router
from api.identity import router as identity_router
from api.limits import BodySizeLimit
from api.payables import router as payables_router
from api.purchasing import router as purchasing_router
from api.sales import router as sales_router
from api.stock import router as stock_router
from api.web import install_web
from api.whatsapp import router as whatsapp_router
from api.whatsapp import sends_router as invoice_sends_router
from api.whatsapp import webhook_router as whatsapp_webhook_router
from comptoir.bootstrap import Container, build_container
from comptoir.logs import configure_logging

log = logging.getLogger("comptoir.api")


def create_app(container: Container | None = None) -> FastAPI:
    if container is None:
        container = build_container()
        configure_logging(container.settings.log_level)
    app = FastAPI(
        title="Comptoir",
        description="L'ERP conversationnel des petites entreprises francophones.",
        version="0.1.0",
    )
    app.state.container = container
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request.state.request_id = rid
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        log.info(
            "request",
            extra={
                "request_id": rid,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    @app.get("/health", tags=["ops"], summary="État du service")
    def health() -> JSONResponse:
        checks = {"database": "ok", "redis": "ok"}
        try:
            with container.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            checks["database"] = "indisponible"
        try:
            container.redis.ping()
        except Exception:  # noqa: BLE001
            checks["redis"] = "indisponible"
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "dégradé", **checks},
            status_code=200 if healthy else 503,
        )

    app.include_router(identity_router)
    app.include_router(sales_router)
    app.include_router(finance_router)
    app.include_router(hr_router)
    app.include_router(stock_router)
    app.include_router(purchasing_router)
    app.include_router(payables_router)
    app.include_router(einvoicing_router)
    app.include_router(documents_router)
    app.include_router(chat_router)
    app.include_router(whatsapp_router)
    app.include_router(whatsapp_webhook_router)
    app.include_router(invoice_sends_router)
    install_web(app)
    app.include_router(automations_router)
    return app
