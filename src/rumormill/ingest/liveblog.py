"""Live blogs: one page, many timestamped updates, each read as an article of its own.

A page is a live blog when

1. its JSON-LD holds a schema.org `LiveBlogPosting` whose `liveBlogUpdate` entries carry text
   (`articleBody`, else `text`, else `headline`), each with its `datePublished`; or, failing
   that (no such JSON-LD, or JSON-LD that does not parse),
2. its markup holds at least two sibling blocks (`<article>`, or an element whose class or id
   names an update, post or entry) that each carry a `<time datetime="...">`, and the page says
   it is live: a `LiveBlogPosting` type, or "live" (live blog, live updates, ...) in the class
   or id of the blocks or of what holds them, or in the page title.

Each update becomes an `Article` with its own day (`published`, `date_source="liveblog"`),
its headline (else the page title) and the page's outlet and language.  Its URL is the page
URL with the update's own anchor (its JSON-LD `url` / `@id`, or the block's `id`), else with
`#update-<its timestamp as given>`, else `#update-<n>` (counted from the oldest): every update
has a URL of its own, so that the store never takes one update for a revision of another.
An update that gives no time of its own takes the page's date.

`Article.published` is a day, and the fixed JSON contract has no field for a time, so the
update's full timestamp stays in `Update.moment` and, when the update has no anchor of its
own, in its URL fragment.  The day is the one written in the timestamp (the page's local day),
as for every other page date.

Nothing here raises on bad markup: a page that is not a live blog, or not one we can read, is
`None` from `find`, and is read as one article, exactly as before.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml.etree import LxmlError

from rumormill.errors import InputError
from rumormill.ingest import house, html, records
from rumormill.model import Article

DATE_SOURCE = "liveblog"
# No news update is older than this; an earlier "date" is a parsing accident.
EARLIEST = date(1990, 1, 1)
# How deep and how wide a JSON-LD document is walked looking for a LiveBlogPosting.
_MAX_DEPTH = 32
_MAX_NODES = 50_000
# A class or id that names one update of a live blog.
_UPDATE_BLOCK = re.compile(r"update|post|entry", re.IGNORECASE)
# In a class or id: "live", "liveblog", "live-blog", "live_updates", ... as a word, not
# "delivery", "olive", "Liverpool".
_LIVE_NAME = re.compile(
    r"(?<![a-z])live(?:[-_ ]?(?:blog|feed|updates?|coverage|stream|news))?(?![a-z])",
    re.IGNORECASE,
)
# In a page title, where "Live music returns" is no live blog: "live updates", "live blog",
# an upper-case "LIVE", "as it happened".
_LIVE_TITLE = re.compile(
    r"(?i:\blive[-_ ]?(?:blog|feed|updates?|coverage|news)\b)|\bLIVE\b|(?i:\bas it happened\b)"
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_OUTSIDE_CONTENT = frozenset({"nav", "aside", "footer"})


@dataclass(frozen=True)
class Update:
    """One update of a live blog, as the page gives it."""

    text: str
    moment: datetime | None  # its full timestamp (aware when the page gives an offset)
    headline: str | None
    anchor: str | None  # its own URL or fragment id, when the page gives one

    @property
    def published(self) -> date | None:
        return self.moment.date() if self.moment is not None else None


@dataclass(frozen=True)
class LiveBlog:
    """A live blog's updates in the page's order, and the live blog's own headline."""

    updates: tuple[Update, ...]
    title: str | None
    found_in: Literal["json-ld", "markup"]


# --- finding ------------------------------------------------------------------------------------


def find(markup: str) -> LiveBlog | None:
    """The live blog a page holds, or None (not a live blog, or markup we cannot read)."""
    lowered = markup.lower()
    if "liveblogposting" not in lowered and "datetime" not in lowered:
        return None  # the common case, without parsing the page
    root = _root(markup)
    if root is None:
        return None
    postings = list(_postings(root))
    for posting in postings:
        updates = tuple(u for u in _json_ld_updates(posting) if u is not None)
        if updates:
            return LiveBlog(updates, _string(posting.get("headline")), "json-ld")
    updates = _markup_updates(root, said_live=bool(postings))
    if updates:
        title = _string(postings[0].get("headline")) if postings else None
        return LiveBlog(updates, title, "markup")
    return None


