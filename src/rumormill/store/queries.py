"""What a tracker asks of a store: the top stories, the most-cited people, the claims and the
rumors, and one claim, story, article or entity in detail (`rumormill show`).

Plain SQLAlchemy Core over the store's tables (portable to PostgreSQL: no SQLite-only SQL),
aggregated in the database; only the top rows come back, and their details are fetched for
those rows alone.  The rankings read the statistics kept per claim, story and person
(`stats.py`: `claim_stats`, `story_stats`, `person_stats`) by their indexes, instead of
aggregating every attribution on each call.

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
  at least `MIN_ARTICLES` articles; fastest-growing first.  A claim whose current resolution
  (`resolution.py`) is true, false or partly is not a rumor (`_unresolved`).  A store linked
  before claims were (no attribution has a claim id) has its stories stand for their claims.
- **One claim** (`claim`): every attribution of a claim with its article, outlet, date,
  source, cue and certainty; its sources with their mean certainty and label mix; the
  first-seen article; mentions and distinct outlets per day and per week; which of its
  articles are copies of which (`articles.copy_of`); its current resolution, the history of
  its resolution and its suggested resolutions.
- **One story** (`story`): its articles over time (outlet, date, title, copy of); articles and
  distinct outlets per day and per week; its largest claims; its most-cited sources (with
  their certainty) and most-named entities (by corpus entity where linked); the first-seen
  article; the copies among its articles.
- **One article** (`article`, by its id or an unambiguous prefix of `MIN_PREFIX` characters or
  more): its metadata and text; its attributions with source, cue, content, certainty and
  claim id; its entities with their corpus entity ids; its story; what it copies and what
  copies it.
- **One entity** (`entity`, by corpus id; `entity_named` by name): `Store.entity` (names,
  roles with dates, mentions per day) with its mentions and distinct outlets per day and per
  week; the claims it makes as a source (attributions whose source is one of its article
  entities: `attributions.source_entity` is the article-level entity id, whose
  `entities.corpus_entity_id` is this entity; else, with no entity id, the source's resolved
  name is the name of one of them), with how often and how surely; the claims in the
  articles naming it; the first article naming it; its track record over its resolved claims.
- **Track records** (`sources`): every named source (by corpus entity where linking gave
  one, else by its resolved name) and every outlet with resolved claims, with the record of
  `trackrecord.py`.  One forecast per source (or outlet) and claim: the mean certainty score
  of its attributions of the claim (for an outlet, of every attribution in its articles),
  computed in SQL against the claim's current resolution; its implied probability
  (`trackrecord.implied_probability`) against the outcome gives the Brier score and the
  calibration by label.  Unnamed sources and unattributed claims have no record.

Unknown ids are coded input errors: E093 (claim), E112 (story), E110 and E111 (article: none,
an ambiguous prefix), E113 and E114 (entity: none, a name several entities share).

Names (`about`, `source`) match case-insensitively (ASCII case only on SQLite) as a
substring ("Trump" finds "Donald Trump"), and a name of several words also matches a name with
the same last word ("President Putin" finds "Putin" and "Vladimir Putin").
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from rumormill import resolution, suggestions
from rumormill.days import iso as _iso
from rumormill.errors import Errors, InputError
from rumormill.nlp.patterns import PERSON_TITLES
from rumormill.resolution import Resolution, ResolutionEvent
from rumormill.store import schema, stats
from rumormill.store.records import StoredEntity
from rumormill.store.store import Store
from rumormill.suggestions import Suggestion
from rumormill.trackrecord import Forecast, TrackRecord, track_record

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_E = schema.entities
_M = schema.mentions
_D = schema.entity_descriptors
_CE = schema.corpus_entities
_CS = schema.claim_stats
_SS = schema.story_stats
_PS = schema.person_stats

CERTAINTY_LABELS = ("asserted", "probable", "possible", "doubted", "denied")
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


def story_title(conn: sa.Connection, story_id: int) -> str:
    """A story's title: its earliest article's (dated first, then in the order stored), else
    that article's first line.  Found by the (story, date) index: an article's date is
    stored after its text, so reading it from every row of a large story is slow."""
    lead = sa.func.substr(_A.c.text, 1, 200).label("lead")
    row = conn.execute(
        sa.select(_A.c.title, lead)
        .where(_A.c.story_id == story_id, _A.c.published.is_not(None))
        .order_by(_A.c.published, _A.c.pk)
        .limit(1)
    ).first()
    if row is None:
        row = conn.execute(
            sa.select(_A.c.title, lead).where(_A.c.story_id == story_id).order_by(_A.c.pk).limit(1)
        ).first()
    if row is None:
        return ""
    return str(row.title or (row.lead or "").strip().split("\n", 1)[0])[:120]


def stories(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    about: str | None = None,
    limit: int = 10,
) -> list[StoryRow]:
    """The largest stories (most articles), optionally in a date range or about an entity
    (then counting the articles in that range, or naming it)."""
    if since is None and until is None and not about:
        ranked = (
            sa.select(_SS)
            .order_by(_SS.c.articles.desc(), _SS.c.outlets.desc(), _SS.c.story_id)
            .limit(limit)
        )
        with store.reading() as conn:
            return [
                StoryRow(
                    r.story_id,
                    r.articles,
                    r.outlets,
                    r.first,
                    r.last,
                    story_title(conn, r.story_id),
                )
                for r in conn.execute(ranked)
            ]
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
            StoryRow(
                r.story_id, r.articles, r.outlets, r.first, r.last, story_title(conn, r.story_id)
            )
            for r in conn.execute(query)
        ]


def cited_people(store: Store, *, limit: int = 10) -> list[PersonRow]:
    """The people most often quoted or cited, by resolved name.  A name that is only a title
    ("President", "the Minister": the extractor's source when it found no name) is no
    person to list."""
    query = sa.select(_PS).order_by(_PS.c.articles.desc(), _PS.c.attributions.desc(), _PS.c.name)
    found: list[PersonRow] = []
    with store.reading() as conn:
        for r in conn.execute(query):
            if _only_titles(r.name):
                continue
            found.append(PersonRow(r.name, r.attributions, r.articles, r.outlets))
            if len(found) == limit:
                break
    return found


def _only_titles(name: str) -> bool:
    """Whether every word of a name is a title or an article ("President", "the Minister")."""
    words = [w.casefold().strip(".,") for w in name.split()]
    return all(w in PERSON_TITLES or w in ("the", "a", "an") for w in words)


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
    """Mentions and distinct outlets on one day (or in the week starting that Monday): a
    claim's attributions, a story's articles, an entity's mentions."""

    day: date
    mentions: int
    outlets: int

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "mentions": self.mentions, "outlets": self.outlets}


