"""The case format's turns: when each one happens (one minute after the previous one,
``at`` for its own time, ``advance_to`` to move the clock without a message), and the
turns the format refuses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evals.cases import Case, CaseFormatError, load_cases


def case(*turns: dict[str, Any], **fields: Any) -> Case:
    return Case.model_validate({"id": "t", **fields, "turns": list(turns)})


def test_each_turn_comes_one_minute_after_the_previous_one() -> None:
    moments = case({"user": "a"}, {"user": "b"}, {"user": "c"}).schedule()
    assert moments == [datetime(2026, 3, 16, 10, m) for m in (0, 1, 2)]


def test_at_sets_a_turns_time_and_the_next_ones_follow_it() -> None:
    moments = case(
        {"user": "a"},
        {"user": "je pars", "at": "2026-03-16T18:05"},
        {"user": "b"},
        {"user": "le lendemain", "at": "2026-03-17T08:30:00"},
        {"user": "même jour", "at": "12:00"},  # a bare time: the previous turn's day
        today="2026-03-16T09:00:00",
    ).schedule()
    assert moments == [
        datetime(2026, 3, 16, 9, 0),
        datetime(2026, 3, 16, 18, 5),
        datetime(2026, 3, 16, 18, 6),
        datetime(2026, 3, 17, 8, 30),
        datetime(2026, 3, 17, 12, 0),
    ]
    first = case({"user": "a", "at": "2026-03-16T11:00"}).schedule()
    assert first == [datetime(2026, 3, 16, 11, 0)]


def test_advance_to_moves_the_clock_without_a_message() -> None:
    c = case({"user": "a"}, {"advance_to": "2026-03-23T08:05"}, {"user": "b"})
    assert c.turns[1].user is None
    assert c.schedule()[1:] == [datetime(2026, 3, 23, 8, 5), datetime(2026, 3, 23, 8, 6)]


@pytest.mark.parametrize(
    ("turns", "says"),
    [
        ([{"user": "a"}, {"user": "b", "at": "2026-03-16T09:00"}], "time never goes back"),
        ([{"user": "a"}, {"advance_to": "2026-03-15T09:00"}], "time never goes back"),
        ([{"user": "a", "at": "09:59"}], "time never goes back"),
        ([{"advance_to": "2026-03-20T09:00", "user": "x"}], "advance_to turn holds no user"),
        ([{"advance_to": "2026-03-20T09:00", "at": "2026-03-20T09:00"}], "no user, at"),
        ([{"expect_reply": {"contains": ["x"]}}], "either user or advance_to"),
        ([{"user": "a", "at": "2026-03-16T18:05:00+01:00"}], "without a time zone"),
        ([{"user": "a", "wait": 5}], "Extra inputs"),
    ],
)
def test_turns_the_format_refuses(turns: list[dict[str, Any]], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        case(*turns)


def test_a_bad_turn_fails_the_load_naming_file_and_case(tmp_path: Path) -> None:
    dataset = tmp_path / "c.yaml"
    dataset.write_text(
        "- id: back\n  turns:\n    - user: a\n    - user: b\n      at: '2026-03-01T10:00'\n"
    )
    with pytest.raises(CaseFormatError, match="(?s)c.yaml: case back: .*time never goes back"):
        load_cases([dataset])
