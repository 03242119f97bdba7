"""Expiry against a controlled clock: access tokens live 15 minutes, refresh tokens 7 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.identity.service import Authentication
from domain.identity.tokens import TokenExpired
from domain.kit.clock import ManualClock
from tests.factories import authentication_at, make_tenant


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def auth(container: Container, clock: ManualClock) -> Authentication:
    return authentication_at(container, clock)


CTX = RequestContext()


class TestExpiry:
    def test_access_token_expires_after_15_minutes(
        self, container: Container, auth: Authentication, clock: ManualClock
    ) -> None:
        account = make_tenant(container)
        pair = auth.login(CTX, email=account.email, password=account.password)
        clock.advance(timedelta(minutes=14, seconds=59))
        assert auth.authenticate(CTX, pair.access_token).user_id == account.user_id
        clock.advance(timedelta(seconds=1))
        with pytest.raises(TokenExpired) as info:
            auth.authenticate(CTX, pair.access_token)
        assert info.value.message == "Votre session a expiré. Reconnectez-vous."

    def test_refresh_token_expires_after_7_days(
        self, container: Container, auth: Authentication, clock: ManualClock
    ) -> None:
        account = make_tenant(container)
        pair = auth.login(CTX, email=account.email, password=account.password)
        clock.advance(timedelta(days=6, hours=23))
        renewed = auth.refresh(CTX, pair.refresh_token)
        clock.advance(timedelta(days=7))
        with pytest.raises(TokenExpired):
            auth.refresh(CTX, renewed.refresh_token)

    def test_expired_refresh_tokens_are_purged(
        self, container: Container, auth: Authentication, clock: ManualClock
    ) -> None:
        from automations.maintenance import purge_expired_refresh_tokens

        account = make_tenant(container)
        auth.login(CTX, email=account.email, password=account.password)
        count = "SELECT count(*) FROM refresh_tokens"
        with container.db.unit_of_work(account.tenant_id) as s:
            assert s.scalar(text(count)) == 1
        later = Container(
            settings=container.settings,
            endpoints=container.endpoints,
            clock=ManualClock(clock.now() + timedelta(days=8)),
        )
        later.__dict__["db"] = container.db
        assert purge_expired_refresh_tokens(later) >= 1
        with container.db.unit_of_work(account.tenant_id) as s:
            assert s.scalar(text(count)) == 0
