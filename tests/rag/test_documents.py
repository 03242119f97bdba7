"""Documents: upload, hybrid search with sources, isolation by tenant and role,
re-indexing, attachments, deletion — against the real database and the real E5 model."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import func, select, text

from comptoir.bootstrap import Container
from domain.documents.models import Document, DocumentChunk
from domain.kit.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from domain.kit.principal import Role
from rag import retrieval
from rag import service as documents
from rag.service import Attachment
from tests.factories import Account, make_tenant
from tests.sales_factories import make_partner

CONTRACT = """# Contrat de prestation — Transports Ndoye

## Article 3 — Durée
Le contrat est conclu pour une durée de douze mois à compter du 1er février 2026.

## Article 5 — Pénalités de retard
Tout retard de paiement entraîne une pénalité de 2 % du montant dû par mois de retard,
ainsi qu'une indemnité forfaitaire de 40 euros pour frais de recouvrement.

## Article 7 — Résiliation
Chaque partie peut résilier le contrat avec un préavis de trois mois par lettre recommandée.
"""

HR_RULES = """# Accord d'entreprise — congés

## Congés pour événements familiaux
Le salarié bénéficie de quatre jours de congé pour son mariage et de trois jours pour la
naissance d'un enfant.
"""

NEW_CONTRACT = CONTRACT.replace("2 % du montant dû", "5 % du montant dû")


def upload(container: Container, account: Account, body: str, name: str, **kw: object) -> Document:
    with container.db.unit_of_work(account.tenant_id) as session:
        return documents.upload(
            session,
            account.principal(),
            body.encode(),
            filename=name,
            **kw,  # type: ignore[arg-type]
        )


def ask(
    container: Container, account: Account, question: str, *roles: Role
) -> list[retrieval.Passage]:
    with container.db.unit_of_work(account.tenant_id) as session:
        return retrieval.search(session, account.principal(*roles), question)


def chunk_count(container: Container, document_id: object) -> int:
    with container.owner_engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM document_chunks WHERE document_id = :d"),
                {"d": document_id},
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def business(container: Container) -> tuple[Account, Document, Document]:
    account = make_tenant(container)
    contract = upload(container, account, CONTRACT, "contrat-ndoye.md")
    rules = upload(container, account, HR_RULES, "accord.md", access_roles=["hr"])
    return account, contract, rules


class TestSearch:
    def test_the_answering_passage_comes_first_with_its_source(
        self, container: Container, business: tuple[Account, Document, Document]
    ) -> None:
        account, contract, _ = business
        best = ask(container, account, "combien on paye de pénalités si on règle en retard ?")[0]
        assert best.document_id == contract.id
        assert "2 % du montant dû" in best.text
        assert best.section is not None and "Pénalités de retard" in best.section
        assert best.relevant
        assert best.source().startswith("Contrat de prestation — Transports Ndoye")
        assert "Article 5 — Pénalités de retard" in best.source()

    def test_a_paraphrase_without_shared_words_is_found_by_the_vectors(
        self, container: Container, business: tuple[Account, Document, Document]
    ) -> None:
        account, _, _ = business
        question = "si on veut arrêter de bosser avec eux, faut prévenir combien de temps avant ?"
        top = ask(container, account, question)[:2]
        assert any("préavis de trois mois" in p.text for p in top)

    def test_an_unrelated_question_finds_nothing_relevant(
        self, container: Container, business: tuple[Account, Document, Document]
    ) -> None:
        account, _, _ = business
        passages = ask(container, account, "quelle est la recette du thiéboudienne ?", Role.HR)
        assert not any(p.relevant for p in passages)


class TestIsolation:
    def test_a_hr_document_never_reaches_sales_even_asked_directly(
        self, container: Container, business: tuple[Account, Document, Document]
    ) -> None:
        account, _, rules = business
        question = "combien de jours de congé pour un mariage ?"
        assert ask(container, account, question, Role.HR)[0].document_id == rules.id
        assert ask(container, account, question)[0].document_id == rules.id  # admin
        assert all(p.document_id != rules.id for p in ask(container, account, question, Role.SALES))
        with container.db.unit_of_work(account.tenant_id) as session:
            sales = account.principal(Role.SALES)
            listed, total = documents.list_documents(session, sales)
            assert rules.id not in {d.id for d in listed} and total == 1
            with pytest.raises(NotFound):
                documents.get(session, sales, rules.id)

    def test_another_tenant_sees_nothing_and_cannot_open_by_id(
        self, container: Container, business: tuple[Account, Document, Document]
    ) -> None:
        _, contract, _ = business
        other = make_tenant(container)
        assert ask(container, other, "pénalités de retard du contrat Ndoye") == []
        with container.db.unit_of_work(other.tenant_id) as session:
            with pytest.raises(NotFound):
                documents.get(session, other.principal(), contract.id)
            # RLS itself: even a raw count of the chunks sees none of the other tenant's.
            assert session.scalar(select(func.count()).select_from(DocumentChunk)) == 0

    def test_restricting_to_a_role_one_does_not_hold_is_refused(self, container: Container) -> None:
        account = make_tenant(container)
        with container.db.unit_of_work(account.tenant_id) as session:
            with pytest.raises(PermissionDenied):
                documents.upload(
                    session,
                    account.principal(Role.SALES),
                    b"# Paie\n\nLes salaires sont vers\xc3\xa9s le 28.",
                    filename="paie.md",
                    access_roles=["hr"],
                )


class TestWrites:
    def test_bad_files_are_refused_in_french_and_nothing_is_written(
        self, container: Container
    ) -> None:
        account = make_tenant(container)
        for data in (b"", b"\x00\x01\x02\xff\xfe" * 50):
            with container.db.unit_of_work(account.tenant_id) as session:
                with pytest.raises(InvalidInput) as info:
                    documents.upload(session, account.principal(), data, filename="x.pdf")
            assert (
                info.value.message[0].isupper()
                and "document" in info.value.message.lower()
                or "fichier" in info.value.message.lower()
            )
        with container.db.unit_of_work(account.tenant_id) as session:
            assert session.scalar(select(func.count()).select_from(Document)) == 0

    def test_the_same_file_twice_is_refused(self, container: Container) -> None:
        account = make_tenant(container)
        upload(container, account, HR_RULES, "a.md")
        with pytest.raises(Conflict) as info:
            upload(container, account, HR_RULES, "b.md")
        assert "déjà été déposé" in info.value.message

    def test_a_document_with_too_many_chunks_is_refused_before_embedding(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(documents, "MAX_CHUNKS", 2)

        class Refusing:
            model_id, dimensions = "none", 384

            def passages(self, texts: list[str]) -> object:
                raise AssertionError("embedded a document over the chunk cap")

            def query(self, text: str) -> object:
                raise AssertionError

        with pytest.raises(InvalidInput, match="trop long") as info:
            documents.index(CONTRACT.encode(), filename="c.md", embedder=Refusing())  # type: ignore[arg-type]
        assert "au plus 2" in info.value.message

    def test_a_copy_the_uploader_cannot_read_is_a_new_document(self, container: Container) -> None:
        account = make_tenant(container)
        hidden = upload(container, account, HR_RULES, "a.md", access_roles=["hr"])
        with container.db.unit_of_work(account.tenant_id) as session:
            mine = documents.upload(
                session, account.principal(Role.SALES), HR_RULES.encode(), filename="b.md"
            )
            assert mine.id != hidden.id and mine.access_roles == []

    def test_replacing_reindexes_and_deleting_removes_chunks(self, container: Container) -> None:
        account = make_tenant(container)
        document = upload(container, account, CONTRACT, "contrat.md")
        before = chunk_count(container, document.id)
        assert before == document.chunk_count > 0
        with container.db.unit_of_work(account.tenant_id) as session:
            replaced = documents.replace(
                session, account.principal(), document.id, NEW_CONTRACT.encode(), filename="v2.md"
            )
            assert replaced.version == 2
        best = ask(container, account, "pénalité de retard de paiement")[0]
        assert "5 % du montant dû" in best.text
        with container.db.unit_of_work(account.tenant_id) as session:
            hits = retrieval.search(session, account.principal(), "2 % du montant dû", limit=20)
            assert not any("2 % du montant dû" in p.text for p in hits)
            documents.delete_document(session, account.principal(), document.id)
        assert chunk_count(container, document.id) == 0
        with container.owner_engine.connect() as conn:
            names = (
                conn.execute(
                    text(
                        "SELECT name FROM domain_events WHERE tenant_id = :t ORDER BY occurred_at"
                    ),
                    {"t": account.tenant_id},
                )
                .scalars()
                .all()
            )
        assert [n for n in names if n.startswith("document.")] == [
            "document.uploaded",
            "document.reindexed",
            "document.deleted",
        ]

    def test_attached_to_a_customer_and_listed_by_it(self, container: Container) -> None:
        account = make_tenant(container)
        customer = make_partner(container, account, name="Transports Ndoye")
        attach = Attachment("customer", customer.id)
        document = upload(container, account, CONTRACT, "contrat.md", attach=attach)
        with container.db.unit_of_work(account.tenant_id) as session:
            listed, _ = documents.list_documents(session, account.principal(), attached=attach)
            assert [d.id for d in listed] == [document.id]
            with pytest.raises(NotFound):
                documents.update(
                    session,
                    account.principal(),
                    document.id,
                    attach=Attachment("employee", uuid4()),
                )


def test_full_text_needs_more_lexemes_only_when_fewer_would_match_too_much() -> None:
    assert retrieval.k_of(["'contrat'", "'preav'", "'contrat'"], 1) == "'contrat' | 'preav'"
    assert retrieval.k_of(["'a'", "'b'"], 3) == "('a' & 'b')"
    assert retrieval.k_of(["'a'", "'b'", "'c'"], 2) == "('a' & 'b') | ('a' & 'c') | ('b' & 'c')"
