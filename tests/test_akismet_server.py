"""The fake Akismet server, exercised through the real ``akismet.SyncClient``."""

import time

import akismet
import httpx
import pytest

from tests.akismet_server import AkismetServer

BLOG = "https://broadsheet.example.com/"
IP = "203.0.113.7"


class RewriteTransport(httpx.BaseTransport):
    """Send requests meant for https://rest.akismet.com to the test server instead."""

    def __init__(self, base_url: str) -> None:
        self.base = httpx.URL(base_url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def running_server():
    with AkismetServer() as server:
        yield server


@pytest.fixture
def server(running_server):
    running_server.reset()
    yield running_server
    running_server.reset()


@pytest.fixture
def make_client(server):
    clients = []

    def make(key="test-key", timeout=5.0):
        http = httpx.Client(transport=RewriteTransport(server.url), timeout=timeout)
        clients.append(http)
        return akismet.SyncClient(config=akismet.Config(key=key, url=BLOG), http_client=http)

    yield make
    for http in clients:
        http.close()


@pytest.fixture
def client(make_client):
    return make_client()


def check(client, **kwargs):
    return client.comment_check(IP, comment_type="comment", **kwargs)


# Key verification --------------------------------------------------------------------


def test_verify_key(server, client, make_client):
    assert client.verify_key() is True
    assert client.verify_key(key="invalid-key", url=BLOG) is False
    assert server.received("verify-key")[0] == {"key": "test-key", "blog": BLOG}
    with pytest.raises(akismet.APIKeyError), make_client(key="invalid-key"):
        pass  # entering the client verifies its key


def test_invalid_keys_is_configurable(server, client):
    server.invalid_keys = {"test-key"}
    assert client.verify_key() is False


# Comment check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"comment_author": "Ada", "comment_content": "Nice post."}, akismet.CheckResponse.HAM),
        ({"comment_author": "akismet-guaranteed-spam"}, akismet.CheckResponse.SPAM),
        (
            {"comment_author_email": "akismet-guaranteed-spam@example.com"},
            akismet.CheckResponse.SPAM,
        ),
        ({"comment_author": "akismet-guaranteed-discard"}, akismet.CheckResponse.DISCARD),
        ({"comment_content": "x akismet-discard-trigger x"}, akismet.CheckResponse.DISCARD),
        (
            {"comment_author": "akismet-guaranteed-spam", "user_role": "administrator"},
            akismet.CheckResponse.HAM,
        ),
    ],
)
def test_comment_check_triggers(client, fields, expected):
    assert check(client, **fields) == expected


def test_comment_check_records_payload(server, client):
    check(client, comment_author="Ada", comment_content="Hello", is_test=True)
    [req] = server.requests
    assert (req.version, req.endpoint, req.method) == ("1.1", "comment-check", "POST")
    assert req.form == {
        "api_key": "test-key",
        "blog": BLOG,
        "user_ip": IP,
        "comment_type": "comment",
        "comment_author": "Ada",
        "comment_content": "Hello",
        "is_test": "true",
    }
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"


def test_repeated_fields_are_lists(server, client):
    check(client, comment_context=["politics", "elections"])
    assert server.received("comment-check")[0]["comment_context"] == ["politics", "elections"]
    # PHP-style "name[]" fields are lists even with a single value.
    httpx.post(f"{server.url}/1.1/comment-check", data={"comment_context[]": ["local"]})
    assert server.received("comment-check")[1]["comment_context[]"] == ["local"]


def test_verdict_override(server, client):
    server.verdict_for = lambda form: "spam" if "casino" in form["comment_content"] else None
    assert check(client, comment_content="cheap casino") == akismet.CheckResponse.SPAM
    assert check(client, comment_content="fine") == akismet.CheckResponse.HAM
    server.verdict_for = lambda form: "discard"
    assert check(client, comment_content="fine") == akismet.CheckResponse.DISCARD


# Submissions and the 1.2 API ---------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["submit-spam", "submit-ham"])
def test_submissions_are_recorded(server, client, endpoint):
    submit = client.submit_spam if endpoint == "submit-spam" else client.submit_ham
    assert submit(IP, comment_author="Bob", comment_content="Buy now") is True
    [form] = server.received(endpoint)
    assert form["comment_content"] == "Buy now"
    assert form["api_key"] == "test-key"
    assert form["user_ip"] == IP
    assert server.received("comment-check") == []


def test_usage_limit_and_key_sites(server, client):
    check(client)
    check(client)
    assert client.usage_limit() == {
        "limit": "none",
        "usage": 2,
        "percentage": "0.00",
        "throttled": False,
    }
    assert server.requests[-1].method == "GET"
    assert client.key_sites(month="2025-01")["2025-01"] == []
    assert client.key_sites(result_format="csv").startswith("Active sites")


def test_unknown_endpoint_is_404(server):
    assert httpx.post(f"{server.url}/1.1/nope").status_code == 404
    assert server.requests == []


# Faults ------------------------------------------------------------------------------


def test_delay_applies_to_every_request(server, client):
    server.delay = 0.2
    started = time.monotonic()
    assert client.verify_key() is True
    assert time.monotonic() - started >= 0.2


def test_slow_times_out(server, make_client):
    server.fault = "slow"
    client = make_client(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(akismet.RequestError):
        check(client)
    assert time.monotonic() - started < 2
    server.reset()
    assert check(client) == akismet.CheckResponse.HAM


def test_refused_then_reset_on_same_port(server, client):
    url = server.url
    server.set_fault("refused")
    with pytest.raises(akismet.RequestError) as excinfo:
        check(client)
    assert isinstance(excinfo.value.__cause__, httpx.ConnectError)
    server.reset()
    assert server.url == url
    assert check(client) == akismet.CheckResponse.HAM
    # Clearing the fault directly reopens the listener too.
    server.fault = "refused"
    server.fault = None
    assert client.verify_key() is True


def test_500_is_request_error(server, client):
    server.fault = "500"
    with pytest.raises(akismet.RequestError, match="500"):
        check(client)


def test_garbage_is_protocol_error(server, client):
    server.fault = "garbage"
    with pytest.raises(akismet.ProtocolError):
        check(client)
    with pytest.raises(akismet.ProtocolError):
        client.verify_key()


def test_invalid_key_fault(server, client):
    server.fault = "invalid_key"
    assert client.verify_key() is False
    with pytest.raises(akismet.APIKeyError):
        check(client)
    with pytest.raises(akismet.APIKeyError):
        client.submit_spam(IP, comment_content="x")
    raw = httpx.post(f"{server.url}/1.1/comment-check", data={"api_key": "k", "blog": BLOG})
    assert raw.text == "invalid"
    assert raw.headers["X-akismet-debug-help"]


def test_invalid_key_without_fault(make_client):
    with pytest.raises(akismet.APIKeyError):
        check(make_client(key="invalid-key"))


def test_unknown_fault_rejected(server):
    with pytest.raises(ValueError):
        server.fault = "meteor"
