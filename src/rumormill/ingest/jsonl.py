"""JSON and JSON Lines: one article per object.

{"text": "Rumors about ...", "published": "2022-05-05", "outlet": "YWN", "url": null,
 "title": null}

The input is one JSON object (pretty-printed or not), or JSON Lines: one object per line.
`parse()` gives the first record (what `rumormill analyze` reads); `articles()` gives every
record; `read()` streams every record of a binary stream, one line at a time, each a
separate article or rejection.  `text` is required; `published` (YYYY-MM-DD or an ISO
date-time), `outlet`, `url`, `title` and `language` are optional strings or null; other
fields are ignored.  Each field may go by other names too (`records.FieldMap`).
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, BinaryIO, TypeVar

from rumormill.errors import Errors, InputError
from rumormill.ingest import files
from rumormill.ingest import records as records_
from rumormill.ingest.records import DEFAULT_FIELDS, FieldMap, Outcome
from rumormill.model import Article

_decoder = json.JSONDecoder()


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def records(text: str, *, name: str, first_line: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each JSON object of `text`, with the line it starts on: JSON Lines (one object per
    line, nothing after it on its line), or one object spanning many lines.  `first_line`
    is the line `text` starts on in its file."""
    pos = 0
    end = len(text)
    shift = first_line - 1
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return
        line = _line(text, pos) + shift
        try:
            value, pos = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise InputError(
                Errors.E010, path=name, line=e.lineno + shift, column=e.colno, reason=e.msg
            ) from e
        except RecursionError as e:
            raise InputError(
                Errors.E010, path=name, line=line, column=1, reason="nested too deeply"
            ) from e
        rest = text.find("\n", pos)
        tail = text[pos : end if rest == -1 else rest]
        if tail.strip():
            # JSON Lines: one object per line, nothing after it.
            column = pos - text.rfind("\n", 0, pos) + len(tail) - len(tail.lstrip())
            raise InputError(
                Errors.E010,
                path=name,
                line=_line(text, pos) + shift,
                column=column,
                reason="extra data after the object",
            )
        if not isinstance(value, dict):
            raise InputError(Errors.E011, path=name, line=line, got=records_.kind(value))
        yield line, value


def article_of(
    record: dict[str, Any],
    *,
    name: str,
    line: int = 1,
    where: str | None = None,
    fields: FieldMap = DEFAULT_FIELDS,
    published: date | None = None,
    outlet: str | None = None,
    undated: bool = False,
) -> Article:
    """One record -> Article.  The record's date and outlet win; the arguments fill gaps."""
    return records_.article_of(
        record,
        name=name,
        line=line,
        where=where,
        fields=fields,
        published=published,
        outlet=outlet,
        undated=undated,
    )


def articles(
    text: str, *, name: str, published: date | None = None, outlet: str | None = None
) -> Iterator[Article]:
    """Every record of a JSON / JSON Lines text as an Article (stops at the first bad one)."""
    for line, record in records(text, name=name):
        yield article_of(record, name=name, line=line, published=published, outlet=outlet)


def parse(
    text: str, *, name: str = "<json>", published: date | None = None, outlet: str | None = None
) -> Article:
    """The first record of a JSON / JSON Lines text as an Article; later lines are not read."""
    for article in articles(text, name=name, published=published, outlet=outlet):
        return article
    raise InputError(Errors.E002, path=name)


# --- streaming, for batch ingest ------------------------------------------------------------


