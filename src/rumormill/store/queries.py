"""What a tracker asks of a store: the top stories, the most-cited people, the claims and the
rumors, and one claim in detail.

Plain SQLAlchemy Core over the store's tables (portable to PostgreSQL: no SQLite-only SQL),
aggregated in the database; only the top rows come back, and their details are fetched for
those rows alone.

- **Stories** (`stories`): the articles of each story (`articles.story_id`, set by linking),
  with their outlets, first and last dates and the title of the earliest article.
- **Cited people** (`cited_people`): attributions whose source is a named person, by name,
  with the number of articles and outlets quoting them.
- **Claims** (`claims`): the attributions linking put in one claim (`attributions.claim_id`,
  `link/claims.py`), largest first (articles, then outlets, then attributions): the earliest
  attribution's content as the claim's statement, where and when it was first seen, who
  carries it, the mix of certainty labels, the shares of unnamed sourcing (an `UNNAMED`
  source or none: `unattributed`) and of hedged attributions (labelled possible, probable or
  doubted), and its growth (articles per day between its first and last article; undated
  articles count, but not for the span).  Filters keep the claims with at least one
  attribution that matches; the row describes the whole claim.
- **Rumors** (`rumors`): claims that are unresolved and carried mostly by hedged or unnamed
  sourcing: at least `RUMOR_SHARE` of their attributions unnamed, unattributed or hedged, and
  at least `MIN_ARTICLES` articles; fastest-growing first.  Resolution (issue 7) does not
  exist yet: every claim is unresolved (`_unresolved` is the hook that will drop the
  resolved ones).  A store linked before claims were (attributions with no claim id) has its
  stories stand for their claims.
- **One claim** (`claim`): every attribution of a claim with its article, outlet, date,
  source, cue and certainty; the first-seen article; mentions and distinct outlets per day;
  and which of its articles are copies of which (`articles.copy_of`).

Names (`about`, `source`) match case-insensitively (ASCII case only on SQLite) as a
substring ("Trump" finds "Donald Trump"), and a name of several words also matches a name with
the same last word ("President Putin" finds "Putin" and "Vladimir Putin").
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from rumormill.errors import Errors, InputError
from rumormill.store import schema
from rumormill.store.store import Store

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_E = schema.entities

CERTAINTY_LABELS = ("asserted", "probable", "possible", "doubted", "denied")
HEDGED_LABELS = ("possible", "probable", "doubted")
RUMOR_SHARE = 0.5
MIN_ARTICLES = 2
SOURCES_SHOWN = 5  # the most frequent sources named in a claim row
STATEMENT_WIDTH = 300  # characters of a claim's statement in a row


@dataclass(frozen=True)
class StoryRow:
    story_id: int
    articles: int
    outlets: int
    first: date | None
    last: date | None
    title: str


@dataclass(frozen=True)
class PersonRow:
    name: str
    attributions: int
    articles: int
    outlets: int


def _title(conn: sa.Connection, story_id: int) -> str:
    row = conn.execute(
        sa.select(_A.c.title, _A.c.text)
        .where(_A.c.story_id == story_id)
        .order_by(_A.c.published.is_(None), _A.c.published, _A.c.ingested_at)
        .limit(1)
    ).first()
    if row is None:
        return ""
    return str(row.title or row.text.strip().split("\n", 1)[0])[:120]


def stories(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    about: str | None = None,
    limit: int = 10,
) -> list[StoryRow]:
    """The largest stories (most articles), optionally in a date range or about an entity."""
    query = sa.select(
        _A.c.story_id,
        sa.func.count().label("articles"),
        sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        sa.func.min(_A.c.published).label("first"),
        sa.func.max(_A.c.published).label("last"),
    ).where(_A.c.story_id.is_not(None))
    if since is not None:
        query = query.where(_A.c.published >= since)
    if until is not None:
        query = query.where(_A.c.published <= until)
    if about:
        named = sa.select(schema.entities.c.article_id).where(
            sa.func.lower(schema.entities.c.name).contains(about.lower())
        )
        query = query.where(_A.c.id.in_(named))
    query = (
        query.group_by(_A.c.story_id)
        .order_by(sa.desc("articles"), sa.desc("outlets"), _A.c.story_id)
        .limit(limit)
    )
    with store.reading() as conn:
        return [
            StoryRow(r.story_id, r.articles, r.outlets, r.first, r.last, _title(conn, r.story_id))
            for r in conn.execute(query)
        ]


def cited_people(store: Store, *, limit: int = 10) -> list[PersonRow]:
    """The people most often quoted or cited, by resolved name."""
    query = (
        sa.select(
            _T.c.source_name,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        )
        .join(_A, _A.c.id == _T.c.article_id)
        .where(_T.c.source_type == "PERSON", _T.c.source_name.is_not(None))
        .group_by(_T.c.source_name)
        .order_by(sa.desc("articles"), sa.desc("attributions"), _T.c.source_name)
        .limit(limit)
    )
    with store.reading() as conn:
        return [
            PersonRow(r.source_name, r.attributions, r.articles, r.outlets)
            for r in conn.execute(query)
        ]


@dataclass(frozen=True)
class ClaimRow:
    """One claim of `claims`."""

    claim_id: int
    statement: str  # the content of its earliest attribution
    first: date | None  # its earliest dated attribution
    last: date | None
    first_article: str  # the article of its earliest attribution
    attributions: int
    articles: int
    outlets: int
    sources: tuple[str, ...]  # the most frequent (resolved name, else the words), at most 5
    labels: dict[str, int]  # certainty label -> attributions
    unnamed: float  # share of attributions with an unnamed source or none
    hedged: float  # share of attributions labelled possible, probable or doubted
    growth: float  # articles per day, first to last

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "statement": self.statement,
            "first": _iso(self.first),
            "last": _iso(self.last),
            "first_article": self.first_article,
            "attributions": self.attributions,
            "articles": self.articles,
            "outlets": self.outlets,
            "sources": list(self.sources),
            "labels": dict(self.labels),
            "unnamed": self.unnamed,
            "hedged": self.hedged,
            "growth": self.growth,
        }


@dataclass(frozen=True)
class RumorRow:
    """One rumor of `rumors`: a claim (or, in a store linked before claims, a story)."""

    key: str  # "claim 12" (or "story 3")
    example: str  # the content of its earliest attribution
    attributions: int
    articles: int
    hedged_or_unnamed: float
    first: date | None
    last: date | None
    growth: float  # articles per day, first to last
    claim_id: int | None = None
    outlets: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "claim_id": self.claim_id,
            "example": self.example,
            "attributions": self.attributions,
            "articles": self.articles,
            "outlets": self.outlets,
            "hedged_or_unnamed": self.hedged_or_unnamed,
            "first": _iso(self.first),
            "last": _iso(self.last),
            "growth": self.growth,
        }


@dataclass(frozen=True)
class Mention:
    """One attribution of a claim, with its article."""

    article_id: str
    attribution_id: str
    outlet: str | None  # the outlet's display name, else the article's raw outlet
    published: date | None
    kind: str
    source: str | None  # the resolved name, else the source's words; None when unattributed
    source_type: str
    cue: str | None
    channel: str | None
    content: str
    certainty_score: float
    certainty_label: str
    copy_of: str | None  # the article's original when the article is a copy

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "attribution_id": self.attribution_id,
            "outlet": self.outlet,
            "published": _iso(self.published),
            "kind": self.kind,
            "source": self.source,
            "source_type": self.source_type,
            "cue": self.cue,
            "channel": self.channel,
            "content": self.content,
            "certainty_score": self.certainty_score,
            "certainty_label": self.certainty_label,
            "copy_of": self.copy_of,
        }


@dataclass(frozen=True)
class DayCount:
    """A claim's mentions (attributions) and distinct outlets on one day."""

    day: date
    mentions: int
    outlets: int


