"""Writers draft and submit for review; Editors also publish and edit everyone's work."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = {
    "blog": [
        "add_article", "change_article", "view_article",
        "add_image", "change_image", "view_image",
        "view_category", "view_disclaimer", "view_promotion",
    ],
    "taggit": ["view_tag"],
}  # fmt: skip
EDITOR_PERMISSIONS = {"blog": ["publish_article", "edit_others_article"]}


def create_writers(apps, schema_editor):
    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(by_app):
        return [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codenames in by_app.items()
            for codename in codenames
        ]

    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.set(permissions(WRITER_PERMISSIONS))
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*permissions(EDITOR_PERMISSIONS))


def remove_writers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Writers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_editing"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_writers, remove_writers)]
