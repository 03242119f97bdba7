"""Automation tools: rules a member defines in plain French, listed, paused, resumed,
deleted (``domain.automations.rules``), and the built-in dunning tuned from a sentence.

``automations.create`` is a WRITE: its preview reads the rule back in French (« Tous les
lundis à 08:00, je vous enverrai sur WhatsApp le chiffre d'affaires de la semaine
écoulée. ») and nothing is stored before the member's « oui ».
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from automations import manage
from automations.kinds import KINDS
from automations.rules import REPORT_TOOLS
from domain.automations import rules
from domain.automations.models import Automation
from domain.automations.rules import Action, RuleSpec, Trigger
from domain.kit.errors import DomainError, InvalidInput, NotFound
from domain.kit.principal import Role
from domain.kit.text import fold
from domain.sales.service.catalog import resolve_product
from tools.base import AskBack, Effect, Tool, ToolContext, ToolResult, resolving, tool

What = Literal["revenue", "kpis", "unpaid", "low_stock", "reminder", "stock_alert", "dunning"]
DUNNING = "dunning"
# Words that name any automation: alone, they designate no built-in in particular.
# « automatique » says how any of them runs; « client » is whom those on invoices concern.
GENERIC = frozenset(
    {"rappel", "alerte", "automatisation", "regle", "envoi", "automatique", "auto", "client"}
)
ASK_WHAT = (
    "Que dois-je faire à chaque fois : vous envoyer un chiffre (chiffre d'affaires, impayés, "
    "stock bas), vous rappeler quelque chose, ou vous alerter sur un stock ?"
)
ASK_WHEN = (
    "Quand faut-il le faire ? Par exemple « chaque lundi à 8h », « tous les jours à 18h » "
    "ou « le 1er de chaque mois »."
)


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rrule: str = Field(
        max_length=200,
        description="Règle RRULE en heure locale, ex. FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0.",
    )
    said: str | None = Field(default=None, max_length=200, description="Les mots dits.")
    at: str | None = Field(default=None, max_length=5, description="L'heure, HH:MM.")


class ThresholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: str = Field(max_length=200, description="Le produit, tel que dit.")
    below: Decimal = Field(gt=0, max_digits=14, decimal_places=4)
    unit: str | None = Field(default=None, max_length=40)
    said: str | None = Field(default=None, max_length=200)


class DelayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=1, le=365, description="Jours après l'échéance.")
    said: str | None = Field(default=None, max_length=200)


class CreateAutomationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: What | None = Field(
        default=None,
        description="revenue (chiffre d'affaires), kpis (chiffres clés), unpaid (factures en "
        "retard), low_stock (stock bas), reminder (un rappel), stock_alert (alerte quand un "
        "produit passe sous un seuil), dunning (relance des impayés après N jours).",
    )
    when: ScheduleIn | None = Field(default=None, description="Quand : une règle RRULE.")
    period: Literal["day", "week", "month"] | None = None
    text: str | None = Field(default=None, max_length=300, description="Texte du rappel.")
    threshold: ThresholdIn | None = Field(
        default=None, description="Pour une alerte : le produit et le seuil."
    )
    after: DelayIn | None = Field(default=None, description="Pour la relance : après N jours.")
    recipient: str | None = Field(default=None, max_length=200, description="Un membre.")
    channel: Literal["in_app", "email", "whatsapp"] | None = None
    tool: str | None = Field(default=None, max_length=80, description="Outil d'écriture.")
    arguments: dict[str, Any] | None = None


class AutomationOut(ToolResult):
    id: str | None
    description: str
    next_run_at: datetime | None = None

    def preview(self) -> str:
        return self.description

    def render(self) -> str:
        return f"C'est programmé. {self.description}"


def _recipient(ctx: ToolContext, name: str | None) -> tuple[list[str], list[str]]:
    if not name or fold(name).split()[0] in ("moi", "me", "m'", "nous"):
        return [], []
    try:
        user_id, full = rules.member_by_name(ctx.session, ctx.principal.tenant_id, name)
    except (NotFound, InvalidInput) as e:
        raise AskBack(e.message, field="recipient") from e
    if user_id == ctx.principal.user_id:
        return [], []
    return [str(user_id)], [full]


def _trigger(ctx: ToolContext, args: CreateAutomationIn) -> Trigger:
    if args.what == "stock_alert":
        if args.threshold is None:
            raise AskBack(
                "Pour quel produit, et sous quelle quantité, faut-il prévenir ?",
                field="threshold",
            )
        with resolving("threshold"):
            product = resolve_product(ctx.session, ctx.principal, args.threshold.product)
        return Trigger(
            type="stock_below",
            product_id=str(product.id),
            product=product.name,
            unit=args.threshold.unit or product.unit,
            below=args.threshold.below,
        )
    if args.when is None:
        raise AskBack(ASK_WHEN, field="when")
    return Trigger(type="schedule", rrule=args.when.rrule)


def _action(ctx: ToolContext, args: CreateAutomationIn) -> Action:
    from tools.registry import default_registry

    if args.tool:
        target = default_registry().get(args.tool)
        if target is None or not target.is_write or target.area == "automations":
            raise InvalidInput(f"Action inconnue : {args.tool}.")
        target.require(ctx.principal)  # a rule may only do what its owner may do
        valid = target.validate(args.arguments or {})
        arguments = valid.model_dump(mode="json", exclude_none=True)
        return Action(type="write", tool=target.name, tool_title=target.title, arguments=arguments)
    if args.what in REPORT_TOOLS:  # the owner must be allowed to read what the rule sends
        reading = default_registry().get(REPORT_TOOLS[str(args.what)])
        assert reading is not None
        reading.require(ctx.principal)
    if args.what == "reminder":
        if not args.text:
            raise AskBack("De quoi faut-il vous rappeler ?", field="text")
        return Action(type="reminder", text=args.text)
    if args.what == "stock_alert":
        return Action(type="report", report="low_stock")
    if args.what == "revenue" or args.what == "kpis" or args.what == "unpaid":
        return Action(type="report", report=args.what, period=args.period or _period(args))
    if args.what == "low_stock":
        return Action(type="report", report="low_stock")
    raise AskBack(ASK_WHAT, field="what")


def _period(args: CreateAutomationIn) -> Literal["day", "week", "month"]:
    """The period a report covers when none is said: the one its schedule repeats over."""
    rrule = args.when.rrule.upper() if args.when else ""
    if "FREQ=DAILY" in rrule:
        return "day"
    return "month" if "FREQ=MONTHLY" in rrule else "week"


def _tune_dunning(ctx: ToolContext, args: CreateAutomationIn) -> AutomationOut:
    """« relance automatiquement les impayés après 15 jours »: the built-in dunning, on,
    its first overdue reminder N days after the due date (admins)."""
    if args.after is None:
        raise AskBack("Combien de jours après l'échéance faut-il relancer ?", field="after")
    ctx.principal.require(Role.ADMIN)
    days = args.after.days
    params: dict[str, Any] = {"first_overdue_days": days}
    final = KINDS[DUNNING].params.get("final_overdue_days", 30)
    if days >= int(final):
        params["final_overdue_days"] = days + 23
    manage.update_automation(
        ctx.session, ctx.principal, ctx.clock, DUNNING, enabled=True, params=params
    )
    return AutomationOut(
        id=None,
        description=(
            "Chaque jour à 09:00, Comptoir relancera par e-mail les clients dont une facture "
            f"reste impayée {days} jours après son échéance (la relance s'arrête dès que la "
            "facture est payée)."
        ),
    )


@tool(
    "automations.create",
    title="Créer une automatisation",
    effect=Effect.WRITE,
    # « envoie-moi ce qu'on a encaissé »: a report on payments received records none
    acts_on=("reminder", "invoice", "payment"),
)
def create(ctx: ToolContext, args: CreateAutomationIn) -> AutomationOut:
    """Programmer une automatisation : un envoi régulier (chiffre d'affaires, impayés, stock
    bas, chiffres clés), un rappel, une alerte quand un produit passe sous un seuil, ou une
    action régulière ; sur WhatsApp, par e-mail ou dans l'application ; pour soi ou un
    membre. Exemples : « chaque lundi à 8h envoie-moi le CA de la semaine », « préviens
    Ibrahima sur WhatsApp quand le riz brisé passe sous 20 sacs », « rappelle-moi chaque
    lundi de vérifier les impayés »."""
    if args.what == DUNNING and not args.tool:
        return _tune_dunning(ctx, args)
    action = _action(ctx, args)
    trigger = _trigger(ctx, args)
    recipients, names = _recipient(ctx, args.recipient)
    spec = RuleSpec(
        trigger=trigger,
        action=action,
        channel=args.channel,
        recipients=recipients,
        recipient_names=names,
        wording=(args.when.said if args.when else None)
        or (args.threshold.said if args.threshold else None),
    )
    rule = rules.create_rule(ctx.session, ctx.principal, ctx.clock, spec)
    return AutomationOut(
        id=str(rule.id), description=rules.describe(spec), next_run_at=rule.next_run_at
    )


# --- listing, pausing, resuming, deleting ---------------------------------------------


class ListAutomationsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleRow(BaseModel):
    id: str
    description: str
    active: bool
    trigger: Literal["schedule", "event"]
    channel: str | None
    next_run_at: datetime | None


class AutomationList(ToolResult):
    rules: list[RuleRow]
    builtins: list[str] = Field(default_factory=list)

    def render(self) -> str:
        if not self.rules:
            lines = ["Vous n'avez encore programmé aucune automatisation."]
        else:
            lines = [f"Vos automatisations ({len(self.rules)}) :"]
            for row in self.rules:
                state = "" if row.active else " (en pause)"
                lines.append(f"- {row.description}{state}")
        if self.builtins:
            lines.append("Automatisations intégrées actives : " + ", ".join(self.builtins) + ".")
        return "\n".join(lines)


def row_of(rule: Automation) -> RuleRow:
    spec = rules.spec_of(rule)
    return RuleRow(
        id=str(rule.id),
        description=rules.label_of(spec),
        active=rule.enabled,
        trigger="schedule" if spec.trigger.type == "schedule" else "event",
        channel=spec.channel,
        next_run_at=rules.next_run(rule),
    )


@tool("automations.list", title="Voir les automatisations", effect=Effect.READ)
def list_automations(ctx: ToolContext, args: ListAutomationsIn) -> AutomationList:
    """Les automatisations programmées (les siennes ; toutes pour un administrateur), et
    les automatisations intégrées actives. Exemples : « quelles sont mes automatisations ? »,
    « qu'est-ce que tu m'envoies automatiquement ? »."""
    found = [row_of(r) for r in rules.list_rules(ctx.session, ctx.principal)]
    builtins: list[str] = []
    if ctx.principal.has_any(*manage.READERS):
        builtins = [
            str(a["label"]).lower()
            for a in manage.list_automations(ctx.session, ctx.principal, ctx.clock)
            if a["enabled"]
        ]
    return AutomationList(rules=found, builtins=builtins)


class WhichAutomationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    which: str | None = Field(
        default=None, max_length=200, description="Ce qui la désigne : « la relance »."
    )


class AutomationChanged(ToolResult):
    description: str
    change: Literal["pause", "resume", "delete", "reschedule"]

    def preview(self) -> str:
        verb = {
            "pause": "Je mettrai en pause",
            "resume": "Je réactiverai",
            "delete": "Je supprimerai",
            "reschedule": "Je la reprogrammerai ainsi",
        }
        return f"{verb[self.change]} : « {self.description} »."

    def render(self) -> str:
        done = {
            "pause": "En pause",
            "resume": "Réactivée",
            "delete": "Supprimée",
            "reschedule": "Reprogrammée",
        }
        return f"{done[self.change]} : « {self.description} »."


def _find(ctx: ToolContext, which: str | None) -> Automation:
    try:
        return rules.find_rule(ctx.session, ctx.principal, which)
    except (NotFound, InvalidInput) as e:
        raise AskBack(e.message, field="which") from e


def _builtin(ctx: ToolContext, which: str | None) -> str | None:
    """The built-in ``which`` names by the words of its label, or says every word of
    (« le résumé que tu m'envoies le matin »: the « Résumé du matin »); admins tune them."""
    if not which or not ctx.principal.has_any(Role.ADMIN):
        return None

    def stems(text: str, shortest: int = 4) -> set[str]:
        return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", fold(text)) if len(w) >= shortest}

    said = stems(which) - GENERIC
    named = [
        kind.name
        for kind in KINDS.values()
        if kind.builtin
        and said
        and (said <= stems(kind.label) or stems(kind.label, 3) <= stems(which, 3))
    ]
    return named[0] if len(named) == 1 else None


def _switch(ctx: ToolContext, which: str | None, enabled: bool) -> AutomationChanged:
    change: Literal["pause", "resume"] = "resume" if enabled else "pause"
    try:
        rule = rules.find_rule(ctx.session, ctx.principal, which)
    except DomainError:
        kind = _builtin(ctx, which)
        if kind is None:
            raise
        manage.update_automation(ctx.session, ctx.principal, ctx.clock, kind, enabled=enabled)
        return AutomationChanged(description=KINDS[kind].label, change=change)
    rules.set_enabled(ctx.session, ctx.principal, ctx.clock, rule, enabled)
    return AutomationChanged(description=rules.label_of(rules.spec_of(rule)), change=change)


@tool(
    "automations.pause",
    acts_on=("reminder",),
    title="Mettre en pause une automatisation",
    effect=Effect.WRITE,
)
def pause(ctx: ToolContext, args: WhichAutomationIn) -> AutomationChanged:
    """Mettre en pause une automatisation, sans la supprimer. Exemples : « mets en pause la
    relance », « arrête le rapport du lundi pour l'instant »."""
    try:
        return _switch(ctx, args.which, enabled=False)
    except (NotFound, InvalidInput) as e:
        raise AskBack(e.message, field="which") from e


@tool(
    "automations.resume",
    acts_on=("reminder",),
    title="Réactiver une automatisation",
    effect=Effect.WRITE,
)
def resume(ctx: ToolContext, args: WhichAutomationIn) -> AutomationChanged:
    """Réactiver une automatisation mise en pause. Exemples : « réactive la relance »,
    « relance le rappel du lundi »."""
    try:
        return _switch(ctx, args.which, enabled=True)
    except (NotFound, InvalidInput) as e:
        raise AskBack(e.message, field="which") from e


@tool(
    "automations.delete",
    acts_on=("reminder",),
    title="Supprimer une automatisation",
    effect=Effect.WRITE,
)
def delete(ctx: ToolContext, args: WhichAutomationIn) -> AutomationChanged:
    """Supprimer une automatisation programmée. Exemples : « supprime le rappel du lundi »,
    « enlève l'alerte sur le riz »."""
    rule = _find(ctx, args.which)
    label = rules.delete_rule(ctx.session, ctx.principal, rule)
    return AutomationChanged(description=label, change="delete")


class RescheduleAutomationIn(WhichAutomationIn):
    day: date | None = Field(
        default=None, description="Un jour du nouveau jour de la semaine (son jour compte)."
    )
    at: str | None = Field(
        default=None, pattern=r"^\d{2}:\d{2}$", description="La nouvelle heure, HH:MM."
    )
    from_day: date | None = Field(
        default=None, description="Un jour du jour de la semaine où elle tombe aujourd'hui."
    )


@tool(
    "automations.reschedule",
    acts_on=("reminder",),
    title="Reprogrammer une automatisation",
    effect=Effect.WRITE,
)
def reschedule(ctx: ToolContext, args: RescheduleAutomationIn) -> AutomationChanged:
    """Changer le jour de la semaine ou l'heure d'une automatisation programmée, sans changer
    sa fréquence. Exemples : « décale le rappel du lundi au mardi », « passe l'envoi du CA à
    19h »."""
    if args.day is None and args.at is None:
        raise AskBack("À quel jour ou à quelle heure faut-il la déplacer ?", field="at")
    rule = _find(ctx, args.which)
    if args.from_day is not None and rules.weekday_of(rule) != args.from_day.weekday():
        raise AskBack("Cette automatisation ne tombe pas ce jour-là : laquelle ?", field="which")
    hour, minute = (int(x) for x in args.at.split(":")) if args.at else (None, 0)
    weekday = args.day.weekday() if args.day else None
    try:
        rules.reschedule_rule(
            ctx.session, ctx.principal, ctx.clock, rule, weekday=weekday, hour=hour, minute=minute
        )
    except InvalidInput as e:
        raise AskBack(e.message, field="at") from e
    return AutomationChanged(description=rules.label_of(rules.spec_of(rule)), change="reschedule")


TOOLS: list[Tool] = [create, list_automations, pause, resume, delete, reschedule]
