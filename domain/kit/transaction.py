"""What one transaction remembers: values a unit of work has read or written, kept until
it ends, so that its next step does not ask PostgreSQL again.

A value is remembered in the innermost transaction open when it is stored (the savepoint
of a tool, else the unit of work's transaction). It is forgotten when that transaction
rolls back — what it described may be undone — and when the unit of work's transaction
ends, by commit or rollback: nothing remembered here outlives a transaction, so nothing
is ever shared between units of work, let alone between businesses.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_MEMO = "comptoir.transaction_memo"


def scope_of(session: Session) -> SessionTransaction | None:
    """The innermost transaction now open: a savepoint, else the session's transaction."""
    return session.get_nested_transaction() or session.get_transaction()


def within(scope: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether ``scope`` is ``ended`` or a savepoint inside it (so ended with it)."""
    while scope is not None:
        if scope is ended:
            return True
        scope = scope.parent
    return False


def alive(session: Session, scope: SessionTransaction | None) -> bool:
    """Whether ``scope`` belongs to the session's current transaction (a value stored in
    an earlier transaction of a reused session is stale, even if no event said so)."""
    root = session.get_transaction()
    return root is not None and within(scope, root)


def remember(session: Session, key: Hashable, value: object) -> None:
    session.info.setdefault(_MEMO, {})[key] = (scope_of(session), value)


def recall(session: Session, key: Hashable) -> Any:
    """The value remembered under ``key`` in this transaction, or None."""
    found = session.info.get(_MEMO, {}).get(key)
    if found is None or not alive(session, found[0]):
        return None
    return found[1]


def forget(session: Session, key: Hashable) -> None:
    session.info.get(_MEMO, {}).pop(key, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    memo = session.info.get(_MEMO)
    if memo:
        for key in [k for k, (scope, _) in memo.items() if within(scope, previous_transaction)]:
            del memo[key]


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    if not session.in_nested_transaction():  # a released savepoint keeps its values
        session.info.pop(_MEMO, None)
