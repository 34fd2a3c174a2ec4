"""Live blogs: one page, many timestamped updates; each update an article with its own date.
JSON-LD and `<article>`/`<time>` pages, a malformed JSON-LD, other pages read as before, and
a live blog ingested into a store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.errors import RumormillError
from rumormill.ingest import html, liveblog
from rumormill.ingest.sources import Item, read_items
from rumormill.ingestion import ingest
from rumormill.store import Store
from tests.test_html import NEWS_PAGE

URL = "https://news.example/world/live/kremlin-latest"
UPDATES = [
    {
        "@type": "BlogPosting",
        "headline": "Kremlin denies the coup reports",
        "datePublished": "2022-05-06T09:30:00+01:00",
        "articleBody": "A Kremlin spokesman said on Friday that the reports of a coup were "
        "“pure fiction”, according to state media.",
        "url": URL + "#post-3",
    },
    {
        "@type": "BlogPosting",
        "datePublished": "2022-05-05T23:30:00-04:00",  # the page's day, not UTC's
        "articleBody": "<p>Analysts said a palace coup was highly likely.</p>"
        "<p>“I think it could happen,” one told Sky News.</p>",
    },
    {
        "@type": "BlogPosting",
        "headline": "Rumours of a plot",
        "datePublished": "2022-05-05T08:00:00Z",
        "articleBody": "Reports say senior officials are plotting to oust the president, "
        "though no source has been named.",
    },
]


def json_ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def live_page(head: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>Kremlin latest: live updates</title>"
        '<meta property="og:site_name" content="World News Daily">'
        f'<link rel="canonical" href="{URL}">{head}</head><body>{body}</body></html>'
    )


LEAD = (
    "<p>Follow the latest on the rumoured coup in Moscow as officials respond to reports from "
    "several outlets. Our correspondents are watching the Kremlin throughout the day.</p>"
)
POSTING = {
    "@context": "https://schema.org",
    "@type": "LiveBlogPosting",
    "headline": "Kremlin latest",
    "coverageStartTime": "2022-05-05T08:00:00Z",
    "liveBlogUpdate": UPDATES,
}
JSON_LD_PAGE = live_page(json_ld(POSTING), f"<main><article>{LEAD}</article></main>")

BLOCKS = """
<main><div class="live-blog">
  <article id="post-2" class="update">
    <header><h2>Minister resigns</h2><time datetime="2022-05-06T11:15:00+02:00">11:15</time>
    </header>
    <p>The defence minister resigned on Friday, his office said in a statement.</p>
  </article>
  <article id="post-1" class="update">
    <header><time datetime="2022-05-05T17:40:00+02:00">17:40</time></header>
    <p>Rumours spread that the defence minister would quit, though officials denied them.</p>
    <p>“Nothing of the sort,” a spokesman told reporters.</p>
  </article>
