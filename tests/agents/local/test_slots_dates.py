from datetime import date, time

import pytest

from agents.local.slots import parse_dates
from agents.local.slots.calendar import shifted
from agents.local.slots.dates import the_period_beside

# Wednesday 4 March 2026
TODAY = date(2026, 3, 4)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


class TestParseDates:
    def test_a_range_whose_end_comes_before_its_start_is_never_one_day(self) -> None:
        (span,) = parse_dates("du 20 décembre 2026 au 3 janvier 2026", today=TODAY)
        assert (span.first, span.last) == (d(12, 20), d(1, 3))

    @pytest.mark.parametrize(
        ("text", "first", "last"),
        [
            ("aujourd'hui", d(3, 4), d(3, 4)),
            ("aujourd\u2019hui", d(3, 4), d(3, 4)),
            ("demain", d(3, 5), d(3, 5)),
            ("après-demain", d(3, 6), d(3, 6)),
            ("apres demain", d(3, 6), d(3, 6)),
            ("hier", d(3, 3), d(3, 3)),
            ("avant-hier", d(3, 2), d(3, 2)),
            ("lundi", d(3, 9), d(3, 9)),
            ("mercredi", d(3, 11), d(3, 11)),  # today excluded
            ("ce mercredi", d(3, 4), d(3, 4)),  # « ce » includes today
            ("vendredi", d(3, 6), d(3, 6)),
            ("lundi prochain", d(3, 9), d(3, 9)),
            ("vendredi prochain", d(3, 13), d(3, 13)),  # the Friday of next week
            ("mardi dernier", d(3, 3), d(3, 3)),
            ("lundi en huit", d(3, 16), d(3, 16)),
            ("la semaine prochaine", d(3, 9), d(3, 15)),
            ("cette semaine", d(3, 2), d(3, 8)),
            ("la semaine dernière", d(2, 23), d(3, 1)),
            ("le mois prochain", d(4, 1), d(4, 30)),
            ("ce mois-ci", d(3, 1), d(3, 31)),
            ("le mois dernier", d(2, 1), d(2, 28)),
            ("fin du mois", d(3, 31), d(3, 31)),
            ("fin du mois prochain", d(4, 30), d(4, 30)),
            ("fin mars", d(3, 31), d(3, 31)),
            ("début avril", d(4, 1), d(4, 1)),
            ("mi-mars", d(3, 15), d(3, 15)),
            ("le 3 mars", d(3, 3), d(3, 3)),
            ("le 1er avril", d(4, 1), d(4, 1)),
            ("le premier avril", d(4, 1), d(4, 1)),
            ("le deux mai", d(5, 2), d(5, 2)),
            ("3 mars 2025", d(3, 3, 2025), d(3, 3, 2025)),
            ("lundi 9 mars", d(3, 9), d(3, 9)),
            ("3/03", d(3, 3), d(3, 3)),
            ("03/03/2026", d(3, 3), d(3, 3)),
            ("15/04/26", d(4, 15), d(4, 15)),
            ("2026-03-03", d(3, 3), d(3, 3)),
            ("le 15", d(3, 15), d(3, 15)),
            ("du 3 au 7 mars", d(3, 3), d(3, 7)),
            ("du 28 février au 2 mars", d(2, 28), d(3, 2)),
            ("du 28 au 2 mars", d(2, 28), d(3, 2)),
            ("du mardi 29 décembre jusqu'au jeudi 7 janvier", d(12, 29), d(1, 7, 2027)),
            ("du 30/12 au 04/01", d(12, 30), d(1, 4, 2027)),
            ("du 3 avril au 7", d(4, 3), d(4, 7)),
            ("du 10 au 12", d(3, 10), d(3, 12)),
            ("entre le 3 et le 7 mars", d(3, 3), d(3, 7)),
            ("avril-juin", d(4, 1), d(6, 30)),
            ("de février à avril 2025", d(2, 1, 2025), d(4, 30, 2025)),
            ("du lundi au mercredi", d(3, 9), d(3, 11)),
            ("du vendredi au mardi", d(3, 6), d(3, 10)),
            ("lundi jusqu'à jeudi", d(3, 9), d(3, 12)),
            ("jusqu'à vendredi", d(3, 4), d(3, 6)),
            ("mars", d(3, 1), d(3, 31)),
            ("en mars", d(3, 1), d(3, 31)),
            ("mars 2026", d(3, 1), d(3, 31)),
            ("en août", d(8, 1), d(8, 31)),
            ("premier trimestre", d(1, 1), d(3, 31)),
            ("T1", d(1, 1), d(3, 31)),
            ("T3 2025", d(7, 1, 2025), d(9, 30, 2025)),
            ("le trimestre dernier", d(10, 1, 2025), d(12, 31, 2025)),
            ("le dernier trimestre", d(10, 1, 2025), d(12, 31, 2025)),
            ("le dernier trimestre 2025", d(10, 1, 2025), d(12, 31, 2025)),
            ("le trimestre précédent", d(10, 1, 2025), d(12, 31, 2025)),
            ("cette année", d(1, 1), d(12, 31)),
            ("l'année dernière", d(1, 1, 2025), d(12, 31, 2025)),
            ("en 2025", d(1, 1, 2025), d(12, 31, 2025)),
            ("les factures de 2025", d(1, 1, 2025), d(12, 31, 2025)),
            ("les ventes sur 2024", d(1, 1, 2024), d(12, 31, 2024)),
            ("le CA 2024 par trimestre", d(1, 1, 2024), d(12, 31, 2024)),
            ("dans 3 jours", d(3, 7), d(3, 7)),
            ("dans deux semaines", d(3, 18), d(3, 18)),
            ("dans un mois", d(4, 4), d(4, 4)),
            ("il y a 3 jours", d(3, 1), d(3, 1)),
            ("ventes du jour", d(3, 4), d(3, 4)),
            ("ventes du mois", d(3, 1), d(3, 31)),
            ("rapport du mois dernier", d(2, 1), d(2, 28)),
            ("stats de la semaine", d(3, 2), d(3, 8)),
            ("la semaine du 9 mars", d(3, 9), d(3, 15)),
            ("le 15 du mois", d(3, 15), d(3, 15)),
            ("fin d'année", d(12, 31), d(12, 31)),
            ("ce week-end", d(3, 7), d(3, 8)),
            ("le week-end prochain", d(3, 14), d(3, 15)),
            ("samedi prochain", d(3, 14), d(3, 14)),
            ("dimanche dernier", d(3, 1), d(3, 1)),
            ("du 1er au 5 avril", d(4, 1), d(4, 5)),
            ("dès la livraison d'après-demain", d(3, 6), d(3, 6)),
        ],
    )
    def test_reads_one_span(self, text: str, first: date, last: date) -> None:
        [span] = parse_dates(text, today=TODAY)
        assert (span.first, span.last) == (first, last)
        assert text[span.start : span.end] == span.text

    @pytest.mark.parametrize(
        ("text", "day", "at"),
        [
            ("demain 14h", d(3, 5), time(14)),
            ("demain à 9h30", d(3, 5), time(9, 30)),
            ("le 15 à 10h", d(3, 15), time(10)),
            ("14h", d(3, 4), time(14)),
            ("14h30", d(3, 4), time(14, 30)),
            ("9 h", d(3, 4), time(9)),
            ("à 16:45", d(3, 4), time(16, 45)),
            ("à midi", d(3, 4), time(12)),
            ("vendredi vers 8h", d(3, 6), time(8)),
        ],
    )
    def test_reads_the_time_of_day(self, text: str, day: date, at: time) -> None:
        [span] = parse_dates(text, today=TODAY)
        assert (span.first, span.last, span.at) == (day, day, at)

    def test_two_weekdays_joined_by_et_are_two_spans(self) -> None:
        spans = parse_dates("lundi et mardi", today=TODAY)
        assert [(s.first, s.last) for s in spans] == [(d(3, 9), d(3, 9)), (d(3, 10), d(3, 10))]

    def test_spans_never_overlap(self) -> None:
        spans = parse_dates("du 3 au 7 mars puis le 10 mars à 9h et demain", today=TODAY)
        assert [s.text for s in spans] == ["du 3 au 7 mars", "le 10 mars à 9h", "demain"]
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))

    def test_afternoon_starts_at_noon(self) -> None:
        [span] = parse_dates("mardi après-midi", today=TODAY)
        assert (span.first, span.half_day_first, span.half_day_last) == (d(3, 10), True, False)

    def test_morning_ends_at_noon(self) -> None:
        [span] = parse_dates("demain matin", today=TODAY)
        assert (span.first, span.half_day_first, span.half_day_last) == (d(3, 5), False, True)

    def test_until_noon_ends_at_noon(self) -> None:
        [span] = parse_dates("jusqu'à jeudi midi", today=TODAY)
        assert (span.first, span.last, span.half_day_last) == (d(3, 4), d(3, 5), True)

    def test_range_with_half_days_at_both_ends(self) -> None:
        [span] = parse_dates("du lundi après-midi au mercredi matin", today=TODAY)
        assert (span.first, span.last) == (d(3, 9), d(3, 11))
        assert span.half_day_first and span.half_day_last

    def test_this_evening_is_today_from_noon(self) -> None:
        [span] = parse_dates("ce soir", today=TODAY)
        assert (span.first, span.half_day_first) == (TODAY, True)

    def test_date_inside_a_sentence_keeps_its_offsets(self) -> None:
        text = "Awa sera absente du 3 au 7 mars inclus"
        [span] = parse_dates(text, today=TODAY)
        assert text[span.start : span.end] == "du 3 au 7 mars"

    @pytest.mark.parametrize(
        "text",
        ["pendant 2h", "3 sacs de riz", "15 000 FCFA", "sept jours", "la semaine", "", "🙂"],
    )
    def test_reads_no_date(self, text: str) -> None:
        assert parse_dates(text, today=TODAY) == []

    def test_the_year_rolls_over_in_january(self) -> None:
        [span] = parse_dates("le mois dernier", today=date(2026, 1, 10))
        assert (span.first, span.last) == (date(2025, 12, 1), date(2025, 12, 31))


