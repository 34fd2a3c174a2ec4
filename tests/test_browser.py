"""The web UI in a real browser: Playwright drives Debian's Chromium (`/usr/bin/chromium`,
headless, kept off the network) against `rumormill serve`'s app, run by uvicorn on loopback.

- Every page on real data (40 bundled Wikinews articles and the hand-made cascade of
  `tests/data/cascade/`, ingested once for the module): its content, its main interactions
  (filter and page the search, open a claim from the dashboard, follow a provenance edge in
  the list and in the graph, the graph's hover highlight and echoes toggle, resolve a claim
  with the token, a resolve refused without it), and the claim and search pages with
  JavaScript off.  No page may overflow 1280 px or log a console error.
- Hostile articles (script tags, event-handler attributes, `javascript:` URLs, broken markup)
  on every page that shows them: nothing runs, with the Content-Security-Policy and without it
  (so the escaping alone is tested).

Every page test saves a full-page screenshot under `test-artifacts/screenshots/` (git-ignored)
to look at.  Chromium missing is a failure, never a skip: `bash run.sh test` installs it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright
from spacy.language import Language

from rumormill import resolution
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.store import Links, Store
from rumormill.store.records import CorpusEntityUpdate
from rumormill.web import create_app
from tests.test_cascade import THINK_TANK
from tests.webstore import wikinews_and_cascade

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("RUMORMILL_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # CI containers often give /dev/shm 64 MB: Chromium would crash
]
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
WIDTH = 1280
TOKEN = "browser-test-token"
STATEMENT = "purged 150 officers"


# --- the browser and the server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}): the browser tests need Debian's chromium; "
            "`bash run.sh test` installs it, or run "
            "`apt-get install --no-install-recommends chromium` (never `playwright install`)",
            pytrace=False,
        )
    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield found
        found.close()


@contextmanager
def serving(db: Path, token: str | None = TOKEN) -> Iterator[str]:
    """The app over `db`, served by uvicorn on 127.0.0.1 (a free port) in a thread; its
    base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(db, token=token), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped at start"
        assert time.monotonic() < deadline, "the server did not start in 30 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Watch:
    """What a page did that it should not: dialogs opened, console errors, uncaught errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")


def open_page(browser: Browser, *, confirm: bool = False, **options: Any) -> tuple[Page, Watch]:
    """A page in a fresh context 1280 px wide; every dialog is recorded, and accepted when
    `confirm` (the write forms ask before they are sent) or else dismissed."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, **options)
    page = context.new_page()
    watch = Watch()

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        if confirm:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    return page, watch


def close(page: Page) -> None:
    page.context.close()


def shot(page: Page, name: str) -> None:
    """A full-page screenshot, and no horizontal overflow at 1280 px."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width} px wide, wider than {WIDTH}"


def go(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, (url, response.status)


# --- real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return wikinews_and_cascade(tmp_path_factory.mktemp("browser"), nlp)


@pytest.fixture(scope="module")
def site(db: Path) -> Iterator[str]:
    with serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def ids(site: str, db: Path) -> dict[str, Any]:
    """The cascade's claim, its story, first article, Soldatov and City A.M."""
    dashboard = fetch_json(f"{site}/index.json")
    claims = [fetch_json(f"{site}/claims/{s['claim_id']}.json") for s in dashboard["suggestions"]]
    (claim,) = [c for c in claims if STATEMENT in c["statement"]]
    article = fetch_json(f"{site}/articles/{claim['first_article']}.json")
    with Store.open(db, create=False) as store:
        (soldatov,) = store.find_entities("Andrei Soldatov")
        cityam = store.outlet(raw="City A.M.")
    assert cityam is not None
    return {
        "claim": claim["claim_id"],
        "story": article["story"]["story_id"],
        "article": article["article_id"],
        "entity": soldatov.id,
        "outlet": cityam.id,
    }


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    found = open_page(browser, confirm=True)
    yield found
    close(found[0])