def _root(markup: str) -> Any:
    # Bytes, not str: lxml refuses a str that declares its own encoding (<?xml ...?>).
    data = markup.encode("utf8", errors="replace")
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (LxmlError, ValueError):
        return None


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 date or time, when it is a plausible one for a news update."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    latest = datetime.now(UTC).date() + timedelta(days=1)
    return moment if EARLIEST <= moment.date() <= latest else None


def _string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


# --- JSON-LD ------------------------------------------------------------------------------------


def _postings(root: Any) -> Iterator[dict[str, Any]]:
    """Every LiveBlogPosting object in the page's JSON-LD; a script that does not parse is
    skipped."""
    for script in root.iter("script"):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue
        yield from _walk(data)


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack and seen < _MAX_NODES:
        node, depth = stack.pop()
        seen += 1
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in reversed(node))
        elif isinstance(node, dict):
            if _is_live_blog(node.get("@type")):
                yield node
                continue
            stack.extend((value, depth + 1) for value in reversed(node.values()))


def _is_live_blog(kind: Any) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(
        isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "LiveBlogPosting"
        for k in kinds
    )


def _json_ld_updates(posting: dict[str, Any]) -> Iterator[Update | None]:
    entries = posting.get("liveBlogUpdate")
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            continue
        headline = _string(entry.get("headline")) or _string(entry.get("name"))
        body = next((v for v in (entry.get("articleBody"), entry.get("text")) if _string(v)), None)
        text = _body_text(body) if isinstance(body, str) else None
        text = text or headline
        if not text:
            continue
        moment = _moment(entry.get("datePublished")) or _moment(entry.get("dateCreated"))
        anchor = _string(entry.get("url")) or _string(entry.get("@id"))
        yield Update(text, moment, headline if headline != text else None, anchor)


def _body_text(body: str) -> str:
    """An articleBody: plain text, or (some sites) HTML."""
    if "<" in body and ">" in body:
        return html.fragment_text(body)
    blocks = [" ".join(line.split()) for line in body.splitlines()]
    return "\n\n".join(b for b in blocks if b)


# --- markup -------------------------------------------------------------------------------------


def _is_block(element: Any) -> bool:
    if element.tag == "article":
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(_UPDATE_BLOCK.search(names))


