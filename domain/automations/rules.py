"""Rules a member defines in plain French: « chaque lundi à 8h envoie-moi le CA de la
semaine », « préviens Ibrahima sur WhatsApp quand le riz brisé passe sous 20 sacs ».

A rule is typed (``RuleSpec``): a trigger (a schedule — an RFC 5545 RRULE read in the
business's time zone — or an event with its condition), an action (a report or a reading
tool, a reminder, or a writing tool with its arguments), a channel and recipients. It is
stored as an ``automations`` row of its own (``kind`` ``rule:<id>``, the spec in
``params``, ``owner_id`` the member who made it): the engine dispatches and records its
runs like any other automation, once per period, as its owner with the roles the owner
holds at each run.

This module holds the spec, its French reading (the read-back a member confirms), and the
storage: create, list, pause, resume, delete. Running a rule is ``automations.rules``'.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.automations.models import Automation
from domain.automations.schedule import next_occurrence, parse_rule
from domain.identity.models import Membership, Tenant, User
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound, PermissionDenied
from domain.kit.ids import uuid7
from domain.kit.lexicon import lexicon
from domain.kit.principal import Principal, Role
from domain.kit.text import fold

PREFIX = "rule:"
Channel = Literal["in_app", "email", "whatsapp"]
Report = Literal["revenue", "kpis", "unpaid", "low_stock"]
Period = Literal["day", "week", "month"]
MAX_RULES = 50  # per business: a chat that loops never fills the scheduler


class Trigger(BaseModel):
    """``schedule``: ``rrule`` in the business's local time. ``stock_below``: after a
    stock move, when the product's available quantity (all warehouses) goes under
    ``below`` — once per crossing."""

    type: Literal["schedule", "stock_below"]
    rrule: str | None = None
    product_id: str | None = None
    product: str | None = None  # its name, for the read-back
    unit: str | None = None
    below: Decimal | None = None


class Action(BaseModel):
    """``report``: a figure or a list read with the owner's rights; ``reminder``: a text;
    ``write``: a writing tool with its arguments, run only because the owner confirmed it
    when the rule was made."""

    type: Literal["report", "reminder", "write"]
    report: Report | None = None
    period: Period | None = None
    text: str | None = None
    tool: str | None = None
    tool_title: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)


class RuleSpec(BaseModel):
    trigger: Trigger
    action: Action
    channel: Channel | None = None  # None: each recipient's own notification channels
    recipients: list[str] = Field(default_factory=list)  # member user ids; empty: the owner
    recipient_names: list[str] = Field(default_factory=list)
    wording: str | None = None  # the request as the member said it
    # The owner confirmed the writing action when the rule was made (their explicit yes).
    write_confirmed_by: str | None = None
    # While a ``stock_below`` rule's product stays under: its next crossing alerts again.
    under: bool = False


# --- the French reading ---------------------------------------------------------------

WEEKDAYS = {
    "MO": "lundi",
    "TU": "mardi",
    "WE": "mercredi",
    "TH": "jeudi",
    "FR": "vendredi",
    "SA": "samedi",
    "SU": "dimanche",
}
REPORTS = {
    "revenue": "le chiffre d'affaires",
    "kpis": "les chiffres clés",
    "unpaid": "la liste des factures impayées en retard",
    "low_stock": "la liste des produits sous leur stock minimum",
}
PERIODS = {"day": "de la veille", "week": "de la semaine écoulée", "month": "du mois écoulé"}
CHANNEL_WORDS = {"whatsapp": "sur WhatsApp", "email": "par e-mail", "in_app": "dans l'application"}


def _rule_parts(rrule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rrule.upper().split(";") if "=" in part)


def _at(parts: dict[str, str]) -> str:
    hour = int(parts.get("BYHOUR", "0").split(",")[0])
    minute = int(parts.get("BYMINUTE", "0").split(",")[0])
    return f"à {hour:02d}:{minute:02d}"


def _days(codes: list[str]) -> str:
    names = [WEEKDAYS[c[-2:]] for c in codes]
    if names == ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]:
        return "Du lundi au vendredi"
    if len(names) == 1:
        return f"Tous les {names[0]}s"
    return "Tous les " + ", ".join(f"{n}s" for n in names[:-1]) + f" et {names[-1]}s"


def describe_schedule(rrule: str) -> str:
    """« Tous les lundis à 08:00 », « Le 1er de chaque mois à 08:00 », « Tous les jours
    à 07:30 »: when a schedule falls, in French."""
    parts = _rule_parts(rrule)
    freq, at = parts.get("FREQ"), _at(parts)
    interval = int(parts.get("INTERVAL", "1"))
    if freq == "WEEKLY" or (freq == "DAILY" and "BYDAY" in parts):
        days = parts.get("BYDAY", "MO").split(",")
        when = _days(days)
        if interval == 2 and len(days) == 1:
            when = f"Un {WEEKDAYS[days[0][-2:]]} sur deux"
        return f"{when} {at}"
    if freq == "MONTHLY":
        day = int(parts.get("BYMONTHDAY", "1").split(",")[0])
        if day == -1:
            return f"Le dernier jour de chaque mois {at}"
        return f"Le {'1er' if day == 1 else day} de chaque mois {at}"
    if freq == "DAILY":
        return f"Tous les jours {at}" if interval == 1 else f"Tous les {interval} jours {at}"
    if freq == "HOURLY":
        return "Toutes les heures"
    return f"Selon la règle {rrule}"


def quantity_text(value: Decimal, unit: str | None) -> str:
    text = format(value.normalize(), "f").replace(".", ",")
    if not unit:
        return text
    return f"{text} {unit}{'s' if value > 1 and not unit.endswith(('s', 'x')) else ''}"


def describe_action(action: Action) -> str:
    """What the rule sends or does, as the object of « je vous enverrai … »."""
    if action.type == "report":
        what = REPORTS[action.report or "kpis"]
        if action.report in ("revenue", "kpis"):
            what += f" {PERIODS[action.period or 'week']}"
        return what
    if action.type == "reminder":
        return f"ce rappel : « {action.text} »"
    return f"le résultat de : {(action.tool_title or action.tool or '').lower()}"


def _whom(spec: RuleSpec) -> str:
    if not spec.recipient_names:
        return "vous"
    return " et ".join(spec.recipient_names)


def describe(spec: RuleSpec) -> str:
    """The rule read back in plain French, one sentence."""
    channel = f" {CHANNEL_WORDS[spec.channel]}" if spec.channel else ""
    trigger = spec.trigger
    if trigger.type == "schedule":
        when = describe_schedule(trigger.rrule or "")
    else:
        below = quantity_text(trigger.below or Decimal(0), trigger.unit)
        when = f"Dès que le stock de {trigger.product} passe sous {below}"
    action = spec.action
    if action.type == "write":
        args = summarise_arguments(action.arguments)
        done = f"je ferai pour vous : {(action.tool_title or action.tool or '').lower()}"
        done += f" ({args})" if args else ""
        if not spec.recipient_names:
            return f"{when}, {done}, et je vous en informerai{channel}."
        return f"{when}, {done}, et je préviendrai {_whom(spec)}{channel}."
    if trigger.type == "stock_below" and action.type == "report" and action.report == "low_stock":
        whom = "vous préviendrai" if not spec.recipient_names else f"préviendrai {_whom(spec)}"
        return f"{when}, je {whom}{channel}."
    if not spec.recipient_names:
        return f"{when}, je vous enverrai{channel} {describe_action(action)}."
    return f"{when}, j'enverrai à {_whom(spec)}{channel} {describe_action(action)}."


def summarise_arguments(arguments: dict[str, Any]) -> str:
    """« client : Diallo SARL, Loyer, quantité : 1, 150000 » — the arguments a person gave,
    short, each named by the lexicon's French word for its field when there is one."""
    labels: dict[str, str] = dict(lexicon()["field_words"])
    parts = []
    for key, value in arguments.items():
        if isinstance(value, list):
            parts += [summarise_arguments(v) for v in value if isinstance(v, dict)]
        elif isinstance(value, dict):
            parts.append(summarise_arguments(value))
        elif value not in (None, ""):
            label = re.sub(r"^(?:le |la |les |l')", "", labels.get(key, ""))
            parts.append(f"{label} : {value}" if label else str(value))
    return ", ".join(p for p in parts if p)


