"""Gapless per-tenant counters (invoice numbers, journal entries, partner codes).

A counter row is locked (``SELECT … FOR UPDATE``) for the rest of the transaction that
takes a number, so two postings serialize on it and a rolled-back posting gives its number
back: the numbers a tenant sees are contiguous, with no duplicate and no hole.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Integer, String, Table, UniqueConstraint, bindparam, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain.kit.base import TenantEntity
from domain.kit.ids import uuid7


class Sequence(TenantEntity):
    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(40))  # "invoice", "credit_note", "entry:VT"…
    period: Mapped[str] = mapped_column(String(10), default="")  # "2026", or "" for ever
    next_value: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (UniqueConstraint("tenant_id", "name", "period"),)


def _take_next() -> Any:
    counters = cast(Table, Sequence.__table__)
    return (
        insert(counters)
        .values(
            tenant_id=bindparam("tenant_id"),
            id=bindparam("id"),
            name=bindparam("name"),
            period=bindparam("period"),
            next_value=2,
            created_at=func.now(),
            updated_at=func.now(),
        )
        .on_conflict_do_update(
            index_elements=["tenant_id", "name", "period"],
            set_={"next_value": counters.c.next_value + 1, "updated_at": func.now()},
        )
        .returning(counters.c.next_value - 1)
    )


# Built once (every posting takes one or two numbers): compiled once, not per call.
_TAKE_NEXT = _take_next()


def take_next(session: Session, tenant_id: object, name: str, period: str = "") -> int:
    """The next number of ``(name, period)``, the counter staying locked until commit.

    One upsert creates the counter at 2 (handing out 1) or increments it; either way it
    holds the row lock a ``SELECT … FOR UPDATE`` would, for the rest of the transaction.
    """
    values = {"tenant_id": tenant_id, "id": uuid7(), "name": name, "period": period}
    return int(session.execute(_TAKE_NEXT, values).scalar_one())
