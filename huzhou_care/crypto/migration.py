"""Data migrations for fields that become encrypted: ``encrypt_existing`` turns the clear
values of a model's EncryptedFields into ciphertext and fills their companions, batch by batch
(keyset pages over the primary key, one UPDATE ... FROM (VALUES ...) per batch on
PostgreSQL); ``decrypt_existing`` puts the clear values back (development only: the reverse
of the migration). Both read and write the columns with SQL, not through the model fields.

    migrations.RunPython(encrypt_existing("children", "Child"), decrypt_existing("children", "Child"))
"""

from __future__ import annotations

import re

from django.db import connection

from .cipher import keyring

BATCH = 5000
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,16}:[A-Za-z0-9+/]+={0,2}$")


def _fields(model):
    return list(getattr(model._meta, "encrypted_fields", []))


def _pages(model, columns: list[str]):
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    cols = ", ".join(qn(c) for c in columns)
    table = qn(model._meta.db_table)
    sql = f"SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _write(model, columns: list[str], rows: list[list]) -> None:
    """rows: [pk, *values] -> UPDATE those columns."""
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            sets = ", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns)
            names = ", ".join(["id", *(qn(c) for c in columns)])
            execute_values(
                cursor.cursor if hasattr(cursor, "cursor") else cursor,
                f"UPDATE {table} SET {sets} FROM (VALUES %s) AS v({names}) "  # noqa: S608
                f"WHERE {table}.{pk} = v.id",
                rows,
                page_size=len(rows),
            )
        else:
            sets = ", ".join(f"{qn(c)} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                [[*row[1:], row[0]] for row in rows],
            )


def encrypt_existing(app_label: str, model_name: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        fields = _fields(model)
        ring = keyring()
        columns = []
        for f in fields:
            columns += [f.column, *(c for c in (f.blind_index, f.masked) if c)]
        for rows in _pages(model, [f.column for f in fields]):
            out = []
            for pk, *values in rows:
                row = [pk]
                for field, value in zip(fields, values, strict=True):
                    value = value or ""
                    if value and TOKEN.match(value):  # already encrypted (a re-run)
                        value = ring.decrypt(value, field.purpose)
                    row.append(ring.encrypt(value, field.purpose) if value else "")
                    if field.blind_index:
                        row.append(field.blind(value))
                    if field.masked:
                        row.append(field.mask(value))
                out.append(row)
            _write(model, columns, out)

    return run


def decrypt_existing(app_label: str, model_name: str):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        fields = _fields(model)
        ring = keyring()
        for rows in _pages(model, [f.column for f in fields]):
            out = [
                [
                    pk,
                    *(
                        ring.decrypt(v, f.purpose) if v else ""
                        for f, v in zip(fields, values, strict=True)
                    ),
                ]
                for pk, *values in rows
            ]
            _write(model, [f.column for f in fields], out)

    return run
