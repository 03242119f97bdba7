"""Document parsing: sniffing by content, structure kept per format, French rejections, and
a run with the network cut off that proves nothing is downloaded at run time."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pptx
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rag import pdf_layout
from rag.parsing import (
    DEFAULT_MAX_BYTES,
    MAX_TEXT_CHARS,
    Block,
    DocumentKind,
    DocumentRejected,
    ParsedDocument,
    parse,
    sniff,
)

ROOT = Path(__file__).resolve().parents[2]


# --- fixtures, built in code ----------------------------------------------------------------


def make_pdf(*, encrypt: str | None = None) -> bytes:
    """Three pages: a title, two articles with sub-headings, a table on page 2."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    # The sample Title and Heading1 share one size; a real cover title stands above both.
    cover = ParagraphStyle("Cover", parent=styles["Title"], fontSize=24, leading=30)
    story = [
        Paragraph("Contrat de maintenance", cover),
        Paragraph("Article 1 — Objet", styles["Heading1"]),
        Paragraph(
            "Le présent contrat définit les conditions dans lesquelles le prestataire assure "
            "la maintenance des équipements du client, sur site et à distance.",
            body,
        ),
        PageBreak(),
        Paragraph("Article 5 — Pénalités", styles["Heading1"]),
        Paragraph("5.1 Barème", styles["Heading2"]),
        Paragraph("En cas de retard, les pénalités suivantes s'appliquent de plein droit.", body),
        Spacer(1, 12),
        _pdf_table(),
        PageBreak(),
        Paragraph("Article 6 — Résiliation", styles["Heading1"]),
        Paragraph("Chaque partie peut résilier le contrat avec un préavis de trois mois.", body),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, encrypt=encrypt).build(story)
    return buffer.getvalue()


def _pdf_table() -> Table:
    table = Table(
        [["Retard", "Pénalité"], ["1 à 5 jours", "50 €"], ["Au-delà", "200 €"]],
        colWidths=[150, 150],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]))
    return table