@pytest.mark.model
def test_dashboard_opens_a_claim(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, site + "/")
    assert p.title() == "Dashboard · rumormill"
    assert "47 articles" in p.locator("p.counts").inner_text()
    for heading in ("Growing rumors", "Claims awaiting resolution", "Newest stories"):
        assert p.get_by_role("heading", name=heading).is_visible()
    assert "Andrei Soldatov" in p.locator("#people").inner_text()
    assert p.locator("#outlets a").count() >= 5
    shot(p, "dashboard")
    p.locator("#awaiting a", has_text=STATEMENT).first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert STATEMENT in p.locator("h1.statement").inner_text()
    assert watch.errors == []
    assert watch.dialogs == []


@pytest.mark.model
def test_claim_page_and_a_provenance_edge(
    page: tuple[Page, Watch], site: str, ids: dict[str, Any]
) -> None:
    p, watch = page
    go(p, f"{site}/claims/{ids['claim']}")
    assert STATEMENT in p.locator("h1.statement").inner_text()
    assert p.locator("svg.timeline").is_visible()
    assert p.locator("svg.timeline rect.c-asserted").count() >= 1
    provenance = p.locator("#provenance")
    assert "2 independent origins, 4 echoes of 6 mentions, 1 denial" in provenance.inner_text()
    assert THINK_TANK in provenance.inner_text()
    assert p.locator("#provenance li.origin").count() == 2
    assert p.locator("#provenance .trace.echo").count() >= 4
    # Copies are grouped under what they copy: News Now's near-copy of the Daily Express.
    (copy,) = p.locator("#provenance .trace.copy").all()
    assert "News Now" in copy.inner_text()
    assert copy.locator(".badge").inner_text() == "copy"
    assert p.locator("#provenance .badge.first").count() == 2
    assert p.locator("#mentions table").first.locator("tbody tr").count() == 7
    assert p.locator("#resolution form.write").is_visible()
    shot(p, "claim")
    # An edge of the provenance: a trace leads to the attribution in its article.
    trace = p.locator("#provenance .trace a").first
    href = trace.get_attribute("href")
    assert href is not None
    assert re.fullmatch(r"/articles/[0-9a-f]+#attr-a\d+", href), href
    trace.click()
    p.wait_for_url(f"{site}{href}")
    target = p.locator(":target")
    assert target.get_attribute("class") == "hl hl-content"
    assert target.is_visible()
    # And an origin's article, then back to the claim from the article.
    p.go_back()
    p.locator("#provenance .origin-head a").first.click()
    p.wait_for_url(re.compile(r".*/articles/[0-9a-f]+$"))
    p.locator(f'aside a[href="/claims/{ids["claim"]}"]').first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert watch.errors == []


MIDDLE = """el => {
  const path = el.querySelector("path.line");
  const at = path.getPointAtLength(path.getTotalLength() / 2);
  const m = path.getScreenCTM();
  const x = at.x * m.a + at.y * m.c + m.e, y = at.x * m.b + at.y * m.d + m.f;
  const hit = document.elementFromPoint(x, y);
  return [x, y, hit !== null && hit.closest("a.edge") === el];
}"""


