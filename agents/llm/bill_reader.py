"""A scanned supplier bill read by the configured language model.

The model gets the PDF's text and one tool, ``propose_supplier_bill``, whose parameters are
the bill's fields; its call is checked against ``BillReading`` (a call out of shape is no
reading). What the reading becomes — and the rule that nothing unchecked is kept — is
``domain.finance.payables.scan_reading``'s.
"""

from __future__ import annotations

from typing import Any

from agents.llm.providers import ChatModel
from domain.finance.payables.scan_reading import BillReading

TOOL = "purchasing.propose_supplier_bill"
SYSTEM = (
    "Tu lis le texte d'une facture de fournisseur reçue en PDF par une petite entreprise. "
    "Appelle l'outil une seule fois avec ce que la facture dit : le nom du fournisseur (celui "
    "qui facture, pas le client), son numéro de facture, la date de facture et l'échéance "
    "(AAAA-MM-JJ), chaque ligne avec sa quantité, son prix unitaire HORS TAXE et son taux de "
    "TVA en pourcentage, et les totaux HT et TTC imprimés. N'invente rien : si le texte n'est "
    "pas une facture ou qu'un de ces champs manque, n'appelle pas l'outil."
)


def _schema() -> dict[str, Any]:
    schema = BillReading.model_json_schema()
    return {
        "name": TOOL,
        "description": "Propose le brouillon de la facture fournisseur lue dans le PDF.",
        "parameters": schema,
    }


class LlmScanReader:
    """``ScanReader`` backed by a chat model."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def read(self, text: str) -> BillReading | None:
        reply = self.model.complete(
            system=SYSTEM,
            messages=[{"role": "user", "content": text}],
            tools=[_schema()],
        )
        calls = [c for c in reply.tool_calls if c.name == TOOL]
        if len(calls) != 1:
            return None
        return BillReading.model_validate(calls[0].arguments)
