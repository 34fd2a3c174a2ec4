"""Numbered, recorded, transactional migrations, applied when a store is opened.

Each migration runs in its own transaction together with the row that records it in
`migrations` (number, name, applied_at), so a store is always at a whole migration, whatever
stops the process.  A store with a migration this code does not know is refused (E061): an
older rumormill must not write into a newer schema.

Migrations are frozen: once released, a migration is never edited; a change is a new one,
appended to MIGRATIONS, with the same change made to `schema.py` (a test checks that a
migrated store and `schema.py` agree).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rumormill.errors import Errors, StoreError
from rumormill.store import fts, schema
from rumormill.store.engine import writing
from rumormill.store.schema import NAMING_CONVENTION, UTCDateTime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[Connection], None]


def _tables_v1(md: sa.MetaData) -> None:
    """The tables of migration 1, as they were then (frozen: do not edit)."""
    sa.Table(
        "outlets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("domain", sa.String, nullable=True, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )

    sa.Table(
        "outlet_aliases",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("alias", sa.String, nullable=False),
        sa.Column(
            "outlet_id",
            sa.Integer,
            sa.ForeignKey("outlets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("raw", sa.String, nullable=True),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.UniqueConstraint("kind", "alias"),
    )

    sa.Table(
        "articles",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.String, nullable=True, index=True),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id"), nullable=True, index=True),
        sa.Column("outlet_name", sa.String, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("credit", sa.Text, nullable=True),
        sa.Column("published", sa.Date, nullable=True, index=True),
        sa.Column("date_source", sa.String(32), nullable=True),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Column(
            "revision_of", sa.String(64), sa.ForeignKey("articles.id"), nullable=True, index=True
        ),
        sa.Column("analysis", sa.JSON, nullable=False),
        sa.Column("n_entities", sa.Integer, nullable=False),
        sa.Column("n_attributions", sa.Integer, nullable=False),
        sa.Column(
            "copy_of", sa.String(64), sa.ForeignKey("articles.id"), nullable=True, index=True
        ),
        sa.Column("story_id", sa.Integer, nullable=True, index=True),
    )

    sa.Table(
        "attributions",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.String(64),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attribution_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_text", sa.Text, nullable=True),
        sa.Column("source_start", sa.Integer, nullable=True),
        sa.Column("source_end", sa.Integer, nullable=True),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("source_entity", sa.String, nullable=True),
        sa.Column("source_name", sa.String, nullable=True, index=True),
        sa.Column("cue_text", sa.Text, nullable=True),
        sa.Column("cue_start", sa.Integer, nullable=True),
        sa.Column("cue_end", sa.Integer, nullable=True),
        sa.Column("channel_text", sa.Text, nullable=True),
        sa.Column("channel_start", sa.Integer, nullable=True),
        sa.Column("channel_end", sa.Integer, nullable=True),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("certainty_score", sa.Float, nullable=False),
        sa.Column("certainty_label", sa.String(16), nullable=False, index=True),
        sa.Column("certainty_cues", sa.JSON, nullable=False),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("claim_id", sa.Integer, nullable=True, index=True),
        sa.UniqueConstraint("article_id", "attribution_id"),
    )

    sa.Table(
        "entities",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.String(64),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String, nullable=False, index=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("published", sa.Date, nullable=True),
        sa.UniqueConstraint("article_id", "entity_id"),
    )

    sa.Table(
        "mentions",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id", "entity_id"],
            ["entities.article_id", "entities.entity_id"],
            ondelete="CASCADE",
        ),
        sa.Index(None, "article_id", "entity_id"),
    )

    sa.Table(
        "entity_descriptors",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", sa.Date, nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id", "entity_id"],
            ["entities.article_id", "entities.entity_id"],
            ondelete="CASCADE",
        ),
        sa.Index(None, "article_id", "entity_id"),
    )

    sa.Table(
        "ingested_sources",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True),
        sa.Column("content_hash", sa.String, nullable=True),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
    )


def _m001_initial(conn: Connection) -> None:
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    _tables_v1(md)
    md.create_all(conn)
    if conn.dialect.name == "sqlite":
        fts.create_sqlite_v1(conn)


def _m002_link_state(conn: Connection) -> None:
    """The saved state of the incremental linkers (copies, stories, claims), so that a later
    ingest links against what is stored without re-clustering (frozen: do not edit)."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table(
        "link_state",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    md.create_all(conn)


