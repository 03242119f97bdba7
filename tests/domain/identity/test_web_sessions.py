"""Sessions opened for a person already proven (the web app's choice and switch of
business): only in a business where they are an active member, audited there."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.identity import invitations, web_sessions
from domain.identity.errors import TenantAccessDenied
from domain.kit.principal import Channel, Role
from tests.factories import make_member, make_tenant

WEB = RequestContext(channel=Channel.WEB, request_id="test")


class TestWebSessions:
    def test_only_a_business_one_is_an_active_member_of(self, container: Container) -> None:
        alpha = make_tenant(container, name="Alpha Négoce")
        beta = make_tenant(container, name="Beta Services")
        make_member(container, beta, Role.SALES, email=alpha.email)
        listed = web_sessions.businesses(container.db, alpha.user_id)
        assert [(b.name, b.roles) for b in listed] == [
            ("Alpha Négoce", ["admin"]),
            ("Beta Services", ["sales"]),
        ]
        with container.db.unit_of_work(beta.tenant_id) as s:
            invitations.remove_member(s, beta.principal(), alpha.user_id, container.clock.now())
        assert [b.slug for b in web_sessions.businesses(container.db, alpha.user_id)] == [
            alpha.slug
        ]
        with pytest.raises(TenantAccessDenied):
            web_sessions.open_session(container.db, WEB, user_id=alpha.user_id, slug=beta.slug)

    def test_the_session_is_opened_and_audited_in_the_chosen_business(
        self, container: Container
    ) -> None:
        alpha = make_tenant(container)
        opened = web_sessions.open_session(
            container.db, WEB, user_id=alpha.user_id, slug=f" {alpha.slug.upper()} "
        )
        assert opened.tenant_id == alpha.tenant_id
        with container.db.unit_of_work(alpha.tenant_id) as s:
            channel = s.scalar(
                text("SELECT channel FROM auth_sessions WHERE id = :id"), {"id": opened.session_id}
            )
            audited = s.scalar(
                text("SELECT action FROM audit_log WHERE target_id = :id"),
                {"id": str(opened.session_id)},
            )
        assert (channel, audited) == ("web", "auth.login")
