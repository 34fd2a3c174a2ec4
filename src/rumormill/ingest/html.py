"""One HTML page: main text, title, site name and URL through trafilatura, the date through
htmldate.  Both work on the given markup only; nothing is fetched.

The page's own values win; `published` and `outlet` fill in what the page does not say.
The date is htmldate's conservative reading of the page (metadata, URL, marked-up dates);
a page without one and no `published` is refused (E006): no date is ever invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.html
import trafilatura
from lxml.etree import LxmlError

from rumormill.errors import Errors, InputError
from rumormill.ingest import house, records
from rumormill.model import Article, Link


def page_date(html: str, *, url: str | None = None) -> date | None:
    """The publication date the page states, or None."""
    try:
        found = htmldate.find_date(
            html, extensive_search=False, original_date=True, url=url, outputformat="%Y-%m-%d"
        )
    except (ValueError, LxmlError):
        return None
    return date.fromisoformat(found) if found else None


def paragraphs(text: str, *, title: str | None = None) -> str:
    """trafilatura puts one block per line; blank lines mark paragraphs for our sentence
    splitter and quote continuation.  A leading headline that repeats the title is dropped:
    the title is kept apart, in `Article.title`."""
    blocks = [line.strip() for line in text.splitlines() if line.strip()]
    if title and len(blocks) > 1 and " ".join(blocks[0].split()) == " ".join(title.split()):
        blocks = blocks[1:]
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Page:
    """What one HTML page says: its main text (paragraphs), metadata and date."""

    text: str
    title: str | None
    sitename: str | None  # as the page names itself (og:site_name, ...)
    domain: str | None  # trafilatura's guess when the page names no site: the URL's host
    url: str | None
    language: str
    published: date | None
    date_source: str | None  # "url" when the date is the one in the page's URL, else "html"
    links: tuple[Link, ...] = ()  # the anchors of the main text (`main_links`)


def page_dated(html: str, *, url: str | None = None) -> tuple[date | None, str | None]:
    """The page's date and where it came from: "url" when htmldate took the date written in
    the URL (it looks there first), "html" when the page's metadata or markup gave it."""
    found = page_date(html, url=url)
    if found is None:
        return None, None
    return found, "url" if records.url_date(url) == found else "html"


def extract(html: str, *, name: str = "<html>", url: str | None = None) -> Page:
    """The main text and metadata of one page; E009 when it has no main text."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            output_format="python",
        )
    except (ValueError, LxmlError) as e:
        raise InputError(Errors.E009, path=name, reason=f"unparsable markup ({e})") from e
    if doc is None or isinstance(doc, dict) or not doc.text or not doc.text.strip():
        raise InputError(Errors.E009, path=name, reason="no article body found")
    page_url = doc.url or url
    published, source = page_dated(html, url=page_url)
    sitename, domain = doc.sitename or None, None
    if sitename and page_url and sitename.casefold() in _hosts(page_url):
        # No name of its own: trafilatura's guess from the URL, kept as a last resort.
        sitename, domain = None, records.url_domain(page_url) or sitename
    return Page(
        text=paragraphs(doc.text, title=doc.title),
        title=doc.title or None,
        sitename=sitename,
        domain=domain,
        url=page_url,
        language=doc.language or "en",
        published=published,
        date_source=source,
        links=main_links(html, url=page_url),
    )


_ANCHOR = re.compile(r"<a\s[^>]*href", re.IGNORECASE)


def main_links(html: str, *, url: str | None = None) -> tuple[Link, ...]:
    """The anchors of the page's main content, as trafilatura finds it (not the navigation,
    the footer or the related-stories boxes: those link everywhere and cite nothing), with
    their URLs made absolute against the page's URL; only http(s) targets, each once.

    A second trafilatura pass with `include_links`: the text of `extract` comes from a pass
    without links, so that the text (and every article id) is exactly as before links were
    kept.  A page with no anchor is not read twice."""
    if not _ANCHOR.search(html):
        return ()
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            include_links=True,
            output_format="python",
        )
    except (ValueError, LxmlError):
        return ()
    body = getattr(doc, "body", None)
    if doc is None or isinstance(doc, dict) or body is None:
        return ()
    found: dict[str, Link] = {}
    for ref in body.iter("ref"):
        target = (ref.get("target") or "").strip()
        if url and not urlsplit(target).scheme:
            target = urljoin(url, target)
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            continue
        text = " ".join("".join(ref.itertext()).split())
        found.setdefault(target, Link(target, text))
    return tuple(found.values())


def article_of(
    page: Page,
    *,
    name: str,
    published: date | None = None,
    date_source: str = "option",
    outlet: str | None = None,
    title: str | None = None,
    undated: bool = False,
) -> Article:
    """A page's Article.  The page's own date, site name and title win; `published` (from
    `date_source`), `outlet` and `title` fill gaps; then the credit line, then the URL's
    host gives the outlet."""
    if page.published is not None:
        published, date_source = page.published, page.date_source or "html"
    return house.article_from_body(
        page.text,
        name=name,
        published=published,
        date_source=date_source,
        undated=undated,
        outlet=page.sitename or outlet,
        url=page.url,
        title=page.title or title,
        language=page.language,
        last_outlet=page.domain,
        links=page.links,
    )


def _hosts(url: str) -> set[str]:
    """A URL's host as trafilatura may give it for a site name, in lower case."""
    try:
        netloc = urlsplit(url).netloc.rpartition("@")[2].casefold()
    except ValueError:
        return set()
    hosts = {netloc, netloc.rpartition(":")[0] if ":" in netloc else netloc}
    return {re.sub(r"^(?:www|w\d+)\.", "", host) for host in hosts} | hosts


def parse(
    html: str,
    *,
    name: str = "<html>",
    published: date | None = None,
    outlet: str | None = None,
    url: str | None = None,
    undated: bool = False,
) -> Article:
    """Extract the article of one HTML page."""
    page = extract(html, name=name, url=url)
    return article_of(page, name=name, published=published, outlet=outlet, undated=undated)


# Elements that start and end a paragraph of their own in a fragment (a feed entry's
# content); `br` too, because feeds often write paragraphs as `text<br><br>text`.
_BLOCKS = frozenset(
    """
    address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4
    h5 h6 header hr li main nav ol p pre section table td th tr ul
    """.split()
)
_SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object"})


def fragment_text(markup: str) -> str:
    """The text of an HTML fragment (a feed entry's content), one paragraph per block,
    blank lines between.  Unlike `extract()`, it keeps all the text: a fragment is the
    article already, with no page chrome around it."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (LxmlError, ValueError):
        return ""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    # An explicit stack, not recursion: a fragment may nest deeply.  ("end", element) marks
    # where an element closes; its tail follows it.
    stack: list[tuple[str, Any]] = [("start", root)]
    while stack:
        event, element = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if event == "start":
            if tag is not None and tag not in _SKIPPED:
                if tag in _BLOCKS:
                    flush()
                current.append(element.text or "")
                stack.append(("end", element))
                stack.extend(("start", child) for child in reversed(element))
                continue
            # A comment, a processing instruction or a skipped element: only its tail.
        elif tag in _BLOCKS:
            flush()
        if element is not root:
            current.append(element.tail or "")
    flush()
    return "\n\n".join(blocks)
