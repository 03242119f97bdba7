"""Document routes: upload (multipart), list, read, download, replace the file (re-index),
change title/access/attachment, delete, and search with cited passages.

The type of an upload is sniffed from its bytes, never taken from its name or its
``Content-Type``; the size limit is checked while reading, before anything is parsed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ContainerDep, PrincipalDep
from domain.documents.models import Document
from domain.kit import inputs
from rag import retrieval
from rag import service as documents
from rag.parsing import DEFAULT_MAX_BYTES, DocumentRejected
from rag.service import Attachment

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


@router.post("/documents", response_model=DocumentOut, status_code=status.HTTP_201_CREATED)
async def upload_document(
    c: ContainerDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="PDF, DOCX, XLSX, PPTX, TXT, MD, HTML, EML")],
    title: Annotated[inputs.Text | None, Form(max_length=200)] = None,
    access_roles: Annotated[list[inputs.Text] | None, Form()] = None,
    attached_type: Annotated[AttachedType | None, Form()] = None,
    attached_id: Annotated[UUID | None, Form()] = None,
) -> DocumentOut:
    data = await _read(file)
    attach = _attachment(attached_type, attached_id)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.upload(
            session,
            principal,
            data,
            filename=file.filename,
            title=title,
            access_roles=access_roles,
            attach=attach,
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


@router.put("/documents/{document_id}/file", response_model=DocumentOut)
async def replace_document(
    document_id: UUID,
    c: ContainerDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File()],
) -> DocumentOut:
    data = await _read(file)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.replace(session, principal, document_id, data, filename=file.filename)
        return DocumentOut.of(document)


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def update_document(
    document_id: UUID, body: DocumentUpdate, c: ContainerDep, principal: PrincipalDep
) -> DocumentOut:
    attach = _attachment(body.attached_type, body.attached_id)
    with c.db.unit_of_work(principal.tenant_id) as session:
        document = documents.update(
            session,
            principal,
            document_id,
            title=body.title,
            access_roles=body.access_roles,
            attach=attach,
            detach=body.detach,
        )
        return DocumentOut.of(document)


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
