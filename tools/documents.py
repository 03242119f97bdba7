"""Document tools: search the tenant's documents and list them.

Both are READ tools open to every member: retrieval itself keeps each person to the
documents their roles may read. Their output is **untrusted**: the text of a document is
data written by someone else, never an instruction; the LLM tier receives it wrapped as
such, and a turn that has read document text may no longer propose a write (see
``agents.llm.orchestrator``).
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from rag import retrieval
from rag import service as documents
from tools.base import Effect, Tool, ToolContext, ToolResult, tool

QUOTED = 2  # passages quoted in the answer
EXCERPT_CHARS = 420
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s")
KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "html": "page web",
    "eml": "e-mail",
    "markdown": "texte",
    "text": "texte",
}


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(
        min_length=2,
        max_length=500,
        description="La question telle que l'utilisateur l'a posée, en français.",
    )
    limit: int = Field(default=5, ge=1, le=10, description="Nombre de passages au plus.")


class PassageOut(BaseModel):
    title: str
    section: str | None
    page: int | None
    text: str
    source: str
    score: float


class SearchResult(ToolResult):
    question: str
    passages: list[PassageOut]
    # False when the user may read no document at all: then no document can answer.
    has_documents: bool = True

    def render(self) -> str:
        if not self.has_documents:
            return (
                "Aucun document ne répond à cette question : aucun document que vous puissiez "
                "consulter n'a été déposé dans Comptoir (règlement, convention collective, "
                "contrats, CGV, procédures). Une fois déposés, je réponds à ce genre de "
                "question en citant la source."
            )
        if not self.passages:
            return (
                "Je n'ai rien trouvé dans vos documents qui réponde à cette question. "
                "Vérifiez que le document a bien été déposé, ou reformulez avec ses mots."
            )
        lines = ["D'après vos documents :"]
        for p in self.passages[:QUOTED]:
            lines.append(f"« {excerpt(p.text)} »\n— Source : {p.source}")
        others = sorted(
            {p.title for p in self.passages[QUOTED:]} - {p.title for p in self.passages[:QUOTED]}
        )
        if others:
            lines.append("Voir aussi : " + ", ".join(others) + ".")
        return "\n".join(lines)


def excerpt(text: str) -> str:
    """The passage on one line, cut after a sentence near ``EXCERPT_CHARS``."""
    flat = " ".join(text.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    cut = max((m.start() for m in _SENTENCE_END.finditer(flat, 0, EXCERPT_CHARS)), default=0)
    return (flat[:cut] if cut > EXCERPT_CHARS // 3 else flat[:EXCERPT_CHARS]).rstrip() + " […]"


@tool("documents.search", title="Chercher dans les documents", effect=Effect.READ, untrusted=True)
def search_documents(ctx: ToolContext, args: SearchIn) -> SearchResult:
    """Cherche la réponse à une question dans les documents déposés (contrats, CGV, fiches
    produits, règlement intérieur, convention collective, procédures) et cite les passages
    avec leur source (titre, page, section). Exemples : « que dit le contrat Diallo sur les
    pénalités de retard ? », « combien de jours de congé pour un mariage d'après la
    convention ? », « quel est le délai de livraison du ciment ? »."""
    found = retrieval.search(ctx.session, ctx.principal, args.question, limit=args.limit)
    return SearchResult(
        question=args.question,
        has_documents=bool(found)
        or documents.list_documents(ctx.session, ctx.principal, limit=1)[1] > 0,
        passages=[
            PassageOut(
                title=p.title,
                section=p.section,
                page=p.page,
                text=p.text,
                source=p.source(),
                score=round(p.score, 5),
            )
            for p in found
            if p.relevant
        ],
    )


class ListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    search: str | None = Field(
        default=None, max_length=100, description="Un mot du titre (« contrat », « CGV »)."
    )
    limit: int = Field(default=20, ge=1, le=50)


class DocumentOut(BaseModel):
    id: str
    title: str
    kind: str
    pages: int | None
    uploaded_on: date
    restricted: bool


class DocumentList(ToolResult):
    total: int
    documents: list[DocumentOut]

    def render(self) -> str:
        if not self.documents:
            return "Aucun document déposé (ou aucun que vous puissiez consulter)."
        lines = [f"{self.total} document(s) :"]
        for d in self.documents:
            details = [KIND_LABELS.get(d.kind, d.kind)]
            if d.pages:
                details.append(f"{d.pages} p.")
            details.append(f"déposé le {d.uploaded_on:%d/%m/%Y}")
            if d.restricted:
                details.append("accès restreint")
            lines.append(f"- {d.title} ({', '.join(details)})")
        if self.total > len(self.documents):
            lines.append(f"… et {self.total - len(self.documents)} autre(s).")
        return "\n".join(lines)


@tool("documents.list", title="Lister les documents", effect=Effect.READ, untrusted=True)
def list_documents(ctx: ToolContext, args: ListIn) -> DocumentList:
    """Liste les documents déposés que vous pouvez consulter, les plus récents d'abord,
    éventuellement ceux dont le titre contient un mot. Exemples : « quels documents
    avons-nous ? », « liste les contrats »."""
    rows, total = documents.list_documents(
        ctx.session, ctx.principal, search=args.search, limit=args.limit
    )
    return DocumentList(
        total=total,
        documents=[
            DocumentOut(
                id=str(d.id),
                title=d.title,
                kind=d.kind,
                pages=d.pages,
                uploaded_on=d.created_at.date(),
                restricted=bool(d.access_roles),
            )
            for d in rows
        ],
    )


TOOLS: list[Tool] = [search_documents, list_documents]
