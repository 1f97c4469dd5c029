"""Dependencies point one way: core ← blog ← comments ← wordpress ← config, demo on top.

Read from the code itself (every import statement, and every migration's dependencies), so a
shortcut taken in a hurry fails here, not in a year.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps it must never import (directly or from a function body).
# config is the top: its URLconf and settings name the apps, so no app imports it.
FORBIDDEN = {
    "core": {"blog", "comments", "wordpress", "demo", "config"},
    "blog": {"comments", "wordpress", "demo", "config"},
    "comments": {"wordpress", "demo", "config"},
    "wordpress": {"demo", "config"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


def modules(app: str):
    return sorted((ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_from_the_apps_built_on_it(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in modules(app)
    }
    assert {path: apps for path, apps in wrong.items() if apps} == {}


def migration_dependencies(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "dependencies" for target in node.targets
        ):
            for element in getattr(node.value, "elts", []):
                if isinstance(element, ast.Tuple) and isinstance(element.elts[0], ast.Constant):
                    found.add(element.elts[0].value)
    return found


@pytest.mark.parametrize("app", ["blog", "comments", "wordpress"])
def test_migrations_depend_only_on_the_apps_below(app):
    wrong = {
        path.name: sorted(migration_dependencies(path) & FORBIDDEN[app])
        for path in sorted((ROOT / app / "migrations").glob("0*.py"))
    }
    assert {name: apps for name, apps in wrong.items() if apps} == {}


def test_blog_models_point_at_nothing_above_them():
    from django.apps import apps

    wrong = [
        f"{model.__name__}.{field.name} → {field.related_model._meta.label}"
        for model in apps.get_app_config("blog").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and field.related_model is not None
        and field.concrete
        and field.related_model._meta.app_label in FORBIDDEN["blog"]
    ]
    assert wrong == []