def label_of(spec: RuleSpec) -> str:
    """A short name for lists: the rule read back without its ending."""
    return describe(spec).rstrip(".")


# --- members --------------------------------------------------------------------------


def member_by_name(session: Session, tenant_id: UUID, name: str) -> tuple[UUID, str]:
    """The one active member ``name`` designates (« Ibrahima », « Ibrahima Diop »): every
    word said is a word of their name. ``NotFound`` or ``InvalidInput`` (several)."""
    said = [w for w in fold(name).replace("-", " ").split() if w]
    rows = session.execute(
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.is_active)
    ).all()
    found = [
        (uid, full) for uid, full in rows if all(w in fold(full).split() for w in said) and said
    ]
    if not found:
        raise NotFound(f"Je ne trouve aucun membre de l'entreprise nommé « {name} ».")
    if len(found) > 1:
        names = " ou ".join(full for _, full in found)
        raise InvalidInput(f"Plusieurs membres s'appellent ainsi : {names}. Lequel ?")
    return found[0]


def active_members(session: Session, tenant_id: UUID, user_ids: list[UUID]) -> list[UUID]:
    """Those of ``user_ids`` still active members of the business."""
    if not user_ids:
        return []
    return list(
        session.scalars(
            select(Membership.user_id).where(
                Membership.tenant_id == tenant_id,
                Membership.is_active,
                Membership.user_id.in_(user_ids),
            )
        )
    )


