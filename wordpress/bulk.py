"""Multi-row INSERTs for the import's high-volume rows (comments, their history, the mapping).

bulk_create spends most of its time preparing each value of each model instance; an import of
200,000 comments makes 600,000 rows. Here rows are plain dicts of column values, completed
with the model's defaults, sent as `INSERT … VALUES (…), (…) RETURNING id` — the statement
bulk_create itself sends, ids in row order, on SQLite (3.35+) and PostgreSQL alike. Datetimes
and IP addresses are adapted by the backend, exactly as the ORM would.
"""

from __future__ import annotations

import sqlite3

from django.db import connection, models
from django.utils import timezone

ROWS_PER_STATEMENT = 500
ADAPTED = (models.DateTimeField, models.GenericIPAddressField, models.JSONField)


def _max_parameters() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65_535  # PostgreSQL's limit on bind parameters


def _adapter(field):
    """The backend's conversion for `field`'s values (what get_db_prep_save ends in), with
    repeated values (the import's one `now`) converted once."""
    if isinstance(field, models.DateTimeField):
        convert = connection.ops.adapt_datetimefield_value
    elif isinstance(field, models.GenericIPAddressField):
        convert = connection.ops.adapt_ipaddressfield_value
    else:
        return lambda value: field.get_db_prep_save(value, connection)
    seen = {}

    def adapted(value):
        if value is None:
            return None
        if value not in seen:
            if len(seen) > 1000:
                seen.clear()
            seen[value] = convert(value)
        return seen[value]

    return adapted


def insert(model: type[models.Model], rows: list[dict], *, returning: bool = True) -> list[int]:
    """Insert `rows` (attname → value, the same names in each; the model's other fields take
    their defaults); return the new ids in row order."""
    if not rows:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    names = list(rows[0])
    now = timezone.now()
    defaults = [
        now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for name, f in fields.items()
        if name not in rows[0]
    ]  # fmt: skip
    columns = [fields[name] for name in names] + [f for n, f in fields.items() if n not in rows[0]]
    adapt = [
        (i, _adapter(f)) for i, f in enumerate(columns[: len(names)]) if isinstance(f, ADAPTED)
    ]
    defaults = [
        _adapter(f)(value) if isinstance(f, ADAPTED) else value
        for f, value in zip(columns[len(names) :], defaults, strict=True)
    ]
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(f.column) for f in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(ROWS_PER_STATEMENT, _max_parameters() // len(columns)))
    pk = quote(model._meta.pk.column)
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                values = [row[name] for name in names]
                for i, adapted in adapt:
                    values[i] = adapted(values[i])
                params += values
                params += defaults
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({column_sql}) VALUES " + ", ".join(
                [row_sql] * len(chunk)
            )
            if returning:
                cursor.execute(f"{sql} RETURNING {pk}", params)
                ids.extend(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(sql, params)
    return ids
