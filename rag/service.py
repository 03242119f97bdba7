"""Documents: upload, re-index, attach, delete — parsed and embedded before anything is
written, then written in the caller's one transaction.

Who may do what:
- any member may list and search the documents their roles may read (``access_roles``
  empty: everyone; otherwise those roles, and admin always);
- managers, accountants, sales and HR upload; a document can only be restricted to roles
  the uploader holds (or by an admin), so nobody hides a file from themselves;
- the uploader, a manager or an admin replaces, changes or deletes it.
Every write leaves a domain event (``document.uploaded``, ``document.reindexed``,
``document.updated``, ``document.deleted``) and an audit entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.audit.changes import record_change
from domain.documents.models import ATTACHMENT_TYPES, Document, DocumentBlob, DocumentChunk
from domain.hr import repository as hr_repo
from domain.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role
from domain.sales import repository as sales_repo
from rag.chunking import Chunk, chunk_document
from rag.embeddings import Embedder, default_embedder
from rag.parsing import DEFAULT_MAX_BYTES, DocumentRejected, ParsedDocument, parse

UPLOADERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES, Role.HR)
# Each chunk is one E5 pass (about 0.1 s of a core): beyond this a document holds the
# indexer for minutes, and is rarely one document anyway.
MAX_CHUNKS = 1500
KEEPERS = (Role.MANAGER,)
TITLE_MAX = 200


@dataclass(frozen=True, slots=True)
class Attachment:
    type: str  # customer | supplier | employee
    id: UUID


@dataclass(frozen=True, slots=True)
class Indexed:
    """A parsed document and its embedded chunks, ready to write."""

    parsed: ParsedDocument
    chunks: list[Chunk]
    vectors: list[list[float]]


def readable(principal: Principal) -> Any:
    """The SQL condition on ``Document`` for what ``principal`` may read."""
    if Role.ADMIN in principal.roles:
        return Document.tenant_id == principal.tenant_id
    roles = sorted(r.value for r in principal.roles)
    return (Document.tenant_id == principal.tenant_id) & (
        (func.cardinality(Document.access_roles) == 0) | Document.access_roles.overlap(roles)
    )


def may_read(principal: Principal, document: Document) -> bool:
    return (
        Role.ADMIN in principal.roles
        or not document.access_roles
        or any(r.value in document.access_roles for r in principal.roles)
    )


def index(
    data: bytes,
    *,
    filename: str | None,
    title: str | None = None,
    embedder: Embedder | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Indexed:
    """Parse, chunk and embed, touching no database (so a bad file writes nothing)."""
    try:
        parsed = parse(data, filename=filename, max_bytes=max_bytes)
    except DocumentRejected as e:
        raise InvalidInput(str(e), field="file") from e
    chunks = chunk_document(parsed)
    if len(chunks) > MAX_CHUNKS:
        raise InvalidInput(
            f"Le document est trop long ({len(chunks)} passages à indexer ; au plus "
            f"{MAX_CHUNKS}) : découpez-le en plusieurs documents.",
            field="file",
        )
    label = (title or parsed.title).strip()
    texts = [embedding_text(label, c) for c in chunks]
    vectors = (embedder or default_embedder()).passages(texts)
    return Indexed(parsed, chunks, [v.tolist() for v in vectors])


def embedding_text(title: str, chunk: Chunk) -> str:
    """What is embedded for a chunk: where it sits (title, section) and its text."""
    where = title if not chunk.section else f"{title} — {chunk.section}"
    return f"{where}\n{chunk.text}"


def upload(
    session: Session,
    principal: Principal,
    data: bytes,
    *,
    filename: str | None,
    title: str | None = None,
    access_roles: list[str] | None = None,
    attach: Attachment | None = None,
    embedder: Embedder | None = None,
    indexed: Indexed | None = None,
) -> Document:
    """Store, parse and index a new document (refused in French when it cannot be read,
    is a duplicate, or its access or attachment is invalid).

    ``indexed``: the file already parsed and embedded elsewhere (the API does it in a worker
    process, outside any transaction, after `check_upload`); otherwise it is done here."""
    roles = check_upload(session, principal, data, access_roles=access_roles, attach=attach)
    digest = hashlib.sha256(data).hexdigest()
    if indexed is None:
        indexed = index(data, filename=filename, title=title, embedder=embedder)
    document = Document(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        title=_title(title or indexed.parsed.title),
        filename=_filename(filename, indexed),
        kind=indexed.parsed.kind.value,
        size_bytes=len(data),
        sha256=digest,
        pages=indexed.parsed.pages,
        chunk_count=len(indexed.chunks),
        access_roles=roles,
        attached_type=attach.type if attach else None,
        attached_id=attach.id if attach else None,
        uploaded_by=principal.user_id,
        version=1,
        meta={},
    )
    session.add(document)
    session.flush()
    session.add(DocumentBlob(tenant_id=principal.tenant_id, id=document.id, data=data))
    _write_chunks(session, document, indexed)
    record_change(
        session,
        principal,
        document,
        "document.uploaded",
        "document.upload",
        title=document.title,
        kind=document.kind,
        chunks=document.chunk_count,
    )
    return document


def check_upload(
    session: Session,
    principal: Principal,
    data: bytes,
    *,
    access_roles: list[str] | None,
    attach: Attachment | None,
) -> list[str]:
    """Everything that refuses an upload before its file is parsed; the access roles to store.

    A file already in the business is refused only when the uploader may read that copy:
    the refusal names it. A copy they may not read is none of their business, so the upload
    goes on as for any new file — saying « déjà déposé » would reveal that a document they
    cannot see exists, with its title."""
    principal.require(*UPLOADERS)
    roles = _access_roles(principal, access_roles)
    _check_attachment(session, principal, attach)
    digest = hashlib.sha256(data).hexdigest()
    twin = session.scalar(
        select(Document).where(readable(principal), Document.sha256 == digest).limit(1)
    )
    if twin is not None:
        raise Conflict(
            f"Ce fichier a déjà été déposé : « {twin.title} ».", document_id=str(twin.id)
        )
    return roles


def replace(
    session: Session,
    principal: Principal,
    document_id: UUID,
    data: bytes,
    *,
    filename: str | None,
    embedder: Embedder | None = None,
    indexed: Indexed | None = None,
) -> Document:
    """A new version of the file: its chunks and vectors are rebuilt, the old ones gone.

    ``indexed``: the file already parsed and embedded with the document's current title."""
    document = keepable(session, principal, document_id)
    if indexed is None:
        indexed = index(data, filename=filename, title=document.title, embedder=embedder)
    document.filename = _filename(filename, indexed)
    document.kind = indexed.parsed.kind.value
    document.size_bytes = len(data)
    document.sha256 = hashlib.sha256(data).hexdigest()
    document.pages = indexed.parsed.pages
    document.chunk_count = len(indexed.chunks)
    document.version += 1
    blob = session.get(DocumentBlob, (principal.tenant_id, document.id))
    if blob is None:
        session.add(DocumentBlob(tenant_id=principal.tenant_id, id=document.id, data=data))
    else:
        blob.data = data
    _delete_chunks(session, document)
    _write_chunks(session, document, indexed)
    record_change(
        session,
        principal,
        document,
        "document.reindexed",
        "document.replace",
        title=document.title,
        version=document.version,
        chunks=document.chunk_count,
    )
    return document