@dataclass(frozen=True)
class SourceRow:
    """One source of a claim or a story (its resolved name, else its words), with how many
    attributions, articles and outlets carry it and how sure it sounds."""

    name: str
    source_type: str  # PERSON, ORG, UNNAMED, ...
    attributions: int
    articles: int
    outlets: int
    certainty_score: float  # the mean over its attributions
    labels: dict[str, int]  # certainty label -> attributions

    @property
    def certainty_label(self) -> str:
        """Its most frequent certainty label (a tie: the more hedged one)."""
        return _top_label(self.labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source_type": self.source_type,
            "attributions": self.attributions,
            "articles": self.articles,
            "outlets": self.outlets,
            "certainty_score": self.certainty_score,
            "certainty_label": self.certainty_label,
            "labels": dict(self.labels),
        }


def _top_label(labels: dict[str, int]) -> str:
    if not labels:
        return ""
    order = {label: k for k, label in enumerate(CERTAINTY_LABELS)}
    return max(labels.items(), key=lambda kv: (kv[1], order.get(kv[0], -1)))[0]


def _ordered_labels(found: dict[str, int]) -> dict[str, int]:
    order = {label: k for k, label in enumerate(CERTAINTY_LABELS)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


@dataclass(frozen=True)
class ClaimDetail:
    """One claim in full (`claim`)."""

    claim_id: int
    statement: str  # the content of its earliest attribution (`first`)
    mentions: list[Mention]  # earliest first (undated last), then in the order stored
    days: list[DayCount]  # dated mentions only, by day
    copies: dict[str, str] = field(default_factory=dict)  # article id -> its original
    weeks: list[DayCount] = field(default_factory=list)  # dated mentions, by week (Monday)
    resolution: Resolution | None = None  # its current resolution
    history: list[ResolutionEvent] = field(default_factory=list)  # every change, oldest first
    suggestions: list[Suggestion] = field(default_factory=list)  # every status, oldest first

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

    @property
    def sources(self) -> list[SourceRow]:
        """Who carries it (unattributed mentions left out), most attributions first."""
        grouped: dict[tuple[str, str], list[Mention]] = defaultdict(list)
        for m in self.mentions:
            if m.source is not None:
                grouped[(m.source, m.source_type)].append(m)
        rows = []
        for (name, kind), said in grouped.items():
            labels: dict[str, int] = defaultdict(int)
            for m in said:
                labels[m.certainty_label] += 1
            rows.append(
                SourceRow(
                    name=name,
                    source_type=kind,
                    attributions=len(said),
                    articles=len({m.article_id for m in said}),
                    outlets=len({m.outlet for m in said if m.outlet is not None}),
                    certainty_score=sum(m.certainty_score for m in said) / len(said),
                    labels=_ordered_labels(labels),
                )
            )
        return sorted(rows, key=lambda r: (-r.attributions, -r.articles, r.name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "statement": self.statement,
            "first_article": self.first.article_id,
            "first": _iso(self.first.published),
            "articles": self.articles,
            "outlets": self.outlets,
            "mentions": [m.to_dict() for m in self.mentions],
            "sources": [r.to_dict() for r in self.sources],
            "days": [d.to_dict() for d in self.days],
            "weeks": [d.to_dict() for d in self.weeks],
            "copies": dict(self.copies),
            "resolution": None if self.resolution is None else self.resolution.to_dict(),
            "history": [e.to_dict() for e in self.history],
            "suggestions": [x.to_dict() for x in self.suggestions],
        }


def _days(first: date | None, last: date | None) -> int:
    return (last - first).days if first is not None and last is not None else 0


def _undated_last(column: sa.ColumnElement[Any]) -> sa.Case[int]:
    return sa.case((column.is_(None), 1), else_=0)


def _unresolved() -> sa.ColumnElement[bool]:
    """The claims (of `claim_stats`) not resolved: no current resolution, or a current
    `unresolved` one (one resolved true, false or partly is left out; `resolution.py`)."""
    return _CS.c.claim_id.not_in(resolution.resolved_claims())


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
    """Claims (of `claim_stats`) with at least one attribution meeting `condition`."""
    return _CS.c.claim_id.in_(sa.select(_T.c.claim_id).where(_T.c.claim_id.is_not(None), condition))


def _filters(
    *,
    about: str | None = None,
    source: str | None = None,
    labels: Sequence[str] | None = None,
    unnamed: bool = False,
    since: date | None = None,
    until: date | None = None,
) -> list[sa.ColumnElement[bool]]:
    """Conditions on `claim_stats.claim_id` keeping the claims asked for."""
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
        kept.append(_having_one(stats.unnamed()))
    if since is not None or until is not None:
        dated: list[sa.ColumnElement[bool]] = []
        if since is not None:
            dated.append(_T.c.published >= since)
        if until is not None:
            dated.append(_T.c.published <= until)
        kept.append(_having_one(sa.and_(*dated)))
    return kept


def _claim_stats() -> sa.Select[Any]:
    """Per claim (`claim_stats`, kept by `stats.py`): attributions, articles, outlets,
    unnamed / hedged / either, first and last, growth."""
    return sa.select(
        _CS.c.claim_id,
        _CS.c.attributions,
        _CS.c.articles,
        _CS.c.outlets,
        _CS.c.unnamed,
        _CS.c.hedged,
        _CS.c.weak,
        _CS.c.first,
        _CS.c.last,
        _CS.c.growth,
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
    with store.reading() as conn:
        return claim_rows(conn, query, limit)


def claims_where(*conditions: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The claims meeting `conditions` (on `claim_stats`), for `claim_rows`."""
    return _claim_stats().where(*conditions)


def claim_rows(conn: sa.Connection, query: sa.Select[Any], limit: int) -> list[ClaimRow]:
    """The top `limit` rows of a `_claim_stats` (`claims_where`) query, largest first, with their
    statements, certainty mixes and sources."""
    query = query.order_by(
        _CS.c.articles.desc(), _CS.c.outlets.desc(), _CS.c.attributions.desc(), _CS.c.claim_id
    ).limit(limit)
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
                growth=float(r.growth),
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
    by_claim = _claim_stats().where(
        _unresolved(),
        _CS.c.weak * 1.0 / _CS.c.attributions >= RUMOR_SHARE,
        _CS.c.articles >= MIN_ARTICLES,
    )
    for condition in _filters(about=about, since=since, until=until):
        by_claim = by_claim.where(condition)
    by_claim = by_claim.order_by(_CS.c.growth.desc(), _CS.c.articles.desc(), _CS.c.claim_id).limit(
        limit
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
                growth=float(r.growth),
                claim_id=int(r.claim_id),
                outlets=int(r.outlets),
            )
            for r in conn.execute(by_claim)
        ]
        if about is None and since is None and until is None and not _any_claim(conn):
            found.extend(_story_rumors(conn))
        found.sort(key=lambda f: (-f.growth, -f.articles, f.claim_id is None, _key_number(f.key)))
        top = found[:limit]
        earliest = _earliest(conn, [r.claim_id for r in top if r.claim_id is not None])
        return [
            _with_example(conn, r, earliest.get(r.claim_id, ("", ""))[1] if r.claim_id else None)
            for r in top
        ]


def _key_number(key: str) -> int:
    return int(key.partition(" ")[2])


def _any_claim(conn: sa.Connection) -> bool:
    """Whether linking gave any attribution a claim (a store linked before claims has none:
    its stories stand for its claims)."""
    return conn.execute(sa.select(_CS.c.claim_id).limit(1)).first() is not None


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
    weak = sa.func.sum(stats.flag(sa.or_(stats.unnamed(), stats.hedged())))
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
            growth=stats.growth(int(r.articles), r.first, r.last),
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
        sa.select(_T.c.published, _A.c.outlet_id, sa.func.count().label("n"))
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id == claim_id, _T.c.published.is_not(None))
        .group_by(_T.c.published, _A.c.outlet_id)
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
        days, weeks = _timeline(conn, daily)
        current = resolution.current_in(conn, claim_id)
        changes = resolution.history_in(conn, claim_id)
    if not mentions:
        raise InputError(Errors.E093, claim_id=claim_id)
    copies = {m.article_id: m.copy_of for m in mentions if m.copy_of is not None}
    return ClaimDetail(
        claim_id=claim_id,
        statement=mentions[0].content,
        mentions=mentions,
        days=days,
        copies=copies,
        weeks=weeks,
        resolution=current,
        history=changes,
        suggestions=suggestions.suggestions(store, status=None, claim_id=claim_id),
    )


# --- timelines and sources ----------------------------------------------------------------------


def _as_date(value: Any) -> date:
    """A date column's value as a `date` (some drivers give a string or a datetime)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def week_of(day: date) -> date:
    """The Monday starting the week of `day`."""
    return day - timedelta(days=day.weekday())


def _timeline(conn: sa.Connection, query: sa.Select[Any]) -> tuple[list[DayCount], list[DayCount]]:
    """Per day and per week (starting on Monday): the sum of the counts and the distinct
    outlets, from a query of (day, outlet id, count) rows grouped by day and outlet.  An
    article with no outlet counts, but not as an outlet."""
    counts: dict[date, int] = defaultdict(int)
    outlets: dict[date, set[int]] = defaultdict(set)  # a day with none known has no entry
    week_counts: dict[date, int] = defaultdict(int)
    week_outlets: dict[date, set[int]] = defaultdict(set)
    for day_value, outlet, n in conn.execute(query):
        day = _as_date(day_value)
        week = week_of(day)
        counts[day] += int(n)
        week_counts[week] += int(n)
        if outlet is not None:
            outlets[day].add(int(outlet))
            week_outlets[week].add(int(outlet))
    days = [DayCount(d, counts[d], len(outlets[d])) for d in sorted(counts)]
    weeks = [DayCount(w, week_counts[w], len(week_outlets[w])) for w in sorted(week_counts)]
    return days, weeks


_SOURCE_NAME = sa.func.coalesce(_T.c.source_name, _T.c.source_text)


def _source_rows(
    conn: sa.Connection, condition: sa.ColumnElement[bool], limit: int
) -> list[SourceRow]:
    """The most-cited sources of the attributions meeting `condition` (on attributions and
    their articles): by resolved name, else their words; unattributed ones left out."""
    kept = sa.and_(condition, _T.c.kind != "unattributed", _SOURCE_NAME.is_not(None))
    joined = _T.join(_A, _A.c.id == _T.c.article_id)
    query = (
        sa.select(
            _SOURCE_NAME.label("name"),
            _T.c.source_type,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            sa.func.avg(_T.c.certainty_score).label("score"),
        )
        .select_from(joined)
        .where(kept)
        .group_by(_SOURCE_NAME, _T.c.source_type)
        .order_by(sa.desc("articles"), sa.desc("attributions"), _SOURCE_NAME, _T.c.source_type)
        .limit(limit)
    )
    rows = list(conn.execute(query))
    if not rows:
        return []
    names = sorted({str(r.name) for r in rows})
    labels: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    mix = conn.execute(
        sa.select(
            _SOURCE_NAME.label("name"),
            _T.c.source_type,
            _T.c.certainty_label,
            sa.func.count().label("n"),
        )
        .select_from(joined)
        .where(kept, _SOURCE_NAME.in_(names))
        .group_by(_SOURCE_NAME, _T.c.source_type, _T.c.certainty_label)
    )
    for r in mix:
        labels[(str(r.name), str(r.source_type))][str(r.certainty_label)] = int(r.n)
    return [
        SourceRow(
            name=str(r.name),
            source_type=str(r.source_type),
            attributions=int(r.attributions),
            articles=int(r.articles),
            outlets=int(r.outlets),
            certainty_score=float(r.score),
            labels=_ordered_labels(labels[(str(r.name), str(r.source_type))]),
        )
        for r in rows
    ]


# --- one story ----------------------------------------------------------------------------------

STORY_CLAIMS = 10  # the claims shown with a story, most articles first
PEOPLE = 10  # the sources and the entities shown with a story
LEAD_WIDTH = 160  # characters of an untitled article's text standing for its title


@dataclass(frozen=True)
class ArticleRef:
    """One article, as a story or a copy lists it."""

    article_id: str
    published: date | None
    outlet: str | None  # the outlet's display name, else the article's raw outlet
    title: str  # its title, else the first line of its text
    copy_of: str | None  # its original when it is a copy

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "published": _iso(self.published),
            "outlet": self.outlet,
            "title": self.title,
            "copy_of": self.copy_of,
        }


@dataclass(frozen=True)
class EntityCount:
    """An entity named in a story: its corpus entity (name and type as the corpus knows them)
    when linked, else its name in the articles."""

    name: str
    type: str
    corpus_id: int | None
    articles: int
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "corpus_id": self.corpus_id,
            "articles": self.articles,
            "mentions": self.mentions,
        }


@dataclass(frozen=True)
class StoryDetail:
    """One story in full (`story`)."""

    story_id: int
    title: str  # the earliest article's
    articles: list[ArticleRef]  # earliest first (undated last), then in the order stored
    days: list[DayCount]  # dated articles and distinct outlets per day
    weeks: list[DayCount]  # the same per week (starting on Monday)
    claims: list[ClaimRow]  # its claims with the most articles (of the whole claim), at most 10
    n_claims: int  # all claims with an attribution in the story
    sources: list[SourceRow]  # its most-cited sources (in its articles), at most 10
    entities: list[EntityCount]  # its most-named entities, at most 10
    copies: dict[str, str] = field(default_factory=dict)  # article id -> its original

    @property
    def first(self) -> ArticleRef:
        """The article where the story was first seen."""
        return self.articles[0]

    @property
    def outlets(self) -> int:
        return len({a.outlet for a in self.articles if a.outlet is not None})

    @property
    def span(self) -> tuple[date | None, date | None]:
        dated = [a.published for a in self.articles if a.published is not None]
        return (min(dated), max(dated)) if dated else (None, None)

    def to_dict(self) -> dict[str, Any]:
        first, last = self.span
        return {
            "story_id": self.story_id,
            "title": self.title,
            "first_article": self.first.article_id,
            "first": _iso(first),
            "last": _iso(last),
            "n_articles": len(self.articles),
            "outlets": self.outlets,
            "n_claims": self.n_claims,
            "articles": [a.to_dict() for a in self.articles],
            "days": [d.to_dict() for d in self.days],
            "weeks": [d.to_dict() for d in self.weeks],
            "claims": [c.to_dict() for c in self.claims],
            "sources": [s.to_dict() for s in self.sources],
            "entities": [e.to_dict() for e in self.entities],
            "copies": dict(self.copies),
        }


def _ref_columns() -> list[sa.ColumnElement[Any]]:
    return [
        _A.c.id,
        _A.c.published,
        sa.func.coalesce(_O.c.name, _A.c.outlet_name).label("outlet"),
        _A.c.title,
        sa.func.substr(_A.c.text, 1, LEAD_WIDTH).label("lead"),
        _A.c.copy_of,
    ]


def _refs(
    conn: sa.Connection, condition: sa.ColumnElement[bool], limit: int | None = None
) -> list[ArticleRef]:
    """The articles meeting `condition`, earliest first (undated last), then as stored."""
    query = (
        sa.select(*_ref_columns())
        .select_from(_A.outerjoin(_O, _O.c.id == _A.c.outlet_id))
        .where(condition)
        .order_by(_undated_last(_A.c.published), _A.c.published, _A.c.pk)
        .limit(limit)
    )
    return [
        ArticleRef(
            article_id=str(r.id),
            published=None if r.published is None else _as_date(r.published),
            outlet=r.outlet,
            title=str(r.title or (r.lead or "").strip().split("\n", 1)[0]),
            copy_of=r.copy_of,
        )
        for r in conn.execute(query)
    ]


def _claims_in(
    articles: sa.Select[Any], claim_id: sa.ColumnElement[Any] = _CS.c.claim_id
) -> sa.ColumnElement[bool]:
    """The claims (`claim_id`: of `claim_stats`, else the column given) with an attribution
    in one of `articles` (a select of article ids)."""
    inner = _T.alias("inner_attributions")
    return claim_id.in_(
        sa.select(inner.c.claim_id).where(
            inner.c.claim_id.is_not(None), inner.c.article_id.in_(articles)
        )
    )


def _entity_counts(conn: sa.Connection, articles: sa.Select[Any], limit: int) -> list[EntityCount]:
    """The entities named most in `articles` (a select of article ids): by corpus entity where
    linked, else by name and type; most articles, then most mentions, first."""
    mentioned = _E.outerjoin(
        _M, sa.and_(_M.c.article_id == _E.c.article_id, _M.c.entity_id == _E.c.entity_id)
    )
    linked = (
        sa.select(
            _E.c.corpus_entity_id,
            _CE.c.name,
            _CE.c.type,
            sa.func.count(sa.distinct(_E.c.article_id)).label("articles"),
            sa.func.count(_M.c.pk).label("mentions"),
        )
        .select_from(mentioned.join(_CE, _CE.c.id == _E.c.corpus_entity_id))
        .where(_E.c.article_id.in_(articles))
        .group_by(_E.c.corpus_entity_id, _CE.c.name, _CE.c.type)
        .order_by(sa.desc("articles"), sa.desc("mentions"), _E.c.corpus_entity_id)
        .limit(limit)
    )
    unlinked = (
        sa.select(
            _E.c.name,
            _E.c.type,
            sa.func.count(sa.distinct(_E.c.article_id)).label("articles"),
            sa.func.count(_M.c.pk).label("mentions"),
        )
        .select_from(mentioned)
        .where(_E.c.article_id.in_(articles), _E.c.corpus_entity_id.is_(None))
        .group_by(_E.c.name, _E.c.type)
        .order_by(sa.desc("articles"), sa.desc("mentions"), _E.c.name)
        .limit(limit)
    )
    found = [
        EntityCount(str(r.name), str(r.type), int(r.corpus_entity_id), r.articles, r.mentions)
        for r in conn.execute(linked)
    ] + [
        EntityCount(str(r.name), str(r.type), None, int(r.articles), int(r.mentions))
        for r in conn.execute(unlinked)
    ]
    found.sort(key=lambda e: (-e.articles, -e.mentions, e.name))
    return found[:limit]


def _story_days(story_id: int) -> sa.Select[Any]:
    return (
        sa.select(_A.c.published, _A.c.outlet_id, sa.func.count().label("n"))
        .where(_A.c.story_id == story_id, _A.c.published.is_not(None))
        .group_by(_A.c.published, _A.c.outlet_id)
    )


def story(store: Store, story_id: int) -> StoryDetail:
    """One story in full (see `StoryDetail`); E112 when the store has no such story."""
    in_story = sa.select(_A.c.id).where(_A.c.story_id == story_id)
    with store.reading() as conn:
        articles = _refs(conn, _A.c.story_id == story_id)
        if not articles:
            raise InputError(Errors.E112, story_id=story_id)
        days, weeks = _timeline(conn, _story_days(story_id))
        top = claim_rows(conn, _claim_stats().where(_claims_in(in_story)), STORY_CLAIMS)
        n_claims = conn.execute(
            sa.select(sa.func.count(sa.distinct(_T.c.claim_id))).where(
                _claims_in(in_story, _T.c.claim_id)
            )
        ).scalar_one()
        sources = _source_rows(conn, _A.c.story_id == story_id, PEOPLE)
        entities = _entity_counts(conn, in_story, PEOPLE)
    return StoryDetail(
        story_id=story_id,
        title=articles[0].title,
        articles=articles,
        days=days,
        weeks=weeks,
        claims=top,
        n_claims=int(n_claims),
        sources=sources,
        entities=entities,
        copies={a.article_id: a.copy_of for a in articles if a.copy_of is not None},
    )


def _story_row(conn: sa.Connection, story_id: int) -> StoryRow:
    kept = conn.execute(sa.select(_SS).where(_SS.c.story_id == story_id)).first()
    if kept is not None:  # `story_stats`: no pass over the story's articles
        return StoryRow(
            story_id,
            int(kept.articles),
            int(kept.outlets),
            kept.first,
            kept.last,
            story_title(conn, story_id),
        )
    r = conn.execute(
        sa.select(
            sa.func.count().label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            sa.func.min(_A.c.published).label("first"),
            sa.func.max(_A.c.published).label("last"),
        ).where(_A.c.story_id == story_id)
    ).one()
    return StoryRow(
        story_id, int(r.articles), int(r.outlets), r.first, r.last, story_title(conn, story_id)
    )


# --- one article --------------------------------------------------------------------------------

MIN_PREFIX = 8  # the fewest characters of an article id that `article` takes as a prefix


@dataclass(frozen=True)
class ArticleAttribution:
    """One attribution of an article, with the claim linking put it in."""

    attribution_id: str
    kind: str
    source: str | None  # the resolved name, else the source's words; None when unattributed
    source_type: str
    source_entity: str | None  # the article's entity id (`ArticleEntity.entity_id`)
    cue: str | None
    channel: str | None
    content: str
    certainty_score: float
    certainty_label: str
    certainty_cues: tuple[str, ...]
    claim_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribution_id": self.attribution_id,
            "kind": self.kind,
            "source": self.source,
            "source_type": self.source_type,
            "source_entity": self.source_entity,
            "cue": self.cue,
            "channel": self.channel,
            "content": self.content,
            "certainty_score": self.certainty_score,
            "certainty_label": self.certainty_label,
            "certainty_cues": list(self.certainty_cues),
            "claim_id": self.claim_id,
        }


@dataclass(frozen=True)
class ArticleEntity:
    """One entity of an article, with its corpus entity when linking set one."""

    entity_id: str
    name: str
    type: str
    mentions: int
    descriptors: tuple[str, ...]
    corpus_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "type": self.type,
            "mentions": self.mentions,
            "descriptors": list(self.descriptors),
            "corpus_id": self.corpus_id,
        }


