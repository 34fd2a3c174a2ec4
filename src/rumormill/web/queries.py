"""What the web pages ask of a store beyond `store/queries.py`: mentions per day of several
claims (the dashboard's sparklines), the newest stories, the claims awaiting resolution, one
outlet in detail, and full-text search with filters and paging.

Portable SQLAlchemy Core, as `store/queries.py`, except the full-text match itself: on SQLite
it is the FTS5 index of `store/fts.py` (joined as a subquery, so that the filters, the count
and the page are one SQL query each); elsewhere every word of the query as a case-insensitive
substring (correct, unindexed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from rumormill import resolution
from rumormill.days import as_date as _day
from rumormill.days import iso as _iso
from rumormill.errors import Errors, InputError, StoreError
from rumormill.store import fts, queries, schema
from rumormill.store.queries import ArticleRef, ClaimRow, StoryRow
from rumormill.store.store import Store
from rumormill.trackrecord import TrackRecord, label_of_score

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_E = schema.entities
_SS = schema.story_stats

OUTLET_ARTICLES = 50  # the newest articles of an outlet shown
OUTLET_ROWS = 20  # its claims, whom it cites, whom it copies
PER_PAGE = 20
MAX_PAGE = 500  # deeper pages are refused: narrow the search instead
SNIPPET_WIDTH = 160
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters around matched words


# --- the dashboard ------------------------------------------------------------------------------


def claim_days(store: Store, claim_ids: Sequence[int]) -> dict[int, dict[date, int]]:
    """Dated mentions (attributions) per day of each claim."""
    found: dict[int, dict[date, int]] = defaultdict(dict)
    if not claim_ids:
        return found
    query = (
        sa.select(_T.c.claim_id, _T.c.published, sa.func.count().label("n"))
        .where(_T.c.claim_id.in_(list(claim_ids)), _T.c.published.is_not(None))
        .group_by(_T.c.claim_id, _T.c.published)
    )
    with store.reading() as conn:
        for r in conn.execute(query):
            day = _day(r.published)
            if day is not None:
                found[int(r.claim_id)][day] = int(r.n)
    return found


def newest_stories(store: Store, *, limit: int = 10) -> list[StoryRow]:
    """The stories with the most recent articles, newest first (then most articles); undated
    stories last.  From `story_stats`, newest first by its index."""
    dated = (
        sa.select(_SS)
        .where(_SS.c.last.is_not(None))
        .order_by(_SS.c.last.desc(), _SS.c.articles.desc(), _SS.c.story_id)
        .limit(limit)
    )
    undated = (
        sa.select(_SS)
        .where(_SS.c.last.is_(None))
        .order_by(_SS.c.articles.desc(), _SS.c.story_id)
        .limit(limit)
    )
    with store.reading() as conn:
        rows = list(conn.execute(dated))
        if len(rows) < limit:
            rows += list(conn.execute(undated))[: limit - len(rows)]
        titles = {int(r.story_id): queries.story_title(conn, int(r.story_id)) for r in rows}
    return [
        StoryRow(
            int(r.story_id),
            int(r.articles),
            int(r.outlets),
            _day(r.first),
            _day(r.last),
            titles.get(int(r.story_id), ""),
        )
        for r in rows
    ]


def awaiting(store: Store, *, limit: int = 10) -> list[ClaimRow]:
    """Claims awaiting resolution: the largest claims carried by at least two articles that
    have no current true, false or partly resolution."""
    cs = schema.claim_stats
    unresolved = queries.claims_where(
        cs.c.articles >= 2, cs.c.claim_id.not_in(resolution.resolved_claims())
    )
    with store.reading() as conn:
        return queries.claim_rows(conn, unresolved, limit)


def outlet_names(store: Store) -> list[tuple[int, str]]:
    """Every outlet's id and name, by name (the search form's choices)."""
    with store.reading() as conn:
        rows = conn.execute(sa.select(_O.c.id, _O.c.name))
        return sorted(((int(r.id), str(r.name)) for r in rows), key=lambda x: x[1].casefold())


# --- one outlet ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutletClaim:
    """A claim with attributions in an outlet's articles."""

    claim_id: int
    statement: str  # the content of the outlet's earliest attribution of it
    attributions: int  # in the outlet's articles
    articles: int
    first: date | None
    certainty_score: float  # the mean over the outlet's attributions of it
    outcome: str | None  # the claim's current resolution

    @property
    def certainty_label(self) -> str:
        return label_of_score(self.certainty_score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "statement": self.statement,
            "attributions": self.attributions,
            "articles": self.articles,
            "first": _iso(self.first),
            "certainty_score": self.certainty_score,
            "certainty_label": self.certainty_label,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class Cited:
    """An organisation or channel an outlet's articles attribute claims to, and the stored
    outlet it is, if any."""

    name: str
    attributions: int
    articles: int
    outlet_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "attributions": self.attributions,
            "articles": self.articles,
            "outlet_id": self.outlet_id,
        }


