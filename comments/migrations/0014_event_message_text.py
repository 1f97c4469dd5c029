from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0013_comment_html"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="message",
            field=models.TextField(),
        ),
    ]