@pytest.mark.model
def test_the_provenance_graph(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    """The graph above the list: origins marked, echoes faded, the copy grouped with its
    original, the denial apart; hovering a node lights its chain and dims the rest, the
    toggle hides the echoes, and clicking an edge follows it to its target's page."""
    p, watch = page
    go(p, f"{site}/claims/{ids['claim']}")
    graph = p.locator("#provenance svg.provenance")
    expect(graph).to_be_visible()
    assert graph.locator(".node.n-article").count() == 7
    assert graph.locator(".origin-badge").count() == 2
    assert graph.locator(".node.origin").count() == 1  # Soldatov, heard twice first-hand
    echoes = graph.locator(".node.echo")
    assert echoes.count() >= 4
    (group,) = graph.locator(".copy-group[id]").all()
    members = graph.locator(f'.node[data-group="{group.get_attribute("id")}"]')
    assert members.count() == 2
    assert "News Now" in str(members.nth(1).text_content())
    (denial,) = graph.locator(".node.n-article.denial").all()
    assert "Reuters" in str(denial.text_content())
    # The list stays below the graph, as the text version.
    assert p.locator("#provenance li.origin").count() == 2
    # Hover the denial's source: its chain is lit, the rest dimmed.
    peskov = graph.locator(".node.n-source.denial")
    peskov.hover()
    expect(graph).to_have_class(re.compile(r"\bfocusing\b"))
    expect(peskov).to_have_class(re.compile(r"\blit\b"))
    expect(denial).to_have_class(re.compile(r"\blit\b"))
    origin = graph.locator(".node.origin")
    expect(origin).not_to_have_class(re.compile(r"\blit\b"))
    expect(origin).to_have_css("opacity", "0.16")
    expect(peskov).to_have_css("opacity", "1")
    shot(p, "claim-graph-hover")
    p.mouse.move(2, 2)
    expect(graph).not_to_have_class(re.compile(r"\bfocusing\b"))
    # Focus from the keyboard lights a chain too: the origin's, every echo included.
    origin.focus()
    expect(graph).to_have_class(re.compile(r"\bfocusing\b"))
    expect(echoes.first).to_have_class(re.compile(r"\blit\b"))
    expect(denial).not_to_have_class(re.compile(r"\blit\b"))
    origin.blur()
    expect(graph).not_to_have_class(re.compile(r"\bfocusing\b"))
    # The echoes toggle (added by the script) hides and shows them.
    toggle = p.locator("#provenance button.echo-toggle")
    assert toggle.inner_text() == "Hide echoes"
    toggle.click()
    for echo in echoes.all():
        expect(echo).to_be_hidden()
    expect(origin).to_be_visible()
    expect(denial).to_be_visible()
    assert toggle.inner_text() == "Show echoes"
    assert toggle.get_attribute("aria-pressed") == "true"
    shot(p, "claim-graph-no-echoes")
    toggle.click()
    for echo in echoes.all():
        expect(echo).to_be_visible()
    # Follow a provenance edge: City A.M. (the outlet) to its own first report.
    (edge,) = graph.locator('a.edge.e-publishes[data-to^="article:"]').all()
    target = str(edge.get_attribute("data-to")).split(":", 1)[1]
    assert edge.get_attribute("href") == f"/articles/{target}"
    graph.scroll_into_view_if_needed()
    x, y, on_edge = edge.evaluate(MIDDLE)
    assert on_edge, "the middle of the edge is not the edge's link"
    p.mouse.click(x, y)
    p.wait_for_url(f"{site}/articles/{target}")
    assert "City A.M." in p.locator(".meta").inner_text()
    # And a node: the origin's entity page.
    p.go_back()
    graph.locator(".node.origin").click()
    p.wait_for_url(f"{site}/entities/{ids['entity']}")
    assert watch.errors == []


@pytest.mark.model
def test_article_page(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, f"{site}/articles/{ids['article']}")
    assert p.locator("h1").inner_text()
    text = p.locator("article.text")
    for role in ("source", "cue", "channel", "content"):
        assert text.locator(f".hl-{role}").count() >= 1, role
    # Hover for certainty: the title of a highlighted span names it.
    content = text.locator(".hl-content").first
    content.hover()
    title = content.get_attribute("title")
    assert title is not None
    assert re.search(r"(asserted|probable|possible|doubted|denied) \([+-]\d\.\d", title), title
    assert p.locator("ol.attributions li").count() >= 1
    assert "Andrei Soldatov" in p.locator("aside").inner_text()
    shot(p, "article")
    p.locator(f'.meta a[href="/outlets/{ids["outlet"]}"]').click()
    p.wait_for_url(f"{site}/outlets/{ids['outlet']}")
    p.go_back()
    p.locator(f'.meta a[href="/stories/{ids["story"]}"]').click()
    p.wait_for_url(f"{site}/stories/{ids['story']}")
    assert watch.errors == []


@pytest.mark.model
def test_story_page(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, f"{site}/stories/{ids['story']}")
    assert p.locator("h1").inner_text()
    assert p.locator("svg.timeline").is_visible()
    assert p.locator("main table").first.locator("tbody tr").count() >= 6
    assert STATEMENT in p.locator("main").inner_text()
    shot(p, "story")
    p.locator("main ol a", has_text=STATEMENT).first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert watch.errors == []


@pytest.mark.model
def test_entity_page(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, f"{site}/entities/{ids['entity']}")
    assert p.locator("h1").inner_text() == "Andrei Soldatov"
    main = p.locator("main").inner_text()
    assert "Descriptors and roles over time" in main
    assert "security expert" in main
    assert "What they claimed" in main
    shot(p, "entity")
    p.locator(f'main a[href="/claims/{ids["claim"]}"]').first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert watch.errors == []


@pytest.mark.model
def test_outlet_page(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, f"{site}/outlets/{ids['outlet']}")
    assert p.locator("h1").inner_text() == "City A.M."
    main = p.locator("main").inner_text()
    assert "Whom it cites" in main
    assert THINK_TANK in main
    shot(p, "outlet")
    p.locator(f'main a[href="/claims/{ids["claim"]}"]').first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert watch.errors == []


def hit_ids(p: Page) -> list[str]:
    return [str(a.get_attribute("href")) for a in p.locator("ol.hits a.hit-title").all()]


@pytest.mark.model
def test_search_filters_and_pages(page: tuple[Page, Watch], site: str, ids: dict[str, Any]) -> None:
    p, watch = page
    go(p, f"{site}/search")
    assert "Give words" in p.locator("main").inner_text()
    p.fill('form.search input[name="q"]', "said")
    p.click("form.search button")
    p.wait_for_url(re.compile(r".*/search\?q=said.*"))
    counts = p.locator("p.counts").inner_text()
    assert re.match(r"\d+ articles found, page 1 of \d+", counts), counts
    assert p.locator("ol.hits > li").count() == 20
    assert p.locator("ol.hits .hl-match").count() >= 20
    shot(p, "search")
    first = hit_ids(p)
    p.click('a[rel="next"]')
    p.wait_for_url(re.compile(r".*page=2.*"))
    assert "page 2 of" in p.locator("p.counts").inner_text()
    assert p.locator("ol.hits").get_attribute("start") == "21"
    assert set(hit_ids(p)).isdisjoint(first)
    p.click('a[rel="prev"]')
    p.wait_for_url(re.compile(r".*/search\?q=said&kind=articles&page=1$"))
    assert hit_ids(p) == first
    # Filters: an outlet and a date range.
    p.fill('form.search input[name="q"]', "Putin")
    p.select_option('select[name="outlet"]', label="City A.M.")
    p.click("form.search button")
    p.wait_for_url(re.compile(r".*outlet=.*"))
    assert p.locator("ol.hits > li").count() == 1
    assert "City A.M." in p.locator("ol.hits").inner_text()
    p.select_option('select[name="outlet"]', value="")
    p.fill('input[name="since"]', "2022-01-01")
    p.click("form.search button")
    p.wait_for_url(re.compile(r".*since=2022-01-01.*"))
    assert p.locator("ol.hits > li").count() >= 6
    for meta in p.locator("ol.hits .hit-meta").all_inner_texts():
        assert meta[:10] >= "2022-01-01", meta
    # Claims with a certainty label, unresolved.
    p.fill('input[name="since"]', "")
    p.fill('form.search input[name="q"]', "")
    p.select_option('select[name="kind"]', "claims")
    p.select_option('select[name="label"]', "denied")
    p.select_option('select[name="resolved"]', "no")
    p.click("form.search button")
    p.wait_for_url(re.compile(r".*label=denied.*"))
    hits = p.locator("ol.hits > li")
    assert hits.count() >= 1
    for k in range(hits.count()):
        assert hits.nth(k).locator(".label").inner_text() == "denied"
    shot(p, "search-claims")
    # A claim hit opens its claim.
    p.fill('form.search input[name="q"]', "purged")
    p.select_option('select[name="label"]', value="")
    p.click("form.search button")
    p.wait_for_url(re.compile(r".*q=purged.*"))
    p.locator(f'ol.hits a[href="/claims/{ids["claim"]}"]').first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}")
    assert watch.errors == []


