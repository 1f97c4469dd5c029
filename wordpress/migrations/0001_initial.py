# WordPressItem, moved here from the blog app. Sites that ran blog/0002 before the move have
# its table (blog_wordpressitem) and their imported items in it: the table is kept as it is.
# New sites get it created here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "blog_wordpressitem"


def adopt_or_create(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        return  # made by blog/0002 before the move, with the site's imported items
    schema_editor.create_model(apps.get_model("wordpress", "WordPressItem"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('blog', '0004_list_indexes'),
        ('comments', '0008_only_web_addresses_as_websites'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='WordPressItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('site', models.CharField(help_text="The export's base blog URL, e.g. https://example.com.", max_length=200, verbose_name='site')),
                ('kind', models.CharField(choices=[('author', 'author'), ('category', 'category'), ('tag', 'tag'), ('post', 'post'), ('page', 'page'), ('attachment', 'attachment'), ('comment', 'comment')], max_length=20, verbose_name='kind')),
                ('wp_id', models.BigIntegerField(help_text='Its ID on WordPress; authors and terms exported without one get a stable hash.', verbose_name='WordPress ID')),
                ('checksum', models.CharField(editable=False, help_text='Of the exported data: an unchanged item is skipped.', max_length=32)),
                ('old_url', models.CharField(blank=True, help_text='The path of its WordPress permalink, which redirects to the new address.', max_length=500, verbose_name='old address')),
                ('article', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blog.article')),
                ('category', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blog.category')),
                ('comment', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='comments.comment')),
                ('image', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blog.image')),
                ('page', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='blog.page')),
                ('tag', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='taggit.tag')),
                ('user', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'blog_wordpressitem',
                'verbose_name': 'imported WordPress item',
                'verbose_name_plural': 'imported WordPress items',
                'indexes': [models.Index(condition=models.Q(('old_url', ''), _negated=True), fields=['old_url'], name='wordpress_item_old_url'), models.Index(condition=models.Q(('user__isnull', False)), fields=['user'], name='wordpress_item_user'), models.Index(condition=models.Q(('category__isnull', False)), fields=['category'], name='wordpress_item_category'), models.Index(condition=models.Q(('tag__isnull', False)), fields=['tag'], name='wordpress_item_tag'), models.Index(condition=models.Q(('article__isnull', False)), fields=['article'], name='wordpress_item_article'), models.Index(condition=models.Q(('page__isnull', False)), fields=['page'], name='wordpress_item_page'), models.Index(condition=models.Q(('image__isnull', False)), fields=['image'], name='wordpress_item_image'), models.Index(condition=models.Q(('comment__isnull', False)), fields=['comment'], name='wordpress_item_comment')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'wp_id', 'site'), name='wordpress_item_once_per_site'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'author'), ('user__isnull', False)), models.Q(('category__isnull', False), ('kind', 'category')), models.Q(('kind', 'tag'), ('tag__isnull', False)), models.Q(('article__isnull', False), ('kind', 'post')), models.Q(('kind', 'page'), ('page__isnull', False)), models.Q(('image__isnull', False), ('kind', 'attachment')), models.Q(('comment__isnull', False), ('kind', 'comment')), _connector='OR'), name='wordpress_item_points_at_its_kind')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(adopt_or_create, migrations.RunPython.noop),
    ]
