from decimal import Decimal

import pytest

from agents.local.slots import parse_quantities
from agents.local.slots.text import fold
from domain.sales.units import lexicon


class TestParseQuantities:
    @pytest.mark.parametrize(
        ("text", "value", "unit", "item"),
        [
            ("3 sacs de riz", "3", "sac", "riz"),
            ("deux cartons de lait", "2", "carton", "lait"),
            ("10 kg de sucre", "10", "kg", "sucre"),
            ("10kg de sucre", "10", "kg", "sucre"),
            ("5 kilos de sucre", "5", "kg", "sucre"),
            ("une douzaine d'oeufs", "12", None, "oeufs"),
            ("2 douzaines d\u2019œufs", "24", None, "œufs"),
            ("5 riz", "5", None, "riz"),
            ("3 sacs", "3", "sac", None),
            ("2,5 litres d'huile", "2.5", "litre", "huile"),
            ("2 l d'huile", "2", "litre", "huile"),
            ("4 boîtes de Nescafé", "4", "boite", "Nescafé"),
            ("x3", "3", None, None),
            ("3 x riz", "3", None, "riz"),
            ("un sac de riz", "1", "sac", "riz"),
            ("10 m de tissu", "10", "metre", "tissu"),
            ("6 pièces", "6", "piece", None),
            ("1 tonne de ciment", "1", "tonne", "ciment"),
            ("5 pots de pâte d'arachide", "5", "pot", "pâte d'arachide"),
            ("3 bidons d'huile de palme", "3", "bidon", "huile de palme"),
            ("2 machines à laver", "2", None, "machines à laver"),
            ("4 sacs à Thiès", "4", "sac", None),
        ],
    )
    def test_reads_one_quantity(self, text: str, value: str, unit: str | None, item: str) -> None:
        [quantity] = parse_quantities(text)
        assert (quantity.value, quantity.unit, quantity.item) == (Decimal(value), unit, item)
        assert text[quantity.start : quantity.end] == quantity.text

    @pytest.mark.parametrize(
        ("text", "value", "unit", "item"),
        [
            ("3 bidons d'huile", "3", "bidon", "huile"),
            ("2 pots de beurre de karité", "2", "pot", "beurre de karité"),
            ("une douzaine d\u2019œufs", "12", None, "œufs"),
            ("4 seaux de peinture", "4", "seau", "peinture"),
            ("2 fûts de gasoil", "2", "fut", "gasoil"),
            ("5 bottes de menthe", "5", "botte", "menthe"),
            ("3 tas de tomates", "3", "tas", "tomates"),
            ("2 plaquettes d'œufs", "2", "plaquette", "œufs"),
            ("6 canettes de Coca", "6", "canette", "Coca"),
            ("2 bocaux de miel", "2", "bocal", "miel"),
            ("10 sachets de lait", "10", "sachet", "lait"),
            ("20 m² de carrelage", "20", "m²", "carrelage"),
        ],
    )
    def test_reads_the_units_of_the_lexicon(
        self, text: str, value: str, unit: str | None, item: str
    ) -> None:
        [quantity] = parse_quantities(text)
        assert (quantity.value, quantity.unit, quantity.item) == (Decimal(value), unit, item)

    def test_every_spelling_of_a_counting_unit_is_read(self) -> None:
        """Each unit of the lexicon a quantity may count in, in each of its spellings; a unit
        that stands for several items (« douzaine ») multiplies instead."""
        misread = []
        for entry in (e for e in lexicon() if e.in_quantities):
            expected = (
                (Decimal(2 * entry.count), None, "riz")
                if entry.count > 1
                else (Decimal(2), fold(entry.spoken), "riz")
            )
            for form in (entry.unit, *entry.forms):
                found = [(q.value, q.unit, q.item) for q in parse_quantities(f"2 {form} de riz")]
                if found != [expected]:
                    misread.append((form, found))
        assert misread == []

    @pytest.mark.parametrize("text", ["3 minutes", "2 heures de travail", "1 forfait"])
    def test_durations_and_lump_sums_are_not_units(self, text: str) -> None:
        assert all(q.unit is None for q in parse_quantities(text))

    def test_reads_two_quantities_joined_by_et(self) -> None:
        found = parse_quantities("3 sacs de riz et 2 cartons de lait")
        assert [(q.value, q.unit, q.item) for q in found] == [
            (Decimal(3), "sac", "riz"),
            (Decimal(2), "carton", "lait"),
        ]

    def test_a_model_number_after_a_brand_in_capitals_is_part_of_the_item(self) -> None:
        found = parse_quantities("4 toners CANON 045, et 2 souris")
        assert [q.item for q in found] == ["toners CANON 045", "souris"]
        assert parse_quantities("3 sacs de riz 25 kg")[0].item == "riz"

    def test_item_stops_at_a_comma_and_at_pour(self) -> None:
        found = parse_quantities("3 sacs de riz pour Diallo, 2 bidons d'huile")
        assert [q.item for q in found] == ["riz", "huile"]

    @pytest.mark.parametrize(
        "text", ["3 jours", "une facture", "15 000 FCFA", "2 heures", "le 3 mars", ""]
    )
    def test_reads_no_quantity(self, text: str) -> None:
        assert parse_quantities(text) == []
