"""Multi-row INSERTs for rows by the hundred thousand: the importer's comments and their
history, the content generator's articles' links and comments.

Model.__init__ and the ORM's per-field work cost more than the database for that many rows, so
these INSERTs are written here, the way bulk_create writes them: `VALUES (…), (…)` on SQLite,
one array per column through `UNNEST` on PostgreSQL, `RETURNING` the new keys. Values other
than numbers, text and NULL still go through their field's get_db_prep_save, and every other
column gets what `fixed` or the field's default (or auto_now) gives, as with bulk_create.
"""

import sqlite3
from itertools import chain
from operator import itemgetter

from django.db import connections, router
from django.utils.safestring import SafeString

# Values that go into an INSERT as they are, with no field's get_db_prep_save: numbers, text
# (HTML marked safe is text too) and NULL.
PLAIN_TYPES = frozenset({int, str, SafeString, type(None)})


def insert_rows(model, columns, rows, *, fixed=None, returning=False):
    """Insert `rows` (tuples of values for the `columns` attnames) into `model`'s table.

    Model.__init__ and the ORM's per-field work cost more than the database for hundreds of
    thousands of rows, so this writes the INSERTs itself, 1,000 rows at a time. Values other
    than numbers, text and NULL still go through their field's get_db_prep_save, and every
    other column gets what `fixed` or the field's default gives, as with bulk_create. Returns
    the new primary keys, in order, if `returning`.
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
        sizes = [1000] * (len(rows) // 1000) + ([len(rows) % 1000] if len(rows) % 1000 else [])
    else:
        # SQLite's own placeholders, which Django's cursor passes on as they are: it rewrites
        # each %s into ? with a regex, 2 ms for a 1,000-row statement.
        placeholder = "?" if connection.vendor == "sqlite" else "%s"
        row_placeholders = "(" + ", ".join([placeholder] * (len(given) + len(constant))) + ")"
        chunk = max(1, min(1000, max_parameters(connection) // (len(given) + len(constant))))
        sizes = statement_sizes(len(rows), chunk)

    keys = []
    # A cursor without DEBUG's query log, which would cost more than the inserts themselves.
    with connection.make_cursor(connection.create_cursor()) as cursor:
        start = 0
        for size in sizes:
            part = rows[start : start + size]
            start += size
            # Column by column: most columns hold only numbers, text and NULL, which go in as
            # they are (checked in C, not value by value in Python); the others (dates, JSON)
            # take the backend's format (a sixth of a WordPress import went on this, per value).
            columns = [
                column
                if PLAIN_TYPES.issuperset(map(type, column))
                else [
                    value
                    if type(value) in PLAIN_TYPES
                    else field.get_db_prep_save(value, connection)
                    for value in column
                ]
                for field, column in zip(given, zip(*part, strict=True), strict=True)
            ]
            columns += [(value,) * len(part) for value in constant_values]
            if postgres:
                sql = f"{insert} SELECT * FROM UNNEST({unnest}) {suffix}"
                params = [list(column) for column in columns]
            else:
                sql = f"{insert} VALUES {', '.join([row_placeholders] * len(part))} {suffix}"
                params = list(chain.from_iterable(zip(*columns, strict=True)))
            cursor.execute(sql, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def statement_sizes(count: int, chunk: int) -> list[int]:
    """How many rows each INSERT holds: `chunk`, then what is left in powers of two.

    SQLite's statements are as long as their rows, and Python's sqlite3 keeps the last 128 it
    prepared (1.5 MB each at 1,000 rows): a remainder of any size would be a new statement,
    prepared afresh and kept, and an import's memory grew by 100 MB that way. With powers of
    two, a handful of statements per table serve every insert, prepared once.
    """
    full, rest = divmod(count, chunk)
    return [chunk] * full + [1 << n for n in reversed(range(rest.bit_length())) if rest >> n & 1]


def max_parameters(connection):
    """How many parameters one SQLite statement may carry: its real limit, not the 999 of old
    builds that Django assumes (55-row INSERTs are slow)."""
    if connection.vendor == "sqlite":
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65_535


def insert(model, rows: list[dict], *, fixed=None, returning: bool = True) -> list[int]:
    """`insert_rows` for rows given as dicts (attname → value, the same names in each), with
    the values of `fixed` in every row."""
    if not rows:
        return []
    columns = list(rows[0])
    if len(columns) == 1:
        values = [(row[columns[0]],) for row in rows]
    else:
        values = list(map(itemgetter(*columns), rows))
    return insert_rows(model, columns, values, fixed=fixed, returning=returning)
