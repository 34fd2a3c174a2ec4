"""The same claim across articles, outlets, paraphrase and days, linked incrementally.

A claim here is what an attribution says (its content) or what an article carries without a
source (an unattributed claim).  `ClaimLinker.add` takes one such text at a time and returns
the id of the claim it belongs to, opening a new claim when none is close enough; nothing is
re-clustered, so a new article links against what is stored.

- **Representation.** The text's sentence embedding (an `Embedder`: by default the shipped
  static model, `rumormill.nlp.embeddings`), the entity names of its article (or of the
  claim; compared case-folded, without a possessive 's or a leading "the"), and the numbers
  written in it ("150", "19M" -> "19", "1,500" -> "1500").
- **Claims.** A claim keeps one vector, the sum of its members' vectors (a bounded cost per
  claim however often it is repeated), the counts of its members' entity names and numbers
  (at most `max_entities` of each, kept by Space-Saving), and the range of its members' dates.
- **Score.** The text's mean cosine to the claim's members (average link: the text's vector
  dotted with the sum, over the number of members; `linkage="centroid"`, the cosine to the
  normalised sum, is the former score), plus `entity_weight` times the share of the text's
  entity names the claim has, plus `number_weight` times the share of its numbers the claim
  has.  For a tight claim both linkages are the same; a claim of diffuse members scores lower
  by average link, so it no longer attracts any generic text (the normalised centroid hid how
  diffuse it was: on the Wikinews sample, claims of 20 to 30 unrelated quotes).
- **Generic texts.** A text with fewer than `min_content_words` content words
  (`content_words`: not stop words nor verbs of saying), no number and no entity name of its
  own (`ClaimInput.mentions`) - "it", "We are very pleased" - opens a claim of its own that
  no later text joins (`Claim.linkable` false): it is not a claim worth linking.
- **Decision.** The text joins the best-scoring candidate claim when the score reaches
  `threshold` (by default the embedder's: 0.55 for the static model, 0.6 for MiniLM), else it
  opens a new claim.  Ties go to the older claim.
- **Candidates.** Never every claim: an index maps time buckets of `window_days` days to the
  claims with a member in them.  A text looks up the buckets that cover its date ±
  `window_days` and keeps the claims with a member date within `window_days` of its own
  (30 days by default: a rumour's news cycle; a claim revived months later opens a new claim,
  which the tracking stage may join to the old one), and whose dates, with the text's, would
  spread over at most `max_span_days` (30; None: no cap), so that a claim cannot chain on
  from member to member for months.  With `require_entity`, only claims
  sharing an entity name are kept (a text without any entity keeps them all).  The window's
  claims are scored at once (one matrix-vector product); only those whose cosine could reach
  the threshold with their bonuses are looked at one by one, at most `max_candidates` of them
  (the highest cosines).  The cost of one `add` depends on how many claims run in that
  window, not on the size of the store.
- **Dates.** Texts may come in any order; the window looks both ways.  An undated text is
  placed at the stream's clock, the latest date seen so far (ingest order stands for time);
  before any dated text it sits at day 0, near other undated texts only.

The defaults (`ClaimParams`) were chosen on Emergent's training claims (`rumormill.eval.claims`)
and on the coherence of the claims linked on real news (`corpus_coherence`, judged by the full
MiniLM; bench/claims_quality.py): the threshold 0.55 is above Emergent's cross-validated
optimum (0.475 with average link), for precision on quotes (docs/accuracy.md).
`to_bytes()` / `from_bytes()` keep the whole state as JSON (sums as base64 float32; version 2;
a version 1 state loads with every claim linkable and the new parameters at their defaults),
so a later run continues where this one stopped and takes the same decisions
as an uninterrupted one.  `close_before(date)` forgets the claims gone quiet before a date
(ids are never reused), so that a long-running store's state stays the size of recent news.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from rumormill.errors import Errors, InputError
from rumormill.model import Analysis
from rumormill.nlp.embeddings import (
    MINILM,
    STATIC,
    Embedder,
    MiniLMEmbedder,
    StaticEmbedder,
    load,
    normalise_rows,
)

__all__ = [
    "MINILM",
    "STATIC",
    "THRESHOLDS",
    "Claim",
    "ClaimInput",
    "ClaimLinker",
    "ClaimParams",
    "Embedder",
    "MiniLMEmbedder",
    "StaticEmbedder",
    "claim_inputs",
    "content_words",
    "entity_key",
    "numbers_of",
]

FORMAT = "rumormill.claims"
VERSION = 2
# Versions `from_bytes` reads: 1 (before generic texts; its claims are all linkable, and it
# continues with this version's defaults for the parameters it did not know).
READS = (1, 2)

_THE = re.compile(r"^the\s+")
_POSSESSIVE = re.compile(r"['’]s?$")
_SPACES = re.compile(r"\s+")
# The digits of a number as written: "150", "1,500", "2.5", the 19 of "19M", the 20 of
# "20-year-old"; a paraphrase keeps them ("19M" / "19 million").
_WORD = re.compile(r"[^\W_]+")
_SAYING = frozenset("say says said saying told tell tells according added adds stated".split())
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimInput:
    """One claim as found in one article: an id (of the attribution, or of the article and its
    unattributed claim), the text claimed, the entity names of its article (or of the claim
    alone), the article's date (None when unknown) and the names of the entities mentioned in
    the text itself (for the generic-text rule)."""

    id: str
    text: str
    entities: tuple[str, ...] = ()
    published: date | None = None
    mentions: tuple[str, ...] = ()


def claim_inputs(analysis: Analysis) -> list[ClaimInput]:
    """The claims of one analysed article, for `ClaimLinker.add_many`: the content of each
    attribution (unattributed claims included), with the names of the article's entities, its
    date and the names of the entities with a mention inside the content; ids
    `<article id>:<attribution id>`."""
    names = tuple(e.name for e in analysis.entities)
    article = analysis.article
    return [
        ClaimInput(
            f"{article.id}:{a.id}",
            a.content.text,
            names,
            article.published,
            _mentioned(analysis, a.content.start, a.content.end),
        )
        for a in analysis.attributions
        if a.content.text.strip()
    ]


def _mentioned(analysis: Analysis, start: int, end: int) -> tuple[str, ...]:
    """The names of the entities with a mention inside [start, end), in the order found."""
    return tuple(
        dict.fromkeys(
            e.name
            for e in analysis.entities
            for m in e.mentions
            if start <= m.start and m.end <= end
        )
    )


@functools.lru_cache(maxsize=65536)
def entity_key(name: str) -> str:
    """An entity name as compared: NFKC, case-folded, single spaces, no possessive 's, no
    leading "the" ("The Kremlin's" -> "kremlin")."""
    key = _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()
    return _POSSESSIVE.sub("", _THE.sub("", key)).strip()


def content_words(text: str) -> tuple[str, ...]:
    """The words of a text that carry content: lower-cased words with a letter, of two
    characters or more, not English stop words (spaCy's list) nor a verb of saying."""
    return tuple(
        w
        for w in _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
        if len(w) > 1 and w not in STOP_WORDS and w not in _SAYING and not w.isdigit()
    )


def numbers_of(text: str) -> tuple[str, ...]:
    """The numbers written in a text, thousands separators dropped, each once, in order."""
    return tuple(dict.fromkeys(m.group().replace(",", "") for m in _NUMBER.finditer(text)))


# The default threshold of each shipped embedder.  Static: above the best B-cubed F1 on
# Emergent's training claims (0.475 in every fold of the cross-validation, average link), for
# precision on news quotes, which are longer, vaguer and more often generic than headlines:
# B-cubed F1 0.786 there against 0.820, and on the Wikinews sample 72% of the linked pairs
# judged alike by MiniLM against 57% (docs/accuracy.md).  MiniLM: not re-tuned (its
# cross-validated optimum is 0.475-0.525).  Each model's cosines live on their own scale.
THRESHOLDS = {STATIC: 0.55, MINILM: 0.6}
LINKAGES = ("average", "centroid")


@dataclass(frozen=True)
class ClaimParams:
    """How claims are linked (module docstring).  `threshold` is on the score (a mean cosine,
    or a cosine to the centroid with `linkage="centroid"`, plus the entity and number
    bonuses); None takes the embedder's default (`THRESHOLDS`).  `max_span_days` caps the
    spread of a claim's dates (None: no cap); `min_content_words` is the generic-text rule (0:
    off)."""

    threshold: float | None = None
    entity_weight: float = 0.0
    number_weight: float = 0.05
    window_days: int = 30
    max_entities: int = 32
    max_candidates: int = 1000
    require_entity: bool = False
    linkage: str = "average"
    max_span_days: int | None = 30
    min_content_words: int = 2

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise ValueError(f"window_days must be at least 1, got {self.window_days}")
        if self.max_entities < 0 or self.max_candidates < 1:
            raise ValueError("max_entities must be at least 0 and max_candidates at least 1")
        if self.linkage not in LINKAGES:
            raise ValueError(f"linkage must be one of {LINKAGES}, got {self.linkage!r}")
        if self.max_span_days is not None and self.max_span_days < 0:
            raise ValueError(f"max_span_days must be at least 0, got {self.max_span_days}")
        if self.min_content_words < 0:
            raise ValueError(f"min_content_words must be at least 0, got {self.min_content_words}")


@dataclass
class Claim:
    """One claim: its id, the ids of its members in the order added, the range of their dates
    (day ordinals; an undated member counts at the stream's clock), the counts of their
    entity names and numbers (the most frequent kept), and whether a text may join it (not
    when it was opened by a generic text)."""

    id: str
    members: list[str]
    first: int
    last: int
    entities: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    linkable: bool = True


class _Rows:
    """A numpy array that doubles its capacity as rows are appended."""

    def __init__(self, shape: tuple[int, ...], dtype: type) -> None:
        self.data: np.ndarray = np.zeros((16, *shape), dtype=dtype)
        self.n = 0

    def append(self, value: Any) -> int:
        if self.n == len(self.data):
            bigger = np.zeros((2 * len(self.data), *self.data.shape[1:]), dtype=self.data.dtype)
            bigger[: self.n] = self.data[: self.n]
            self.data = bigger
        self.data[self.n] = value
        self.n += 1
        return self.n - 1

    def keep(self, rows: Sequence[int]) -> None:
        """Keep only these rows (ascending), in order."""
        kept = self.data[np.asarray(rows, np.int64)]
        self.data = np.zeros((max(16, 2 * len(kept)), *self.data.shape[1:]), self.data.dtype)
        self.data[: len(kept)] = kept
        self.n = len(kept)


# --- the linker --------------------------------------------------------------------------------


class ClaimLinker:
    """Links claims one at a time (module docstring).  Not thread-safe: one writer."""

    def __init__(self, embedder: Embedder | None = None, params: ClaimParams | None = None) -> None:
        self.embedder: Embedder = embedder if embedder is not None else load(STATIC)
        self.params = params or ClaimParams()
        if self.params.threshold is None and self.embedder.name not in THRESHOLDS:
            raise ValueError(
                f"no default threshold for the embedder {self.embedder.name!r}; "
                "give ClaimParams(threshold=...)"
            )
        self._claims: dict[str, Claim] = {}
        self._order: list[Claim] = []
        self._position: dict[str, int] = {}
        self._claim_of: dict[str, str] = {}
        self._clock: int | None = None
        self._opened = 0  # claims ever opened, closed ones included: the next id's number
        # Per claim, in the order opened: the sum of its members' vectors, the vector a text
        # is scored against (the mean of the members, or their centroid) and its date range,
        # as arrays, so that a window is scored at once.
        dim = (self.embedder.dim,)
        self._sums, self._scored = _Rows(dim, np.float32), _Rows(dim, np.float32)
        self._first, self._last = _Rows((), np.int64), _Rows((), np.int64)
        # Time bucket -> the claims (positions) with a member in it, and its array, cached.
        self._buckets: dict[int, list[int]] = {}
        self._cached: dict[int, np.ndarray] = {}

    @property
    def threshold(self) -> float:
        """The threshold in use: the parameter, else the embedder's default."""
        given = self.params.threshold
        return THRESHOLDS[self.embedder.name] if given is None else given

    # -- reading

    @property
    def claims(self) -> Mapping[str, Claim]:
        """Every claim by id, in the order opened."""
        return self._claims

    def claim_of(self, input_id: str) -> str | None:
        """The claim an input was linked to; None when it was never added."""
        return self._claim_of.get(input_id)

    def centroid(self, claim_id: str) -> np.ndarray:
        """The normalised mean of a claim's member vectors."""
        position = self._position[claim_id]
        centroid: np.ndarray = normalise_rows(self._sums.data[position : position + 1])[0]
        return centroid

    def __len__(self) -> int:
        return len(self._claims)

    # -- adding

    def add(self, claim: ClaimInput) -> str:
        """Link one claim; return the id of the claim it joined or opened.  Adding an id again
        returns its claim and changes nothing."""
        return self.add_many([claim])[0]

    def add_many(self, claims: Sequence[ClaimInput]) -> list[str]:
        """Link claims in order, their texts embedded in one batch: the same result as `add`
        on each in turn."""
        todo: dict[str, ClaimInput] = {}
        for claim in claims:
            if claim.id not in self._claim_of:
                todo.setdefault(claim.id, claim)
        if todo:
            vectors = self.embedder.encode([c.text for c in todo.values()])
            for claim, vector in zip(todo.values(), vectors, strict=True):
                self.add_vector(claim, vector)
        return [self._claim_of[c.id] for c in claims]

    def add_vector(self, claim: ClaimInput, vector: np.ndarray) -> str:
        """Link one claim whose text is already embedded (a row of this linker's embedder)."""
        known = self._claim_of.get(claim.id)
        if known is not None:
            return known
        row = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if row.shape[1] != self.embedder.dim:
            raise ValueError(
                f"a vector of {row.shape[1]} dimensions; the embedder has {self.embedder.dim}"
            )
        unit = normalise_rows(row)[0]
        day = self._day(claim.published)
        entities = tuple(dict.fromkeys(k for k in map(entity_key, claim.entities) if k))
        mentions = tuple(dict.fromkeys(k for k in map(entity_key, claim.mentions) if k))
        numbers = numbers_of(claim.text)
        words = len(content_words(claim.text))
        p = self.params
        if words < p.min_content_words and not numbers and not mentions:
            # Generic ("We are very pleased", "it"): a claim of its own that nothing joins.
            position = self._open(day, linkable=False)
        else:
            found = self._best(unit, day, entities, numbers)
            position = self._open(day) if found is None else found
        self._join(position, claim.id, day, unit, entities, numbers)
        return self._order[position].id

    # -- internals

    def _day(self, published: date | None) -> int:
        if published is None:
            return self._clock if self._clock is not None else 0
        day = published.toordinal()
        if self._clock is None or day > self._clock:
            self._clock = day
        return day

    def _buckets_of(self, first: int, last: int) -> range:
        return range(first // self.params.window_days, last // self.params.window_days + 1)

    def _window(self, day: int) -> np.ndarray:
        """The claims (positions, ascending) with a member within the window of `day`."""
        window = self.params.window_days
        parts = []
        for bucket in self._buckets_of(day - window, day + window):
            if bucket in self._buckets:
                cached = self._cached.get(bucket)
                if cached is None:
                    cached = np.array(self._buckets[bucket], np.int64)
                    self._cached[bucket] = cached
                parts.append(cached)
        if not parts:
            return np.zeros(0, np.int64)
        # The union, ascending, without sorting: a mask over the claims' positions (a claim
        # whose dates spread joins a bucket after newer claims, and may be in several).
        mask = np.zeros(len(self._order), dtype=bool)
        for part in parts:
            mask[part] = True
        found = np.flatnonzero(mask)
        first, last = self._first.data[found], self._last.data[found]
        near = (first - window <= day) & (day <= last + window)
        span = self.params.max_span_days
        if span is not None:
            near &= np.maximum(last, day) - np.minimum(first, day) <= span
        kept: np.ndarray = found[near]
        return kept

    def _best(
        self, vector: np.ndarray, day: int, entities: Sequence[str], numbers: Sequence[str]
    ) -> int | None:
        """The best-scoring candidate claim (its position) when its score reaches the
        threshold."""
        p = self.params
        positions = self._window(day)
        if not len(positions):
            return None
        first, count = int(positions[0]), len(positions)
        # A run of consecutive claims (often the whole window) is read in place, not copied.
        if int(positions[-1]) - first + 1 == count:
            rows = self._scored.data[first : first + count]
        else:
            rows = self._scored.data[positions]
        cosine = (rows @ vector).astype(np.float64)
        # Only a claim whose cosine could reach the threshold with its bonuses is looked at:
        # the window is scored at once, in numpy; only those few are looked at one by one.
        threshold = self.threshold
        reach = threshold - (p.entity_weight if entities else 0.0)
        reach -= p.number_weight if numbers else 0.0
        near = np.flatnonzero(cosine >= reach)
        if p.require_entity and entities:
            near = near[
                [any(e in self._order[int(positions[k])].entities for e in entities) for k in near]
            ]
        if len(near) > p.max_candidates:
            # The highest cosines (ties: the older claim), in the order opened.
            ranked = near[np.lexsort((near, -cosine[near]))]
            near = np.sort(ranked[: p.max_candidates])
        best, best_score = None, -np.inf
        for k in near:
            claim = self._order[int(positions[k])]
            score = float(cosine[k])
            if entities and p.entity_weight:
                score += p.entity_weight * _share(entities, claim.entities)
            if numbers and p.number_weight:
                score += p.number_weight * _share(numbers, claim.numbers)
            # Strictly greater: a tie goes to the older claim (positions ascend).
            if score > best_score:
                best, best_score = int(positions[k]), score
        return best if best_score >= threshold else None

    def _open(self, day: int, *, linkable: bool = True) -> int:
        position = len(self._order)
        self._opened += 1
        claim = Claim(id=f"c{self._opened}", members=[], first=day, last=day, linkable=linkable)
        self._claims[claim.id] = claim
        self._position[claim.id] = position
        self._order.append(claim)
        self._sums.append(0.0)
        self._scored.append(0.0)
        self._first.append(day)
        self._last.append(day)
        if linkable:
            self._index(self._buckets_of(day, day), position)
        return position

    def _score_row(self, position: int) -> None:
        """The vector a text is scored against: the mean of the members' vectors (average
        link: the text's mean cosine to them) or their centroid (the sum normalised)."""
        total = self._sums.data[position : position + 1]
        if self.params.linkage == "average":
            n = max(len(self._order[position].members), 1)
            self._scored.data[position] = total[0] / np.float32(n)
        else:
            self._scored.data[position] = normalise_rows(total)[0]

    def _join(
        self,
        position: int,
        member: str,
        day: int,
        vector: np.ndarray,
        entities: Sequence[str],
        numbers: Sequence[str],
    ) -> None:
        claim = self._order[position]
        claim.members.append(member)
        self._claim_of[member] = claim.id
        self._sums.data[position] += vector
        self._score_row(position)
        before = self._buckets_of(claim.first, claim.last)
        claim.first, claim.last = min(claim.first, day), max(claim.last, day)
        self._first.data[position], self._last.data[position] = claim.first, claim.last
        if claim.linkable:
            self._index(
                (b for b in self._buckets_of(claim.first, claim.last) if b not in before),
                position,
            )
        _count(claim.entities, entities, self.params.max_entities)
        _count(claim.numbers, numbers, self.params.max_entities)

    # -- closing

    def close_before(self, before: date) -> int:
        """Forget the claims whose newest member is dated before `before`: their vectors,
        index entries and members go (`claim_of` no longer knows them), and ids are never
        reused, so that the state stays the size of the recent claims.  The number forgotten.

        A text dated less than `window_days` after `before` could still have joined a claim
        forgotten so: close with a date at least `window_days` behind the texts to come.
        """
        day = before.toordinal()
        keep = [k for k, c in enumerate(self._order) if c.last >= day]
        gone = len(self._order) - len(keep)
        if not gone:
            return 0
        for claim in self._order:
            if claim.last < day:
                for member in claim.members:
                    del self._claim_of[member]
        self._order = [self._order[k] for k in keep]
        self._claims = {c.id: c for c in self._order}
        self._position = {c.id: k for k, c in enumerate(self._order)}
        for rows in (self._sums, self._scored, self._first, self._last):
            rows.keep(keep)
        self._buckets, self._cached = {}, {}
        for position, claim in enumerate(self._order):
            if claim.linkable:
                self._index(self._buckets_of(claim.first, claim.last), position)
        return gone

    def _index(self, buckets: Iterable[int], position: int) -> None:
        for bucket in buckets:
            self._buckets.setdefault(bucket, []).append(position)
            self._cached.pop(bucket, None)

    # -- state

    def to_bytes(self) -> bytes:
        """The whole state as UTF-8 JSON (deterministic: the same adds give the same bytes)."""
        state = {
            "format": FORMAT,
            "version": VERSION,
            "embedder": {"name": self.embedder.name, "dim": self.embedder.dim},
            "params": asdict(self.params),
            "clock": self._clock,
            "opened": self._opened,
            "claims": [
                {
                    "id": c.id,
                    "members": c.members,
                    "first": c.first,
                    "last": c.last,
                    "entities": _most_common(c.entities, len(c.entities)),
                    "numbers": _most_common(c.numbers, len(c.numbers)),
                    "sum": base64.b64encode(self._sums.data[k].astype("<f4").tobytes()).decode(),
                    "linkable": c.linkable,
                }
                for k, c in enumerate(self._order)
            ],
        }
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf8")

    @classmethod
    def from_bytes(cls, data: bytes, embedder: Embedder | None = None) -> ClaimLinker:
        """A linker restored from `to_bytes()`, with `embedder` (by default the one named in
        the state, when it is `static` or `minilm`); E080 when the data is not such a state
        or the embedder is not the one it was made with."""
        try:
            state = json.loads(data.decode("utf8"))
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not a claim linker state")
            if state.get("version") not in READS:
                raise ValueError(f"unknown version {state.get('version')!r}")
            name, dim = str(state["embedder"]["name"]), int(state["embedder"]["dim"])
            if embedder is None and name not in (STATIC, MINILM):
                raise ValueError(f"made with the embedder {name!r}; pass it to from_bytes")
            embedder = embedder if embedder is not None else load(name)
            if (embedder.name, embedder.dim) != (name, dim):
                raise ValueError(
                    f"made with the embedder {name!r} ({dim} dimensions), "
                    f"not {embedder.name!r} ({embedder.dim})"
                )
            self = cls(embedder, ClaimParams(**state["params"]))
            clock = state["clock"]
            self._clock = None if clock is None else int(clock)
            # States written before claims could be closed have no "opened": ids c1..cN.
            self._opened = int(state.get("opened", len(state["claims"])))
            number = 0
            for position, c in enumerate(state["claims"]):
                claim = Claim(
                    id=str(c["id"]),
                    members=[str(m) for m in c["members"]],
                    first=int(c["first"]),
                    last=int(c["last"]),
                    entities=Counter({str(k): int(v) for k, v in c["entities"]}),
                    numbers=Counter({str(k): int(v) for k, v in c["numbers"]}),
                    linkable=c.get("linkable", True),
                )
                if not isinstance(claim.linkable, bool):
                    raise ValueError(f"claim {claim.id!r}: linkable is not a boolean")
                if not (claim.id[:1] == "c" and claim.id[1:].isdigit()):
                    raise ValueError(f"bad claim id {claim.id!r}")
                if not number < int(claim.id[1:]) <= self._opened:
                    raise ValueError(f"claim {claim.id!r} out of order")
                number = int(claim.id[1:])
                if not claim.members or claim.first > claim.last:
                    raise ValueError(f"claim {claim.id!r} has no member or bad dates")
                raw = base64.b64decode(str(c["sum"]).encode("ascii"), validate=True)
                if len(raw) != 4 * dim:
                    raise ValueError(f"claim {claim.id!r}: a sum of {len(raw)} bytes")
                total = np.frombuffer(raw, dtype="<f4").astype(np.float32)
                self._claims[claim.id] = claim
                self._position[claim.id] = position
                self._order.append(claim)
                self._sums.append(total)
                self._scored.append(0.0)
                self._score_row(position)
                self._first.append(claim.first)
                self._last.append(claim.last)
                if claim.linkable:
                    self._index(self._buckets_of(claim.first, claim.last), position)
                for member in claim.members:
                    if member in self._claim_of:
                        raise ValueError(f"{member!r} is a member of two claims")
                    self._claim_of[member] = claim.id
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(Errors.E080, what="claim linker", reason=e) from e
        return self


def _share(items: Sequence[str], counts: Counter[str]) -> float:
    """The share of `items` that `counts` has."""
    return sum(1 for item in items if item in counts) / len(items)


def _most_common(counts: Counter[str], k: int) -> list[tuple[str, int]]:
    """The k most frequent (ties: by name), for a deterministic cut and dump."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:k]


def _count(counts: Counter[str], items: Iterable[str], cap: int) -> None:
    """Count `items` in place, keeping at most `cap` of them by Space-Saving (Metwally et al.
    2005): a new item past the cap takes the place of the least frequent (ties: the last by
    name) and its count plus one, so that a frequent newcomer gets in."""
    for item in items:
        if item in counts or len(counts) < cap:
            counts[item] += 1
        elif cap:
            victim = max(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            counts[item] = counts.pop(victim) + 1
