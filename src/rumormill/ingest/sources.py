"""Every article of many inputs, streamed: `read_items()`, the entry point of batch ingest.

An input is a file, a folder (read recursively, in sorted order, hidden files skipped), a
glob pattern (expanded here, sorted), `-` (standard input) or an http(s) URL (through a
`fetch.Fetcher`).  Each yields `Item`s: an article, or the coded reason one was refused,
named so that a user can find it (`crawl.warc.gz#record 12`, `feed.xml#entry 3`,
`records.csv:line 7`).  Nothing in one input stops the others, and no input is held whole
in memory unless it is one document (bounded by `max_bytes`).

The format is recognised by content (the first bytes), never by the name alone:

- gzip / bz2 (magic bytes): decompressed as a stream, then recognised again;
- WARC (`WARC/1.x`): each archived HTML page (`warc.py`);
- RSS / Atom / RDF: each entry (`feeds.py`);
- JSON / JSON Lines (`{`): each record (`jsonl.py`); `[`: one document, as `read_article`;
- HTML (a doctype or a page-level tag): one page (`html.py`);
- CSV with a header naming a text column, or any text in a `.csv` / `.tsv` file
  (`csvfile.py`);
- else the house format or plain text (`house.py`).

Feed entries with a summary only are matched, by URL, with the HTML pages among the inputs:
feed files are read first (a pass over the inputs' first bytes finds them), and a page that
is an entry's is one article with the entry's date, feed title and title filling its gaps.
An entry whose page never comes is refused at the end (E017).

Dates are never invented (see `Article.date_source` for where each comes from); with
`undated`, an article without one is kept with `published=None`.  The outlet is the
input's own (record field, feed title, page site name), else `outlet`, else the closing
credit line, else the URL's domain.
"""

from __future__ import annotations

import glob
import io
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal
from urllib.parse import urlsplit

from rumormill.errors import Errors, InputError, RumormillError
from rumormill.ingest import (
    compressed,
    csvfile,
    detect_format,
    feeds,
    files,
    house,
    html,
    jsonl,
    liveblog,
    records,
    warc,
)
from rumormill.ingest.fetch import SCHEMES, Fetcher
from rumormill.ingest.records import DEFAULT_FIELDS, FieldMap
from rumormill.model import Article

logger = logging.getLogger(__name__)

# Enough of an input to recognise its format (a feed's root element after a long XML
# prologue, a CSV header).
HEAD = 16 * 1024
# A gzip of a gzip is fine; deeper nesting is not an input anyone means.
_MAX_NESTING = 3
_COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2")
_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Item:
    """One article of an input, or why one was refused: exactly one of the two is set."""

    name: str  # a path, a URL, "-", "a.warc.gz#record 12", "feed.xml#entry 3", "a.csv:line 7"
    article: Article | None = None
    error: RumormillError | None = None

    def __post_init__(self) -> None:
        if (self.article is None) == (self.error is None):
            raise TypeError("an Item has exactly one of article and error")


@dataclass(frozen=True)
class Options:
    """How `read_items()` reads: what fills the inputs' gaps, and the limits."""

    published: date | None = None  # --date: for inputs that give no date
    outlet: str | None = None  # --outlet: for inputs that name no outlet
    fields: FieldMap = DEFAULT_FIELDS  # the field names of JSON and CSV records
    max_bytes: int = files.MAX_BYTES  # one document, record or page
    undated: bool = False  # keep an undated article (published=None) instead of E006
    fetch: Fetcher | None = None  # for http(s) inputs; None: they are refused (E052)


def read_items(inputs: Sequence[str], options: Options = Options()) -> Iterator[Item]:
    """Every article, or rejection, of every input, streamed in a stable order (feed files
    first, then the inputs in the order given, each folder and glob sorted)."""
    batch = _Batch(options)
    feed_files: set[Path] = set()
    for source in _expand(inputs):
        if source.path is not None and _is_feed_file(source.path, options):
            feed_files.add(source.path)
            yield from batch.read(source)
    for source in _expand(inputs):
        if source.path is not None and source.path in feed_files:
            continue
        yield from batch.read(source)
    yield from batch.unmatched()


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    name: str
    kind: Literal["file", "stdin", "url", "error"]
    path: Path | None = None
    error: InputError | None = None


