"""Moderators carry out readers' erasure requests and see who follows what."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = [
    "view_privacyrequest",
    "change_privacyrequest",
    "erase_personal_data",
    "view_subscription",
    "delete_subscription",
]


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0010_following_and_privacy")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
