"""Which database failures are the database's or the disk's fault rather than a bug.

The web layer turns these into 503 with ``Retry-After`` instead of a 500, and the readiness
probe reports them; anything not recognised here stays a 500 (and is logged as a bug)."""

from __future__ import annotations

import enum
import sqlite3

from sqlalchemy import exc as sa_exc


class Failure(enum.Enum):
    UNAVAILABLE = "unavailable"  # the database cannot be reached, or is shutting down / busy
    STORAGE_FULL = "storage_full"  # the disk (or the database's size limit) is full
    CONTENTION = "contention"  # rolled back by the database against a concurrent transaction


# PostgreSQL SQLSTATE classes and codes that mean "not now" rather than "wrong request":
# 08 connection exceptions, 53 insufficient resources, 57P0x operator intervention (shutdown,
# crash recovery, cannot connect now). 40001/40P01 (serialization failure, deadlock) roll the
# transaction back whole: identity resolution retries them itself, and any other write that
# meets one is answered 503 to retry as it is, never 500.
_PG_UNAVAILABLE_CLASSES = ("08", "57P")
_PG_CONTENTION = ("40001", "40P01")
_PG_DISK_FULL = "53100"
_PG_OUT_OF_RESOURCES = ("53000", "53200", "53300", "53400")
_DISK_FULL_TEXT = ("database or disk is full", "no space left on device", "disk full", "could not extend file")
_SQLITE_UNAVAILABLE_TEXT = ("database is locked", "unable to open database file", "disk i/o error")


def pool_exhausted(error: BaseException) -> bool:
    """Every connection of this process's pool (pool size + overflow) stayed in use for the
    whole pool timeout: the server is saturated, the database itself may be fine. Classified as
    UNAVAILABLE (the request can be retried as it is), with a message of its own in the API."""
    return isinstance(error, sa_exc.TimeoutError)


def classify(error: BaseException) -> Failure | None:
    """The kind of infrastructure failure behind ``error`` (an SQLAlchemy or DBAPI exception), or
    None when it is not one (a constraint violation, a programming error, anything else)."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return Failure.UNAVAILABLE
        original: BaseException | None = error.orig
    elif pool_exhausted(error):  # the pool had no connection to give in time
        return Failure.UNAVAILABLE
    else:
        original = error
    if original is None:
        return None
    text = str(original).lower()
    if any(marker in text for marker in _DISK_FULL_TEXT):
        return Failure.STORAGE_FULL
    if isinstance(original, sqlite3.OperationalError):
        return Failure.UNAVAILABLE if any(m in text for m in _SQLITE_UNAVAILABLE_TEXT) else None
    state = getattr(original, "sqlstate", None)
    if isinstance(state, str):
        if state == _PG_DISK_FULL:
            return Failure.STORAGE_FULL
        if state.startswith(_PG_UNAVAILABLE_CLASSES) or state in _PG_OUT_OF_RESOURCES:
            return Failure.UNAVAILABLE
        if state in _PG_CONTENTION:
            return Failure.CONTENTION
        return None
    # psycopg raises OperationalError without a SQLSTATE when it cannot connect at all.
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    if isinstance(original, psycopg.OperationalError | psycopg.InterfaceError):
        return Failure.UNAVAILABLE
    return None
