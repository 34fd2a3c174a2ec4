"""The web app's security: hostile article text is only ever rendered escaped, writes need the
token, are refused cross-site and in read-only mode, and every response carries the security
headers.  A store built by hand (no model), and a property test of the highlighter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.store import Links, Store
from rumormill.web import create_app
from rumormill.web.highlight import ROLES, Highlight, highlight

TOKEN = "test-token-123"
SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
LINK = '<a href="javascript:alert(2)">click</a>'
BROKEN = '</span></div><b class="x>unclosed <!-- <svg/onload=alert(3)>'
EVIL = f"{SCRIPT} {IMG} {LINK} {BROKEN}"
QUOTE = f"the vault is empty {SCRIPT}"


def hostile() -> Analysis:
    text = f"Officials said {QUOTE}. {IMG} and {LINK} then {BROKEN}. Smith said it twice."
    start = text.index(QUOTE)
    who = text.index("Officials")
    cue = text.index("said")
    return Analysis(
        article=Article(
            text=text,
            published=date(2024, 3, 1),
            outlet=f"Evil {SCRIPT} Times",
            url="javascript:alert(document.cookie)",
            title=f"Title {IMG}",
            credit=f"({SCRIPT})",
        ),
        sentences=[],
        entities=[
            Entity(
                id="e1",
                name=f"Smith {SCRIPT}",
                type="PERSON",
                mentions=[Span(text.index("Smith"), text.index("Smith") + 5, "Smith")],
                descriptors=[IMG],
            )
        ],
        attributions=[
            Attribution(
                id="a1",
                kind="indirect",
                source=Source(span=Span(who, who + 9, "Officials"), type="UNNAMED"),
                cue=Span(cue, cue + 4, "said"),
                channel=None,
                content=Span(start, start + len(QUOTE), QUOTE),
                certainty=Certainty(score=1.0, label="possible", cues=(f"{IMG}",)),
            )
        ],
    )


def plain(day: int) -> Analysis:
    text = f"Reportedly the vault is empty, day {day}."
    start = text.index("the vault")
    end = text.index(", day")
    return Analysis(
        article=Article(text=text, published=date(2024, 3, day), outlet="Daily Plain"),
        sentences=[],
        entities=[],
        attributions=[
            Attribution(
                id="a1",
                kind="unattributed",
                source=Source(span=None, type="UNNAMED"),
                cue=None,
                channel=None,
                content=Span(start, end, text[start:end]),
                certainty=Certainty(score=1.0, label="possible"),
            )
        ],
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-security") / "evil.db"
    articles = [hostile(), plain(2), plain(3)]
    links = Links(
        claim={(a.article.id, "a1"): 1 for a in articles},
        story={a.article.id: 1 for a in articles},
    )
    with Store.open(path) as store:
        store.add(articles, links=links)
    return path


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN)) as c:
        yield c


def article_id(client: TestClient) -> str:
    mentions = client.get("/claims/1.json").json()["mentions"]
    return str(next(m["article_id"] for m in mentions if m["outlet"] and "Evil" in m["outlet"]))


def assert_escaped(html: str) -> None:
    """No markup from the article survives: every tag in the page is one of ours."""
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "<svg/onload" not in html
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", html, re.IGNORECASE)
    assert '<b class="x' not in html
    assert "<!-- <svg" not in html


def test_hostile_text_is_rendered_escaped_everywhere(client: TestClient) -> None:
    ident = article_id(client)
    stored = client.get(f"/articles/{ident}.json").json()
    pages = [
        "/",
        "/claims/1",
        f"/articles/{ident}",
        "/stories/1",
        "/search?q=vault",
        "/search?q=vault&kind=claims",
        "/search?q=alert",
    ]
    outlet_id = next(
        o["outlet_id"] for o in client.get("/index.json").json()["outlets"] if "Evil" in o["name"]
    )
    pages.append(f"/outlets/{outlet_id}")
    entity = next(e for e in stored["entities"] if e["name"].startswith("Smith"))
    if entity["corpus_id"] is not None:
        pages.append(f"/entities/{entity['corpus_id']}")
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_escaped(response.text)
    article = client.get(f"/articles/{ident}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in article
    assert "onerror=&#34;alert(1)&#34;" in article
    assert "Evil &lt;script&gt;" in article
    # The javascript: URL is shown as text, never linked.
    assert "javascript:alert(document.cookie)" in article
    assert 'href="javascript' not in article.lower()
    # The JSON twin carries the text as it is (JSON is not HTML).
    assert SCRIPT in stored["text"]
    assert (
        client.get(f"/articles/{ident}.json").headers["content-type"].startswith("application/json")
    )


def test_a_hostile_search_query_is_escaped(client: TestClient) -> None:
    response = client.get("/search", params={"q": '"<script>"', "entity": SCRIPT})
    assert response.status_code == 200
    assert_escaped(response.text)
    bad = client.get("/search", params={"q": '"unbalanced'})
    assert bad.status_code == 400
    assert "E066" in bad.text
    assert_escaped(client.get("/nope<script>alert(1)</script>").text)


def test_security_headers(client: TestClient) -> None:
    for path in ("/", "/claims/1.json", "/claims/999", "/static/rumormill.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    page = client.get("/claims/1").text
    assert "<script>" not in page  # no inline script: only <script src=...>
    assert ' style="' not in page


def resolve(client: TestClient, **headers: str) -> int:
    body = {"outcome": "false", "date": "2024-03-05", "evidence": "https://example.com/x"}
    return client.post("/claims/1/resolve.json", json=body, headers=headers).status_code


def test_writes_need_the_token(client: TestClient) -> None:
    assert resolve(client) == 401
    assert resolve(client, Authorization="Bearer wrong") == 401
    form = {"outcome": "false", "date": "2024-03-05", "evidence": "note"}
    refused = client.post("/claims/1/resolve", data=form)
    assert refused.status_code == 401
    assert "E135" in refused.text
    assert client.get("/claims/1.json").json()["resolution"] is None
    # The token in the form is enough (no cookie is ever an authority).
    done = client.post("/claims/1/resolve", data={**form, "token": TOKEN}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/claims/1#resolution"
    assert client.get("/claims/1.json").json()["resolution"]["outcome"] == "false"
    assert resolve(client, Authorization=f"Bearer {TOKEN}") == 200
    assert resolve(client, **{"X-Rumormill-Token": TOKEN}) == 200
    undone = client.post("/claims/1/undo.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert undone.status_code == 200
    assert undone.json()["action"] == "undo"
    # Bad input with the right token is a 400 (or 404), never a 500.
    bad = client.post(
        "/claims/1/resolve.json",
        json={"outcome": "maybe", "date": "2024-03-05", "evidence": "x"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "E120")
    missing = client.post(
        "/claims/99/resolve.json",
        json={"outcome": "true", "date": "2024-03-05", "evidence": "x"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert missing.status_code == 404


def test_cross_site_writes_are_refused(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert resolve(client, Origin="https://evil.example", **auth) == 403
    assert resolve(client, Origin="null", **auth) == 403
    assert resolve(client, Referer="https://evil.example/page", **auth) == 403
    assert resolve(client, Origin="http://testserver", **auth) == 200
    form = {"outcome": "true", "date": "2024-03-06", "evidence": "note", "token": TOKEN}
    refused = client.post(
        "/claims/1/resolve", data=form, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert "E137" in refused.text


def test_read_only_refuses_every_write_and_shows_no_form(db: Path) -> None:
    with TestClient(create_app(db, read_only=True, token=TOKEN)) as c:
        assert resolve(c, Authorization=f"Bearer {TOKEN}") == 403
        form = {"outcome": "true", "date": "2024-03-06", "evidence": "n", "token": TOKEN}
        assert c.post("/claims/1/resolve", data=form).status_code == 403
        assert c.post("/suggestions/1/accept.json").status_code == 403
        page = c.get("/claims/1").text
        assert "/claims/1/resolve" not in page
        assert "read-only" in page
    with TestClient(create_app(db, token=None)) as c:  # no token set: no write at all
        assert resolve(c, Authorization="Bearer ") == 401


# --- the highlighter -----------------------------------------------------------------------------


class Checker(HTMLParser):
    """Collects the text and checks the markup: only <span>, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "span"
        assert all(name in ("class", "title", "id") for name, _ in attrs)
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        assert tag == "span"
        self.depth -= 1
        assert self.depth >= 0

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"unexpected <{tag}/>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError("a comment got through")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError("a declaration got through")

    def handle_pi(self, data: str) -> None:
        raise AssertionError("a processing instruction got through")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError("a declaration got through")


