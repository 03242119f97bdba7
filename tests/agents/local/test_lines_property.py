"""A document's lines are never dropped silently: for a message built from one to five
catalog lines in varied French (« 3 sacs de riz, 2 bidons d'huile et une livraison »), the
local tier either proposes every line, each with its quantity, or asks. No database: the
router, the adapters and the registry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.local.understanding import LocalTier, Memory
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)
WORDS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 10: "dix", 12: "douze"}
# (how it is counted, what is counted): « 3 sacs de riz », « 2 heures d'installation ».
ITEMS = [
    ("sacs de", "riz parfumé"),
    ("bidons d'", "huile végétale"),
    ("cartons de", "sucre"),
    ("", "lampadaires arc"),
    ("kg de", "farine de mil"),
    ("bouteilles d'", "eau minérale"),
    ("heures d'", "installation"),
    ("paquets de", "thé vert"),
    ("", "ampoules LED"),
    ("pots de", "beurre de karité"),
]
TEMPLATES = [
    "facture pour Diallo SARL : {lines}",
    "fais un devis à Boutique Fall pour {lines}",
    "crée une facture à Awa Ndiaye, {lines}",
    "devis pour l'Hôtel Teranga : {lines} stp",
    "{lines}, c'est pour Garage Ndoye, fais la facture",
]
SEPARATORS = [", ", " et ", " + ", "; "]


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, list[tuple[Decimal, str]]]:
    chosen = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=5, unique=True))
    said, expected = [], []
    for counted, item in chosen:
        value = draw(st.sampled_from([1, 2, 3, 4, 5, 6, 10, 12, 25, 40]))
        written = WORDS[value] if value in WORDS and draw(st.booleans()) else str(value)
        if value == 1 and not counted and draw(st.booleans()):
            written = "une" if item.startswith("ampoule") else "un"
        glue = "" if counted.endswith("'") else " "
        said.append(f"{written} {counted}{glue}{item}".replace("  ", " "))
        expected.append((Decimal(value), item))
    separators = [draw(st.sampled_from(SEPARATORS)) for _ in said[1:]]
    lines = said[0] + "".join(s + x for s, x in zip(separators, said[1:], strict=True))
    return draw(st.sampled_from(TEMPLATES)).format(lines=lines), expected


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=messages())
def test_every_line_is_proposed_or_the_agent_asks(
    local: LocalTier, case: tuple[str, list[tuple[Decimal, str]]]
) -> None:
    message, expected = case
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    plan = local.understand(message, Memory(), principal, today=TODAY, currency="XOF")
    if plan.kind != "tool":
        assert plan.kind in ("reply", "llm") and plan.text, message
        return
    lines = plan.arguments.get("lines") or []
    assert len(lines) == len(expected), (message, lines)
    proposed = sorted(Decimal(str(line["quantity"])) for line in lines)
    assert proposed == sorted(value for value, _ in expected), (message, lines)
