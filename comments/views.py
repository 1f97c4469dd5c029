from urllib.parse import quote

from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from blog.models import Article, authors_in_byline_order
from blog.views import render_article
from core.client import client_ip
from core.page_cache import token_for_signed_in

from . import avatars, background, following, privacy, services
from .forms import CommentForm, FollowForm, PrivacyRequestForm, sign_form
from .models import Comment, ModerationSettings, Subscription
from .moderation import comments_closed
from .threads import (
    REMEMBER_COOKIES,
    landing_address,
    my_comment_ids,
    page_of,
    remember_comment,
    tell,
)

REMEMBER_SECONDS = 365 * 24 * 3600

# A page drawn for the one person who holds its link (their data, their subscription): kept by
# no cache, shared or the browser's (core/page_cache.py says the same of other personal pages).
_personal = cache_control(private=True, no_store=True)


def _render_article(request, article, form, *, status, error=""):
    """The article page again, with the reader's form as they typed it and what went wrong."""
    # The whole page this time: a stored comment needs only the article's own row.
    articles = Article.objects.select_related("featured_image", "disclaimer", "promotion__image")
    article = articles.prefetch_related(authors_in_byline_order(), "categories", "tags").get(
        pk=article.pk
    )
    form.data = form.data.copy()
    form.data["signature"] = sign_form(article.pk)  # a fresh signature for the next try
    context = {"comment_form": form, "comment_error": error}
    return render_article(request, article, status=status, context=context)


@require_POST
@token_for_signed_in
@background.answer_first
def post_comment(request):
    try:
        return _post_comment(request)
    except DatabaseError:
        # The database is down: no article page can be drawn, but the reader's words are kept.
        response = render(request, "comments/unavailable.html", {"data": request.POST}, status=503)
        response["Retry-After"] = "30"
        return response


def _post_comment(request):
    form = CommentForm(request.POST, user=request.user)
    article_id = form.data.get("article", "")
    if not (str(article_id).isascii() and str(article_id).isdigit()):
        raise Http404(_("No article to comment on."))
    # Only the article's row (not its body): the page around it is drawn only for an error.
    article = get_object_or_404(Article.objects.defer("body"), pk=article_id)
    if not article.is_published:
        raise Http404(_("This article is not available."))
    if not form.is_valid():
        return _render_article(request, article, form, status=400)

    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            error = _("The comment you are replying to is not available.")
            return _render_article(request, article, form, status=400, error=error)
    comment = form.build_comment(article=article, parent=parent)
    comment.author_ip = client_ip(request)
    comment.user_agent = request.headers.get("User-Agent", "")[:1000]
    comment.referrer = request.headers.get("Referer", "")[:1000]
    try:
        services.submit_comment(
            comment=comment,
            honeypot=form.cleaned_data.get("hp_website", ""),
            signed_age=form.signed_age(),
        )
    except services.CommentRefused as refused:
        return _render_article(request, article, form, status=refused.status, error=refused.message)
    except DatabaseError:
        return _render_article(request, article, form, status=503,
                               error=_("We could not save your comment just now. It is kept "
                                       "below: please try again in a moment."))  # fmt: skip

    remember_comment(request, comment)
    # The site's own rules know spam at once: nothing is followed for it. A follow request over
    # the hourly limit is not taken, and the reader is told so on their next page.
    is_spam = comment.status == Comment.Status.SPAM
    if not is_spam and not _follow(request, form, article, email=comment.author_email):
        tell(request, _("Your comment was sent, but we could not take your request to be "
                        "notified by email: this connection has asked to follow discussions "
                        "many times this hour. Please try again later."))  # fmt: skip
    response = redirect(landing_address(article, comment))
    _remember_author(request, response, form)
    return response


def _follow(request, form, article, *, email: str) -> bool:
    """Subscribe as the reader asked; the confirmation email does the rest. False when the
    reader's address asked too often this hour (the comment itself is kept all the same)."""
    kinds = [
        kind
        for kind, field in [
            (Subscription.Kind.REPLIES, "notify_replies"),
            (Subscription.Kind.POSTS, "notify_posts"),
        ]
        if form.cleaned_data.get(field)
    ]
    if not kinds or not email:
        return True
    if following.too_many_requests(client_ip(request)):
        return False
    for kind in kinds:
        following.subscribe(email=email, kind=kind, article=article)
    return True


