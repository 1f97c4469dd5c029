"""Readers sign in to comment with an account they already have (an OpenID Connect or OAuth 2
provider, through django-allauth) or with a one-time link by email. Reader accounts have no
password and never staff access, and none is ever made or joined by surprise with a staff
member's address: staff sign in at /admin/ with their password.
"""

import hashlib
import io
import logging
import secrets
from urllib.parse import urlencode, urlsplit

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from PIL import Image as PILImage
from PIL import ImageOps

from blog.text import clean_line
from core.client import client_ip
from core.limits import over_limit

from . import background
from .models import MAX_EMAIL, MAX_NAME, ReaderPicture, normalise_email

SALT = "comments.email-link"
logger = logging.getLogger(__name__)


def is_staff_address(email: str) -> bool:
    """Whether a staff account (or a superuser) has this address, as its own or as one of its
    allauth addresses."""
    return (
        bool(email)
        and get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email))
        .exists()
    )


def _refuse_staff_address(request):
    raise ImmediateHttpResponse(
        render(request, "comments/signin.html", {"state": "staff_address"}, status=403)
    )


class ReaderAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # no passwords for readers: a provider, or a link by email

    def pre_login(self, request, user, **kwargs):
        # allauth serves readers only (SOCIALACCOUNT_ONLY): should any of its doors sign in a
        # staff account, this one still refuses. Staff sign in at /admin/ with their password.
        if user.is_staff or user.is_superuser:
            return render(request, "comments/signin.html", {"state": "staff_address"}, status=403)
        return super().pre_login(request, user, **kwargs)


class ReaderSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        user = sociallogin.user
        if user.pk and (user.is_staff or user.is_superuser):
            _refuse_staff_address(request)
        emails = [user.email, *(address.email for address in sociallogin.email_addresses)]
        if not sociallogin.is_existing and any(is_staff_address(e) for e in emails if e):
            _refuse_staff_address(request)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        store_picture(user, picture_url(sociallogin.account.extra_data))
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.is_staff = user.is_superuser = False
        return user


def sign_in_options(next_url: str) -> list[tuple[str, str]]:
    """(label, address) of each configured provider, from the settings alone (no query: the
    comment form of every article shows them)."""
    query = urlencode({"process": "login", "next": next_url})
    options = []
    providers = settings.SOCIALACCOUNT_PROVIDERS
    for app in providers.get("openid_connect", {}).get("APPS", []):
        url = reverse("openid_connect_login", kwargs={"provider_id": app["provider_id"]})
        options.append((app["name"], f"{url}?{query}"))
    for name, label in [("github", "GitHub"), ("google", "Google"), ("facebook", "Facebook")]:
        if providers.get(name, {}).get("APPS"):
            options.append((label, f"{reverse(f'{name}_login')}?{query}"))
    return options


FIXED_ORIGINS = {
    "github": "https://github.com",
    "google": "https://accounts.google.com",
    "facebook": "https://www.facebook.com",
}


def provider_origins() -> list[str]:
    """Where the sign-in pages may send a reader: each configured provider's origin."""
    providers = settings.SOCIALACCOUNT_PROVIDERS
    origins = [
        "{0.scheme}://{0.netloc}".format(urlsplit(app["settings"]["server_url"]))
        for app in providers.get("openid_connect", {}).get("APPS", [])
    ]
    origins += [origin for name, origin in FIXED_ORIGINS.items() if providers.get(name)]
    return origins


class SignInPagesMiddleware:
    """Two things the sign-in pages (/accounts/) need. Their forms lead to the reader's
    provider: the Content Security Policy's form-action allows those origins there, and nowhere
    else. And a provider that cannot be reached is a clear page, not an error 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/accounts/"):
            origins = provider_origins()
            if origins:
                response._csp_update = {"form-action": origins}
        return response

    def process_exception(self, request, exception):
        if request.path.startswith("/accounts/") and isinstance(
            exception, requests.RequestException
        ):
            logger.warning("Sign-in provider unreachable: %s", exception)
            context = {"auth_error": {"code": "unreachable"}}
            return render(request, "socialaccount/authentication_error.html", context, status=502)
        return None


PICTURE_MAX_BYTES = 2_000_000
PICTURE_SIZE = 96


def picture_url(extra_data: dict) -> str:
    """The picture a provider gives (OpenID Connect's `picture`, GitHub's `avatar_url`, …)."""
    data = extra_data.get("userinfo", extra_data) if isinstance(extra_data, dict) else {}
    for key in ("picture", "avatar_url"):
        value = data.get(key) or extra_data.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return ""


def store_picture(user, url: str) -> bool:
    """Fetch the reader's picture once and keep it here, square and without metadata, so pages
    never send readers' browsers to the provider. False (and nothing kept) if it fails."""
    if not url:
        return False
    try:
        with requests.get(url, timeout=5, stream=True) as response:
            response.raise_for_status()
            data = response.raw.read(PICTURE_MAX_BYTES + 1, decode_content=True)
        if len(data) > PICTURE_MAX_BYTES:
            raise ValueError("picture too large")
        with PILImage.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > 40_000_000:
                raise ValueError("picture too large")
            square = ImageOps.fit(picture.convert("RGB"), (PICTURE_SIZE, PICTURE_SIZE))
        buffer = io.BytesIO()
        square.save(buffer, "PNG", optimize=True)
    except (requests.RequestException, OSError, ValueError) as exc:
        logger.info("No picture kept for reader %s: %s", user.pk, exc)
        return False
    kept, _created = ReaderPicture.objects.get_or_create(user=user)
    kept.file.save(f"{secrets.token_hex(8)}.png", ContentFile(buffer.getvalue()), save=False)
    kept.fetched_at = timezone.now()
    kept.save()
    return True


