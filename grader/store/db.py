"""Engine and sessions: SQLite in WAL mode by default, any SQLAlchemy URL for a server database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from grader.store import term as _term  # noqa: F401  (registers the term tables on Base)
from grader.store.models import Base

_engines: dict[str, Engine] = {}
POOL_SIZE = 32
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine_for(url: str) -> Engine:
    """One engine per URL per process; creates the schema on first use (once, even with threads)."""
    with _lock:
        return _engines.get(url) or _create(url)


def _create(url: str) -> Engine:
    if url not in _engines:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # a pool as large as the bot's worker threads: a connection opened past the pool is closed after use,
        # and reopening one (with its pragmas) costs more than the query
        pool = {} if url in ("sqlite://", "sqlite:///:memory:") else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
        engine = create_engine(url, future=True, **pool)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(engine)
        _add_missing_columns(engine)
        _engines[url] = engine
    return _engines[url]


def _add_missing_columns(engine: Engine) -> None:
    """A database made by an earlier version gets the columns added since (each has a default): tables are
    never dropped or rewritten, so an upgrade loses nothing."""
    existing = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = column.server_default.arg if column.server_default is not None else None
                clause = f" DEFAULT '{default}'" if isinstance(default, str) else ""
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{clause}'))


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any error."""
    session = Session(engine_for(url), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