@dataclass(frozen=True)
class ArticleDetail:
    """One article in full (`article`)."""

    article_id: str
    title: str | None
    url: str | None
    outlet: str | None  # the outlet's display name
    outlet_name: str | None  # the outlet as the article gave it
    published: date | None
    date_source: str | None
    language: str
    credit: str | None
    ingested_at: datetime
    revision_of: str | None
    text: str
    attributions: list[ArticleAttribution]  # in the order found
    entities: list[ArticleEntity]  # in the order found
    story: StoryRow | None
    copy_of: ArticleRef | None  # the original it copies
    copies: list[ArticleRef]  # the articles copying it, earliest first

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict[str, Any]:
        story = self.story
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "outlet_name": self.outlet_name,
            "published": _iso(self.published),
            "date_source": self.date_source,
            "language": self.language,
            "credit": self.credit,
            "ingested_at": self.ingested_at.isoformat(),
            "revision_of": self.revision_of,
            "words": self.words,
            "text": self.text,
            "attributions": [a.to_dict() for a in self.attributions],
            "entities": [e.to_dict() for e in self.entities],
            "story": None
            if story is None
            else {
                "story_id": story.story_id,
                "articles": story.articles,
                "outlets": story.outlets,
                "first": _iso(story.first),
                "last": _iso(story.last),
                "title": story.title,
            },
            "copy_of": None if self.copy_of is None else self.copy_of.to_dict(),
            "copies": [c.to_dict() for c in self.copies],
        }