@pytest.mark.model
def test_claim_and_search_work_without_javascript(
    browser: Browser, site: str, ids: dict[str, Any]
) -> None:
    p, watch = open_page(browser, java_script_enabled=False)
    try:
        go(p, f"{site}/claims/{ids['claim']}")
        assert STATEMENT in p.locator("h1.statement").inner_text()
        assert p.locator("svg.timeline").is_visible()
        assert "2 independent origins" in p.locator("#provenance").inner_text()
        # The graph is there, its nodes plain links; the toggle needs the script: none.
        graph = p.locator("#provenance svg.provenance")
        assert graph.is_visible()
        assert graph.locator("a.node").count() >= 7
        assert p.locator("#provenance button").count() == 0
        assert p.locator("#resolution form.write button").is_visible()
        shot(p, "claim-nojs")
        go(p, f"{site}/search")
        p.fill('form.search input[name="q"]', "said")
        p.click("form.search button")
        p.wait_for_url(re.compile(r".*q=said.*"))
        assert p.locator("ol.hits > li").count() == 20
        p.click('a[rel="next"]')
        p.wait_for_url(re.compile(r".*page=2.*"))
        assert "page 2 of" in p.locator("p.counts").inner_text()
        shot(p, "search-nojs")
        assert watch.errors == []
    finally:
        close(p)


