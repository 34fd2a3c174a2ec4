"""Articles about the same event, clustered into stories online.

After Miranda et al. (EMNLP 2018, "Multilingual clustering of streaming news"), reduced to one
language and to fixed weights (they learn theirs; we have no training data for it):

- **Representation.** An article is two TF-IDF vectors, one over its content lemmas and one
  over the names of its entities, with sublinear term frequency (`1 + ln tf`).  Document
  frequencies are counted online, over every article added so far (the new one included):
  `idf = ln((1 + N) / (1 + df)) + 1`.
- **Stories.** A story keeps one centroid per vector: the sum of its members' length-normalised
  term frequencies; the current IDF weighs it when it is compared.  It also keeps the range of
  its members' dates.
- **Score.** `(w_lex * cos_lex + w_ent * cos_ent) / (w_lex + w_ent) * decay`, where `decay` is
  a Gaussian on the gap in days between the article's date and the story's date range
  (`exp(-gap² / (2 * decay_days²))`, 1 inside the range).  An article without entities is
  scored on its lemmas alone (the entity weight drops out of the sum and of the divisor).
- **Decision.** The article joins the best-scoring story when the score reaches `threshold`,
  else it opens a new story.  Ties go to the story sharing more keywords, then the older.
- **Candidates.** Never every story: an inverted index maps each article's top `keywords`
  lemmas and top `keywords` entity names (by TF-IDF weight), in a time bucket of `window_days`,
  to its story.  An incoming article looks up its own keywords in the buckets that cover its
  date ± `window_days`, keeps the stories within `window_days` of its date, and scores the
  `max_candidates` with the most shared keywords.  The cost of one `add` depends on how many
  stories run in that window, not on the size of the corpus.
- **Dates.** Articles may come in any order; the window and the decay look both ways.  An
  undated article is placed at the stream's clock, the latest date seen so far (so ingest
  order stands for time); before any dated article it sits at day 0, near other undated
  articles only.

`StoryClusterer.to_bytes()` / `from_bytes()` keep the whole state (document frequencies,
stories, index, clock) as JSON, so that a later run continues where this one stopped and
takes the same decisions as an uninterrupted one.  The state grows with the corpus (about 3 kB
an article on BASIL's text, mostly centroids); `close_before(date)` closes the stories that
have gone quiet, dropping their centroids and index entries, and keeps it the size of the
recent stories.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from rumormill.errors import Errors, InputError
from rumormill.model import Analysis
from rumormill.nlp.patterns import STORY_TERM_POS

FORMAT = "rumormill.stories"
VERSION = 1
# A story's cached centroid norms are refreshed once the document count has grown by this
# fraction since they were computed (the IDF they depend on drifts slowly).
NORM_REFRESH = 0.1
# Centroid weights are kept to this many decimals.
CENTROID_DIGITS = 6

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NAME_DROP = re.compile(r"[^\w ]+")
_NAME_SEPARATORS = re.compile(r"[_\-‐-―\s]+")
_POSSESSIVE = re.compile(r"['’]s?$")


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryInput:
    """What the clusterer needs of one article: its id, its date (None when unknown), its
    content terms (lemmas or words, repeats counted) and its entity names (one per mention)."""

    id: str
    published: date | None
    tokens: tuple[str, ...]
    entities: tuple[str, ...] = ()


def name_key(name: str) -> str:
    """An entity name as a feature: no accents, case-folded, separators to spaces, other
    punctuation and a trailing possessive dropped ("Obama’s" -> "obama")."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _POSSESSIVE.sub("", text.casefold().strip())
    return " ".join(_NAME_DROP.sub("", _NAME_SEPARATORS.sub(" ", text)).split())


def words(text: str) -> list[str]:
    """The simple tokenizer: case-folded words of letters, spaCy's English stop words and
    one-letter words left out."""
    return [
        w
        for w in (m.group().casefold() for m in _WORD.finditer(text))
        if len(w) > 1 and w not in STOP_WORDS
    ]


def doc_terms(doc: Doc) -> list[str]:
    """The content lemmas of a parsed Doc: lower-cased lemmas of alphabetic tokens whose
    coarse tag is in `patterns.STORY_TERM_POS`, stop words left out."""
    return [
        lemma
        for t in doc
        if t.is_alpha
        and t.pos_ in STORY_TERM_POS
        and not t.is_stop
        and len(lemma := t.lemma_.casefold()) > 1
        and lemma not in STOP_WORDS
    ]