def article_id(store: Store, wanted: str) -> str:
    """The id of the article `wanted` names: its id, or an unambiguous prefix of it of at
    least `MIN_PREFIX` characters (case-insensitive).  E110 when none matches, E111 when
    several do."""
    key = wanted.strip().lower()
    with store.reading() as conn:
        if conn.execute(sa.select(_A.c.id).where(_A.c.id == key)).first() is not None:
            return key
        if len(key) < MIN_PREFIX:
            raise InputError(Errors.E110, article_id=wanted)
        found = list(
            conn.execute(
                sa.select(_A.c.id)
                .where(_A.c.id.startswith(key, autoescape=True))
                .order_by(_A.c.id)
                .limit(6)
            ).scalars()
        )
    if not found:
        raise InputError(Errors.E110, article_id=wanted)
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise InputError(Errors.E111, prefix=wanted, matches=shown, ids=found)
    return str(found[0])


def article(store: Store, wanted: str) -> ArticleDetail:
    """One article in full (see `ArticleDetail`), by its id or an unambiguous prefix of it
    (`article_id`); E110 when the store has no such article, E111 for an ambiguous prefix."""
    ident = article_id(store, wanted)
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name).label("outlet")
    with store.reading() as conn:
        row = conn.execute(
            sa.select(_A, outlet)
            .select_from(_A.outerjoin(_O, _O.c.id == _A.c.outlet_id))
            .where(_A.c.id == ident)
        ).one()
        attributions = [
            ArticleAttribution(
                attribution_id=r.attribution_id,
                kind=r.kind,
                source=None if r.kind == "unattributed" else (r.source_name or r.source_text),
                source_type=r.source_type,
                source_entity=r.source_entity,
                cue=r.cue_text,
                channel=r.channel_text,
                content=r.content_text,
                certainty_score=float(r.certainty_score),
                certainty_label=r.certainty_label,
                certainty_cues=tuple(r.certainty_cues or ()),
                claim_id=r.claim_id,
            )
            for r in conn.execute(
                sa.select(_T).where(_T.c.article_id == ident).order_by(_T.c.position, _T.c.pk)
            )
        ]
        counts: dict[str, int] = dict(
            conn.execute(
                sa.select(_M.c.entity_id, sa.func.count())
                .where(_M.c.article_id == ident)
                .group_by(_M.c.entity_id)
            ).all()
        )
        described: dict[str, list[str]] = defaultdict(list)
        for entity_id, text in conn.execute(
            sa.select(_D.c.entity_id, _D.c.text)
            .where(_D.c.article_id == ident)
            .order_by(_D.c.position, _D.c.pk)
        ):
            described[str(entity_id)].append(str(text))
        entities = [
            ArticleEntity(
                entity_id=r.entity_id,
                name=r.name,
                type=r.type,
                mentions=int(counts.get(r.entity_id, 0)),
                descriptors=tuple(described.get(r.entity_id, ())),
                corpus_id=r.corpus_entity_id,
            )
            for r in conn.execute(
                sa.select(_E).where(_E.c.article_id == ident).order_by(_E.c.position, _E.c.pk)
            )
        ]
        story_row = _story_row(conn, int(row.story_id)) if row.story_id is not None else None
        original = _refs(conn, _A.c.id == row.copy_of) if row.copy_of is not None else []
        copies = _refs(conn, _A.c.copy_of == ident)
    return ArticleDetail(
        article_id=ident,
        title=row.title,
        url=row.url,
        outlet=row.outlet,
        outlet_name=row.outlet_name,
        published=None if row.published is None else _as_date(row.published),
        date_source=row.date_source,
        language=row.language,
        credit=row.credit,
        ingested_at=row.ingested_at,
        revision_of=row.revision_of,
        text=row.text,
        attributions=attributions,
        entities=entities,
        story=story_row,
        copy_of=original[0] if original else None,
        copies=copies,
    )


