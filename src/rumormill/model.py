"""The data model that flows through the stages: an Article in, an Analysis out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any


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
        }


@dataclass(frozen=True)
class Span:
    """Character offsets into `Article.text`, end-exclusive."""

    start: int
    end: int
    text: str

    def to_list(self) -> list[int]:
        return [self.start, self.end]


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


@dataclass
class Analysis:
    """What `analyze()` found in one article."""

    article: Article
    sentences: list[Span]
    entities: list[Entity]
    attributions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The fixed JSON contract of ../shared/DESIGN.md (extra keys may be added)."""
        return {
            "article": self.article.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "attributions": list(self.attributions),
        }