@require_POST
@token_for_signed_in
@background.answer_first
def follow(request):
    """The follow form: hear of a discussion without commenting."""
    form = FollowForm(request.POST)
    article = None
    if str(form.data.get("article", "")).isdigit():
        article = Article.objects.published().filter(pk=form.data["article"]).first()
    if article is None:
        raise Http404(_("No article to follow."))
    context = {"form": form, "article": article}
    if not form.is_valid():
        # The form again, as the reader filled it in, with what was wrong.
        context.update(state="invalid", offer_replies=not _closed(article))
        return render(request, "comments/following.html", context, status=400)
    if not _follow(request, form, article, email=form.cleaned_data["email"]):
        context["state"] = "too_many"
        return render(request, "comments/following.html", context, status=429)
    return render(request, "comments/following.html", {**context, "state": "asked"})


def _closed(article) -> bool:
    return comments_closed(article, ModerationSettings.load(), timezone.now())


@_personal
def follow_confirm(request, token):
    try:
        subscription = following.confirm(token)
    except following.BadLink:
        return render(request, "comments/following.html", {"state": "bad_link"}, status=400)
    return render(
        request, "comments/following.html", {"subscription": subscription, "state": "confirmed"}
    )


@csrf_exempt  # mail clients post here with no form of ours (RFC 8058); the token is the key
@_personal
def unsubscribe(request, token):
    """One click in the email (GET) or the mail client's own button (POST, RFC 8058)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        subscription = following.unsubscribe(token)
    except following.BadLink:
        return render(request, "comments/following.html", {"state": "bad_link"}, status=400)
    state = "unsubscribed" if subscription else "already_unsubscribed"
    return render(
        request, "comments/following.html", {"subscription": subscription, "state": state}
    )


@background.answer_first
def privacy_request(request):
    """`/your-data/`: ask for a copy of one's data, or for its erasure."""
    form = PrivacyRequestForm(request.POST or None)
    if request.method == "POST":
        if privacy.too_many_requests(client_ip(request)):
            return render(request, "comments/privacy.html", {"form": form, "state": "too_many"},
                          status=429)  # fmt: skip
        if form.is_valid():
            privacy.ask(email=form.cleaned_data["email"], kind=form.cleaned_data["kind"])
            return render(request, "comments/privacy.html", {"state": "asked"})
        return render(request, "comments/privacy.html", {"form": form}, status=400)
    return render(request, "comments/privacy.html", {"form": form})


@_personal
def privacy_confirm(request, token):
    try:
        asked = privacy.confirm(token)
    except privacy.BadLink:
        return render(request, "comments/privacy.html", {"state": "bad_link"}, status=400)
    return render(request, "comments/privacy.html",
                  {"state": "confirmed", "asked": asked, "token": token})  # fmt: skip


@_personal
def privacy_download(request, token, kind):
    """The export, for the owner of a confirmed request: JSON, or HTML to read."""
    if kind not in ("json", "html"):
        raise Http404
    try:
        asked = privacy.request_from(token)
    except privacy.BadLink:
        return render(request, "comments/privacy.html", {"state": "bad_link"}, status=400)
    if asked.kind != asked.Kind.EXPORT or asked.status == asked.Status.UNCONFIRMED:
        return render(request, "comments/privacy.html", {"state": "bad_link"}, status=400)
    data = privacy.personal_data(asked.email)
    if kind == "json":
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response
    return render(request, "comments/privacy_export.html", {"data": data})


def avatar(request, key):
    """An identicon: the same picture for ever for one key, so browsers keep it a year."""
    response = HttpResponse(avatars.identicon_svg(key), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _remember_author(request, response, form):
    """Cookies for the next comment, only when the reader ticked the box."""
    if form.user:
        return
    for name, cookie in REMEMBER_COOKIES.items():
        if form.cleaned_data.get("remember"):
            # Percent-encoded: a header holds Latin-1 only, and a name may be Иван or 李.
            value = quote(form.cleaned_data.get(name) or "", safe="@")
            response.set_cookie(cookie, value, max_age=REMEMBER_SECONDS, samesite="Lax",
                                httponly=True, secure=request.is_secure())  # fmt: skip
        else:
            response.delete_cookie(cookie)


def permalink(request, pk):
    """`/comments/<id>/`: the article page that shows the comment, at its anchor."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    article = comment.article
    visible = comment.status == Comment.Status.APPROVED or comment.pk in my_comment_ids(request)
    if not article.is_published or not visible:
        raise Http404
    page = page_of(article, request, comment.pk) or 1
    query = f"?cpage={page}" if page > 1 else ""
    return redirect(f"{article.get_absolute_url()}{query}#comment-{comment.pk}")
