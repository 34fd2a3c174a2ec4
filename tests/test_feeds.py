"""RSS and Atom feeds: an entry with full text is an article; one with a summary only needs
its page among the inputs; a bad feed is a coded error."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import feeds
from rumormill.ingest.html import fragment_text
from rumormill.ingest.sources import Options, read_items
from tests.test_html import BODY, page

FULL = (
    "<p>The minister resigned on Thursday, officials said.</p>"
    "<p>“I leave with a clear conscience,” she told reporters.</p>"
)


def rss(items: str | None = None, *, title: str = "The Courier") -> str:
    """An RSS 2.0 feed; by default one entry with full text and one with a summary only."""
    if items is None:
        items = (
            "<item><title>Minister quits</title><link>https://courier.example/quits</link>"
            "<pubDate>Tue, 10 Jun 2003 23:30:00 -0500</pubDate>"
            "<description>Short.</description>"
            f"<content:encoded><![CDATA[{FULL}]]></content:encoded></item>"
            "<item><title>Summary only</title><link>https://courier.example/summary</link>"
            "<pubDate>Wed, 11 Jun 2003 08:00:00 GMT</pubDate>"
            "<description>Just a teaser.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://courier.example/</link>"
        f"<language>en-us</language>{items}</channel></rss>"
    )


def atom(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>'
        f"<id>urn:x</id><updated>2021-03-04T10:00:00Z</updated>{entries}</feed>"
    )


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf8")
    return str(path)


def test_an_rss_entry_with_full_content(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.xml", rss())
    items = list(read_items([feed]))
    first = items[0]
    assert first.name == f"{feed}#entry 1"
    article = first.article
    assert article is not None
    assert article.text == (
        "The minister resigned on Thursday, officials said.\n\n"
        "“I leave with a clear conscience,” she told reporters."
    )
    assert article.published == date(2003, 6, 10)  # the entry's own day, not UTC's
    assert article.date_source == "feed"
    assert article.outlet == "The Courier"
    assert article.title == "Minister quits"
    assert article.url == "https://courier.example/quits"
    # The summary-only entry has no page among the inputs: refused, at the end.
    last = items[-1]
    assert last.name == f"{feed}#entry 2"
    assert last.error is not None
    assert last.error.code is Errors.E017
    assert "a summary only" in str(last.error)
    assert "https://courier.example/summary" in str(last.error)
    assert feed in str(last.error)


def test_an_atom_entry_with_html_content() -> None:
    entry = (
        "<entry><title>Rift</title><link href='https://wire.example/rift'/><id>urn:1</id>"
        "<updated>2021-03-04T23:30:00+02:00</updated>"
        f"<content type='html'>{escape(FULL)}</content></entry>"
    )
    (only,) = feeds.entries(atom(entry).encode(), name="wire.atom")
    assert only.name == "wire.atom#entry 1"
    article = feeds.article_of(only)
    assert article.published == date(2021, 3, 4)
    assert article.outlet == "Atom Wire"
    assert article.text.startswith("The minister resigned")


def _page_with(url: str, *, dated: bool) -> str:
    head = f'<link rel="canonical" href="{url}"><title>Summary only, the page</title>'
    if dated:
        head += '<meta property="article:published_time" content="2003-06-12">'
    return page(head)


@pytest.mark.parametrize("feed_first", [True, False])
def test_a_summary_only_entry_is_matched_with_its_page(tmp_path: Path, feed_first: bool) -> None:
    feed = write(tmp_path / "b-feed.xml", rss())
    local = write(
        tmp_path / "a-page.html", _page_with("http://www.courier.example/summary/", dated=False)
    )
    inputs = [feed, local] if feed_first else [local, feed]
    items = list(read_items(inputs))
    assert all(item.article is not None for item in items), [i.error for i in items]
    by_name = {item.name: item.article for item in items}
    assert set(by_name) == {f"{feed}#entry 1", local}  # the entry is its page: one article
    article = by_name[local]
    assert article is not None
    assert article.published == date(2003, 6, 11)  # the page has none: the entry's
    assert article.date_source == "feed"
    assert article.outlet == "The Courier"  # the page names no site: the feed's title
    assert article.text.startswith("The minister resigned on Thursday")


def test_the_pages_own_date_wins_over_the_entry(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.xml", rss())
    local = write(tmp_path / "page.html", _page_with("https://courier.example/summary", dated=True))
    article = next(i.article for i in read_items([feed, local]) if i.name == local)
    assert article is not None
    assert (article.published, article.date_source) == (date(2003, 6, 12), "html")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<rss><channel><title>Broken", "not well-formed"),
        (rss(""), "no entries"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'>\x01\x02<entry>", "not well-formed"),
    ],
)
def test_a_bad_feed_is_coded(tmp_path: Path, text: str, says: str) -> None:
    bad = write(tmp_path / "bad.xml", text)
    good = write(tmp_path / "good.txt", "date 2022-05-05 Still read.")
    items = list(read_items([bad, good]))
    assert items[0].error is not None
    assert items[0].error.code is Errors.E016
    assert says in str(items[0].error)
    assert bad in str(items[0].error)
    assert items[-1].article is not None


def test_entries_without_text_or_link_or_date(tmp_path: Path) -> None:
    entries = (
        "<item><title>No link</title><description>Teaser.</description></item>"
        f"<item><title>Undated</title><link>https://c.example/u</link>"
        f"<content:encoded><![CDATA[{FULL}]]></content:encoded></item>"
        f"<item><title>In the URL</title><link>https://c.example/2020/02/03/x</link>"
        f"<content:encoded><![CDATA[{FULL}]]></content:encoded></item>"
    )
    feed = write(tmp_path / "feed.rss", rss(entries))
    items = list(read_items([feed]))
    assert items[0].error is not None
    assert items[0].error.code is Errors.E017
    assert "no link" in str(items[0].error)
    assert items[1].error is not None
    assert items[1].error.code is Errors.E006
    assert f"{feed}#entry 2" in str(items[1].error)
    assert items[2].article is not None
    assert (items[2].article.published, items[2].article.date_source) == (date(2020, 2, 3), "url")
    kept = list(read_items([feed], Options(undated=True)))
    assert kept[1].article is not None
    assert kept[1].article.published is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<?xml version='1.0'?>\n<rss version='2.0'>", True),
        ("\ufeff<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!-- x --><feed>", True),
        ("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
        ("<html><body>rss</body></html>", False),
        ("date 2022-05-05 The <rss> tag.", False),
    ],
)
def test_is_feed(head: str, expected: bool) -> None:
    assert feeds.is_feed(head) is expected


def test_fragment_text_keeps_paragraphs() -> None:
    markup = "<p>One <b>bold</b>.</p><script>x()</script><p>Two</p>three<br><br>four<!-- c --> end"
    assert fragment_text(markup) == "One bold.\n\nTwo\n\nthree\n\nfour end"
    assert fragment_text("") == ""
    assert BODY  # the same paragraphs the HTML reader sees


words = st.text(alphabet="abcdefghij klmnopqrstuvwxyz.,“”’", min_size=1, max_size=40).filter(
    lambda s: s.strip() and not s.strip().startswith("(")
)


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(st.lists(words, min_size=1, max_size=3), st.dates(min_value=date(1990, 1, 1))),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_generated_entries_round_trip(entries: list[tuple[list[str], date]], as_atom: bool) -> None:
    parts = []
    for number, (paragraphs, day) in enumerate(entries, start=1):
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        if as_atom:
            parts.append(
                f"<entry><title>E{number}</title><id>urn:{number}</id>"
                f"<link href='https://x.example/e{number}'/>"
                f"<published>{day.isoformat()}T12:00:00Z</published>"
                f"<content type='html'>{escape(body)}</content></entry>"
            )
        else:
            stamp = day.strftime("%a, %d %b %Y 12:00:00 +0000")
            parts.append(
                f"<item><title>E{number}</title><link>https://x.example/e{number}</link>"
                f"<pubDate>{stamp}</pubDate>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
            )
    document = atom("".join(parts)) if as_atom else rss("".join(parts))
    found = list(feeds.entries(document.encode(), name="f"))
    assert len(found) == len(entries)
    for entry, (paragraphs, day) in zip(found, entries, strict=True):
        article = feeds.article_of(entry)
        expected = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.split())
        assert article.text == expected.strip()
        assert article.published == day


def test_article_of_refuses_an_entry_without_text() -> None:
    (summary,) = [e for e in feeds.entries(rss().encode(), name="f") if e.text is None]
    with pytest.raises(InputError) as info:
        feeds.article_of(summary)
    assert info.value.code is Errors.E017
