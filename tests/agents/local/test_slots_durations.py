from decimal import Decimal

import pytest

from agents.local.slots import parse_durations


class TestParseDurations:
    @pytest.mark.parametrize(
        ("text", "days", "minutes"),
        [
            ("3 jours", "3", None),
            ("trois jours", "3", None),
            ("une demi-journée", "0.5", None),
            ("une demi journée", "0.5", None),
            ("une journée", "1", None),
            ("2 jours et demi", "2.5", None),
            ("deux semaines", "14", None),
            ("2 heures", None, 120),
            ("1h30", None, 90),
            ("1 h 15", None, 75),
            ("45 minutes", None, 45),
            ("20 min", None, 20),
            ("une heure et demie", None, 90),
            ("une demi-heure", None, 30),
            ("un quart d'heure", None, 15),
            ("pendant 2h", None, 120),
        ],
    )
    def test_reads_one_duration(self, text: str, days: str | None, minutes: int | None) -> None:
        [duration] = parse_durations(text)
        assert duration.days == (Decimal(days) if days else None)
        assert duration.minutes == minutes
        assert text[duration.start : duration.end] == duration.text

    @pytest.mark.parametrize("text", ["rdv à 14h", "vers 9h", "3 sacs", "2 mois", ""])
    def test_reads_no_duration(self, text: str) -> None:
        assert parse_durations(text) == []
