"""The data model that flows through the stages: an Article in, an Analysis out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

AttributionKind = Literal["direct", "indirect", "mixed", "according_to", "unattributed"]
SourceType = Literal["PERSON", "ORG", "GPE", "NORP", "UNNAMED"]


@dataclass(frozen=True)
class Link:
    """An HTML anchor of an article's main content: where it points and its words."""

    url: str
    text: str = ""


@dataclass(frozen=True)
class Article:
    """One dated news article.  `published` is None when the input gives no date."""

    text: str
    published: date | None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    language: str = "en"
    credit: str | None = None  # a closing credit line such as "(AP)", kept out of `text`
    # Where `published` came from: "house" (the header), "record" (a JSON / CSV field),
    # "html" (page metadata), "url" (a date in the URL), "feed" (the entry's date), "warc"
    # (the WARC-Date), "option" (--date); None when undated.
    date_source: str | None = None
    # The anchors of an HTML page's main content (`ingest/html.py`), stored by `Store.add` in
    # `article_links` for provenance.  Not part of the JSON contract nor of the id: left out
    # of `to_dict()`, of equality and of the repr.
    links: tuple[Link, ...] = field(default=(), compare=False, repr=False)

    @property
    def id(self) -> str:
        """A content hash: the same article always gets the same id."""
        key = "\x1f".join(
            [self.text, self.published.isoformat() if self.published else "", self.outlet or ""]
        )
        return hashlib.sha256(key.encode("utf8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "published": self.published.isoformat() if self.published else None,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "language": self.language,
            "text": self.text,
            "date_source": self.date_source,
        }


@dataclass(frozen=True)
class Span:
    """Character offsets into `Article.text`, end-exclusive."""

    start: int
    end: int
    text: str

    def to_list(self) -> list[int]:
        return [self.start, self.end]

    def to_dict(self) -> dict[str, Any]:
        """A role of an attribution (cue, channel, content): `{"text": ..., "span": [s, e]}`."""
        return {"text": self.text, "span": self.to_list()}


@dataclass
class Entity:
    """A named entity of one article, with every mention and the descriptors found."""

    id: str
    name: str
    type: str
    mentions: list[Span] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "mentions": [m.to_list() for m in self.mentions],
            "descriptors": list(self.descriptors),
        }


@dataclass(frozen=True)
class Source:
    """Who says it: the words of the article (`span`, None when the article names no one)
    and, when resolved, the entity they stand for."""

    span: Span | None
    type: SourceType
    entity: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.span.text if self.span else None,
            "span": self.span.to_list() if self.span else None,
            "entity": self.entity,
            "name": self.name,
            "type": self.type,
        }


@dataclass(frozen=True)
class Certainty:
    """How committed the source sounds: a score in -3..+3, its label, the hedge cues found."""

    score: float
    label: str
    cues: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "label": self.label, "cues": list(self.cues)}


@dataclass(frozen=True)
class Attribution:
    """One act of saying: a source says (cue) a content, maybe through a channel."""

    id: str
    kind: AttributionKind
    source: Source
    cue: Span | None
    channel: Span | None
    content: Span
    certainty: Certainty

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source.to_dict(),
            "cue": self.cue.to_dict() if self.cue else None,
            "channel": self.channel.to_dict() if self.channel else None,
            "content": self.content.to_dict(),
            "certainty": self.certainty.to_dict(),
        }


@dataclass
class Analysis:
    """What `analyze()` found in one article."""

    article: Article
    sentences: list[Span]
    entities: list[Entity]
    attributions: list[Attribution] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The fixed JSON contract of ../shared/DESIGN.md (extra keys may be added)."""
        return {
            "article": self.article.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "attributions": [a.to_dict() for a in self.attributions],
        }
