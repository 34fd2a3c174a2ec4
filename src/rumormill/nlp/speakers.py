"""Who is who: one entity per person, the descriptors said of them, and source resolution.

- Surnames join the full name mentioned elsewhere: "Soldatov" -> "Andrei Soldatov".
- Descriptors are the words the article uses for an entity: pre-modifiers ("Russian security
  expert Andrei Soldatov"), appositions ("Sergei Beseda, the head of ..."; "Another analyst,
  Alexey Muraviev") and relative clauses ("Soldatov, who runs investigative website ...").
- A source phrase resolves to the entity at its head, through a surname, or, for "he"/"she",
  to the most recent person outside quotations and reported content.  A source with no name
  ("analysts", "a source close to the Kremlin") is kept, typed UNNAMED.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from rumormill.model import Entity, Source, SourceType, Span
from rumormill.nlp.patterns import (
    SOURCE_PRONOUNS,
    UNNAMED_PRONOUNS,
    UNNAMED_SOURCE_NOUNS,
)

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP")
# Entity type -> source type (a place that speaks is a government).
SOURCE_TYPES: dict[str, SourceType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "LOC": "GPE",
    "NORP": "NORP",
}
POSSESSIVES = frozenset({"’s", "'s", "’", "'"})
ARTICLES = frozenset({"the", "a", "an", "another"})
NOMINAL_DEPS = frozenset(
    {"nsubj", "nsubj:pass", "obj", "iobj", "compound", "flat", "appos", "nmod", "conj", "obl"}
)
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
MAX_DESCRIPTOR = 12


def entity_key(name: str) -> str:
    return " ".join(name.split()).lower()


def clean_name(text: str, label: str) -> str:
    name = text.strip()
    for suffix in POSSESSIVES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    if name.startswith(("the ", "The ")) and label != "PERSON":
        name = name[4:]
    return name


@dataclass
class EntityIndex:
    """The entities of one Doc and, for each mention, its tokens."""

    entities: list[Entity]
    mentions: list[tuple[SpacySpan, Entity]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.mentions.sort(key=lambda m: m[0].start)
        self.starts = [m[0].start for m in self.mentions]

    def at(self, token: Token) -> Entity | None:
        """The entity with a mention covering `token`."""
        i = bisect.bisect_right(self.starts, token.i) - 1
        if i >= 0:
            span, entity = self.mentions[i]
            if span.start <= token.i < span.end:
                return entity
        return None

    def mention_at(self, token: Token) -> SpacySpan | None:
        i = bisect.bisect_right(self.starts, token.i) - 1
        if i >= 0 and self.mentions[i][0].start <= token.i < self.mentions[i][0].end:
            return self.mentions[i][0]
        return None

    def by_surname(self, word: str) -> Entity | None:
        """The one PERSON whose name ends with `word` (None when none or several)."""
        found = [e for e in self.entities if e.type == "PERSON" and e.name.split()[-1:] == [word]]
        return found[0] if len(found) == 1 else None

    def before(self, token_i: int) -> list[tuple[SpacySpan, Entity]]:
        """Mentions that end before token `token_i`, the nearest last."""
        i = bisect.bisect_left(self.starts, token_i)
        return [m for m in self.mentions[:i] if m[0].end <= token_i]


def build_entities(doc: Doc) -> EntityIndex:
    """Group the named mentions of one Doc by type and name, surnames joining full names."""
    by_key: dict[tuple[str, str], Entity] = {}
    mentions: list[tuple[SpacySpan, Entity]] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_TYPES or not ent.text.strip():
            continue
        name = clean_name(ent.text, ent.label_)
        if not name:
            continue
        key = (ent.label_, entity_key(name))
        if key not in by_key:
            by_key[key] = Entity(id="", name=name, type=ent.label_)
        entity = by_key[key]
        entity.mentions.append(Span(ent.start_char, ent.end_char, ent.text))
        mentions.append((ent, entity))
    entities, owner_of = merge_surnames(list(by_key.values()))
    mentions = [(span, owner_of.get(id(e), e)) for span, e in mentions]
    for n, entity in enumerate(entities, start=1):
        entity.id = f"e{n}"
    return EntityIndex(entities, mentions)


def merge_surnames(entities: list[Entity]) -> tuple[list[Entity], dict[int, Entity]]:
    """Join a PERSON named by the trailing words of a longer PERSON name into it.

    Returns the entities kept and, by `id()`, the owner of each entity merged away.
    """
    people = [e for e in entities if e.type == "PERSON"]
    owner_of: dict[int, Entity] = {}
    for short in sorted(people, key=lambda e: len(e.name.split())):
        words = short.name.split()
        longer = {
            e.name: e
            for e in people
            if id(e) not in owner_of
            and e is not short
            and len(e.name.split()) > len(words)
            and e.name.split()[-len(words) :] == words
        }
        if longer and len({tuple(n.split()[-2:]) for n in longer}) == 1:
            owner = max(longer.values(), key=lambda e: len(e.name))
            owner.mentions.extend(short.mentions)
            owner.mentions.sort(key=lambda m: m.start)
            owner_of[id(short)] = owner
    return [e for e in entities if id(e) not in owner_of], owner_of


# --- descriptors ------------------------------------------------------------------------------


def is_nounish(token: Token) -> bool:
    return token.pos_ in {"NOUN", "PROPN"} or token.lower_ in UNNAMED_SOURCE_NOUNS


def descriptor_text(tokens: Sequence[Token]) -> str | None:
    while tokens and tokens[0].lower_ in ARTICLES | {"who", "which"}:
        tokens = tokens[1:]
    if not tokens or len(tokens) > MAX_DESCRIPTOR:
        return None
    doc = tokens[0].doc
    return doc[tokens[0].i : tokens[-1].i + 1].text


def pre_modifiers(doc: Doc, mention: SpacySpan, index: EntityIndex) -> str | None:
    """ "Russian security expert Andrei Soldatov" -> "Russian security expert"."""
    tokens: list[Token] = []
    i = mention.start - 1
    while i >= 0 and len(tokens) < MAX_DESCRIPTOR:
        t = doc[i]
        owner = index.at(t)
        if owner is not None and owner.type == "PERSON":
            break
        if t.pos_ in {"ADJ", "NOUN", "PROPN"} and t.is_alpha:
            tokens.insert(0, t)
            i -= 1
            continue
        break
    if not tokens or not any(t.pos_ in {"NOUN", "PROPN"} for t in tokens):
        return None
    # "In Moscow Putin" has no descriptor; a descriptor is mostly common words.
    if all(index.at(t) is not None for t in tokens):
        return None
    return descriptor_text(tokens)


def apposition_after(doc: Doc, mention: SpacySpan, index: EntityIndex) -> str | None:
    """ "Sergei Beseda, the head of ...," and "Soldatov, who runs ...," -> the descriptor."""
    if mention.end + 1 >= len(doc) or doc[mention.end].text != ",":
        return None
    first = doc[mention.end + 1]
    relative = first.lower_ == "who"
    if (
        not relative
        and (first.pos_ not in {"DET", "ADJ", "NOUN", "NUM"} or first.is_title)
        and first.lower_ not in ARTICLES
    ):
        return None
    tokens: list[Token] = []
    for t in doc[mention.end + 1 : mention.end + 2 + MAX_DESCRIPTOR]:
        if t.text in {",", ".", ";", ":", "(", ")", "!", "?", "—", "–"} or t.is_space:
            break
        if t.text in {"“", "”", '"'}:
            return None
        if not relative and t.tag_ in FINITE_TAGS:
            return None
        tokens.append(t)
    else:
        return None
    return descriptor_text(tokens) if len(tokens) >= 2 else None


def apposition_before(doc: Doc, mention: SpacySpan, index: EntityIndex) -> str | None:
    """ "Another analyst, Alexey Muraviev," -> "analyst"."""
    if mention.start < 2 or doc[mention.start - 1].text != ",":
        return None
    if mention.end >= len(doc) or doc[mention.end].text != ",":
        return None
    tokens: list[Token] = []
    i = mention.start - 2
    while i >= 0 and len(tokens) < MAX_DESCRIPTOR:
        t = doc[i]
        if index.at(t) is not None and t.ent_type_ == "PERSON":
            return None
        if t.pos_ in {"DET", "ADJ", "NOUN", "NUM", "PROPN"} or t.lower_ in UNNAMED_SOURCE_NOUNS:
            tokens.insert(0, t)
            i -= 1
            continue
        break
    if not tokens:
        return None
    starts_sentence = i < 0 or doc[i].is_sent_end or doc[i + 1].is_sent_start
    head = tokens[-1]
    if not (head.lower_ in UNNAMED_SOURCE_NOUNS or tokens[0].lower_ in ARTICLES):
        return None
    if not starts_sentence and doc[i].pos_ not in {"VERB", "ADP", "CCONJ"}:
        return None
    return descriptor_text(tokens)


def add_descriptors(doc: Doc, index: EntityIndex) -> None:
    """Fill `Entity.descriptors` of every PERSON from its mentions."""
    for mention, entity in index.mentions:
        if entity.type != "PERSON":
            continue
        for find in (pre_modifiers, apposition_before, apposition_after):
            text = find(doc, mention, index)
            if text and text not in entity.descriptors and text != entity.name:
                entity.descriptors.append(text)


# --- source resolution ----------------------------------------------------------------------


def head_of(tokens: Sequence[Token]) -> Token | None:
    """The head of the first noun phrase in `tokens` ("Analysts" in "Analysts inside and
    outside of Russia", "Soldatov" in "Russian security expert Andrei Soldatov")."""
    head: Token | None = None
    for t in tokens:
        if t.text in POSSESSIVES:
            head = None
            continue
        nounish = (
            t.pos_ in {"NOUN", "PROPN", "PRON", "NUM"}
            or t.ent_type_ != ""
            or t.lower_ in UNNAMED_SOURCE_NOUNS
            or (t.dep_ in NOMINAL_DEPS and t.pos_ not in {"ADP", "ADV", "CCONJ", "SCONJ"})
        )
        if nounish and t.is_alpha:
            head = t
        elif head is not None or t.text in {",", ";", ":"}:
            break
    return head


def segments(tokens: Sequence[Token]) -> list[list[Token]]:
    """A source phrase split at commas: "Another analyst, Alexey Muraviev" -> two parts."""
    parts: list[list[Token]] = [[]]
    for t in tokens:
        if t.text == ",":
            parts.append([])
        else:
            parts[-1].append(t)
    return [p for p in parts if p]


@dataclass
class Resolver:
    """Resolves source phrases of one Doc in text order, remembering who spoke."""

    doc: Doc
    index: EntityIndex
    quoted: Sequence[bool]
    reported: Sequence[bool] = ()  # tokens inside some attribution's content
    history: list[tuple[int, Entity]] = field(default_factory=list)

    def named(self, head: Token) -> Entity | None:
        entity = self.index.at(head)
        if entity is not None and entity.type in SOURCE_TYPES:
            return entity
        if head.is_title and head.pos_ in {"PROPN", "NOUN"}:
            return self.index.by_surname(head.text)
        return None

    def source(self, tokens: Sequence[Token]) -> Source:
        """Resolve a source phrase (its tokens, in order) to a Source."""
        tokens = [t for t in tokens if not t.is_space]
        if not tokens:
            return Source(span=None, type="UNNAMED")
        span = Span(
            tokens[0].idx,
            tokens[-1].idx + len(tokens[-1].text),
            self.doc[tokens[0].i : tokens[-1].i + 1].text,
        )
        heads = [h for h in (head_of(p) for p in segments(tokens)) if h is not None]
        for head in heads:
            entity = self.named(head)
            if entity is not None:
                self.remember(tokens[0].i, entity)
                return Source(span, SOURCE_TYPES[entity.type], entity.id, entity.name)
        if (heads and heads[0].pos_ == "PRON") or (len(tokens) == 1 and tokens[0].pos_ == "PRON"):
            pronoun = heads[0] if heads else tokens[0]
            entity = self.antecedent(pronoun)
            if entity is not None:
                self.remember(tokens[0].i, entity)
                return Source(span, SOURCE_TYPES[entity.type], entity.id, entity.name)
        return Source(span, "UNNAMED")

    def remember(self, token_i: int, entity: Entity) -> None:
        self.history.append((token_i, entity))

    def antecedent(self, pronoun: Token) -> Entity | None:
        """The entity "he"/"she" ("it") stands for: the most recent person (organisation)
        outside quotations and reported content, or the most recent source before it."""
        wanted = SOURCE_PRONOUNS.get(pronoun.lower_)
        if wanted is None or pronoun.lower_ in UNNAMED_PRONOUNS:
            return None
        best: tuple[int, Entity] | None = None
        fallback: tuple[int, Entity] | None = None
        for mention, entity in reversed(self.index.before(pronoun.i)):
            if entity.type != wanted or self.quoted[mention.start]:
                continue
            if fallback is None:
                fallback = (mention.start, entity)
            if not (self.reported and self.reported[mention.start]):
                best = (mention.start, entity)
                break
        for position, entity in reversed(self.history):
            if position < pronoun.i and entity.type == wanted:
                if best is None or position > best[0]:
                    best = (position, entity)
                break
        chosen = best or fallback
        return chosen[1] if chosen else None
