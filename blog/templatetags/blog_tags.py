"""Template tags for the reading pages: structured data, responsive pictures, bylines and
article lists (drawn by Jinja2, config/jinja2.py), pagination."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog import figures
from blog.images import picture_context
from core import caching
from core.page_cache import reader_query

register = template.Library()

# The escapes django.utils.html.json_script uses: inside the <script> element no "<", ">" or
# "&" is left, so neither "</script>" nor "<!--" in an article's text can end the data block.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def absolute_url(url):
    """`url` with SITE_URL in front, unless it already names its scheme and host."""
    url = str(url or "")
    if not url or url.startswith(("http://", "https://", "//")):
        return url
    return f"{settings.SITE_URL}/{url.lstrip('/')}"


@register.simple_tag
def rendition_url(image, size="large", kind="fallback"):
    """The URL of one rendition of `image` (the original when that size is missing)."""
    return image.rendition_url(size, kind) if image else ""


def _display_name(user):
    return user.get_full_name() or user.get_username()


def blog_posting(article):
    """The schema.org BlogPosting for `article`, as a dict ready for JSON.

    Uses only what the article page fetches up front: authors and tags prefetched, the
    featured image joined.
    """
    url = absolute_url(article.get_absolute_url())
    if article.byline:
        authors = [{"@type": "Person", "name": article.byline}]
    else:
        authors = [
            {
                "@type": "Person",
                "name": _display_name(author),
                "url": absolute_url(
                    reverse("blog:author", kwargs={"username": author.get_username()})
                ),
            }
            for author in article.authors_in_order
        ]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": article.seo_description or article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "author": authors,
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL,
        },
    }
    if article.featured_image:
        data["image"] = [absolute_url(article.featured_image.rendition_url("large"))]
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    return {key: value for key, value in data.items() if value not in (None, "", [])}


@register.simple_tag
def json_ld(article):
    """`<script type="application/ld+json">` describing `article` for search engines."""
    data = json.dumps(blog_posting(article), cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(data.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.simple_tag
def picture(image, sizes="100vw", size="large", loading="lazy", css_class=""):
    """A `<picture>` of `image`: see blog.images.picture_context."""
    context = picture_context(image, sizes=sizes, size=size, loading=loading, css_class=css_class)
    return _jinja("blog/_picture.jinja", context)


@register.simple_tag
def byline(article, link_authors=True):
    """The byline of `article`: its authors (or byline text) and date."""
    return _jinja("blog/_byline.jinja", {"article": article, "link_authors": link_authors})


@register.simple_tag(takes_context=True)
def article_list(context, lead_story=False, empty_message=""):
    """The list of a list page (blog/_article_list.jinja) and its pagination, cached until the
    list or what every page shows changes (the view gives `list_version`)."""
    request = context["request"]
    names = ("articles", "page_obj", "paginator", "is_paginated")
    values = {name: context.get(name) for name in names}
    return caching.cached(
        ("list", request.path, reader_query(request), context["list_version"], lead_story),
        lambda: _jinja(
            "blog/_article_list.jinja",
            {
                **values,
                "request": request,
                "lead_story": lead_story,
                "empty_message": empty_message,
            },
        ),  # fmt: skip
        depends_on=(),
    )


def _jinja(name, context):
    """A Jinja2 template (config/jinja2.py) drawn as safe HTML for a Django template."""
    return mark_safe(render_to_string(name, context, using="jinja2"))


@register.filter
def reader_html(body):
    """An article or page body as readers get it: see blog.figures.reader_html."""
    return figures.reader_html(body)


def page_url(request, number):
    """The URL of page `number` of the list being shown, keeping the query it reads (`s`).

    Page 1 is the list's own address (no `page/1/`), so every page has one URL.
    """
    match = request.resolver_match
    kwargs = {key: value for key, value in match.kwargs.items() if key != "page"}
    number = int(number)
    if number > 1:
        kwargs["page"] = number
    url = reverse(match.view_name, kwargs=kwargs)
    query = reader_query(request, without={"page"})  # not the tracking parameters it came with
    return f"{url}?{query}" if query else url


def page_numbers(page_obj, on_each_side=2, on_ends=1):
    """Page numbers around the current one, with `Paginator.ELLIPSIS` in the gaps."""
    return page_obj.paginator.get_elided_page_range(
        page_obj.number, on_each_side=on_each_side, on_ends=on_ends
    )