# --- storage --------------------------------------------------------------------------


def is_rule(automation: Automation) -> bool:
    return automation.kind.startswith(PREFIX)


def spec_of(automation: Automation) -> RuleSpec:
    return RuleSpec.model_validate(automation.params or {})


def create_rule(session: Session, principal: Principal, clock: Clock, spec: RuleSpec) -> Automation:
    """Store the rule, on, owned by ``principal``, with its next run. A writing action is
    stored only for an owner allowed to confirm it (the caller checked the tool's roles;
    this records who confirmed)."""
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    if principal.user_id is None:
        raise PermissionDenied("Seul un membre de l'entreprise peut créer une automatisation.")
    count = len(list(session.scalars(select(Automation.kind).where(_rules(tenant.id)))))
    if count >= MAX_RULES:
        raise InvalidInput(f"Vous avez déjà {MAX_RULES} automatisations : supprimez-en une.")
    rrule = spec.trigger.rrule if spec.trigger.type == "schedule" else None
    if spec.trigger.type == "schedule":
        if not rrule:
            raise InvalidInput("Quand faut-il le faire ?", field="rrule")
        parse_rule(rrule, clock.now().replace(tzinfo=None))
    if spec.action.type == "write":
        spec = spec.model_copy(update={"write_confirmed_by": str(principal.user_id)})
    rule_id = uuid7()
    automation = Automation(
        tenant_id=tenant.id,
        id=rule_id,
        kind=f"{PREFIX}{rule_id.hex}",
        enabled=True,
        rule=rrule,
        params=spec.model_dump(mode="json"),
        owner_id=principal.user_id,
        next_run_at=next_occurrence(rrule, tenant.timezone, clock.now()) if rrule else None,
    )
    session.add(automation)
    session.flush()
    audit.record(
        session,
        principal,
        "automation.create",
        target_type="automation",
        target_id=automation.id,
        after={"description": describe(spec), "rule": rrule, "spec": automation.params},
    )
    return automation


def _rules(tenant_id: UUID) -> Any:
    return (Automation.tenant_id == tenant_id) & Automation.kind.startswith(PREFIX)


def list_rules(session: Session, principal: Principal) -> list[Automation]:
    """The business's rules, oldest first: a member sees their own, an admin every one."""
    query = select(Automation).where(_rules(principal.tenant_id)).order_by(Automation.created_at)
    if not principal.has_any(Role.ADMIN):
        query = query.where(Automation.owner_id == principal.user_id)
    return list(session.scalars(query))


def _words(text: str) -> set[str]:
    """The words of ``text`` (3 letters or more), folded, without their plural or feminine
    ending (« impayés » and « impayées » are one word)."""
    return {w.rstrip("s").rstrip("e") for w in fold(text).replace("'", " ").split() if len(w) > 2}


