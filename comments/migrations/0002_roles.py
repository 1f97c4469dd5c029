"""The least-privilege groups: Editors write, Moderators moderate."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = {
    "blog": ["article", "category", "image", "disclaimer", "promotion", "page"],
    "taggit": ["tag"],
}
MODERATOR_PERMISSIONS = {
    "comments": [
        "view_comment",
        "change_comment",
        "delete_comment",
        "moderate_comment",
        "view_event",
        "view_moderationsettings",
        "change_moderationsettings",
    ],
    "blog": ["view_article"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editor_codenames = [
        (app, f"{action}_{model}")
        for app, models in EDITOR_MODELS.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    # add(), not set(): blog.0006_writers may have given Editors the publishing permissions.
    editors.permissions.add(*_permissions(Permission, editor_codenames))

    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderator_codenames = [
        (app, codename) for app, codenames in MODERATOR_PERMISSIONS.items() for codename in codenames
    ]
    moderators.permissions.set(_permissions(Permission, moderator_codenames))


def _permissions(Permission, pairs):
    found = []
    for app_label, codename in pairs:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Moderators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("blog", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