def story_input(analysis: Analysis, doc: Doc | None = None) -> StoryInput:
    """The StoryInput of one analysed article.

    Terms: the content lemmas of `doc` (the Doc the analysis was made from) when given, else
    the words of the text by the simple tokenizer (`words`); use one or the other for all the
    articles of one clusterer.  The title, when the article has one, adds its words (simple
    tokenizer) once more: headlines name the event.  Entities: each entity's name, once per
    mention; a PERSON named by two words or more also gives its surname, once per mention, so
    that "Bill Kristol" and "William Kristol" share a feature across articles.
    """
    article = analysis.article
    terms = doc_terms(doc) if doc is not None else words(article.text)
    if article.title:
        terms.extend(words(article.title))
    names: list[str] = []
    for entity in analysis.entities:
        count = max(1, len(entity.mentions))
        key = name_key(entity.name)
        if not key:
            continue
        names.extend([key] * count)
        parts = key.split()
        if entity.type == "PERSON" and len(parts) > 1:
            names.extend([parts[-1]] * count)
    return StoryInput(article.id, article.published, tuple(terms), tuple(names))


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryParams:
    """The clusterer's settings; see the module docstring for how each is used."""

    lexical_weight: float = 0.5
    entity_weight: float = 0.5
    threshold: float = 0.2
    window_days: int = 7
    decay_days: float = 3.0
    keywords: int = 10
    max_candidates: int = 50

    def __post_init__(self) -> None:
        if self.lexical_weight < 0 or self.entity_weight < 0 or self.lexical_weight == 0:
            raise ValueError("lexical_weight must be > 0 and entity_weight >= 0")
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if self.window_days < 1 or self.decay_days <= 0:
            raise ValueError("window_days must be >= 1 and decay_days > 0")
        if self.keywords < 1 or self.max_candidates < 1:
            raise ValueError("keywords and max_candidates must be >= 1")


# --- the clusterer -----------------------------------------------------------------------------

Vector = dict[str, float]


@dataclass
class _Space:
    """Online document frequencies of one feature space."""

    df: dict[str, int] = field(default_factory=dict)

    def count(self, features: Iterable[str]) -> None:
        for f in features:
            self.df[f] = self.df.get(f, 0) + 1

    def idf(self, feature: str, n: int) -> float:
        return math.log((1 + n) / (1 + self.df.get(feature, 0))) + 1.0


def _sublinear(features: Sequence[str]) -> Vector:
    """`1 + ln tf`, normalised to unit length; features in first-seen order."""
    tf = {f: 1.0 + math.log(c) for f, c in Counter(features).items()}
    norm = math.sqrt(sum(v * v for v in tf.values()))
    return {f: v / norm for f, v in tf.items()} if norm else {}


@dataclass
class _Story:
    id: str
    seq: int
    first: int
    last: int
    members: list[str]
    lexical: Vector
    entities: Vector
    # Centroid norms under the IDF of `norm_n` documents; None when stale.
    norms: tuple[float, float] | None = None
    norm_n: int = 0
    closed: bool = False

    def gap(self, day: int) -> int:
        return self.first - day if day < self.first else max(0, day - self.last)


@dataclass(frozen=True)
class _Doc:
    day: int
    lexical: Vector  # normalised sublinear tf
    entities: Vector
    lexical_tfidf: Vector  # normalised TF-IDF
    entities_tfidf: Vector