</div></main>
"""
MARKUP_PAGE = live_page("", BLOCKS)


def articles_of(markup: str, tmp_path: Path, name: str = "page.html") -> list[Item]:
    path = tmp_path / name
    path.write_text(markup, encoding="utf8")
    return list(read_items([str(path)]))


def test_json_ld_updates_are_articles_with_their_own_dates(tmp_path: Path) -> None:
    blog = liveblog.find(JSON_LD_PAGE)
    assert blog is not None
    assert blog.found_in == "json-ld"
    assert blog.title == "Kremlin latest"
    assert [u.published for u in blog.updates] == [
        date(2022, 5, 6),
        date(2022, 5, 5),
        date(2022, 5, 5),
    ]
    assert blog.updates[1].moment == datetime(
        2022, 5, 5, 23, 30, tzinfo=timezone(-timedelta(hours=4))
    )
    items = articles_of(JSON_LD_PAGE, tmp_path)
    assert all(i.article is not None for i in items), items
    got = [i.article for i in items if i.article is not None]
    # Oldest first, each named after its page.
    assert [i.name for i in items] == [f"{tmp_path / 'page.html'}#update {n}" for n in (1, 2, 3)]
    assert [a.published for a in got] == [date(2022, 5, 5), date(2022, 5, 5), date(2022, 5, 6)]
    assert {a.date_source for a in got} == {"liveblog"}
    assert {a.outlet for a in got} == {"World News Daily"}
    assert [a.title for a in got] == [
        "Rumours of a plot",
        "Kremlin latest",  # no headline of its own: the live blog's
        "Kremlin denies the coup reports",
    ]
    assert [a.url for a in got] == [
        URL + "#update-2022-05-05T08:00:00+00:00",
        URL + "#update-2022-05-05T23:30:00-04:00",
        URL + "#post-3",  # its own URL
    ]
    assert got[0].text.startswith("Reports say senior officials")
    assert got[1].text == (
        "Analysts said a palace coup was highly likely.\n\n"
        "“I think it could happen,” one told Sky News."
    )
    assert len({a.id for a in got}) == 3


def test_article_and_time_blocks_are_updates(tmp_path: Path) -> None:
    blog = liveblog.find(MARKUP_PAGE)
    assert blog is not None
    assert blog.found_in == "markup"
    items = articles_of(MARKUP_PAGE, tmp_path)
    got = [i.article for i in items if i.article is not None]
    assert len(got) == len(items) == 2
    first, second = got
    assert (first.published, second.published) == (date(2022, 5, 5), date(2022, 5, 6))
    assert (first.date_source, second.date_source) == ("liveblog", "liveblog")
    assert (first.url, second.url) == (URL + "#post-1", URL + "#post-2")
    assert second.title == "Minister resigns"
    assert first.title == "Kremlin latest: live updates"  # the page's
    assert second.text == "The defence minister resigned on Friday, his office said in a statement."
    assert first.text.endswith("“Nothing of the sort,” a spokesman told reporters.")
    assert "17:40" not in first.text


def test_malformed_json_ld_falls_back_to_the_markup(tmp_path: Path) -> None:
    broken = (
        '<script type="application/ld+json">{"@type": "LiveBlogPosting", "liveBlogUpdate": ['
        "</script>"
    )
    page = live_page(broken, BLOCKS)
    blog = liveblog.find(page)
    assert blog is not None
    assert blog.found_in == "markup"
    assert [a.article.published for a in articles_of(page, tmp_path) if a.article] == [
        date(2022, 5, 5),
        date(2022, 5, 6),
    ]
    # With nothing else to go on, it is an ordinary page, read as before.
    dated = '<meta property="article:published_time" content="2022-05-04T07:00:00Z">'
    plain = live_page(broken + dated, f"<article>{LEAD}</article>")
    assert liveblog.find(plain) is None
    (item,) = articles_of(plain, tmp_path, "plain.html")
    assert item.article is not None
    assert item.article == html.parse(plain, name=str(tmp_path / "plain.html"))
    assert item.article.date_source == "html"


def test_a_live_blog_json_ld_without_updates_uses_its_blocks() -> None:
    posting = {"@type": ["NewsArticle", "LiveBlogPosting"], "headline": "Election night"}
    blocks = BLOCKS.replace('class="live-blog"', 'class="stream"')
    blog = liveblog.find(
        live_page(json_ld({"@graph": [posting]}), blocks).replace("live updates", "")
    )
    assert blog is not None
    assert (blog.found_in, blog.title, len(blog.updates)) == ("markup", "Election night", 2)


def test_other_pages_are_read_exactly_as_before(tmp_path: Path) -> None:
    markup = NEWS_PAGE.read_text(encoding="utf8")
    assert liveblog.find(markup) is None
    (item,) = articles_of(markup, tmp_path, "news.html")
    assert item.article == html.parse(markup, name="news.html")
    # Dated teasers of other stories are no live blog without a sign that the page is live.
    teasers = "".join(
        f'<article><time datetime="2022-05-0{d}">May {d}</time><p>Story {d} in brief.</p></article>'
        for d in (1, 2, 3)
    )
    page = (
        "<html><head><title>Live music returns to the city</title></head><body>"
        f"<article>{LEAD}</article><section class='related'>{teasers}</section></body></html>"
    )
    assert liveblog.find(page) is None
    assert liveblog.find(page.replace("'related'", "'related live-updates'")) is not None


def test_an_update_without_its_own_time_takes_the_page_date(tmp_path: Path) -> None:
    undated = [{"articleBody": "The ceasefire holds, officials said."}, UPDATES[2]]
    head = json_ld({**POSTING, "liveBlogUpdate": undated})
    head += '<meta property="article:published_time" content="2022-05-04T07:00:00Z">'
    got = [i.article for i in articles_of(live_page(head, LEAD), tmp_path) if i.article]
    assert [(a.published, a.date_source) for a in got] == [
        (date(2022, 5, 5), "liveblog"),
        (date(2022, 5, 4), "html"),
    ]
    assert got[1].url == URL + "#update-2"


def test_update_urls() -> None:
    moment = datetime(2022, 5, 5, 10, 0, tzinfo=UTC)
    update = liveblog.Update("t", moment, None, None)
    assert (
        liveblog._update_url(URL + "#top", update, 1) == URL + "#update-2022-05-05T10:00:00+00:00"
    )
    own = liveblog.Update("t", moment, None, "p7")
    assert liveblog._update_url(URL, own, 1) == URL + "#p7"
    relative = liveblog.Update("t", moment, None, "/live/post/7")
    assert liveblog._update_url(URL, relative, 1) == "https://news.example/live/post/7"
    assert liveblog._update_url(None, update, 1) is None
    assert liveblog._update_url(None, liveblog.Update("t", None, None, URL + "#p"), 1) == URL + "#p"


# --- no input makes it raise anything but our coded errors ---------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
UPDATE = st.fixed_dictionaries(
    {},
    optional={
        "datePublished": st.one_of(
            st.text(max_size=30), st.datetimes().map(datetime.isoformat), JSON
        ),
        "articleBody": st.one_of(st.text(max_size=80), JSON),
        "headline": st.one_of(st.text(max_size=20), JSON),
        "url": st.one_of(st.text(max_size=30), JSON),
        "@id": st.text(max_size=30),
    },
)
PIECES = st.sampled_from(
    [
        "<article>",
        "</article>",
        '<article class="update" id="x">',
        '<time datetime="2022-05-05T10:00:00Z">',
        '<time datetime="2022-13-45">',
        "</time>",
        "<p>",
        "</p>",
        "<h2>",
        '<div class="live-blog">',
        "</div>",
        '<script type="application/ld+json">',
        "</script>",
        '{"@type": "LiveBlogPosting", "liveBlogUpdate": [',
        "<?xml version='1.0' encoding='latin-1'?>",
        "<html><head><title>LIVE</title></head><body>",
    ]
)
MARKUP = st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=25).map("".join)


def must_not_raise(markup: str) -> None:
    blog = liveblog.find(markup)
    try:
        page, found = liveblog.read(markup, name="p.html", url=URL)
    except RumormillError:
        return
    assert (found is None) == (blog is None)
    if found is not None:
        for _, outcome in liveblog.articles(page, found, name="p.html", undated=True):
            assert not isinstance(outcome, Exception) or isinstance(outcome, RumormillError)


@given(MARKUP)
def test_any_markup_is_a_live_blog_or_not_and_never_an_uncoded_error(markup: str) -> None:
    must_not_raise(markup)


@given(st.lists(UPDATE, max_size=4), JSON)
def test_any_json_ld_is_read_or_ignored(updates: list[dict[str, Any]], extra: Any) -> None:
    posting: dict[str, Any] = {"@type": "LiveBlogPosting", "liveBlogUpdate": updates}
    for data in (posting, {"@graph": [extra, posting]}, extra):
        must_not_raise(live_page(json_ld(data), LEAD))


# --- into a store --------------------------------------------------------------------------------


@pytest.mark.model
def test_a_live_blog_is_ingested_one_article_per_update(tmp_path: Path, nlp: Language) -> None:
    page = tmp_path / "live.html"
    page.write_text(JSON_LD_PAGE, encoding="utf8")
    db = tmp_path / "live.db"
    report = ingest([str(page)], db=db, nlp=nlp)
    assert (report.read, report.ingested, report.rejected_total) == (3, 3, 0)
    # The page again, one update later: only the new update is new, and none is a revision.
    later = {
        "headline": "Officials meet",
        "datePublished": "2022-05-07T10:00:00Z",
        "articleBody": "Officials met on Saturday to discuss the reports, a spokesman said.",
    }
    page.write_text(
        live_page(json_ld({**POSTING, "liveBlogUpdate": [later, *UPDATES]}), LEAD), "utf8"
    )
    again = ingest([str(page)], db=db, nlp=nlp)
    assert (again.ingested, again.duplicates, again.revisions) == (1, 3, 0)
    with Store.open(db) as store:
        stored = list(store.articles())
        assert [s.article.published for s in stored] == [
            date(2022, 5, 5),
            date(2022, 5, 5),
            date(2022, 5, 6),
            date(2022, 5, 7),
        ]
        assert {s.date_source for s in stored} == {"liveblog"}
        assert len({s.article.url for s in stored}) == 4
        assert all(s.revision_of is None for s in stored)
        quoted = [a for s in stored for a in s.analysis.attributions]
        assert quoted
