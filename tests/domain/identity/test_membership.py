"""Leaving a business under concurrency: two last admins cannot both go."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from comptoir.bootstrap import Container
from domain.identity.errors import LastAdmin
from domain.identity.invitations import remove_member
from domain.kit.principal import Role
from tests.factories import Account, make_member, make_tenant


class TestLeaving:
    def test_two_admins_leaving_at_once_leave_one_behind(self, container: Container) -> None:
        first = make_tenant(container)
        second = make_member(container, first, Role.ADMIN)
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def leave(account: Account) -> None:
            barrier.wait()
            try:
                with container.db.unit_of_work(account.tenant_id) as session:
                    principal = account.principal(Role.ADMIN)
                    remove_member(session, principal, account.user_id, datetime.now(UTC))
                outcomes[account.email] = "left"
            except LastAdmin:
                outcomes[account.email] = "refused"

        threads = [threading.Thread(target=leave, args=(a,)) for a in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes.values()) == ["left", "refused"]
