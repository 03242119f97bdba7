"""The French e-invoicing lifecycle statuses and the CDAR message that carries one.

Codes are those of the reform's lifecycle (external specifications, « cycle de vie »):
the platform emits 200-203 and 213, the buyer 204-210, the seller 211-212 (Encaissée is
mandatory for services whose VAT is due on receipt). ``REASON_REQUIRED``: a rejection, a
refusal or a dispute says why.

The message is a UN/CEFACT CrossDomainAcknowledgementAndResponse (CDAR) document reduced to
what the business needs: the status code, the invoice (number, issue year, issuer SIREN),
the reason and the time. It is not validated against the CDAR D22B schema nor the
XP Z12-012 lifecycle profile: the platform adapter is where a stricter message would be
built.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from domain.finance.einvoicing.platform import LifecycleMessage
from domain.kit.errors import InvalidInput

STATUSES: dict[int, tuple[str, str]] = {
    200: ("deposee", "Déposée"),
    201: ("emise", "Émise par la plateforme"),
    202: ("recue", "Reçue par la plateforme"),
    203: ("mise_a_disposition", "Mise à disposition"),
    204: ("prise_en_charge", "Prise en charge"),
    205: ("approuvee", "Approuvée"),
    206: ("approuvee_partiellement", "Approuvée partiellement"),
    207: ("en_litige", "En litige"),
    208: ("suspendue", "Suspendue"),
    209: ("completee", "Complétée"),
    210: ("refusee", "Refusée"),
    211: ("paiement_transmis", "Paiement transmis"),
    212: ("encaissee", "Encaissée"),
    213: ("rejetee", "Rejetée"),
}
CODES = {name: code for code, (name, _) in STATUSES.items()}
REASON_REQUIRED = {207, 208, 210, 213}
BUYER_CODES = {204, 205, 206, 207, 208, 210, 211}  # what a buyer may send about a bill
SELLER_CODES = {212}  # what a seller sends about its invoice

NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NSMAP = {"rsm": NS, "ram": RAM}


def status_name(code: int) -> str:
    return STATUSES[code][0]


def status_label(code: int) -> str:
    return STATUSES[code][1]


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}")
    if text is not None:
        element.text = text
    return element


def write_cdar(message: LifecycleMessage, *, message_id: str) -> bytes:
    """The CDAR document announcing ``message``."""
    root = etree.Element(f"{{{NS}}}CrossDomainAcknowledgementAndResponse", nsmap=NSMAP)
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", message_id)
    _sub(document, "ram:IssueDateTime", message.occurred_at.astimezone(UTC).isoformat())
    ack = _sub(root, "rsm:AcknowledgementDocument")
    referenced = _sub(ack, "ram:ReferenceReferencedDocument")
    _sub(referenced, "ram:IssuerAssignedID", message.invoice_number)
    _sub(referenced, "ram:ProcessConditionCode", str(message.code))
    _sub(referenced, "ram:ProcessCondition", status_label(message.code))
    if message.issuer_siren:
        issuer = _sub(referenced, "ram:IssuerTradeParty")
        _sub(issuer, "ram:ID", message.issuer_siren).set("schemeID", "0002")
    if message.reason:
        status = _sub(referenced, "ram:SpecifiedDocumentStatus")
        _sub(status, "ram:Reason", message.reason)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _text(root: etree._Element, path: str) -> str | None:
    found = root.find(path, NSMAP)
    return found.text.strip() if found is not None and found.text else None


def read_cdar(data: bytes) -> LifecycleMessage:
    """The status a CDAR document carries; a French refusal when it is not one."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput("Message de cycle de vie illisible.", field="file") from exc
    ref = "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument"
    code, number = (
        _text(root, f"{ref}/ram:ProcessConditionCode"),
        _text(root, f"{ref}/ram:IssuerAssignedID"),
    )
    when = _text(root, "rsm:ExchangedDocument/ram:IssueDateTime")
    if not code or not code.isdigit() or int(code) not in STATUSES or not number or not when:
        raise InvalidInput("Message de cycle de vie incomplet ou inconnu.", field="file")
    return LifecycleMessage(
        code=int(code),
        invoice_number=number,
        issuer_siren=_text(root, f"{ref}/ram:IssuerTradeParty/ram:ID"),
        reason=_text(root, f"{ref}/ram:SpecifiedDocumentStatus/ram:Reason"),
        occurred_at=datetime.fromisoformat(when),
    )
