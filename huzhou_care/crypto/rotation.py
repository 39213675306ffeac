"""Re-encrypt stored values under the current key, in batches. Only rows holding a value under
another key are read, so a run that stopped resumes where it was; blind indexes and masked
forms do not change (the clear value does not)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.apps import apps
from django.db import connection, transaction

from .cipher import keyring


def encrypted_models() -> list[tuple[type, list]]:
    return [
        (model, list(model._meta.encrypted_fields))
        for model in apps.get_models()
        if getattr(model._meta, "encrypted_fields", None) and not model._meta.proxy
    ]


def _stale_rows(model, fields, current: str, after, batch: int) -> list[tuple]:
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    cols = [qn(f.column) for f in fields]
    stale = " OR ".join(f"({c} <> '' AND {c} NOT LIKE %s)" for c in cols)
    sql = (
        f"SELECT {pk}, {', '.join(cols)} FROM {qn(model._meta.db_table)} "  # noqa: S608
        f"WHERE {pk} > %s AND ({stale}) ORDER BY {pk} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, *[f"{current}:%"] * len(fields), batch])
        return cursor.fetchall()


def remaining(model, fields) -> int:
    qn = connection.ops.quote_name
    current = keyring().current_id
    stale = " OR ".join(f"({qn(f.column)} <> '' AND {qn(f.column)} NOT LIKE %s)" for f in fields)
    sql = f"SELECT COUNT(*) FROM {qn(model._meta.db_table)} WHERE {stale}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{current}:%"] * len(fields))
        return cursor.fetchone()[0]


def rotate_model(
    model, fields, *, batch: int = 2000, progress: Callable[[int], None] = lambda n: None
) -> Iterator[int]:
    """Re-encrypt ``model``'s stale values; yields the rows done so far after each batch."""
    ring = keyring()
    current = ring.current_id
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {sets} "  # noqa: S608
        f"WHERE {qn(model._meta.pk.column)} = %s"
    )
    done, after = 0, 0 if model._meta.pk.get_internal_type() != "CharField" else ""
    while True:
        rows = _stale_rows(model, fields, current, after, batch)
        if not rows:
            return
        params = []
        for pk, *tokens in rows:
            values = []
            for field, token in zip(fields, tokens, strict=True):
                if token and not token.startswith(f"{current}:"):
                    token = ring.encrypt(ring.decrypt(token, field.purpose), field.purpose)
                values.append(token)
            params.append([*values, pk])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        done += len(rows)
        after = rows[-1][0]
        yield done
