"""The reader's address: the peer's own, or the one a trusted proxy received the request from."""

import ipaddress

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from comments.models import ModerationSettings
from core.client import client_ip
from tests.comments.conftest import form_data
from tests.factories import make_article, make_user

NGINX = "127.0.0.1"


def address(remote_addr, forwarded=None, trusted=()):
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXIES=list(trusted)):
        return client_ip(request)


def test_without_trusted_proxies_a_forged_header_is_ignored():
    assert address("203.0.113.7", "6.6.6.6") == "203.0.113.7"


def test_behind_the_trusted_proxy_the_reader_is_the_address_it_received_from():
    assert address(NGINX, "198.51.100.4", trusted=[NGINX]) == "198.51.100.4"


def test_what_the_client_wrote_before_the_proxy_is_not_believed():
    # The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the address it saw.
    assert address(NGINX, "6.6.6.6, 198.51.100.4", trusted=[NGINX]) == "198.51.100.4"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    chain = "6.6.6.6, 198.51.100.4, 10.0.0.2"
    assert address(NGINX, chain, trusted=[NGINX, "10.0.0.0/8"]) == "198.51.100.4"


def test_a_trusted_proxy_without_a_header_is_the_client():
    assert address(NGINX, trusted=[NGINX]) == NGINX


def test_ipv6_and_mapped_ipv4_addresses():
    assert address("::1", "2001:db8::5", trusted=["::1"]) == "2001:db8::5"
    assert address("::ffff:192.0.2.9") == "192.0.2.9"


@given(header=st.text(max_size=60), peer=st.sampled_from(["127.0.0.1", "192.0.2.1", "junk"]))
def test_any_header_gives_an_address_or_none_never_an_error(header, peer):
    found = address(peer, header, trusted=[NGINX])
    assert found is None or ipaddress.ip_address(found)
    assert (found is None) == (peer == "junk")


@pytest.mark.django_db
def test_sign_in_failures_from_one_reader_do_not_lock_out_another(client, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    make_user("desk", is_staff=True, password="right-password-1")
    cache.clear()

    def sign_in(password, reader):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "someone-else", "password": password},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR=reader,
        )

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in("wrong", "198.51.100.66")
    locked = sign_in("wrong", "198.51.100.66")
    assert "Too many failed sign-in attempts" in locked.content.decode()

    other = client.post(
        "/admin/login/?next=/admin/",
        {"username": "desk", "password": "right-password-1"},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="198.51.100.67",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_akismet_and_flood_control_see_each_reader_behind_the_proxy(
    client, akismet, settings, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXIES = [NGINX]
    article = make_article("Behind nginx")
    ModerationSettings.load()

    def post(reader, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/comments/post/",
                form_data(article, email=email, content=f"From {reader}."),
                REMOTE_ADDR=NGINX,
                HTTP_X_FORWARDED_FOR=reader,
                HTTP_ORIGIN="http://testserver",
            )

    assert post("198.51.100.1", "one@example.com").status_code == 302
    assert post("198.51.100.2", "two@example.com").status_code == 302
    assert post("198.51.100.1", "three@example.com").status_code == 429  # the same reader

    sent = [form["user_ip"] for form in akismet.received("comment-check")]
    assert sent == ["198.51.100.1", "198.51.100.2"]