TEXT = st.text(alphabet=st.sampled_from([*list("ab <>&\"'/=-!?;\n\t#x"), "é", "→"]), max_size=60)


@st.composite
def texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Highlight]]:
    text = draw(TEXT | st.text(max_size=40))
    size = len(text)
    spans = draw(
        st.lists(
            st.builds(
                Highlight,
                start=st.integers(-3, size + 3),
                end=st.integers(-3, size + 3),
                role=st.sampled_from([*ROLES, "match", 'x" onmouseover="y']),
                title=st.text(max_size=12),
                anchor=st.none() | st.text(max_size=6),
            ),
            max_size=8,
        )
    )
    return text, spans


@given(texts_and_spans())
def test_highlight_is_well_formed_escaped_and_keeps_the_text(
    case: tuple[str, list[Highlight]],
) -> None:
    text, spans = case
    html = str(highlight(text, spans))
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.depth == 0
    assert "".join(checker.text) == text
    assert "<" not in re.sub(r"</?span[^<>]*>", "", html)


def test_highlight_marks_each_role() -> None:
    text = 'Smith told CNN "it is over" <b>'
    spans = [
        Highlight(0, 5, "source", "a1: asserted"),
        Highlight(6, 10, "cue", "a1: asserted"),
        Highlight(11, 14, "channel", "a1: asserted"),
        Highlight(16, 26, "content", "a1: asserted", anchor="attr-a1"),
    ]
    html = str(highlight(text, spans))
    assert '<span class="hl hl-source" title="a1: asserted">Smith</span>' in html
    assert '<span class="hl hl-content" title="a1: asserted" id="attr-a1">it is over</span>' in html
    assert html.endswith(" &lt;b&gt;")


def test_serve_binds_loopback_and_prints_the_token(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from rumormill.cli import app

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: calls.append(kw))
    monkeypatch.delenv("RUMORMILL_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8123, "log_level": "info"}]
    assert "http://127.0.0.1:8123/" in result.output
    token = result.output.split("write token (set RUMORMILL_TOKEN to choose one): ")[1].split()[0]
    assert len(token) >= 24
    monkeypatch.setenv("RUMORMILL_TOKEN", "chosen")
    chosen = CliRunner().invoke(app, ["serve", "--db", str(db)])
    assert "from RUMORMILL_TOKEN" in chosen.output
    assert "chosen" not in chosen.output
    missing = CliRunner().invoke(app, ["serve", "--db", str(db.parent / "none.db")])
    assert missing.exit_code != 0
    assert "E060" in missing.output