@dataclass(frozen=True)
class Copied:
    """Another outlet whose articles this one copies (or that copies this one's)."""

    outlet_id: int | None
    name: str
    articles: int

    def to_dict(self) -> dict[str, Any]:
        return {"outlet_id": self.outlet_id, "name": self.name, "articles": self.articles}


@dataclass(frozen=True)
class OutletDetail:
    """One outlet in full (`outlet`)."""

    outlet_id: int
    name: str
    domain: str | None
    aliases: tuple[str, ...]
    n_articles: int
    first: date | None
    last: date | None
    articles: list[ArticleRef]  # the newest first, at most OUTLET_ARTICLES
    claims: list[OutletClaim]  # most articles first
    n_claims: int
    cites: list[Cited]  # most attributions first
    copies: list[Copied]  # the outlets whose articles it copies
    copied_by: list[Copied]  # the outlets copying its articles
    record: TrackRecord | None = None
    days: dict[date, int] = field(default_factory=dict)  # articles per day

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlet_id": self.outlet_id,
            "name": self.name,
            "domain": self.domain,
            "aliases": list(self.aliases),
            "n_articles": self.n_articles,
            "first": _iso(self.first),
            "last": _iso(self.last),
            "articles": [a.to_dict() for a in self.articles],
            "claims": [c.to_dict() for c in self.claims],
            "n_claims": self.n_claims,
            "cites": [c.to_dict() for c in self.cites],
            "copies": [c.to_dict() for c in self.copies],
            "copied_by": [c.to_dict() for c in self.copied_by],
            "record": None if self.record is None else self.record.to_dict(),
            "days": [{"day": d.isoformat(), "articles": n} for d, n in sorted(self.days.items())],
        }


def _outlet_claims(conn: sa.Connection, outlet_id: int) -> tuple[list[OutletClaim], int]:
    own = sa.and_(_A.c.outlet_id == outlet_id, _T.c.claim_id.is_not(None))
    joined = _T.join(_A, _A.c.id == _T.c.article_id)
    rows = list(
        conn.execute(
            sa.select(
                _T.c.claim_id,
                sa.func.count().label("attributions"),
                sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
                sa.func.min(_T.c.published).label("first"),
                sa.func.avg(_T.c.certainty_score).label("score"),
                sa.func.min(_T.c.pk).label("first_pk"),
            )
            .select_from(joined)
            .where(own)
            .group_by(_T.c.claim_id)
            .order_by(sa.desc("articles"), sa.desc("attributions"), _T.c.claim_id)
            .limit(OUTLET_ROWS)
        )
    )
    total = conn.execute(
        sa.select(sa.func.count(sa.distinct(_T.c.claim_id))).select_from(joined).where(own)
    ).scalar_one()
    pks = [int(r.first_pk) for r in rows]
    contents = dict(
        conn.execute(sa.select(_T.c.pk, _T.c.content_text).where(_T.c.pk.in_(pks))).all()
    )
    ids = [int(r.claim_id) for r in rows]
    current = resolution.current_outcomes().subquery()
    outcomes = dict(
        conn.execute(
            sa.select(current.c.claim_id, current.c.outcome).where(current.c.claim_id.in_(ids))
        ).all()
    )
    claims = [
        OutletClaim(
            claim_id=int(r.claim_id),
            statement=str(contents.get(int(r.first_pk), ""))[: queries.STATEMENT_WIDTH],
            attributions=int(r.attributions),
            articles=int(r.articles),
            first=_day(r.first),
            certainty_score=float(r.score),
            outcome=outcomes.get(int(r.claim_id)),
        )
        for r in rows
    ]
    return claims, int(total)


