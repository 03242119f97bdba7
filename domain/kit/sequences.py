"""Gapless per-tenant counters (invoice numbers, journal entries, partner codes).

A counter row is locked (``SELECT … FOR UPDATE``) for the rest of the transaction that
takes a number, so two postings serialize on it and a rolled-back posting gives its number
back: the numbers a tenant sees are contiguous, with no duplicate and no hole.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain.kit.base import TenantEntity


class Sequence(TenantEntity):
    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(40))  # "invoice", "credit_note", "entry:VT"…
    period: Mapped[str] = mapped_column(String(10), default="")  # "2026", or "" for ever
    next_value: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (UniqueConstraint("tenant_id", "name", "period"),)


def take_next(session: Session, tenant_id: object, name: str, period: str = "") -> int:
    """The next number of ``(name, period)``, the counter staying locked until commit.

    One upsert creates the counter at 2 (handing out 1) or increments it; either way it
    holds the row lock a ``SELECT … FOR UPDATE`` would, for the rest of the transaction.
    """
    taken = session.execute(
        insert(Sequence)
        .values(tenant_id=tenant_id, name=name, period=period, next_value=2)
        .on_conflict_do_update(
            index_elements=["tenant_id", "name", "period"],
            set_={"next_value": Sequence.next_value + 1, "updated_at": func.now()},
        )
        .returning(Sequence.next_value - 1)
    ).scalar_one()
    return int(taken)
