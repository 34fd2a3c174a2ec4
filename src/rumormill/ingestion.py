"""Ingest: read any inputs, analyse every article, store it with its analysis.

`ingest()` is the library behind `rumormill ingest` and `rumormill demo`.  It streams: items
come one by one out of `ingest.sources.read_items` (files, folders, globs, `-`, URLs; every
format), are gathered into batches of `batch_size` articles, analysed together (the NLP work
batched with `nlp.pipe`) and written to the store in one transaction per batch.  So:

- **a bad input never stops the batch**: it is counted under its error code, named in the
  report, and skipped; so is an article whose analysis fails;
- **re-ingesting changes nothing**: an article whose content hash is stored is counted as a
  duplicate before any NLP work is spent on it;
- **an interrupted ingest resumes**: what was committed stays (one transaction per batch), and
  running the same command again skips it as duplicates and completes the rest;
- **no date is invented**: an article without one is stored as undated;
- **every batch is linked** (`link/linker.py`: copies, stories) against what is stored, and
  the links and the linkers' state are written in the batch's own transaction;
- **resolutions are suggested** (`suggestions.py`) after each stored batch, for the claims it
  touched: stored as pending suggestions for a user to accept or reject, never recorded as
  resolutions.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.language import Language

from rumormill import analysis, suggestions
from rumormill.errors import AnalysisError, RumormillError
from rumormill.ingest.sources import Item, Options, read_items
from rumormill.link.linker import Linker
from rumormill.model import Analysis, Article
from rumormill.store import Store

logger = logging.getLogger(__name__)

BATCH_SIZE = 32
# How many rejections the report names one by one (all are counted).
MAX_NAMED = 50
# The reason code of an article the store refused (a NUL character, a constraint).
STORE_REJECTED = "store"


@dataclass
class IngestReport:
    """What an ingest did: counts, rejections by code, and the first rejections by name."""

    inputs: int = 0
    read: int = 0
    ingested: int = 0
    duplicates: int = 0
    revisions: int = 0
    undated: int = 0
    suggested: int = 0  # new pending suggestions of resolutions
    rejected: Counter[str] = field(default_factory=Counter)
    named: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def reject(self, name: str, error: RumormillError) -> None:
        code = getattr(error.code, "name", str(error.code))
        self.rejected[code] += 1
        if len(self.named) < MAX_NAMED:
            self.named.append((name, str(error)))
        logger.info("rejected %s: %s", name, error)

    def reject_stored(self, name: str, reason: str) -> None:
        """An article the store refused (`Store.add` names the reason)."""
        self.rejected[STORE_REJECTED] += 1
        if len(self.named) < MAX_NAMED:
            self.named.append((name, f"not stored: {reason}"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "revisions": self.revisions,
            "undated": self.undated,
            "suggested": self.suggested,
            "rejected": self.rejected_total,
            "rejected_by_code": dict(sorted(self.rejected.items())),
            "rejections": [{"input": n, "error": e} for n, e in self.named],
        }


@dataclass(frozen=True)
class Progress:
    """Where an ingest stands, handed to `on_progress` after every batch."""

    read: int
    ingested: int
    duplicates: int
    rejected: int
    current: str


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def ingest(
    inputs: Sequence[str],
    *,
    db: str | Path,
    options: Options | None = None,
    batch_size: int = BATCH_SIZE,
    nlp: Language | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> IngestReport:
    """Read `inputs`, analyse every new article and store it in `db`; see the module
    docstring.  Raises only when the store cannot be opened or written."""
    chosen = dataclasses.replace(options or Options(), undated=True)
    report = IngestReport(inputs=len(inputs))
    with Store.open(db) as store:
        linker = Linker.load(store)
        for batch in batches(read_items(inputs, chosen), batch_size):
            fresh: list[tuple[str, Article]] = []
            seen: set[str] = set()
            for item in batch:
                if item.error is not None or item.article is None:
                    report.read += 1
                    if item.error is not None:
                        report.reject(item.name, item.error)
                    continue
                report.read += 1
                article = item.article
                if article.id in seen or store.has(article.id):
                    report.duplicates += 1
                    continue
                seen.add(article.id)
                fresh.append((item.name, article))
            analysed = _analyse(fresh, report, nlp)
            if analysed:
                stored = [a for _, a in analysed]
                added = store.add(stored, links=linker.link(stored))
                report.ingested += added.added
                report.duplicates += added.duplicates
                report.revisions += added.revisions
                by_id = {a.article.id: (n, a) for n, a in analysed}
                new = [o.article_id for o in added.outcomes if o.outcome in ("added", "revision")]
                if new:
                    report.suggested += _suggest(store, new)
                for outcome in added.outcomes:
                    name, one = by_id[outcome.article_id]
                    if outcome.outcome == "rejected":
                        report.reject_stored(name, outcome.reason or "")
                    elif outcome.outcome in ("added", "revision"):
                        report.undated += one.article.published is None
            if on_progress is not None:
                on_progress(
                    Progress(
                        read=report.read,
                        ingested=report.ingested,
                        duplicates=report.duplicates,
                        rejected=report.rejected_total,
                        current=batch[-1].name,
                    )
                )
    return report


def _analyse(
    fresh: list[tuple[str, Article]], report: IngestReport, nlp: Language | None
) -> list[tuple[str, Analysis]]:
    """Analyse a batch; an article whose analysis fails is rejected, the others go on."""
    names = {id(article): name for name, article in fresh}
    failed: list[tuple[Article, AnalysisError]] = []
    done = list(
        analysis.analyze_articles(
            (article for _, article in fresh),
            nlp=nlp,
            on_error=lambda article, error: failed.append((article, error)),
        )
    )
    for article, error in failed:
        report.reject(names.get(id(article), article.url or article.id), error)
    return [(names.get(id(a.article), a.article.id), a) for a in done]


def _suggest(store: Store, article_ids: list[str]) -> int:
    """Suggest resolutions for the claims a batch touched; how many new ones are pending."""
    claim_ids = suggestions.touched(store, article_ids)
    if not claim_ids:
        return 0
    before = {s.id for s in suggestions.pending(store)}
    found = suggestions.suggest(store, claim_ids=claim_ids)
    return sum(1 for s in found if s.status == "pending" and s.id not in before)


def now() -> datetime:
    return datetime.now(UTC)