# --- writes (last: they change the store) --------------------------------------------------------


def resolution_form(p: Page, *, token: str | None) -> None:
    form = p.locator("#resolution form.write").first
    form.locator('select[name="outcome"]').select_option("false")
    form.locator('input[name="date"]').fill("2022-05-12")
    form.locator('input[name="evidence"]').fill("https://www.reuters.com/world/peskov-denial")
    form.locator('input[name="by"]').fill("desk")
    if token is not None:
        form.locator('input[name="token"]').fill(token)


@pytest.mark.model
def test_a_resolve_is_refused_without_the_token(
    page: tuple[Page, Watch], site: str, ids: dict[str, Any]
) -> None:
    p, watch = page
    claim = f"{site}/claims/{ids['claim']}"
    go(p, claim)
    # Without a token the form is not even sent: the field is required.
    resolution_form(p, token=None)
    p.locator("#resolution form.write button").first.click()
    token = p.locator('#resolution form.write input[name="token"]').first
    assert token.evaluate("input => !input.validity.valid")
    assert p.url == claim
    assert watch.dialogs == []
    # Sent anyway (the field's `required` dropped), the server refuses it.
    token.evaluate("input => input.removeAttribute('required')")
    p.locator("#resolution form.write button").first.click()
    p.wait_for_load_state()
    assert watch.dialogs == ["confirm: Record this outcome?"]
    assert p.locator("h1").inner_text() == "401: refused"
    assert "E135" in p.locator("main").inner_text()
    shot(p, "resolve-refused")
    # A wrong token is refused too, and nothing was recorded.
    go(p, claim)
    resolution_form(p, token="not-the-token")
    p.locator("#resolution form.write button").first.click()
    p.wait_for_load_state()
    assert p.locator("h1").inner_text() == "401: refused"
    go(p, claim)
    assert "Not resolved." in p.locator("#resolution").inner_text()


