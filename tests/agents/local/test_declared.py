"""Intents declared as data: every declaration reads, names real fields of its tool, and
asks only for real fields; the generic extractor reads each kind of slot."""

from __future__ import annotations

from datetime import date

import pytest

from agents.local.declared import READERS, every_adapter, extractor
from agents.local.router import load_intents
from agents.local.slots import analyse
from tools.registry import default_registry

TODAY = date(2026, 3, 16)


def test_every_declared_slot_and_question_names_a_field_of_its_tool() -> None:
    registry = default_registry()
    declared = [s for s in load_intents() if s.slots is not None or s.ask]
    assert len(declared) >= 20
    for spec in declared:
        tool = registry.get(spec.name)
        assert tool is not None, spec.name
        fields = set(tool.input_model.model_fields)
        assert set(spec.slots or {}) <= fields, spec.name
        assert set(spec.ask or {}) <= fields, spec.name
        assert all(slot["kind"] in READERS for slot in (spec.slots or {}).values())


def test_questions_declared_come_first_and_code_keeps_its_own() -> None:
    adapters = every_adapter()
    assert list(adapters["sales.log_activity"].ask) == ["kind", "partner", "subject"]
    assert adapters["stock.issue"].ask["reason"].startswith("Pour quel motif")


@pytest.mark.parametrize(
    ("slots", "message", "expected"),
    [
        (
            {"status": {"kind": "choice", "choices": {"paid": ["paye"], "overdue": ["retard"]}}},
            "les factures en retard",
            {"status": "overdue"},
        ),
        ({"mine": {"kind": "flag", "words": ["mes "]}}, "mes rendez-vous", {"mine": True}),
        ({"within_days": {"kind": "days"}}, "dans les 3 prochains mois", {"within_days": 90}),
        (
            {"start": {"kind": "period_start"}, "end": {"kind": "period_end"}},
            "en février",
            {"start": date(2026, 2, 1), "end": date(2026, 2, 28)},
        ),
        (
            {"invoice": {"kind": "document", "prefixes": ["F-"]}},
            "détail de la F-2026-00012 et du D-2026-00001",
            {"invoice": "F-2026-00012"},
        ),
        (
            {"query": {"kind": "lookup", "markers": ["client"]}},
            "le client C00042",
            {"query": "C00042"},
        ),
        (
            {"partner": {"kind": "name", "markers": [["avec"], ["de"]]}},
            "rdv de Sow",
            {"partner": "Sow"},
        ),
        ({"partner": {"kind": "name", "markers": ["avec"]}}, "rien à voir", {}),
        (
            {"within_days": {"kind": "days", "words": {"ce mois": 31}}},
            "les CDD qui finissent ce mois-ci",
            {"within_days": 31},
        ),
        (
            {"start": {"kind": "period_start"}, "end": {"kind": "last_day"}},
            "qui est absent lundi et mardi prochains ?",
            {"start": date(2026, 3, 23), "end": date(2026, 3, 24)},
        ),
        (
            {"question": {"kind": "text"}},
            "  que dit   la convention sur le préavis ? ",
            {"question": "que dit la convention sur le préavis ?"},
        ),
        ({"question": {"kind": "text"}}, " ? ", {}),
        (
            {"search": {"kind": "part", "words": ["contrat", "procedure"]}},
            "montre-moi les procédures",
            {"search": "procedure"},
        ),
        (
            {"document": {"kind": "file"}},
            "importe la facture LD-0912.xml reçue ce matin",
            {"document": "LD-0912.xml"},
        ),
        ({"order": {"kind": "document", "prefixes": ["BC-"]}}, "envoie-le", {}),
    ],
)
def test_each_kind_of_slot(slots: dict, message: str, expected: dict) -> None:  # type: ignore[type-arg]
    assert extractor(slots)(analyse(message, today=TODAY)) == expected


def test_an_unknown_kind_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match="unknown slot kinds"):
        extractor({"x": {"kind": "telepathy"}})
