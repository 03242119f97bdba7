"""One place renders every error as JSON: a stable code and a French message.

It also keeps out what PostgreSQL would refuse mid-request: a NUL character anywhere in
the URL (path or query string) is a 422 before any route runs; bodies are checked by the
input models (``domain.kit.inputs``). A value the database still finds out of range (a
computed total overflowing its column) is a 422 too, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_to_bytes

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.kit.errors import DomainError
from domain.kit.inputs import NUL_ERROR, NUL_MESSAGE, WALL_TIME_ERROR, WALL_TIME_MESSAGE

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
    NUL_ERROR: NUL_MESSAGE,
    WALL_TIME_ERROR: WALL_TIME_MESSAGE,
    "finite_number": "nombre fini attendu",
    "decimal_parsing": "nombre attendu",
    "decimal_type": "nombre attendu",
    "decimal_max_digits": "nombre trop grand ou trop précis (18 chiffres au plus)",
    "decimal_whole_digits": "nombre trop grand (14 chiffres avant la virgule au plus)",
    "decimal_max_places": "trop de décimales (4 au plus)",
    "greater_than": "valeur trop petite",
    "greater_than_equal": "valeur trop petite",
    "less_than": "valeur trop grande",
    "less_than_equal": "valeur trop grande",
    "int_from_float": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "bool_parsing": "vrai ou faux attendu",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "datetime_parsing": "date et heure attendues",
    "string_pattern_mismatch": "format invalide",
    "list_type": "liste attendue",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "dict_type": "objet attendu",
}
_URL_NUL_MESSAGE = f"Données invalides — adresse de la requête : {NUL_MESSAGE}."
_OUT_OF_RANGE_MESSAGE = "Données invalides — une valeur dépasse ce que Comptoir peut enregistrer."
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


def _url_has_nul(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    query = bytes(scope.get("query_string", b""))
    return "\x00" in path or b"\x00" in unquote_to_bytes(query.replace(b"+", b" "))


class RejectNulInUrl:
    """A NUL character in the path or the query string: 422 before any route or
    dependency reads it (PostgreSQL would refuse it in the middle of the request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _url_has_nul(scope):
            error = {
                "code": "invalid_input",
                "message": _URL_NUL_MESSAGE,
                "request_id": scope.get("state", {}).get("request_id"),
                "fields": [{"field": "url", "message": NUL_MESSAGE}],
            }
            await JSONResponse({"error": error}, status_code=422)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(RejectNulInUrl)

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

    @app.exception_handler(sa_exc.DataError)
    async def out_of_range(request: Request, exc: sa_exc.DataError) -> JSONResponse:
        # The edge types keep each value within its column; what still gets here is a
        # computed value (a line total, a sum) the column cannot hold. The unit of work
        # rolled back: nothing was written.
        log.warning(
            "value refused by the database",
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        return JSONResponse(_body("invalid_input", _OUT_OF_RANGE_MESSAGE, request), status_code=422)

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