@dataclass(frozen=True)
class ClaimDetail:
    """One claim in full (`claim`)."""

    claim_id: int
    statement: str  # the content of its earliest attribution (`first`)
    mentions: list[Mention]  # earliest first (undated last), then in the order stored
    days: list[DayCount]  # dated mentions only, by day
    copies: dict[str, str] = field(default_factory=dict)  # article id -> its original

    @property
    def first(self) -> Mention:
        """The attribution where the claim was first seen."""
        return self.mentions[0]

    @property
    def articles(self) -> int:
        return len({m.article_id for m in self.mentions})

    @property
    def outlets(self) -> int:
        return len({m.outlet for m in self.mentions if m.outlet is not None})

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "statement": self.statement,
            "first_article": self.first.article_id,
            "first": _iso(self.first.published),
            "articles": self.articles,
            "outlets": self.outlets,
            "mentions": [m.to_dict() for m in self.mentions],
            "days": [
                {"day": d.day.isoformat(), "mentions": d.mentions, "outlets": d.outlets}
                for d in self.days
            ],
            "copies": dict(self.copies),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _days(first: date | None, last: date | None) -> int:
    return (last - first).days if first is not None and last is not None else 0


def _growth(articles: int, first: date | None, last: date | None) -> float:
    return articles / (_days(first, last) + 1)


