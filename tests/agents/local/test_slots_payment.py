import pytest

from agents.local.slots import fold, parse_document_numbers, parse_payment_method
from agents.local.slots.payment import find_in_full


class TestParsePaymentMethod:
    @pytest.mark.parametrize(
        ("text", "method"),
        [
            ("il a payé par Wave", "wave"),
            ("wave", "wave"),
            ("50 000 par Orange Money", "orange_money"),
            ("payé par OM", "orange_money"),
            ("envoyé sur orange", "orange_money"),
            ("en espèces", "cash"),
            ("cash", "cash"),
            ("en liquide", "cash"),
            ("par carte", "card"),
            ("CB", "card"),
            ("carte bancaire", "card"),
            ("par virement", "bank_transfer"),
            ("par chèque", "cheque"),
            ("un cheque", "cheque"),
        ],
    )
    def test_reads_the_method(self, text: str, method: str) -> None:
        assert parse_payment_method(text) == method

    @pytest.mark.parametrize(
        "text", ["par Free Money", "la carte grise", "un homme", "Ousmane", "", "comment"]
    )
    def test_reads_no_method(self, text: str) -> None:
        assert parse_payment_method(text) is None

    def test_the_first_method_said_wins(self) -> None:
        assert parse_payment_method("pas en espèces, par wave") == "cash"


class TestParseDocumentNumbers:
    def test_reads_every_kind_in_upper_case(self) -> None:
        text = "f-2026-00012, AV-2026-00001 et D-2026-00003 puis bc-2026-00004"
        assert parse_document_numbers(text) == [
            "F-2026-00012",
            "AV-2026-00001",
            "D-2026-00003",
            "BC-2026-00004",
        ]

    @pytest.mark.parametrize("text", ["facture 12", "facture n°12", "F2026", "XF-2026-00012"])
    def test_leaves_short_numbers_to_the_adapters(self, text: str) -> None:
        assert parse_document_numbers(text) == []


class TestPaidInFull:
    @pytest.mark.parametrize(
        "text",
        [
            "le Café des Arts a tout payé",
            "Sow a soldé sa facture par Wave",
            "Ndiaye m'a payé la totalité par virement",
            "il a réglé l'intégralité de sa facture",
            "Fall a réglé le solde en cash",
            "il a payé tout ce qu'il me doit",
        ],
    )
    def test_says_everything_is_paid(self, text: str) -> None:
        assert find_in_full(fold(text)) is not None

    @pytest.mark.parametrize(
        "text", ["Diallo a payé 50 000 par Wave", "tout va bien", "il a payé une partie"]
    )
    def test_an_amount_or_a_part_is_not(self, text: str) -> None:
        assert find_in_full(fold(text)) is None
