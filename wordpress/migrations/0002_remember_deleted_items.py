# An imported item deleted here keeps its WordPressItem row, its target emptied (SET_NULL rather
# than CASCADE), so a later import knows not to bring it back. on_delete is Django's alone: the
# columns do not change, only the check constraint, which now allows a row pointing at nothing.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TARGETS = {
    "author": "user",
    "category": "category",
    "tag": "tag",
    "post": "article",
    "page": "page",
    "attachment": "image",
    "comment": "comment",
}
TARGET_MODELS = {
    "user": settings.AUTH_USER_MODEL,
    "category": "blog.category",
    "tag": "taggit.tag",
    "article": "blog.article",
    "page": "blog.page",
    "image": "blog.image",
    "comment": "comments.comment",
}


def forget_deleted_items(apps, schema_editor):
    """Going back: the old constraint wants a target, so the rows of deleted items go (and the
    next import brings those items back, as it did before)."""
    WordPressItem = apps.get_model("wordpress", "WordPressItem")
    nothing = {f"{target}__isnull": True for target in TARGETS.values()}
    WordPressItem.objects.filter(**nothing).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("wordpress", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="wordpressitem",
            name="wordpress_item_points_at_its_kind",
        ),
        migrations.RunPython(migrations.RunPython.noop, forget_deleted_items),
        *(
            migrations.AlterField(
                model_name="wordpressitem",
                name=target,
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+",
                    to=model,
                ),
            )
            for target, model in TARGET_MODELS.items()
        ),
        migrations.AddConstraint(
            model_name="wordpressitem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    *(
                        models.Q(kind=kind) | models.Q(**{f"{target}__isnull": True})
                        for kind, target in TARGETS.items()
                    )
                ),
                name="wordpress_item_points_at_its_kind_or_nothing",
            ),
        ),
    ]
