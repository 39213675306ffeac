"""Multi-row INSERTs of plain dicts, for the seed's million-row tables.

``bulk_create`` spends about 5 µs of Python per *value* (``pre_save``, ``get_db_prep_save``,
one placeholder per value): for the 45 columns of ``Child`` that is most of the time of a
large seed, and it needs a model instance per row. ``RowInserter`` fixes each column's
conversion once: values the database driver adapts itself (text, integers, booleans, ids,
None) pass through; dates, datetimes, JSON and anything else go through the field's own
``get_db_prep_save``, so the stored values are exactly what the ORM would store. A value a row
leaves out takes the field's default, and ``auto_now``/``auto_now_add`` fields get the time of
the batch. No model ``save()``, signal or validation runs: callers insert rows they built
themselves and know to be valid.
"""

from __future__ import annotations

from django.db import connection, models
from django.utils import timezone

# Field types whose Python values the drivers (sqlite3, psycopg) store as the ORM would.
PASS_THROUGH = {
    "CharField", "TextField", "BooleanField", "SmallIntegerField", "IntegerField",
    "BigIntegerField", "PositiveSmallIntegerField", "PositiveIntegerField",
    "PositiveBigIntegerField", "ForeignKey",
}  # fmt: skip
MISSING = object()


class RowInserter:
    """``insert(rows, returning=[...])`` writes dicts keyed by attname (``county_id``) into
    ``model``'s table with as few statements as the backend's parameter limit allows."""

    def __init__(self, model: type[models.Model]):
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.table = meta.db_table
        self._column_of = {f.attname: f.column for f in meta.concrete_fields}
        self._prepare = [self._converter(f) for f in self.fields]

    @staticmethod
    def _converter(field: models.Field):
        if field.get_internal_type() in PASS_THROUGH:
            return None
        return lambda value: field.get_db_prep_save(value, connection)

    def _defaults(self) -> list:
        """Per-batch values, already converted, for the columns a row leaves out."""
        now = timezone.now()
        defaults = []
        for field, prepare in zip(self.fields, self._prepare, strict=True):
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            value = now if auto else field.get_default()
            defaults.append(value if prepare is None else prepare(value))
        return defaults

    def _values(self, rows: list[dict]) -> list[list]:
        columns = list(
            zip((f.attname for f in self.fields), self._defaults(), self._prepare, strict=True)
        )
        out = []
        for row in rows:
            values = []
            for name, default, prepare in columns:
                value = row.get(name, MISSING)
                if value is MISSING:
                    values.append(default)
                else:
                    values.append(value if prepare is None else prepare(value))
            out.append(values)
        return out

    def insert(self, rows: list[dict], *, returning: list[str] | None = None) -> list[tuple]:
        """Insert ``rows``; with ``returning`` (attnames), the returned rows' values of those
        columns, in no guaranteed order (match them on a unique column). Backends that cannot
        return rows from an INSERT return []."""
        qn = connection.ops.quote_name
        values = self._values(rows)
        width = len(self.fields)
        max_params = connection.features.max_query_params
        step = max(1, max_params // width) if max_params else max(len(values), 1)
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        # Identifiers come from the model's metadata (quoted); every value is a parameter.
        columns = ", ".join(qn(f.column) for f in self.fields)
        head = f"INSERT INTO {qn(self.table)} ({columns}) VALUES "  # noqa: S608
        returning = returning if connection.features.can_return_rows_from_bulk_insert else None
        tail = (
            f" RETURNING {', '.join(qn(self._column_of[a]) for a in returning)}"
            if returning
            else ""
        )
        out: list[tuple] = []
        with connection.cursor() as cursor:
            for start in range(0, len(values), step):
                chunk = values[start : start + step]
                cursor.execute(
                    head + ", ".join([row_sql] * len(chunk)) + tail,
                    [value for row in chunk for value in row],
                )
                if returning:
                    out.extend(cursor.fetchall())
        return out
