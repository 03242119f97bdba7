"""Shaping answers for WhatsApp's limits: texts under 4,096 characters cut at line breaks,
reply buttons (at most 3, titles at most 20 characters), list messages (at most 10 rows,
titles at most 24 characters), long enumerations trimmed with « … et N autres »."""

from __future__ import annotations

from typing import Any

TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # the body of an interactive message
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
# An enumeration longer than this is cut, the rest counted (« … et 12 autres »).
MAX_LIST_LINES = 30
LIST_BUTTON = "Choisir"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trim_lists(text: str, max_lines: int = MAX_LIST_LINES) -> str:
    """Cut runs of more than ``max_lines`` list lines (« - … », « • … », « 1. … ») and say
    how many were left out."""
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) > max_lines:
            out.extend(run[:max_lines])
            out.append(f"… et {len(run) - max_lines} autres")
        else:
            out.extend(run)
        run.clear()

    for line in text.split("\n"):
        stripped = line.lstrip()
        is_item = stripped[:1] in ("-", "•", "*") or stripped.split(".", 1)[0].isdigit()
        if is_item and stripped:
            run.append(line)
        else:
            close_run()
            out.append(line)
    close_run()
    return "\n".join(out)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, cut at line breaks (a single
    longer line is cut at a space, else hard)."""
    text = trim_lists(text.strip()) or "…"
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()]


def buttons_body(text: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """An interactive message with up to three reply buttons ``(id, title)``."""
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": _shorten_body(text)},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": ref, "title": _shorten(title, BUTTON_TITLE)}}
                    for ref, title in buttons[:MAX_BUTTONS]
                ]
            },
        },
    }


def list_body(text: str, rows: list[tuple[str, str]]) -> dict[str, Any]:
    """An interactive list message with up to ten rows ``(id, title)``; a title too long
    for a row keeps its start as title and the whole as description."""
    shaped = []
    for ref, title in rows[:MAX_ROWS]:
        row: dict[str, Any] = {"id": ref, "title": _shorten(title, ROW_TITLE)}
        if len(title) > ROW_TITLE:
            row["description"] = _shorten(title, ROW_DESCRIPTION)
        shaped.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": _shorten_body(text)},
            "action": {"button": LIST_BUTTON, "sections": [{"title": "Options", "rows": shaped}]},
        },
    }


def _shorten_body(text: str) -> str:
    text = text.strip() or "…"
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1].rstrip() + "…"


def choices_body(text: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    """Buttons for up to three options, a list for more."""
    if len(options) <= MAX_BUTTONS and all(len(t) <= BUTTON_TITLE for _, t in options):
        return buttons_body(text, options)
    return list_body(text, options)