def _cites(store: Store, conn: sa.Connection, outlet_id: int) -> list[Cited]:
    """Named organisations its articles attribute claims to, and the channels they name:
    counted in the database (an outlet may have tens of thousands of attributions)."""
    name = sa.func.trim(sa.func.coalesce(_T.c.source_name, _T.c.source_text))
    channel = sa.func.trim(_T.c.channel_text)
    joined = _T.join(_A, _A.c.id == _T.c.article_id)
    mine = sa.and_(_A.c.outlet_id == outlet_id, _T.c.kind != "unattributed")
    named = sa.union_all(
        sa.select(name.label("name"), _T.c.article_id)
        .select_from(joined)
        .where(mine, _T.c.source_type == "ORG"),
        sa.select(channel.label("name"), _T.c.article_id)
        .select_from(joined)
        .where(mine, _T.c.channel_text.is_not(None)),
    ).subquery("named")
    rows = conn.execute(
        sa.select(
            named.c.name,
            sa.func.count().label("n"),
            sa.func.count(sa.distinct(named.c.article_id)).label("articles"),
        )
        .where(named.c.name.is_not(None), named.c.name != "")
        .group_by(named.c.name)
        .order_by(sa.desc("n"), sa.desc("articles"), named.c.name)
        .limit(OUTLET_ROWS)
    ).all()
    found = []
    for r in rows:
        known = store.outlet(raw=str(r.name))
        found.append(
            Cited(
                str(r.name),
                int(r.n),
                int(r.articles),
                None if known is None or known.id == outlet_id else known.id,
            )
        )
    return found


def _copies(conn: sa.Connection, outlet_id: int, *, copying: bool) -> list[Copied]:
    copy, original = _A.alias("copy"), _A.alias("original")
    mine, theirs = (copy, original) if copying else (original, copy)
    query = (
        sa.select(theirs.c.outlet_id, _O.c.name, sa.func.count().label("n"))
        .select_from(
            copy.join(original, original.c.id == copy.c.copy_of).outerjoin(
                _O, _O.c.id == theirs.c.outlet_id
            )
        )
        .where(mine.c.outlet_id == outlet_id)
        .group_by(theirs.c.outlet_id, _O.c.name)
        .order_by(sa.desc("n"), _O.c.name)
        .limit(OUTLET_ROWS)
    )
    return [
        Copied(
            None if r.outlet_id is None else int(r.outlet_id),
            str(r.name or "(no outlet)"),
            int(r.n),
        )
        for r in conn.execute(query)
    ]


