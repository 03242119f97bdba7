"""``update_versioned``: one UPDATE with the ORM's optimistic version check — a stale copy
of a versioned row cannot overwrite a concurrent change — and the object left as if
flushed (values committed, version and ``updated_at`` moved on)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from comptoir.bootstrap import Container
from domain.finance.models import Invoice
from domain.kit.versioned import update_versioned
from tests.finance_factories import Shop, draft_invoice, make_shop


@pytest.fixture(scope="module")
def shop(container: Container) -> Shop:
    return make_shop(container)


def _read(container: Container, shop: Shop, invoice_id: object) -> Invoice:
    with container.db.unit_of_work(shop.tenant_id) as session:
        found = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        assert found is not None
        return found


class TestUpdateVersioned:
    def test_writes_the_row_and_moves_the_version_on(
        self, container: Container, shop: Shop
    ) -> None:
        draft = draft_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoice = session.get(Invoice, (shop.tenant_id, draft.id))
            assert invoice is not None
            before = (invoice.version, invoice.updated_at)
            update_versioned(session, invoice, notes="livrer le matin", due_date=date(2026, 9, 1))
            assert not session.dirty  # nothing left for a flush to write again
            assert (invoice.notes, invoice.version) == ("livrer le matin", before[0] + 1)
            assert invoice.updated_at > before[1]
        stored = _read(container, shop, draft.id)
        assert (stored.notes, stored.due_date) == ("livrer le matin", date(2026, 9, 1))
        assert (stored.version, stored.updated_at) == (before[0] + 1, invoice.updated_at)

    def test_a_stale_copy_is_refused(self, container: Container, shop: Shop) -> None:
        draft = draft_invoice(container, shop)

        def overwrite_after_a_concurrent_change() -> None:
            with container.db.unit_of_work(shop.tenant_id) as first:
                stale = first.get(Invoice, (shop.tenant_id, draft.id))
                assert stale is not None
                with container.db.unit_of_work(shop.tenant_id) as second:
                    fresh = second.get(Invoice, (shop.tenant_id, draft.id))
                    assert fresh is not None
                    update_versioned(second, fresh, notes="gagnant")
                update_versioned(first, stale, notes="perdant")

        with pytest.raises(StaleDataError):
            overwrite_after_a_concurrent_change()
        assert _read(container, shop, draft.id).notes == "gagnant"

    def test_pending_changes_are_flushed_first(self, container: Container, shop: Shop) -> None:
        draft = draft_invoice(container, shop)
        with container.db.unit_of_work(shop.tenant_id) as session:
            invoice = session.get(Invoice, (shop.tenant_id, draft.id))
            assert invoice is not None
            invoice.buyer_reference = "BC-7"  # pending: the ORM's flush writes it first
            version = invoice.version
            update_versioned(session, invoice, notes="ensemble")
            assert invoice.version == version + 2
        stored = _read(container, shop, draft.id)
        assert (stored.buyer_reference, stored.notes) == ("BC-7", "ensemble")
