"""More psycopg connections to the database of a Django alias, for work run beside the request's
own connection: a large validation batch measures its lines on one (``layers.lookup``), a large
export reads its chunks on two (``exchange.exports.query``).

They are opened with Django's own connection parameters (database, user, options such as
``-c jit=off``) and take the ``assume_role`` Django sets on its connections. They see only
committed data, so callers use them only when the request's transaction has written nothing they
need to read. ``jit_off_by_connection`` says whether connections start with JIT off already;
``jit_off_here`` turns it off for a transaction when they do not.

The threads that run work beside a request (on these connections or on the request's own) share
two helpers: ``raise_in_request`` hands a thread's database error to the request as Django's own
error, and ``end_thread`` stops a thread whose answer is no longer wanted.

``text_as_bytes`` makes a cursor (of these connections or Django's) return text as UTF-8 bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import sql
from psycopg.adapt import Loader


@dataclass(frozen=True)
class ConnectionArgs:
    params: dict
    role: str | None


def connection_args(alias: str = "default") -> ConnectionArgs:
    """What a new connection needs, read in the calling thread (Django's connection objects are
    per thread: read them where the request runs, open the connection anywhere)."""
    conn = connections[alias]
    return ConnectionArgs(conn.get_connection_params(), conn.settings_dict["OPTIONS"].get("assume_role"))


class NoSpareConnection(psycopg.OperationalError):
    """All of this process's extra connections are in use: the caller works on its own."""


_extra_lock = threading.Lock()
_extra_in_use = 0


def extra_connections_in_use() -> int:
    return _extra_in_use


class _ExtraConnection(psycopg.Connection):
    """A connection counted against ``GISPLAN_EXTRA_CONNECTIONS`` until it is closed."""

    _counted = False

    def close(self) -> None:
        global _extra_in_use
        try:
            super().close()
        finally:
            with _extra_lock:
                if self._counted:
                    self._counted = False
                    _extra_in_use -= 1


def connect(args: ConnectionArgs) -> psycopg.Connection:
    """A new autocommit connection, one of at most ``GISPLAN_EXTRA_CONNECTIONS`` per process open
    at once (``NoSpareConnection`` beyond that, psycopg's error when the server refuses it): with
    Django's pool (``DB_POOL_MAX_SIZE``) this bounds what one process can hold. The role is not
    taken yet: see ``take_role``."""
    global _extra_in_use
    with _extra_lock:
        if _extra_in_use >= settings.GISPLAN_EXTRA_CONNECTIONS:
            raise NoSpareConnection(f"all {settings.GISPLAN_EXTRA_CONNECTIONS} extra connections are in use")
        _extra_in_use += 1
    try:
        conn = _ExtraConnection.connect(**args.params, autocommit=True)
    except BaseException:
        with _extra_lock:
            _extra_in_use -= 1
        raise
    conn._counted = True
    return conn


def take_role(conn: psycopg.Connection, args: ConnectionArgs) -> None:
    """``SET ROLE`` as Django does on its own connections when ``OPTIONS['assume_role']`` is set."""
    if args.role:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(args.role)))


def jit_off_by_connection(alias: str = "default") -> bool:
    """Whether the connections' own options turn PostgreSQL's JIT off (``DB_JIT`` unset: every
    connection runs with ``-c jit=off``), so that no query needs ``SET LOCAL jit = off`` first.
    Read in the calling thread."""
    options = connections[alias].settings_dict.get("OPTIONS", {}).get("options") or ""
    return "jit=off" in options.replace(" ", "")


def jit_off_here(cursor, alias: str = "default") -> None:
    """``SET LOCAL jit = off`` on ``cursor`` (inside a transaction: until it ends), unless the
    connection has JIT off already (a round trip saved)."""
    if not jit_off_by_connection(alias):
        cursor.execute("SET LOCAL jit = off")


def raise_in_request(error: BaseException, alias: str = "default"):
    """Raise an error caught in a worker thread as Django's cursor would have raised it in the
    request (psycopg's errors become ``django.db.DatabaseError`` and its subclasses)."""
    with connections[alias].wrap_database_errors:
        raise error


def end_thread(
    thread: threading.Thread,
    conn_of: Callable[[], psycopg.Connection | None] | None = None,
    between: Callable[[], None] | None = None,
) -> None:
    """Wait for ``thread``, asking the server every 50 ms to cancel whatever ``conn_of()`` is
    running (again, in case a statement started just as it was asked; cancelling an idle
    connection does nothing) and calling ``between()`` each round (e.g. taking what the thread
    waits to hand over). The thread must check its own stop flag between statements."""
    while thread.is_alive():
        conn = conn_of() if conn_of is not None else None
        if conn is not None:
            try:
                conn.cancel()
            except Exception:  # noqa: BLE001 — closed meanwhile: the thread is ending
                pass
        if between is not None:
            between()
        thread.join(0.05)


class _UTF8Bytes(Loader):
    """Text as the bytes the server sent."""

    def load(self, data):
        return bytes(data)


def text_as_bytes(cursor) -> None:
    """Make ``cursor`` (psycopg's, or Django's wrapping one) return text columns as the UTF-8
    bytes PostgreSQL sent: JSON texts that go into a response or file as they are, with no
    decoding to ``str`` and encoding back. The connection's client encoding must be UTF-8, as
    Django sets it (and so these connections, opened with Django's parameters)."""
    raw = getattr(cursor, "cursor", cursor)
    if raw.connection.info.encoding != "utf-8":  # pragma: no cover - Django's parameters say UTF8
        raise RuntimeError(f"text_as_bytes needs a UTF-8 connection, not {raw.connection.info.encoding}")
    raw.adapters.register_loader("text", _UTF8Bytes)
