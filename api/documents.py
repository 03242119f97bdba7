"""Document routes: upload (multipart), list, read, download, replace the file (re-index),
change title/access/attachment, delete, and search with cited passages.

The type of an upload is sniffed from its bytes, never taken from its name or its
``Content-Type``; the size limit is checked while reading, before anything is parsed.

An upload is authenticated, its permission checked and the business's upload rate taken
before a byte of its body is read: the multipart body is parsed by the route itself, not
declared as parameters (FastAPI reads declared bodies before it resolves dependencies).
Parsing and embedding run in the indexing worker process (``rag.worker``), waited for in a
thread of the pool, outside any transaction: a check before, the write after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import FormData, UploadFile

from api.deps import ContainerDep, PrincipalDep
from comptoir.bootstrap import Container
from domain.documents.models import Document, DocumentBlob
from domain.kit import inputs
from domain.kit.errors import TooManyAttempts
from domain.kit.principal import Principal
from domain.kit.ratelimit import FixedWindow
from rag import retrieval
from rag import service as documents
from rag.parsing import DEFAULT_MAX_BYTES, DocumentRejected
from rag.service import UPLOADERS, Attachment
from rag.worker import default_pool

router = APIRouter(prefix="/api/v1", tags=["documents"])
CHUNK = 1024 * 1024
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html; charset=utf-8",
    "eml": "message/rfc822",
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}
AttachedType = Literal["customer", "supplier", "employee"]
# Files indexed per business (uploads, replacements, retitles) in a window of time: each
# holds the indexing worker for seconds to minutes.
UPLOADS_PER_WINDOW = 30
UPLOAD_WINDOW_S = 600
FILE_FIELD = {"type": "string", "format": "binary"}
UPLOAD_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {**FILE_FIELD, "description": "PDF, DOCX, XLSX, PPTX, TXT, MD, HTML, EML"},
        "title": {"type": "string", "maxLength": 200},
        "access_roles": {"type": "array", "items": {"type": "string"}},
        "attached_type": {"type": "string", "enum": ["customer", "supplier", "employee"]},
        "attached_id": {"type": "string", "format": "uuid"},
    },
}
REPLACE_FORM = {"type": "object", "required": ["file"], "properties": {"file": FILE_FIELD}}


def _multipart(schema: dict[str, Any]) -> dict[str, Any]:
    content = {"multipart/form-data": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


class DocumentOut(BaseModel):
    id: UUID
    title: str
    filename: str
    kind: str
    size_bytes: int
    pages: int | None
    chunks: int
    access_roles: list[str]
    attached_type: str | None
    attached_id: UUID | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: Document) -> DocumentOut:
        return cls(
            id=d.id,
            title=d.title,
            filename=d.filename,
            kind=d.kind,
            size_bytes=d.size_bytes,
            pages=d.pages,
            chunks=d.chunk_count,
            access_roles=list(d.access_roles),
            attached_type=d.attached_type,
            attached_id=d.attached_id,
            version=d.version,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    total: int
    limit: int
    offset: int


class DocumentUpdate(inputs.InputModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=200)
    access_roles: list[str] | None = None
    attached_type: AttachedType | None = None
    attached_id: UUID | None = None
    detach: bool = False


class SearchBody(inputs.InputModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=2, max_length=500)
    limit: int = Field(default=5, ge=1, le=20)


class UploadFields(inputs.InputModel):
    """The form fields of an upload besides its file."""

    title: str | None = Field(default=None, max_length=200)
    access_roles: list[str] | None = None
    attached_type: AttachedType | None = None
    attached_id: UUID | None = None


class PassageOut(BaseModel):
    document_id: UUID
    title: str
    section: str | None
    page: int | None
    text: str
    source: str
    score: float
    similarity: float
    relevant: bool


async def _read(file: UploadFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The upload's bytes, refused in French as soon as it exceeds ``max_bytes``."""
    parts: list[bytes] = []
    size = 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise DocumentRejected(
                f"Le fichier est trop volumineux : la taille maximale est de "
                f"{max_bytes // (1024 * 1024)} Mo.",
                reason="too_large",
            )
        parts.append(chunk)
    return b"".join(parts)


def _attachment(kind: str | None, target: UUID | None) -> Attachment | None:
    if kind is None and target is None:
        return None
    if kind is None or target is None:
        raise DocumentRejected(
            "Pour rattacher un document, donnez à la fois attached_type et attached_id.",
            reason="attachment",
        )
    return Attachment(kind, target)


def take_upload_slot(c: Container, principal: Principal) -> None:
    """Count one file to index for the business; 429 past ``UPLOADS_PER_WINDOW`` in the
    ``UPLOAD_WINDOW_S`` opened by its first upload."""
    taken = FixedWindow(c.redis, UPLOAD_WINDOW_S).take(f"comptoir:uploads:{principal.tenant_id}")
    if taken.count > UPLOADS_PER_WINDOW:
        raise TooManyAttempts(
            f"Trop de documents déposés pour votre entreprise : au plus {UPLOADS_PER_WINDOW} "
            f"en {UPLOAD_WINDOW_S // 60} minutes. Réessayez dans {taken.minutes_left} "
            "minute(s)."
        )


def uploader(c: ContainerDep, principal: PrincipalDep) -> Principal:
    """The authenticated uploader, checked before the request body is read."""
    principal.require(*UPLOADERS)
    take_upload_slot(c, principal)
    return principal


UploaderDep = Annotated[Principal, Depends(uploader)]


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=1, max_fields=16)
    except Exception as exc:  # python-multipart's and Starlette's errors on a bad body
        raise DocumentRejected(
            "Le formulaire d'envoi est invalide : envoyez le fichier en multipart/form-data "
            "dans le champ « file ».",
            reason="malformed",
        ) from exc


