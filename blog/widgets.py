from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

# What the body editor can make. Every tag it writes is one blog/rendering.py keeps
# (tests/blog/test_editor_html.py proves it), so the sanitiser stays the one authority.
BODY_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Code": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    # Links carry the rel the sanitiser gives every link, so what is saved is what was written.
    "Link": {
        "enableTarget": False,
        "protocols": ["http", "https", "mailto", "tel"],
        "HTMLAttributes": {"rel": "noopener noreferrer"},
    },
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Figure": {"pickerUrl": "picker"},  # replaced with the real address in BodyEditorWidget
    "Caption": True,
    "Image": True,
    "History": True,
    "HTML": True,
    "SpecialCharacters": True,
    "Fullscreen": True,
}


class BodyEditorWidget(AdminProseEditorWidget):
    """The article and page body editor: django-prose-editor (ProseMirror/Tiptap), served from
    our own static files, with the image library as the figure picker and
    blog/static/blog/editor.js for uploads by paste and drop, autosave and the word count."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, preset="configurable", **kwargs)

    def get_config(self):
        extensions = dict(BODY_EXTENSIONS)
        extensions["Figure"] = {"pickerUrl": reverse("admin:blog_image_picker")}
        self.config = {"extensions": extensions}
        return super().get_config()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-upload-url"] = reverse("admin:blog_image_upload")
        return context

    @property
    def media(self):
        return super().media + forms.Media(js=["blog/editor.js"], css={"all": ["blog/editor.css"]})


class AuthorsWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete for bylines: asks our own list of staff who write, so Editors
    need no permission to browse user accounts, and shows the chosen authors in byline order."""

    def get_url(self):
        return reverse("admin:blog_article_authors")

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {**super().build_attrs(base_attrs, extra_attrs), "data-byline": ""}

    @property
    def media(self):
        return super().media + forms.Media(js=["blog/byline.js"])

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        order = {str(v): index for index, v in enumerate(value)}
        options = groups[0][1]
        options.sort(key=lambda option: order.get(str(option["value"]), len(order)))
        for index, option in enumerate(options):
            option["index"] = str(index)
        return groups


AUTHORS_HELP = _(
    "Shown in the byline in this order. To reorder, remove an author and add them again."
)
