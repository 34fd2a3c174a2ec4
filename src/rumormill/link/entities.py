"""One entity across articles: each article's entities mapped to corpus entities, online.

Within an article the pipeline already groups "Soldatov" with "Andrei Soldatov"
(`nlp/speakers.py`, `merge_surnames`).  `EntityResolver.link(analysis)` does the same across
the corpus, one article at a time, never re-clustering: an article entity gets the id (an int,
from 1) of a corpus entity, and a decision once taken is never revised.

- **Names.** A name is normalised before it is compared: Unicode NFKC, diacritics dropped,
  case-folded, punctuation around words and the dots of abbreviations dropped ("U.S." is
  "us"), a possessive ("Putin's") and a leading "the" dropped.  For a person, honorifics and
  titles ("President", "Mr", "Dr", "Prime Minister": `nlp.patterns.PERSON_TITLES`) are dropped
  from the front, a descriptor written into the name ("Russian security expert Andrei
  Soldatov") is cut at its last lowercase word (name particles such as "von", "de", "bin"
  excepted), and "Jr", "Sr", "II" are dropped from the end.
- **Types.** Names are compared within a class only: PERSON, ORG, NORP, and places (GPE and
  LOC together).  "Putin" the person never joins an organisation or place named Putin.
- **Full names** (and every name that is not a person's) join the corpus entity with the same
  normalised name, or open a new one.  A person's full name whose surname was so far seen
  alone ("Putin", then "Vladimir Putin") attaches to that surname-only entity when no other
  full name with that surname is known, in the corpus or in the same article.
- **Surnames.** A person named by a surname alone ("Soldatov"; "von der Leyen": particles and
  the last word) joins, in order: the one full name in the same article with that surname;
  else the one full name in the corpus with it; else, when several are known, the one that
  dominates (at least `min_articles` articles named in full and `dominance` times as many as
  all the others together: "Trump" is Donald Trump in a corpus where Melania Trump is rare);
  else the surname-only entity of that surname ("Soldatov", whoever that is), opened when
  needed.  Two different full names never become one entity: namesakes stay apart, and a
  bare surname goes to one of them only by the rules above (the dominance rule can be wrong
  about a rare namesake named by surname alone; `dominance=0` turns it off).
- **Limits.** No fuzzy matching (spelling variants and transliterations, "Zelensky" and
  "Zelenskyy", stay apart), no acronyms ("FSB" and "Federal Security Service" stay apart), no
  first-name-only or nickname matching, and a middle name or initial makes another name
  ("George W. Bush" is not "George Bush").  A bare surname linked while one person held it is
  not moved when a namesake appears later.  A lone first name that the recogniser took for a
  person ("John") is read as a surname.
- **State.** Per corpus entity: its type (as first seen), best name and number of articles
  named in full; and the name index: (class, normalised full name) -> entity, and surname ->
  surname-only entity.  The full flags, name qualities and the surname -> full names index are
  derived.  The resolver cannot forget (a person named in 2020 is the same in 2024), so the
  store does not get the whole state with each batch: the resolver tracks what changed since
  the last `save_to(links)` (entities opened, renamed or counted; names set or dropped) and
  `save_to` puts only that into the batch's `Links` (`resolver_entities`, `resolver_keys`,
  and a small header under `Links.state["entities"]`: params and the number of entities),
  which the store writes, in the batch's transaction, into the `resolver_entities` and
  `resolver_keys` tables.  What a batch writes is the size of the batch, not of the corpus.
  `from_store(store)` reads the tables back once and rebuilds the index; a restored resolver
  takes the same decisions as one that was never stopped.  A batch that rolls back leaves
  the store at the state before it, so a resolver whose changes were not committed is
  restored from the store rather than reused.  `to_bytes()` / `from_bytes()` give the whole
  state at once, as JSON (a snapshot, for tests and export: about 50 bytes a name).
"""

from __future__ import annotations

import bisect
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from rumormill.errors import Errors, InputError
from rumormill.model import Analysis
from rumormill.nlp.patterns import PERSON_TITLES

if TYPE_CHECKING:
    from rumormill.store import Store
    from rumormill.store.records import Links, ResolverEntity, ResolverKey, ResolverKeyId

FORMAT = "rumormill.entities"
# The header saved with each batch (`save_to`); the rest lies in the store's resolver tables.
ROWS_FORMAT = "rumormill.entities.rows"
VERSION = 1
PERSON = "PERSON"
# The name under which the header is saved (`Links.state`, `Store.link_state`).
STATE = "entities"
# The kinds of names in the index: a full name, a surname seen alone.
FULL = "full"
BARE = "bare"