def _file_of(form: FormData) -> UploadFile:
    file = form.get("file")
    if not isinstance(file, UploadFile):
        error = {"type": "missing", "loc": ("body", "file"), "msg": "Field required"}
        raise RequestValidationError([error])
    return file


def _fields_of(form: FormData) -> UploadFields:
    def text(name: str) -> Any:
        value = form.get(name)
        return value or None  # an empty form field is an absent one

    raw = {
        "title": text("title"),
        "access_roles": form.getlist("access_roles") or None,
        "attached_type": text("attached_type"),
        "attached_id": text("attached_id"),
    }
    try:
        return UploadFields.model_validate(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from exc


@router.post(
    "/documents",
    response_model=DocumentOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_multipart(UPLOAD_FORM),
)
async def upload_document(request: Request, c: ContainerDep, principal: UploaderDep) -> DocumentOut:
    form = await _form(request)
    try:
        file = _file_of(form)
        fields = _fields_of(form)
        data = await _read(file)
    finally:
        await form.close()
    attach = _attachment(fields.attached_type, fields.attached_id)
    return await run_in_threadpool(_upload, c, principal, data, file.filename, fields, attach)


def _upload(
    c: Container,
    principal: Principal,
    data: bytes,
    filename: str | None,
    fields: UploadFields,
    attach: Attachment | None,
) -> DocumentOut:
    # Refusals that need no parsing come first, in a short transaction of their own.
    with c.db.unit_of_work(principal.tenant_id) as session:
        documents.check_upload(
            session, principal, data, access_roles=fields.access_roles, attach=attach
        )
    indexed = default_pool().index(data, filename=filename, title=fields.title)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.upload(
            session,
            principal,
            data,
            filename=filename,
            title=fields.title,
            access_roles=fields.access_roles,
            attach=attach,
            indexed=indexed,
        )
        return DocumentOut.of(document)


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    c: ContainerDep,
    principal: PrincipalDep,
    search: Annotated[str | None, Query(max_length=100)] = None,
    attached_type: AttachedType | None = None,
    attached_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: inputs.Offset = 0,
) -> DocumentPage:
    attach = _attachment(attached_type, attached_id)
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows, total = documents.list_documents(
            session, principal, attached=attach, search=search, limit=limit, offset=offset
        )
        return DocumentPage(
            items=[DocumentOut.of(d) for d in rows], total=total, limit=limit, offset=offset
        )


@router.get("/documents/{document_id}", response_model=DocumentOut)
def get_document(document_id: UUID, c: ContainerDep, principal: PrincipalDep) -> DocumentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return DocumentOut.of(documents.get(session, principal, document_id))


@router.get("/documents/{document_id}/file")
def download_document(document_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.get(session, principal, document_id)
        data = documents.content(session, principal, document_id)
        kind, filename = document.kind, document.filename
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return Response(
        data,
        media_type=MEDIA_TYPES.get(kind, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{ascii_name}"'},
    )


@router.put(
    "/documents/{document_id}/file",
    response_model=DocumentOut,
    openapi_extra=_multipart(REPLACE_FORM),
)
async def replace_document(
    document_id: UUID, request: Request, c: ContainerDep, principal: UploaderDep
) -> DocumentOut:
    form = await _form(request)
    try:
        file = _file_of(form)
        data = await _read(file)
    finally:
        await form.close()
    return await run_in_threadpool(_replace, c, principal, document_id, data, file.filename)


def _replace(
    c: Container, principal: Principal, document_id: UUID, data: bytes, filename: str | None
) -> DocumentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        title = documents.keepable(session, principal, document_id).title
    indexed = default_pool().index(data, filename=filename, title=title)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.replace(
            session, principal, document_id, data, filename=filename, indexed=indexed
        )
        return DocumentOut.of(document)


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def update_document(
    document_id: UUID, body: DocumentUpdate, c: ContainerDep, principal: PrincipalDep
) -> DocumentOut:
    attach = _attachment(body.attached_type, body.attached_id)
    reindexed = _retitled(c, principal, document_id, body.title)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.update(
            session,
            principal,
            document_id,
            title=body.title,
            access_roles=body.access_roles,
            attach=attach,
            detach=body.detach,
            reindexed=reindexed,
        )
        return DocumentOut.of(document)


def _retitled(
    c: Container, principal: Principal, document_id: UUID, title: str | None
) -> tuple[int, documents.Indexed] | None:
    """The file re-embedded under a new title, by the worker, when the title changes."""
    new_title = " ".join((title or "").split())[: documents.TITLE_MAX]
    if not new_title:
        return None  # absent, or empty and refused by the update itself
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.keepable(session, principal, document_id)
        if new_title == document.title:
            return None
        blob = session.get(DocumentBlob, (principal.tenant_id, document.id))
        if blob is None:
            return None
        version, filename, data = document.version, document.filename, blob.data
    take_upload_slot(c, principal)
    return version, default_pool().index(data, filename=filename, title=new_title)


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_document(document_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        documents.delete_document(session, principal, document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/documents/search", response_model=list[PassageOut])
def search_documents(
    body: SearchBody, c: ContainerDep, principal: PrincipalDep
) -> list[PassageOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = retrieval.search(session, principal, body.question, limit=body.limit)
    return [
        PassageOut(
            document_id=p.document_id,
            title=p.title,
            section=p.section,
            page=p.page,
            text=p.text,
            source=p.source(),
            score=p.score,
            similarity=p.similarity,
            relevant=p.relevant,
        )
        for p in found
    ]