def update(
    session: Session,
    principal: Principal,
    document_id: UUID,
    *,
    title: str | None = None,
    access_roles: list[str] | None = None,
    attach: Attachment | None = None,
    detach: bool = False,
    embedder: Embedder | None = None,
    reindexed: tuple[int, Indexed] | None = None,
) -> Document:
    """Change the title (the chunks are re-embedded with it), who may read it, or what it
    is attached to.

    ``reindexed``: the file of version N already parsed and embedded under the new title
    (refused as a conflict when the file has changed since)."""
    document = keepable(session, principal, document_id)
    before = {"title": document.title, "access_roles": list(document.access_roles)}
    if access_roles is not None:
        document.access_roles = _access_roles(principal, access_roles)
    if attach is not None:
        _check_attachment(session, principal, attach)
        document.attached_type, document.attached_id = attach.type, attach.id
    elif detach:
        document.attached_type, document.attached_id = None, None
    if title is not None and _title(title) != document.title:
        document.title = _title(title)
        indexed = _reindexed(session, document, reindexed, embedder)
        if indexed is not None:
            _delete_chunks(session, document)
            _write_chunks(session, document, indexed)
    session.flush()
    record_change(
        session, principal, document, "document.updated", "document.update", before=before
    )
    return document


def _reindexed(
    session: Session,
    document: Document,
    reindexed: tuple[int, Indexed] | None,
    embedder: Embedder | None,
) -> Indexed | None:
    if reindexed is not None:
        version, indexed = reindexed
        if version != document.version:
            raise Conflict(
                "Le fichier de ce document vient d'être remplacé : recommencez la modification."
            )
        return indexed
    blob = session.get(DocumentBlob, (document.tenant_id, document.id))
    if blob is None:
        return None
    return index(blob.data, filename=document.filename, title=document.title, embedder=embedder)


