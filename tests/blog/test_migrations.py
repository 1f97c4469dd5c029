import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.mark.django_db
def test_no_pending_migrations():
    # Exits with status 1, failing the test, when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_migrations_create_the_least_privilege_groups():
    editors = Group.objects.get(name="Editors")
    moderators = Group.objects.get(name="Moderators")

    editor_codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "delete_article", "add_image", "change_tag"} <= (
        editor_codenames
    )
    assert not any(code.endswith(("_user", "_group", "_comment")) for code in editor_codenames)
    moderator_codenames = set(moderators.permissions.values_list("codename", flat=True))
    assert {"moderate_comment", "change_comment", "view_article"} <= moderator_codenames
    assert not {"add_article", "change_article"} & moderator_codenames
