from django.db import migrations, models


def render_stored(apps, schema_editor):
    """Render every comment once now, as save() will from here on."""
    from comments.text import comment_html

    Comment = apps.get_model("comments", "Comment")
    batch = []
    for comment in Comment.objects.only("pk", "content").iterator(chunk_size=2000):
        comment.html = comment_html(comment.content)
        batch.append(comment)
        if len(batch) == 2000:
            Comment.objects.bulk_update(batch, ["html"])
            batch = []
    Comment.objects.bulk_update(batch, ["html"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0012_reader_picture"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_stored, migrations.RunPython.noop, elidable=True),
    ]
