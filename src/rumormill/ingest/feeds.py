"""RSS and Atom feeds (feedparser): one article per entry.

An entry is an article when the feed carries its full text (RSS `content:encoded`, Atom
`content`); its HTML becomes paragraphs (`html.fragment_text`).  A summary alone is not an
article: such an entry needs its page, matched by URL among the other inputs
(`sources.read_items` does that), or it is refused (E017).

The entry's date (`published`, else `updated`) is read as the feed writes it, in the
entry's own time zone; the feed's title is the raw outlet name.  A feed is one document,
bounded like any other; a feed that feedparser cannot read, or with no entries, is E016.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from rumormill.errors import Errors, InputError
from rumormill.ingest import house, html, records
from rumormill.model import Article

logger = logging.getLogger(__name__)

# A feed's root element, after an XML declaration, processing instructions (stylesheets),
# comments or a doctype.  An ingest concern, kept beside its one user.
_FEED_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*"
    r"<(?:rss|feed|rdf:RDF)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_SUBSTANCE = ("title", "link", "id", "summary", "content")


def is_feed(head: str) -> bool:
    """True when a text starts like an RSS, RDF or Atom feed."""
    return _FEED_START.match(head.lstrip("\ufeff")) is not None


@dataclass(frozen=True)
class Entry:
    """One feed entry, as the feed gives it."""

    name: str  # "feed.xml#entry 3"
    title: str | None
    link: str | None
    published: date | None  # the entry's own date
    outlet: str | None  # the feed's title
    language: str
    text: str | None  # the full content as text; None when the feed gives a summary only
    reason: str  # why `text` is None: "a summary only", "no content", "its content is empty"


def entries(data: bytes, *, name: str) -> Iterator[Entry]:
    """Every entry of a feed document.  E016 when it is no readable feed."""
    # A stream, never bytes or str: feedparser takes a string for a URL or a file name.
    parsed = feedparser.parse(io.BytesIO(data))
    found = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem and not any(any(entry.get(k) for k in _SUBSTANCE) for entry in found):
        found = []  # what a lenient parse made of broken markup, not entries
    if not found:
        reason = f"not well-formed ({problem})" if problem else "no entries"
        raise InputError(Errors.E016, path=name, reason=reason)
    if problem:
        logger.info("%s: a malformed feed, read leniently: %s", name, problem)
    feed = parsed.get("feed") or {}
    outlet = _clean(feed.get("title"))
    language = _language(feed.get("language"))
    for number, entry in enumerate(found, start=1):
        where = f"{name}#entry {number}"
        text, reason = _content(entry)
        yield Entry(
            name=where,
            title=_clean(entry.get("title")),
            link=_clean(entry.get("link")),
            published=_date(entry),
            outlet=outlet,
            language=_language(entry.get("language")) if entry.get("language") else language,
            text=text,
            reason=reason,
        )


def article_of(
    entry: Entry,
    *,
    published: date | None = None,
    outlet: str | None = None,
    undated: bool = False,
) -> Article:
    """An entry with full text -> Article (E017 without).  The entry's date and the feed's
    title win; `published` and `outlet` fill gaps."""
    if entry.text is None:
        raise InputError(Errors.E017, path=entry.name, reason=entry.reason)
    when, source = entry.published, "feed"
    if when is None and (found := records.url_date(entry.link)):
        when, source = found, "url"
    if when is None:
        when, source = published, "option"
    return house.article_from_body(
        entry.text,
        name=entry.name,
        published=when,
        date_source=source,
        undated=undated,
        outlet=entry.outlet or outlet,
        url=entry.link,
        title=entry.title,
        language=entry.language,
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _language(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip().split("-")[0].split("_")[0].lower()
    return "en"


def _content(entry: Mapping[str, Any]) -> tuple[str | None, str]:
    """The entry's full text, or None and why not."""
    for content in entry.get("content") or []:
        value = content.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        kind = (content.get("type") or "text/html").lower()
        text = html.fragment_text(value) if kind in _HTML_TYPES else value.strip()
        if text.strip():
            return text, ""
    if entry.get("content"):
        return None, "its content is empty"
    if entry.get("summary"):
        return None, "a summary only"
    return None, "no content"


def _date(entry: Mapping[str, Any]) -> date | None:
    """The entry's date as written (its own local date), else feedparser's reading (UTC)."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            try:
                return records.parse_date(raw, name="")
            except InputError:
                pass
        parsed = entry.get(key + "_parsed")
        if parsed:
            try:
                return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except (AttributeError, ValueError):
                continue
    return None
