"""Personal data masked before it leaves the machine, and back."""

from __future__ import annotations

import pytest

from agents.llm.masking import Masker


class TestMask:
    @pytest.mark.parametrize(
        ("text", "value", "placeholder"),
        [
            ("Écris à awa.ndiaye@exemple.sn stp", "awa.ndiaye@exemple.sn", "⟨EMAIL_1⟩"),
            (
                "mail : Jean-Luc.Martin+compta@sub.mairie.fr.",
                "Jean-Luc.Martin+compta@sub.mairie.fr",
                "⟨EMAIL_1⟩",
            ),
            ("Appelle le +221 77 123 45 67", "+221 77 123 45 67", "⟨TEL_1⟩"),
            ("son numéro 77 123 45 67 merci", "77 123 45 67", "⟨TEL_1⟩"),
            ("Wave au 771234567", "771234567", "⟨TEL_1⟩"),
            ("bureau 33 821 00 00", "33 821 00 00", "⟨TEL_1⟩"),
            ("tel 06 12 34 56 78", "06 12 34 56 78", "⟨TEL_1⟩"),
            ("tel 06.12.34.56.78", "06.12.34.56.78", "⟨TEL_1⟩"),
            ("tel 0612345678", "0612345678", "⟨TEL_1⟩"),
            ("tel +33 6 12 34 56 78", "+33 6 12 34 56 78", "⟨TEL_1⟩"),
            ("tel +33 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78", "⟨TEL_1⟩"),
            ("tel 00221771234567", "00221771234567", "⟨TEL_1⟩"),
            (
                "IBAN FR76 3000 6000 0112 3456 7890 189 svp",
                "FR76 3000 6000 0112 3456 7890 189",
                "⟨IBAN_1⟩",
            ),
            ("IBAN FR7630006000011234567890189", "FR7630006000011234567890189", "⟨IBAN_1⟩"),
            (
                "RIB SN08 SN01 0015 2000 0485 0000 3035",
                "SN08 SN01 0015 2000 0485 0000 3035",
                "⟨IBAN_1⟩",
            ),
        ],
    )
    def test_replaces_personal_data(self, text: str, value: str, placeholder: str) -> None:
        masker = Masker()
        masked = masker.mask(text)
        assert value not in masked
        assert masked == text.replace(value, placeholder)
        assert masker.unmask(masked) == text

    @pytest.mark.parametrize(
        "text",
        [
            "Facture F-2026-00012 de 15 000 FCFA",
            "2 500 000 FCFA le 03/03/2026",
            "3 sacs de riz à 12,50 € du 3 au 7 mars",
            "commande PO-2026-0007, SKU RIZ-25KG, 150000 francs",
            "le 2026-03-03 à 14h30, 10 % de remise",
        ],
    )
    def test_leaves_business_data_alone(self, text: str) -> None:
        masker = Masker()
        assert masker.mask(text) == text
        assert masker.placeholders == {}

    def test_same_value_same_placeholder_others_numbered(self) -> None:
        masker = Masker()
        first = masker.mask("Diallo : 77 123 45 67, diallo@x.sn")
        second = masker.mask("Ndiaye : 76 555 44 33 ; encore Diallo 77 123 45 67")
        assert first == "Diallo : ⟨TEL_1⟩, ⟨EMAIL_1⟩"
        assert second == "Ndiaye : ⟨TEL_2⟩ ; encore Diallo ⟨TEL_1⟩"

    def test_two_maskers_are_independent(self) -> None:
        a, b = Masker(), Masker()
        a.mask("x@y.fr")
        assert b.mask("z@y.fr") == "⟨EMAIL_1⟩"
        assert b.unmask("⟨EMAIL_1⟩") == "z@y.fr"

    def test_masking_twice_changes_nothing(self) -> None:
        masker = Masker()
        once = masker.mask("+221 77 123 45 67 / a@b.sn / FR76 3000 6000 0112 3456 7890 189")
        assert masker.mask(once) == once

    def test_mask_value_walks_structures(self) -> None:
        masker = Masker()
        assert masker.mask_value({"to": ["a@b.sn"], "n": 3}) == {"to": ["⟨EMAIL_1⟩"], "n": 3}


