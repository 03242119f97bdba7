"""A document or photo sent on WhatsApp: fetched from Meta (media id → URL → bytes, with
the access token) and stored through the documents service with the sender as uploader,
exactly as an upload from the web app — same roles, same refusals, same indexing."""

from __future__ import annotations

import logging
import mimetypes
from typing import Any

from comptoir.bootstrap import Container
from domain.kit.errors import DomainError
from domain.kit.principal import Principal
from domain.whatsapp.graph import GraphError
from rag import service as documents

log = logging.getLogger("comptoir.whatsapp")

UNREACHABLE = (
    "Je n'ai pas pu récupérer votre fichier auprès de WhatsApp. Renvoyez-le, s'il vous plaît."
)


def receive_document(c: Container, principal: Principal, payload: dict[str, Any]) -> str:
    """Store the file the message carries; the French sentence to answer with. A passing
    failure to download raises (the delivery is tried again); a refusal is the answer."""
    from automations.whatsapp import graph_for

    kind = str(payload.get("type"))
    medium: dict[str, Any] = payload.get(kind) or {}
    graph = graph_for(c)
    if graph is None or not medium.get("id"):
        return UNREACHABLE
    try:
        found = graph.medium(str(medium["id"]))
        data = graph.download(found.url)
    except GraphError as error:
        if error.retryable:
            raise
        log.warning("WhatsApp medium %s not fetched: %s", medium.get("id"), error)
        return UNREACHABLE
    filename = _filename(medium, kind, found.mime_type or str(medium.get("mime_type") or ""))
    title = str(medium.get("caption") or "").strip()[:200] or None
    try:
        with c.db.unit_of_work(principal.tenant_id) as session:
            documents.check_upload(session, principal, data, access_roles=None, attach=None)
        indexed = documents.index(data, filename=filename, title=title)
        with c.db.unit_of_work(principal.tenant_id) as session:
            document = documents.upload(
                session, principal, data, filename=filename, title=title, indexed=indexed
            )
            stored = document.title
    except DomainError as refusal:
        return refusal.message
    return f"Document « {stored} » enregistré. Vous pouvez me poser des questions sur son contenu."


def _filename(medium: dict[str, Any], kind: str, mime_type: str) -> str:
    given = str(medium.get("filename") or "").strip()
    if given:
        return given[:255]
    extension = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ""
    return f"whatsapp-{kind}{extension}"
