"""Typed tools: the only way the agents act on the business.

A tool is a plain function ``(ctx, args) -> result`` over domain services, declared with
``@tool``: pydantic input and output models (from the type hints), READ or WRITE, the roles
that may use it, and a French description with examples (the docstring). The principal
comes from ``ctx``, never from ``args``. Tools flush through the services; the agent turn
commits.

A WRITE tool never runs on its first call: ``tools.confirmation`` runs it once in a
savepoint that is rolled back (a dry run), shows the result's ``preview()`` and issues a
token; only the user's explicit yes runs it for real.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar, get_type_hints

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from domain.kit.clock import Clock
from domain.kit.costs import hide_costs
from domain.kit.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from domain.kit.inputs import NUL_ERROR, NUL_MESSAGE, has_nul
from domain.kit.lexicon import lexicon
from domain.kit.principal import Principal, Role


class Effect(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a tool runs with: the turn's transaction, who acts, and the clock."""

    session: Session
    principal: Principal
    clock: Clock


class ToolResult(BaseModel):
    """Base of every tool output. ``render`` is the short French text the user reads after
    the tool ran; ``preview`` what they read before confirming a WRITE (computed from the
    dry run, so totals, VAT and numbers are the real ones)."""

    def render(self) -> str:
        raise NotImplementedError(f"{type(self).__name__}.render")

    def preview(self) -> str:
        return self.render()

    def found_nothing(self) -> bool:
        """Whether a search matched no record (« Aucun client ne correspond à … »): the
        question may be about something else than the records searched."""
        return False


class AskBack(DomainError):
    """The tool cannot go on without the user: an ambiguous or unknown name, a missing
    detail. ``field`` names the argument the user's answer fills; ``options`` are the
    candidates' names when there is a choice."""

    code = "ask_back"
    status_code = 409

    def __init__(self, message: str, *, field: str, options: list[str] | None = None) -> None:
        super().__init__(message, field=field, options=list(options or []))
        self.field = field
        self.options = list(options or [])


