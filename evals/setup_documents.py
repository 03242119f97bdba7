"""``setup.documents`` of an eval case: files uploaded through the documents service.

Each entry is ``{title, file}`` (a path relative to the case's YAML file) or
``{title, text}`` (inline Markdown), with an optional ``access: [hr, admin]`` (the roles
that may read it; admins always may, so ``[admin]`` means admins only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from domain.kit.principal import Principal
from evals.cases import Case
from rag import service as documents


class DocumentSetupError(ValueError):
    pass


def build_documents(session: Session, admin: Principal, case: Case) -> list[str]:
    """Upload the case's documents; their titles, in order."""
    titles: list[str] = []
    for entry in case.setup.documents:
        data, filename = _content(case, entry)
        document = documents.upload(
            session,
            admin,
            data,
            filename=filename,
            title=entry.get("title"),
            access_roles=list(entry.get("access") or []) or None,
        )
        titles.append(document.title)
    return titles


def _content(case: Case, entry: dict[str, Any]) -> tuple[bytes, str]:
    if "text" in entry:
        return str(entry["text"]).encode(), f"{entry.get('title') or 'document'}.md"
    if "file" not in entry:
        raise DocumentSetupError(f"case {case.id}: setup.documents needs `file` or `text`")
    path = (case.source.parent / str(entry["file"])).resolve()
    if not path.is_file():
        raise DocumentSetupError(f"case {case.id}: setup.documents: no file {path}")
    return path.read_bytes(), Path(path).name