# --- one entity ---------------------------------------------------------------------------------

ENTITY_CLAIMS = 10  # the claims an entity makes, and those about it, shown


@dataclass(frozen=True)
class SaidRow:
    """A claim an entity makes as a source: its earliest attribution of the claim, and how
    often and how surely it says it."""

    claim_id: int
    content: str
    first: date | None
    article_id: str
    outlet: str | None
    attributions: int
    articles: int
    certainty_score: float  # the mean over its attributions of the claim
    labels: dict[str, int]

    @property
    def certainty_label(self) -> str:
        return _top_label(self.labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "content": self.content,
            "first": _iso(self.first),
            "article_id": self.article_id,
            "outlet": self.outlet,
            "attributions": self.attributions,
            "articles": self.articles,
            "certainty_score": self.certainty_score,
            "certainty_label": self.certainty_label,
            "labels": dict(self.labels),
        }


@dataclass(frozen=True)
class EntityDetail:
    """One corpus entity in full (`entity`)."""

    entity: StoredEntity  # names, roles and mentions per day included
    days: list[DayCount]  # its mentions and the distinct outlets naming it, per day
    weeks: list[DayCount]  # the same per week (starting on Monday)
    said: list[SaidRow]  # the claims it makes as a source, most articles first
    n_said: int  # all the claims it makes
    about: list[ClaimRow]  # the claims in articles naming it, largest first
    first: ArticleRef | None  # the earliest article naming it
    record: TrackRecord | None = None  # its track record, when some of its claims are resolved

    def to_dict(self) -> dict[str, Any]:
        e = self.entity
        return {
            "corpus_id": e.id,
            "name": e.name,
            "type": e.type,
            "first_seen": _iso(e.first_seen),
            "last_seen": _iso(e.last_seen),
            "articles": e.articles,
            "mentions": e.mentions,
            "names": [{"name": name, "articles": n} for name, n in e.names],
            "roles": [
                {
                    "text": r.text,
                    "first_seen": _iso(r.first_seen),
                    "last_seen": _iso(r.last_seen),
                    "article_id": r.article_id,
                    "articles": r.articles,
                }
                for r in e.roles
            ],
            "first_article": None if self.first is None else self.first.to_dict(),
            "days": [d.to_dict() for d in self.days],
            "weeks": [d.to_dict() for d in self.weeks],
            "said": [s.to_dict() for s in self.said],
            "n_said": self.n_said,
            "about": [c.to_dict() for c in self.about],
            "record": None if self.record is None else self.record.to_dict(),
        }


