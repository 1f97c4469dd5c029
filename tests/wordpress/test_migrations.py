"""WordPressItem moved from the blog app to the wordpress app: a site that imported before the
move keeps its imported items (and so its old links), and a new site gets the table."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_article
from wordpress.models import WordPressItem


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))


def latest():
    """The app's last migration, which the rest of the suite expects."""
    (leaf,) = MigrationExecutor(connection).loader.graph.leaf_nodes("wordpress")
    return leaf


@pytest.mark.django_db(transaction=True)
def test_items_imported_before_the_move_are_kept():
    article = make_article("Imported before the move")
    WordPressItem.objects.create(site="https://old.example", kind="post", wp_id=4, article=article)
    try:
        # Back to before the wordpress app: the table is there, as blog/0002 left it.
        migrate(("wordpress", None))
        assert WordPressItem._meta.db_table in connection.introspection.table_names()

        migrate(("wordpress", "0001_initial"))

        item = WordPressItem.objects.get(wp_id=4)
        assert item.article == article
    finally:
        migrate(latest())


@pytest.mark.django_db
def test_a_new_site_has_the_table_with_its_constraints():
    names = connection.introspection.get_constraints(connection.cursor(), "blog_wordpressitem")
    assert "wordpress_item_once_per_site" in names
    assert "wordpress_item_old_url" in names