def _flag(condition: sa.ColumnElement[bool]) -> sa.Case[int]:
    return sa.case((condition, 1), else_=0)


def _unnamed() -> sa.ColumnElement[bool]:
    """An attribution with an unnamed source, or none."""
    return sa.or_(_T.c.source_type == "UNNAMED", _T.c.kind == "unattributed")


def _hedged() -> sa.ColumnElement[bool]:
    return _T.c.certainty_label.in_(HEDGED_LABELS)


def _undated_last(column: sa.ColumnElement[Any]) -> sa.Case[int]:
    return sa.case((column.is_(None), 1), else_=0)


def _unresolved() -> sa.ColumnElement[bool]:
    """The claims not yet resolved.  Resolution (issue 7) does not exist yet, so every claim
    is; once resolutions are stored, this becomes `claim_id NOT IN (resolved claims)`."""
    return sa.true()


def _name_matches(column: sa.ColumnElement[Any], wanted: str) -> sa.ColumnElement[bool]:
    """A name matching `wanted`: as a substring, case-insensitive, or (for a name of several
    words) a name with the same last word."""
    words = wanted.lower().split()
    lowered = sa.func.lower(column)
    matches = [lowered.contains(" ".join(words), autoescape=True)]
    if len(words) > 1:  # the same last name: "Vladimir Putin", "President Putin", "Putin"
        last = words[-1]
        matches += [lowered == last, lowered.endswith(" " + last, autoescape=True)]
    return sa.or_(*matches)


def check_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """Certainty labels, checked (E094 for an unknown one)."""
    found = tuple(dict.fromkeys(label.strip().lower() for label in labels if label.strip()))
    for label in found:
        if label not in CERTAINTY_LABELS:
            raise InputError(Errors.E094, label=label, labels=", ".join(CERTAINTY_LABELS))
    return found