class TestMonthsJoinedByHyphens:
    def test_a_chain_of_months_is_one_range(self) -> None:
        [span] = parse_dates("les ventes octobre-novembre-décembre ?", today=TODAY)
        assert (span.first, span.last) == (d(10, 1), d(12, 31))

    def test_two_months_stay_one_range(self) -> None:
        [span] = parse_dates("CA de avril-mai", today=TODAY)
        assert (span.first, span.last) == (d(4, 1), d(5, 31))


class TestSince:
    """« depuis janvier »: from that month or day up to today (today is 4 March)."""

    @pytest.mark.parametrize(
        ("text", "first"),
        [
            ("le CA depuis janvier", d(1, 1)),
            ("depuis février", d(2, 1)),
            ("depuis novembre", d(11, 1, 2025)),  # the last November, not the next
            ("depuis le 2 mars", d(3, 2)),
            ("absent depuis lundi", d(3, 2)),  # the Monday just gone
        ],
    )
    def test_runs_to_today(self, text: str, first: date) -> None:
        [span] = parse_dates(text, today=TODAY)
        assert (span.first, span.last) == (first, TODAY)

    def test_a_day_to_come_is_not_since(self) -> None:
        [span] = parse_dates("depuis le 20 mars", today=TODAY)
        assert (span.first, span.last) == (d(3, 20), d(3, 20))


