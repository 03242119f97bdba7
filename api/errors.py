"""One place renders every error as JSON: a stable code and a French message."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.kit.errors import DomainError

log = logging.getLogger("comptoir.api")

_FIELD_MESSAGES = {
    "missing": "champ obligatoire",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "literal_error": "valeur non autorisée",
    "enum": "valeur non autorisée",
    "value_error": "valeur invalide",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu",
    "uuid_parsing": "identifiant invalide",
    "too_short": "liste trop courte",
    "extra_forbidden": "champ inconnu",
}
_HTTP_MESSAGES = {
    404: ("not_found", "Ressource introuvable."),
    405: ("method_not_allowed", "Méthode non autorisée."),
}


def _body(code: str, message: str, request: Request, **extra: Any) -> dict[str, Any]:
    error = {
        "code": code,
        "message": message,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    return {"error": error}


DATABASE_UNAVAILABLE = (
    "La base de données est momentanément indisponible. Réessayez dans quelques instants."
)
BUSY = "Le service est très sollicité en ce moment. Réessayez dans quelques instants."
INTERNAL_ERROR = "Erreur interne. L'équipe technique a été prévenue ; réessayez plus tard."
# A lost or refused connection: the database is down or restarting, not the request wrong.
# The pool pings connections before reuse, so the first request after a restart heals it.
_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def error_payload(exc: BaseException, request: Request) -> tuple[int, dict[str, Any]]:
    """The status and body any exception is answered with (also for an error that
    interrupts a stream, once the status has gone out)."""
    if isinstance(exc, DomainError):
        extra = {"details": exc.details} if exc.details else {}
        return exc.status_code, _body(exc.code, exc.message, request, **extra)
    if isinstance(exc, sa_exc.TimeoutError):  # every pooled connection busy for 30 s
        return 503, _body("busy", BUSY, request)
    if database_unavailable(exc):
        return 503, _body("service_unavailable", DATABASE_UNAVAILABLE, request)
    return 500, _body("internal_error", INTERNAL_ERROR, request)


def _describe(err: dict[str, Any]) -> dict[str, str]:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
    kind = str(err.get("type", ""))
    text = "adresse e-mail invalide" if "email" in str(err.get("msg", "")).lower() else None
    return {"field": ".".join(loc), "message": text or _FIELD_MESSAGES.get(kind, "valeur invalide")}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        body = _body(
            exc.code, exc.message, request, **({"details": exc.details} if exc.details else {})
        )
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            body = _body(
                "malformed_json", "Le corps de la requête n'est pas un JSON valide.", request
            )
            return JSONResponse(body, status_code=400)
        fields = [_describe(e) for e in errors]
        summary = "; ".join(f"{f['field'] or 'requête'} : {f['message']}" for f in fields)
        body = _body("invalid_input", f"Données invalides — {summary}.", request, fields=fields)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "Requête refusée."))
        return JSONResponse(_body(code, message, request), status_code=exc.status_code)

    async def storage_error(request: Request, exc: Exception) -> JSONResponse:
        status, body = error_payload(exc, request)
        rid = getattr(request.state, "request_id", None)
        if status == 503:
            log.warning("database unavailable: %s", type(exc).__name__, extra={"request_id": rid})
        else:
            log.exception("unhandled database error", extra={"request_id": rid})
        headers = {"Retry-After": "5"} if status == 503 else None
        return JSONResponse(body, status_code=status, headers=headers)

    for kind in (sa_exc.DBAPIError, sa_exc.TimeoutError, psycopg.Error):
        app.add_exception_handler(kind, storage_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception(
            "unhandled error", extra={"request_id": getattr(request.state, "request_id", None)}
        )
        return JSONResponse(_body("internal_error", INTERNAL_ERROR, request), status_code=500)
