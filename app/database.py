"""Database foundations shared by every domain: the declarative base, column types, engine setup.

- Constraint names come from a naming convention, so migrations are reproducible.
- `UTCDateTime` stores UTC and always hands back timezone-aware datetimes (SQLite has no zones).
- SQLite runs in WAL mode with a busy timeout, and write requests begin `IMMEDIATE` so that two
  writers queue for the lock instead of failing half-way (reference/pitfalls.md).
- `insert_ignoring_conflicts` is the one way to write "insert unless it already exists" that stays
  correct under concurrency (votes, supports, outbox dedupe keys).
- `repoint` moves rows from one owner to another (every package's resident merge hook).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base class of every Linli model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware datetime stored in UTC on every database."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use app.clock.now()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now_default() -> datetime:
    """Column default: the current moment (through app.clock so tests can move time)."""
    from app import clock

    return clock.now()


def insert_ignoring_conflicts(session, table, values: dict, index_elements: list[str]):
    """INSERT a row unless one with the same unique key exists; return the new id or None.

    This is a single statement (`ON CONFLICT DO NOTHING RETURNING id`), so it stays exact when
    many requests race for the same key: no read-then-write window.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=index_elements)
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def repoint(column, old_value, new_value) -> None:
    """UPDATE column = new_value WHERE column = old_value, for an ORM attribute or a table column.

    A bulk statement in the session's transaction: objects already loaded are not refreshed.
    """
    from app.extensions import db

    column = column.expression
    db.session.execute(sa.update(column.table).where(column == old_value)
                       .values({column.name: new_value}))


def writes_on_read(view):
    """Mark a GET view that writes (e.g. a staff read that is audit-logged), so that on SQLite
    its transaction takes the write lock at BEGIN like a POST's. A read transaction that writes
    later fails at once when another writer committed in between (SQLITE_BUSY_SNAPSHOT)."""
    view.writes_on_read = True
    return view


def _wants_write_lock() -> bool:
    """A request that may write takes SQLite's write lock at BEGIN; reads stay concurrent."""
    if has_request_context():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
        return bool(getattr(view, "writes_on_read", False))
    return True


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and explicit BEGIN for an SQLite engine (no-op for other databases)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A read-only connection (fetch_mappings) never waits for the write lock: it may run
        # beside a session of the same request that holds it.
        read_only = connection.get_execution_options().get("linli_read_only", False)
        write = not read_only and _wants_write_lock()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def fetch_mappings(statement: sa.Select, params: dict | None = None) -> list[dict]:
    """Run a read-only Core SELECT on its own connection and return plain dicts.

    For hot public lists that need no ORM objects (region picker, categories): skipping the
    Session halves the cost of the query (benchmarks/api_throughput.py).
    """
    from app.extensions import db

    engine = db.engine
    options = {"linli_read_only": True}
    if engine.dialect.name != "sqlite":
        # One statement sees one snapshot anyway: no BEGIN and ROLLBACK round trips around it.
        options["isolation_level"] = "AUTOCOMMIT"
    with engine.connect().execution_options(**options) as connection:
        return [dict(row) for row in connection.execute(statement, params or {}).mappings()]
