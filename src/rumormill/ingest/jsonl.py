"""JSON and JSON Lines: one article per object.

{"text": "Rumors about ...", "published": "2022-05-05", "outlet": "YWN", "url": null,
 "title": null}

The input is one JSON object (pretty-printed or not), or JSON Lines: one object per line.
`parse()` gives the first record (what `rumormill analyze` reads); `articles()` gives every
record.  `text` is required; `published` (YYYY-MM-DD or an ISO date-time), `outlet`, `url`,
`title` and `language` are optional strings or null; other fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from rumormill.errors import Errors, InputError
from rumormill.ingest import house
from rumormill.model import Article

FIELDS = ("published", "outlet", "url", "title", "language")
_decoder = json.JSONDecoder()


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _kind(value: object) -> str:
    """How a JSON value reads in a message: 'an array', 'a string', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def records(text: str, *, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each JSON object of `text`, with the line it starts on: JSON Lines (one object per
    line, nothing after it on its line), or one object spanning many lines."""
    pos = 0
    end = len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return
        line = _line(text, pos)
        try:
            value, pos = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise InputError(
                Errors.E010, path=name, line=e.lineno, column=e.colno, reason=e.msg
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
                line=_line(text, pos),
                column=column,
                reason="extra data after the object",
            )
        if not isinstance(value, dict):
            raise InputError(Errors.E011, path=name, line=line, got=_kind(value))
        yield line, value


def _published(value: str, *, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError as e:
        raise InputError(Errors.E007, path=name, value=value) from e


def article_of(
    record: dict[str, Any],
    *,
    name: str,
    line: int = 1,
    published: date | None = None,
    outlet: str | None = None,
) -> Article:
    """One record -> Article.  The record's date and outlet win; the arguments fill gaps."""
    body = record.get("text")
    if body is not None and not isinstance(body, str):
        raise InputError(Errors.E013, path=name, line=line, field="text", got=_kind(body))
    if not body or not body.strip():
        raise InputError(Errors.E012, path=name, line=line)
    fields: dict[str, str | None] = {}
    for field in FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            raise InputError(Errors.E013, path=name, line=line, field=field, got=_kind(value))
        fields[field] = (value.strip() or None) if isinstance(value, str) else None
    when = fields["published"]
    return house.article_from_body(
        body.replace("\r\n", "\n").replace("\r", "\n"),
        name=name,
        published=_published(when, name=name) if when else published,
        outlet=fields["outlet"] or outlet,
        url=fields["url"],
        title=fields["title"],
        language=fields["language"] or "en",
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
