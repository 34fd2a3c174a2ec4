"""HTML input: main text, title, date and outlet from the page itself; never an invented date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import html
from tests.conftest import ROOT

NEWS_PAGE = ROOT / "tests" / "data" / "news-page.html"

BODY = (
    "<p>The minister resigned on Thursday, officials said, after weeks of rumors about a "
    "rift with the president.</p>\n"
    "<p>“I leave with a clear conscience,” she told reporters outside the ministry.</p>\n"
)


def page(head: str = "", body: str = BODY) -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def test_realistic_news_page() -> None:
    article = html.parse(NEWS_PAGE.read_text(encoding="utf8"), name="news-page.html")
    assert article.title == "Kremlin insiders plot against Putin, reports claim"
    assert article.published == date(2022, 5, 6)  # published, not modified
    assert article.outlet == "The Daily Courier"
    assert article.url == "https://www.dailycourier.example/world/europe/kremlin-insiders-plot"
    assert article.credit == "AP"
    text = article.text
    assert text.startswith("Rumors about high-level Kremlin officials")
    assert text.endswith("did not respond to a request for comment on Friday.")
    assert "“Does it matter? It matters a lot,” Russian security expert Andrei Soldatov" in text
    for chrome in ("cookies", "Related stories", "Subscribe", "All rights reserved", "Politics"):
        assert chrome not in text
    # One paragraph per block, separated by blank lines.
    assert "news reports.\n\nThe head of the FSB" in text


def test_title_and_date_from_metadata() -> None:
    head = (
        "<title>Minister quits</title>"
        '<meta property="article:published_time" content="2021-03-04T10:00:00Z">'
    )
    article = html.parse(page(head), name="p.html")
    assert article.title == "Minister quits"
    assert article.published == date(2021, 3, 4)
    assert article.text.startswith("The minister resigned on Thursday")
    assert "\n\n“I leave with a clear conscience,”" in article.text


def test_the_page_date_wins_over_the_argument() -> None:
    head = '<meta property="article:published_time" content="2021-03-04T10:00:00Z">'
    assert html.parse(page(head), published=date(2000, 1, 1)).published == date(2021, 3, 4)


def test_no_date_is_ever_invented() -> None:
    with pytest.raises(InputError) as info:
        html.parse(page("<title>Minister quits</title>"), name="undated.html")
    assert info.value.code is Errors.E006
    assert "undated.html" in str(info.value)
    given_date = html.parse(page(), name="undated.html", published=date(2021, 1, 2))
    assert given_date.published == date(2021, 1, 2)


def test_outlet_from_argument_then_credit() -> None:
    head = '<meta property="article:published_time" content="2021-03-04">'
    assert html.parse(page(head), outlet="The Courier").outlet == "The Courier"
    credited = html.parse(page(head, BODY + "<p>(Reuters)</p>"))
    assert credited.credit == "Reuters"
    assert credited.outlet == "Reuters"
    assert "(Reuters)" not in credited.text


def test_an_xml_declaration_with_an_encoding_is_fine() -> None:
    markup = '<?xml version="1.0" encoding="utf-8"?>' + page()
    article = html.parse(markup, published=date(2021, 1, 2))
    assert article.text.startswith("The minister resigned")


@pytest.mark.parametrize(
    "markup",
    [
        "<html><head><title>Empty</title></head><body></body></html>",
        "<html><body><script>var x = 1;</script><style>p {color: red}</style></body></html>",
        "<!DOCTYPE html><html><body>   </body></html>",
    ],
)
def test_a_page_without_main_text_is_refused(markup: str) -> None:
    with pytest.raises(InputError) as info:
        html.parse(markup, name="empty.html", published=date(2021, 1, 2))
    assert info.value.code is Errors.E009
    assert "empty.html" in str(info.value)


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_any_text_is_an_article_or_an_input_error(text: str) -> None:
    try:
        article = html.parse(text, name="x", published=date(2022, 1, 1))
    except InputError:
        return
    assert article.text.strip()
    assert article.published is not None


tags = st.sampled_from(["p", "div", "article", "span", "nav", "script", "h1", "time", "meta"])
fragments = st.recursive(
    st.text(max_size=40),
    lambda inner: (
        st.builds(
            lambda tag, parts: f"<{tag}>{''.join(parts)}</{tag}>", tags, st.lists(inner, max_size=3)
        )
        | st.builds(
            lambda tag, parts: f"<{tag}>{''.join(parts)}", tags, st.lists(inner, max_size=3)
        )
    ),
    max_leaves=10,
)


@settings(max_examples=50, deadline=None)
@given(fragments)
def test_any_tag_soup_is_an_article_or_an_input_error(fragment: str) -> None:
    try:
        article = html.parse(f"<html><body>{fragment}</body></html>", name="x")
    except InputError:
        return
    assert article.text.strip()
    assert article.published is not None
