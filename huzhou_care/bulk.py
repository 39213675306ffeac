"""Fast inserts of plain dicts, for million-row tables (demo seed, roster imports).

``bulk_create`` spends about 5 µs of Python per *value* (``pre_save``, ``get_db_prep_save``,
one placeholder per value) and needs a model instance per row; on PostgreSQL the server then
parses one huge multi-row VALUES statement. ``RowInserter`` instead:

- on PostgreSQL (psycopg2), streams the rows with ``COPY ... FROM STDIN (FORMAT csv)``,
  written by the C ``csv`` module: no Python work per value beyond ``str()``;
- elsewhere (SQLite), runs one prepared single-row INSERT with ``executemany``.

A value a row leaves out takes the field's default, and ``auto_now``/``auto_now_add`` fields
get the time of the batch. JSON fields are dumped as the field would. No ``save()``, signal
or validation runs, and no ids come back: a caller that needs them (to write the rows'
history in the same pass) takes them first from ``allocate_ids`` and gives each row its
``id`` (``RowInserter(model, with_pk=True)``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import operator

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from huzhou_care.crypto.fields import Sealed

# Field types whose Python values sqlite3 stores as the ORM would.
PASS_THROUGH = {
    "CharField", "TextField", "BooleanField", "SmallIntegerField", "IntegerField",
    "BigIntegerField", "PositiveSmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "ForeignKey",
}  # fmt: skip
TEXT = ("CharField", "TextField")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken before its rows are inserted (in the
    caller's transaction), so that rows referring to them go in the same pass.

    PostgreSQL: from the table's own sequence (``nextval`` is safe under concurrent writers;
    the ids need not be consecutive). SQLite writes one transaction at a time (the portal
    begins them IMMEDIATE, holding the write lock from the start): the ids follow both the
    largest id and the AUTOINCREMENT counter, so an id of a deleted row is never reused.
    Were a writer to slip in between anyway, the primary key would refuse the insert and
    the caller's transaction roll back."""
    if count <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 (metadata)
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        counter = cursor.fetchone()
        start = max(largest, counter[0] if counter else 0) + 1
    return list(range(start, start + count))


def _convert_column(column, convert) -> list:
    try:
        cache: dict = {}
        return [cache[v] if v in cache else cache.setdefault(v, convert(v)) for v in column]
    except TypeError:  # unhashable values (JSON)
        return [convert(v) for v in column]


class RowInserter:
    """``insert(rows)`` writes dicts keyed by attname (``county_id``) into ``model``'s table
    (with ``with_pk``, each row also gives its ``id``, from ``allocate_ids``)."""

    def __init__(self, model: type[models.Model], *, with_pk: bool = False):
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
        self.table = meta.db_table
        self.names = [f.attname for f in self.fields]
        self._get = operator.itemgetter(*self.names)
        self._json = [
            (i, f.encoder) for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]
        text_nullable = any(f.null and f.get_internal_type() in TEXT for f in self.fields)
        # CSV cannot tell NULL from '' in a nullable text column: such a model uses INSERT.
        self.copy = (
            connection.vendor == "postgresql"
            and connection.Database.__name__ == "psycopg2"
            and not text_nullable
        )
        real = connections[DEFAULT_DB_ALIAS]
        self._param = [self._param_converter(f, real) for f in self.fields]
        # Encrypted fields: a row gives the clear value; it is sealed here and its blind index
        # and masked form filled (a Sealed value is written as it is).
        self._sealers = [(f.attname, f) for f in getattr(meta, "encrypted_fields", ())]

    @staticmethod
    def _param_converter(field: models.Field, conn):
        """A query parameter: what the ORM would send, by a converter chosen once per column
        (the real connection, not the thread-local proxy; JSON and dates without the field's
        per-value dispatch)."""
        kind = field.get_internal_type()
        if kind in PASS_THROUGH or hasattr(field, "kind"):
            return None
        if isinstance(field, models.JSONField):
            encoder = field.encoder
            return lambda value: json.dumps(value, cls=encoder)
        if kind == "DateField":
            adapt = conn.ops.adapt_datefield_value
            return adapt
        return functools.partial(field.get_db_prep_save, connection=conn)

    def _defaults(self) -> dict:
        """Per-batch values for the columns a row leaves out."""
        now = timezone.now()
        return {
            f.attname: now
            if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
            else f.get_default()
            for f in self.fields
        }

    def _tuples(self, rows: list[dict], *, dump_json: bool):
        defaults, get, sealers = self._defaults(), self._get, self._sealers
        for row in rows:
            row = {**defaults, **row}
            for name, field in sealers:
                value = row[name]
                if isinstance(value, Sealed):
                    row[name] = value.token
                else:
                    row.update(field.columns(value or ""))
            values = get(row)
            if dump_json and self._json:
                values = list(values)
                for index, encoder in self._json:
                    values[index] = json.dumps(values[index], cls=encoder)
            yield values

    # --- writing
    def insert(self, rows: list[dict]) -> None:
        """Insert ``rows`` (in the caller's transaction)."""
        if not rows:
            return
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if self.copy:
                self._copy(cursor, qn, columns, rows)
            else:
                # By column: each converter runs over its column, once per distinct value
                # where values repeat (the batch's timestamps, foreign keys).
                by_column = list(zip(*self._tuples(rows, dump_json=False), strict=True))
                for index, convert in enumerate(self._param):
                    if convert is not None:
                        by_column[index] = _convert_column(by_column[index], convert)
                values = list(zip(*by_column, strict=True))
                # Identifiers come from the model's metadata (quoted); values are parameters.
                marks = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {qn(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, values)

    def _copy(self, cursor, qn, columns, rows) -> None:
        """CSV: an unquoted empty field is NULL, except in the NOT NULL text columns, where
        FORCE_NOT_NULL reads it as ''. Booleans go as True/False, dates and datetimes in
        ISO form (aware ones with their offset), all of which PostgreSQL reads back."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(self._tuples(rows, dump_json=True))
        buffer.seek(0)
        not_null = [
            qn(f.column) for f in self.fields if f.get_internal_type() in TEXT and not f.null
        ]
        force = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
        cursor.copy_expert(
            f"COPY {qn(self.table)} ({columns}) FROM STDIN WITH (FORMAT csv{force})", buffer
        )