class TestWeekdaysSharingAQualifier:
    """Wednesday 4 March 2026: next week runs from Monday 9 to Sunday 15."""

    @pytest.mark.parametrize(
        ("text", "days"),
        [
            ("lundi et mardi prochains", [d(3, 9), d(3, 10)]),
            ("lundi, mardi et mercredi prochains", [d(3, 9), d(3, 10), d(3, 11)]),
            ("jeudi et vendredi de la semaine prochaine", [d(3, 12), d(3, 13)]),
            ("lundi et mardi derniers", [d(3, 2), d(3, 3)]),
            ("mardi prochains", [d(3, 10)]),
        ],
    )
    def test_each_weekday_falls_in_the_qualified_week(self, text: str, days: list[date]) -> None:
        assert [s.first for s in parse_dates(text, today=TODAY)] == days

    def test_on_a_monday_next_monday_is_a_week_ahead(self) -> None:
        spans = parse_dates("lundi et mardi prochains", today=d(3, 9))
        assert [s.first for s in spans] == [d(3, 16), d(3, 17)]

    def test_plain_weekdays_keep_their_own_rule(self) -> None:
        spans = parse_dates("jeudi et lundi", today=TODAY)
        assert [s.first for s in spans] == [d(3, 5), d(3, 9)]

    def test_relative_days(self) -> None:
        assert [s.first for s in parse_dates("après-demain", today=TODAY)] == [d(3, 6)]
        assert [s.first for s in parse_dates("jeudi", today=TODAY)] == [d(3, 5)]


