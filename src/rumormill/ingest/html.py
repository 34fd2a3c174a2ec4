"""One HTML page: main text, title, site name and URL through trafilatura, the date through
htmldate.  Both work on the given markup only; nothing is fetched.

The page's own values win; `published` and `outlet` fill in what the page does not say.
The date is htmldate's conservative reading of the page (metadata, URL, marked-up dates);
a page without one and no `published` is refused (E006): no date is ever invented.
"""

from __future__ import annotations

from datetime import date

import htmldate
import trafilatura
from lxml.etree import LxmlError

from rumormill.errors import Errors, InputError
from rumormill.ingest import house
from rumormill.model import Article


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


def parse(
    html: str,
    *,
    name: str = "<html>",
    published: date | None = None,
    outlet: str | None = None,
    url: str | None = None,
) -> Article:
    """Extract the article of one HTML page."""
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
    return house.article_from_body(
        paragraphs(doc.text, title=doc.title),
        name=name,
        published=page_date(html, url=page_url) or published,
        outlet=doc.sitename or outlet,
        url=page_url,
        title=doc.title or None,
        language=doc.language or "en",
    )
