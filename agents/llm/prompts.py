"""The LLM tier's system prompts, kept as French Markdown files in ``prompts/agents/``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def load_prompt(name: str, directory: Path | None = None) -> str:
    """The text of ``prompts/agents/<name>.md`` (or of ``<directory>/<name>.md``)."""
    filename = f"{name}.md"
    if directory is not None:
        return (directory / filename).read_text(encoding="utf-8").strip()
    return resources.files("prompts").joinpath("agents", filename).read_text("utf-8").strip()


def summary(prompt: str) -> str:
    """The first paragraph that is not a heading: how the orchestrator describes an area's
    sub-agent (the whole prompt is that sub-agent's own instructions)."""
    for paragraph in prompt.split("\n\n"):
        lines = [line for line in paragraph.strip().splitlines() if not line.startswith("#")]
        if lines:
            return " ".join(line.strip() for line in lines)
    return ""
