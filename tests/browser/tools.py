"""What the browser tests share besides fixtures: where the tools are, and small helpers."""

import importlib
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000
PASSWORD = "a long and unguessable passphrase"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def missing(what: str, how: str):
    """Skip (fail under BROWSER_TESTS_REQUIRED=1) because a tool is not installed."""
    message = f"{what} is not installed: {how}"
    if os.environ.get("BROWSER_TESTS_REQUIRED"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_axe():
    if not AXE_JS.exists():
        missing(f"axe-core ({AXE_JS.relative_to(ROOT)})", "run `npm ci` at the root")


def require_vnu():
    if not shutil.which("java"):
        missing("Java (for the Nu HTML Checker)", "apt-get install -y default-jre-headless")
    if not VNU_JAR.exists():
        missing(f"The Nu HTML Checker ({VNU_JAR.relative_to(ROOT)})", "run `npm ci` at the root")


def ensure_groups():
    """The Editors, Writers and Moderators groups as the roles migrations make them
    (comments 0002 and 0011, blog 0006).

    A transactional test's flush empties every table, so the rows that data migration wrote
    are gone; the permissions themselves come back with the flush's post_migrate.
    """
    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module("comments.migrations.0002_roles")
    writers = importlib.import_module("blog.migrations.0006_writers")
    privacy = importlib.import_module("comments.migrations.0011_privacy_role")
    wanted = {
        "Editors": [
            (app, f"{action}_{model}")
            for app, models in roles.EDITOR_MODELS.items()
            for model in models
            for action in ("add", "change", "delete", "view")
        ]
        + [(app, code) for app, codes in writers.EDITOR_PERMISSIONS.items() for code in codes],
        "Writers": [
            (app, code) for app, codes in writers.WRITER_PERMISSIONS.items() for code in codes
        ],
        "Moderators": [
            (app, codename)
            for app, codenames in roles.MODERATOR_PERMISSIONS.items()
            for codename in codenames
        ]
        + [("comments", codename) for codename in privacy.MODERATOR_PERMISSIONS],
    }
    for name, pairs in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=a, codename=c) for a, c in pairs]
        )


def sign_in(page, username, password=PASSWORD):
    """Sign in to the admin through its login form."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
