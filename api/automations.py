"""The notification centre (the current member's notifications and preferences), the
business's automations (list, switch, tune, runs) and dunning (opt-out, dispute, the
reminders recorded on an invoice)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ContainerDep, PrincipalDep
from automations import dunning, engine, manage
from domain.automations import notifications as centre
from domain.kit.inputs import InputModel

router = APIRouter(prefix="/api/v1")
ChannelName = Literal["in_app", "email", "whatsapp"]


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int


class MarkedRead(BaseModel):
    marked: int


class PreferencesIn(InputModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[ChannelName]
    quiet_start: time | None = None
    quiet_end: time | None = None


class PreferencesOut(BaseModel):
    channels: list[str]
    quiet_start: time | None
    quiet_end: time | None


class AutomationOut(BaseModel):
    kind: str
    label: str
    enabled: bool
    trigger: Literal["schedule", "event"]
    rule: str | None
    params: dict[str, Any]
    next_run_at: datetime | None


class AutomationUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool | None = None
    rule: str | None = Field(default=None, max_length=500)
    params: dict[str, Any] | None = None


class RunOut(BaseModel):
    id: UUID
    kind: str
    period_key: str
    status: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    output: dict[str, Any]


@router.get("/notifications", response_model=NotificationPage, tags=["notifications"])
def list_notifications(
    c: ContainerDep,
    principal: PrincipalDep,
    unread: bool = False,
    limit: int = Query(50, ge=1, le=200),
) -> NotificationPage:
    """Mes notifications, les plus récentes d'abord (``?unread=true`` : non lues)."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows, count = centre.list_notifications(session, principal, unread_only=unread, limit=limit)
        return NotificationPage(
            items=[NotificationOut.model_validate(n) for n in rows], unread=count
        )


@router.post(
    "/notifications/{notification_id}/read", response_model=MarkedRead, tags=["notifications"]
)
def mark_read(notification_id: UUID, c: ContainerDep, principal: PrincipalDep) -> MarkedRead:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return MarkedRead(
            marked=centre.mark_read(session, principal, c.clock.now(), notification_id)
        )


@router.post("/notifications/read-all", response_model=MarkedRead, tags=["notifications"])
def mark_all_read(c: ContainerDep, principal: PrincipalDep) -> MarkedRead:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return MarkedRead(marked=centre.mark_read(session, principal, c.clock.now()))


@router.get("/notifications/preferences", response_model=PreferencesOut, tags=["notifications"])
def get_preferences(c: ContainerDep, principal: PrincipalDep) -> PreferencesOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        prefs = centre.preferences(session, principal.tenant_id, principal.user_id)
        return PreferencesOut(
            channels=list(prefs.channels), quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end
        )


@router.put("/notifications/preferences", response_model=PreferencesOut, tags=["notifications"])
def set_preferences(
    body: PreferencesIn, c: ContainerDep, principal: PrincipalDep
) -> PreferencesOut:
    """Mes canaux (l'application toujours ; e-mail, WhatsApp) et mes heures calmes."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        prefs = centre.set_preferences(
            session,
            principal,
            channels=list(body.channels),
            quiet_start=body.quiet_start,
            quiet_end=body.quiet_end,
        )
        return PreferencesOut(
            channels=list(prefs.channels), quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end
        )


@router.get("/automations", response_model=list[AutomationOut], tags=["automatisations"])
def list_automations(c: ContainerDep, principal: PrincipalDep) -> list[AutomationOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [
            AutomationOut.model_validate(a)
            for a in manage.list_automations(session, principal, c.clock)
        ]


@router.patch("/automations/{kind}", response_model=AutomationOut, tags=["automatisations"])
def update_automation(
    kind: str, body: AutomationUpdate, c: ContainerDep, principal: PrincipalDep
) -> AutomationOut:
    """Activer, désactiver ou régler une automatisation (administrateurs)."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        return AutomationOut.model_validate(
            manage.update_automation(
                session,
                principal,
                c.clock,
                kind,
                enabled=body.enabled,
                rule=body.rule,
                params=body.params,
            )
        )


@router.get("/automations/runs", response_model=list[RunOut], tags=["automatisations"])
def list_runs(
    c: ContainerDep, principal: PrincipalDep, limit: int = Query(50, ge=1, le=200)
) -> list[RunOut]:
    """Les dernières exécutions (statut, erreur, ce qu'elles ont produit)."""
    principal.require(*manage.READERS)
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = engine.recent_runs(session, principal.tenant_id, limit=limit)
        return [RunOut.model_validate(r) for r in rows]


# --- dunning: a customer's opt-out, an invoice's dispute, its reminders ------------------


class DunningSwitch(InputModel):
    model_config = ConfigDict(extra="forbid")
    excluded: bool


class DunningState(BaseModel):
    excluded: bool


class ReminderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    stage: Literal["before_due", "overdue_7", "overdue_30"]
    channel: str
    recipient: str
    amount_due: Decimal
    sent_at: datetime


@router.put(
    "/partners/{partner_id}/dunning-opt-out", response_model=DunningState, tags=["partners"]
)
def set_dunning_opt_out(
    partner_id: UUID, body: DunningSwitch, c: ContainerDep, principal: PrincipalDep
) -> DunningState:
    """Ne plus relancer ce client (``excluded: true``), ou de nouveau (``false``)."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        done = dunning.set_exclusion(
            session, principal, excluded=body.excluded, partner_id=partner_id
        )
        return DunningState(excluded=done)


@router.put("/invoices/{invoice_id}/dispute", response_model=DunningState, tags=["factures"])
def set_disputed(
    invoice_id: UUID, body: DunningSwitch, c: ContainerDep, principal: PrincipalDep
) -> DunningState:
    """Facture contestée (``excluded: true``) : plus aucune relance tant qu'elle l'est."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        done = dunning.set_exclusion(
            session, principal, excluded=body.excluded, invoice_id=invoice_id
        )
        return DunningState(excluded=done)


@router.get("/invoices/{invoice_id}/reminders", response_model=list[ReminderOut], tags=["factures"])
def list_reminders(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> list[ReminderOut]:
    """Les relances envoyées pour cette facture, dans l'ordre."""
    principal.require(*dunning.WRITERS)
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = dunning.reminders_of(session, principal.tenant_id, invoice_id)
        return [ReminderOut.model_validate(r) for r in rows]