# Entity type -> the class names are compared in.
CLASSES: dict[str, str] = {"PERSON": PERSON, "ORG": "ORG", "GPE": "GPE", "LOC": "GPE"}
# Lowercase words that belong to a surname ("Ursula von der Leyen", "Mohammed bin Salman").
PARTICLES = frozenset(
    "von van der den de da das di del della des du dos la le bin ibn al el ter ten".split()
)
SUFFIXES = frozenset("jr sr ii iii iv".split())
_ARTICLES = frozenset({"the"})
_TITLES = frozenset(t.rstrip(".") for t in PERSON_TITLES)
_LEADING = _TITLES | _ARTICLES
_EDGE = "\"'“”‘’«»()[]{}<>,;:!?*_|/\\"
_POSSESSIVES = ("'s", "’s", "'S", "’S")


@dataclass(frozen=True)
class ResolverParams:
    """When a bare surname held by several people goes to the one that dominates: at least
    `min_articles` articles naming it in full and `dominance` times as many as the others
    together (dominance <= 0 turns this off: such a surname stays ambiguous)."""

    dominance: float = 4.0
    min_articles: int = 3

    def __post_init__(self) -> None:
        if self.min_articles < 1:
            raise ValueError("min_articles must be >= 1")


@dataclass(frozen=True)
class CorpusEntity:
    """What the resolver knows of one corpus entity: its type (as first seen), best name (the
    longest full name seen) and the number of articles that named it in full."""

    id: int
    type: str
    name: str
    articles: int


@dataclass(frozen=True)
class Name:
    """A normalised name: its words as written (`words`) and compared (`keys`)."""

    cls: str
    words: tuple[str, ...]
    keys: tuple[str, ...]

    @property
    def key(self) -> str:
        return " ".join(self.keys)

    @property
    def surname(self) -> str:
        """The last word with the particles before it ("von der leyen")."""
        return " ".join(self.keys[_surname_start(self.keys) :])

    @property
    def bare(self) -> bool:
        """A person named by a surname alone."""
        return self.cls == PERSON and _surname_start(self.keys) == 0

    @property
    def display(self) -> str:
        return " ".join(self.words)


def entity_class(entity_type: str) -> str:
    """The class names of this type are compared in (PERSON, ORG, GPE for places, ...)."""
    return CLASSES.get(entity_type, entity_type)


def fold(word: str) -> str:
    """A word as compared: no diacritics, case-folded, without dots."""
    decomposed = unicodedata.normalize("NFKD", word)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", plain).casefold().replace(".", "")


def normalise(name: str, entity_type: str) -> Name:
    """The normalised name of an entity of this type (see the module docstring)."""
    cls = entity_class(entity_type)
    words = [w for w in map(_strip, unicodedata.normalize("NFKC", name).split()) if w]
    if words:
        last = words[-1]
        if last.endswith(_POSSESSIVES) and len(last) > 2:
            words[-1] = _strip(last[:-2])
        words = [w for w in words if w]
    while len(words) > 1 and fold(words[0]) in _ARTICLES:
        words.pop(0)
    if cls == PERSON:
        words = _person_words(words)
    keys = [fold(w) for w in words]
    kept = [(w, k) for w, k in zip(words, keys, strict=True) if k]
    if not kept:
        raw = " ".join(name.split())
        return Name(cls, (raw,), (fold(raw),))
    return Name(cls, tuple(w for w, _ in kept), tuple(k for _, k in kept))


def _strip(word: str) -> str:
    """A word without the punctuation around it; a final dot too, unless it ends an
    abbreviation with dots inside ("U.S.")."""
    word = word.strip(_EDGE)
    if word.endswith(".") and "." not in word[:-1]:
        word = word[:-1]
    return word


def _person_words(words: list[str]) -> list[str]:
    def drop_titles(ws: list[str]) -> list[str]:
        while len(ws) > 1 and fold(ws[0]) in _LEADING:
            ws = ws[1:]
        return ws

    words = drop_titles(words)
    if any(w[:1].isupper() for w in words):
        # A descriptor written into the name ends at its last lowercase word.
        cut = -1
        for i, w in enumerate(words):
            if w[:1].islower() and fold(w) not in PARTICLES:
                cut = i
        if 0 <= cut < len(words) - 1:
            words = drop_titles(words[cut + 1 :])
    while len(words) > 1 and fold(words[-1]) in SUFFIXES:
        words = words[:-1]
    return words


def _surname_start(keys: tuple[str, ...]) -> int:
    i = len(keys) - 1
    while i > 0 and keys[i - 1] in PARTICLES:
        i -= 1
    return max(i, 0)


