"""Commenter websites are http(s) addresses only, as the comment form has always required.

Imports made before the importer checked them could store `javascript:` or `data:` addresses,
which the page would show as links. They are emptied; the comments are kept.
"""

from django.db import migrations
from django.db.models import Q


def forget_other_schemes(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    web = Q(author_url__istartswith="http://") | Q(author_url__istartswith="https://")
    Comment.objects.exclude(author_url="").exclude(web).update(author_url="")


class Migration(migrations.Migration):
    dependencies = [("comments", "0007_akismet_report_retry")]

    operations = [migrations.RunPython(forget_other_schemes, migrations.RunPython.noop)]