def _said_by(corpus_id: int) -> sa.ColumnElement[bool]:
    """Attributions whose source is one of the entity's article entities: by the source's
    entity id in its article, else (no entity id) by its resolved name."""
    named = _E.alias("source_entities")
    inner = _T.alias("said_attributions")
    # Driven from the entity's mentions (`entities.corpus_entity_id` is indexed), then the
    # attributions of those articles: a correlated test on every attribution of the store
    # took minutes for an entity named in 14,000 articles.
    return _T.c.pk.in_(
        sa.select(inner.c.pk)
        .select_from(named.join(inner, inner.c.article_id == named.c.article_id))
        .where(
            named.c.corpus_entity_id == corpus_id,
            sa.or_(
                named.c.entity_id == inner.c.source_entity,
                sa.and_(inner.c.source_entity.is_(None), named.c.name == inner.c.source_name),
            ),
        )
    )


def _said(conn: sa.Connection, corpus_id: int, limit: int) -> tuple[list[SaidRow], int]:
    said = sa.and_(_said_by(corpus_id), _T.c.claim_id.is_not(None))
    joined = _T.join(_A, _A.c.id == _T.c.article_id)
    query = (
        sa.select(
            _T.c.claim_id,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.avg(_T.c.certainty_score).label("score"),
            sa.func.min(_T.c.published).label("first"),
        )
        .select_from(joined)
        .where(said)
        .group_by(_T.c.claim_id)
        .order_by(sa.desc("articles"), sa.desc("attributions"), _T.c.claim_id)
        .limit(limit)
    )
    rows = list(conn.execute(query))
    total = conn.execute(
        sa.select(sa.func.count(sa.distinct(_T.c.claim_id))).where(said)
    ).scalar_one()
    ids = [int(r.claim_id) for r in rows]
    if not ids:
        return [], int(total)
    order = sa.func.row_number().over(
        partition_by=_T.c.claim_id,
        order_by=(_undated_last(_T.c.published), _T.c.published, _T.c.pk),
    )
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name)
    ranked = (
        sa.select(
            _T.c.claim_id,
            _T.c.article_id,
            _T.c.content_text,
            outlet.label("outlet"),
            order.label("n"),
        )
        .select_from(joined.outerjoin(_O, _O.c.id == _A.c.outlet_id))
        .where(said, _T.c.claim_id.in_(ids))
        .subquery()
    )
    earliest = {
        int(r.claim_id): r
        for r in conn.execute(
            sa.select(
                ranked.c.claim_id, ranked.c.article_id, ranked.c.content_text, ranked.c.outlet
            ).where(ranked.c.n == 1)
        )
    }
    labels: dict[int, dict[str, int]] = defaultdict(dict)
    for r in conn.execute(
        sa.select(_T.c.claim_id, _T.c.certainty_label, sa.func.count().label("n"))
        .where(said, _T.c.claim_id.in_(ids))
        .group_by(_T.c.claim_id, _T.c.certainty_label)
    ):
        labels[int(r.claim_id)][str(r.certainty_label)] = int(r.n)
    found = []
    for r in rows:
        claim_id = int(r.claim_id)
        first = earliest[claim_id]
        found.append(
            SaidRow(
                claim_id=claim_id,
                content=str(first.content_text)[:STATEMENT_WIDTH],
                first=None if r.first is None else _as_date(r.first),
                article_id=str(first.article_id),
                outlet=first.outlet,
                attributions=int(r.attributions),
                articles=int(r.articles),
                certainty_score=float(r.score),
                labels=_ordered_labels(labels[claim_id]),
            )
        )
    return found, int(total)