def _surname_of(key: str) -> str:
    keys = tuple(key.split(" "))
    return " ".join(keys[_surname_start(keys) :])


def _quality(display: str, full: bool) -> tuple[int, int, int]:
    """How good a name is to show: a full name first, then more words, then more letters."""
    if not display:
        return (-1, 0, 0)
    return (int(full), display.count(" ") + 1, len(display))


class EntityResolver:
    """An incremental map from article entities to corpus entities; see the module docstring."""

    def __init__(self, params: ResolverParams | None = None) -> None:
        self.params = params or ResolverParams()
        # Per corpus entity, at index id - 1.
        self._types: list[str] = []
        self._names: list[str] = []
        self._quality: list[tuple[int, int, int]] = []
        self._articles: list[int] = []
        self._full: list[bool] = []
        self._index: dict[str, dict[str, int]] = {}  # class -> full normalised name -> id
        self._bare: dict[str, int] = {}  # surname -> its surname-only person
        self._surnames: dict[str, list[int]] = {}  # surname -> full-named people (sorted ids)
        # What changed since the last `save_to`: entity ids, and (class, kind, key) names.
        self._dirty: set[int] = set()
        self._dirty_keys: set[ResolverKeyId] = set()

    def __len__(self) -> int:
        return len(self._types)

    def entity(self, corpus_id: int) -> CorpusEntity:
        """What is known of a corpus entity (KeyError for an id never given)."""
        if not 1 <= corpus_id <= len(self._types):
            raise KeyError(corpus_id)
        i = corpus_id - 1
        return CorpusEntity(corpus_id, self._types[i], self._names[i], self._articles[i])

    # -- linking ---------------------------------------------------------------------------------

    def link(self, analysis: Analysis) -> dict[str, int]:
        """Map each entity of one article (by its id in the article) to a corpus entity id.
        Full names are resolved first, in article order, then bare surnames."""
        parsed = [(e.id, e.type, normalise(e.name, e.type)) for e in analysis.entities]
        # This article's full person names, by surname: a bare surname's context.
        in_article: dict[str, set[str]] = {}
        for _, _, name in parsed:
            if name.cls == PERSON and not name.bare:
                in_article.setdefault(name.surname, set()).add(name.key)
        found: dict[str, int] = {}
        counted: set[int] = set()
        for entity_id, entity_type, name in parsed:
            if not name.bare:
                found[entity_id] = self._full_name(entity_type, name, in_article, counted)
        for entity_id, entity_type, name in parsed:
            if name.bare:
                context = {
                    found[other_id]
                    for other_id, _, other in parsed
                    if other.cls == PERSON and not other.bare and other.surname == name.surname
                }
                found[entity_id] = self._surname(entity_type, name, context)
        return found

    def add_to(self, links: Links, analysis: Analysis) -> dict[str, int]:
        """`link` one article and record it in `links`: each entity's corpus id under
        (article id, entity id), and each corpus entity's current name and type."""
        from rumormill.store.records import CorpusEntityUpdate

        found = self.link(analysis)
        for entity_id, corpus_id in found.items():
            links.entity[(analysis.article.id, entity_id)] = corpus_id
            i = corpus_id - 1
            links.corpus_entities[corpus_id] = CorpusEntityUpdate(self._names[i], self._types[i])
        return found

    def _full_name(
        self, entity_type: str, name: Name, in_article: dict[str, set[str]], counted: set[int]
    ) -> int:
        index = self._index.setdefault(name.cls, {})
        key = name.key
        corpus_id = index.get(key)
        if corpus_id is None and name.cls == PERSON:
            surname = name.surname
            if (
                surname in self._bare
                and not self._surnames.get(surname)
                and len(in_article.get(surname, ())) == 1
            ):
                # "Putin" seen alone so far, now "Vladimir Putin": one person.
                corpus_id = self._bare.pop(surname)
                self._dirty_keys.add((PERSON, BARE, surname))
                self._full[corpus_id - 1] = True
        if corpus_id is None:
            corpus_id = self._new(entity_type, full=True)
        if key not in index:
            index[key] = corpus_id
            self._dirty_keys.add((name.cls, FULL, key))
            if name.cls == PERSON:
                ids = self._surnames.setdefault(name.surname, [])
                if corpus_id not in ids:
                    bisect.insort(ids, corpus_id)
        if corpus_id not in counted:
            counted.add(corpus_id)
            self._articles[corpus_id - 1] += 1
            self._dirty.add(corpus_id)
        self._better_name(corpus_id, name, full=True)
        return corpus_id

    def _surname(self, entity_type: str, name: Name, context: set[int]) -> int:
        surname = name.surname
        corpus_id: int | None = None
        if len(context) == 1:
            corpus_id = next(iter(context))
        elif not context:
            corpus_id = self._dominant(self._surnames.get(surname, []))
        if corpus_id is None:
            corpus_id = self._bare.get(surname)
        if corpus_id is None:
            corpus_id = self._new(entity_type, full=False)
            self._bare[surname] = corpus_id
            self._dirty_keys.add((PERSON, BARE, surname))
        self._better_name(corpus_id, name, full=False)
        return corpus_id

    def _dominant(self, candidates: list[int]) -> int | None:
        if len(candidates) == 1:
            return candidates[0]
        p = self.params
        if len(candidates) < 2 or p.dominance <= 0:
            return None
        counts = sorted(((self._articles[c - 1], -c) for c in candidates), reverse=True)
        best, minus_id = counts[0]
        others = sum(n for n, _ in counts[1:])
        if best >= p.min_articles and best >= p.dominance * others:
            return -minus_id
        return None

    def _new(self, entity_type: str, *, full: bool) -> int:
        self._types.append(entity_type)
        self._names.append("")
        self._quality.append((-1, 0, 0))
        self._articles.append(0)
        self._full.append(full)
        self._dirty.add(len(self._types))
        return len(self._types)

    def _better_name(self, corpus_id: int, name: Name, *, full: bool) -> None:
        quality = _quality(name.display, full)
        if quality > self._quality[corpus_id - 1]:
            self._quality[corpus_id - 1] = quality
            self._names[corpus_id - 1] = name.display
            self._dirty.add(corpus_id)

    # -- state -----------------------------------------------------------------------------------

    def save_to(self, links: Links) -> None:
        """Record in `links` what changed since the last `save_to` (or since the resolver was
        built or restored): the corpus entities opened or changed (`links.resolver_entities`),
        the names set or dropped (`links.resolver_keys`), and the small header
        (`links.state[STATE]`: params and the number of entities).  What a batch carries is
        the size of the batch, not of the corpus.  Once called, those changes are the
        caller's to write: a batch the store did not commit leaves this resolver ahead of the
        store, so restore it (`from_store`) rather than go on with it."""
        from rumormill.store.records import ResolverEntity

        for corpus_id in sorted(self._dirty):
            i = corpus_id - 1
            links.resolver_entities[corpus_id] = ResolverEntity(
                corpus_id, self._types[i], self._names[i], self._articles[i]
            )
        for name_class, kind, key in sorted(self._dirty_keys):
            links.resolver_keys[(name_class, kind, key)] = (
                self._bare.get(key) if kind == BARE else self._index.get(name_class, {}).get(key)
            )
        links.state[STATE] = self._header()
        self._dirty.clear()
        self._dirty_keys.clear()

    def _header(self) -> bytes:
        header = {
            "format": ROWS_FORMAT,
            "version": VERSION,
            "params": asdict(self.params),
            "entities": len(self._types),
        }
        return json.dumps(header, separators=(",", ":")).encode("utf8")

    @classmethod
    def from_store(cls, store: Store, params: ResolverParams | None = None) -> EntityResolver:
        """The resolver as the store saved it with its last batch (`save_to`), fresh before the
        first; E080 when the saved state is not consistent.  `params` replace the saved ones
        (a restored resolver decides as an uninterrupted one only with the same params)."""
        return cls.from_rows(store.link_state(STATE), store.resolver_rows(), params)

    @classmethod
    def from_rows(
        cls,
        header: bytes | None,
        rows: Iterable[ResolverEntity | ResolverKey],
        params: ResolverParams | None = None,
    ) -> EntityResolver:
        """A resolver restored from the header (`links.state[STATE]`) and the rows that
        `save_to` gave, batch after batch, as the store reads them back (entities by id, then
        names); E080 when they are not a resolver's state."""
        from rumormill.store.records import ResolverEntity

        try:
            if header is None:
                size, saved = 0, None
            else:
                state = json.loads(header.decode("utf8"))
                if not isinstance(state, dict) or state.get("format") != ROWS_FORMAT:
                    raise ValueError("not an entity resolver state")
                if state.get("version") != VERSION:
                    raise ValueError(f"unknown version {state.get('version')!r}")
                size, saved = state["entities"], ResolverParams(**state["params"])
                if type(size) is not int or size < 0:
                    raise ValueError(f"bad number of entities {size!r}")
            self = cls(params or saved)
            full: dict[str, dict[str, int]] = {}
            bare: dict[str, int] = {}
            for row in rows:
                if isinstance(row, ResolverEntity):
                    if row.id != len(self._types) + 1:
                        raise ValueError(f"entity {row.id} where {len(self._types) + 1} was due")
                    self._append(row.type, row.name, row.articles)
                elif row.kind == FULL:
                    full.setdefault(row.name_class, {})[row.key] = row.corpus_id
                elif row.kind == BARE and row.name_class == PERSON:
                    bare[row.key] = row.corpus_id
                else:
                    raise ValueError(f"a name of unknown kind {row.kind!r} {row.name_class!r}")
            if len(self._types) != size:
                raise ValueError(f"{len(self._types)} entities saved, the header says {size}")
            self._restore(full, bare)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(Errors.E080, what="entity resolver", reason=e) from e
        return self

    def to_bytes(self) -> bytes:
        """The whole state as UTF-8 JSON, at once (a snapshot: the store saves changes with
        `save_to` instead; see the module docstring)."""
        state = {
            "format": FORMAT,
            "version": VERSION,
            "params": asdict(self.params),
            "entities": [
                [t, n, a] for t, n, a in zip(self._types, self._names, self._articles, strict=True)
            ],
            "names": {
                cls: dict(sorted(index.items())) for cls, index in sorted(self._index.items())
            },
            "bare": dict(sorted(self._bare.items())),
        }
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf8")

    @classmethod
    def from_bytes(cls, data: bytes) -> EntityResolver:
        """A resolver restored from `to_bytes()`; E080 when the data is not such a state."""
        try:
            state = json.loads(data.decode("utf8"))
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not an entity resolver state")
            if state.get("version") != VERSION:
                raise ValueError(f"unknown version {state.get('version')!r}")
            self = cls(ResolverParams(**state["params"]))
            for entity_type, name, articles in state["entities"]:
                self._append(entity_type, name, articles)
            self._restore(
                {str(c): dict(index) for c, index in state["names"].items()}, dict(state["bare"])
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(Errors.E080, what="entity resolver", reason=e) from e
        # Never saved to a store: its first `save_to` carries the whole of it.
        self._dirty.update(range(1, len(self._types) + 1))
        self._dirty_keys.update(
            (name_class, FULL, key) for name_class, index in self._index.items() for key in index
        )
        self._dirty_keys.update((PERSON, BARE, surname) for surname in self._bare)
        return self

    def _append(self, entity_type: object, name: object, articles: object) -> None:
        """One corpus entity of a saved state (its full flag and quality come with `_restore`)."""
        if (
            not isinstance(entity_type, str)
            or not isinstance(name, str)
            or type(articles) is not int
            or articles < 0
        ):
            raise ValueError(f"bad entity {[entity_type, name, articles]!r}")
        self._types.append(entity_type)
        self._names.append(name)
        self._articles.append(articles)
        self._full.append(entity_class(entity_type) != PERSON)

    def _restore(
        self, full: Mapping[str, Mapping[str, object]], bare: Mapping[str, object]
    ) -> None:
        """The indexes of a saved state, checked against its entities (already appended):
        full names by class, and surnames seen alone.  The surname index, the full flags and
        the name qualities are derived."""
        size = len(self._types)

        def check(corpus_id: object, what: str) -> int:
            if type(corpus_id) is not int or not 1 <= corpus_id <= size:
                raise ValueError(f"{what} names an unknown entity {corpus_id!r}")
            return corpus_id

        for name_class, index in sorted(full.items()):
            restored = self._index[name_class] = {}
            for key, saved in index.items():
                corpus_id = check(saved, f"the name {key!r}")
                if entity_class(self._types[corpus_id - 1]) != name_class:
                    raise ValueError(f"the name {key!r} is not of class {name_class}")
                restored[str(key)] = corpus_id
                if name_class == PERSON:
                    surname = _surname_of(str(key))
                    if surname == key:
                        raise ValueError(f"a surname alone {key!r} among the full names")
                    self._full[corpus_id - 1] = True
                    ids = self._surnames.setdefault(surname, [])
                    if corpus_id not in ids:
                        bisect.insort(ids, corpus_id)
        for surname, saved in sorted(bare.items()):
            corpus_id = check(saved, f"the surname {surname!r}")
            if entity_class(self._types[corpus_id - 1]) != PERSON:
                raise ValueError(f"the surname {surname!r} names a {self._types[corpus_id - 1]}")
            if self._full[corpus_id - 1]:
                raise ValueError(f"the surname {surname!r} names a full-named person")
            self._bare[str(surname)] = corpus_id
        self._quality = [
            _quality(name, full) for name, full in zip(self._names, self._full, strict=True)
        ]
        self._dirty.clear()
        self._dirty_keys.clear()