In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=ToolResult)
ToolFunction = Callable[[ToolContext, Any], ToolResult]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str  # "finance.create_invoice": stable, named by the tool catalog
    title: str  # "Créer une facture": a French infinitive phrase
    description: str  # French, with examples of what a person would say
    effect: Effect
    roles: frozenset[Role]  # any of these (admin always passes); empty: every member
    input_model: type[BaseModel]
    output_model: type[ToolResult]
    fn: ToolFunction
    low_risk: bool = False  # a WRITE that tenant policy may exempt from confirmation
    # Its output carries text written by others (documents): data for the model, never
    # instructions; a turn that read it may not propose a WRITE.
    untrusted: bool = False
    # What it records happens when it was asked (« je suis arrivé »): once confirmed, it
    # runs at the moment of the request, so what is written is what the preview showed.
    at_request: bool = False
    # The kind of record it creates (« invoice », « leave »…) and the kinds a request for it
    # may name besides (« facture » in a payment): a request naming another kind of
    # document or action is not this tool's (see ``agents/local/coverage.py``).
    creates: str | None = None
    acts_on: tuple[str, ...] = ()  # the record it acts on first (« invoice » to post one)

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind of record a request for this tool may name."""
        return frozenset((*self.acts_on, self.creates) if self.creates else self.acts_on)

    @property
    def record(self) -> str | None:
        """The record its result is about, which « la », « le », « lui » stand for next:
        what it creates, else what it acts on first."""
        return self.creates or (self.acts_on[0] if self.acts_on else None)

    @property
    def area(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def is_write(self) -> bool:
        return self.effect is Effect.WRITE

    def allowed(self, principal: Principal) -> bool:
        return not self.roles or principal.has_any(*self.roles)

    def require(self, principal: Principal) -> None:
        """Refuse, in French, a principal without one of the tool's roles."""
        if not self.allowed(principal):
            raise PermissionDenied(f"Vous n'avez pas les droits pour : {self.title.lower()}.")

    def validate(self, raw: Mapping[str, Any] | BaseModel) -> BaseModel:
        """The arguments as the input model, or ``InvalidInput`` with a French message."""
        if isinstance(raw, self.input_model):
            return raw
        data = raw.model_dump() if isinstance(raw, BaseModel) else dict(raw)
        if has_nul(data):  # whatever the input model: PostgreSQL refuses NUL in text
            raise InvalidInput(f"Je ne peux pas le faire : {NUL_MESSAGE} dans le texte.")
        try:
            return self.input_model.model_validate(data)
        except ValidationError as e:
            raise InvalidInput(french_validation_message(e), errors=_errors(e)) from e

    def run(self, ctx: ToolContext, args: Mapping[str, Any] | BaseModel) -> ToolResult:
        """Check the role, validate, call. Confirmation is the caller's business
        (``tools.confirmation``): calling ``run`` on a WRITE executes it. The result's cost
        fields are emptied for a role that may not see costs (``domain.kit.costs``)."""
        self.require(ctx.principal)
        return hide_costs(self.fn(ctx, self.validate(args)), ctx.principal)

    def json_schema(self) -> dict[str, Any]:
        """Name, description and the input's JSON schema (the LLM tier's tool definition)."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.input_model.model_json_schema(),
        }


def tool(
    name: str,
    *,
    title: str,
    effect: Effect,
    roles: tuple[Role, ...] = (),
    low_risk: bool = False,
    untrusted: bool = False,
    at_request: bool = False,
    creates: str | None = None,
    acts_on: tuple[str, ...] = (),
) -> Callable[[Callable[[ToolContext, In], Out]], Tool]:
    """Declare a tool from a function ``(ctx: ToolContext, args: XIn) -> XOut`` whose
    docstring is its French description."""

    def declare(fn: Callable[[ToolContext, In], Out]) -> Tool:
        hints = get_type_hints(fn)
        params = list(inspect.signature(fn).parameters)
        description = inspect.getdoc(fn)
        if len(params) != 2 or not description:
            raise TypeError(f"{name}: a tool is (ctx, args) -> result with a docstring")
        return Tool(
            name=name,
            title=title,
            description=description,
            effect=effect,
            roles=frozenset(roles),
            input_model=hints[params[1]],
            output_model=hints["return"],
            fn=fn,
            low_risk=low_risk,
            untrusted=untrusted,
            at_request=at_request,
            creates=creates,
            acts_on=tuple(acts_on),
        )

    return declare


@contextmanager
def resolving(field: str) -> Iterator[None]:
    """Turn a name that designates no row, or several, into a question back to the user
    about ``field`` (« Plusieurs clients correspondent : Diallo SARL ou Diallo & Fils ? »)."""
    try:
        yield
    except AskBack:
        raise
    except DomainError as e:
        candidates = e.details.get("candidates")
        if candidates is not None:
            names = [str(c.get("name") or c.get("number") or c) for c in candidates]
            raise AskBack(e.message, field=field, options=names) from e
        if isinstance(e, NotFound):
            raise AskBack(e.message, field=field) from e
        raise


_FIELD_MESSAGES = {
    "missing": "manquant",
    "greater_than": "doit être plus grand",
    "greater_than_equal": "doit être plus grand",
    "less_than_equal": "trop grand",
    "decimal_parsing": "nombre attendu",
    "date_from_datetime_parsing": "date attendue",
    "date_parsing": "date attendue",
    "literal_error": "valeur non reconnue",
    "string_too_short": "vide",
    "string_too_long": "trop long",
    "finite_number": "nombre fini attendu",
    "decimal_max_digits": "nombre trop grand ou trop précis",
    "decimal_whole_digits": "nombre trop grand",
    "decimal_max_places": "trop de décimales (4 au plus)",
    NUL_ERROR: NUL_MESSAGE,
}


def _errors(e: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]), "type": err["type"]} for err in e.errors()
    ]


def _limit_message(kind: str, limit: Any) -> str:
    """« doit dépasser 0 », « une valeur négative n'est pas acceptée »: what the value
    missed, in words that agree with any field."""
    zero = str(limit) in ("0", "0.0")
    if kind == "greater_than":
        return "doit être un nombre positif" if zero else f"doit dépasser {limit}"
    if zero:
        return "une valeur négative n'est pas acceptée"
    return f"doit valoir au moins {limit}"


def french_validation_message(e: ValidationError) -> str:
    """Each refusal named by the field's French words (« la quantité comptée »), with the
    limit it missed when there is one."""
    labels: dict[str, str] = dict(lexicon()["field_words"])
    parts = []
    for err in e.errors():
        where = ".".join(str(p) for p in err["loc"]) or "valeur"
        where = labels.get(str(err["loc"][-1]), where) if err["loc"] else where
        limit = err.get("ctx", {}).get("gt", err.get("ctx", {}).get("ge"))
        if err["type"] == "value_error":
            parts.append(str(err.get("ctx", {}).get("error", err["msg"])))
        elif err["type"] in ("greater_than", "greater_than_equal") and limit is not None:
            parts.append(f"{where} : {_limit_message(err['type'], limit)}")
        else:
            parts.append(f"{where} : {_FIELD_MESSAGES.get(err['type'], 'invalide')}")
    return "Je ne peux pas le faire : " + " ; ".join(parts) + "."