def outlet(store: Store, outlet_id: int) -> OutletDetail:
    """One outlet in full: its articles (newest first), the claims in them, whom its articles
    cite and whom they copy or are copied by, and its track record; E067 when the store has
    no such outlet."""
    with store.reading() as conn:
        row = conn.execute(sa.select(_O).where(_O.c.id == outlet_id)).first()
        if row is None:
            raise InputError(Errors.E067, outlet=outlet_id)
        aliases = tuple(
            f"{kind}:{alias}"
            for kind, alias in conn.execute(
                sa.select(schema.outlet_aliases.c.kind, schema.outlet_aliases.c.alias)
                .where(schema.outlet_aliases.c.outlet_id == outlet_id)
                .order_by(schema.outlet_aliases.c.id)
            )
        )
        stats = conn.execute(
            sa.select(
                sa.func.count().label("n"),
                sa.func.min(_A.c.published).label("first"),
                sa.func.max(_A.c.published).label("last"),
            ).where(_A.c.outlet_id == outlet_id)
        ).one()
        days: dict[date, int] = {}
        for r in conn.execute(
            sa.select(_A.c.published, sa.func.count().label("n"))
            .where(_A.c.outlet_id == outlet_id, _A.c.published.is_not(None))
            .group_by(_A.c.published)
        ):
            day = _day(r.published)
            if day is not None:
                days[day] = int(r.n)
        articles = [
            ArticleRef(
                article_id=str(r.id),
                published=_day(r.published),
                outlet=str(row.name),
                title=str(r.title or (r.lead or "").strip().split("\n", 1)[0]),
                copy_of=r.copy_of,
            )
            for r in conn.execute(
                sa.select(
                    _A.c.id,
                    _A.c.published,
                    _A.c.title,
                    sa.func.substr(_A.c.text, 1, 200).label("lead"),
                    _A.c.copy_of,
                )
                .where(_A.c.outlet_id == outlet_id)
                .order_by(
                    sa.case((_A.c.published.is_(None), 1), else_=0),
                    _A.c.published.desc(),
                    _A.c.pk.desc(),
                )
                .limit(OUTLET_ARTICLES)
            )
        ]
        claims, n_claims = _outlet_claims(conn, outlet_id)
        cites = _cites(store, conn, outlet_id)
        copies = _copies(conn, outlet_id, copying=True)
        copied_by = _copies(conn, outlet_id, copying=False)
    records = [r for r in queries.sources(store, kind="outlet") if r.outlet_id == outlet_id]
    return OutletDetail(
        outlet_id=outlet_id,
        name=str(row.name),
        domain=row.domain,
        aliases=aliases,
        n_articles=int(stats.n),
        first=_day(stats.first),
        last=_day(stats.last),
        articles=articles,
        claims=claims,
        n_claims=n_claims,
        cites=cites,
        copies=copies,
        copied_by=copied_by,
        record=records[0].record if records else None,
        days=days,
    )


# --- search -------------------------------------------------------------------------------------

KINDS = ("articles", "claims")
SORTS = ("newest", "relevance")
COUNT_CAP = MAX_PAGE * PER_PAGE  # hits counted at most: "10000+" beyond
# Up to this many full-text matches, newest first looks them all up and sorts them (reading
# each one's date from its row); more, it reads the date index until the page is full.
FEW_MATCHES = 500


@dataclass(frozen=True)
class SearchQuery:
    """A search: words (FTS5 syntax on SQLite; may be empty when a filter is given) and
    filters, all optional.  `entity` matches an entity's name in the article as a substring,
    case-insensitive; `resolved` keeps articles or claims of resolved claims (True) or
    unresolved ones (False)."""

    q: str = ""
    kind: str = "articles"
    since: date | None = None
    until: date | None = None
    outlet: int | None = None
    entity: str | None = None
    label: str | None = None
    resolved: bool | None = None
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "newest"  # or "relevance" (BM25; with words, on SQLite)

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "kind": self.kind,
            "sort": self.sort,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "outlet": self.outlet,
            "entity": self.entity,
            "label": self.label,
            "resolved": self.resolved,
            "page": self.page,
            "per_page": self.per_page,
        }


@dataclass(frozen=True)
class Hit:
    """One search result: an article, or one attribution's content (a claim)."""

    kind: str  # "article" or "claim"
    article_id: str
    title: str | None
    published: date | None
    outlet: str | None
    outlet_id: int | None
    snippet: str  # plain text
    marks: tuple[tuple[int, int], ...]  # the matched words in `snippet` (offsets)
    attribution_id: str | None = None
    claim_id: int | None = None
    certainty_label: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "title": self.title,
            "published": _iso(self.published),
            "outlet": self.outlet,
            "outlet_id": self.outlet_id,
            "snippet": self.snippet,
            "marks": [list(m) for m in self.marks],
            "attribution_id": self.attribution_id,
            "claim_id": self.claim_id,
            "certainty_label": self.certainty_label,
            "source": self.source,
        }


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    total: int  # hits found, counted up to COUNT_CAP
    hits: list[Hit]
    more: bool = False  # more than `total` (the count stopped at COUNT_CAP)

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.query.per_page)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "total": self.total,
            "more": self.more,
            "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
        }