def entity(store: Store, corpus_id: int) -> EntityDetail:
    """One corpus entity in full (see `EntityDetail`; `Store.entity` for its names, roles and
    mentions); E113 when the store has no such entity."""
    stored = store.entity(corpus_id)
    if stored is None:
        raise InputError(Errors.E113, entity=corpus_id)
    naming = sa.select(_E.c.article_id).where(_E.c.corpus_entity_id == corpus_id)
    daily = (
        sa.select(_E.c.published, _A.c.outlet_id, sa.func.count(_M.c.pk).label("n"))
        .select_from(
            _E.join(_A, _A.c.id == _E.c.article_id).outerjoin(
                _M, sa.and_(_M.c.article_id == _E.c.article_id, _M.c.entity_id == _E.c.entity_id)
            )
        )
        .where(_E.c.corpus_entity_id == corpus_id, _E.c.published.is_not(None))
        .group_by(_E.c.published, _A.c.outlet_id)
    )
    with store.reading() as conn:
        days, weeks = _timeline(conn, daily)
        said, n_said = _said(conn, corpus_id, ENTITY_CLAIMS)
        about = claim_rows(conn, _claim_stats().where(_claims_in(naming)), ENTITY_CLAIMS)
        first = _refs(conn, _A.c.id.in_(naming), limit=1)
        record = _entity_record(conn, corpus_id)
    return EntityDetail(
        entity=stored,
        days=days,
        weeks=weeks,
        said=said,
        n_said=n_said,
        about=about,
        first=first[0] if first else None,
        record=record,
    )


