"""The store's tables as they are after the latest migration: what the queries use.

`migrations.py` builds them step by step; a test checks that the two agree, so a new
migration must come with its change here.  Every type is portable (SQLite, PostgreSQL):
JSON in `sa.JSON`, times as naive UTC `DateTime`, no SQLite-only column types.  The SQLite
full-text tables live apart, in `fts.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Deterministic constraint names, so that a later migration can name what it alters.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A point in time, stored as naive UTC and read back aware (UTC) on every database.

    A naive value given to it is taken to be UTC already.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=UTC)


metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

migrations = sa.Table(
    "migrations",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

outlets = sa.Table(
    "outlets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("domain", sa.String, nullable=True, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# kind: "domain" (a normalised domain), "name" (a normalised name) or "label" (a squashed name
# or a domain's label, matched between names and domains); origin: "auto", "known", "user".
outlet_aliases = sa.Table(
    "outlet_aliases",
    metadata,
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

articles = sa.Table(
    "articles",
    metadata,
    # An integer key for the full-text index (SQLite's FTS5 wants one); `id` is the identity.
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.String, nullable=True, index=True),
    sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id"), nullable=True, index=True),
    sa.Column("outlet_name", sa.String, nullable=True),  # Article.outlet, as given
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
    # Analysis.to_dict() without article.text (that is the `text` column), plus "sentences".
    sa.Column("analysis", sa.JSON, nullable=False),
    sa.Column("n_entities", sa.Integer, nullable=False),
    sa.Column("n_attributions", sa.Integer, nullable=False),
    # Filled by linking (copies, stories); nullable until then.
    sa.Column("copy_of", sa.String(64), sa.ForeignKey("articles.id"), nullable=True, index=True),
    sa.Column("story_id", sa.Integer, nullable=True, index=True),
    # A story's earliest article, read from the index (migration 6).
    sa.Index(None, "story_id", "published"),
)

attributions = sa.Table(
    "attributions",
    metadata,
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
    # The article's, for timelines and newest-first search (indexed: migration 6).
    sa.Column("published", sa.Date, nullable=True, index=True),
    sa.Column("claim_id", sa.Integer, nullable=True, index=True),  # filled by linking
    sa.UniqueConstraint("article_id", "attribution_id"),
)

entities = sa.Table(
    "entities",
    metadata,
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
    # The corpus entity it is (`corpus_entities.id`), filled by linking (migration 3).
    sa.Column("corpus_entity_id", sa.Integer, nullable=True, index=True),
    sa.UniqueConstraint("article_id", "entity_id"),
)

mentions = sa.Table(
    "mentions",
    metadata,
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

entity_descriptors = sa.Table(
    "entity_descriptors",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.String, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published", sa.Date, nullable=True),  # when the entity was described so
    sa.ForeignKeyConstraint(
        ["article_id", "entity_id"],
        ["entities.article_id", "entities.entity_id"],
        ondelete="CASCADE",
    ),
    sa.Index(None, "article_id", "entity_id"),
)

# Inputs fully stored, for resuming an interrupted ingest.
ingested_sources = sa.Table(
    "ingested_sources",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, nullable=False, unique=True),
    sa.Column("content_hash", sa.String, nullable=True),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
)

# One entity across articles (migration 3): the resolver's id, the best name seen (its longest
# full name), its type, and the range of dates and counts of the stored articles naming it.
corpus_entities = sa.Table(
    "corpus_entities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=False, index=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("first_seen", sa.Date, nullable=True),
    sa.Column("last_seen", sa.Date, nullable=True),
    sa.Column("n_articles", sa.Integer, nullable=False),
    sa.Column("n_mentions", sa.Integer, nullable=False),
)

# The entity resolver's saved state (migration 3), written as changes with each batch: every
# corpus entity it opened (named by a stored article or not), with its type as first seen, best
# name and the number of articles that named it in full ...
resolver_entities = sa.Table(
    "resolver_entities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("articles", sa.Integer, nullable=False),
)

# ... and its name index: (class, kind, normalised name) -> corpus entity; kind "full" (a full
# name, or any name of a class other than PERSON) or "bare" (a surname seen alone).
resolver_keys = sa.Table(
    "resolver_keys",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True),
    sa.Column("name_class", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("name_key", sa.String, nullable=False),
    sa.Column("corpus_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("name_class", "kind", "name_key"),
)

# The anchors of an article's main content (migration 4): where each points (absolute, as the
# page resolved it) and its words, in page order.  Provenance reads them as citations.
article_links = sa.Table(
    "article_links",
    metadata,
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

# Resolutions (migration 5), append-only: every change to a claim's outcome is one event, never
# edited or deleted.  `action` is "resolve" (an outcome recorded, `unresolved` included) or
# "undo" (it withdraws the event `undoes` names: the latest resolve event not yet undone).  A
# claim's current resolution is its latest resolve event that no undo names; `suggestion_id`
# is the accepted suggestion a resolve event came from.
resolution_events = sa.Table(
    "resolution_events",
    metadata,
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

# Suggested resolutions (migration 5), found in later articles and never recorded silently: one
# row per claim, evidence attribution and outcome (so finding it again adds nothing), pending
# until a user accepts (a resolve event citing it) or rejects it.
suggestions = sa.Table(
    "suggestions",
    metadata,
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

# The saved state of the incremental linkers, by name (migration 2).
link_state = sa.Table(
    "link_state",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Statistics kept per claim, story and cited person (migration 6): what the dashboard and the
# lists rank by, so that a page reads the top rows of an index instead of aggregating every
# attribution.  Derived data, refreshed by `stats.py` in the transaction of each batch that
# changes them (and rebuilt by the migration from what was stored before).
claim_stats = sa.Table(
    "claim_stats",
    metadata,
    sa.Column("claim_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("attributions", sa.Integer, nullable=False),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("outlets", sa.Integer, nullable=False),
    sa.Column("unnamed", sa.Integer, nullable=False),  # an UNNAMED source, or unattributed
    sa.Column("hedged", sa.Integer, nullable=False),  # labelled possible, probable or doubted
    sa.Column("weak", sa.Integer, nullable=False),  # either
    sa.Column("first", sa.Date, nullable=True),
    sa.Column("last", sa.Date, nullable=True),
    sa.Column("growth", sa.Float, nullable=False),  # articles per day, first to last
    sa.Index(None, "articles", "outlets", "attributions"),
    sa.Index(None, "growth", "articles"),
)

story_stats = sa.Table(
    "story_stats",
    metadata,
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
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("attributions", sa.Integer, nullable=False),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("outlets", sa.Integer, nullable=False),
    sa.Index(None, "articles", "attributions"),
)

# How often each person is cited through each outlet: `person_stats.outlets` counts its rows,
# so that a batch adds to a person's counts instead of recounting every attribution of the
# most-cited people (migration 6).
person_outlets = sa.Table(
    "person_outlets",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("outlet_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("attributions", sa.Integer, nullable=False),
)

# One row: a number every write transaction of `Store.writing` raises, so that a reader (the
# web app's dashboard) can tell in one indexed read whether anything changed (migration 6).
store_generation = sa.Table(
    "store_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("n", sa.Integer, nullable=False),
)