class TestUnmask:
    def test_unknown_placeholders_stay(self) -> None:
        masker = Masker()
        masker.mask("a@b.sn")
        assert masker.unmask("⟨EMAIL_1⟩ et ⟨EMAIL_2⟩") == "a@b.sn et ⟨EMAIL_2⟩"

    def test_ascii_brackets_from_the_model_are_understood(self) -> None:
        masker = Masker()
        masker.mask("06 12 34 56 78")
        assert masker.unmask("Appeler <TEL_1>") == "Appeler 06 12 34 56 78"

    def test_unmask_value_restores_nested_tool_arguments(self) -> None:
        masker = Masker()
        masked = masker.mask(
            "Envoie à a.diallo@exemple.sn, copie 77 123 45 67, IBAN FR7630006000011234567890189"
        )
        assert "exemple" not in masked
        arguments = {
            "customer": "Diallo",
            "channels": [{"email": "⟨EMAIL_1⟩"}, ("⟨TEL_1⟩", 2)],
            "bank": {"iban": "⟨IBAN_1⟩"},
            "quantity": 3,
            "note": None,
        }
        assert masker.unmask_value(arguments) == {
            "customer": "Diallo",
            "channels": [{"email": "a.diallo@exemple.sn"}, ("77 123 45 67", 2)],
            "bank": {"iban": "FR7630006000011234567890189"},
            "quantity": 3,
            "note": None,
        }


# What hr.create_contract renders and returns (tools/hr/contracts.py), as data.
CONTRACT_TEXT = (
    "Contrat créé : CDI de Awa Diop du 01/03/2026 : 350\u202f000 FCFA brut par mois, "
    "40 h par semaine."
)
CONTRACT = {
    "contract_id": "c1",
    "employee": "Awa Diop",
    "kind": "cdi",
    "salary": "350000",
    "currency": "XOF",
    "weekly_hours": "40",
}


class TestPersonnelOutput:
    def test_names_and_pay_of_a_personnel_tool_are_masked_and_come_back(self) -> None:
        masker = Masker()
        masked = masker.mask_tool_output("hr", CONTRACT_TEXT, CONTRACT)
        assert "Awa" not in masked and "Diop" not in masked and "350" not in masked
        assert "⟨NOM_1⟩" in masked and "⟨MONTANT_" in masked
        assert "40 h par semaine" in masked  # hours and dates are not pay
        assert masker.unmask(masked) == CONTRACT_TEXT

    def test_a_name_learnt_is_masked_in_every_later_text(self) -> None:
        masker = Masker()
        masker.mask_tool_output("hr", CONTRACT_TEXT, CONTRACT)
        assert masker.mask("Prolonge Awa Diop, payée 350000.") == (
            "Prolonge ⟨NOM_1⟩, payée ⟨MONTANT_1⟩."
        )
        assert masker.unmask_value({"employee": "⟨NOM_1⟩"}) == {"employee": "Awa Diop"}

    def test_employee_rows_and_lists_are_read(self) -> None:
        masker = Masker()
        found = {
            "query": "diop",
            "employees": [
                {"employee_id": "e1", "code": "E001", "name": "Awa Diop"},
                {"employee_id": "e2", "code": "E002", "name": "Moussa Diop Ba"},
            ],
        }
        masked = masker.mask_tool_output("hr", "- Awa Diop (E001)\n- Moussa Diop Ba (E002)", found)
        assert masked == "- ⟨NOM_1⟩ (E001)\n- ⟨NOM_2⟩ (E002)"

    @pytest.mark.parametrize(
        "amount", ["350\u202f000 FCFA", "1 234,50 €", "150000 XOF", "75 000 F CFA", "90 000 francs"]
    )
    def test_every_written_amount_is_masked(self, amount: str) -> None:
        masker = Masker()
        masked = masker.mask_tool_output("hr", f"Prime : {amount}.", None)
        assert masked == "Prime : ⟨MONTANT_1⟩." and masker.unmask(masked) == f"Prime : {amount}."

    def test_other_areas_keep_their_amounts_and_names(self) -> None:
        masker = Masker()
        text = "Facture F-2026-00012 de Diallo SARL : 53 100 FCFA"
        result = {"customer": "Diallo SARL", "employee": "Awa Diop", "amount": "53100"}
        assert masker.mask_tool_output("finance", text, result) == text
        assert masker.placeholders == {}
