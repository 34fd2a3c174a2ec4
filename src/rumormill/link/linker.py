"""The linkers of a store, run on each ingested batch: copies, stories, claims and entities.

`Linker.load(store)` restores each linker from the state the store saved with the last batch
(or starts fresh); `link(analyses)` links a batch, in the order given, and returns `Links`:
what the store writes in the same transaction as the batch, state included.  So linking is
incremental (a new article is linked against what is stored, never re-clustering the corpus)
and as crash-safe as the store: a batch and its links are committed together or not at all.

Stories are built from the analysis alone (content words and entity names; `story_input`
without a Doc).  Stories quiet for `CLOSE_AFTER_DAYS` are closed, and copy groups all older
than that are forgotten (a copy is looked for among the last 30 days of news), so that the
saved state stays the size of the recent news.

Claims (`link/claims.py`): the content of every attribution of every article, copies
included, is linked into a claim (`claim_inputs`), the whole batch embedded at once
(`ClaimLinker.add_many`), and `Links.claim` gives each attribution its claim's number.  A
text joins a claim with a member within the claim window (`ClaimParams.window_days`, 30
days) of its date; claims whose newest member is older than `CLOSE_AFTER_DAYS` plus that
window are forgotten, so that every article dated within `CLOSE_AFTER_DAYS` of the newest
one is linked exactly as with the whole history kept.

Entities (`link/entities.py`): each article's entities are mapped to corpus entities
(`Links.entity`).  The resolver never forgets a name, so it is not saved whole: each batch
carries only what changed (`EntityResolver.save_to`), and `load` rebuilds it from its tables.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from rumormill.errors import Errors, InputError
from rumormill.link.claims import ClaimInput, ClaimLinker, claim_inputs
from rumormill.link.copies import CopyIndex
from rumormill.link.entities import EntityResolver
from rumormill.link.stories import StoryClusterer, story_input
from rumormill.model import Analysis
from rumormill.store import Links, Store

logger = logging.getLogger(__name__)

COPIES = "copies"
STORIES = "stories"
CLAIMS = "claims"
# The linker's own clock: the latest publication date seen, from which closing counts.
CLOCK = "clock"
# A story with no article for this long is closed: no later article can join it.
CLOSE_AFTER_DAYS = 30


STATES = (COPIES, STORIES, CLAIMS, CLOCK)


def numeric(ident: str) -> int:
    """The number of a linker id ("s12" -> 12), as the store keeps it."""
    return int(ident.lstrip("abcdefghijklmnopqrstuvwxyz"))


class Linker:
    """Copies, stories and claims of one store, restored from and saved into it."""

    def __init__(
        self,
        copies: CopyIndex,
        stories: StoryClusterer,
        claims: ClaimLinker | None = None,
        entities: EntityResolver | None = None,
    ) -> None:
        self.copies = copies
        self.stories = stories
        self.claims = claims if claims is not None else ClaimLinker()
        # Not `entities or ...`: an empty resolver is falsy (it has a length).
        self.entities = entities if entities is not None else EntityResolver()
        self.latest: date | None = None

    @classmethod
    def load(cls, store: Store) -> Linker:
        """The linker as the store saved it with its last batch (fresh before the first).
        The entity resolver, which never forgets, is rebuilt from its own tables, which each
        batch updates with only what changed (`EntityResolver.save_to`)."""
        linker = cls.from_state({name: store.link_state(name) for name in STATES})
        linker.entities = EntityResolver.from_store(store)
        return linker

    @classmethod
    def from_state(cls, saved: Mapping[str, bytes | None]) -> Linker:
        """A linker from the states a batch's `Links.state` carries, by name (a missing one
        starts fresh); E080 when one cannot be read.  The entity resolver starts fresh:
        `load` restores it from the store."""
        copies, stories, claims = (saved.get(name) for name in (COPIES, STORIES, CLAIMS))
        linker = cls(
            CopyIndex.from_bytes(copies) if copies else CopyIndex(),
            StoryClusterer.from_bytes(stories) if stories else StoryClusterer(),
            ClaimLinker.from_bytes(claims) if claims else ClaimLinker(),
        )
        clock = saved.get(CLOCK)
        if clock:
            try:
                latest = json.loads(clock.decode("utf8"))["latest"]
                linker.latest = None if latest is None else date.fromisoformat(latest)
            except (UnicodeDecodeError, ValueError, KeyError, TypeError) as e:
                raise InputError(Errors.E080, what="linker clock", reason=e) from e
        return linker

    def _claim_inputs(self, analysis: Analysis) -> list[ClaimInput]:
        """`claim_inputs`, each with the article's `max_entities` most mentioned entity names
        (ties: in the order found) rather than all: what a claim keeps of them anyway, at a
        fraction of the cost on long articles."""
        inputs = claim_inputs(analysis)
        cap = self.claims.params.max_entities
        if not inputs or len(analysis.entities) <= cap:
            return inputs
        ranked = sorted(analysis.entities, key=lambda e: -len(e.mentions))[:cap]
        names = tuple(e.name for e in ranked)
        return [dataclasses.replace(one, entities=names) for one in inputs]

    def link(self, analyses: Sequence[Analysis]) -> Links:
        """Link a batch: each article's original (when it is a copy), story, and the claim
        of each of its attributions."""
        links = Links()
        inputs = [one for analysis in analyses for one in self._claim_inputs(analysis)]
        for one, claim in zip(inputs, self.claims.add_many(inputs), strict=True):
            article_id, _, attribution_id = one.id.partition(":")
            links.claim[(article_id, attribution_id)] = numeric(claim)
        for analysis in analyses:
            article = analysis.article
            found = self.copies.link(article.id, article.text, article.published)
            if found.original is not None:
                links.copy_of[article.id] = found.original
            for moved in found.repointed:
                links.copy_of[moved] = article.id
            self.entities.add_to(links, analysis)
            story = self.stories.add(story_input(analysis))
            links.story[article.id] = numeric(story)
            if article.published is not None and (
                self.latest is None or article.published > self.latest
            ):
                self.latest = article.published
        if self.latest is not None:
            cutoff = self.latest - timedelta(days=CLOSE_AFTER_DAYS)
            closed = self.stories.close_before(cutoff)
            forgotten = self.copies.close_before(cutoff)
            quiet = self.claims.close_before(
                cutoff - timedelta(days=self.claims.params.window_days)
            )
            logger.debug(
                "closed %d quiet stories, forgot %d old articles and %d quiet claims",
                closed,
                forgotten,
                quiet,
            )
        links.state[COPIES] = self.copies.to_bytes()
        links.state[STORIES] = self.stories.to_bytes()
        links.state[CLAIMS] = self.claims.to_bytes()
        latest = None if self.latest is None else self.latest.isoformat()
        links.state[CLOCK] = json.dumps({"latest": latest}).encode("utf8")
        self.entities.save_to(links)
        return links
