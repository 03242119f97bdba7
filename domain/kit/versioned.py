"""Changing a versioned row by one ``UPDATE`` of constant text, with the ORM's check.

An aggregate with a ``version_id_col`` (``Invoice``) refuses lost updates: the ORM's flush
sends ``UPDATE … SET …, version = v + 1 WHERE <key> AND version = v`` and raises
``StaleDataError`` when no row matched. A flush also runs the whole unit of work (every
object of the session examined, the statement built for the attributes that changed),
which costs several times the statement on an operation's hot path. ``update_versioned``
sends the same statement — same columns, same ``onupdate`` values (``updated_at``), same
version check, same error — built once per table and set of columns, and records the
values on the object as committed, as the flush would have.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, bindparam, inspect, update
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.schema import CallableColumnDefault

_STATEMENTS: dict[tuple[Table, tuple[str, ...]], Update] = {}
_EXPECTED = "_expected_version"


def _statement(mapper: Mapper[Any], names: tuple[str, ...]) -> Update:
    table: Table = mapper.local_table  # type: ignore[assignment]
    found = _STATEMENTS.get((table, names))
    if found is None:
        keys = [table.c[name] == bindparam(f"_key_{name}") for name in _key_names(mapper)]
        version = mapper.version_id_col
        assert version is not None  # checked by update_versioned
        found = _STATEMENTS[(table, names)] = (
            update(table)
            .where(and_(*keys, version == bindparam(_EXPECTED)))
            .values({name: bindparam(name) for name in names})
        )
    return found


def _key_names(mapper: Mapper[Any]) -> list[str]:
    return [column.name for column in mapper.primary_key]


def update_versioned(session: Session, obj: Any, **values: Any) -> None:
    """Set ``values`` (attribute names = column names) on ``obj``'s row and on ``obj``,
    with the version check of its mapper's ``version_id_col``: ``StaleDataError`` when the
    row changed since ``obj`` was read (or is not visible). What the session held pending
    is flushed first, by the ORM, as an autoflush would."""
    session.flush()
    state = inspect(obj)
    mapper = state.mapper
    version = mapper.version_id_col
    if version is None:
        raise TypeError(f"{mapper.class_.__name__} has no version column")
    table = mapper.local_table
    expected = getattr(obj, version.key)
    changes = dict(values)
    for column in table.columns:
        if column.name not in changes and isinstance(column.onupdate, CallableColumnDefault):
            changes[column.name] = column.onupdate.arg(None)  # type: ignore[arg-type]
    changes[version.name] = expected + 1
    params = dict(changes)
    params |= {f"_key_{name}": getattr(obj, name) for name in _key_names(mapper)}
    params[_EXPECTED] = expected
    names = tuple(sorted(changes))
    result = session.connection().execute(_statement(mapper, names), params)
    if result.rowcount != 1:
        raise StaleDataError(
            f"UPDATE statement on table '{table.name}' expected to update 1 row(s); "
            f"{result.rowcount} were matched."
        )
    for name, value in changes.items():
        set_committed_value(obj, name, value)
