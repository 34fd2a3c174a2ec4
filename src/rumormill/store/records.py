"""What the store gives back, and the conversions between the data model and its rows."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal

from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span

Outcome = Literal["added", "revision", "duplicate", "rejected"]

# Set when the model has the field (another issue adds Article.date_source).
_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article))


@dataclass(frozen=True)
class AddOutcome:
    """What `Store.add` did with one analysis, in the order given."""

    article_id: str
    outcome: Outcome
    revision_of: str | None = None  # for "revision": the stored article it revises
    reason: str | None = None  # for "rejected"


@dataclass(frozen=True)
class CorpusEntityUpdate:
    """A corpus entity's current best name and type, as the entity resolver knows them."""

    name: str
    type: str


@dataclass(frozen=True)
class ResolverEntity:
    """One corpus entity as the entity resolver keeps it (its saved state, a row of
    `resolver_entities`): type as first seen, best name, and the number of articles that named
    it in full (every article linked, stored or not: what the resolver decides by)."""

    id: int
    type: str
    name: str
    articles: int


# A name the entity resolver knows: (class, kind, normalised name).  kind "full": a full name
# (any name of a class other than PERSON), "bare": a surname seen alone, naming its
# surname-only person.
ResolverKeyId = tuple[str, str, str]


@dataclass(frozen=True)
class ResolverKey:
    """One name of the entity resolver's index (a row of `resolver_keys`)."""

    name_class: str
    kind: str  # "full" or "bare"
    key: str
    corpus_id: int