class StoryClusterer:
    """Online story clustering: `add` one article at a time, get its story id ("s1", "s2", ...
    in order of creation).  Adding an id already added returns its story again and changes
    nothing."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self._n = 0
        self._terms = _Space()
        self._names = _Space()
        self._stories: dict[str, _Story] = {}
        self._story_of: dict[str, str] = {}
        # time bucket -> keyword -> the stories of the articles it indexes (an ordered set)
        self._postings: dict[int, dict[str, dict[str, None]]] = {}
        self._clock: int | None = None
        #: How many stories the last `add` scored (never more than `max_candidates`).
        self.last_scored = 0

    # -- public ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of articles added."""
        return len(self._story_of)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._story_of

    def story_of(self, article_id: str) -> str:
        """The story of an added article (KeyError when it was never added)."""
        return self._story_of[article_id]

    def stories(self) -> dict[str, list[str]]:
        """Every story id with its member article ids, both in the order they were added."""
        return {s.id: list(s.members) for s in self._stories.values()}

    def close_before(self, before: date) -> int:
        """Close the stories whose newest article is dated before `before`: they keep their
        members but take no more articles, and their centroids and index entries are dropped,
        so that the state stays the size of the recent stories.  The number closed.

        An article dated less than `window_days` after `before` could still have joined a
        story closed so: close with a date at least `window_days` behind the articles to come.
        """
        day = before.toordinal()
        closed = [s for s in self._stories.values() if not s.closed and s.last < day]
        for story in closed:
            story.closed, story.lexical, story.entities, story.norms = True, {}, {}, None
        # No article dated `before` or later looks further back than this bucket.
        oldest = self._bucket(day - self.params.window_days)
        for bucket in [b for b in self._postings if b < oldest]:
            del self._postings[bucket]
        gone = {s.id for s in closed}
        for postings in self._postings.values():
            for keyword in list(postings):
                ids = postings[keyword]
                for story_id in gone.intersection(ids):
                    del ids[story_id]
                if not ids:
                    del postings[keyword]
        return len(closed)

    def add(self, doc: StoryInput) -> str:
        """Put one article into a story (an existing one or a new one); its story id."""
        known = self._story_of.get(doc.id)
        if known is not None:
            return known
        day = self._day_of(doc.published)
        vectors = self._vectors(doc, day)
        best: _Story | None = None
        best_score = 0.0
        candidates = self._candidates(vectors)
        self.last_scored = len(candidates)
        for story in candidates:
            score = self._score(vectors, story)
            if score > best_score:
                best, best_score = story, score
        if best is None or best_score < self.params.threshold:
            best = self._open(day)
        self._join(best, doc.id, vectors)
        return best.id

    def score(self, doc: StoryInput, story_id: str) -> float:
        """The score `doc` would get against a story now, without adding it (for inspection;
        the document frequencies are counted as if it were added)."""
        saved = (self._n, dict(self._terms.df), dict(self._names.df))
        try:
            vectors = self._vectors(doc, self._day_of(doc.published, advance=False))
            return self._score(vectors, self._stories[story_id], cache=False)
        finally:
            self._n, self._terms.df, self._names.df = saved

    # -- internals ------------------------------------------------------------------------------

    def _day_of(self, published: date | None, *, advance: bool = True) -> int:
        if published is None:
            return self._clock if self._clock is not None else 0
        day = published.toordinal()
        if advance and (self._clock is None or day > self._clock):
            self._clock = day
        return day

    def _vectors(self, doc: StoryInput, day: int) -> _Doc:
        lexical, entities = _sublinear(doc.tokens), _sublinear(doc.entities)
        self._n += 1
        self._terms.count(lexical)
        self._names.count(entities)
        return _Doc(
            day,
            lexical,
            entities,
            self._tfidf(lexical, self._terms),
            self._tfidf(entities, self._names),
        )

    def _tfidf(self, tf: Mapping[str, float], space: _Space) -> Vector:
        weighted = {f: v * space.idf(f, self._n) for f, v in tf.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values()))
        return {f: v / norm for f, v in weighted.items()} if norm else {}

    def _keywords(self, vectors: _Doc) -> list[str]:
        """The index features of an article: its top lemmas and entity names by TF-IDF."""
        k = self.params.keywords
        return [f"w:{t}" for t in _top(vectors.lexical_tfidf, k)] + [
            f"e:{t}" for t in _top(vectors.entities_tfidf, k)
        ]

    def _bucket(self, day: int) -> int:
        return day // self.params.window_days

    def _candidates(self, vectors: _Doc) -> list[_Story]:
        window = self.params.window_days
        keywords = self._keywords(vectors)
        hits: dict[str, int] = {}
        low, high = self._bucket(vectors.day - window), self._bucket(vectors.day + window)
        for bucket in range(low, high + 1):
            postings = self._postings.get(bucket, {})
            for keyword in keywords:
                for story_id in postings.get(keyword, ()):
                    hits[story_id] = hits.get(story_id, 0) + 1
        near = [
            (-count, story.seq, story)
            for story_id, count in hits.items()
            if not (story := self._stories[story_id]).closed and story.gap(vectors.day) <= window
        ]
        near.sort(key=lambda item: (item[0], item[1]))
        return [story for _, _, story in near[: self.params.max_candidates]]

    def _norms(self, story: _Story, *, cache: bool = True) -> tuple[float, float]:
        if story.norms is not None and self._n <= story.norm_n * (1 + NORM_REFRESH):
            return story.norms
        norms = (
            _weighted_norm(story.lexical, self._terms, self._n),
            _weighted_norm(story.entities, self._names, self._n),
        )
        if cache:
            story.norms, story.norm_n = norms, self._n
        return norms

    def _score(self, vectors: _Doc, story: _Story, *, cache: bool = True) -> float:
        p = self.params
        lex_norm, ent_norm = self._norms(story, cache=cache)
        lexical = _cosine(vectors.lexical_tfidf, story.lexical, self._terms, self._n, lex_norm)
        total, weight = p.lexical_weight * lexical, p.lexical_weight
        if vectors.entities_tfidf and p.entity_weight:
            entities = _cosine(
                vectors.entities_tfidf, story.entities, self._names, self._n, ent_norm
            )
            total, weight = total + p.entity_weight * entities, weight + p.entity_weight
        gap = story.gap(vectors.day)
        return total / weight * math.exp(-(gap * gap) / (2 * p.decay_days * p.decay_days))

    def _open(self, day: int) -> _Story:
        seq = len(self._stories) + 1
        story = _Story(f"s{seq}", seq, day, day, [], {}, {})
        self._stories[story.id] = story
        return story

    def _join(self, story: _Story, article_id: str, vectors: _Doc) -> None:
        story.members.append(article_id)
        story.first, story.last = min(story.first, vectors.day), max(story.last, vectors.day)
        for centroid, tf in ((story.lexical, vectors.lexical), (story.entities, vectors.entities)):
            for f, v in tf.items():
                # Rounded as kept: a short dump, and a restored state equal to the live one.
                centroid[f] = round(centroid.get(f, 0.0) + v, CENTROID_DIGITS)
        story.norms = None
        self._story_of[article_id] = story.id
        postings = self._postings.setdefault(self._bucket(vectors.day), {})
        for keyword in self._keywords(vectors):
            postings.setdefault(keyword, {})[story.id] = None

    # -- state ----------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The whole state as UTF-8 JSON (see `from_bytes`)."""
        state = {
            "format": FORMAT,
            "version": VERSION,
            "params": asdict(self.params),
            "n": self._n,
            "clock": self._clock,
            "df_terms": self._terms.df,
            "df_entities": self._names.df,
            "stories": [
                {
                    "id": s.id,
                    "first": s.first,
                    "last": s.last,
                    "members": s.members,
                    "lexical": s.lexical,
                    "entities": s.entities,
                    "norms": list(s.norms) if s.norms is not None else None,
                    "norm_n": s.norm_n,
                    "closed": s.closed,
                }
                for s in self._stories.values()
            ],
            "postings": {
                str(bucket): {keyword: list(ids) for keyword, ids in postings.items()}
                for bucket, postings in self._postings.items()
            },
        }
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf8")

    @classmethod
    def from_bytes(cls, data: bytes) -> StoryClusterer:
        """A clusterer restored from `to_bytes()`; E080 when the data is not such a state."""
        try:
            state = json.loads(data.decode("utf8"))
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not a story clusterer state")
            if state.get("version") != VERSION:
                raise ValueError(f"unknown version {state.get('version')!r}")
            self = cls(StoryParams(**state["params"]))
            self._n = int(state["n"])
            self._clock = None if state["clock"] is None else int(state["clock"])
            self._terms.df = {str(k): int(v) for k, v in state["df_terms"].items()}
            self._names.df = {str(k): int(v) for k, v in state["df_entities"].items()}
            for seq, s in enumerate(state["stories"], start=1):
                norms = s["norms"]
                story = _Story(
                    id=str(s["id"]),
                    seq=seq,
                    first=int(s["first"]),
                    last=int(s["last"]),
                    members=[str(m) for m in s["members"]],
                    lexical={str(k): float(v) for k, v in s["lexical"].items()},
                    entities={str(k): float(v) for k, v in s["entities"].items()},
                    norms=None if norms is None else (float(norms[0]), float(norms[1])),
                    norm_n=int(s["norm_n"]),
                    closed=bool(s["closed"]),
                )
                if story.id != f"s{seq}":
                    raise ValueError(f"story {story.id!r} out of order")
                self._stories[story.id] = story
                for member in story.members:
                    self._story_of[member] = story.id
            for bucket, postings in state["postings"].items():
                restored = self._postings[int(bucket)] = {}
                for keyword, ids in postings.items():
                    if any(i not in self._stories for i in ids):
                        raise ValueError(f"the index names an unknown story under {keyword!r}")
                    restored[str(keyword)] = dict.fromkeys(str(i) for i in ids)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(Errors.E080, what="story clusterer", reason=e) from e
        return self


def _top(vector: Mapping[str, float], k: int) -> list[str]:
    return [f for f, _ in sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:k]]


def _weighted_norm(centroid: Mapping[str, float], space: _Space, n: int) -> float:
    return math.sqrt(sum((v * space.idf(f, n)) ** 2 for f, v in centroid.items()))


def _cosine(
    doc: Mapping[str, float], centroid: Mapping[str, float], space: _Space, n: int, norm: float
) -> float:
    """Cosine of a normalised TF-IDF vector with an IDF-weighted centroid of norm `norm`."""
    if not norm or not doc:
        return 0.0
    dot = sum(v * centroid[f] * space.idf(f, n) for f, v in doc.items() if f in centroid)
    return min(1.0, dot / norm)
