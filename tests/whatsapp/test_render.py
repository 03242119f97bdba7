"""Answers shaped for WhatsApp's limits."""

from __future__ import annotations

from domain.whatsapp.render import (
    TEXT_LIMIT,
    buttons_body,
    choices_body,
    list_body,
    split_text,
    trim_lists,
)


class TestSplit:
    def test_long_answers_are_cut_at_line_breaks_under_the_limit(self) -> None:
        lines = [f"Facture F-2026-{n:05d} : 15 000 FCFA" for n in range(400)]
        parts = split_text("\n".join(lines))
        assert len(parts) > 1 and all(len(p) < TEXT_LIMIT for p in parts)
        # Every line arrives whole, in order.
        assert "\n".join(parts).split("\n") == lines

    def test_a_single_line_longer_than_the_limit_is_cut_at_a_space(self) -> None:
        parts = split_text("mot " * 2000)
        assert all(len(p) <= TEXT_LIMIT for p in parts) and len(parts) == 2
        assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)

    def test_a_short_answer_is_one_message(self) -> None:
        assert split_text("Paiement enregistré.") == ["Paiement enregistré."]


class TestLists:
    def test_long_enumerations_are_trimmed_with_the_rest_counted(self) -> None:
        items = [f"- Client {n}" for n in range(45)]
        trimmed = trim_lists("Vos clients :\n" + "\n".join(items) + "\nFin.")
        assert trimmed.split("\n")[-2:] == ["… et 15 autres", "Fin."]
        assert "- Client 29" in trimmed and "- Client 30" not in trimmed


class TestInteractive:
    def test_yes_no_buttons_keep_titles_under_20_characters(self) -> None:
        body = buttons_body("Confirmez-vous ?", [("w:1", "Oui"), ("w:2", "Non"), ("w:3", "x" * 40)])
        titles = [b["reply"]["title"] for b in body["interactive"]["action"]["buttons"]]
        assert titles[:2] == ["Oui", "Non"] and len(titles[2]) == 20

    def test_more_than_three_options_or_long_names_make_a_list_of_ten_at_most(self) -> None:
        options = [(f"w:{n}", f"Diallo SARL agence n°{n}") for n in range(12)]
        assert choices_body("Lequel ?", options[:2])["interactive"]["type"] == "list"
        rows = list_body("Lequel ?", options)["interactive"]["action"]["sections"][0]["rows"]
        assert len(rows) == 10 and all(len(r["title"]) <= 24 for r in rows)
        short = [("w:a", "Diallo SARL"), ("w:b", "Diallo & Fils")]
        assert choices_body("Lequel ?", short)["interactive"]["type"] == "button"
