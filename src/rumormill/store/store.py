"""The store: analysed articles in SQLite (one file) or PostgreSQL, through one interface.

with Store.open("news.db") as store:
    report = store.add(analyses)            # one transaction per call
    for stored in store.articles(since=date(2022, 5, 1)):
        ...
    store.search("coup Putin")

Writes are serialised (one writer: a lock in the process, BEGIN IMMEDIATE and the busy timeout
between processes); reads see one snapshot and never wait for the writer (WAL).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rumormill.errors import Errors, RumormillError, StoreError
from rumormill.model import Analysis, Link
from rumormill.store import engine as engines
from rumormill.store import fts, migrations, outlets, records, schema, stats
from rumormill.store.fts import SearchHit
from rumormill.store.outlets import Outlet
from rumormill.store.records import (
    AddOutcome,
    AddReport,
    EntityRole,
    IngestedSource,
    Links,
    ResolverEntity,
    ResolverKey,
    StoredArticle,
    StoredAttribution,
    StoredEntity,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
OutletRef = int | str | Outlet
# How many rows a streamed read fetches at a time.
YIELD_PER = 200

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_AL = schema.outlet_aliases
_SRC = schema.ingested_sources
_E = schema.entities
_M = schema.mentions
_D = schema.entity_descriptors
_CE = schema.corpus_entities
_RE = schema.resolver_entities
_RK = schema.resolver_keys
_L = schema.article_links


def _reason(e: BaseException) -> str:
    """The driver's message when there is one (SQLAlchemy's adds the SQL and a link)."""
    orig = getattr(e, "orig", None)
    return str(orig if orig is not None else e)


def _as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _as_date(day: date | None) -> date | None:
    return day.date() if isinstance(day, datetime) else day


class Store:
    """Analysed articles, their attributions, entities and outlets.  Open with `Store.open`."""

    def __init__(self, engine: Engine, label: str) -> None:
        self._engine = engine
        self.label = label  # the path, or the URL without its password: names it in errors
        self._lock = threading.Lock()
        self._closed = False

    # --- opening and closing -------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | Path, *, create: bool = True) -> Store:
        """Open the store at a path (SQLite) or an SQLAlchemy URL, and migrate it.

        create=False refuses a store that does not exist yet (E060).
        """
        url, label = _url(target)
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                # Each pooled connection would be a database of its own.
                raise StoreError(Errors.E060, path=label, reason="give a file, not :memory:")
            path = Path(url.database)
            if path.is_dir():
                raise StoreError(Errors.E060, path=label, reason="it is a directory")
            if not create and not path.exists():
                raise StoreError(Errors.E060, path=label, reason="no such file (create=False)")
        try:
            engine = engines.make_engine(url)
        except (sa.exc.SQLAlchemyError, ImportError) as e:
            raise StoreError(Errors.E060, path=label, reason=_reason(e)) from e
        try:
            applied = migrations.migrate(engine, label=label, create=create)
        except RumormillError:
            engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as e:
            engine.dispose()
            raise StoreError(Errors.E060, path=label, reason=_reason(e)) from e
        if applied:
            logger.info("%s: migrations applied: %s", label, applied)
        return cls(engine, label)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for stages that keep tables of their own in the store."""
        self._check_open(Errors.E065)
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer; committed at the end,
        rolled back on an error (E064 for a database error)."""
        self._check_open(Errors.E064)
        with self._lock:
            try:
                with engines.writing(self._engine) as conn:
                    yield conn
                    if not conn.info.pop(_UNCHANGED, False):
                        stats.bump(conn)
            except sa.exc.SQLAlchemyError as e:
                raise StoreError(Errors.E064, path=self.label, reason=_reason(e)) from e

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read transaction (one snapshot); never waits for the writer in WAL mode."""
        self._check_open(Errors.E065)
        try:
            with engines.reading(self._engine) as conn:
                yield conn
        except sa.exc.SQLAlchemyError as e:
            raise StoreError(Errors.E065, path=self.label, reason=_reason(e)) from e

    def _check_open(self, code: Errors) -> None:
        if self._closed:
            raise StoreError(code, path=self.label, reason="the store is closed")

    def _stream(
        self, build: Callable[[Connection], sa.Select[Any] | None], convert: Callable[[Any], T]
    ) -> Iterator[T]:
        """Rows of the query `build` makes, converted one by one, YIELD_PER at a time."""
        with self.reading() as conn:
            stmt = build(conn)
            if stmt is None:
                return
            result = conn.execution_options(yield_per=YIELD_PER).execute(stmt)
            for row in result:
                yield convert(row)

    # --- articles ------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        with self.reading() as conn:
            return _exists(conn, article_id)

    def add(
        self,
        analyses: Sequence[Analysis],
        *,
        ingested_at: datetime | None = None,
        source_names: Sequence[str] | Mapping[str, str | None] | None = None,
        links: Links | None = None,
    ) -> AddReport:
        """Store a batch of analyses in ONE transaction: all of it or, on a crash, none.

        An article already stored (same id) is a duplicate, skipped; one with the URL of a
        stored article but another id is stored as a revision of the latest such article; one
        that cannot be stored (`records.problem`, a constraint) is rejected and named, and the
        rest of the batch goes on.  `source_names`: the inputs that this batch completes
        (names, or a mapping of name to content hash), recorded in the same transaction so
        that a resumed ingest can skip them (`has_source`).  `links`: what linking found for
        the batch (`Links`), written with the linkers' state in the same transaction.
        `ingested_at` defaults to now; a naive time is taken as UTC.
        """
        analyses = list(analyses)  # read twice; a generator would be empty the second time
        when = _as_utc(ingested_at)
        sources = _source_items(source_names)
        with self.writing() as conn:
            batch = _Batch(conn, analyses, when)
            outcomes = [batch.add(analysis) for analysis in analyses]
            for name, content_hash in sources:
                _record_source(conn, name, content_hash, when)
            stored = [o.article_id for o in outcomes if o.outcome in ("added", "revision")]
            claims: set[int] = set()
            stories: set[int] = set()
            if links is not None:
                skipped = {o.article_id for o in outcomes if o.outcome in ("duplicate", "rejected")}
                claims, stories = _write_links(conn, links, skipped, when)
            stats.refresh(conn, claims=claims, stories=stories)
            stats.add_people(conn, stored)
            if not stored and not sources and not _links_change(links):
                conn.info[_UNCHANGED] = True  # all duplicates (or rejected): nothing changed
        count = {kind: 0 for kind in ("added", "revision", "duplicate", "rejected")}
        for outcome in outcomes:
            count[outcome.outcome] += 1
            if outcome.outcome == "rejected":
                logger.warning(
                    "%s: article %s not stored: %s", self.label, outcome.article_id, outcome.reason
                )
        report = AddReport(
            added=count["added"],
            revisions=count["revision"],
            duplicates=count["duplicate"],
            rejected=count["rejected"],
            outcomes=outcomes,
            sources=[name for name, _ in sources],
        )
        logger.debug(
            "%s: added %d, revisions %d, duplicates %d, rejected %d",
            self.label,
            report.added,
            report.revisions,
            report.duplicates,
            report.rejected,
        )
        return report

    def link_state(self, name: str) -> bytes | None:
        """The saved state of the linker `name`, or None before its first batch."""
        table = schema.link_state
        with self.reading() as conn:
            found = conn.execute(sa.select(table.c.data).where(table.c.name == name)).first()
            return bytes(found[0]) if found is not None else None

    def resolver_rows(self) -> Iterator[ResolverEntity | ResolverKey]:
        """The entity resolver's saved state, streamed from one snapshot: every corpus entity
        it opened, by id, then every name of its index (`Links.resolver_entities` and
        `Links.resolver_keys` as written batch after batch)."""
        with self.reading() as conn:
            streamed = conn.execution_options(yield_per=YIELD_PER)
            for row in streamed.execute(sa.select(_RE).order_by(_RE.c.id)):
                yield ResolverEntity(row.id, row.type, row.name, row.articles)
            for row in streamed.execute(sa.select(_RK).order_by(_RK.c.pk)):
                yield ResolverKey(row.name_class, row.kind, row.name_key, row.corpus_id)

    def article(self, article_id: str) -> StoredArticle | None:
        with self.reading() as conn:
            row = conn.execute(_article_select().where(_A.c.id == article_id)).first()
            return _stored_article(row) if row is not None else None

    def links(self, article_id: str) -> list[Link]:
        """The anchors of a stored article's main content (HTML pages), in page order; none
        for other formats and for articles stored before migration 4."""
        with self.reading() as conn:
            rows = conn.execute(
                sa.select(_L.c.url, _L.c.text)
                .where(_L.c.article_id == article_id)
                .order_by(_L.c.position)
            ).all()
        return [Link(url, text) for url, text in rows]

    def articles(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        outlet: OutletRef | None = None,
        limit: int | None = None,
        current_only: bool = False,
    ) -> Iterator[StoredArticle]:
        """Stored articles, dated ones by date (undated last), streamed.

        since / until: publication dates, both inclusive (an undated article has none, so is
        left out when either is given).  outlet: an outlet id, `Outlet`, name or domain.
        current_only: leave out articles that a later revision replaced.
        """

        def build(conn: Connection) -> sa.Select[Any] | None:
            stmt = _article_select()
            if since is not None:
                stmt = stmt.where(_A.c.published >= _as_date(since))
            if until is not None:
                stmt = stmt.where(_A.c.published <= _as_date(until))
            if outlet is not None:
                outlet_id = _find_outlet(conn, outlet)
                if outlet_id is None:
                    return None
                stmt = stmt.where(_A.c.outlet_id == outlet_id)
            if current_only:
                later = sa.alias(_A, "later")
                stmt = stmt.where(~sa.exists().where(later.c.revision_of == _A.c.id))
            stmt = stmt.order_by(
                sa.case((_A.c.published.is_(None), 1), else_=0), _A.c.published, _A.c.pk
            )
            return stmt.limit(limit) if limit is not None else stmt

        return self._stream(build, _stored_article)

    def attributions(
        self,
        *,
        article_id: str | None = None,
        source: str | None = None,
        label: str | None = None,
        unnamed: bool | None = None,
        limit: int | None = None,
    ) -> Iterator[StoredAttribution]:
        """Stored attributions in the order stored, streamed.

        source: a source's resolved name or its words in the article, case-insensitive (ASCII
        case only on SQLite).  label: a certainty label.  unnamed: True for the claims with an
        unnamed source or none (`UNNAMED`, `unattributed`), False for the others.
        """

        def build(conn: Connection) -> sa.Select[Any]:
            stmt = sa.select(_T, _A.c.outlet_id).select_from(
                _T.join(_A, _A.c.id == _T.c.article_id)
            )
            if article_id is not None:
                stmt = stmt.where(_T.c.article_id == article_id)
            if source is not None:
                wanted = source.lower()
                stmt = stmt.where(
                    sa.or_(
                        sa.func.lower(_T.c.source_name) == wanted,
                        sa.func.lower(_T.c.source_text) == wanted,
                    )
                )
            if label is not None:
                stmt = stmt.where(_T.c.certainty_label == label)
            rumor_like = sa.or_(_T.c.source_type == "UNNAMED", _T.c.kind == "unattributed")
            if unnamed is True:
                stmt = stmt.where(rumor_like)
            elif unnamed is False:
                stmt = stmt.where(sa.not_(rumor_like))
            stmt = stmt.order_by(_T.c.pk)
            return stmt.limit(limit) if limit is not None else stmt

        return self._stream(build, _stored_attribution)

    def search(
        self, query: str, *, limit: int = 20, highlight: tuple[str, str] = ("[", "]")
    ) -> list[SearchHit]:
        """Full-text search over article titles and texts and over claims (attribution
        contents), best first.  On SQLite the query is FTS5 syntax (words, "phrases", AND / OR
        / NOT, prefix*); a query it cannot parse is E066."""
        if not query.strip():
            raise StoreError(Errors.E066, query=query, reason="the query is empty")
        if limit <= 0:
            return []
        search = fts.search_sqlite if self.dialect == "sqlite" else fts.search_portable
        try:
            with self.reading() as conn:
                return search(conn, query, limit=limit, highlight=highlight)
        except fts.QueryError as e:
            raise StoreError(Errors.E066, query=query, reason=str(e)) from e

    def counts(self) -> dict[str, int]:
        """Rows per kind of thing stored."""
        tables = {
            "articles": _A,
            "attributions": _T,
            "entities": schema.entities,
            "mentions": schema.mentions,
            "outlets": _O,
            "outlet_aliases": schema.outlet_aliases,
            "sources": schema.ingested_sources,
            "corpus_entities": _CE,
        }
        with self.reading() as conn:
            result = {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in tables.items()
            }
            result["revisions"] = conn.execute(
                sa.select(sa.func.count()).where(_A.c.revision_of.is_not(None))
            ).scalar_one()
            result["undated"] = conn.execute(
                sa.select(sa.func.count()).where(_A.c.published.is_(None))
            ).scalar_one()
        return result

    # --- entities across articles --------------------------------------------------------------

    def entity(self, corpus_id: int) -> StoredEntity | None:
        """One entity across the stored articles, with the names it was written as, its roles
        (descriptors, deduplicated, earliest first, each with its first date and article) and
        its mentions per day; None for an id the store does not have."""
        with self.reading() as conn:
            row = conn.execute(sa.select(_CE).where(_CE.c.id == corpus_id)).first()
            if row is None:
                return None
            names = conn.execute(
                sa.select(_E.c.name, sa.func.count(sa.distinct(_E.c.article_id)).label("n"))
                .where(_E.c.corpus_entity_id == corpus_id)
                .group_by(_E.c.name)
                .order_by(sa.desc("n"), _E.c.name)
            ).all()
            described = conn.execute(
                sa.select(_D.c.text, _D.c.published, _D.c.article_id)
                .select_from(
                    _D.join(
                        _E,
                        sa.and_(
                            _E.c.article_id == _D.c.article_id, _E.c.entity_id == _D.c.entity_id
                        ),
                    ).join(_A, _A.c.id == _D.c.article_id)
                )
                .where(_E.c.corpus_entity_id == corpus_id)
                .order_by(
                    sa.case((_D.c.published.is_(None), 1), else_=0),
                    _D.c.published,
                    _A.c.pk,
                    _D.c.position,
                )
            ).all()
            per_day = conn.execute(
                sa.select(_E.c.published, sa.func.count(_M.c.pk))
                .select_from(
                    _E.join(
                        _M,
                        sa.and_(
                            _M.c.article_id == _E.c.article_id, _M.c.entity_id == _E.c.entity_id
                        ),
                    )
                )
                .where(_E.c.corpus_entity_id == corpus_id, _E.c.published.is_not(None))
                .group_by(_E.c.published)
                .order_by(_E.c.published)
            ).all()
        return StoredEntity(
            **_entity_summary(row),
            names=tuple((name, n) for name, n in names),
            roles=_roles(described),
            mentions_per_day=tuple((_day(day), n) for day, n in per_day),
        )

    def find_entities(self, name: str, *, limit: int = 20) -> list[StoredEntity]:
        """The corpus entities with this name (its best name or any name it was written as)
        or a name ending with it ("Putin" finds "Vladimir Putin"), case-insensitive (ASCII
        case only on SQLite): exact names first, then by mentions.  Summaries only (no names,
        roles or days: `entity(id)` has them).  E100 for an empty name."""
        wanted = " ".join(name.split()).lower()
        if not wanted:
            raise StoreError(Errors.E100, query=name, reason="the name is empty")
        if limit <= 0:
            return []
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

        def matches(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
            lowered = sa.func.lower(column)
            return sa.or_(lowered == wanted, lowered.like(f"% {escaped}", escape="\\"))

        with self.reading() as conn:
            by_alias = sa.select(_E.c.corpus_entity_id).where(
                _E.c.corpus_entity_id.is_not(None), matches(_E.c.name)
            )
            rows = conn.execute(
                sa.select(_CE).where(sa.or_(matches(_CE.c.name), _CE.c.id.in_(by_alias)))
            ).all()
            exact_alias = (
                set(
                    conn.execute(
                        sa.select(_E.c.corpus_entity_id).where(
                            _E.c.corpus_entity_id.in_([r.id for r in rows]),
                            sa.func.lower(_E.c.name) == wanted,
                        )
                    ).scalars()
                )
                if rows
                else set()
            )
        ranked = sorted(
            rows,
            key=lambda r: (
                r.name.lower() != wanted,
                r.id not in exact_alias,
                -r.n_mentions,
                r.id,
            ),
        )
        return [StoredEntity(**_entity_summary(r)) for r in ranked[:limit]]

    # --- ingest progress -----------------------------------------------------------------------

    def has_source(self, name: str, content_hash: str | None = None) -> bool:
        """Whether the input `name` was recorded as fully stored (with this content hash, when
        one is given: a changed input is not done)."""
        with self.reading() as conn:
            row = conn.execute(sa.select(_SRC.c.content_hash).where(_SRC.c.name == name)).first()
        if row is None:
            return False
        return content_hash is None or row.content_hash == content_hash

    def sources(self) -> list[IngestedSource]:
        with self.reading() as conn:
            rows = conn.execute(sa.select(_SRC).order_by(_SRC.c.pk)).all()
        return [IngestedSource(r.name, r.content_hash, r.ingested_at) for r in rows]

    # --- outlets -------------------------------------------------------------------------------

    def outlet(self, raw: str | None = None, url: str | None = None) -> Outlet | None:
        """The stored outlet a raw outlet name and/or URL stand for, or None."""
        with self.reading() as conn:
            outlet_id = outlets.find(conn, outlets.outlet_keys(raw, url))
            return outlets.load(conn, outlet_id) if outlet_id is not None else None

    def outlets(self) -> list[Outlet]:
        """Every outlet, with its aliases and article count, by name."""
        with self.reading() as conn:
            aliases: dict[int, list[str]] = {}
            for row in conn.execute(
                sa.select(_AL.c.outlet_id, _AL.c.kind, _AL.c.alias).order_by(_AL.c.id)
            ):
                aliases.setdefault(row.outlet_id, []).append(f"{row.kind}:{row.alias}")
            per_outlet = conn.execute(
                sa.select(_A.c.outlet_id, sa.func.count())
                .where(_A.c.outlet_id.is_not(None))
                .group_by(_A.c.outlet_id)
            )
            counts: dict[int, int] = {outlet_id: n for outlet_id, n in per_outlet}
            rows = conn.execute(sa.select(_O).order_by(_O.c.name, _O.c.id)).all()
        return [
            Outlet(r.id, r.name, r.domain, tuple(aliases.get(r.id, ())), counts.get(r.id, 0))
            for r in rows
        ]

    def add_alias(self, alias: str, outlet: OutletRef) -> Outlet:
        """Make `alias` (a name, domain or URL) stand for `outlet` from now on; the articles
        that were counted under another outlet through this alias move with it."""
        try:
            kind, key = outlets.alias_key(alias)
        except ValueError as e:
            raise StoreError(Errors.E069, alias=alias, reason=str(e)) from e
        with self.writing() as conn:
            target = _outlet_id(conn, outlet)
            _move_alias(conn, kind, key, alias, target)
            result = outlets.load(conn, target)
        assert result is not None
        return result

    def merge_outlets(self, a: OutletRef, b: OutletRef) -> Outlet:
        """Merge outlet `b` into outlet `a`: b's aliases and articles become a's, b is gone.
        a keeps its name (and takes b's domain when it has none)."""
        with self.writing() as conn:
            keep, gone = _outlet_id(conn, a), _outlet_id(conn, b)
            if keep == gone:
                raise StoreError(Errors.E068, outlet=str(b))
            conn.execute(sa.update(_AL).where(_AL.c.outlet_id == gone).values(outlet_id=keep))
            moved = conn.execute(sa.select(_A.c.id).where(_A.c.outlet_id == gone)).scalars().all()
            conn.execute(sa.update(_A).where(_A.c.outlet_id == gone).values(outlet_id=keep))
            stats.refresh_articles(conn, moved)  # the outlet counts of what they are in change
            found = conn.execute(sa.select(_O.c.id, _O.c.domain).where(_O.c.id.in_([keep, gone])))
            domains: dict[int, str | None] = {outlet_id: domain for outlet_id, domain in found}
            conn.execute(sa.delete(_O).where(_O.c.id == gone))
            if domains.get(keep) is None and domains.get(gone) is not None:
                conn.execute(sa.update(_O).where(_O.c.id == keep).values(domain=domains[gone]))
            result = outlets.load(conn, keep)
        assert result is not None
        logger.info("%s: merged outlet %s into %s", self.label, gone, keep)
        return result


# --- helpers -------------------------------------------------------------------------------------


def open_store(target: str | Path, *, create: bool = True) -> Store:
    """Open (and migrate) the store at a path or SQLAlchemy URL: `Store.open`."""
    return Store.open(target, create=create)


def _url(target: str | Path) -> tuple[sa.URL, str]:
    if isinstance(target, Path) or "://" not in target:
        return sa.URL.create("sqlite", database=str(target)), str(target)
    try:
        url = sa.make_url(target)
    except sa.exc.ArgumentError as e:
        raise StoreError(Errors.E060, path=target, reason=_reason(e)) from e
    label = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database:
        label = url.database
    return url, label


def _source_items(
    source_names: Sequence[str] | Mapping[str, str | None] | None,
) -> list[tuple[str, str | None]]:
    if source_names is None:
        return []
    if isinstance(source_names, str):
        return [(source_names, None)]
    if isinstance(source_names, Mapping):
        return list(source_names.items())
    return [(name, None) for name in source_names]


def _exists(conn: Connection, article_id: str) -> bool:
    return conn.execute(_EXISTS, {"id": article_id}).first() is not None


# Built once: the statements run for every article of a batch.
_EXISTS = sa.select(_A.c.pk).where(_A.c.id == sa.bindparam("id"))
_STORED_AMONG = sa.select(_A.c.id).where(_A.c.id.in_(sa.bindparam("ids", expanding=True)))
_LATEST_AT_URL = (
    sa.select(_A.c.id).where(_A.c.url == sa.bindparam("url")).order_by(_A.c.pk.desc()).limit(1)
)
_INSERT_ARTICLE = sa.insert(_A)
_CHUNK = 500  # ids per IN (...) query, well under every database's parameter limit


# Set in `Connection.info` by a write that changed nothing: the generation stays.
_UNCHANGED = "rumormill_unchanged"


def _links_change(links: Links | None) -> bool:
    """Whether `links` may change stored rows beyond the linkers' own state (when in doubt,
    yes: a generation raised for nothing costs a recomputed page, a stale one a wrong page)."""
    if links is None:
        return False
    return bool(
        links.claim
        or links.story
        or links.copy_of
        or links.entity
        or links.corpus_entities
        or links.resolver_entities
        or links.resolver_keys
    )


class _Batch:
    """The state of one `Store.add`: what is stored already, what this batch stored, and the
    outlets it resolved (valid inside this transaction only)."""

    def __init__(self, conn: Connection, analyses: Sequence[Analysis], when: datetime) -> None:
        self.conn = conn
        self.when = when
        self.done: set[str] = set()
        self.outlets: dict[outlets.OutletKeys, int | None] = {}
        ids = list(dict.fromkeys(a.article.id for a in analyses))
        self.stored: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            self.stored.update(conn.execute(_STORED_AMONG, {"ids": chunk}).scalars())

    def add(self, analysis: Analysis) -> AddOutcome:
        article_id = analysis.article.id
        if article_id in self.done or article_id in self.stored:
            return AddOutcome(article_id, "duplicate")
        reason = records.problem(analysis)
        if reason is not None:
            return AddOutcome(article_id, "rejected", reason=reason)
        keys = outlets.outlet_keys(analysis.article.outlet, analysis.article.url)
        try:
            # A savepoint: a row the database refuses undoes this article only, not the batch.
            with self.conn.begin_nested():
                if keys in self.outlets:
                    outlet_id = self.outlets[keys]
                else:
                    outlet_id = outlets.resolve(self.conn, keys, raw=analysis.article.outlet)
                revision_of = _write_article(self.conn, analysis, self.when, outlet_id)
        except (sa.exc.IntegrityError, sa.exc.DataError) as e:
            return AddOutcome(article_id, "rejected", reason=_reason(e))
        self.outlets[keys] = outlet_id  # only once its savepoint is kept
        self.done.add(article_id)
        if revision_of is not None:
            return AddOutcome(article_id, "revision", revision_of=revision_of)
        return AddOutcome(article_id, "added")


def _write_links(
    conn: Connection, links: Links, skipped: set[str], when: datetime
) -> tuple[set[int], set[int]]:
    """Copy, story and claim ids (of this batch's stored articles, and of stored articles
    re-pointed to an earlier original); the linkers' state (upserted).  `skipped`: this
    batch's articles that were not stored (duplicates, rejections): left alone.  The claims
    and the stories whose members changed (what they were before, and what they are now),
    for `stats.refresh`."""
    claimed = {a for a, _ in links.claim if a not in skipped}
    storied = {a for a in links.story if a not in skipped}
    claims = stats.claims_of(conn, claimed) | {
        c for (a, _), c in links.claim.items() if a not in skipped
    }
    stories = stats.stories_of(conn, storied) | {
        s for a, s in links.story.items() if a not in skipped
    }
    for article_id in sorted(set(links.copy_of) | set(links.story)):
        if article_id in skipped:
            continue
        values: dict[str, Any] = {}
        if article_id in links.copy_of:
            values["copy_of"] = links.copy_of[article_id]
        if article_id in links.story:
            values["story_id"] = links.story[article_id]
        conn.execute(_A.update().where(_A.c.id == article_id).values(**values))
    for (article_id, attribution_id), claim in links.claim.items():
        if article_id not in skipped:
            conn.execute(
                _T.update()
                .where(_T.c.article_id == article_id, _T.c.attribution_id == attribution_id)
                .values(claim_id=claim)
            )
    if links.entity or links.corpus_entities:
        _write_entities(conn, links, skipped)
    if links.resolver_entities or links.resolver_keys:
        _write_resolver(conn, links)
    table = schema.link_state
    for name, data in links.state.items():
        updated = conn.execute(
            table.update().where(table.c.name == name).values(data=data, updated_at=when)
        )
        if updated.rowcount == 0:
            conn.execute(table.insert().values(name=name, data=data, updated_at=when))
    return claims, stories


_DELETE_RESOLVER_KEY = _RK.delete().where(
    _RK.c.name_class == sa.bindparam("b_class"),
    _RK.c.kind == sa.bindparam("b_kind"),
    _RK.c.name_key == sa.bindparam("b_key"),
)


def _write_resolver(conn: Connection, links: Links) -> None:
    """The entity resolver's changes since the last batch (all of them, whichever articles
    were stored: the resolver linked them all): its changed entities replaced, its changed
    names replaced or dropped.  Rows written: as many as the batch changed, whatever the size
    of the state before it."""
    ids = sorted(links.resolver_entities)
    for start in range(0, len(ids), _CHUNK):
        conn.execute(_RE.delete().where(_RE.c.id.in_(ids[start : start + _CHUNK])))
    if ids:
        conn.execute(
            sa.insert(_RE),
            [
                {"id": e.id, "type": e.type, "name": e.name, "articles": e.articles}
                for e in (links.resolver_entities[i] for i in ids)
            ],
        )
    keys = sorted(links.resolver_keys)
    if keys:
        conn.execute(
            _DELETE_RESOLVER_KEY,
            [{"b_class": c, "b_kind": kind, "b_key": key} for c, kind, key in keys],
        )
    rows = [
        {"name_class": c, "kind": kind, "name_key": key, "corpus_id": corpus_id}
        for (c, kind, key), corpus_id in ((k, links.resolver_keys[k]) for k in keys)
        if corpus_id is not None
    ]
    if rows:
        conn.execute(sa.insert(_RK), rows)


_SET_CORPUS_ENTITY = (
    _E.update()
    .where(
        _E.c.article_id == sa.bindparam("b_article"),
        _E.c.entity_id == sa.bindparam("b_entity"),
        _E.c.corpus_entity_id.is_(None),
    )
    .values(corpus_entity_id=sa.bindparam("b_corpus"))
)


def _write_entities(conn: Connection, links: Links, skipped: set[str]) -> None:
    """Each stored entity's corpus entity (an entity already linked keeps its own: a decision
    is never revised), and the corpus entities' rows: names and types as the resolver has them
    now, dates and counts grown by the entities linked now."""
    wanted = {k: v for k, v in links.entity.items() if k[0] not in skipped}
    # The rows linked now, read before they are: their dates and mention counts.
    stats: dict[int, list[Any]] = {}  # corpus id -> [first, last, articles, mentions, name, type]
    seen: dict[int, set[str]] = {}
    article_ids = sorted({article_id for article_id, _ in wanted})
    for start in range(0, len(article_ids), _CHUNK):
        chunk = article_ids[start : start + _CHUNK]
        rows = conn.execute(
            sa.select(
                _E.c.article_id,
                _E.c.entity_id,
                _E.c.name,
                _E.c.type,
                _E.c.published,
                sa.func.count(_M.c.pk).label("n"),
            )
            .select_from(
                _E.outerjoin(
                    _M,
                    sa.and_(_M.c.article_id == _E.c.article_id, _M.c.entity_id == _E.c.entity_id),
                )
            )
            .where(_E.c.article_id.in_(chunk), _E.c.corpus_entity_id.is_(None))
            .group_by(
                _E.c.pk, _E.c.article_id, _E.c.entity_id, _E.c.name, _E.c.type, _E.c.published
            )
            .order_by(_E.c.pk)
        ).all()
        for row in rows:
            corpus_id = wanted.get((row.article_id, row.entity_id))
            if corpus_id is None:
                continue
            day = _day(row.published)
            found = stats.setdefault(corpus_id, [day, day, 0, 0, row.name, row.type])
            found[0] = _earliest(found[0], day)
            found[1] = _latest(found[1], day)
            if row.article_id not in seen.setdefault(corpus_id, set()):
                seen[corpus_id].add(row.article_id)
                found[2] += 1
            found[3] += int(row.n)
    if wanted:
        conn.execute(
            _SET_CORPUS_ENTITY,
            [
                {"b_article": article_id, "b_entity": entity_id, "b_corpus": corpus_id}
                for (article_id, entity_id), corpus_id in sorted(wanted.items())
            ],
        )
    touched = sorted(set(stats) | set(links.corpus_entities))
    for begin in range(0, len(touched), _CHUNK):
        ids = touched[begin : begin + _CHUNK]
        existing = {r.id: r for r in conn.execute(sa.select(_CE).where(_CE.c.id.in_(ids)))}
        for cid in ids:
            update = links.corpus_entities.get(cid)
            grown = stats.get(cid)
            current = existing.get(cid)
            if current is None:
                if grown is None:
                    continue  # named only by articles not stored: nothing to show yet
                conn.execute(
                    _CE.insert().values(
                        id=cid,
                        name=update.name if update else grown[4],
                        type=update.type if update else grown[5],
                        first_seen=grown[0],
                        last_seen=grown[1],
                        n_articles=grown[2],
                        n_mentions=grown[3],
                    )
                )
                continue
            values: dict[str, Any] = {}
            if update is not None:
                values.update(name=update.name, type=update.type)
            if grown is not None:
                values.update(
                    first_seen=_earliest(_day(current.first_seen), grown[0]),
                    last_seen=_latest(_day(current.last_seen), grown[1]),
                    n_articles=current.n_articles + grown[2],
                    n_mentions=current.n_mentions + grown[3],
                )
            if values:
                conn.execute(_CE.update().where(_CE.c.id == cid).values(**values))


def _day(value: Any) -> Any:
    """A date column's value as a `date` (some drivers give a string or a datetime)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value))


def _earliest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _entity_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "first_seen": _day(row.first_seen),
        "last_seen": _day(row.last_seen),
        "articles": row.n_articles,
        "mentions": row.n_mentions,
    }


_ROLE_LEAD = frozenset({"the", "a", "an"})


def _role_key(text: str) -> str:
    words = text.casefold().replace("’", "'").split()
    while len(words) > 1 and words[0] in _ROLE_LEAD:
        words = words[1:]
    return " ".join(words).strip(" ,.;:")


def _roles(rows: Sequence[Any]) -> tuple[EntityRole, ...]:
    """Descriptor rows (earliest first) deduplicated: the first wording, date and article of
    each, its last date and the number of articles saying it."""
    first: dict[str, Any] = {}
    last: dict[str, date | None] = {}
    articles: dict[str, set[str]] = {}
    for row in rows:
        key = _role_key(row.text)
        if not key:
            continue
        day = _day(row.published)
        first.setdefault(key, row)
        last[key] = _latest(last.get(key), day)
        articles.setdefault(key, set()).add(row.article_id)
    return tuple(
        EntityRole(
            text=row.text,
            first_seen=_day(row.published),
            article_id=row.article_id,
            last_seen=last[key],
            articles=len(articles[key]),
        )
        for key, row in first.items()
    )


def _write_article(
    conn: Connection, analysis: Analysis, when: datetime, outlet_id: int | None
) -> str | None:
    """Insert one analysis (article, entities, mentions, descriptors, attributions); the id of
    the article it revises, if any."""
    article = analysis.article
    article_id = article.id
    revision_of: str | None = None
    if article.url:
        revision_of = conn.execute(_LATEST_AT_URL, {"url": article.url}).scalar_one_or_none()
    published = article.published
    conn.execute(
        _INSERT_ARTICLE,
        {
            "id": article_id,
            "url": article.url,
            "outlet_id": outlet_id,
            "outlet_name": article.outlet,
            "title": article.title,
            "text": article.text,
            "language": article.language,
            "credit": article.credit,
            "published": published,
            "date_source": getattr(article, "date_source", None),
            "ingested_at": when,
            "revision_of": revision_of,
            "analysis": records.analysis_json(analysis),
            "n_entities": len(analysis.entities),
            "n_attributions": len(analysis.attributions),
        },
    )
    entity_rows: list[dict[str, Any]] = []
    mention_rows: list[dict[str, Any]] = []
    descriptor_rows: list[dict[str, Any]] = []
    for position, entity in enumerate(analysis.entities):
        key = {"article_id": article_id, "entity_id": entity.id}
        entity_rows.append(
            {
                **key,
                "position": position,
                "name": entity.name,
                "type": entity.type,
                "published": published,
            }
        )
        mention_rows.extend(
            {**key, "span_start": m.start, "span_end": m.end} for m in entity.mentions
        )
        descriptor_rows.extend(
            {**key, "position": i, "text": d, "published": published}
            for i, d in enumerate(entity.descriptors)
        )
    attribution_rows = [
        records.attribution_row(article_id, position, attribution, published)
        for position, attribution in enumerate(analysis.attributions)
    ]
    link_rows = [
        {"article_id": article_id, "position": position, "url": link.url, "text": link.text}
        for position, link in enumerate(getattr(article, "links", ()))
    ]
    for table, rows in (
        (schema.entities, entity_rows),
        (schema.mentions, mention_rows),
        (schema.entity_descriptors, descriptor_rows),
        (_T, attribution_rows),
        (_L, link_rows),
    ):
        if rows:
            conn.execute(sa.insert(table), rows)
    return revision_of


def _record_source(conn: Connection, name: str, content_hash: str | None, when: datetime) -> None:
    values = {"content_hash": content_hash, "ingested_at": when}
    updated = conn.execute(sa.update(_SRC).where(_SRC.c.name == name).values(**values))
    if updated.rowcount == 0:
        conn.execute(sa.insert(_SRC).values(name=name, **values))


def _article_select() -> sa.Select[Any]:
    return sa.select(_A, _O.c.name.label("outlet_display")).select_from(
        _A.outerjoin(_O, _O.c.id == _A.c.outlet_id)
    )


def _stored_article(row: Any) -> StoredArticle:
    article = records.article_from_row(row)
    data = dict(row.analysis)
    return StoredArticle(
        id=row.id,
        article=article,
        analysis=records.analysis_from_json(data, article),
        outlet_id=row.outlet_id,
        outlet=row.outlet_display,
        ingested_at=row.ingested_at,
        date_source=row.date_source,
        revision_of=row.revision_of,
        copy_of=row.copy_of,
        story_id=row.story_id,
        data=data,
    )


def _stored_attribution(row: Any) -> StoredAttribution:
    return StoredAttribution(
        article_id=row.article_id,
        attribution=records.attribution_from_row(row),
        published=row.published,
        outlet_id=row.outlet_id,
        claim_id=row.claim_id,
    )


def _find_outlet(conn: Connection, ref: OutletRef) -> int | None:
    if isinstance(ref, Outlet):
        return ref.id
    if isinstance(ref, int):
        return ref
    return outlets.find(conn, outlets.outlet_keys(ref, None))


def _outlet_id(conn: Connection, ref: OutletRef) -> int:
    """The id of an existing outlet, or of a known one (created); E067 for any other."""
    outlet_id = _find_outlet(conn, ref)
    if outlet_id is None and isinstance(ref, str):
        keys = outlets.outlet_keys(ref, None)
        if keys.known is not None:
            outlet_id = outlets.resolve(conn, keys, raw=ref)
    if outlet_id is not None:
        exists = conn.execute(sa.select(_O.c.id).where(_O.c.id == outlet_id)).first()
        if exists is not None:
            return outlet_id
    raise StoreError(Errors.E067, outlet=ref.name if isinstance(ref, Outlet) else ref)


def _move_alias(conn: Connection, kind: str, key: str, raw: str, target: int) -> None:
    previous = conn.execute(
        sa.select(_AL.c.outlet_id).where(_AL.c.kind == kind, _AL.c.alias == key)
    ).scalar_one_or_none()
    if previous == target:
        conn.execute(
            sa.update(_AL)
            .where(_AL.c.kind == kind, _AL.c.alias == key)
            .values(origin="user", raw=raw)
        )
        return
    if previous is None:
        conn.execute(
            sa.insert(_AL).values(kind=kind, alias=key, outlet_id=target, raw=raw, origin="user")
        )
    else:
        conn.execute(
            sa.update(_AL)
            .where(_AL.c.kind == kind, _AL.c.alias == key)
            .values(outlet_id=target, raw=raw, origin="user")
        )
    if previous is not None:
        # The labels derived from the alias follow it.
        derived = outlets.name_labels(key) if kind == "name" else (outlets.domain_label(key),)
        conn.execute(
            sa.update(_AL)
            .where(_AL.c.kind == "label", _AL.c.alias.in_(derived), _AL.c.outlet_id == previous)
            .values(outlet_id=target)
        )
    if kind == "domain":
        # The outlet's own domain follows its alias.
        conn.execute(sa.update(_O).where(_O.c.domain == key).values(domain=None))
        conn.execute(
            sa.update(_O).where(_O.c.id == target, _O.c.domain.is_(None)).values(domain=key)
        )
    if previous is None:
        return
    # Articles counted under the previous outlet that now resolve to the target move over.
    moved: list[int] = []
    rows = conn.execute(
        sa.select(_A.c.pk, _A.c.outlet_name, _A.c.url).where(_A.c.outlet_id == previous)
    ).all()
    for row in rows:
        if outlets.find(conn, outlets.outlet_keys(row.outlet_name, row.url)) == target:
            moved.append(row.pk)
    if moved:
        conn.execute(sa.update(_A).where(_A.c.pk.in_(moved)).values(outlet_id=target))
        # The outlet counts of what they are in change.
        stats.refresh_articles(
            conn, conn.execute(sa.select(_A.c.id).where(_A.c.pk.in_(moved))).scalars().all()
        )
    # An outlet left with no alias and no article is gone.
    left = conn.execute(sa.select(_AL.c.id).where(_AL.c.outlet_id == previous).limit(1)).first()
    used = conn.execute(sa.select(_A.c.pk).where(_A.c.outlet_id == previous).limit(1)).first()
    if left is None and used is None:
        conn.execute(sa.delete(_O).where(_O.c.id == previous))
