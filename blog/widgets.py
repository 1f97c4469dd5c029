from django import forms


class RichTextWidget(forms.Textarea):
    """A textarea that blog/static/blog/editor.js turns into a WYSIWYG editor.

    The editor's script and styles are our own static files: no CDN. Without JavaScript the
    editor is a plain HTML textarea, and the sanitiser judges what is saved either way.
    """

    template_name = "blog/widgets/rich_text.html"

    class Media:
        css = {"all": ["blog/editor.css"]}
        js = ["blog/editor.js"]
