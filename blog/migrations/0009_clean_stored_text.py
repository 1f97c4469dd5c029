"""Clean text stored before the admin's forms cleaned it at the door.

One control character in an article's title, body or byline stops every feed the article is
in (XML 1.0 cannot carry it). The forms and the sanitiser now keep them out; this removes the
ones already stored, in the same way (blog/text.py), touching only the rows that change.
"""

from django.db import migrations

from blog.text import WORD_BREAKS, clean_line, clean_text

# Model → (one-line fields, multi-line fields), as the admin forms clean them.
TYPED_TEXT = {
    "Article": (["title", "byline", "seo_description"], ["body", "excerpt"]),
    "Page": (["title"], ["body"]),
    "Category": (["name"], ["description"]),
    "Disclaimer": (["name"], ["text"]),
    "Promotion": (["title", "link_label"], ["text"]),
    "Image": (["alt_text", "caption", "credit"], []),
}


def clean_stored_text(apps, schema_editor):
    for model_name, (lines, texts) in TYPED_TEXT.items():
        model = apps.get_model("blog", model_name)
        for row in model.objects.only(*lines, *texts).iterator(chunk_size=500):
            changed = {}
            for name in [*lines, *texts]:
                value = getattr(row, name)
                clean = clean_line if name in lines else clean_text
                cleaned = clean(value.translate(WORD_BREAKS))
                if cleaned != value:
                    changed[name] = cleaned
            if changed:
                model.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_constraint_messages"),
    ]

    operations = [
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop, elidable=True),
    ]
