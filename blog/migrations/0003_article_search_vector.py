"""Full-text search on PostgreSQL: a weighted tsvector per article, kept current by a trigger
(so bulk inserts and imports are indexed too), and a GIN index over it. Other databases get
the empty column only; blog/search.py searches them another way."""

import django.contrib.postgres.search
from django.db import migrations

CREATE = """
CREATE FUNCTION blog_article_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.excerpt, '')), 'B') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER blog_article_search_vector BEFORE INSERT OR UPDATE OF title, excerpt, body
  ON blog_article FOR EACH ROW EXECUTE FUNCTION blog_article_search_vector();
UPDATE blog_article SET title = title;
CREATE INDEX blog_article_search_vector_gin ON blog_article USING gin (search_vector);
"""

DROP = """
DROP INDEX IF EXISTS blog_article_search_vector_gin;
DROP TRIGGER IF EXISTS blog_article_search_vector ON blog_article;
DROP FUNCTION IF EXISTS blog_article_search_vector();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_wordpressitem"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
