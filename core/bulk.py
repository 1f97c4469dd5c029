"""Multi-row INSERTs for rows by the hundred thousand: the importer's comments and their
history, the content generator's articles' links and comments.

Model.__init__ and the ORM's per-field work cost more than the database for that many rows, so
these INSERTs are written here, the way bulk_create writes them: `VALUES (…), (…)` on SQLite,
one array per column through `UNNEST` on PostgreSQL, `RETURNING` the new keys. Values still go
through their field's get_db_prep_save, and every other column gets what `fixed` or the
field's default (or auto_now) gives, as with bulk_create.
"""

import sqlite3

from django.db import connections, router


def insert_rows(model, columns, rows, *, fixed=None, returning=False):
    """Insert `rows` (tuples of values for the `columns` attnames) into `model`'s table.

    Model.__init__ and the ORM's per-field work cost more than the database for hundreds of
    thousands of rows, so this writes the INSERTs itself, 1,000 rows at a time. Values still go
    through their field's get_db_prep_save, and every other column gets what `fixed` or the
    field's default gives, as with bulk_create. Returns the new primary keys, in order, if
    `returning`.
    """
    connection = connections[router.db_for_write(model)]
    connection.ensure_connection()
    meta = model._meta
    template = model(**(fixed or {}))
    fields = {field.attname: field for field in meta.concrete_fields if not field.primary_key}
    given = [fields[name] for name in columns]
    constant, constant_values = [], []
    for name, field in fields.items():
        value = field.pre_save(template, add=True)
        if name in columns or hasattr(value, "as_sql"):
            continue  # Given per row, or left to the database's own default (db_default).
        constant.append(field)
        constant_values.append(field.get_db_prep_save(value, connection))
    constant_values = tuple(constant_values)
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(meta.db_table)} "
    insert += f"({', '.join(quote(field.column) for field in given + constant)})"
    suffix = ""
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError("This database cannot return keys from a bulk insert.")
        suffix, _ = connection.ops.return_insert_columns([meta.pk])
    postgres = connection.vendor == "postgresql"
    if postgres:
        # One array per column, as Django's bulk_create does on PostgreSQL: a short statement
        # that psycopg need not parse placeholder by placeholder.
        types = [field.db_type(connection).split("(")[0] for field in given + constant]
        unnest = ", ".join(f"(%s)::{db_type}[]" for db_type in types)
        chunk = 1000
    else:
        row_placeholders = "(" + ", ".join(["%s"] * (len(given) + len(constant))) + ")"
        chunk = max(1, min(1000, max_parameters(connection) // (len(given) + len(constant))))

    keys = []
    # A cursor without DEBUG's query log, which would cost more than the inserts themselves.
    with connection.make_cursor(connection.create_cursor()) as cursor:
        for start in range(0, len(rows), chunk):
            prepared = [
                tuple(
                    # Numbers, text and NULL go in as they are; dates need the backend's format.
                    value
                    if value is None or type(value) in (int, str)
                    else field.get_db_prep_save(value, connection)
                    for field, value in zip(given, row, strict=True)
                )
                + constant_values
                for row in rows[start : start + chunk]
            ]
            if postgres:
                sql = f"{insert} SELECT * FROM UNNEST({unnest}) {suffix}"
                params = [list(column) for column in zip(*prepared, strict=True)]
            else:
                sql = f"{insert} VALUES {', '.join([row_placeholders] * len(prepared))} {suffix}"
                params = [value for row in prepared for value in row]
            cursor.execute(sql, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def max_parameters(connection):
    """How many parameters one SQLite statement may carry: its real limit, not the 999 of old
    builds that Django assumes (55-row INSERTs are slow)."""
    if connection.vendor == "sqlite":
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65_535


def insert(model, rows: list[dict], *, returning: bool = True) -> list[int]:
    """`insert_rows` for rows given as dicts (attname → value, the same names in each)."""
    if not rows:
        return []
    columns = list(rows[0])
    values = [tuple(row[name] for name in columns) for row in rows]
    return insert_rows(model, columns, values, returning=returning)
