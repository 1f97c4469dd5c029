"""Categories and tags from an export: trees, the odd ones real exports have, re-imports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from blog.models import Category

from .wxr import category, export, post, run_import, tag, write

pytestmark = pytest.mark.django_db


def paths() -> set[str]:
    return set(Category.objects.values_list("path", flat=True))


def test_a_tree_given_children_first_keeps_its_addresses(tmp_path):
    text = export(
        category(12, "france", parent="europe"),
        category(11, "europe", parent="world"),
        category(10, "world"),
        post(1),
    )
    _out, _err, table = run_import(write(tmp_path, text))
    assert table["category"]["created"] == 4  # and News
    assert paths() == {"news", "world", "world/europe", "world/europe/france"}
    france = Category.objects.get(slug="france")
    assert [c.slug for c in france.ancestors_and_self()] == ["world", "europe", "france"]


def test_odd_trees_are_imported_and_said(tmp_path):
    Category.objects.create(name="Sport", slug="sport", path="sport")
    text = export(
        category(20, "left", parent="right"),
        category(21, "right", parent="left"),
        category(22, "orphan", parent="nowhere"),
        category(23, "sport"),
        category(24, "%e2%80%94dash"),  # "—dash": its address is "dash"
        category(25, "dash"),
        post(1),
    )
    _out, err, table = run_import(write(tmp_path, text))

    assert "is its own ancestor; placed at the top level" in err
    assert "Category 'orphan' (line " in err and "its parent 'nowhere' is not in the export" in err
    assert "Category 'sport' (line " in err and "exists already; linked" in err
    assert "Category 'dash' (line " in err and "exists already; linked" in err
    assert "'right'" not in err  # under 'left', where the loop was cut: nothing to say of it
    assert paths() == {"news", "left", "left/right", "orphan", "sport", "dash"}
    assert Category.objects.count() == 6
    assert table["category"] == {
        "created": 5, "updated": 0, "unchanged": 2, "skipped": 0, "missing media": 0}  # fmt: skip


def test_a_reimport_moves_a_renamed_branch_and_leaves_the_rest(tmp_path):
    tree = [category(10, "world"), category(11, "europe", parent="world"),
            category(12, "france", parent="europe")]  # fmt: skip
    run_import(write(tmp_path, export(*tree, post(1))))
    renamed = export(
        category(10, "globe", name="The globe"),
        category(11, "europe", parent="globe"),
        category(12, "france", parent="europe"),
        post(1),
    )
    _out, _err, table = run_import(write(tmp_path, renamed))

    assert paths() == {"news", "globe", "globe/europe", "globe/europe/france"}
    assert Category.objects.get(slug="globe").name == "The globe"
    assert table["category"]["created"] == 0 and Category.objects.count() == 4


def test_the_number_of_queries_does_not_grow_with_the_categories(tmp_path):
    def queries(count: int) -> int:
        top = [category(1000 * count + n, f"top-{count}-{n}") for n in range(count)]
        children = [category(1000 * count + 500 + n, f"child-{count}-{n}",
                             parent=f"top-{count}-{n}") for n in range(count)]  # fmt: skip
        path = write(tmp_path, export(*top, *children), name=f"{count}.xml")
        with CaptureQueriesContext(connection) as captured:
            _out, _err, table = run_import(path)
        assert table["category"]["created"] == 2 * count
        return len(captured)

    run_import(write(tmp_path, export()))  # News, which every export here has
    assert queries(3) == queries(30)


def test_tags_new_and_here_already(tmp_path):
    Tag.objects.create(name="Jam", slug="jam")
    text = export(
        tag(30, "jam"),
        tag(31, "marmalade", name="Marmalade"),
        tag(32, "%e2%80%94marmalade", name="Marmalade, again"),  # its slug is "marmalade"
        tag(33, "toast", name="Toast"),
        post(1),
    )
    _out, err, table = run_import(write(tmp_path, text))

    assert "Tag 'jam' (line " in err and "the tag 'Jam' exists already; linked to it" in err
    assert "the tag 'Marmalade' exists already; linked to it" in err
    assert set(Tag.objects.values_list("slug", "name")) == {
        ("jam", "Jam"), ("marmalade", "Marmalade"), ("toast", "Toast")}  # fmt: skip
    assert (table["tag"]["created"], table["tag"]["unchanged"]) == (2, 2)

    renamed = export(tag(33, "toast", name="Hot toast"), post(1))
    _out, _err, table = run_import(write(tmp_path, renamed, name="again.xml"))
    assert table["tag"]["updated"] == 1
    assert Tag.objects.get(slug="toast").name == "Hot toast"


def test_the_number_of_queries_does_not_grow_with_the_tags(tmp_path):
    def queries(count: int) -> int:
        tags = [tag(1000 * count + n, f"tag-{count}-{n}") for n in range(count)]
        path = write(tmp_path, export(*tags), name=f"{count}.xml")
        with CaptureQueriesContext(connection) as captured:
            _out, _err, table = run_import(path)
        assert table["tag"]["created"] == count
        return len(captured)

    run_import(write(tmp_path, export()))  # News, which every export here has
    assert queries(3) == queries(30)


def test_a_category_nested_too_deep_for_its_address_goes_to_the_top(tmp_path):
    """Five levels of 200-character slugs make an address longer than a category's path may
    be (PostgreSQL refused the whole import): the one that would overflow goes to the top."""
    slugs = [f"{level}" + "x" * 199 for level in "abcdef"]
    tree = [category(10, slugs[0])]
    tree += [category(11 + n, slug, parent=slugs[n]) for n, slug in enumerate(slugs[1:])]
    _out, err, table = run_import(write(tmp_path, export(*tree, post(1))))

    assert table["category"]["created"] == 7  # and News
    # The fifth level would make an address of 5 × 200 characters and four slashes.
    assert f"Category '{slugs[4]}' (line " in err and "nested too deep" in err
    assert Category.objects.get(slug=slugs[4]).parent is None
    assert Category.objects.get(slug=slugs[5]).parent.slug == slugs[4]
    assert max(len(path) for path in Category.objects.values_list("path", flat=True)) <= 1000
