"""The eval case format (../shared/specs/eval-cases.md, a stable contract) and its loader.

A PATH is a YAML file or a folder (every ``*.yaml``/``*.yml`` below it); each file holds a
list of cases. Unknown keys are refused, so a typo in a dataset fails loudly instead of
silently testing nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.kit.principal import Role

DEFAULT_TODAY = datetime(2026, 3, 16, 10, 0)
DEFAULT_USER_NAME = "Utilisateur Test"
TURN_GAP = timedelta(minutes=1)  # a turn without ``at`` comes this long after the previous one
SETUP_KINDS = (
    "customers",
    "suppliers",
    "products",
    "employees",
    "invoices",
    "quotes",
    "payments",
    "opportunities",
    "leave_requests",
    "purchase_orders",
    "documents",
)


class CaseFormatError(Exception):
    """A dataset that does not follow the format: the message names the file and case."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TenantSpec(_Strict):
    country: Literal["FR", "SN"] = "FR"
    name: str | None = None


class UserSpec(_Strict):
    name: str | None = None
    role: Role = Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or DEFAULT_USER_NAME


class Setup(_Strict):
    customers: list[dict[str, Any]] = []
    suppliers: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    employees: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    opportunities: list[dict[str, Any]] = []
    leave_requests: list[dict[str, Any]] = []
    purchase_orders: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []


class ReplyExpect(_Strict):
    contains: list[str] = []
    contains_any: list[str] = []
    not_contains: list[str] = []
    numbers: list[int | float | str] = []


def _local(value: Any) -> Any:
    if isinstance(value, (datetime, time)) and value.tzinfo is not None:
        raise ValueError("a turn's time is the tenant's local time, without a time zone")
    return value


class TurnSpec(_Strict):
    """A message from the user (``user``, optionally at ``at``), or a move of the clock
    (``advance_to``: no message; what falls due in between runs)."""

    user: str | None = None
    expect_reply: ReplyExpect | None = None
    at: datetime | time | None = None  # tenant-local; a bare time is on the previous turn's day
    advance_to: datetime | None = None  # tenant-local

    _naive = field_validator("at", "advance_to")(_local)

    @model_validator(mode="after")
    def _one_kind(self) -> TurnSpec:
        if self.advance_to is None and self.user is None:
            raise ValueError("a turn holds either user or advance_to")
        if self.advance_to is not None and (
            self.user is not None or self.at is not None or self.expect_reply is not None
        ):
            raise ValueError("an advance_to turn holds no user, at nor expect_reply")
        return self

    def moment(self, previous: datetime) -> datetime:
        """When this turn happens, the previous one having happened at ``previous``."""
        if self.advance_to is not None:
            return self.advance_to
        if isinstance(self.at, datetime):
            return self.at
        if isinstance(self.at, time):
            return datetime.combine(previous.date(), self.at)
        return previous + TURN_GAP


class ToolCallExpect(_Strict):
    tool: str
    args: dict[str, Any] = {}


class Expect(_Strict):
    state: list[dict[str, Any]] = []
    reply: ReplyExpect | None = None
    tool_calls: list[ToolCallExpect] = []
    no_writes: bool = False

    @field_validator("state")
    @classmethod
    def _one_kind_per_line(cls, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for line in lines:
            if len(line) != 1:
                raise ValueError(f"a state line holds exactly one kind: {line}")
        return lines


class Case(_Strict):
    id: str
    description: str | None = None
    tags: list[str] = []
    today: datetime = DEFAULT_TODAY
    tenant: TenantSpec = TenantSpec()
    user: UserSpec = UserSpec()
    channel: Literal["web", "whatsapp", "cli"] = "web"
    setup: Setup = Setup()
    turns: list[TurnSpec] = Field(min_length=1)
    expect: Expect = Expect()
    source: Path = Path(".")

    @field_validator("today", mode="before")
    @classmethod
    def _naive(cls, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            raise ValueError("today is the tenant's local time, without a time zone")
        return value

    @model_validator(mode="after")
    def _forward_in_time(self) -> Case:
        self.schedule()
        return self

    def schedule(self) -> list[datetime]:
        """Each turn's tenant-local moment: the first at ``today`` unless it carries its
        own, every other one minute after the previous one unless it carries ``at`` or is
        an ``advance_to``. Time never goes back (a ValueError says which turn does)."""
        moments: list[datetime] = []
        previous = self.today
        for number, turn in enumerate(self.turns, start=1):
            if number == 1 and turn.at is None and turn.advance_to is None:
                moment = self.today
            else:
                moment = turn.moment(previous)
            if moment < previous:
                raise ValueError(
                    f"turn {number} is at {moment.isoformat()}, before the previous moment "
                    f"({previous.isoformat()}): time never goes back"
                )
            moments.append(moment)
            previous = moment
        return moments


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # A folder whose dataset.yaml says ``kind: rag`` is a retrieval set (documents
            # and questions, read by ``comptoir eval rag``), not conversation cases.
            other = [m.parent for m in path.rglob("dataset.yaml") if _kind(m) != "cases"]
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(p.is_relative_to(o) for o in other)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise CaseFormatError(f"{path}: no such file or folder")
    return found


def _kind(marker: Path) -> str:
    raw = yaml.safe_load(marker.read_text(encoding="utf-8")) or {}
    return str(raw.get("kind", "cases")) if isinstance(raw, dict) else "cases"


def load_cases(paths: Iterable[str | Path]) -> list[Case]:
    """Every case under ``paths``, in file order; ids must be unique across all files."""
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    for file in _files(paths):
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise CaseFormatError(f"{file}: invalid YAML: {e}") from e
        if raw is None:
            continue
        if not isinstance(raw, list):
            raise CaseFormatError(f"{file}: a dataset file holds a list of cases")
        for i, item in enumerate(raw):
            label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
            try:
                case = Case.model_validate({**item, "source": file})
            except (ValidationError, TypeError) as e:
                raise CaseFormatError(f"{file}: case {label}: {e}") from e
            if case.id in seen:
                raise CaseFormatError(f"{file}: case id {case.id} already used in {seen[case.id]}")
            seen[case.id] = file
            cases.append(case)
    return cases
