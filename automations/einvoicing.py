"""E-invoicing automations: polling the business's plateforme agréée, and telling it
« Encaissée » when a customer payment settles a submitted invoice.

They are not built-ins: configuring a platform installs them in that business
(``service.configure``), so businesses without one have no hourly run for nothing. The
payment side reacts to the payment's domain event (relayed after the payment's commit),
not inside the payment code. A platform that is down leaves the status recorded and
unsent: the next poll sends it; the status's unique key makes it told once, however many
events or polls see the invoice.
"""

from __future__ import annotations

from typing import Any

from automations.kinds import RunContext, automation_kind
from domain.finance.einvoicing import sync
from domain.finance.einvoicing.service import (
    CASHED_KIND,
    POLL_KIND,
    POLL_RULE,
    account_of,
    afnor_platform,
)


@automation_kind(
    POLL_KIND,
    label="Plateforme de facturation électronique",
    rule=POLL_RULE,
    priority=60,
    builtin=False,
)
def einvoicing_poll(ctx: RunContext) -> dict[str, Any]:
    """Received supplier invoices become draft bills (once each), the platform's and the
    customers' statuses are recorded, and what waits to be sent is sent."""
    account = account_of(ctx.session, ctx.tenant.id)
    if account is None or not account.enabled:
        return {}
    platform = afnor_platform(account)
    return sync.synchronise(ctx.session, ctx.principal, ctx.clock, platform, account)


@automation_kind(
    CASHED_KIND,
    label="Statut « Encaissée » à la plateforme",
    rule=None,
    events=("payment.recorded", "invoice.credit_applied"),
    priority=61,
    builtin=False,
)
def einvoicing_cashed(ctx: RunContext) -> dict[str, Any]:
    """Every submitted invoice now fully paid is announced « Encaissée », once."""
    account = account_of(ctx.session, ctx.tenant.id)
    if account is None or not account.enabled:
        return {}
    platform = afnor_platform(account)
    cashed = sync.announce_cashed(ctx.session, ctx.clock, platform, ctx.tenant.id)
    return {"encaissees": cashed} if cashed else {}
