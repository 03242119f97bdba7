from __future__ import annotations

import dataclasses
import io
import re

from pypdf import PdfReader

from domain.finance.documents.model import PrintableDocument
from domain.finance.documents.pdf import render_pdf
from tests.domain.finance.documents import factories, pdf_inspect


def _pages(doc: PrintableDocument) -> list[str]:
    """Extracted text per page, spaces (incl. no-break ones) collapsed to one."""
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _text(doc: PrintableDocument) -> str:
    return " ".join(_pages(doc))


class TestRenderPdf:
    def test_french_invoice_shows_number_totals_and_mentions(self) -> None:
        text = _text(factories.fr_invoice())
        for expected in [
            "Facture",
            "N° F-2026-00042",
            "Date d'émission : 15/01/2026",
            "Date d'échéance : 14/02/2026",
            "Boulangerie Éclair & Fils",
            "Ouvrage « Gérer sa boulangerie » – édition 2026",
            "Total HT 1 505,53 €",
            "Total TVA 262,44 €",
            "Total TTC 1 767,97 €",
            "Net à payer 1 767,97 €",
            "TVA 5,5 % 113,53 € 6,24 €",
            "SARL au capital de 10 000 €",
            "SIRET : 12345678900017",
            "N° TVA : FR32123456789",
            "IBAN : FR76 3000 6000 0112 3456 7890 189",
            "Indemnité forfaitaire pour frais de recouvrement",
            "40 €",
            "Pas d'escompte pour paiement anticipé.",
            "Page 1/1",
        ]:
            assert expected in text, expected
        assert "Arrêtée" not in text  # the amount in words is an OHADA mention

    def test_senegalese_invoice_states_the_amount_in_words(self) -> None:
        text = _text(factories.sn_invoice())
        assert (
            "Arrêtée la présente facture à la somme de quatre cent vingt-quatre mille deux cent "
            "soixante-dix-sept francs CFA (424 277 FCFA)"
        ) in text
        for expected in [
            "NINEA : 005678912 2V2",
            "RCCM SN-DKR-2020-B-1234",
            "Déjà payé -100 000 FCFA",
            "Net à payer 324 277 FCFA",
            "Exonéré 150 000 FCFA 0 FCFA",
            factories.SN_EXEMPTION,
        ]:
            assert expected in text, expected

    def test_quote_title_validity_and_wording(self) -> None:
        text = _text(factories.quote())
        for expected in ["Devis", "N° D-2026-0011", "Version 2", "Valable jusqu'au : 04/02/2026"]:
            assert expected in text, expected
        assert "Net à payer" not in text
        assert "Bon pour accord" in text
        assert "Arrêté le présent devis à la somme de" in _text(factories.quote(country="SN"))

    def test_credit_note_names_the_invoice_it_reverses(self) -> None:
        text = _text(factories.credit_note())
        assert "Avoir" in text and "N° AV-2026-00003" in text
        assert "Avoir sur la facture N° F-2026-00042 du 15/01/2026" in text
        assert "Total TTC 486,00 €" in text

    def test_deposit_invoice_title(self) -> None:
        assert "Facture d'acompte" in _text(factories.deposit_invoice())

    def test_many_lines_break_across_numbered_pages(self) -> None:
        pages = _pages(factories.fr_long_invoice(lines=70))
        total = len(pages)
        assert total >= 2
        for number, page in enumerate(pages, start=1):
            assert f"Page {number}/{total}" in page
        assert "Désignation" in pages[-1]  # the table header repeats
        assert "(suite)" in pages[1]
        assert "Prestation de maintenance n° 70" in pages[-1]
        assert "Net à payer 8 064,00 €" in pages[-1]

    def test_every_font_is_embedded(self) -> None:
        pdf = render_pdf(factories.sn_invoice())
        assert len(pdf_inspect.fonts(pdf)) >= 2
        assert pdf_inspect.unembedded_fonts(pdf) == []
        assert "/OutputIntents" in pdf_inspect.catalog(pdf)

    def test_text_with_markup_characters_is_printed_as_is(self) -> None:
        doc = factories.fr_invoice()
        line = dataclasses.replace(doc.lines[0], description="Câble <HDMI> & adaptateur")
        text = _text(dataclasses.replace(doc, lines=[line, *doc.lines[1:]]))
        assert "Câble <HDMI> & adaptateur" in text