@dataclass(frozen=True)
class Links:
    """What linking found for a batch, written in the same transaction as the batch: each
    article's original (`copy_of`) and story, each attribution's claim (keyed by article id
    and attribution id), each entity's corpus entity (keyed by article id and entity id) with
    the name and type of every corpus entity it names, and the linkers' saved state by name.

    The entity resolver's state is saved as changes: `resolver_entities`, the corpus entities
    it opened or changed since the last batch (upserted), and `resolver_keys`, the names whose
    entity it set (a corpus id) or dropped (None) since then."""

    copy_of: dict[str, str] = field(default_factory=dict)
    story: dict[str, int] = field(default_factory=dict)
    claim: dict[tuple[str, str], int] = field(default_factory=dict)
    state: dict[str, bytes] = field(default_factory=dict)
    entity: dict[tuple[str, str], int] = field(default_factory=dict)
    corpus_entities: dict[int, CorpusEntityUpdate] = field(default_factory=dict)
    resolver_entities: dict[int, ResolverEntity] = field(default_factory=dict)
    resolver_keys: dict[ResolverKeyId, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class AddReport:
    """The counts of one `Store.add` (one transaction) and each article's outcome."""

    added: int
    revisions: int
    duplicates: int
    rejected: int
    outcomes: list[AddOutcome]
    sources: list[str]  # the input names recorded as fully stored

    @property
    def stored(self) -> int:
        """Articles written: new ones and revisions."""
        return self.added + self.revisions


@dataclass(frozen=True)
class StoredArticle:
    """One stored article with its analysis as it was added, and what the store knows of it."""

    id: str
    article: Article
    analysis: Analysis
    outlet_id: int | None
    outlet: str | None  # the outlet's display name (identity), not the raw `article.outlet`
    ingested_at: datetime
    date_source: str | None
    revision_of: str | None
    copy_of: str | None
    story_id: int | None
    data: dict[str, Any] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The analysis JSON as it was added (`Analysis.to_dict()` plus `sentences`)."""
        data = dict(self.data)
        data["article"] = {**data.get("article", {}), "text": self.article.text}
        return data


@dataclass(frozen=True)
class StoredAttribution:
    """One stored attribution, with its article's id, date and outlet."""

    article_id: str
    attribution: Attribution
    published: date | None
    outlet_id: int | None
    claim_id: int | None


@dataclass(frozen=True)
class EntityRole:
    """A descriptor or role said of a corpus entity ("head of the FSB's foreign intelligence
    branch"), as first written, with the date and article it was first said in, the last date,
    and the number of articles saying it (compared case-insensitively, without "the"/"a")."""

    text: str
    first_seen: date | None
    article_id: str
    last_seen: date | None
    articles: int


@dataclass(frozen=True)
class StoredEntity:
    """One entity across the stored articles: its id, best name (its longest full name), type,
    the dates of the first and last stored articles naming it and how many articles and
    mentions.  `Store.entity` also fills in the names it was written as (with how many articles
    each), its roles (earliest first) and its mentions per day (dated articles only)."""

    id: int
    name: str
    type: str
    first_seen: date | None
    last_seen: date | None
    articles: int
    mentions: int
    names: tuple[tuple[str, int], ...] = ()
    roles: tuple[EntityRole, ...] = ()
    mentions_per_day: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class IngestedSource:
    """An input recorded as fully stored (for resuming an ingest)."""

    name: str
    content_hash: str | None
    ingested_at: datetime


# --- to rows -----------------------------------------------------------------------------------


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """`Analysis.to_dict()` without the article text (a column of its own), with sentences."""
    data = analysis.to_dict()
    data["article"] = {k: v for k, v in data["article"].items() if k != "text"}
    data["sentences"] = [s.to_list() for s in analysis.sentences]
    return data


def problem(analysis: Analysis) -> str | None:
    """Why this analysis cannot be stored as it is, or None."""
    if any(s and "\x00" in s for s in _strings(analysis)):
        # PostgreSQL stores no NUL character in text; refuse it everywhere alike.
        return "a NUL character in its text or analysis"
    entity_ids = [e.id for e in analysis.entities]
    if len(set(entity_ids)) != len(entity_ids):
        return "two entities with one id"
    attribution_ids = [a.id for a in analysis.attributions]
    if len(set(attribution_ids)) != len(attribution_ids):
        return "two attributions with one id"
    for attribution in analysis.attributions:
        if not math.isfinite(attribution.certainty.score):
            return f"attribution {attribution.id}: certainty score {attribution.certainty.score}"
    return None


def _strings(analysis: Analysis) -> Iterator[str | None]:
    article = analysis.article
    yield from (article.text, article.outlet, article.url, article.title, article.language)
    yield article.credit
    for entity in analysis.entities:
        yield entity.name
        yield entity.type
        yield entity.id
        yield from entity.descriptors
    for a in analysis.attributions:
        yield from (a.id, a.source.name, a.source.entity, a.content.text, a.certainty.label)
        yield from (a.source.span.text if a.source.span else None, a.cue.text if a.cue else None)
        yield a.channel.text if a.channel else None
        yield from a.certainty.cues


def _span_columns(prefix: str, span: Span | None) -> dict[str, Any]:
    return {
        f"{prefix}_text": span.text if span else None,
        f"{prefix}_start": span.start if span else None,
        f"{prefix}_end": span.end if span else None,
    }


def attribution_row(
    article_id: str, position: int, attribution: Attribution, published: date | None
) -> dict[str, Any]:
    a = attribution
    return {
        "article_id": article_id,
        "attribution_id": a.id,
        "position": position,
        "kind": a.kind,
        **_span_columns("source", a.source.span),
        "source_type": a.source.type,
        "source_entity": a.source.entity,
        "source_name": a.source.name,
        **_span_columns("cue", a.cue),
        **_span_columns("channel", a.channel),
        **_span_columns("content", a.content),
        "certainty_score": a.certainty.score,
        "certainty_label": a.certainty.label,
        "certainty_cues": list(a.certainty.cues),
        "published": published,
    }


# --- from rows ---------------------------------------------------------------------------------


def article_from_row(row: Any) -> Article:
    kwargs: dict[str, Any] = {
        "text": row.text,
        "published": row.published,
        "outlet": row.outlet_name,
        "url": row.url,
        "title": row.title,
        "language": row.language,
        "credit": row.credit,
    }
    if "date_source" in _ARTICLE_FIELDS:
        kwargs["date_source"] = row.date_source
    return Article(**kwargs)


def _role(data: dict[str, Any] | None) -> Span | None:
    if data is None:
        return None
    start, end = data["span"]
    return Span(start, end, data["text"])


def attribution_from_dict(data: dict[str, Any]) -> Attribution:
    source = data["source"]
    content = _role(data["content"])
    assert content is not None
    certainty = data["certainty"]
    return Attribution(
        id=data["id"],
        kind=data["kind"],
        source=Source(
            span=_role(source) if source.get("span") is not None else None,
            type=source["type"],
            entity=source.get("entity"),
            name=source.get("name"),
        ),
        cue=_role(data.get("cue")),
        channel=_role(data.get("channel")),
        content=content,
        certainty=Certainty(
            score=float(certainty["score"]),
            label=certainty["label"],
            cues=tuple(certainty.get("cues") or ()),
        ),
    )


def analysis_from_json(data: dict[str, Any], article: Article) -> Analysis:
    """The Analysis that `analysis_json` stored.  Sentence and mention texts are read from the
    article text at their offsets (the offsets are the contract)."""
    text = article.text
    return Analysis(
        article=article,
        sentences=[Span(s, e, text[s:e]) for s, e in data.get("sentences", [])],
        entities=[
            Entity(
                id=e["id"],
                name=e["name"],
                type=e["type"],
                mentions=[Span(s, end, text[s:end]) for s, end in e.get("mentions", [])],
                descriptors=list(e.get("descriptors", [])),
            )
            for e in data.get("entities", [])
        ],
        attributions=[attribution_from_dict(a) for a in data.get("attributions", [])],
    )


def _row_span(row: Any, prefix: str) -> Span | None:
    start = getattr(row, f"{prefix}_start")
    if start is None:
        return None
    return Span(start, getattr(row, f"{prefix}_end"), getattr(row, f"{prefix}_text"))


def attribution_from_row(row: Any) -> Attribution:
    content = _row_span(row, "content")
    assert content is not None
    return Attribution(
        id=row.attribution_id,
        kind=row.kind,
        source=Source(
            span=_row_span(row, "source"),
            type=row.source_type,
            entity=row.source_entity,
            name=row.source_name,
        ),
        cue=_row_span(row, "cue"),
        channel=_row_span(row, "channel"),
        content=content,
        certainty=Certainty(
            score=row.certainty_score,
            label=row.certainty_label,
            cues=tuple(row.certainty_cues or ()),
        ),
    )