def provider_name(user) -> str:
    """How a signed-in reader signed in: their provider's name, or "email"."""
    account = user.socialaccount_set.first() if user.is_authenticated else None
    if account is None:
        return _("email")
    try:
        return account.get_provider().name
    except Exception:  # a provider since removed from the settings
        return account.provider


# A one-time link by email --------------------------------------------------------------------


class EmailLinkForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=MAX_EMAIL)
    name = forms.CharField(
        label=gettext_lazy("Your name, as shown with your comments"),
        max_length=MAX_NAME,
        required=False,
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name in ("email", "name"):
                if isinstance(data.get(name), str):
                    data[name] = clean_line(data[name])
        super().__init__(data, *args, **kwargs)


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=False):
        return value
    return "/"


@background.answer_first
def email_link(request):
    """Ask for a one-time sign-in link by email. Every valid address gets the same page at the
    same speed; the link is sent (or, to a staff address, not) after the response."""
    form = EmailLinkForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method != "POST":
        return render(request, "comments/signin.html", {"form": form})
    limit = settings.FOLLOW_REQUESTS_PER_HOUR
    if over_limit("email-link", client_ip(request), limit=limit, seconds=3600):
        return render(request, "comments/signin.html", {"form": form, "state": "too_many"},
                      status=429)  # fmt: skip
    if not form.is_valid():
        return render(request, "comments/signin.html", {"form": form}, status=400)
    background.enqueue(  # nothing written here: no commit to wait for
        send_sign_in_link,
        normalise_email(form.cleaned_data["email"]),
        form.cleaned_data["name"],
        _safe_next(request, form.cleaned_data["next"]),
    )
    return render(request, "comments/signin.html", {"state": "sent"})


@task()
def send_sign_in_link(email: str, name: str, next_url: str) -> bool:
    """Email a one-time sign-in link, unless the address is a staff member's (staff sign in at
    /admin/). Returns whether an email was sent."""
    if is_staff_address(email):
        return False
    token = signing.dumps({"e": email, "n": name, "x": next_url}, salt=SALT, compress=True)
    link = settings.SITE_URL + reverse("comments:email_link_signin", kwargs={"token": token})
    send_mail(
        _("[%(site)s] Your sign-in link") % {"site": settings.SITE_NAME},
        _(
            "Follow this link to sign in to %(site)s and comment. It works once, for "
            "%(minutes)d minutes:\n\n%(link)s\n\nIf you did not ask for it, ignore this email."
        )
        % {"site": settings.SITE_NAME, "minutes": settings.EMAIL_LINK_MINUTES, "link": link},
        None,
        [email],
    )
    return True


def account_proven_by(email: str):
    """The active reader account whose owner proved `email`, or None: one with that address
    verified (allauth's EmailAddress), or an account a link made before those were recorded
    (no password, no provider, no address on record but the one it was made with). An address
    someone only typed into their account never leads there."""
    readers = get_user_model().objects.filter(is_active=True, is_staff=False, is_superuser=False)
    verified = readers.filter(emailaddress__email__iexact=email, emailaddress__verified=True)
    made_by_link = readers.filter(
        email__iexact=email,
        password__startswith="!",  # unusable: no one ever set a password
        emailaddress__isnull=True,
        socialaccount__isnull=True,
    )
    return verified.order_by("pk").first() or made_by_link.order_by("pk").first()


def _record_proven_address(user, email: str) -> None:
    """Keep `email` as verified on `user`: its owner just followed the link sent to it."""
    try:
        with transaction.atomic():
            address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
            if address is None:
                primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=primary)
            elif not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
    except IntegrityError:  # verified on an account no longer active; this one signs in anyway
        logger.warning("Address of reader %s not recorded as verified", user.pk)


def email_link_signin(request, token):
    """The link from the email: a page with one button (mail scanners only GET), which signs in."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_LINK_MINUTES * 60)
    except (signing.BadSignature, ValueError, TypeError):
        return render(request, "comments/signin.html", {"state": "bad_link"}, status=400)
    if request.method != "POST":
        return render(request, "comments/signin.html", {"state": "confirm", "email": data["e"]})
    used = f"email-link:used:{hashlib.sha256(token.encode()).hexdigest()}"
    if not cache.add(used, 1, timeout=settings.EMAIL_LINK_MINUTES * 60 + 60):
        return render(request, "comments/signin.html", {"state": "used"}, status=400)
    email = normalise_email(data["e"])
    if is_staff_address(email):
        return render(request, "comments/signin.html", {"state": "staff_address"}, status=403)
    user = account_proven_by(email)
    if user is None:
        user = get_user_model().objects.create_user(
            username=f"reader-{secrets.token_hex(5)}",
            email=email,
            first_name=data.get("n") or email.split("@")[0],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    _record_proven_address(user, email)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(data.get("x") or "/")