def find_rule(session: Session, principal: Principal, which: str | None) -> Automation:
    """The one rule of this member that ``which`` designates by the words of its reading
    or of the request (« le rappel du lundi », « la relance »); with no words, their only
    rule. ``NotFound``, or ``InvalidInput`` naming the candidates."""
    rules = list_rules(session, principal)
    # « celle des produits sous le minimum »: the pronoun stands for the rule, not a word of it
    said = _words(which or "") - _words("automatisation rappel regle alerte envoi celle celui ceux")
    if which and not said:
        said = _words(which)
    matching = [
        r
        for r in rules
        if said
        <= _words(
            " ".join(
                [describe(spec_of(r)), spec_of(r).wording or "", describe_action(spec_of(r).action)]
            )
            + (" rappel" if spec_of(r).action.type == "reminder" else "")
            + (" alerte" if spec_of(r).trigger.type == "stock_below" else "")
        )
    ]
    if not rules:
        raise NotFound("Vous n'avez aucune automatisation.")
    if not matching:
        raise NotFound(f"Aucune de vos automatisations ne correspond à « {which} ».")
    if len(matching) > 1:
        names = " ; ".join(f"« {label_of(spec_of(r))} »" for r in matching)
        raise InvalidInput(f"Plusieurs automatisations correspondent : {names}. Laquelle ?")
    return matching[0]


def set_enabled(
    session: Session, principal: Principal, clock: Clock, rule: Automation, enabled: bool
) -> Automation:
    """Pause or resume a rule (its owner or an admin); resuming plans its next run from
    now: the periods missed while paused are not caught up."""
    _may_change(principal, rule)
    tenant = session.get(Tenant, rule.tenant_id)
    assert tenant is not None
    rule.enabled = enabled
    if enabled and rule.rule:
        rule.next_run_at = next_occurrence(rule.rule, tenant.timezone, clock.now())
    session.flush()
    audit.record(
        session,
        principal,
        "automation.resume" if enabled else "automation.pause",
        target_type="automation",
        target_id=rule.id,
        after={"enabled": enabled},
    )
    return rule


_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def weekday_of(rule: Automation) -> int | None:
    """The weekday a weekly rule runs on (Monday is 0), None for any other."""
    day = _rule_parts(rule.rule or "").get("BYDAY", "")
    return _CODES.index(day) if day in _CODES else None


def reschedule_rule(
    session: Session,
    principal: Principal,
    clock: Clock,
    rule: Automation,
    *,
    weekday: int | None = None,
    hour: int | None = None,
    minute: int = 0,
) -> Automation:
    """Move a scheduled rule to another weekday (Monday is 0) or time of day (its owner or an
    admin), keeping how often it runs. Only a weekly rule runs on a weekday: another one
    moved to a day is refused, never turned into a weekly one."""
    _may_change(principal, rule)
    spec = spec_of(rule)
    if not rule.rule or spec.trigger.type != "schedule":
        raise InvalidInput("Cette automatisation ne suit pas un horaire : rien à décaler.")
    parts = _rule_parts(rule.rule)
    if weekday is not None and (parts.get("FREQ") != "WEEKLY" or "," in parts.get("BYDAY", "")):
        raise InvalidInput("Elle n'a pas lieu un seul jour de la semaine : à quelle heure ?")
    if hour is not None and not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidInput("Cette heure n'existe pas : à quelle heure ?")
    if weekday is not None:
        parts["BYDAY"] = _CODES[weekday]
    if hour is not None:
        parts["BYHOUR"], parts["BYMINUTE"] = str(hour), str(minute)
    rrule = ";".join(f"{key}={value}" for key, value in parts.items())
    parse_rule(rrule, clock.now().replace(tzinfo=None))
    before = label_of(spec)
    spec.trigger.rrule = rrule
    tenant = session.get(Tenant, rule.tenant_id)
    assert tenant is not None
    rule.rule, rule.params = rrule, spec.model_dump(mode="json")
    if rule.enabled:
        rule.next_run_at = next_occurrence(rrule, tenant.timezone, clock.now())
    session.flush()
    audit.record(
        session,
        principal,
        "automation.reschedule",
        target_type="automation",
        target_id=rule.id,
        before={"description": before},
        after={"description": label_of(spec), "rule": rrule},
    )
    return rule


def delete_rule(session: Session, principal: Principal, rule: Automation) -> str:
    """Delete a rule and its runs (its owner or an admin); the audit log keeps the trace."""
    _may_change(principal, rule)
    label = label_of(spec_of(rule))
    audit.record(
        session,
        principal,
        "automation.delete",
        target_type="automation",
        target_id=rule.id,
        before={"description": label, "spec": rule.params},
    )
    session.delete(rule)
    session.flush()
    return label


def _may_change(principal: Principal, rule: Automation) -> None:
    if rule.owner_id != principal.user_id and not principal.has_any(Role.ADMIN):
        raise PermissionDenied("Seul son auteur ou un administrateur peut modifier cette règle.")


def next_run(rule: Automation) -> datetime | None:
    return rule.next_run_at if rule.enabled else None
