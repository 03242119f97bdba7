import random
from datetime import date
from decimal import Decimal

import pytest

from agents.local.slots import analyse

# Wednesday 4 March 2026
TODAY = date(2026, 3, 4)


class TestAnalyse:
    def test_reads_an_invoice_request(self) -> None:
        text = "Bonjour, crée une facture pour Diallo, 3 sacs de riz à 15 000 FCFA par Wave stp"
        utt = analyse(text, today=TODAY)
        assert utt.text == text and len(utt.folded) == len(text)
        assert [(q.value, q.unit, q.item) for q in utt.quantities] == [(Decimal(3), "sac", "riz")]
        assert [(a.value, a.currency) for a in utt.amounts] == [(Decimal(15000), "XOF")]
        assert utt.payment_method == "wave"
        assert utt.numbers == [] and utt.dates == []

    def test_reads_a_payment(self) -> None:
        utt = analyse("Modou a payé 50 000 en espèces hier pour F-2026-00012", today=TODAY)
        assert [a.value for a in utt.amounts] == [Decimal(50000)]
        assert utt.payment_method == "cash"
        assert [s.first for s in utt.dates] == [date(2026, 3, 3)]
        assert utt.document_numbers == ["F-2026-00012"]
        assert utt.numbers == []

    def test_an_amount_in_another_currency_than_the_books_is_foreign(self) -> None:
        utt = analyse("Sow a réglé 300 euros par chèque", today=TODAY, currency="XOF")
        assert [(a.value, a.currency) for a in utt.amounts] == [(Decimal(300), "foreign")]
        utt = analyse("Sow a réglé 300 euros, soit 196 000 F", today=TODAY, currency="EUR")
        assert [a.currency for a in utt.amounts] == ["EUR", "foreign"]
        utt = analyse("je lui ai filé 50 balles", today=TODAY, currency="EUR")
        assert [(a.value, a.currency) for a in utt.amounts] == [(Decimal(50), "XOF")]

    def test_reads_a_leave_request(self) -> None:
        utt = analyse("Awa prend 3 jours de congé du 9 au 11 mars", today=TODAY)
        assert [d.days for d in utt.durations] == [Decimal(3)]
        assert [(s.first, s.last) for s in utt.dates] == [(date(2026, 3, 9), date(2026, 3, 11))]
        assert utt.quantities == [] and utt.amounts == [] and utt.numbers == []

    def test_in_three_days_is_a_date_not_a_duration(self) -> None:
        utt = analyse("livre-le dans 3 jours", today=TODAY)
        assert [s.first for s in utt.dates] == [date(2026, 3, 7)] and utt.durations == []

    def test_a_time_and_a_duration(self) -> None:
        utt = analyse("réunion demain à 14h pendant 1h30", today=TODAY)
        assert [s.at.hour if s.at else None for s in utt.dates] == [14]
        assert [d.minutes for d in utt.durations] == [90]

    @pytest.mark.parametrize(
        ("text", "minutes"),
        [("Awa a travaillé 8h hier", 480), ("3h de travail", 180), ("2 heures sup", 120)],
    )
    def test_worked_hours_are_durations_not_times(self, text: str, minutes: int) -> None:
        utt = analyse(text, today=TODAY)
        assert [d.minutes for d in utt.durations] == [minutes]
        assert all(s.at is None for s in utt.dates)

    def test_a_phone_number_is_not_an_amount(self) -> None:
        utt = analyse("appelle-le au 77 123 45 67", today=TODAY)
        assert utt.amounts == []
        assert utt.numbers == [Decimal(77), Decimal(123), Decimal(45), Decimal(67)]

    def test_a_stock_count_with_items_before_numbers(self) -> None:
        utt = analyse("inventaire : riz 40 sacs, sucre 12 cartons, Nescafé x3", today=TODAY)
        assert [(q.value, q.unit, q.item) for q in utt.quantities] == [
            (Decimal(40), "sac", "riz"),
            (Decimal(12), "carton", "sucre"),
            (Decimal(3), None, "Nescafé"),
        ]

    def test_a_count_of_documents_stays_a_bare_number(self) -> None:
        utt = analyse("montre les 5 dernières factures", today=TODAY)
        assert utt.quantities == [] and utt.numbers == [Decimal(5)]

    def test_a_quantity_with_a_unit_is_never_an_amount(self) -> None:
        utt = analyse("reçu 1 000 sacs de ciment", today=TODAY)
        assert utt.amounts == []
        assert [(q.value, q.unit) for q in utt.quantities] == [(Decimal(1000), "sac")]

    def test_leftover_numbers_exclude_articles(self) -> None:
        utt = analyse("une facture 12 et 2026", today=TODAY)
        assert utt.numbers == [Decimal(12), Decimal(2026)]

    def test_politeness_does_not_count(self) -> None:
        utt = analyse("merci, payé 5000 cash svp", today=TODAY)
        assert [a.value for a in utt.amounts] == [Decimal(5000)]
        assert utt.payment_method == "cash"

    def test_offsets_point_into_the_message_as_written(self) -> None:
        text = "Stp, ajoute 2 cartons de lait et 4 boîtes de Nescafé pour Fatou"
        utt = analyse(text, today=TODAY)
        assert [text[q.start : q.end] for q in utt.quantities] == [
            "2 cartons de lait",
            "4 boîtes de Nescafé",
        ]

    def test_the_tenant_currency_is_not_written_into_amounts(self) -> None:
        utt = analyse("payé 5000", today=TODAY, currency="XOF")
        assert [a.currency for a in utt.amounts] == [None]

    @pytest.mark.parametrize(
        "text",
        [
            "",
            " ",
            "🙂🙂🙂",
            "dama bëgg 5 kilos ceeb",
            "nanga def, yobbal ma 2 sac bu mag",
            "x" * 10_000,
            "1 " * 5_000,
            "du au de le la à",
            "31/02/2026 le 45 mars 99h99 T9",
            "du lundi au",
            "jusqu'à",
            "F-2026-",
            "\u202f\u00a0\t\n",
            "mars 0000",
            "fin mars 0000 et le 0/0",
            "il y a 999 ans",
            "dans 999 mois",
            "99999999999999999999999999 FCFA",
            "x9999 " * 50,
        ],
    )
    def test_never_crashes(self, text: str) -> None:
        utt = analyse(text, today=TODAY)
        assert utt.text == text

    def test_never_crashes_on_random_text(self) -> None:
        rng = random.Random(5)
        alphabet = "abcdéèàçœ0123456789 ,.'/-:hkMFCA€%🙂"
        words = ["du", "au", "le", "mars", "lundi", "prochain", "demain", "à", "14h", "de"]
        for _ in range(300):
            parts = [
                rng.choice(words) if rng.random() < 0.5 else "".join(rng.choices(alphabet, k=4))
                for _ in range(rng.randint(0, 12))
            ]
            text = " ".join(parts)
            assert analyse(text, today=TODAY).text == text