class TestWindowsFromToday:
    @pytest.mark.parametrize(
        ("text", "first", "last"),
        [
            ("dans les 3 prochains mois", d(3, 4), d(6, 4)),
            ("les 200 prochains jours", d(3, 4), d(9, 20)),
            ("les 2 semaines à venir", d(3, 4), d(3, 18)),
            ("le CA des 7 derniers jours", d(2, 25), d(3, 4)),
            ("les trois derniers mois", d(12, 4, 2025), d(3, 4)),
        ],
    )
    def test_runs_from_today_or_to_today(self, text: str, first: date, last: date) -> None:
        [span] = parse_dates(text, today=TODAY)
        assert (span.first, span.last) == (first, last)

    def test_three_bags_are_no_window(self) -> None:
        assert parse_dates("les 3 sacs", today=TODAY) == []


class TestDaysOfAWeekSaid:
    def test_weekdays_after_a_week_are_days_of_that_week(self) -> None:
        (span,) = parse_dates("la semaine du 4 mai (du lundi au vendredi)", today=TODAY)
        assert (span.first, span.last) == (d(5, 4), d(5, 8))
        (span,) = parse_dates("la semaine du 11 mai, du mardi au jeudi", today=TODAY)
        assert (span.first, span.last) == (d(5, 12), d(5, 14))

    def test_weekdays_alone_stay_the_coming_ones(self) -> None:
        spans = parse_dates("la semaine du 4 mai puis du lundi au vendredi", today=TODAY)
        assert len(spans) == 2


class TestThePeriodBeside:
    @pytest.mark.parametrize(
        ("said", "start", "end", "first", "last"),
        [
            ("et le mois precedent ?", d(4, 1), d(4, 30), d(3, 1), d(3, 31)),
            ("et le mois d'apres", d(1, 1), d(1, 31), d(2, 1), d(2, 28)),
            ("et la semaine d'avant", d(3, 9), d(3, 15), d(3, 2), d(3, 8)),
            ("et la veille", d(3, 9), d(3, 9), d(3, 8), d(3, 8)),
            ("et l'annee precedente", d(5, 1), d(5, 31), d(5, 1, 2025), d(5, 31, 2025)),
            ("et celui d'avant ?", d(4, 1), d(6, 30), d(1, 1), d(3, 31)),
        ],
    )
    def test_moved_by_the_unit_said(
        self, said: str, start: date, end: date, first: date, last: date
    ) -> None:
        assert the_period_beside(said, start, end) == (first, last)

    def test_a_unit_shorter_than_the_period_says_none(self) -> None:
        assert the_period_beside("et le mois d'avant", d(1, 1), d(12, 31)) is None

    def test_no_such_words(self) -> None:
        assert the_period_beside("et pour Diallo ?", d(4, 1), d(4, 30)) is None


class TestShifted:
    def test_a_day_moved_by_calendar_units(self) -> None:
        day = date(2026, 1, 31)
        assert shifted(day, "semaines", 2) == date(2026, 2, 14)
        assert shifted(day, "mois", 1) == date(2026, 2, 28)  # no 31 February: its last day
        assert shifted(day, "trimestre", -1) == date(2025, 10, 31)
        assert shifted(day, "ans", 1) == date(2027, 1, 31)
