"""Engines and transactions: SQLite in WAL mode, foreign keys on, one writer at a time.

pysqlite's own transaction handling is switched off (it would begin lazily and could not take
the write lock up front); we issue BEGIN ourselves, as SQLAlchemy's documentation recommends:
`BEGIN IMMEDIATE` for a write, so that two writers queue on the busy timeout instead of one
failing when it upgrades a read lock, and a deferred BEGIN for a read, which in WAL mode
never blocks on the writer and sees one consistent snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_S = 30.0


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: sa.URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, json_serializer=_json, pool_pre_ping=True)
    engine = sa.create_engine(
        url,
        json_serializer=_json,
        # The pool hands a connection to one thread at a time; the web app has several.
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL never corrupts and loses no commit when the process dies (any
            # signal); only a power cut or OS crash may lose the last commits, which a re-run
            # of the same (idempotent) ingest restores.
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("rumormill_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction, committed when the block ends without error."""
    with engine.connect() as conn:
        conn.execution_options(rumormill_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction (one snapshot), rolled back at the end."""
    with engine.connect() as conn, conn.begin():
        yield conn