def make_scanned_pdf() -> bytes:
    """A page with only a drawing: what a scan without text layer looks like to us."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.rect(100, 100, 200, 200, fill=1)
    page.showPage()
    page.save()
    return buffer.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Conditions générales de vente", level=1)
    document.add_heading("Article 5 — Pénalités", level=2)
    document.add_paragraph("Tout retard de paiement entraîne des pénalités de retard.")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {
        (0, 0): "Retard",
        (0, 1): "Pénalité",
        (1, 0): "30 jours",
        (1, 1): "40 €",
    }.items():
        table.cell(row, col).text = text
    document.add_heading("Article 6 — Litiges", level=2)
    document.add_paragraph("Le tribunal de commerce de Dakar est seul compétent.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_docx_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A real .docx carrying one more part: zeros that deflate a thousandfold."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        with bomb.open("word/media/padding.bin", "w", force_zip64=True) as part:
            zeros = bytes(1024 * 1024)
            for _ in range(inflated // len(zeros)):
                part.write(zeros)
    return buffer.getvalue()


def make_pdf_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream is spaces that deflate a thousandfold."""
    deflater = zlib.compressobj(9)
    blanks = b" " * (1024 * 1024)
    stream = b"".join(deflater.compress(blanks) for _ in range(inflated // len(blanks)))
    stream += deflater.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    prices = workbook.active
    assert prices is not None
    prices.title = "Tarifs"
    prices.append(["Article", "Prix HT"])
    prices.append(["Vis inox", 1.5])
    prices.append(["Écrou", 0.8])
    stock = workbook.create_sheet("Stock")
    stock.append(["Référence", "Quantité"])
    stock.append(["VIS-01", 120])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_pptx() -> bytes:
    presentation = pptx.Presentation()
    for title, body in (
        ("Bilan 2025", "Le chiffre d'affaires progresse de douze pour cent."),
        ("Perspectives 2026", "Ouverture d'une deuxième boutique à Thiès."),
    ):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        assert slide.shapes.title is not None
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def make_eml() -> bytes:
    message = EmailMessage()
    message["From"] = "Awa Diop <awa@boutique.sn>"
    message["To"] = "compta@comptoir.sn"
    message["Subject"] = "Relance facture F-2025-012"
    message["Date"] = "Mon, 03 Nov 2025 09:00:00 +0000"
    message.set_content("Bonjour,\n\nMerci de régler la facture F-2025-012.\n\nCordialement")
    message.add_alternative(
        "<html><body><h1>Relance</h1><p>Merci de régler la facture F-2025-012 "
        "avant la fin du mois.</p></body></html>",
        subtype="html",
    )
    return message.as_bytes()


HTML = """<!DOCTYPE html>
<html><head><title>Fiche</title></head><body>
<h1>Guide de caisse</h1>
<h2>Ouverture</h2>
<p>Comptez le fond de caisse avant la première vente de la journée.</p>
<ul><li>Billets</li><li>Pièces</li></ul>
<h2>Tarifs</h2>
<table><tr><th>Produit</th><th>Prix</th></tr><tr><td>Café</td><td>500 F</td></tr></table>
</body></html>
""".encode()

MARKDOWN = """# Procédure d'inventaire

## Préparation

Imprimer les listes de comptage la veille de l'inventaire.

- Bloquer les réceptions
- Ranger la réserve

## Comptage

| Zone | Équipe |
|------|--------|
| Réserve | A |
""".encode()

TEXT = (
    "NOTE DE SERVICE\n\n"
    "Le magasin sera fermé le lundi de Pâques. Les commandes passées ce jour-là seront "
    "livrées le mardi suivant.\n"
).encode()


# --- sniffing -------------------------------------------------------------------------------


class TestSniff:
    @pytest.mark.parametrize(
        ("data", "kind"),
        [
            (make_pdf(), DocumentKind.PDF),
            (make_docx(), DocumentKind.DOCX),
            (make_xlsx(), DocumentKind.XLSX),
            (make_pptx(), DocumentKind.PPTX),
            (make_eml(), DocumentKind.EML),
            (HTML, DocumentKind.HTML),
            (MARKDOWN, DocumentKind.MARKDOWN),
            (TEXT, DocumentKind.TEXT),
            ("Réf. 12 — créée à Thiès".encode("cp1252"), DocumentKind.TEXT),
        ],
    )
    def test_kind_comes_from_content(self, data: bytes, kind: DocumentKind) -> None:
        assert sniff(data) is kind
        assert sniff(data, filename="piece-jointe.txt") is kind or kind is DocumentKind.TEXT

    def test_a_misnamed_pdf_is_still_a_pdf(self) -> None:
        assert parse(make_pdf(), filename="x.txt").kind is DocumentKind.PDF

    def test_a_pdf_name_does_not_make_text_a_pdf(self) -> None:
        assert sniff(TEXT, filename="contrat.pdf") is DocumentKind.TEXT

    def test_file_name_breaks_the_tie_between_text_and_markdown(self) -> None:
        plain = b"Liste des courses\n\n- riz\n- huile\n"
        assert sniff(plain, filename="courses.md") is DocumentKind.MARKDOWN
        assert sniff(plain, filename="courses.txt") is DocumentKind.TEXT
        assert sniff(plain) is DocumentKind.TEXT

    def test_random_binary_is_rejected_in_french(self) -> None:
        noise = random.Random(7).randbytes(4096)
        with pytest.raises(DocumentRejected, match="Format de fichier non pris en charge") as err:
            parse(noise, filename="notes.txt")
        assert err.value.reason == "unsupported"

    def test_a_zip_that_is_not_office_is_rejected(self) -> None:
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("photo.txt", "bonjour")
        with pytest.raises(DocumentRejected, match="non pris en charge"):
            parse(buffer.getvalue(), filename="rapport.docx")

    def test_old_office_format_says_what_to_do(self) -> None:
        ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
        with pytest.raises(DocumentRejected, match="enregistrez-le au format .docx"):
            parse(ole2)


# --- structure per format -------------------------------------------------------------------


def blocks_of(document: ParsedDocument, category: str) -> list[Block]:
    return [block for block in document.blocks if block.category == category]


class TestPdf:
    def test_titles_sections_table_and_pages(self) -> None:
        document = parse(make_pdf(), filename="contrat.pdf")

        assert document.kind is DocumentKind.PDF
        assert document.pages == 3
        assert document.title == "Contrat de maintenance"
        titles = {block.text: block for block in blocks_of(document, "title")}
        assert titles["Contrat de maintenance"].level == 1
        assert titles["Article 5 — Pénalités"].page == 2
        assert titles["5.1 Barème"].level > titles["Article 5 — Pénalités"].level
        [table] = blocks_of(document, "table")
        assert table.text.splitlines() == [
            "Retard | Pénalité",
            "1 à 5 jours | 50 €",
            "Au-delà | 200 €",
        ]
        assert table.page == 2
        assert table.section == "Contrat de maintenance > Article 5 — Pénalités > 5.1 Barème"
        termination = next(b for b in document.blocks if b.text.startswith("Chaque partie"))
        assert termination.page == 3
        assert termination.section == "Contrat de maintenance > Article 6 — Résiliation"

    def test_encrypted_pdf_is_rejected(self) -> None:
        with pytest.raises(DocumentRejected, match="protégé par un mot de passe") as err:
            parse(make_pdf(encrypt="secret"))
        assert err.value.reason == "encrypted"

    def test_damaged_pdf_is_rejected(self) -> None:
        damaged = make_pdf()[:400]
        with pytest.raises(DocumentRejected, match="illisible|aucun texte|pas de texte"):
            parse(damaged)

    def test_scanned_pdf_is_rejected_as_without_text(self) -> None:
        with pytest.raises(DocumentRejected, match="OCR") as err:
            parse(make_scanned_pdf())
        assert err.value.reason == "empty"


class TestOffice:
    def test_docx_headings_sections_and_table(self) -> None:
        document = parse(make_docx(), filename="cgv.docx")

        assert document.kind is DocumentKind.DOCX
        assert document.title == "Conditions générales de vente"
        assert [(b.text, b.level) for b in blocks_of(document, "title")] == [
            ("Conditions générales de vente", 1),
            ("Article 5 — Pénalités", 2),
            ("Article 6 — Litiges", 2),
        ]
        [table] = blocks_of(document, "table")
        assert table.text == "Retard | Pénalité\n30 jours | 40 €"
        assert table.section == "Conditions générales de vente > Article 5 — Pénalités"
        court = next(b for b in document.blocks if "tribunal" in b.text)
        assert court.category == "text"
        assert court.section == "Conditions générales de vente > Article 6 — Litiges"
        assert court.page is None and document.pages is None

    def test_xlsx_one_section_per_sheet(self) -> None:
        document = parse(make_xlsx(), filename="tarifs-2025.xlsx")

        assert document.kind is DocumentKind.XLSX
        assert document.title == "tarifs-2025"
        tables = blocks_of(document, "table")
        assert [t.section for t in tables] == ["Tarifs", "Stock"]
        assert "Vis inox | 1.5" in tables[0].text.splitlines()
        assert "Référence | Quantité" in tables[1].text.splitlines()

    def test_pptx_slides_are_pages(self) -> None:
        document = parse(make_pptx(), filename="bilan.pptx")

        assert document.kind is DocumentKind.PPTX
        assert document.pages == 2
        assert document.title == "Bilan 2025"
        outlook = next(b for b in document.blocks if b.text == "Perspectives 2026")
        assert outlook.category == "title" and outlook.page == 2
        shop = next(b for b in document.blocks if "boutique" in b.text)
        assert shop.page == 2 and shop.section == "Perspectives 2026"

    def test_office_file_bigger_than_its_limit_once_unzipped_is_rejected(self) -> None:
        data = make_docx()
        with pytest.raises(DocumentRejected, match="décompressé") as err:
            parse(data, max_bytes=len(data) + 1)
        assert err.value.reason == "too_large"


class TestWebAndText:
    def test_html_headings_list_and_table(self) -> None:
        document = parse(HTML)

        assert document.title == "Guide de caisse"
        assert [b.text for b in blocks_of(document, "list")] == ["Billets", "Pièces"]
        assert blocks_of(document, "list")[0].section == "Guide de caisse > Ouverture"
        [table] = blocks_of(document, "table")
        assert table.text == "Produit | Prix\nCafé | 500 F"
        assert table.section == "Guide de caisse > Tarifs"

    def test_markdown_headings_list_and_table(self) -> None:
        document = parse(MARKDOWN, filename="inventaire.md")

        assert document.kind is DocumentKind.MARKDOWN
        assert document.title == "Procédure d'inventaire"
        assert blocks_of(document, "list")[1].text == "Ranger la réserve"
        [table] = blocks_of(document, "table")
        assert table.text == "Zone | Équipe\nRéserve | A"
        assert table.section == "Procédure d'inventaire > Comptage"

    def test_plain_text(self) -> None:
        document = parse(TEXT, filename="note.txt")

        assert document.kind is DocumentKind.TEXT
        assert document.title == "NOTE DE SERVICE"
        closing = next(b for b in document.blocks if "lundi de Pâques" in b.text)
        assert closing.category == "text" and closing.section == "NOTE DE SERVICE"

    def test_windows_1252_text_is_decoded(self) -> None:
        data = "Reçu n° 12\n\nPayé en espèces à Thiès, merci de votre visite.".encode("cp1252")
        document = parse(data, filename="recu.txt")

        assert "Payé en espèces à Thiès" in " ".join(b.text for b in document.blocks)

    def test_text_without_title_takes_the_file_name(self) -> None:
        data = "payé en espèces, merci de votre visite et à bientôt.".encode()
        assert parse(data, filename="reçu du 3 mars.txt").title == "reçu du 3 mars"

    def test_email_subject_headers_and_html_body(self) -> None:
        document = parse(make_eml(), filename="relance.eml")

        assert document.kind is DocumentKind.EML
        assert document.title == "Relance facture F-2025-012"
        headers = document.blocks[0].text
        assert "De : Awa Diop <awa@boutique.sn>" in headers and "À : compta@comptoir.sn" in headers
        body = next(b for b in document.blocks if "avant la fin du mois" in b.text)
        assert body.section == "Relance"


class TestBounds:
    """Bombs and floods are refused before they are inflated or parsed whole."""

    @pytest.mark.parametrize(
        ("make", "name"), [(make_docx_bomb, "x.docx"), (make_pdf_bomb, "x.pdf")]
    )
    def test_bomb_is_refused_without_inflating_it(self, make: Any, name: str) -> None:
        data = make()
        assert len(data) < 2 * 1024 * 1024
        tracemalloc.start()
        try:
            with pytest.raises(DocumentRejected, match="décompressé dépasse 64 Mo") as err:
                parse(data, filename=name)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert err.value.reason == "too_large"
        # Inflated whole, the bomb alone would take 200 Mo; bounded, at most twice the cap.
        assert peak < 150 * 1024 * 1024

    def test_pdf_longer_than_the_page_cap(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(pdf_layout, "MAX_PAGES", 2)
        with pytest.raises(DocumentRejected, match="dépasse 2 pages") as err:
            parse(make_pdf())
        assert err.value.reason == "too_large"

    def test_text_longer_than_the_cap_is_refused_before_parsing(self) -> None:
        data = ("Une phrase de texte. " * (MAX_TEXT_CHARS // 20)).encode()
        with pytest.raises(DocumentRejected, match="trop long") as err:
            parse(data, filename="long.txt")
        assert err.value.reason == "too_large"


class TestRejections:
    def test_over_size_says_the_limit_in_mo(self) -> None:
        with pytest.raises(DocumentRejected, match="taille maximale est de 1 Mo") as err:
            parse(b"a" * (1024 * 1024 + 1), max_bytes=1024 * 1024)
        assert err.value.reason == "too_large"
        assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024

    @pytest.mark.parametrize("data", [b"", b"   \n\t  "])
    def test_empty_document(self, data: bytes) -> None:
        with pytest.raises(DocumentRejected, match="vide") as err:
            parse(data)
        assert err.value.reason == "empty"

    def test_damaged_docx_is_unreadable(self) -> None:
        data = bytearray(make_docx())
        data[len(data) // 2 : len(data) // 2 + 200] = bytes(200)
        with pytest.raises(DocumentRejected, match="illisible ou endommagé") as err:
            parse(bytes(data))
        assert err.value.reason == "unreadable"

    def test_rejection_is_a_value_error_with_a_domain_code(self) -> None:
        with pytest.raises(ValueError, match="vide"):
            parse(b"")
        assert DocumentRejected("x", reason="empty").code == "document_rejected"


# --- offline proof --------------------------------------------------------------------------

_NO_NETWORK = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("network is disabled in this test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
"""

_PARSE_ALL = """
import sys
from pathlib import Path
from rag.parsing import parse

for path in sorted(Path(sys.argv[1]).iterdir()):
    document = parse(path.read_bytes(), filename=path.name)
    assert document.blocks, path.name
    print(path.name, document.kind, len(document.blocks))
"""


class TestOffline:
    def test_every_kind_parses_with_the_network_cut(self, tmp_path: Path) -> None:
        """The CI proof: a fresh interpreter whose sockets refuse to connect parses every
        kind, so nothing (spaCy model, telemetry, language data) is fetched at run time."""
        startup = tmp_path / "startup"
        startup.mkdir()
        (startup / "sitecustomize.py").write_text(textwrap.dedent(_NO_NETWORK))
        samples = tmp_path / "samples"
        samples.mkdir()
        fixtures = {
            "contrat.pdf": make_pdf(),
            "cgv.docx": make_docx(),
            "tarifs.xlsx": make_xlsx(),
            "bilan.pptx": make_pptx(),
            "relance.eml": make_eml(),
            "guide.html": HTML,
            "inventaire.md": MARKDOWN,
            "note.txt": TEXT,
        }
        for name, data in fixtures.items():
            (samples / name).write_bytes(data)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"SCARF_NO_ANALYTICS", "DO_NOT_TRACK", "UNSTRUCTURED_DISABLE_NOTICE"}
        }
        env["PYTHONPATH"] = os.pathsep.join([str(startup), str(ROOT)])

        result = subprocess.run(
            [sys.executable, "-c", _PARSE_ALL, str(samples)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

        assert result.returncode == 0, result.stderr[-3000:]
        assert len(result.stdout.splitlines()) == len(fixtures), result.stdout

    def test_the_socket_guard_really_blocks(self, tmp_path: Path) -> None:
        """Without this, the test above could pass with a guard that does nothing."""
        (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(_NO_NETWORK))
        probe = "import socket\nsocket.create_connection(('127.0.0.1', 9))"
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0 and "network is disabled" in result.stderr
