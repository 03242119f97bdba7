"""A scanned supplier bill (a PDF with text, no structured invoice) read by a language model:
its proposal fills the draft only when it holds together (a known supplier, lines that give
the totals printed); otherwise the draft stays empty and the warning says why. The model is
scripted; the reader, the PDF text extraction and the import are the real ones."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from reportlab.pdfgen import canvas

from agents.llm.bill_reader import TOOL, LlmScanReader
from agents.llm.providers import ModelReply, ScriptedChat, ToolCall
from comptoir.bootstrap import Container
from domain.finance.payables.importing import SCAN_WARNING, ImportedBill, import_einvoice
from domain.finance.payables.scan_reading import PROPOSED
from tests.finance_factories import Shop, make_shop
from tests.payables_factories import make_supplier, today_clock

D = Decimal
TEXT = [
    "QUINCAILLERIE DU PORT - FACTURE N° QP-7781 du 02/03/2026",
    "10 x Vis inox 6 mm (boîte) 12,00 EUR HT - TVA 20 %",
    "Total HT 120,00 EUR - TVA 24,00 EUR - Total TTC 144,00 EUR - échéance 01/04/2026",
]


def scanned_pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for i, line in enumerate(lines):
        page.drawString(40, 760 - 18 * i, line)
    page.save()
    return out.getvalue()


def reading(**changes: Any) -> dict[str, Any]:
    proposal: dict[str, Any] = {
        "supplier_name": "Quincaillerie du Port",
        "supplier_number": "QP-7781",
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "lines": [
            {"description": "Vis inox 6 mm", "quantity": "10", "unit_price": "12", "vat_rate": "20"}
        ],
        "total_excl_tax": "120.00",
        "total": "144.00",
    }
    return {**proposal, **changes}


def answered(arguments: dict[str, Any] | None) -> ScriptedChat:
    calls = [ToolCall("c1", TOOL, arguments)] if arguments is not None else []
    return ScriptedChat([ModelReply(text="", tool_calls=calls)])


def _import(container: Container, shop: Shop, model: ScriptedChat) -> ImportedBill:
    with container.db.unit_of_work(shop.tenant_id) as session:
        return import_einvoice(
            session,
            shop.principal,
            today_clock(),
            scanned_pdf(TEXT),
            filename="scan.pdf",
            reader=LlmScanReader(model),
        )


class TestAScanReadByTheModel:
    def test_a_proposal_that_holds_together_fills_the_draft(self, container: Container) -> None:
        shop = make_shop(container)
        make_supplier(container, shop.account, "Quincaillerie du Port")
        model = answered(reading())
        done = _import(container, shop, model)
        bill = done.bill
        assert (bill.status, bill.source, bill.supplier_number) == ("draft", "scan", "QP-7781")
        assert (bill.net_total, bill.tax_total, bill.gross_total) == (D("120"), D("24"), D("144"))
        assert str(bill.due_date) == "2026-04-01"
        assert done.supplier is not None and done.supplier.name == "Quincaillerie du Port"
        assert done.warnings == [PROPOSED]
        # the model was given the PDF's own text and the one tool
        sent = model.calls[0]
        assert "QP-7781" in sent["messages"][0]["content"]
        assert [t["name"] for t in sent["tools"]] == [TOOL]

    def test_lines_that_do_not_give_the_printed_totals_are_not_kept(
        self, container: Container
    ) -> None:
        shop = make_shop(container)
        make_supplier(container, shop.account, "Quincaillerie du Port")
        done = _import(container, shop, answered(reading(total="150.00")))
        assert (done.bill.supplier_id, done.bill.gross_total) == (None, D(0))
        assert done.warnings[0] == SCAN_WARNING and "ne donnent pas" in done.warnings[1]

    def test_an_unknown_supplier_is_never_made_up(self, container: Container) -> None:
        shop = make_shop(container)
        done = _import(container, shop, answered(reading()))
        assert done.bill.supplier_id is None and done.supplier is None
        assert "introuvable" in done.warnings[1]

    def test_no_invoice_in_the_text_leaves_the_empty_draft(self, container: Container) -> None:
        shop = make_shop(container)
        done = _import(container, shop, answered(None))
        assert done.bill.gross_total == D(0)
        assert done.warnings == [SCAN_WARNING, done.warnings[1]]
        assert "n'a pas reconnu" in done.warnings[1]

    def test_an_answer_out_of_shape_is_no_proposal(self, container: Container) -> None:
        shop = make_shop(container)
        make_supplier(container, shop.account, "Quincaillerie du Port")
        done = _import(container, shop, answered(reading(lines=[])))
        assert done.bill.gross_total == D(0) and "n'a pas pu lire" in done.warnings[1]
