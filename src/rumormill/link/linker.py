"""The linkers of a store, run on each ingested batch: copies and stories (and claims, when a
claim linker is given).

`Linker.load(store)` restores each linker from the state the store saved with the last batch
(or starts fresh); `link(analyses)` links a batch, in the order given, and returns `Links`:
what the store writes in the same transaction as the batch, state included.  So linking is
incremental (a new article is linked against what is stored, never re-clustering the corpus)
and as crash-safe as the store: a batch and its links are committed together or not at all.

Stories are built from the analysis alone (content words and entity names; `story_input`
without a Doc).  Stories quiet for `CLOSE_AFTER_DAYS` are closed, and copy groups all older
than that are forgotten (a copy is looked for among the last 30 days of news), so that the
saved state stays the size of the recent news.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

from rumormill.link.copies import CopyIndex
from rumormill.link.stories import StoryClusterer, story_input
from rumormill.model import Analysis
from rumormill.store import Links, Store

logger = logging.getLogger(__name__)

COPIES = "copies"
STORIES = "stories"
# A story with no article for this long is closed: no later article can join it.
CLOSE_AFTER_DAYS = 30


def numeric(ident: str) -> int:
    """The number of a linker id ("s12" -> 12), as the store keeps it."""
    return int(ident.lstrip("abcdefghijklmnopqrstuvwxyz"))


class Linker:
    """Copies and stories of one store, restored from and saved into it."""

    def __init__(self, copies: CopyIndex, stories: StoryClusterer) -> None:
        self.copies = copies
        self.stories = stories
        self.latest: date | None = None

    @classmethod
    def load(cls, store: Store) -> Linker:
        saved_copies = store.link_state(COPIES)
        saved_stories = store.link_state(STORIES)
        return cls(
            CopyIndex.from_bytes(saved_copies) if saved_copies else CopyIndex(),
            StoryClusterer.from_bytes(saved_stories) if saved_stories else StoryClusterer(),
        )

    def link(self, analyses: Sequence[Analysis]) -> Links:
        """Link a batch: each article's original (when it is a copy) and story."""
        links = Links()
        for analysis in analyses:
            article = analysis.article
            found = self.copies.link(article.id, article.text, article.published)
            if found.original is not None:
                links.copy_of[article.id] = found.original
            for moved in found.repointed:
                links.copy_of[moved] = article.id
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
            logger.debug("closed %d quiet stories, forgot %d old articles", closed, forgotten)
        links.state[COPIES] = self.copies.to_bytes()
        links.state[STORIES] = self.stories.to_bytes()
        return links
