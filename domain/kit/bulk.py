"""Inserting many rows in one statement whose text never depends on the rows.

A multi-row ``INSERT … VALUES (…), (…)`` has one text per row count: SQLAlchemy compiles
it again for every new count (milliseconds of Python each time) and PostgreSQL prepares
it again. Here the rows travel as one JSON parameter, unpacked by
``jsonb_populate_recordset`` into the table's own row type: one text per table and set of
columns, compiled once by this process and prepared once by each connection. The rows
are checked by PostgreSQL like any insert (types, constraints, triggers, Row-Level
Security); columns not given take their defaults.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Table, TextClause, inspect, text
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

Shape = tuple[tuple[Table, tuple[str, ...]], ...]
_STATEMENTS: dict[Shape, TextClause] = {}


def json_rows(rows: Sequence[dict[str, Any]]) -> str:
    """``rows`` as the JSON parameter (UUIDs, decimals and dates as their text)."""
    return json.dumps(rows, default=_json_value)


def _json_value(value: object) -> str:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"no JSON form for a {type(value).__name__}")


def shape_of(table: Table, rows: Sequence[dict[str, Any]]) -> tuple[Table, tuple[str, ...]]:
    """The table and the columns every row gives (the same for all, in the same order)."""
    columns = tuple(rows[0])
    if any(tuple(row) != columns for row in rows):
        raise ValueError(f"rows for {table.name} differ in their columns")
    return table, columns


def _inserts(shape: Shape) -> list[str]:
    inserts = []
    for i, (table, columns) in enumerate(shape):
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise ValueError(f"{table.name} has no column {sorted(unknown)}")
        names = ", ".join(f'"{name}"' for name in columns)
        inserts.append(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} '
            f'FROM jsonb_populate_recordset(NULL::"{table.name}", CAST(:rows_{i} AS jsonb))'
        )
    return inserts


def insert_statement(shape: Shape) -> TextClause:
    """One ``INSERT … SELECT … FROM jsonb_populate_recordset(…)`` per table (parameters
    ``rows_0``, ``rows_1``…), the first ones chained as CTEs before the last."""
    found = _STATEMENTS.get(shape)
    if found is not None:
        return found
    *earlier, last = _inserts(shape)
    ctes = ", ".join(f"queued_{i} AS ({sql})" for i, sql in enumerate(earlier))
    statement = _STATEMENTS[shape] = text(f"WITH {ctes} {last}" if ctes else last)
    return statement


def insert_ctes(shape: Shape) -> str:
    """The same inserts, every one as a data-modifying CTE (``queued_0 AS (…), …``), to
    put before another statement's own CTEs: PostgreSQL runs them all, in the statement's
    snapshot, whether or not the rest refers to them."""
    return ", ".join(f"queued_{i} AS ({sql})" for i, sql in enumerate(_inserts(shape)))


def batches_of(
    *batches: tuple[Table, Sequence[dict[str, Any]]],
) -> tuple[Shape, dict[str, str]]:
    """The shape and the parameters of ``insert_statement`` / ``insert_ctes`` for these
    batches (empty ones skipped)."""
    kept = tuple((table, rows) for table, rows in batches if rows)
    shape = tuple(shape_of(table, rows) for table, rows in kept)
    return shape, {f"rows_{i}": json_rows(rows) for i, (_, rows) in enumerate(kept)}


def insert_rows(session: Session, *batches: tuple[Table, Sequence[dict[str, Any]]]) -> None:
    """Insert each batch's rows into its table, all in one statement (empty batches are
    skipped), after flushing what the session holds (rows they may refer to)."""
    shape, params = batches_of(*batches)
    if not shape:
        return
    session.flush()
    session.connection().execute(insert_statement(shape), params)


# Per mapped class: (attribute, column name, constant default, callable default) for each
# column — read from the mapper once, not on every row.
_Column = tuple[str, str, Any, Any]
_COLUMNS: dict[type, tuple[_Column, ...]] = {}


def _columns_of(cls: type) -> tuple[_Column, ...]:
    found = _COLUMNS.get(cls)
    if found is None:
        columns = []
        prop: Any
        for prop in inspect(cls).column_attrs:
            column = prop.columns[0]
            default, constant, factory = column.default, None, None
            if isinstance(default, ScalarElementColumnDefault):
                constant = default.arg
            elif isinstance(default, CallableColumnDefault):
                factory = default.arg
            elif column.server_default is not None:
                factory = _server_default_only(column)
            columns.append((prop.key, column.name, constant, factory))
        found = _COLUMNS[cls] = tuple(columns)
    return found


def _server_default_only(column: Any) -> Any:
    def refuse(context: object) -> None:
        raise ValueError(f"{column} has a server default only: give it a value")

    return refuse


def row_of(obj: Any) -> dict[str, Any]:
    """Every column of a new ORM object as ``insert_rows`` takes it, its Python-side
    defaults filled in (on the object too, which then needs nothing read back)."""
    row: dict[str, Any] = {}
    for key, name, constant, factory in _columns_of(type(obj)):
        value = getattr(obj, key)
        if value is None and constant is not None:
            value = constant
        elif value is None and factory is not None:
            value = factory(None)  # defaults here need no context
        setattr(obj, key, value)  # every attribute loaded: nothing is read back later
        row[name] = value
    return row


def attach(session: Session, obj: Any) -> None:
    """Put an object whose row ``insert_rows`` wrote into the session, as if read back."""
    make_transient_to_detached(obj)
    session.add(obj)