def _expand(inputs: Sequence[str]) -> Iterator[_Source]:
    for given in inputs:
        if given == "-":
            yield _Source("-", "stdin")
        elif _URL.match(given):
            yield _Source(given, "url")
        elif os.path.lexists(given):
            yield from _walk(Path(given), given=given)
        elif _GLOB.search(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                error = InputError(Errors.E053, path=given, reason="no file matches the pattern")
                yield _Source(given, "error", error=error)
            for match in matches:
                yield from _walk(Path(match), given=match)
        else:
            yield _Source(given, "file", path=Path(given))  # missing: E001 when read


def _walk(path: Path, *, given: str) -> Iterator[_Source]:
    """A file, or every visible file under a folder, in sorted order of their paths
    (a folder's files and subfolders by name, each subfolder read where it sorts)."""
    if not path.is_dir():
        yield _Source(str(path), "file", path=path)
        return
    found = False
    # A stack of the entries still to visit, per open folder: no recursion, no list of
    # the whole tree.
    stack: list[Iterator[os.DirEntry[str]]] = []
    listing = _listing(path)
    if isinstance(listing, _Source):
        yield listing
        return
    stack.append(listing)
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if not is_dir:
            found = True
            yield _Source(entry.path, "file", path=Path(entry.path))
            continue
        listing = _listing(Path(entry.path))
        if isinstance(listing, _Source):
            yield listing
        else:
            stack.append(listing)
    if not found:
        error = InputError(Errors.E053, path=given, reason="the folder holds no (visible) file")
        yield _Source(given, "error", error=error)


def _listing(folder: Path) -> Iterator[os.DirEntry[str]] | _Source:
    """A folder's entries by name, or the E001 for an unreadable one."""
    try:
        with os.scandir(folder) as entries:
            return iter(sorted(entries, key=lambda e: e.name))
    except OSError as e:
        error = InputError(Errors.E001, path=folder, reason=e.strerror or str(e))
        return _Source(str(folder), "error", error=error)


def _is_feed_file(path: Path, options: Options) -> bool:
    """Whether a file is a feed, by its first bytes (a gzip or bz2 one too).  Only a regular
    file is looked at: reading the head of a pipe would take it from the real read."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as f:
            head = files.read_head(f, HEAD)
    except OSError:
        return False
    for _ in range(_MAX_NESTING):
        kind = compressed.kind_of(head)
        if kind is None:
            break
        try:
            head = compressed.peek(head, kind, name=str(path), size=HEAD)
        except InputError:
            return False
    return feeds.is_feed(_sniff(head))


def _sniff(head: bytes) -> str:
    """The first bytes as text, for recognising a format (never for reading it)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _suffix(name: str) -> str:
    """The format suffix of a path or URL, past compression suffixes: 'a.csv.gz' -> '.csv'."""
    path = urlsplit(name).path if _URL.match(name) else name
    suffixes = [s.lower() for s in PurePosixPath(path.replace("\\", "/")).suffixes]
    while suffixes and suffixes[-1] in _COMPRESSED_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _url_key(url: str | None) -> str | None:
    """A URL as matched between a feed entry and a page: no scheme, no www., no fragment,
    no trailing slash, the host in lower case."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if not host:
        return None
    path = parts.path.rstrip("/") or "/"
    return host + path + ("?" + parts.query if parts.query else "")


# --- reading ----------------------------------------------------------------------------------


class _Batch:
    """The state of one `read_items()` call: the options and the feed entries waiting for
    their page."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.waiting: dict[str, list[feeds.Entry]] = {}

    def read(self, source: _Source) -> Iterator[Item]:
        name = source.name
        try:
            if source.error is not None:
                yield Item(name, error=source.error)
            elif source.kind == "stdin":
                yield from self.stream(sys.stdin.buffer, name=name)
            elif source.kind == "url":
                yield from self.fetched(name)
            else:
                assert source.path is not None
                yield from self.file(source.path, name=name)
        except RumormillError as e:
            yield Item(name, error=e)
        except Exception as e:  # a bug or a library's surprise: named, and the batch goes on
            logger.warning("%s: unexpected failure while reading", name, exc_info=True)
            reason = f"{type(e).__name__}: {e}"
            yield Item(name, error=InputError(Errors.E059, path=name, reason=reason))

    def file(self, path: Path, *, name: str) -> Iterator[Item]:
        try:
            if path.is_dir():
                raise InputError(Errors.E001, path=path, reason="a directory, not a file")
            f = path.open("rb")
        except OSError as e:
            raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e
        with f:
            yield from self.stream(f, name=name)

    def fetched(self, url: str) -> Iterator[Item]:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in SCHEMES:
            reason = f"only http and https URLs are read, not {scheme!r}"
            raise InputError(Errors.E052, path=url, reason=reason)
        if self.options.fetch is None:
            reason = "a URL, and fetching is off (no Fetcher given)"
            raise InputError(Errors.E052, path=url, reason=reason)
        document = self.options.fetch.fetch(url)
        yield from self.stream(_bytes_stream(document.data), name=url, url=document.url)

    def stream(
        self,
        stream: BinaryIO,
        *,
        name: str,
        url: str | None = None,
        packed: compressed.Kind | None = None,
        depth: int = 0,
    ) -> Iterator[Item]:
        """Recognise a stream's format by its first bytes and read it."""
        head = files.read_head(stream, HEAD)
        kind = compressed.kind_of(head)
        if kind is not None:
            if depth >= _MAX_NESTING:
                reason = f"compressed more than {_MAX_NESTING} times"
                raise InputError(Errors.E019, path=name, kind=kind, reason=reason)
            compressed.peek(head, kind, name=name, size=64)  # E019 now when not valid
            inner = compressed.open_stream(files.rewound(head, stream), kind, name=name)
            with inner:
                yield from self.stream(inner, name=name, url=url, packed=kind, depth=depth + 1)
            return
        whole = files.rewound(head, stream)
        text = _sniff(head)
        options = self.options
        if warc.is_warc(head):
            # Unbuffered: a truncated archive keeps every record before the break.
            yield from self.warc(files.rewound(head, stream, buffered=False), name=name)
        elif not text.strip():
            # Blank so far: the whole of it decides (E002 when it is all blank).
            data = self.document(whole, name=name, packed=packed)
            text = files.decode(data, name=name, limit=options.max_bytes)
            yield from self.single(text, name=name, url=url)
        elif feeds.is_feed(text):
            yield from self.feed(self.document(whole, name=name, packed=packed), name=name)
        elif text.lstrip().startswith("{"):
            for where, outcome in jsonl.read(
                whole,
                name=name,
                limit=options.max_bytes,
                fields=options.fields,
                published=options.published,
                outlet=options.outlet,
                undated=options.undated,
            ):
                yield self.outcome(where, outcome)
        elif not house.is_house(text.lstrip()) and csvfile.looks_like_csv(
            text, fields=options.fields, suffix=_suffix(name)
        ):
            for where, outcome in csvfile.read(
                whole,
                name=name,
                head=head,
                limit=options.max_bytes,
                fields=options.fields,
                published=options.published,
                outlet=options.outlet,
                undated=options.undated,
            ):
                yield self.outcome(where, outcome)
        else:
            data = self.document(whole, name=name, packed=packed)
            yield from self.single(
                files.decode(data, name=name, limit=options.max_bytes), name=name, url=url
            )

    def document(self, stream: BinaryIO, *, name: str, packed: compressed.Kind | None) -> bytes:
        """A whole one-document input, bounded; from a compressed file, a document over the
        limit is a decompression bomb as far as we can tell (E019)."""
        limit = self.options.max_bytes
        try:
            return files.read_stream(stream, name=name, limit=limit)
        except InputError as e:
            if packed is None or e.code is not Errors.E005:
                raise
            reason = (
                f"decompresses to over {limit} bytes, the limit for one document "
                "(raise it with --max-bytes)"
            )
            raise InputError(Errors.E019, path=name, kind=packed, reason=reason) from e

    def single(self, text: str, *, name: str, url: str | None) -> Iterator[Item]:
        """One decoded document: JSON (an array: refused), HTML, or house / plain text."""
        options = self.options
        match detect_format(text):
            case "json":
                for where, outcome in jsonl.read(
                    _bytes_stream(text.encode("utf8")),
                    name=name,
                    limit=max(options.max_bytes, len(text.encode("utf8"))),
                    fields=options.fields,
                    published=options.published,
                    outlet=options.outlet,
                    undated=options.undated,
                ):
                    yield self.outcome(where, outcome)
            case "html":
                yield from self.page(name, text, url=url)
            case _:
                published, source = options.published, "option"
                if not house.is_house(text) and (found := records.url_date(url)):
                    published, source = found, "url"
                try:
                    article = house.parse(
                        text,
                        name=name,
                        published=published,
                        date_source=source,
                        outlet=options.outlet,
                        url=url,
                        undated=options.undated,
                    )
                except InputError as e:
                    yield Item(name, error=e)
                    return
                yield Item(name, article=self.finish(article))

    def page(
        self,
        name: str,
        markup: str,
        *,
        url: str | None,
        captured: date | None = None,
    ) -> Iterator[Item]:
        """One HTML page; a waiting feed entry with its URL fills its gaps.  Its date: the
        page's, else the entry's, else the capture date (WARC), else --date.  A live blog is
        one article per update, each with its own date (`liveblog.py`)."""
        options = self.options
        try:
            found, blog = liveblog.read(markup, name=name, url=url)
            entry = self.claim(found.url or url)
            published, source = options.published, "option"
            if captured is not None:
                published, source = captured, "warc"
            if entry is not None and entry.published is not None:
                published, source = entry.published, "feed"
            if blog is not None:
                updates = liveblog.articles(
                    found,
                    blog,
                    name=name,
                    published=published,
                    date_source=source,
                    outlet=(entry.outlet if entry else None) or options.outlet,
                    title=entry.title if entry else None,
                    undated=options.undated,
                )
                yield from (self.outcome(where, outcome) for where, outcome in list(updates))
                return
            article = html.article_of(
                found,
                name=name,
                published=published,
                date_source=source,
                outlet=(entry.outlet if entry else None) or options.outlet,
                title=entry.title if entry else None,
                undated=options.undated,
            )
        except InputError as e:
            yield Item(name, error=e)
            return
        yield Item(name, article=self.finish(article))

    def warc(self, stream: BinaryIO, *, name: str) -> Iterator[Item]:
        for where, capture in warc.pages(stream, name=name, limit=self.options.max_bytes):
            if isinstance(capture, InputError):
                yield Item(where, error=capture)
            else:
                yield from self.page(
                    where, capture.html, url=capture.url, captured=capture.captured
                )

    def feed(self, data: bytes, *, name: str) -> Iterator[Item]:
        options = self.options
        for entry in feeds.entries(data, name=name):
            if entry.text is None:
                key = _url_key(entry.link)
                if key is not None:
                    self.waiting.setdefault(key, []).append(entry)
                    continue
                reason = f"{entry.reason}, and no link to its page"
                error = InputError(Errors.E017, path=entry.name, reason=reason)
                yield Item(entry.name, error=error)
                continue
            try:
                article = feeds.article_of(
                    entry,
                    published=options.published,
                    outlet=options.outlet,
                    undated=options.undated,
                )
            except InputError as e:
                yield Item(entry.name, error=e)
                continue
            yield Item(entry.name, article=self.finish(article))

    def claim(self, url: str | None) -> feeds.Entry | None:
        """The first feed entry waiting for the page at `url`, which it no longer waits for."""
        key = _url_key(url)
        waiting = self.waiting.get(key) if key else None
        if not waiting:
            return None
        entry = waiting.pop(0)
        if not waiting:
            del self.waiting[key]  # type: ignore[arg-type]
        return entry

    def unmatched(self) -> Iterator[Item]:
        """The feed entries whose page never came: refused (E017)."""
        for entries in self.waiting.values():
            for entry in entries:
                reason = f"{entry.reason}, and its page ({entry.link}) is not among the inputs"
                error = InputError(Errors.E017, path=entry.name, reason=reason)
                yield Item(entry.name, error=error)
        self.waiting.clear()

    def outcome(self, name: str, outcome: Article | InputError) -> Item:
        if isinstance(outcome, InputError):
            return Item(name, error=outcome)
        return Item(name, article=self.finish(outcome))

    @staticmethod
    def finish(article: Article) -> Article:
        """The outlet of last resort: the URL's domain."""
        if article.outlet is None and (domain := records.url_domain(article.url)):
            return replace(article, outlet=domain)
        return article


def _bytes_stream(data: bytes) -> BinaryIO:
    return io.BytesIO(data)
