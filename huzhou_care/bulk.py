"""Fast inserts of plain dicts, for million-row tables (demo seed, roster imports).

``bulk_create`` spends about 5 µs of Python per *value* (``pre_save``, ``get_db_prep_save``,
one placeholder per value) and needs a model instance per row; on PostgreSQL the server then
parses one huge multi-row VALUES statement. For the 45 columns of ``Child`` that was most of
the time of a large seed. ``RowInserter`` instead:

- on PostgreSQL (psycopg2), streams the rows with ``COPY ... FROM STDIN`` (text format);
- elsewhere (SQLite), runs one prepared single-row INSERT with ``executemany``.

Values the drivers store as the ORM would (text, integers, booleans, ids, None) pass through;
dates, datetimes, JSON and anything else are converted as the field converts them. A value a
row leaves out takes the field's default, and ``auto_now``/``auto_now_add`` fields get the time
of the batch. No ``save()``, signal or validation runs, and no ids come back: callers insert
rows they built and checked themselves, and read the ids back by a unique column.
"""

from __future__ import annotations

import io
import json

from django.db import connection, models
from django.utils import timezone

# Field types whose Python values the drivers (sqlite3, psycopg2) store as the ORM would.
PASS_THROUGH = {
    "CharField", "TextField", "BooleanField", "SmallIntegerField", "IntegerField",
    "BigIntegerField", "PositiveSmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "ForeignKey",
}  # fmt: skip
MISSING = object()
NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class RowInserter:
    """``insert(rows)`` writes dicts keyed by attname (``county_id``) into ``model``'s table."""

    def __init__(self, model: type[models.Model]):
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.table = meta.db_table
        self.copy = connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"
        convert = self._copy_converter if self.copy else self._param_converter
        self._convert = [convert(f) for f in self.fields]

    # --- conversions, chosen once per column
    @staticmethod
    def _param_converter(field: models.Field):
        """A query parameter: what the ORM would send."""
        if field.get_internal_type() in PASS_THROUGH:
            return None
        return lambda value: field.get_db_prep_save(value, connection)

    @staticmethod
    def _copy_converter(field: models.Field):
        """A field of COPY's text format: \\N for NULL, t/f, ISO dates, JSON text, escaped.
        Specialised per column type: it runs for every value."""
        kind = field.get_internal_type()
        if isinstance(field, models.JSONField):
            return lambda v: _escape(json.dumps(v, cls=field.encoder))
        if kind in ("CharField", "TextField"):
            return lambda v: NULL if v is None else v.translate(COPY_ESCAPES)
        if kind == "BooleanField":
            return lambda v: NULL if v is None else ("t" if v else "f")
        if kind in PASS_THROUGH:  # integers and ids
            return lambda v: NULL if v is None else str(v)
        return _copy_text

    def _defaults(self) -> list:
        """Per-batch values, already converted, for the columns a row leaves out."""
        now = timezone.now()
        defaults = []
        for field, convert in zip(self.fields, self._convert, strict=True):
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            value = now if auto else field.get_default()
            defaults.append(value if convert is None else convert(value))
        return defaults

    def _values(self, rows: list[dict]) -> list[list]:
        columns = list(
            zip((f.attname for f in self.fields), self._defaults(), self._convert, strict=True)
        )
        out = []
        for row in rows:
            values = []
            for name, default, convert in columns:
                value = row.get(name, MISSING)
                if value is MISSING:
                    values.append(default)
                else:
                    values.append(value if convert is None else convert(value))
            out.append(values)
        return out

    # --- writing
    def insert(self, rows: list[dict]) -> None:
        """Insert ``rows`` (in the caller's transaction)."""
        if not rows:
            return
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in self.fields)
        values = self._values(rows)
        with connection.cursor() as cursor:
            if self.copy:
                text = io.StringIO("".join("\t".join(row) + "\n" for row in values))
                cursor.copy_expert(f"COPY {qn(self.table)} ({columns}) FROM STDIN", text)
            else:
                # Identifiers come from the model's metadata (quoted); values are parameters.
                marks = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {qn(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, values)


def _escape(text: str) -> str:
    return text.translate(COPY_ESCAPES)


def _copy_text(value) -> str:
    """Any other value: dates and datetimes (aware ones keep their offset) in ISO format."""
    if value is None:
        return NULL
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _escape(str(value))