def entity_named(store: Store, name: str) -> EntityDetail:
    """The one corpus entity with this name (`Store.find_entities`) in full; E113 when none
    has it, E114 when several do (`entities` in the error's details: their summaries)."""
    found = store.find_entities(name)
    if not found:
        raise InputError(Errors.E113, entity=name)
    if len(found) > 1:
        choices = "; ".join(f"{e.id} {e.name} ({e.type})" for e in found[:5])
        if len(found) > 5:
            choices += "; ..."
        raise InputError(Errors.E114, name=name, n=len(found), choices=choices, entities=found)
    return entity(store, found[0].id)


# --- track records ------------------------------------------------------------------------------

SORTS = ("brier", "resolved", "name")


def _entity_record(conn: sa.Connection, corpus_id: int) -> TrackRecord | None:
    """The record of the claims an entity makes, against their current resolutions; None when
    none of them has one."""
    current = resolution.current_outcomes().subquery("current")
    rows = conn.execute(
        sa.select(current.c.outcome, sa.func.avg(_T.c.certainty_score).label("score"))
        .select_from(_T.join(current, current.c.claim_id == _T.c.claim_id))
        .where(_said_by(corpus_id))
        .group_by(_T.c.claim_id, current.c.outcome)
    ).all()
    if not rows:
        return None
    return track_record(Forecast.from_certainty(float(r.score), str(r.outcome)) for r in rows)


@dataclass(frozen=True)
class RecordRow:
    """One source's or outlet's track record (`sources`)."""

    kind: str  # "source" or "outlet"
    name: str
    corpus_id: int | None  # a source's corpus entity, when linking gave one
    outlet_id: int | None  # an outlet's store id
    source_type: str | None  # PERSON, ORG, ... (None for an outlet)
    record: TrackRecord

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "corpus_id": self.corpus_id,
            "outlet_id": self.outlet_id,
            "source_type": self.source_type,
            **self.record.to_dict(),
        }


def check_sort(value: str) -> str:
    """A `sources` sort key, checked (E130)."""
    wanted = value.strip().lower()
    if wanted not in SORTS:
        raise InputError(Errors.E130, value=value, choices=", ".join(SORTS))
    return wanted


def sources(
    store: Store,
    *,
    sort: str = "brier",
    min_resolved: int = 1,
    kind: str | None = None,
    limit: int | None = None,
) -> list[RecordRow]:
    """The track record of every named source and every outlet with at least `min_resolved`
    claims resolved true, false or partly (`kind`: "source" or "outlet" for one of them);
    sorted by Brier score (best first), by resolved claims (most first) or by name.  E130 for
    an unknown sort."""
    order = check_sort(sort)
    current = resolution.current_outcomes().subquery("current")
    named = _E.alias("source_entities")
    name_key = sa.case((named.c.corpus_entity_id.is_(None), _T.c.source_name), else_=None)
    by_source = (
        sa.select(
            named.c.corpus_entity_id.label("corpus_id"),
            sa.func.min(sa.func.coalesce(_CE.c.name, _T.c.source_name)).label("name"),
            sa.func.min(_T.c.source_type).label("source_type"),
            current.c.outcome,
            sa.func.avg(_T.c.certainty_score).label("score"),
        )
        .select_from(
            _T.join(current, current.c.claim_id == _T.c.claim_id)
            .outerjoin(
                named,
                sa.and_(
                    named.c.article_id == _T.c.article_id, named.c.entity_id == _T.c.source_entity
                ),
            )
            .outerjoin(_CE, _CE.c.id == named.c.corpus_entity_id)
        )
        .where(
            _T.c.kind != "unattributed",
            _T.c.source_type != "UNNAMED",
            _T.c.source_name.is_not(None),
        )
        .group_by(named.c.corpus_entity_id, name_key, _T.c.claim_id, current.c.outcome)
    )
    by_outlet = (
        sa.select(
            _A.c.outlet_id,
            sa.func.min(sa.func.coalesce(_O.c.name, _A.c.outlet_name)).label("name"),
            current.c.outcome,
            sa.func.avg(_T.c.certainty_score).label("score"),
        )
        .select_from(
            _T.join(current, current.c.claim_id == _T.c.claim_id)
            .join(_A, _A.c.id == _T.c.article_id)
            .outerjoin(_O, _O.c.id == _A.c.outlet_id)
        )
        .where(_A.c.outlet_id.is_not(None))
        .group_by(_A.c.outlet_id, _T.c.claim_id, current.c.outcome)
    )
    forecasts: dict[tuple[str, Any], list[Forecast]] = defaultdict(list)
    about: dict[tuple[str, Any], tuple[str, int | None, int | None, str | None]] = {}
    with store.reading() as conn:
        if kind in (None, "source"):
            for r in conn.execute(by_source):
                corpus = None if r.corpus_id is None else int(r.corpus_id)
                key = ("source", corpus if corpus is not None else str(r.name))
                forecasts[key].append(Forecast.from_certainty(float(r.score), str(r.outcome)))
                about.setdefault(key, (str(r.name), corpus, None, str(r.source_type)))
        if kind in (None, "outlet"):
            for o in conn.execute(by_outlet):
                key = ("outlet", int(o.outlet_id))
                forecasts[key].append(Forecast.from_certainty(float(o.score), str(o.outcome)))
                about.setdefault(key, (str(o.name), None, int(o.outlet_id), None))
    rows = []
    for key, found in forecasts.items():
        record = track_record(found)
        if record.resolved < max(min_resolved, 1):
            continue
        name, corpus, outlet, source_type = about[key]
        rows.append(RecordRow(key[0], name, corpus, outlet, source_type, record))
    if order == "brier":
        rows.sort(key=lambda r: (r.record.brier is None, r.record.brier or 0.0, r.name, r.kind))
    elif order == "resolved":
        rows.sort(key=lambda r: (-r.record.resolved, r.name, r.kind))
    else:
        rows.sort(key=lambda r: (r.name.casefold(), r.kind))
    return rows[:limit] if limit is not None else rows
