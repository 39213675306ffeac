"""Reads for dashboards from a PostgreSQL read replica, when ``DATABASE_REPLICA_URL`` is set.

Only code that asks for it reads from the replica: a selector wrapped in ``replica_reads``
(decorator or ``with`` block). A replica lags the primary by a moment, so pages that show what
the user has just changed (forms, the child's page, the roster preview) keep reading the
primary; aggregates on dashboards do not mind. Writes always go to the primary, and so does
every read when no replica is configured.
"""

from contextlib import ContextDecorator
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


class replica_reads(ContextDecorator):  # noqa: N801 (used like a function)
    """Send the ORM reads made inside to the replica (when there is one)."""

    def __enter__(self):
        self._token = _reading_from_replica.set(True)
        return self

    def __exit__(self, *exc):
        _reading_from_replica.reset(self._token)
        return False


def replica_in_use() -> bool:
    return _reading_from_replica.get() and REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if replica_in_use() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: rows from either may be related.
        return True

    def allow_migrate(self, db, app_label, **hints):
        # The replica receives the schema by replication, never by migrate.
        return db != REPLICA