def delete_document(session: Session, principal: Principal, document_id: UUID) -> None:
    """The document, its file, its chunks and their vectors."""
    document = keepable(session, principal, document_id)
    record_change(
        session, principal, document, "document.deleted", "document.delete", title=document.title
    )
    session.execute(
        delete(Document).where(
            Document.tenant_id == principal.tenant_id, Document.id == document.id
        )
    )
    session.expunge(document)


def get(session: Session, principal: Principal, document_id: UUID) -> Document:
    document = session.get(Document, (principal.tenant_id, document_id))
    if document is None or not may_read(principal, document):
        # The same answer for another tenant's, a forbidden and a missing document.
        raise NotFound("Document introuvable.")
    return document


def content(session: Session, principal: Principal, document_id: UUID) -> bytes:
    document = get(session, principal, document_id)
    blob = session.get(DocumentBlob, (principal.tenant_id, document.id))
    if blob is None:
        raise NotFound("Le fichier de ce document n'est plus disponible.")
    return blob.data


def list_documents(
    session: Session,
    principal: Principal,
    *,
    attached: Attachment | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Document], int]:
    """What ``principal`` may read, newest first; optionally attached to one record or
    whose title contains ``search``."""
    where = [readable(principal)]
    if attached is not None:
        where += [Document.attached_type == attached.type, Document.attached_id == attached.id]
    if search:
        pattern = f"%{search.strip()}%"
        where.append(func.comptoir_unaccent(Document.title).ilike(func.comptoir_unaccent(pattern)))
    total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    rows = session.scalars(
        select(Document)
        .where(*where)
        .order_by(Document.created_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def keepable(session: Session, principal: Principal, document_id: UUID) -> Document:
    """The document, if ``principal`` may replace, change or delete it."""
    document = get(session, principal, document_id)
    if not (principal.has_any(*KEEPERS) or document.uploaded_by == principal.user_id):
        raise PermissionDenied(
            "Seuls la personne qui a déposé ce document, un responsable ou un administrateur "
            "peuvent le modifier ou le supprimer."
        )
    return document


def _access_roles(principal: Principal, roles: list[str] | None) -> list[str]:
    if not roles:
        return []
    known = {r.value for r in Role}
    unknown = sorted(set(roles) - known)
    if unknown:
        raise InvalidInput(
            f"Rôle inconnu : {', '.join(unknown)}. Rôles possibles : {', '.join(sorted(known))}.",
            field="access_roles",
        )
    chosen = sorted(set(roles))
    if Role.ADMIN not in principal.roles and not any(r.value in chosen for r in principal.roles):
        raise PermissionDenied(
            "Vous ne pouvez pas réserver un document à des rôles que vous n'avez pas."
        )
    return chosen


def _check_attachment(session: Session, principal: Principal, attach: Attachment | None) -> None:
    if attach is None:
        return
    if attach.type not in ATTACHMENT_TYPES:
        raise InvalidInput(
            "Un document se rattache à un client, un fournisseur ou un employé.",
            field="attached_type",
        )
    if attach.type == "employee":
        if hr_repo.get_employee(session, principal.tenant_id, attach.id) is None:
            raise NotFound("Employé introuvable.", field="attached_id")
        return
    partner = sales_repo.get_partner(session, principal.tenant_id, attach.id)
    ok = partner is not None and (
        partner.is_customer if attach.type == "customer" else partner.is_supplier
    )
    if not ok:
        label = "Client" if attach.type == "customer" else "Fournisseur"
        raise NotFound(f"{label} introuvable.", field="attached_id")


def _title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise InvalidInput("Le titre du document est vide.", field="title")
    return title[:TITLE_MAX]


def _filename(filename: str | None, indexed: Indexed) -> str:
    name = PurePath(filename or "").name.strip()
    return (name or f"document.{indexed.parsed.kind.value}")[:255]


def _delete_chunks(session: Session, document: Document) -> None:
    session.execute(
        delete(DocumentChunk).where(
            DocumentChunk.tenant_id == document.tenant_id,
            DocumentChunk.document_id == document.id,
        )
    )


def _write_chunks(session: Session, document: Document, indexed: Indexed) -> None:
    session.add_all(
        DocumentChunk(
            tenant_id=document.tenant_id,
            id=uuid7(),
            document_id=document.id,
            ordinal=chunk.ordinal,
            text=chunk.text,
            section=(chunk.section or None) and chunk.section[:300],
            context=document.title[:300],
            page=chunk.page,
            tokens=chunk.tokens,
            embedding=vector,
        )
        for chunk, vector in zip(indexed.chunks, indexed.vectors, strict=True)
    )
    session.flush()
