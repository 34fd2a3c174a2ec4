"""The house format: `date YYYY-MM-DD`, then the article text, maybe a closing credit line.

date 2022-05-05 Rumors about high-level Kremlin officials ...
...
(YWN World Headquarters – NYC)
"""

from __future__ import annotations

from datetime import date

from rumormill.errors import Errors, InputError
from rumormill.model import Article, Link
from rumormill.nlp.patterns import (
    CREDIT_AGENCY,
    CREDIT_BYLINE,
    CREDIT_PARENTHESISED,
    HOUSE_HEADER,
)


def is_house(text: str) -> bool:
    """True when `text` starts with the house header."""
    return HOUSE_HEADER.match(text) is not None


def parse_date(value: str, *, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise InputError(Errors.E007, path=name, value=value) from e


def split_credit(body: str) -> tuple[str, str | None]:
    """Split a closing credit line off the body: ('text', 'YWN World Headquarters – NYC')."""
    stripped = body.rstrip()
    head, sep, last = stripped.rpartition("\n")
    if not sep:
        return stripped, None
    line = last.strip()
    if match := CREDIT_PARENTHESISED.match(line):
        return head.rstrip(), match.group("credit").strip()
    if CREDIT_AGENCY.match(line) or CREDIT_BYLINE.match(line):
        return head.rstrip(), line.strip("-—– ()")
    return stripped, None


def outlet_of_credit(credit: str | None) -> str | None:
    """The outlet a credit line names: "(AP)" -> "AP", "(YWN World Headquarters – NYC)" ->
    itself.  A byline ("Reporting by ...") names people, not an outlet."""
    if credit is None or CREDIT_BYLINE.match(credit):
        return None
    return credit


def article_from_body(
    body: str,
    *,
    name: str,
    published: date | None,
    date_source: str | None = "option",
    undated: bool = False,
    outlet: str | None = None,
    url: str | None = None,
    title: str | None = None,
    language: str = "en",
    last_outlet: str | None = None,
    links: tuple[Link, ...] = (),
) -> Article:
    """The last step every reader shares: require a date (unless `undated`: then an article
    without one keeps `published=None`), split off the closing credit line, and let the
    credit give the outlet when none is known, else `last_outlet` (a guess from the URL).
    `date_source` says where `published` came from (see `Article.date_source`); `links`, an
    HTML page's main-content anchors (`Article.links`)."""
    if published is None and not undated:
        raise InputError(Errors.E006, path=name)
    body, credit = split_credit(body.strip())
    if not body:
        raise InputError(Errors.E008, path=name)
    return Article(
        text=body,
        published=published,
        outlet=outlet or outlet_of_credit(credit) or last_outlet,
        url=url,
        title=title,
        language=language,
        credit=credit,
        date_source=date_source if published is not None else None,
        links=links,
    )


def parse(
    text: str,
    *,
    name: str = "<text>",
    published: date | None = None,
    outlet: str | None = None,
    url: str | None = None,
    title: str | None = None,
    undated: bool = False,
    date_source: str = "option",
) -> Article:
    """Parse house-format (or plain) text into an Article.

    A date in the header wins over `published`; plain text without a header needs
    `published` (or `undated`), because rumormill never invents a date.  Without `outlet`,
    the closing credit line gives the outlet.  `date_source` says where `published` came
    from ("option" for --date).
    """
    header = HOUSE_HEADER.match(text)
    source = date_source  # where `published` came from, when the header gives no date
    if header:
        published = parse_date(header.group("date"), name=name)
        source = "house"
        body = text[header.end() :]
    else:
        body = text
    return article_from_body(
        body,
        name=name,
        published=published,
        date_source=source,
        undated=undated,
        outlet=outlet,
        url=url,
        title=title,
    )
