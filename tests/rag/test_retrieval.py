"""Hybrid retrieval's full-text side: question words left out, the ranked set bounded, and
the vector-only statement (the benchmark's baseline) reading the same passages."""

from __future__ import annotations

import pytest

from comptoir.bootstrap import Container
from domain.documents.models import Document
from domain.kit.principal import Role
from rag import retrieval
from rag.embeddings import default_embedder
from tests.factories import Account, make_tenant
from tests.rag.test_documents import CONTRACT, upload


def test_question_words_are_left_out_of_the_full_text_query() -> None:
    found = "'quel' & 'le' & 'del' & 'preav' & 'a' & 'resili' & 'contrat'"

    assert retrieval.question_lexemes(found) == ["'del'", "'preav'", "'resili'", "'contrat'"]
    # a question made only of such words keeps them rather than matching nothing
    assert retrieval.question_lexemes("'combien' & 'quel'") == ["'combien'", "'quel'"]


@pytest.fixture(scope="module")
def contract(container: Container) -> tuple[Account, Document]:
    account = make_tenant(container)
    return account, upload(container, account, CONTRACT, "contrat-ndoye.md")


def _search(
    container: Container, account: Account, question: str, *, vector_only: bool = False
) -> list[retrieval.Passage]:
    vector = default_embedder().query(question)
    with container.db.unit_of_work(account.tenant_id) as session:
        return retrieval.search_embedded(
            session, account.principal(Role.SALES), question, vector, vector_only=vector_only
        )


def test_more_matches_than_the_cap_need_two_of_the_question_words(
    container: Container, contract: tuple[Account, Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _ = contract
    question = "le préavis de résiliation du contrat"
    uncapped = [p for p in _search(container, account, question) if p.lexical]

    monkeypatch.setattr(retrieval, "MAX_RANKED", 1)  # every chunk says « contrat »
    capped = [p for p in _search(container, account, question) if p.lexical]

    assert capped, "the chunk holding two of the words is still found by full text"
    assert len(capped) < len(uncapped)
    assert all("préavis" in p.text and "résilier" in p.text for p in capped)


def test_the_vector_only_statement_finds_the_same_passage_without_full_text(
    container: Container, contract: tuple[Account, Document]
) -> None:
    account, document = contract
    question = "combien coûte un retard de paiement ?"

    hybrid = _search(container, account, question)
    vector = _search(container, account, question, vector_only=True)

    assert vector and not any(p.lexical for p in vector)
    assert vector[0].document_id == document.id
    assert "Pénalités" in (hybrid[0].section or "") and "Pénalités" in (vector[0].section or "")


@pytest.mark.parametrize(
    "question",
    ["combien coûte un retard de paiement ?", "le préavis de résiliation du contrat", "où ?"],
)
def test_search_embedding_while_full_text_runs_finds_what_the_embedded_search_finds(
    container: Container, contract: tuple[Account, Document], question: str
) -> None:
    account, _ = contract
    with container.db.unit_of_work(account.tenant_id) as session:
        found = retrieval.search(session, account.principal(Role.SALES), question)
    expected = _search(container, account, question)
    assert found, "the contract answers every question somewhere"
    assert [(p.chunk_id, p.score, p.lexical) for p in found] == [
        (p.chunk_id, p.score, p.lexical) for p in expected
    ]
    assert any(p.lexical for p in found) == (question != "où ?")