def _m003_corpus_entities(conn: Connection) -> None:
    """One entity across articles: the `corpus_entities` table, each article entity's
    `corpus_entity_id` (nullable, indexed; NULL for entities stored before), and the entity
    resolver's state (`resolver_entities`, `resolver_keys`) (frozen: do not edit)."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table(
        "corpus_entities",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String, nullable=False, index=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("first_seen", sa.Date, nullable=True),
        sa.Column("last_seen", sa.Date, nullable=True),
        sa.Column("n_articles", sa.Integer, nullable=False),
        sa.Column("n_mentions", sa.Integer, nullable=False),
    )
    sa.Table(
        "resolver_entities",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
    )
    sa.Table(
        "resolver_keys",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column("name_class", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name_key", sa.String, nullable=False),
        sa.Column("corpus_id", sa.Integer, nullable=False),
        sa.UniqueConstraint("name_class", "kind", "name_key"),
    )
    md.create_all(conn)
    # ADD COLUMN with a plain type and no default reads the same on SQLite and PostgreSQL.
    conn.execute(sa.text("ALTER TABLE entities ADD COLUMN corpus_entity_id INTEGER"))
    entities = sa.Table(
        "entities",
        sa.MetaData(naming_convention=NAMING_CONVENTION),
        sa.Column("corpus_entity_id", sa.Integer),
    )
    sa.Index("ix_entities_corpus_entity_id", entities.c.corpus_entity_id).create(conn)


def _m004_article_links(conn: Connection) -> None:
    """The anchors of each article's main content (`article_links`), for provenance: an
    article linking to another is citing it.  Articles stored before have none (frozen: do
    not edit)."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("articles", md, sa.Column("id", sa.String(64), primary_key=True))
    sa.Table(
        "article_links",
        md,
        sa.Column("pk", sa.Integer, primary_key=True),
        sa.Column(
            "article_id",
            sa.String(64),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("url", sa.String, nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    md.tables["article_links"].create(conn)


def _m005_resolutions(conn: Connection) -> None:
    """Resolutions and suggested resolutions: the append-only `resolution_events` and the
    `suggestions` (frozen: do not edit)."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table(
        "resolution_events",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("claim_id", sa.Integer, nullable=False, index=True),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("resolved_on", sa.Date, nullable=True),
        sa.Column("evidence", sa.Text, nullable=True),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("recorded_by", sa.String, nullable=True),
        sa.Column("undoes", sa.Integer, nullable=True, unique=True),
        sa.Column("suggestion_id", sa.Integer, nullable=True),
    )
    sa.Table(
        "suggestions",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("claim_id", sa.Integer, nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("attribution_id", sa.String, nullable=False),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("decided_by", sa.String, nullable=True),
        sa.UniqueConstraint("claim_id", "article_id", "attribution_id", "outcome"),
    )
    md.create_all(conn)


def _m006_stats(conn: Connection) -> None:
    """Statistics per claim, story and cited person, and the store's generation
    (`stats.py`), backfilled from what is stored (frozen: do not edit; the backfill is
    written out here, not taken from `stats.py`, which may change after)."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    claim_stats = sa.Table(
        "claim_stats",
        md,
        sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("attributions", sa.Integer, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("outlets", sa.Integer, nullable=False),
        sa.Column("unnamed", sa.Integer, nullable=False),
        sa.Column("hedged", sa.Integer, nullable=False),
        sa.Column("weak", sa.Integer, nullable=False),
        sa.Column("first", sa.Date, nullable=True),
        sa.Column("last", sa.Date, nullable=True),
        sa.Column("growth", sa.Float, nullable=False),
        sa.Index(None, "articles", "outlets", "attributions"),
        sa.Index(None, "growth", "articles"),
    )
    story_stats = sa.Table(
        "story_stats",
        md,
        sa.Column("story_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("outlets", sa.Integer, nullable=False),
        sa.Column("first", sa.Date, nullable=True),
        sa.Column("last", sa.Date, nullable=True),
        sa.Index(None, "articles", "outlets"),
        sa.Index(None, "last", "articles"),
    )
    person_stats = sa.Table(
        "person_stats",
        md,
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("attributions", sa.Integer, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("outlets", sa.Integer, nullable=False),
        sa.Index(None, "articles", "attributions"),
    )
    person_outlets = sa.Table(
        "person_outlets",
        md,
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("outlet_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("attributions", sa.Integer, nullable=False),
    )
    generation = sa.Table(
        "store_generation",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False),
    )
    md.create_all(conn)
    conn.execute(generation.insert().values(id=1, n=0))
    # Newest-first search over claims reads attributions by date.
    conn.exec_driver_sql("CREATE INDEX ix_attributions_published ON attributions (published)")
    # A story's earliest article (its title) from the index, not from every article's row.
    conn.exec_driver_sql(
        "CREATE INDEX ix_articles_story_id_published ON articles (story_id, published)"
    )

    def day(value: object) -> date | None:
        return None if value is None else date.fromisoformat(str(value)[:10])

    weak_unnamed = "(t.source_type = 'UNNAMED' OR t.kind = 'unattributed')"
    weak_hedged = "t.certainty_label IN ('possible', 'probable', 'doubted')"
    rows = []
    for r in conn.exec_driver_sql(
        "SELECT t.claim_id, count(*), count(DISTINCT t.article_id), count(DISTINCT a.outlet_id),"
        f" sum(CASE WHEN {weak_unnamed} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN {weak_hedged} THEN 1 ELSE 0 END),"
        f" sum(CASE WHEN {weak_unnamed} OR {weak_hedged} THEN 1 ELSE 0 END),"
        " min(t.published), max(t.published)"
        " FROM attributions t JOIN articles a ON a.id = t.article_id"
        " WHERE t.claim_id IS NOT NULL GROUP BY t.claim_id"
    ):
        first, last = day(r[7]), day(r[8])
        span = (last - first).days if first is not None and last is not None else 0
        rows.append(
            dict(zip(("claim_id", "attributions", "articles", "outlets"), r[:4], strict=True))
            | {"unnamed": r[4], "hedged": r[5], "weak": r[6], "first": first, "last": last}
            | {"growth": r[2] / (span + 1)}
        )
    stories = [
        {"story_id": r[0], "articles": r[1], "outlets": r[2], "first": day(r[3]), "last": day(r[4])}
        for r in conn.exec_driver_sql(
            "SELECT story_id, count(*), count(DISTINCT outlet_id), min(published), max(published)"
            " FROM articles WHERE story_id IS NOT NULL GROUP BY story_id"
        )
    ]
    people = [
        {"name": r[0], "attributions": r[1], "articles": r[2], "outlets": r[3]}
        for r in conn.exec_driver_sql(
            "SELECT t.source_name, count(*), count(DISTINCT t.article_id),"
            " count(DISTINCT a.outlet_id)"
            " FROM attributions t JOIN articles a ON a.id = t.article_id"
            " WHERE t.source_type = 'PERSON' AND t.source_name IS NOT NULL"
            " GROUP BY t.source_name"
        )
    ]
    pairs = [
        {"name": r[0], "outlet_id": r[1], "attributions": r[2]}
        for r in conn.exec_driver_sql(
            "SELECT t.source_name, a.outlet_id, count(*)"
            " FROM attributions t JOIN articles a ON a.id = t.article_id"
            " WHERE t.source_type = 'PERSON' AND t.source_name IS NOT NULL"
            " AND a.outlet_id IS NOT NULL GROUP BY t.source_name, a.outlet_id"
        )
    ]
    tables = ((claim_stats, rows), (story_stats, stories), (person_stats, people))
    for table, found in (*tables, (person_outlets, pairs)):
        for start in range(0, len(found), 500):
            conn.execute(table.insert(), found[start : start + 500])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _m001_initial),
    Migration(2, "link state", _m002_link_state),
    Migration(3, "corpus entities", _m003_corpus_entities),
    Migration(4, "article links", _m004_article_links),
    Migration(5, "resolutions", _m005_resolutions),
    Migration(6, "statistics", _m006_stats),
)

# Tables of ours that, found without a `migrations` table, mean someone else's database.
_OUR_TABLES = frozenset({"outlets", "outlet_aliases", "articles", "attributions", "entities"})


def latest() -> int:
    return MIGRATIONS[-1].number


def applied(conn: Connection) -> dict[int, str]:
    """The migrations recorded in a store: number -> name."""
    rows = conn.execute(sa.select(schema.migrations.c.number, schema.migrations.c.name))
    return {number: name for number, name in rows}


def migrate(engine: Engine, *, label: str, create: bool = True) -> list[int]:
    """Bring the store at `engine` up to date; the numbers of the migrations applied now.

    `label` names the store in errors (a path, or a URL without its password); create=False
    refuses a database that is not a store yet.
    """
    with writing(engine) as conn:
        names = set(sa.inspect(conn).get_table_names())
        if not create and "migrations" not in names:
            raise StoreError(Errors.E060, path=label, reason="no store there (create=False)")
        if "migrations" not in names and names & _OUR_TABLES:
            raise StoreError(
                Errors.E062,
                path=label,
                reason=f"it has tables {sorted(names & _OUR_TABLES)} but no migrations table",
            )
        schema.migrations.create(conn, checkfirst=True)
        done = applied(conn)
    newest = max(done, default=0)
    if newest > latest():
        raise StoreError(Errors.E061, path=label, n=newest, known=latest())
    now: list[int] = []
    for migration in MIGRATIONS:
        if migration.number in done:
            if done[migration.number] != migration.name:
                logger.warning(
                    "%s: migration %d is recorded as %r, this code calls it %r",
                    label,
                    migration.number,
                    done[migration.number],
                    migration.name,
                )
            continue
        with writing(engine) as conn:
            # Another process may have applied it since we looked: look again, under the lock.
            if migration.number in applied(conn):
                continue
            try:
                migration.apply(conn)
            except sa.exc.SQLAlchemyError as e:
                raise StoreError(
                    Errors.E063,
                    path=label,
                    n=migration.number,
                    name=migration.name,
                    reason=str(e.orig if isinstance(e, sa.exc.DBAPIError) else e),
                ) from e
            conn.execute(
                sa.insert(schema.migrations).values(
                    number=migration.number, name=migration.name, applied_at=datetime.now(UTC)
                )
            )
        logger.info("%s: applied migration %d (%s)", label, migration.number, migration.name)
        now.append(migration.number)
    return now