def lines(stream: BinaryIO, *, name: str, limit: int) -> Iterator[tuple[int, bytes | InputError]]:
    """Each non-blank line of a binary stream with its number, as read (with its line
    break); a line over `limit` bytes is an E005 in its place (skipped, never held whole)."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        content = line.rstrip(b"\r\n")
        if len(content) > limit:
            while not line.endswith(b"\n"):
                line = stream.readline(limit + 1)
                if not line:
                    break
            yield (
                number,
                InputError(
                    Errors.E005, path=f"{name}:line {number}", size=f"over {limit}", limit=limit
                ),
            )
        elif content.strip():
            yield number, line


def _one_line(data: bytes, *, name: str, where: str, line: int, limit: int) -> dict[str, Any]:
    text = files.decode(data.rstrip(b"\r\n"), name=where, limit=limit)
    found = list(records(text, name=name, first_line=line))
    if len(found) != 1:
        # Two objects on one line: records() refuses that already; this is the guard.
        raise InputError(Errors.E010, path=name, line=line, column=1, reason="one object per line")
    return found[0][1]


def read(
    stream: BinaryIO,
    *,
    name: str,
    limit: int = files.MAX_BYTES,
    fields: FieldMap = DEFAULT_FIELDS,
    published: date | None = None,
    outlet: str | None = None,
    undated: bool = False,
) -> Iterator[Outcome]:
    """Every record of a JSON / JSON Lines stream, each an article or a rejection.

    JSON Lines (the first line is a whole object) is read line by line, each line bounded
    by `limit`, so a file of any size streams and a bad line is one rejection.  Anything
    else (one pretty-printed object) is one document, bounded by `limit`.  A record is
    named `name:line N`; a file of one record is named `name`.
    """
    numbered = lines(stream, name=name, limit=limit)
    first = next(numbered, None)
    if first is None:
        yield name, InputError(Errors.E002, path=name)
        return
    number, data = first
    make = functools.partial(
        article_of, fields=fields, published=published, outlet=outlet, undated=undated
    )
    if isinstance(data, bytes) and not _is_object_line(data):
        yield from _document(stream, data, first_line=number, name=name, limit=limit, make=make)
        return
    for entry in _named(itertools.chain([first], numbered), name=name):
        if isinstance(entry, InputError):
            yield name, entry  # the stream broke (a truncated gzip): nothing more to read
            return
        where, number, data = entry
        if isinstance(data, InputError):
            yield where, data
            continue
        try:
            record = _one_line(data, name=name, where=where, line=number, limit=limit)
            yield where, make(record, name=name, line=number, where=where)
        except InputError as e:
            yield where, e


T = TypeVar("T")


def _named(
    entries: Iterator[tuple[int, T]], *, name: str
) -> Iterator[tuple[str, int, T] | InputError]:
    """Each entry with its name, `name:line N`, or `name` alone when it is the only one (so
    one entry ahead is read).  An InputError raised by `entries` comes last, in its place:
    every entry before it is given first."""

    def safe() -> Iterator[tuple[int, T] | InputError]:
        try:
            yield from entries
        except InputError as e:
            yield e

    ahead = safe()
    current = next(ahead, None)
    following = next(ahead, None)
    single = following is None
    while current is not None:
        if isinstance(current, InputError):
            yield current
            return
        line, value = current
        yield (name if single else f"{name}:line {line}"), line, value
        current, following = following, next(ahead, None)


def _is_object_line(data: bytes) -> bool:
    stripped = data.strip().removeprefix(b"\xef\xbb\xbf").strip()
    return stripped.startswith(b"{") and stripped.endswith(b"}")


def _document(
    stream: BinaryIO,
    head: bytes,
    *,
    first_line: int,
    name: str,
    limit: int,
    make: Callable[..., Article],
) -> Iterator[Outcome]:
    """One JSON document (or several pretty-printed objects), bounded as a whole."""
    rest = stream.read(max(0, limit + 1 - len(head)))
    try:
        text = files.decode(head + rest, name=name, limit=limit)
    except InputError as e:
        yield name, e
        return
    empty = True
    for entry in _named(records(text, name=name, first_line=first_line), name=name):
        empty = False
        if isinstance(entry, InputError):
            yield name, entry
            return
        where, line, record = entry
        try:
            yield where, make(record, name=name, line=line, where=where)
        except InputError as e:
            yield where, e
    if empty:
        yield name, InputError(Errors.E002, path=name)
