"""Polite fetching: a local http.server on 127.0.0.1 (no outside network) serves pages, a
feed and robots.txt; every failure is a coded error naming the URL."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rumormill.errors import Errors, InputError
from rumormill.ingest.fetch import USER_AGENT, Fetcher
from rumormill.ingest.sources import Options, read_items
from tests.test_feeds import rss
from tests.test_html import page

DATED_PAGE = page('<meta property="article:published_time" content="2021-03-04">').encode()
ROBOTS = b"User-agent: *\nDisallow: /private\n"


@dataclass
class Site:
    """What the server answers, by path: (status, headers, body); and what it was asked."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    asked: Counter[str] = field(default_factory=Counter)
    agents: list[str] = field(default_factory=list)
    base: str = ""


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.asked[self.path] += 1
            site.agents.append(self.headers.get("User-Agent", ""))
            if self.path == "/slow":
                time.sleep(1.0)
            status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (the timeout test)
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    state.routes.update(
        {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS),
            "/news/minister": (200, {"Content-Type": "text/html"}, DATED_PAGE),
            "/private/memo": (200, {"Content-Type": "text/html"}, DATED_PAGE),
            "/old": (301, {"Location": "/news/minister"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/to-ftp": (302, {"Location": "ftp://127.0.0.1/file"}, b""),
            "/to-private": (302, {"Location": "/private/memo"}, b""),
            "/big": (200, {"Content-Type": "text/plain"}, b"date 2022-05-05 " + b"x" * 5000),
            "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, rss().encode()),
            "/slow": (200, {}, b"date 2022-05-05 Slow."),
        }
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def fetcher(**kwargs: float) -> Fetcher:
    return Fetcher(delay=0, **kwargs)  # type: ignore[arg-type]


def test_a_page_is_fetched_with_our_user_agent(site: Site) -> None:
    fetched = fetcher().fetch(site.base + "/news/minister")
    assert fetched.data == DATED_PAGE
    assert fetched.url == site.base + "/news/minister"
    assert fetched.content_type == "text/html"
    assert USER_AGENT.startswith("rumormill/")
    assert set(site.agents) == {USER_AGENT}


def test_robots_txt_is_asked_once_per_host(site: Site) -> None:
    client = fetcher()
    client.fetch(site.base + "/news/minister")
    client.fetch(site.base + "/big")
    assert site.asked["/robots.txt"] == 1


def test_a_disallowed_url_is_refused_before_it_is_fetched(site: Site) -> None:
    with pytest.raises(InputError) as info:
        fetcher().fetch(site.base + "/private/memo")
    assert info.value.code is Errors.E051
    assert "/private/memo" in str(info.value)
    assert site.asked["/private/memo"] == 0


def test_redirects_are_followed_and_each_hop_checked(site: Site) -> None:
    assert fetcher().fetch(site.base + "/old").url == site.base + "/news/minister"
    cases = [("/loop", Errors.E050, "redirects"), ("/to-ftp", Errors.E052, "'ftp'")]
    cases.append(("/to-private", Errors.E051, "redirected to"))
    for path, code, says in cases:
        with pytest.raises(InputError) as info:
            fetcher().fetch(site.base + path)
        assert info.value.code is code, path
        assert says in str(info.value)
        assert site.base + path in str(info.value)


def test_http_errors_sizes_and_schemes_are_coded(site: Site) -> None:
    with pytest.raises(InputError) as info:
        fetcher().fetch(site.base + "/missing")
    assert info.value.code is Errors.E050
    assert "404" in str(info.value)
    with pytest.raises(InputError) as info:
        Fetcher(delay=0, max_bytes=1000).fetch(site.base + "/big")
    assert info.value.code is Errors.E005
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd"):
        with pytest.raises(InputError) as info:
            fetcher().fetch(url)
        assert info.value.code is Errors.E052


def test_a_timeout_and_a_closed_port_are_coded(site: Site) -> None:
    with pytest.raises(InputError) as info:
        fetcher(timeout=0.2).fetch(site.base + "/slow")
    assert info.value.code is Errors.E050
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(InputError) as info:
        fetcher().fetch(f"http://127.0.0.1:{port}/page")
    assert info.value.code is Errors.E050


@pytest.mark.parametrize(
    ("status", "allowed", "code"),
    [(404, True, None), (403, False, Errors.E051), (500, False, Errors.E050)],
    ids=["404-allows", "403-forbids", "500-forbids"],
)
def test_robots_txt_answers(site: Site, status: int, allowed: bool, code: Errors | None) -> None:
    site.routes["/robots.txt"] = (status, {}, b"")
    client = fetcher()
    assert client.allowed(site.base + "/news/minister") is allowed
    if code is None:
        assert client.fetch(site.base + "/news/minister").data == DATED_PAGE
    else:
        with pytest.raises(InputError) as info:
            client.fetch(site.base + "/news/minister")
        assert info.value.code is code


def test_robots_can_be_turned_off(site: Site) -> None:
    assert Fetcher(delay=0, robots=False).fetch(site.base + "/private/memo").data == DATED_PAGE
    assert site.asked["/robots.txt"] == 0


def test_fetched_inputs_go_through_format_detection(site: Site) -> None:
    inputs = [site.base + "/news/minister", site.base + "/feed.xml", site.base + "/private/memo"]
    items = list(read_items(inputs, Options(fetch=fetcher())))
    names = [item.name for item in items]
    assert names[0] == site.base + "/news/minister"
    article = items[0].article
    assert article is not None
    assert article.published == date(2021, 3, 4)
    assert article.date_source == "html"
    assert article.text.startswith("The minister resigned")
    assert article.outlet == "127.0.0.1"  # no site name: the URL's domain
    feed_items = [item for item in items if "#entry" in item.name]
    assert feed_items
    assert feed_items[0].name == site.base + "/feed.xml#entry 1"
    assert feed_items[0].article is not None
    private = next(item for item in items if item.name.endswith("/private/memo"))
    assert private.error is not None
    assert private.error.code is Errors.E051
    # The summary-only entry's page was not among the inputs: refused, last.
    assert items[-1].name == site.base + "/feed.xml#entry 2"
    assert items[-1].error is not None
    assert items[-1].error.code is Errors.E017


def test_urls_are_refused_without_a_fetcher() -> None:
    items = list(read_items(["https://example.com/a", "ftp://example.com/b"]))
    assert [item.error.code for item in items if item.error] == [Errors.E052, Errors.E052]
    assert "fetching is off" in str(items[0].error)
