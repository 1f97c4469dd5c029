import importlib

import pytest
from django.apps import apps

from comments.models import Comment
from tests.comments.conftest import make_comment

migration = importlib.import_module("comments.migrations.0008_only_web_addresses_as_websites")


@pytest.mark.django_db
def test_websites_stored_before_they_were_checked_are_emptied(article):
    urls = ["javascript:alert(1)", "DATA:text/html,x", "HTTPS://ok.example/", "http://ok.example/"]
    for url in urls:
        make_comment(article, author_url=url)

    migration.forget_other_schemes(apps, None)

    kept = sorted(Comment.objects.values_list("author_url", flat=True))
    assert kept == ["", "", "HTTPS://ok.example/", "http://ok.example/"]
