"""The comment form: validation only, no I/O."""

import datetime
import time
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core import signing
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from blog.text import clean_line, clean_text

from .models import MAX_CONTENT, MAX_EMAIL, MAX_NAME, MAX_URL, Comment

SIGNER_SALT = "comments.form"


def sign_form(article_pk: int) -> str:
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(article_pk))


def is_linkable_host(url: str) -> bool:
    """Whether a browser can follow `url`'s host: ASCII (Django's validator checked it), or an
    internationalised name that maps (NFKC) to letters, marks, digits, hyphens and dots.

    Django's URLValidator takes nearly any character in an internationalised host, so
    `https://´µ.org/` (a space, once mapped) would be stored and linked.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.isascii():
        return True
    return all(
        ch in "-." or ch.isalnum() or unicodedata.category(ch).startswith("M")
        for ch in unicodedata.normalize("NFKC", host)
    )


class WebAddressValidator(URLValidator):
    """Django's, and no backslash: browsers read it as "/", so the link would reach a host other
    than the one the address names and moderators are shown."""

    def __call__(self, value):
        if "\\" in str(value):
            raise forms.ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


class WebsiteField(forms.URLField):
    """A web address: http or https only, checked once (URLField's own validator, which also
    allows ftp, would add its "Enter a valid URL." to ours)."""

    default_validators = [WebAddressValidator(schemes=["http", "https"])]


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    email = forms.EmailField(label=_("Email"), max_length=MAX_EMAIL)
    url = WebsiteField(
        label=_("Website"), max_length=MAX_URL, required=False, assume_scheme="https"
    )
    content = forms.CharField(
        label=_("Comment"),
        max_length=MAX_CONTENT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45, "maxlength": MAX_CONTENT}),
    )
    remember = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
    )
    notify_replies = forms.BooleanField(
        label=_("Notify me of follow-up comments by email."), required=False
    )
    notify_posts = forms.BooleanField(label=_("Notify me of new posts by email."), required=False)
    article = forms.IntegerField(widget=forms.HiddenInput)
    parent = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        # A hidden field only a tampered form gets wrong: said as a missing comment is.
        error_messages={"invalid": _("The comment you are replying to is not available.")},
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    # A field people never see and bots fill in.
    hp_website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),  # fmt: skip
    )

    # Normalised at the door (blog/text.py), before validation: what is stored, and what the
    # form shows again after an error, holds no control character and no line break in a line.
    ONE_LINE = ("name", "email", "url", "hp_website")
    PARAGRAPHS = ("content",)

    def __init__(self, data=None, *args, user=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name in self.ONE_LINE + self.PARAGRAPHS:
                if isinstance(data.get(name), str):
                    clean = clean_line if name in self.ONE_LINE else clean_text
                    data[name] = clean(data[name])
        super().__init__(data, *args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user:
            # Signed-in readers comment as themselves.
            for name in ("name", "email"):
                self.fields[name].required = False
                self.fields[name].widget = forms.HiddenInput()

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not is_linkable_host(url):
            raise forms.ValidationError(
                self.fields["url"].error_messages["invalid"], code="invalid"
            )
        return url

    def clean_content(self):
        content = self.cleaned_data["content"]
        if not content.strip():
            raise forms.ValidationError(_("Please type your comment."), code="required")
        return content

    def signed_age(self) -> datetime.timedelta | None:
        """How long ago the form was signed; None when the signature is missing or forged."""
        signer = signing.TimestampSigner(salt=SIGNER_SALT)
        signed = self.cleaned_data.get("signature") or ""
        try:
            value = signer.unsign(signed)
        except signing.BadSignature:
            return None
        if value != str(self.cleaned_data.get("article")):
            return None
        # A TimestampSigner value reads "<value>:<timestamp>:<signature>".
        signed_at = signing.b62_decode(signed.rsplit(signer.sep, 2)[1])
        return datetime.timedelta(seconds=time.time() - signed_at)

    def author(self) -> dict:
        if self.user:
            return {
                "author_name": self.user.get_full_name() or self.user.get_username(),
                "author_email": self.user.email,
                "user": self.user,
            }
        return {
            "author_name": self.cleaned_data["name"].strip(),
            "author_email": self.cleaned_data["email"],
        }

    def build_comment(self, *, article, parent) -> Comment:
        return Comment(
            article=article,
            parent=parent,
            author_url=self.cleaned_data.get("url", ""),
            content=self.cleaned_data["content"],
            **self.author(),
        )


class FollowForm(forms.Form):
    """Follow a discussion without commenting: an address and what to hear of."""

    email = forms.EmailField(label=_("Email"), max_length=MAX_EMAIL)
    article = forms.IntegerField(widget=forms.HiddenInput)
    notify_replies = forms.BooleanField(
        label=_("Notify me of follow-up comments by email."), required=False
    )
    notify_posts = forms.BooleanField(label=_("Notify me of new posts by email."), required=False)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            if isinstance(data.get("email"), str):
                data["email"] = clean_line(data["email"])
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("notify_replies") or cleaned.get("notify_posts")):
            raise forms.ValidationError(
                _("Tick what you would like to hear of: follow-up comments, new posts or both."),
                code="nothing",
            )
        return cleaned


class PrivacyRequestForm(forms.Form):
    """Ask for one's data, or for it to be erased, by email address."""

    email = forms.EmailField(label=_("Your email address"), max_length=MAX_EMAIL)
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=[
            ("export", _("A copy of everything the site holds under this address")),
            ("erase", _("Erase it: comments anonymised, subscriptions and accounts deleted")),
        ],
        widget=forms.RadioSelect,
        initial="export",
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            if isinstance(data.get("email"), str):
                data["email"] = clean_line(data["email"])
        super().__init__(data, *args, **kwargs)