def _having_one(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """Claims with at least one attribution meeting `condition`."""
    return _T.c.claim_id.in_(sa.select(_T.c.claim_id).where(_T.c.claim_id.is_not(None), condition))


def _filters(
    *,
    about: str | None = None,
    source: str | None = None,
    labels: Sequence[str] | None = None,
    unnamed: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[sa.ColumnElement[bool]]:
    """Conditions on `attributions.claim_id` keeping the claims asked for."""
    kept: list[sa.ColumnElement[bool]] = []
    if about is not None and about.strip():
        named = sa.select(_E.c.article_id).where(_name_matches(_E.c.name, about))
        kept.append(_having_one(_T.c.article_id.in_(named)))
    if source is not None and source.strip():
        kept.append(
            _having_one(
                sa.or_(
                    _name_matches(_T.c.source_name, source), _name_matches(_T.c.source_text, source)
                )
            )
        )
    if labels:
        kept.append(_having_one(_T.c.certainty_label.in_(check_labels(labels))))
    if unnamed:
        kept.append(_having_one(_unnamed()))
    if since is not None or until is not None:
        dated: list[sa.ColumnElement[bool]] = []
        if since is not None:
            dated.append(_T.c.published >= since)
        if until is not None:
            dated.append(_T.c.published <= until)
        kept.append(_having_one(sa.and_(*dated)))
    return kept


def _claim_stats() -> sa.Select[Any]:
    """Per claim: attributions, articles, outlets, unnamed / hedged / either, first and last."""
    return (
        sa.select(
            _T.c.claim_id,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            sa.func.sum(_flag(_unnamed())).label("unnamed"),
            sa.func.sum(_flag(_hedged())).label("hedged"),
            sa.func.sum(_flag(sa.or_(_unnamed(), _hedged()))).label("weak"),
            sa.func.min(_T.c.published).label("first"),
            sa.func.max(_T.c.published).label("last"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id.is_not(None))
        .group_by(_T.c.claim_id)
    )


def _earliest(conn: sa.Connection, claim_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Each claim's earliest attribution (dated first, then in the order stored): its article
    id and content."""
    if not claim_ids:
        return {}
    order = sa.func.row_number().over(
        partition_by=_T.c.claim_id,
        order_by=(_undated_last(_T.c.published), _T.c.published, _T.c.pk),
    )
    ranked = (
        sa.select(_T.c.claim_id, _T.c.article_id, _T.c.content_text, order.label("n"))
        .where(_T.c.claim_id.in_(claim_ids))
        .subquery()
    )
    rows = conn.execute(
        sa.select(ranked.c.claim_id, ranked.c.article_id, ranked.c.content_text).where(
            ranked.c.n == 1
        )
    )
    return {int(r.claim_id): (str(r.article_id), str(r.content_text)) for r in rows}


def _labels(conn: sa.Connection, claim_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if claim_ids:
        rows = conn.execute(
            sa.select(_T.c.claim_id, _T.c.certainty_label, sa.func.count().label("n"))
            .where(_T.c.claim_id.in_(claim_ids))
            .group_by(_T.c.claim_id, _T.c.certainty_label)
        )
        for r in rows:
            found[int(r.claim_id)][str(r.certainty_label)] = int(r.n)
    order = {label: k for k, label in enumerate(CERTAINTY_LABELS)}
    return {
        claim: dict(sorted(mix.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
        for claim, mix in found.items()
    }


def _sources(conn: sa.Connection, claim_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Each claim's most frequent sources (resolved name, else the words), at most
    `SOURCES_SHOWN`."""
    if not claim_ids:
        return {}
    name = sa.func.coalesce(_T.c.source_name, _T.c.source_text)
    rows = conn.execute(
        sa.select(_T.c.claim_id, name.label("name"), sa.func.count().label("n"))
        .where(_T.c.claim_id.in_(claim_ids), _T.c.kind != "unattributed", name.is_not(None))
        .group_by(_T.c.claim_id, name)
    )
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        found[int(r.claim_id)].append((int(r.n), str(r.name)))
    return {
        claim: tuple(n for _, n in sorted(names, key=lambda x: (-x[0], x[1]))[:SOURCES_SHOWN])
        for claim, names in found.items()
    }


def claims(
    store: Store,
    *,
    about: str | None = None,
    source: str | None = None,
    labels: Sequence[str] | None = None,
    unnamed: bool = False,
    since: date | None = None,
    until: date | None = None,
    limit: int = 20,
) -> list[ClaimRow]:
    """The largest claims (most articles, then outlets, then attributions), keeping those with
    an attribution in an article naming `about`, from the source `source`, labelled one of
    `labels`, with an unnamed source or none (`unnamed`), or dated within `since` .. `until`
    (inclusive); see the module docstring.  E094 for an unknown label."""
    query = _claim_stats()
    for condition in _filters(
        about=about, source=source, labels=labels, unnamed=unnamed, since=since, until=until
    ):
        query = query.where(condition)
    query = query.order_by(
        sa.desc("articles"), sa.desc("outlets"), sa.desc("attributions"), _T.c.claim_id
    ).limit(limit)
    with store.reading() as conn:
        rows = list(conn.execute(query))
        ids = [int(r.claim_id) for r in rows]
        earliest = _earliest(conn, ids)
        mixes = _labels(conn, ids)
        sources = _sources(conn, ids)
    found = []
    for r in rows:
        claim_id = int(r.claim_id)
        article_id, statement = earliest.get(claim_id, ("", ""))
        found.append(
            ClaimRow(
                claim_id=claim_id,
                statement=statement[:STATEMENT_WIDTH],
                first=r.first,
                last=r.last,
                first_article=article_id,
                attributions=int(r.attributions),
                articles=int(r.articles),
                outlets=int(r.outlets),
                sources=sources.get(claim_id, ()),
                labels=mixes.get(claim_id, {}),
                unnamed=int(r.unnamed) / int(r.attributions),
                hedged=int(r.hedged) / int(r.attributions),
                growth=_growth(int(r.articles), r.first, r.last),
            )
        )
    return found


def rumors(
    store: Store,
    *,
    about: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 10,
) -> list[RumorRow]:
    """Unresolved claims carried mostly by hedged or unnamed sourcing, fastest-growing first
    (then most articles); `about`, `since`, `until` as for `claims`.  See the module
    docstring."""
    weak = sa.func.sum(_flag(sa.or_(_unnamed(), _hedged())))
    share = weak * 1.0 / sa.func.count()
    by_claim = _claim_stats().where(_unresolved())
    for condition in _filters(about=about, since=since, until=until):
        by_claim = by_claim.where(condition)
    by_claim = by_claim.having(
        share >= RUMOR_SHARE, sa.func.count(sa.distinct(_T.c.article_id)) >= MIN_ARTICLES
    )
    with store.reading() as conn:
        found = [
            RumorRow(
                key=f"claim {r.claim_id}",
                example="",
                attributions=int(r.attributions),
                articles=int(r.articles),
                hedged_or_unnamed=int(r.weak) / int(r.attributions),
                first=r.first,
                last=r.last,
                growth=_growth(int(r.articles), r.first, r.last),
                claim_id=int(r.claim_id),
                outlets=int(r.outlets),
            )
            for r in conn.execute(by_claim)
        ]
        if about is None and since is None and until is None:
            found.extend(_story_rumors(conn))
        found.sort(key=lambda f: (-f.growth, -f.articles, f.key))
        top = found[:limit]
        earliest = _earliest(conn, [r.claim_id for r in top if r.claim_id is not None])
        return [
            _with_example(conn, r, earliest.get(r.claim_id, ("", ""))[1] if r.claim_id else None)
            for r in top
        ]


def _with_example(conn: sa.Connection, row: RumorRow, example: str | None) -> RumorRow:
    if example is None:  # a story: its earliest attribution with no claim
        story = int(row.key.partition(" ")[2])
        found = conn.execute(
            sa.select(_T.c.content_text)
            .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
            .where(_T.c.claim_id.is_(None), _A.c.story_id == story)
            .order_by(_undated_last(_A.c.published), _A.c.published, _T.c.pk)
            .limit(1)
        ).first()
        example = str(found[0]) if found is not None else ""
    return dataclasses.replace(row, example=example[:160])


def _story_rumors(conn: sa.Connection) -> list[RumorRow]:
    """In a store linked before claims: the stories of the attributions with no claim."""
    weak = sa.func.sum(_flag(sa.or_(_unnamed(), _hedged())))
    query = (
        sa.select(
            _A.c.story_id,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            weak.label("weak"),
            sa.func.min(_A.c.published).label("first"),
            sa.func.max(_A.c.published).label("last"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id.is_(None), _A.c.story_id.is_not(None))
        .group_by(_A.c.story_id)
        .having(
            weak * 1.0 / sa.func.count() >= RUMOR_SHARE,
            sa.func.count(sa.distinct(_T.c.article_id)) >= MIN_ARTICLES,
        )
    )
    return [
        RumorRow(
            key=f"story {r.story_id}",
            example="",
            attributions=int(r.attributions),
            articles=int(r.articles),
            hedged_or_unnamed=int(r.weak) / int(r.attributions),
            first=r.first,
            last=r.last,
            growth=_growth(int(r.articles), r.first, r.last),
            outlets=int(r.outlets),
        )
        for r in conn.execute(query)
    ]


def claim(store: Store, claim_id: int) -> ClaimDetail:
    """One claim in full (see `ClaimDetail`); E093 when the store has no such claim."""
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name)
    query = (
        sa.select(
            _T.c.article_id,
            _T.c.attribution_id,
            outlet.label("outlet"),
            _T.c.published,
            _T.c.kind,
            _T.c.source_name,
            _T.c.source_text,
            _T.c.source_type,
            _T.c.cue_text,
            _T.c.channel_text,
            _T.c.content_text,
            _T.c.certainty_score,
            _T.c.certainty_label,
            _A.c.copy_of,
        )
        .select_from(
            _T.join(_A, _A.c.id == _T.c.article_id).outerjoin(_O, _O.c.id == _A.c.outlet_id)
        )
        .where(_T.c.claim_id == claim_id)
        .order_by(_undated_last(_T.c.published), _T.c.published, _T.c.pk)
    )
    daily = (
        sa.select(
            _T.c.published,
            sa.func.count().label("mentions"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id == claim_id, _T.c.published.is_not(None))
        .group_by(_T.c.published)
        .order_by(_T.c.published)
    )
    with store.reading() as conn:
        mentions = [
            Mention(
                article_id=r.article_id,
                attribution_id=r.attribution_id,
                outlet=r.outlet,
                published=r.published,
                kind=r.kind,
                source=None if r.kind == "unattributed" else (r.source_name or r.source_text),
                source_type=r.source_type,
                cue=r.cue_text,
                channel=r.channel_text,
                content=r.content_text,
                certainty_score=float(r.certainty_score),
                certainty_label=r.certainty_label,
                copy_of=r.copy_of,
            )
            for r in conn.execute(query)
        ]
        days = [DayCount(r.published, int(r.mentions), int(r.outlets)) for r in conn.execute(daily)]
    if not mentions:
        raise InputError(Errors.E093, claim_id=claim_id)
    copies = {m.article_id: m.copy_of for m in mentions if m.copy_of is not None}
    return ClaimDetail(
        claim_id=claim_id,
        statement=mentions[0].content,
        mentions=mentions,
        days=days,
        copies=copies,
    )
