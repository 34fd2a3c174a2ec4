"""WARC archives (warcio), record by record: each archived HTML page is one article.

Only HTTP `response` records (and `resource` records) whose content type is HTML hold
pages; the others (`warcinfo`, `request`, `metadata`, images, scripts, redirects, errors)
are passed over.  A record is named by its place in the archive, counting every record:
`crawl.warc.gz#record 12`.  The page's URL is the record's WARC-Target-URI; its capture
date (WARC-Date) is kept for the page that states no date of its own.

The archive streams: only one page is held at a time, bounded by `limit` (E005 for a
larger one).  Compressed archives arrive here already decompressed (`compressed.py`), so a
per-record gzip (`.warc.gz`) and a gzip of a whole `.warc` read alike.  A broken archive is
E018 at the record where it breaks; the pages before it stand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from rumormill.errors import Errors, InputError
from rumormill.ingest import files, records

logger = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc(head: bytes) -> bool:
    """True when the (decompressed) bytes start with a WARC record header."""
    return head.lstrip(b"\r\n").startswith(b"WARC/")


@dataclass(frozen=True)
class Capture:
    """One archived HTML page."""

    url: str | None  # WARC-Target-URI
    captured: date | None  # the day of WARC-Date
    html: str


def _content_type(record: Any) -> str:
    headers = record.http_headers if record.rec_type == "response" else None
    value = headers.get_header("Content-Type") if headers else record.content_type
    return (value or "").split(";")[0].strip().lower()


def _is_page(record: Any) -> bool:
    if record.rec_type not in ("response", "resource"):
        return False
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None:
            return False
        status = headers.get_statuscode() or ""
        if not status.startswith("2"):
            return False
    return _content_type(record) in _HTML_TYPES


def _captured(record: Any, *, name: str) -> date | None:
    value = record.rec_headers.get_header("WARC-Date")
    if not value:
        return None
    try:
        return records.parse_date(value, name=name)
    except InputError:
        logger.info("%s: bad WARC-Date %r; not used", name, value)
        return None


def pages(
    stream: BinaryIO, *, name: str, limit: int = files.MAX_BYTES
) -> Iterator[tuple[str, Capture | InputError]]:
    """Each archived HTML page of a WARC stream, named `name#record N`, or its rejection.
    Stops at an E018 (or the decompressor's E019) when the archive breaks."""
    number = 0
    seen = 0
    try:
        for record in ArchiveIterator(stream, ensure_http_headers=False):
            number += 1
            if not record.rec_type:
                where = f"{name}#record {number}"
                reason = "a record without a WARC-Type header"
                yield where, InputError(Errors.E018, path=where, reason=reason)
                return
            if not _is_page(record):
                continue
            seen += 1
            where = f"{name}#record {number}"
            data = record.content_stream().read(limit + 1)
            if len(data) > limit:
                yield where, InputError(Errors.E005, path=where, size=f"over {limit}", limit=limit)
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:
                # The archive ended inside the record: its page is cut short.
                reason = "the record is cut short (the archive is truncated)"
                yield where, InputError(Errors.E018, path=where, reason=reason)
                return
            try:
                markup = files.decode(data, name=where, limit=limit)
            except InputError as e:
                yield where, e
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            yield (
                where,
                Capture(url=url or None, captured=_captured(record, name=where), html=markup),
            )
    except InputError as e:
        yield name, e
        return
    except Exception as e:
        # warcio fails on malformed records in many ways (ArchiveLoadFailed, ValueError,
        # even AttributeError on a record without a target URI): all of them are E018.
        where = f"{name}#record {number + 1}"
        reason = " ".join(str(e).split()) or type(e).__name__
        yield where, InputError(Errors.E018, path=where, reason=reason)
        return
    if number == 0:
        yield name, InputError(Errors.E018, path=name, reason="no WARC records")
    elif seen == 0:
        yield (
            name,
            InputError(
                Errors.E053, path=name, reason="the archive holds no HTML page (response record)"
            ),
        )