def check_search(query: SearchQuery) -> SearchQuery:
    """The search's values checked: kind (E138), label (E094), page (E139), sort (E140)."""
    if query.kind not in KINDS:
        raise InputError(Errors.E138, value=query.kind, choices=", ".join(KINDS))
    if query.sort not in SORTS:
        raise InputError(Errors.E140, name="sort", value=query.sort, expected=" or ".join(SORTS))
    if query.label:
        queries.check_labels([query.label])
    if not 1 <= query.page <= MAX_PAGE or not 1 <= query.per_page <= 100:
        raise InputError(Errors.E139, page=query.page, per_page=query.per_page, most=MAX_PAGE)
    return query


def _split_marks(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet with the private-use markers taken out, and the marked ranges; a stray or
    unbalanced marker (the text itself may hold one) is dropped."""
    plain: list[str] = []
    marks: list[tuple[int, int]] = []
    size = 0
    start: int | None = None
    for piece in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", snippet):
        if piece == MARK_OPEN:
            start = size
        elif piece == MARK_CLOSE:
            if start is not None and start < size:
                marks.append((start, size))
            start = None
        else:
            plain.append(piece)
            size += len(piece)
    return "".join(plain), tuple(marks)


def _window(text: str, words: Sequence[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of `text` around the first word found, every word in it marked."""
    lowered = text.lower()
    found = [i for i in (lowered.find(w) for w in words if w) if i >= 0]
    begin = max(0, min(found) - SNIPPET_WIDTH // 3) if found else 0
    end = min(len(text), begin + SNIPPET_WIDTH)
    window = text[begin:end]
    marks: list[tuple[int, int]] = []
    low = window.lower()
    for w in words:
        at = low.find(w) if w else -1
        while at >= 0:
            marks.append((at, at + len(w)))
            at = low.find(w, at + len(w))
    prefix = "…" if begin else ""
    shift = len(prefix)
    return (
        prefix + window + ("…" if end < len(text) else ""),
        tuple(sorted((s + shift, e + shift) for s, e in marks)),
    )


_FTS_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def _pattern(words: str) -> re.Pattern[str] | None:
    """The words of a full-text query as one case-insensitive pattern (a `word*` prefix as a
    prefix; the operators AND, OR, NOT, NEAR left out), for snippets; None without words."""
    terms = [
        re.escape(term) + (r"\w*" if star else r"\b")
        for term, star in re.findall(r"(\w+)(\*?)", words)
        if term not in _FTS_OPERATORS
    ]
    if not terms:
        return None
    return re.compile(r"\b(?:" + "|".join(terms) + ")", re.IGNORECASE)


def _matched_window(
    text: str, pattern: re.Pattern[str]
) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """A window of `text` around the pattern's first match, every match in it marked; None
    when it does not match (the full-text index matched it otherwise: a diacritic folded,
    a token split differently)."""
    first = pattern.search(text)
    if first is None:
        return None
    begin = max(0, first.start() - SNIPPET_WIDTH // 3)
    end = min(len(text), begin + SNIPPET_WIDTH)
    # Whole words at both ends (a word cut in two reads as a typo).
    if begin > 0 and not text[begin - 1].isspace():
        space = text.find(" ", begin, first.start())
        begin = space + 1 if space >= 0 else begin
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", first.end(), end)
        end = space if space >= 0 else end
    prefix = "…" if begin else ""
    marks = tuple(
        (m.start() - begin + len(prefix), m.end() - begin + len(prefix))
        for m in pattern.finditer(text, begin, end)
        if m.end() <= end
    )
    return prefix + text[begin:end] + ("…" if end < len(text) else ""), marks


def _filtered(query: SearchQuery, found: Any, dated: Any) -> sa.Select[Any]:
    """The filters of `query` on articles (or attributions, `dated` being their date).  Per
    row (EXISTS) rather than as sets: a page reads rows newest first and stops at the page's
    end, so each filter costs a few indexed reads per row looked at, not a pass over every
    entity or attribution of the store."""
    stmt: sa.Select[Any] = found
    if query.since is not None:
        stmt = stmt.where(dated >= query.since)
    if query.until is not None:
        stmt = stmt.where(dated <= query.until)
    if query.outlet is not None:
        stmt = stmt.where(_A.c.outlet_id == query.outlet)
    if query.entity and query.entity.strip():
        wanted = query.entity.strip().lower()
        stmt = stmt.where(
            sa.exists().where(
                _E.c.article_id == _A.c.id,
                sa.func.lower(_E.c.name).contains(wanted, autoescape=True),
            )
        )
    return stmt


def _unindexed(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """`column` as an expression no index answers: a search reads rows by date and checks a
    certainty label per row (a few rows of one article), where SQLite would otherwise scan
    the label's index (every attribution with that label) for each row."""
    return sa.func.coalesce(column, "")


def _filtered_out(query: SearchQuery) -> bool:
    """Whether any filter is given (beyond the words)."""
    chosen = (query.since, query.until, query.outlet, query.label, query.resolved)
    return any(v is not None for v in chosen) or bool(query.entity and query.entity.strip())


def search(store: Store, query: SearchQuery) -> SearchPage:
    """One page of articles (or claims: attribution contents) matching the words and the
    filters: newest first (`sort="newest"`, the default: published date, then the latest
    stored), or best match first (`sort="relevance"`: BM25, with words on SQLite).  The hits
    are counted up to `COUNT_CAP` (`more` beyond).  E066 for a query the index cannot parse,
    E094 for an unknown label, E138, E139, E140 (see `check_search`).

    Newest first is read from the date index backwards, each row checked against the words
    (the set of matching row ids, computed once) and the filters, until the page is full:
    its cost follows the rows read, not the corpus.  Relevance ranks every match (BM25 over
    all of them): slower for common words in a large store."""
    check_search(query)
    words = query.q.strip()
    sqlite = store.dialect == "sqlite"
    claims = query.kind == "claims"
    outlet_name = _O.c.name.label("outlet_name")
    resolved = resolution.resolved_claims()
    stmt: sa.Select[Any]
    if claims:
        stmt = sa.select(
            _T.c.pk,
            _T.c.article_id,
            _T.c.attribution_id,
            _T.c.content_text.label("text"),
            _T.c.claim_id,
            _T.c.certainty_label,
            sa.case(
                (_T.c.kind == "unattributed", None),
                else_=sa.func.coalesce(_T.c.source_name, _T.c.source_text),
            ).label("source"),
            _A.c.title,
            _A.c.published,
            _A.c.outlet_id,
            outlet_name,
        ).select_from(
            _T.join(_A, _A.c.id == _T.c.article_id).outerjoin(_O, _O.c.id == _A.c.outlet_id)
        )
        base = stmt
        stmt = _filtered(query, stmt, _T.c.published)
        if query.label:
            stmt = stmt.where(_unindexed(_T.c.certainty_label) == query.label)
        if query.resolved is True:
            stmt = stmt.where(_T.c.claim_id.in_(resolved))
        elif query.resolved is False:
            stmt = stmt.where(sa.or_(_T.c.claim_id.is_(None), _T.c.claim_id.not_in(resolved)))
        key, dated, table, text_column = _T.c.pk, _T.c.published, "claims_fts", _T.c.content_text
    else:
        stmt = sa.select(
            _A.c.pk,
            _A.c.id.label("article_id"),
            _A.c.title,
            _A.c.text,
            _A.c.published,
            _A.c.outlet_id,
            outlet_name,
        ).select_from(_A.outerjoin(_O, _O.c.id == _A.c.outlet_id))
        base = stmt
        stmt = _filtered(query, stmt, _A.c.published)
        said = _T.alias("said")
        if query.label:
            stmt = stmt.where(
                sa.exists().where(
                    said.c.article_id == _A.c.id, _unindexed(said.c.certainty_label) == query.label
                )
            )
        if query.resolved is not None:
            of_resolved = sa.exists().where(
                said.c.article_id == _A.c.id, said.c.claim_id.in_(resolved)
            )
            stmt = stmt.where(of_resolved if query.resolved else sa.not_(of_resolved))
        key, dated, table, text_column = _A.c.pk, _A.c.published, "articles_fts", _A.c.text
    order: list[Any]
    snips: dict[int, str] = {}
    windows: dict[int, tuple[str, tuple[tuple[int, int], ...]]] = {}
    try:
        with store.reading() as conn:
            matches = 0
            if words and sqlite:  # E066 for a query the index cannot parse, first
                matches = fts.count_matches(conn, table, words, cap=COUNT_CAP + 1)
            if words and sqlite and query.sort == "relevance":
                hits = (
                    sa.text(
                        f"SELECT rowid AS hit_pk, bm25({table}) AS hit_rank "
                        f"FROM {table} WHERE {table} MATCH :words"
                    )
                    .bindparams(words=words)
                    .columns(hit_pk=sa.Integer, hit_rank=sa.Float)
                    .subquery("hits")
                )
                stmt = stmt.join(hits, hits.c.hit_pk == key)
                order = [hits.c.hit_rank, key]
            else:
                if words and sqlite:
                    matching = (
                        sa.text(f"SELECT rowid FROM {table} WHERE {table} MATCH :words")
                        .bindparams(words=words)
                        .columns(rowid=sa.Integer)
                        .subquery("matching")
                    )
                    # Few matches: look each up by key.  Many: read the date index backwards
                    # and check each row against the matches (`key + 0` keeps SQLite from
                    # looking up all of them by key, then sorting them all by date).
                    # A date range bounds the rows read by date: the date index then (looking
                    # matches up by key reads each one's date from its row, after its text).
                    dated_range = query.since is not None or query.until is not None
                    probe = key if matches <= FEW_MATCHES and not dated_range else key + 0
                    stmt = stmt.where(probe.in_(sa.select(matching.c.rowid)))
                else:
                    for term in (w.lower() for w in re.findall(r"\w+", words)):
                        stmt = stmt.where(
                            sa.func.lower(text_column).contains(term, autoescape=True)
                        )
                # Undated last (SQLite sorts NULL lowest; elsewhere, say so).
                order = [dated.desc() if sqlite else dated.desc().nulls_last(), key.desc()]
            keyed = stmt.with_only_columns(key).order_by(*order)
            start = (query.page - 1) * query.per_page
            if words and sqlite and not _filtered_out(query):  # every match counts
                total = matches
                # The page's keys first, then their rows: sorting whole rows would carry every
                # match's text through the sort.
                keys = list(conn.execute(keyed.limit(query.per_page).offset(start)).scalars())
            else:  # the keys in order, up to the cap, in one pass: the count and the page
                found_keys = list(conn.execute(keyed.limit(COUNT_CAP + 1)).scalars())
                total = len(found_keys)
                keys = found_keys[start : start + query.per_page]
            more = total > COUNT_CAP
            total = min(total, COUNT_CAP)
            by_key = {r.pk: r for r in conn.execute(base.where(key.in_(keys)))} if keys else {}
            rows = [by_key[k] for k in keys if k in by_key]
            if words and sqlite:  # snippets for this page only
                # Found in Python (the index's snippet() reads each whole text again); the
                # index's own for a hit the pattern misses.
                pattern = _pattern(words)
                for r in rows:
                    found_window = _matched_window(str(r.text or ""), pattern) if pattern else None
                    if found_window is not None:
                        windows[int(r.pk)] = found_window
                missing = [int(r.pk) for r in rows if int(r.pk) not in windows]
                snips = fts.snippets(conn, table, words, missing, highlight=(MARK_OPEN, MARK_CLOSE))
    except fts.QueryError as e:
        raise StoreError(Errors.E066, query=words, reason=str(e)) from e
    terms = [w.lower() for w in re.findall(r"\w+", words)]
    found = []
    for r in rows:
        if int(r.pk) in windows:
            snippet, marks = windows[int(r.pk)]
        elif words and sqlite:
            snippet, marks = _split_marks(snips.get(int(r.pk), ""))
        else:
            snippet, marks = _window(str(r.text or ""), terms)
        found.append(
            Hit(
                kind="claim" if claims else "article",
                article_id=str(r.article_id),
                title=r.title,
                published=_day(r.published),
                outlet=r.outlet_name,
                outlet_id=None if r.outlet_id is None else int(r.outlet_id),
                snippet=snippet,
                marks=marks,
                attribution_id=r.attribution_id if claims else None,
                claim_id=(None if r.claim_id is None else int(r.claim_id)) if claims else None,
                certainty_label=r.certainty_label if claims else None,
                source=r.source if claims else None,
            )
        )
    return SearchPage(query=query, total=total, hits=found, more=more)
