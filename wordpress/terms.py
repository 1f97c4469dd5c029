"""WordPress categories (with their hierarchy) and tags → ours, keyed by their WordPress slugs.

A name or slug longer than ours is shortened with a warning. A category or tag deleted here is
not made again: the posts filed under it are imported without it.
"""

from __future__ import annotations

from collections import Counter

from django.utils.text import slugify
from taggit.models import Tag

from blog.models import PATH_LENGTH, Category

from .mapping import DELETED, Kind, checksum, chunks, stable_id
from .parser import Item, Term
from .values import plain_text, slug_for

ITEM_TAXONOMIES = {"category": "category", "post_tag": "post_tag", "tag": "post_tag"}
# Our longest names and slugs: Category's, and taggit's (unique, too).
CATEGORY_LENGTH = 200
TAG_LENGTH = 100


class TermWriter:
    def __init__(self, importer):
        self.imp = importer
        self.report = importer.report
        self.warn = importer.warn
        self.categories: dict[str, int] = {}  # WordPress slug → pk
        self.paths: dict[int, str] = {}  # pk → Category.path, for the children's
        self.tags: dict[str, int] = {}
        # WordPress slugs of the terms deleted here, by taxonomy.
        self.deleted: dict[str, set[str]] = {"category": set(), "post_tag": set()}
        self.other_taxonomies: Counter = Counter()
        self.tag_descriptions = 0

    def write(self, terms: list[Term]) -> None:
        seen = {
            "category": set(self.categories) | self.deleted["category"],
            "post_tag": set(self.tags) | self.deleted["post_tag"],
        }
        categories, tags = [], []
        for term in terms:
            if term.taxonomy not in seen:
                self.other_taxonomies[term.taxonomy or "(none)"] += 1
                self.report.count("other", "skipped")
            elif term.slug not in seen[term.taxonomy]:  # else: again, as <wp:term>
                seen[term.taxonomy].add(term.slug)
                (categories if term.taxonomy == "category" else tags).append(term)
        if categories:
            self.write_categories(categories)
        if tags:
            self.write_tags(tags)

    def report_skipped(self) -> None:
        for taxonomy, n in sorted(self.other_taxonomies.items()):
            self.warn(
                f"{n} term(s) of the taxonomy {taxonomy!r} skipped: only categories and "
                "tags are imported."
            )
        if self.tag_descriptions:
            self.warn(f"{self.tag_descriptions} tag description(s) not kept: tags here have none.")

    def _parents_first(self, terms: list[Term]) -> list[Term]:
        by_slug = {t.slug: t for t in terms}
        ordered, placed = [], set()
        for term in terms:
            chain, current = [], term
            while current and current.slug not in placed and current not in chain:
                chain.append(current)
                current = by_slug.get(current.parent) if current.parent else None
            if current in chain:  # a loop of parents: the term where it closes goes on top
                self.warn(
                    f"Category {current.slug!r} (line {current.line}) is its own "
                    "ancestor; placed at the top level."
                )
                current.parent = ""
                chain.remove(current)  # the new top goes first, then the loop's others
                chain.append(current)
            for t in reversed(chain):
                placed.add(t.slug)
                ordered.append(t)
        return ordered

    def write_categories(self, terms: list[Term]) -> None:
        """Parents before children, a generation at a time: each generation's new categories
        are inserted together (their parents' keys known by then), and what is here already
        is read once for all. No category is saved one by one unless an import changed it;
        the import's end makes every page stale (`invalidate_caches`), not each save."""
        terms = self._parents_first(terms)
        key = {
            t.slug: t.wp_id if t.wp_id is not None else stable_id(f"category:{t.slug}")
            for t in terms
        }
        slugs = {}
        for term in terms:
            slugs[term.slug] = (
                slug_for(term.slug, unicode=True, max_length=CATEGORY_LENGTH)
                or slug_for(term.name, unicode=True, max_length=CATEGORY_LENGTH)
                or f"category-{abs(key[term.slug])}"
            )
        existing = self.imp.ids.lookup(Kind.CATEGORY, key.values())
        # Whichever their parents: a category here at a term's address has the term's slug.
        here = {
            (category.parent_id, category.slug): category
            for category in Category.objects.filter(slug__in=set(slugs.values()))
        }
        self.paths.update({category.pk: category.path for category in here.values()})
        generation = {}
        for term in terms:  # parents first: a parent's generation is known
            parent = generation.get(term.parent, -1) if term.parent else -1
            generation[term.slug] = parent + 1
        for depth in range(max(generation.values(), default=-1) + 1):
            born = [t for t in terms if generation[t.slug] == depth]
            self._write_generation(born, key, slugs, existing, here)

    def _write_generation(self, terms, key, slugs, existing, here) -> None:
        mappings, created, linked = [], [], []
        for term in terms:
            where = f"Category {term.slug!r} (line {term.line})"
            mapping = existing.get(key[term.slug])
            if mapping and mapping.deleted:
                self._skip_deleted(term, where, Kind.CATEGORY)
                continue
            parent_id = self.categories.get(term.parent) if term.parent else None
            if term.parent and parent_id is None:
                missing = (
                    "was deleted here"
                    if term.parent in self.deleted["category"]
                    else "is not in the export"
                )
                self.warn(
                    f"{where}: its parent {term.parent!r} {missing}; placed at the top level."
                )
            slug = slugs[term.slug]
            if parent_id and len(f"{self._path(parent_id)}/{slug}") > PATH_LENGTH:
                self.warn(
                    f"{where}: nested too deep (its address would be longer than {PATH_LENGTH} "
                    "characters); placed at the top level."
                )
                parent_id = None
            digest = checksum(term.slug, term.name, term.parent, term.description, parent_id)
            if mapping and mapping.checksum == digest:
                self.report.count(Kind.CATEGORY, "unchanged")
                self.categories[term.slug] = mapping.target_id
                continue
            name = self._name(term, where, CATEGORY_LENGTH)
            if mapping:
                self._update(mapping, term, where, name, slug, parent_id, digest, key)
                continue
            category, column = here.get((parent_id, slug)), "unchanged"
            if category:
                self.warn(f"{where}: a category with this address exists already; linked.")
            else:
                path = f"{self._path(parent_id)}/{slug}" if parent_id else slug
                category = Category(name=name, slug=slug, parent_id=parent_id, path=path,
                                    description=term.description)  # fmt: skip
                here[(parent_id, slug)] = category
                created.append(category)
                column = "created"
            linked.append((term, category, digest, column))
        Category.objects.bulk_create(created)
        for term, category, digest, column in linked:
            self.paths[category.pk] = category.path
            self.categories[term.slug] = category.pk
            mappings.append(self.imp.ids.row(Kind.CATEGORY, key[term.slug], category.pk, digest))
            self.report.count(Kind.CATEGORY, column)
        self.imp.ids.insert(mappings)

    def _update(self, mapping, term, where, name, slug, parent_id, digest, key) -> None:
        """A category imported before whose export changed: saved (its children's addresses
        follow), unless another category has its new address."""
        category, column = Category.objects.get(pk=mapping.target_id), "updated"
        same_address = Category.objects.filter(parent_id=parent_id, slug=slug)
        if same_address.exclude(pk=category.pk).exists():
            self.warn(f"{where}: another category has its new address; kept as it was.")
            column = "unchanged"
        else:
            category.name, category.slug, category.parent_id = name, slug, parent_id
            category.description = term.description
            category.save()
        self.paths[category.pk] = category.path
        self.imp.ids.save(mapping, Kind.CATEGORY, key[term.slug], category.pk, digest)
        self.report.count(Kind.CATEGORY, column)
        self.categories[term.slug] = category.pk

    def _skip_deleted(self, term: Term, where: str, kind: str) -> None:
        self.warn(f"{where}: {DELETED}.")
        self.report.count(kind, "skipped")
        self.deleted[term.taxonomy].add(term.slug)

    def _name(self, term: Term, where: str, max_length: int) -> str:
        """The term's name as plain text (its slug when it has none), and a warning for each of
        the two that is too long to keep whole."""
        if len(slug_for(term.slug, unicode=True, max_length=10 * max_length)) > max_length:
            self.warn(f"{where}: slug longer than {max_length} characters; shortened.")
        name = plain_text(term.name)
        if len(name) > max_length:
            self.warn(f"{where}: name longer than {max_length} characters; shortened.")
        return name[:max_length] or term.slug[:max_length]

    def _path(self, pk: int) -> str:
        if pk not in self.paths:  # a parent from an earlier import, renamed since
            self.paths[pk] = Category.objects.values_list("path", flat=True).get(pk=pk)
        return self.paths[pk]

    def write_tags(self, terms: list[Term]) -> None:
        key = {
            t.slug: t.wp_id if t.wp_id is not None else stable_id(f"post_tag:{t.slug}")
            for t in terms
        }
        existing = self.imp.ids.lookup(Kind.TAG, key.values())
        names, slugs = {}, {}
        for term in terms:
            # taggit's names and slugs are unique and 100 characters at most
            name = names[term.slug] = plain_text(term.name)[:TAG_LENGTH] or term.slug[:TAG_LENGTH]
            slugs[term.slug] = (
                slug_for(term.slug, unicode=True, max_length=TAG_LENGTH)
                or slug_for(name, unicode=True, max_length=TAG_LENGTH)
                or f"tag-{abs(key[term.slug])}"
            )
        # The tags here already with those slugs or names (both unique): read together, not
        # with two queries per tag.
        by_slug = _tags_by("slug", slugs.values())
        by_name = _tags_by("name", names.values())
        done, created = [], []
        for term in terms:
            where = f"Tag {term.slug!r} (line {term.line})"
            name, slug = names[term.slug], slugs[term.slug]
            self.tag_descriptions += bool(term.description)
            digest = checksum(term.slug, term.name)
            mapping = existing.get(key[term.slug])
            if mapping and mapping.deleted:
                self._skip_deleted(term, where, Kind.TAG)
                continue
            if mapping and mapping.checksum == digest:
                self.report.count(Kind.TAG, "unchanged")
                self.tags[term.slug] = mapping.target_id
                continue
            self._name(term, where, TAG_LENGTH)  # said here, where it is written
            if mapping:
                tag, column = Tag.objects.get(pk=mapping.target_id), "updated"
                others = Tag.objects.exclude(pk=tag.pk)
                if others.filter(name=name).exists() or others.filter(slug=slug).exists():
                    self.warn(f"{where}: another tag has its new name or slug; kept as it was.")
                else:
                    by_slug.pop(tag.slug, None)
                    by_name.pop(tag.name, None)
                    tag.name, tag.slug = name, slug
                    tag.save()
                    by_slug[slug], by_name[name] = tag, tag
            else:
                tag = by_slug.get(slug) or by_name.get(name)
                if tag:
                    self.warn(f"{where}: the tag {tag.name!r} exists already; linked to it.")
                    column = "unchanged"
                else:
                    tag, column = Tag(name=name, slug=slug), "created"
                    by_slug[slug], by_name[name] = tag, tag
                    created.append(tag)
            done.append((term, tag, column, mapping, digest))
        Tag.objects.bulk_create(created)  # a new tag is shown nowhere yet: no page to make stale
        mappings = []
        for term, tag, column, mapping, digest in done:
            self.report.count(Kind.TAG, column)
            if mapping:
                self.imp.ids.save(mapping, Kind.TAG, key[term.slug], tag.pk, digest)
            else:
                mappings.append(self.imp.ids.row(Kind.TAG, key[term.slug], tag.pk, digest))
            self.tags[term.slug] = tag.pk
        self.imp.ids.insert(mappings)

    def for_item(self, item: Item) -> tuple[list[int], list[int]]:
        """The pks of the categories and tags `item` is filed under; terms the export forgot
        to define are added from the item."""
        categories, tags = [], []
        for ref in item.terms:
            taxonomy = ITEM_TAXONOMIES.get(ref.taxonomy)
            if taxonomy is None or not (ref.slug or ref.name):
                continue  # post formats, menus and other taxonomies: not ours
            slug = ref.slug or slugify(ref.name, allow_unicode=True)
            known = self.categories if taxonomy == "category" else self.tags
            if slug in self.deleted[taxonomy]:
                continue  # said once, where the term is skipped
            if slug not in known:
                label = "category" if taxonomy == "category" else "tag"
                self.warn(
                    f"{item.post_type.capitalize()} {item.wp_id} (line {item.line}): its "
                    f"{label} {slug!r} is not among the export's {label}s; added from the post."
                )
                self.write([Term(line=item.line, taxonomy=taxonomy, slug=slug, name=ref.name)])
            pk = known.get(slug)
            target = categories if taxonomy == "category" else tags
            if pk and pk not in target:
                target.append(pk)
        return categories, tags


def _tags_by(field: str, values) -> dict[str, Tag]:
    """The tags whose `field` (slug or name) is among `values`, by that value."""
    found = {}
    for chunk in chunks(sorted(set(values))):
        found.update((getattr(t, field), t) for t in Tag.objects.filter(**{f"{field}__in": chunk}))
    return found
