"""WordPress authors → users in the Editors group, who reset their password to sign in.

An import never changes an account it did not create. An author whose login is the username
of an existing account is taken to be its owner only when the two email addresses match too:
their posts and comments are credited to that account, and its name, email, password, groups
and permissions are left as they are, on this import and every later one. When the emails
differ (or either is missing) they may be two people, and the site's `admin` must not be
credited with a stranger's posts: the author gets a new account of their own, `<login>-wp`
(`<login>-wp2`, … when that is taken too). Both cases are reported. An account the import
created is updated from a later export only until someone signs in with it; one deleted here
is not made again, and the author's posts go to --default-author, or to no one.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blog.text import clean_line

from .mapping import DELETED, Kind, checksum, stable_id
from .parser import Author, Comment, Item

# What WordPress allows in a login (sanitize_user, strict): anything else is a slip.
NOT_IN_LOGINS = re.compile(r"[^\w .@-]")
# The checksum recorded for an author mapped to an account that existed before the import.
ADOPTED = "existing-account"
# Django's User: username, first and last name, email.
MAX_LOGIN, MAX_NAME, MAX_EMAIL = 150, 150, 254


class AuthorWriter:
    def __init__(self, importer):
        self.imp = importer
        self.report = importer.report
        self.warn = importer.warn
        self.by_login: dict[str, int | None] = {}  # login → user pk (None: no one)
        self.by_wp_id: dict[int, int] = {}
        self.by_email: dict[str, int] = {}
        self.deleted: set[str] = set()  # logins of authors whose account was deleted here

    def write(self, authors: list[Author]) -> None:
        User = get_user_model()
        key = {id(a): a.wp_id if a.wp_id is not None else stable_id(a.login) for a in authors}
        existing = self.imp.ids.lookup(Kind.AUTHOR, key.values())
        editors = Group.objects.filter(name="Editors").first()
        for author in authors:
            if not author.login:
                self.warn(f"Line {author.line}: an author without a login; skipped.")
                self.report.count(Kind.AUTHOR, "skipped")
                continue
            where = f"Author {author.login!r} (line {author.line})"
            mapping = existing.get(key[id(author)])
            if mapping and mapping.deleted:
                self.warn(f"{where}: {DELETED}.")
                self.report.count(Kind.AUTHOR, "skipped")
                self.deleted.add(author.login)
                continue
            values, notes = _account_values(author)
            digest = checksum(author.login, *values.values())
            if mapping:
                user_pk = mapping.target_id
                ours = User.objects.filter(pk=user_pk, last_login=None, is_superuser=False)
                if mapping.checksum in (digest, ADOPTED):
                    self.report.count(Kind.AUTHOR, "unchanged")
                elif ours.update(**values):
                    self._say(where, notes)
                    self.imp.ids.save(mapping, Kind.AUTHOR, key[id(author)], user_pk, digest)
                    self.report.count(Kind.AUTHOR, "updated")
                else:
                    self.warn(
                        f"Author {author.login!r} (line {author.line}): changed in the export, "
                        "but their account is in use here; its name and email were left as "
                        "they are."
                    )
                    self.report.count(Kind.AUTHOR, "unchanged")
            else:
                username = author.login[:MAX_LOGIN]
                if len(author.login) > MAX_LOGIN:
                    notes.insert(0, f"login longer than {MAX_LOGIN} characters; shortened")
                self._say(where, notes)
                user = User.objects.filter(username=username).first()
                if user and _same_address(user.email, values["email"]):
                    self.warn(
                        f"{where} matches the existing account {username!r}{_role(user)} by "
                        "username and email: their posts and comments are credited to it; "
                        "its name, email, password and permissions were left unchanged."
                    )
                    self.report.count(Kind.AUTHOR, "unchanged")
                    digest = ADOPTED
                else:
                    if user:
                        username = _free_username(User, f"{username[: MAX_LOGIN - 10]}-wp")
                        self.warn(
                            f"{where} has the username of the existing account "
                            f"{user.get_username()!r}{_role(user)} but not its email address, "
                            f"so may be someone else: their posts and comments are credited to "
                            f"a new account, {username!r}. {user.get_username()!r} was left "
                            "unchanged."
                        )
                    user = User(username=username, is_staff=True, **values)
                    user.set_unusable_password()
                    user.save()
                    if editors:
                        user.groups.add(editors)
                    self.report.count(Kind.AUTHOR, "created")
                user_pk = user.pk
                self.imp.ids.save(None, Kind.AUTHOR, key[id(author)], user_pk, digest)
            self.by_login[author.login] = user_pk
            if author.wp_id is not None:
                self.by_wp_id[author.wp_id] = user_pk
            if author.email:
                self.by_email.setdefault(author.email.lower(), user_pk)

    def _say(self, where: str, notes: list[str]) -> None:
        for note in notes:
            self.warn(f"{where}: {note}.")

    def for_item(self, item: Item) -> int | None:
        """The user who wrote `item`: its author, else --default-author, else a new user; an
        author deleted here is not made again: --default-author, else no one."""
        login = item.creator.strip()
        if login in self.by_login:
            return self.by_login[login]
        where = f"{item.post_type.capitalize()} {item.wp_id} (line {item.line})"
        if login in self.deleted:
            return self._instead_of_deleted(login, where)
        clean = NOT_IN_LOGINS.sub("", login)
        if clean != login and clean in self.by_login:
            self.warn(f"{where}: its author {login!r} is taken as {clean!r}.")
            self.by_login[login] = self.by_login[clean]
            return self.by_login[login]
        default = self.imp.default_author
        if default is not None:
            if login:
                self.warn(
                    f"{where}: its author {login!r} is not among the export's authors; "
                    f"given to {default.get_username()}."
                )
            self.by_login[login] = default.pk
            return default.pk
        if not login:
            self.warn(f"{where}: no author, and no --default-author given.")
            return None
        self.warn(
            f"{where}: its author {login!r} is not among the export's authors; "
            "a user is created for them."
        )
        self.write([Author(line=item.line, login=login)])
        if login in self.deleted:
            return self._instead_of_deleted(login, where)
        return self.by_login[login]

    def _instead_of_deleted(self, login: str, where: str) -> int | None:
        """--default-author, or no one, for the posts of an author deleted here (said once)."""
        default = self.imp.default_author
        if default is not None:
            self.warn(
                f"{where}: its author {login!r} was deleted here; given to "
                f"{default.get_username()}, as are their other posts."
            )
        else:
            self.warn(
                f"{where}: its author {login!r} was deleted here, and no --default-author "
                "given; imported without an author, as are their other posts."
            )
        self.by_login[login] = default.pk if default is not None else None
        return self.by_login[login]

    def for_comment(self, comment: Comment, email: str) -> int | None:
        """The user a comment was written by, when they were signed in on WordPress."""
        if not comment.user_id:
            return None
        # WordPress.com exports carry no author IDs: the email is the link then.
        return self.by_wp_id.get(comment.user_id) or self.by_email.get(email.lower())


def _account_values(author: Author) -> tuple[dict[str, str], list[str]]:
    """The account's email and names, and a note for each value shortened or left out."""
    first, last = clean_line(author.first_name), clean_line(author.last_name)
    if not (first or last) and author.display_name not in ("", author.login):
        first = clean_line(author.display_name)  # our users have no display name
    email, notes = clean_line(author.email).strip(), []
    if len(email) > MAX_EMAIL:
        notes.append(f"email address longer than {MAX_EMAIL} characters; left out")
        email = ""
    for label, name in (("first name", first), ("last name", last)):
        if len(name) > MAX_NAME:
            notes.append(f"{label} longer than {MAX_NAME} characters; shortened")
    values = {"email": email, "first_name": first[:MAX_NAME], "last_name": last[:MAX_NAME]}
    return values, notes


def _same_address(ours: str, theirs: str) -> bool:
    """Whether two email addresses are one mailbox; a missing one matches nothing."""
    return bool(ours) and ours.strip().casefold() == theirs.strip().casefold()


def _role(user) -> str:
    if user.is_superuser:
        return " (superuser)"
    return " (staff)" if user.is_staff else ""


def _free_username(User, wanted: str) -> str:
    """`wanted`, or `wanted2`, `wanted3`, … : the first no account has."""
    taken = set(User.objects.filter(username__startswith=wanted).values_list("username", flat=True))
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}{n}"
    return candidate