@pytest.mark.model
def test_resolve_a_claim_with_the_token(
    page: tuple[Page, Watch], site: str, ids: dict[str, Any]
) -> None:
    p, watch = page
    go(p, f"{site}/claims/{ids['claim']}")
    resolution_form(p, token=TOKEN)
    p.locator("#resolution form.write button").first.click()
    p.wait_for_url(f"{site}/claims/{ids['claim']}#resolution")
    assert watch.dialogs == ["confirm: Record this outcome?"]
    resolved = p.locator("#resolution")
    assert resolved.locator(".outcome.o-false").first.is_visible()
    assert "on 2022-05-12 by desk" in resolved.inner_text()
    link = resolved.get_by_role("link", name="https://www.reuters.com/world/peskov-denial")
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert "Undo the current resolution" in resolved.inner_text()
    shot(p, "claim-resolved")
    assert fetch_json(f"{site}/claims/{ids['claim']}.json")["resolution"]["outcome"] == "false"
    assert watch.errors == []


# --- hostile articles ----------------------------------------------------------------------------

# Each payload, if it ever ran, would set window.__pwned (and open a dialog).
SCRIPT = "<script>window.__pwned='script';alert('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned='img';alert('img')\">"
SVG = "<svg/onload=\"window.__pwned='svg';alert('svg')\">"
LINK = "<a href=\"javascript:window.__pwned='link';alert('link')\">click me</a>"
JS_URL = "javascript:window.__pwned='url';alert('url')"
BREAKOUT = "\"><script>window.__pwned='attr'</script><b title=\""
QUOTED = "' onmouseover='window.__pwned=\"hover\"' x='"
BROKEN = (
    '</span></div></article></main><b class="x>unclosed <!-- <iframe srcdoc="<script>'
    "parent.__pwned='iframe'</script>\"></iframe>"
)
STYLE = "<style>body{display:none}</style>"
META = '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=\'meta\'">'
EVIL = " ".join((SCRIPT, IMG, SVG, LINK, BREAKOUT, QUOTED, BROKEN, STYLE, META))


def hostile(day: int) -> Analysis:
    """An article whose every field carries payloads; its claim's content does too."""
    quote = f"the vault is empty {SCRIPT} {IMG}"
    text = (
        f"Officials told {SVG} that {quote}. Smith said {BREAKOUT} and {QUOTED}. {LINK} then "
        f"{BROKEN} {STYLE} {META} on day {day}."
    )
    who, cue = text.index("Officials"), text.index("told")
    channel = text.index(SVG)
    start = text.index(quote)
    smith = text.index("Smith")
    return Analysis(
        article=Article(
            text=text,
            published=date(2024, 3, day),
            outlet=f"Evil {SCRIPT} Times {JS_URL}",
            url=f"{JS_URL}//{day}",  # another URL: not a revision of the first
            title=f"Title {IMG} {BREAKOUT} {JS_URL}",
            credit=f"({SCRIPT} {META})",
        ),
        sentences=[],
        entities=[
            Entity(
                id="e1",
                name=f"Smith {SCRIPT}",
                type="PERSON",
                mentions=[Span(smith, smith + 5, "Smith")],
                descriptors=[IMG, QUOTED],
            )
        ],
        attributions=[
            Attribution(
                id="a1",
                kind="indirect",
                source=Source(span=Span(who, who + 9, "Officials"), type="UNNAMED"),
                cue=Span(cue, cue + 4, "told"),
                channel=Span(channel, channel + len(SVG), SVG),
                content=Span(start, start + len(quote), quote),
                certainty=Certainty(score=1.0, label="possible", cues=(IMG, QUOTED, BREAKOUT)),
            ),
            Attribution(
                id="a2",
                kind="indirect",
                source=Source(
                    span=Span(smith, smith + 5, "Smith"), type="PERSON", entity="e1", name=SCRIPT
                ),
                cue=Span(smith + 6, smith + 10, "said"),
                channel=None,
                content=Span(text.index(BREAKOUT), text.index(BREAKOUT) + len(BREAKOUT), BREAKOUT),
                certainty=Certainty(score=-2.0, label="doubted", cues=(SCRIPT,)),
            ),
        ],
    )


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("browser-evil") / "evil.db"
    articles = [hostile(1), hostile(2)]
    links = Links(
        claim={
            **{(a.article.id, "a1"): 1 for a in articles},
            **{(a.article.id, "a2"): 2 for a in articles},
        },
        story={a.article.id: 1 for a in articles},
        entity={(a.article.id, "e1"): 1 for a in articles},
        corpus_entities={1: CorpusEntityUpdate(f"Smith {SCRIPT}", "PERSON")},
    )
    with Store.open(path) as store:
        assert store.add(articles, links=links).added == 2
        # A resolution whose evidence is a javascript: URL, recorded by a hostile name.
        resolution.resolve(store, 1, "false", date(2024, 3, 5), JS_URL, by=SCRIPT)
    with serving(path) as url:
        outlet = fetch_json(f"{url}/index.json")["outlets"][0]["outlet_id"]
        article = fetch_json(f"{url}/claims/1.json")["mentions"][0]["article_id"]
        yield {"url": url, "outlet": outlet, "article": article}


AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push(`${el.tagName} ${a.name}`);
      if (/^\\s*(javascript|vbscript|data):/i.test(a.value)) bad.push(`${el.tagName} ${a.name}`);
    }
  }
  const foreign = "img, iframe, object, embed, base, meta[http-equiv], style, frame, "
    + "form:not(.write):not(.search):not(.quick)";
  for (const el of document.querySelectorAll(foreign)) bad.push(el.tagName);
  for (const el of document.querySelectorAll("script")) {
    if (el.getAttribute("src") !== "/static/rumormill.js") bad.push("script");
  }
  for (const el of document.querySelectorAll("svg")) {
    if (!el.closest(".chart, .meta, td")) bad.push("svg");
  }
  return bad;
}"""


@pytest.mark.parametrize("csp", ["with CSP", "without CSP"])
def test_hostile_articles_run_nothing(
    browser: Browser, evil_site: dict[str, Any], csp: str
) -> None:
    """Every page that shows the hostile text: no dialog, no sentinel, no foreign element or
    attribute in the DOM, no console error; hovering the highlights runs nothing either.
    Without the CSP (`bypass_csp`) the escaping alone stands between the payloads and the
    page."""
    base = evil_site["url"]
    pages = [
        "/",
        "/claims/1",
        "/claims/2",
        f"/articles/{evil_site['article']}",
        "/stories/1",
        f"/outlets/{evil_site['outlet']}",
        "/entities/1",
        "/search?q=vault",
        "/search?q=vault&kind=claims",
        "/search?q=script",
        "/search?" + urllib.parse.urlencode({"q": f'"{SCRIPT}"', "entity": BREAKOUT}),
    ]
    p, watch = open_page(browser, bypass_csp=csp == "without CSP")
    try:
        for path in pages:
            go(p, base + path)
            for el in p.locator("main .hl, main [title]").all()[:40]:
                el.hover()
            assert p.evaluate(AUDIT) == [], path
            assert p.evaluate("window.__pwned === undefined"), path
            assert p.locator("main").is_visible(), path  # no payload hid the page
            if csp == "with CSP":
                name = "evil-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dash")
                shot(p, name[:60])
        assert watch.dialogs == []
        assert watch.errors == []
        # The text is there, shown as text.
        go(p, f"{base}/articles/{evil_site['article']}")
        text = p.locator("article.text").inner_text()
        assert SCRIPT in text
        assert IMG in text
        assert JS_URL in p.locator(".meta").inner_text()
        assert p.locator(".meta a", has_text="original").count() == 0
        go(p, f"{base}/claims/1")
        assert JS_URL in p.locator("#resolution").inner_text()
        assert p.locator("#resolution a", has_text="javascript").count() == 0
    finally:
        close(p)
