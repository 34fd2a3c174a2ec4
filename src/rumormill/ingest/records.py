"""Records: one article per JSON object or CSV row, its fields found by name.

A `FieldMap` says under which names a record may give each article field; the first name
present with a value wins.  The defaults (`nlp.patterns.RECORD_FIELDS`) cover our own JSON
layout (`text`, `published`, `outlet`, `url`, `title`), the Wikinews CSV (`date`) and BASIL's
JSON (`body-paragraphs`, a list of paragraphs, each a list of sentences; `source`).

Dates: the record's own (`YYYY-MM-DD`, an ISO date-time, or an RFC 2822 date as in feeds),
else a date in its URL, else the caller's `published`; never an invented one.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from rumormill.errors import Errors, InputError
from rumormill.ingest import house
from rumormill.model import Article
from rumormill.nlp.patterns import RECORD_FIELDS, URL_DATES


@dataclass(frozen=True)
class FieldMap:
    """The names a record may give each article field under, in order of preference."""

    text: tuple[str, ...] = RECORD_FIELDS["text"]
    published: tuple[str, ...] = RECORD_FIELDS["published"]
    outlet: tuple[str, ...] = RECORD_FIELDS["outlet"]
    url: tuple[str, ...] = RECORD_FIELDS["url"]
    title: tuple[str, ...] = RECORD_FIELDS["title"]
    language: tuple[str, ...] = RECORD_FIELDS["language"]

    @classmethod
    def parse(cls, specs: Iterable[str]) -> FieldMap:
        """`["text=body", "published=date,pubDate"]` -> a FieldMap whose named fields use
        exactly those names (the others keep their defaults).  A bad spec is E054."""
        known = {f.name for f in fields(cls)}
        changes: dict[str, tuple[str, ...]] = {}
        for spec in specs:
            field, sep, names = spec.partition("=")
            field = field.strip()
            chosen = tuple(n.strip() for n in names.split(",") if n.strip())
            if not sep or not chosen:
                raise InputError(Errors.E054, spec=spec, reason="expected FIELD=NAME[,NAME...]")
            if field not in known:
                raise InputError(
                    Errors.E054, spec=spec, reason=f"unknown field; one of {', '.join(known)}"
                )
            changes[field] = chosen
        return replace(cls(), **changes)

    def names(self, field: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, field)
        return value


# The defaults, shared (a FieldMap is immutable).
DEFAULT_FIELDS = FieldMap()


def kind(value: object) -> str:
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


def parse_date(value: str, *, name: str) -> date:
    """A record's or a feed's date: YYYY-MM-DD, an ISO date-time (its own local date), or
    RFC 2822 ("Tue, 10 Jun 2003 04:00:00 GMT"); anything else is E007."""
    value = value.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError) as e:
        raise InputError(Errors.E007, path=name, value=value) from e


def url_date(url: str | None) -> date | None:
    """The publication date written in a URL's path (/2019/07/03/), or None."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for pattern in URL_DATES:
        for match in pattern.finditer(path):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


def url_domain(url: str | None) -> str | None:
    """The host of a URL without a leading "www.": the outlet of last resort."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _find(record: Mapping[str, object], names: tuple[str, ...]) -> tuple[str, object]:
    """The first of `names` the record gives a value under (exact key, else any case)."""
    folded: dict[str, str] | None = None
    for wanted in names:
        key: str | None = wanted if wanted in record else None
        if key is None:
            if folded is None:
                folded = {}
                for k in record:
                    folded.setdefault(k.casefold(), k)
            key = folded.get(wanted.casefold())
        if key is None:
            continue
        value = record[key]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return key, value
    return names[0] if names else "", None


def _text(value: object, *, key: str, name: str, line: int) -> str | None:
    """A text field: a string, or, under another name than our own `text` (which is a
    string, as documented), a list of paragraphs, each a string or a list of sentences
    (BASIL's `body-paragraphs`)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and key != "text":
        paragraphs: list[str] = []
        for item in value:
            if isinstance(item, str):
                paragraphs.append(item.strip())
            elif isinstance(item, list) and all(isinstance(s, str) for s in item):
                paragraphs.append(" ".join(s.strip() for s in item if s.strip()))
            else:
                raise InputError(
                    Errors.E013, path=name, line=line, field=key, got="a list of " + kind(item)
                )
        return "\n\n".join(p for p in paragraphs if p)
    raise InputError(Errors.E013, path=name, line=line, field=key, got=kind(value))


def article_of(
    record: Mapping[str, object],
    *,
    name: str,
    line: int = 1,
    where: str | None = None,
    fields: FieldMap = DEFAULT_FIELDS,
    published: date | None = None,
    outlet: str | None = None,
    undated: bool = False,
) -> Article:
    """One record -> Article.  The record's own date and outlet win; `published` and
    `outlet` fill gaps.  `name` and `line` place a field's error in its file; `where` (the
    record's own name, "a.csv:line 7") names the record in the errors of the article."""
    where = where or name
    key, raw = _find(record, fields.text)
    body = _text(raw, key=key, name=name, line=line)
    if not body or not body.strip():
        raise InputError(Errors.E012, path=name, line=line)
    values: dict[str, str | None] = {}
    for field in ("published", "outlet", "url", "title", "language"):
        key, value = _find(record, fields.names(field))
        if value is not None and not isinstance(value, str):
            raise InputError(Errors.E013, path=name, line=line, field=key, got=kind(value))
        values[field] = value.strip() if isinstance(value, str) else None
    when, source = None, None
    if values["published"]:
        when, source = parse_date(values["published"], name=where), "record"
    elif found := url_date(values["url"]):
        when, source = found, "url"
    elif published is not None:
        when, source = published, "option"
    return house.article_from_body(
        body.replace("\r\n", "\n").replace("\r", "\n"),
        name=where,
        published=when,
        date_source=source,
        undated=undated,
        outlet=values["outlet"] or outlet,
        url=values["url"],
        title=values["title"],
        language=values["language"] or "en",
    )


# What a multi-record reader yields for each record: its name ("a.csv:line 7") and its
# article, or the coded reason it was refused.
Outcome = tuple[str, Article | InputError]