def _markup_updates(root: Any, *, said_live: bool) -> tuple[Update, ...]:
    """The updates of `<article>`-like sibling blocks that each carry a `<time datetime>`: the
    largest group of such siblings (a page-wide `<article>` around them, or a dated byline
    block inside each, is a group of one)."""
    groups: dict[Any, list[Any]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not _is_block(element):
            continue
        if not any(_moment(t.get("datetime")) for t in element.iter("time")):
            continue
        if any(a.tag in _OUTSIDE_CONTENT for a in element.iterancestors()):
            continue
        groups.setdefault(element.getparent(), []).append(element)  # in document order
    if not groups:
        return ()
    parent, blocks = max(groups.items(), key=lambda kv: len(kv[1]))
    if len(blocks) < 2 or parent is None or not (said_live or _says_live(root, parent, blocks)):
        return ()
    updates = [_block_update(block) for block in blocks]
    found = tuple(u for u in updates if u is not None)
    return found if len(found) >= 2 else ()


def _says_live(root: Any, parent: Any, blocks: list[Any]) -> bool:
    names: list[str] = []
    for element in [*blocks, parent, *parent.iterancestors()]:
        names.extend((element.get("class") or "", element.get("id") or ""))
    if any(_LIVE_NAME.search(name) for name in names):
        return True
    titles = [t.text_content() for t in root.iter("title")]
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:title":
            titles.append(meta.get("content") or "")
    return any(_LIVE_TITLE.search(title) for title in titles)


def _block_update(block: Any) -> Update | None:
    moment = next(
        (m for t in block.iter("time") if (m := _moment(t.get("datetime"))) is not None), None
    )
    part = copy.deepcopy(block)
    headline: str | None = None
    for element in list(part.iter(*_HEADINGS)):
        headline = _string(element.text_content())
        if headline:
            element.drop_tree()
            break
    for element in list(part.iter("time", "script", "style", "button")):
        element.drop_tree()
    part.tail = None
    text = html.fragment_text(lxml.html.tostring(part, encoding="unicode"))
    text = text or (headline or "")
    if not text:
        return None
    return Update(text, moment, headline if headline != text else None, _string(block.get("id")))


# --- reading ------------------------------------------------------------------------------------


def read(markup: str, *, name: str, url: str | None) -> tuple[html.Page, LiveBlog | None]:
    """A page and the live blog it holds (None for any other page).  A page that is not a live
    blog is `html.extract`'s, with its E009 when it has no main text; a live blog's page
    whose main text trafilatura cannot find still has its updates."""
    blog = find(markup)
    try:
        return html.extract(markup, name=name, url=url), blog
    except InputError:
        if blog is None:
            raise
    published, source = html.page_dated(markup, url=url)
    page = html.Page(
        text="",
        title=blog.title,
        sitename=None,
        domain=records.url_domain(url),
        url=url,
        language="en",
        published=published,
        date_source=source,
    )
    return page, blog


def articles(
    page: html.Page,
    blog: LiveBlog,
    *,
    name: str,
    published: date | None = None,
    date_source: str = "option",
    outlet: str | None = None,
    title: str | None = None,
    undated: bool = False,
) -> Iterator[tuple[str, Article | InputError]]:
    """One article per update, oldest first, each named `<name>#update <n>`; or the coded
    reason one cannot be (no date and not `undated`: E006).  An update without a time of its
    own takes the page's date, else `published` (from `date_source`), as `html.article_of`."""
    if page.published is not None:
        published, date_source = page.published, page.date_source or "html"
    ordered = sorted(
        enumerate(blog.updates),
        key=lambda iu: (iu[1].moment is None, _sortable(iu[1].moment), -iu[0]),
    )
    for n, (_, update) in enumerate(ordered, start=1):
        where = f"{name}#update {n}"
        day, source = published, date_source
        if update.published is not None:
            day, source = update.published, DATE_SOURCE
        try:
            article = house.article_from_body(
                update.text,
                name=where,
                published=day,
                date_source=source,
                undated=undated,
                outlet=page.sitename or outlet,
                url=_update_url(page.url, update, n),
                title=update.headline or blog.title or page.title or title,
                language=page.language,
                last_outlet=page.domain,
            )
        except InputError as e:
            yield where, e
            continue
        yield where, article


def _sortable(moment: datetime | None) -> datetime:
    """Naive and aware times in one order: a naive time is taken as UTC."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _update_url(page_url: str | None, update: Update, n: int) -> str | None:
    """The update's own URL: its anchor (absolute, relative or a fragment id) against the
    page's URL, else the page's URL with `#update-<timestamp>` or `#update-<n>`."""
    if page_url is None:
        return update.anchor if update.anchor and _URL.match(update.anchor) else None
    try:
        parts = urlsplit(page_url)
    except ValueError:
        return page_url
    base = urlunsplit(parts._replace(fragment=""))
    if update.anchor:
        anchor = update.anchor
        if not anchor.startswith("#") and not _URL.match(anchor) and "/" not in anchor:
            anchor = "#" + anchor  # an element id
        own = urljoin(base, anchor)
        if own != base:
            return own
    stamp = update.moment.isoformat() if update.moment is not None else str(n)
    return f"{base}#update-{stamp}"


_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
