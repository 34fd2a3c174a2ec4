"""Suggested resolutions: outcomes that later articles point to, never recorded silently.

with Store.open("news.db") as store:
    found = suggest(store)                  # scan every claim, store new suggestions
    pending(store)                          # what waits for a decision
    accept(store, found[0].id, by="ana")    # a resolve event citing the suggestion
    reject(store, found[1].id)

`suggest` scans claims (all, one, or those an ingest batch touched) and proposes:

- **`false`, a firm denial by the entity the claim is about** (rule `denial`): an attribution
  labelled `denied`, in another article than the claim's first, dated on or after the claim's
  first mention, either on the claim itself or in the same story with a content that shares at
  least half of its content words with the claim's statement.  Its source must be the entity
  the claim is about (an entity named in the claim's statement, or the person most mentioned
  in the claim's articles: by name, or by surname for a person), or speak for it: a source
  whose words or descriptors call it a spokesperson (`SPOKESPERSON_PHRASES`: "Kremlin
  spokesman Dmitry Peskov") or an official body (`OFFICIAL_VOICES`: "the Kremlin"), in an
  article that names that entity.  "The Kremlin denied that Putin purged 150 officers"
  suggests `false` for the claim that Putin purged 150 officers.
- **`true`, a confirmation stated as fact by several independent origins** (rule
  `confirmation`): at least `MIN_CONFIRMATIONS` (2) of the claim's independent origins
  (`provenance.provenance`), each first reached by an attribution labelled `asserted` with a
  named source or the outlet's own unattributed reporting (never unnamed sources), dated after
  the claim's first mention, and each a different voice from the one that started the claim
  and from each other (an expert repeating himself to a second outlet confirms nothing).
- **The reported event plainly happening** is not suggested: it needs the time of the event
  and a model of events, which rumormill does not have.

A suggestion is stored once per claim, evidence attribution and outcome (a unique key), so
finding it again adds nothing, and a rejected one stays rejected.  Claims with a current
`true`, `false` or `partly` resolution are not scanned.  `accept` records a resolve event
(dated by the evidence's article, its evidence naming the suggestion) and marks the
suggestion accepted in the same transaction; `reject` marks it rejected.

**When.**  `ingestion.ingest` calls `suggest(store, claim_ids=...)` after each stored batch,
for the claims the batch touched (its attributions' claims, and the claims of the stories in
which the batch brought a denial), so that suggestions appear as the news comes in, at a cost
in proportion to the batch; `rumormill suggestions --refresh` scans every claim again (after a
re-link, or for a store ingested before suggestions existed).  Provenance is computed only for
claims with at least `MIN_CONFIRMATIONS` asserted, non-unnamed attributions after their first
mention.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from rumormill import resolution
from rumormill.days import as_date as _day
from rumormill.days import iso as _iso
from rumormill.errors import Errors, InputError
from rumormill.nlp.patterns import (
    OFFICIAL_VOICES,
    SPOKESPERSON_PHRASES,
    SUGGESTION_STOPWORDS,
)
from rumormill.provenance import Provenance, provenance
from rumormill.resolution import ResolutionEvent
from rumormill.store import outlets, schema
from rumormill.store.store import Store

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_E = schema.entities
_M = schema.mentions
_D = schema.entity_descriptors
_S = schema.suggestions

MIN_CONFIRMATIONS = 2
MIN_OVERLAP = 0.5  # a same-story denial: the share of its content words in the statement
STATUSES = ("pending", "accepted", "rejected")
_CHUNK = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Evidence:
    """One attribution a suggestion rests on."""

    article_id: str
    attribution_id: str
    published: date | None
    outlet: str | None
    source: str | None
    certainty_label: str
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "attribution_id": self.attribution_id,
            "published": _iso(self.published),
            "outlet": self.outlet,
            "source": self.source,
            "certainty_label": self.certainty_label,
            "content": self.content,
        }


@dataclass(frozen=True)
class Found:
    """A suggestion as found, before it is stored: its key is (claim, article, attribution,
    outcome), the attribution being the one that decides it."""

    claim_id: int
    outcome: str
    rule: str  # "denial" or "confirmation"
    article_id: str
    attribution_id: str
    published: date | None
    reason: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Suggestion:
    """A stored suggestion (a row of `suggestions`)."""

    id: int
    claim_id: int
    outcome: str
    rule: str
    article_id: str
    attribution_id: str
    published: date | None
    reason: str
    evidence: tuple[dict[str, Any], ...]
    status: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim_id": self.claim_id,
            "outcome": self.outcome,
            "rule": self.rule,
            "article_id": self.article_id,
            "attribution_id": self.attribution_id,
            "date": _iso(self.published),
            "reason": self.reason,
            "evidence": [dict(e) for e in self.evidence],
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "decided_at": None if self.decided_at is None else self.decided_at.isoformat(),
            "decided_by": self.decided_by,
        }


def _key(name: str | None) -> str:
    return outlets.normalise_name(name) or ""


def _words(text: str) -> set[str]:
    return {
        w
        for w in (m.group(0).casefold() for m in _WORD.finditer(text))
        if w not in SUGGESTION_STOPWORDS and (len(w) > 2 or w.isdigit())
    }


def _has_phrase(text: str, phrases: Iterable[str]) -> bool:
    padded = f" {text} "
    return any(f" {p} " in padded for p in phrases)


# --- reading a claim ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """An attribution, as the rules read it."""

    pk: int
    claim_id: int | None
    article_id: str
    attribution_id: str
    published: date | None
    kind: str
    source_type: str
    source_name: str | None
    source_text: str | None
    source_entity: str | None
    label: str
    content: str
    content_start: int
    content_end: int
    outlet: str | None
    story_id: int | None

    @property
    def source(self) -> str | None:
        return None if self.kind == "unattributed" else (self.source_name or self.source_text)

    def evidence(self) -> Evidence:
        return Evidence(
            self.article_id,
            self.attribution_id,
            self.published,
            self.outlet,
            self.source,
            self.label,
            self.content,
        )


def _select() -> sa.Select[Any]:
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name)
    return sa.select(
        _T.c.pk,
        _T.c.claim_id,
        _T.c.article_id,
        _T.c.attribution_id,
        _T.c.published,
        _T.c.kind,
        _T.c.source_type,
        _T.c.source_name,
        _T.c.source_text,
        _T.c.source_entity,
        _T.c.certainty_label,
        _T.c.content_text,
        _T.c.content_start,
        _T.c.content_end,
        outlet.label("outlet"),
        _A.c.story_id,
    ).select_from(_T.join(_A, _A.c.id == _T.c.article_id).outerjoin(_O, _O.c.id == _A.c.outlet_id))


def _row(r: Any) -> _Row:
    return _Row(
        pk=int(r.pk),
        claim_id=None if r.claim_id is None else int(r.claim_id),
        article_id=str(r.article_id),
        attribution_id=str(r.attribution_id),
        published=_day(r.published),
        kind=str(r.kind),
        source_type=str(r.source_type),
        source_name=r.source_name,
        source_text=r.source_text,
        source_entity=r.source_entity,
        label=str(r.certainty_label),
        content=str(r.content_text),
        content_start=int(r.content_start),
        content_end=int(r.content_end),
        outlet=r.outlet,
        story_id=None if r.story_id is None else int(r.story_id),
    )


def _ordered(rows: Iterable[_Row]) -> list[_Row]:
    """Earliest first (undated last), then in the order stored: the claims' own order."""
    return sorted(rows, key=lambda r: (r.published is None, r.published or date.min, r.pk))


@dataclass(frozen=True)
class _Subject:
    """Who a claim is about: (full-name key, surname or None, name shown) per entity."""

    entities: tuple[tuple[str, str | None, str], ...]

    @property
    def label(self) -> str:
        return ", ".join(dict.fromkeys(shown for _, _, shown in self.entities)) or "no one"

    def named_by(self, name: str | None, *, person: bool) -> str | None:
        """The entity this source name is, if any."""
        key = _key(name)
        if not key:
            return None
        for full, surname, shown in self.entities:
            if key == full or (person and surname is not None and key.split()[-1] == surname):
                return shown
        return None

    def named_in(self, text: str) -> str | None:
        """The entity a text names (in full, or a person by surname), if any."""
        words = _key(text)
        for full, surname, shown in self.entities:
            if _has_phrase(words, [full]) or (
                surname is not None and _has_phrase(words, [surname])
            ):
                return shown
        return None


def _subject(conn: sa.Connection, first: _Row, articles: Sequence[str]) -> _Subject:
    """The entities named in the claim's statement (its first attribution's content) and the
    person most mentioned in the claim's articles."""
    named = conn.execute(
        sa.select(_E.c.name, _E.c.type)
        .select_from(
            _M.join(
                _E, sa.and_(_E.c.article_id == _M.c.article_id, _E.c.entity_id == _M.c.entity_id)
            )
        )
        .where(
            _M.c.article_id == first.article_id,
            _M.c.span_start >= first.content_start,
            _M.c.span_end <= first.content_end,
        )
        .distinct()
    ).all()
    people: Counter[str] = Counter()
    full: dict[str, str] = {}
    for start in range(0, len(articles), _CHUNK):
        for r in conn.execute(
            sa.select(_E.c.corpus_entity_id, _E.c.name, sa.func.count(_M.c.pk).label("n"))
            .select_from(
                _E.join(
                    _M,
                    sa.and_(_M.c.article_id == _E.c.article_id, _M.c.entity_id == _E.c.entity_id),
                )
            )
            .where(_E.c.article_id.in_(articles[start : start + _CHUNK]), _E.c.type == "PERSON")
            .group_by(_E.c.corpus_entity_id, _E.c.name)
        ):
            ident = f"c{r.corpus_entity_id}" if r.corpus_entity_id is not None else _key(r.name)
            people[ident] += int(r.n)
            if len(str(r.name)) > len(full.get(ident, "")):
                full[ident] = str(r.name)
    entities: list[tuple[str, str]] = [(str(n), str(t)) for n, t in named]
    if people:
        top = min(people.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        entities.append((full[top], "PERSON"))
    found: dict[str, tuple[str, str | None, str]] = {}
    for name, kind in entities:
        key = _key(name)
        if key and key not in found:
            found[key] = (key, key.split()[-1] if kind == "PERSON" else None, name)
    return _Subject(tuple(found.values()))


def _descriptors(conn: sa.Connection, row: _Row) -> list[str]:
    if row.source_entity is None:
        return []
    return [
        str(t)
        for t in conn.execute(
            sa.select(_D.c.text).where(
                _D.c.article_id == row.article_id, _D.c.entity_id == row.source_entity
            )
        ).scalars()
    ]


def _article_names(conn: sa.Connection, article_id: str) -> list[tuple[str, str]]:
    return [
        (str(n), str(t))
        for n, t in conn.execute(
            sa.select(_E.c.name, _E.c.type).where(_E.c.article_id == article_id)
        )
    ]


# --- the rules ------------------------------------------------------------------------------------


def _speaks_for(conn: sa.Connection, row: _Row, subject: _Subject) -> str | None:
    """How the denial's source stands for the claim's subject (words for the reason), or None
    when it does not."""
    person = row.source_type == "PERSON"
    who = subject.named_by(row.source_name, person=person) or subject.named_by(
        row.source_text, person=person
    )
    if who is not None:
        return f"{row.source}, whom the claim is about,"
    words = " ".join(
        _key(t) for t in (row.source_text, row.source_name, *_descriptors(conn, row)) if t
    )
    spokes = _has_phrase(words, SPOKESPERSON_PHRASES)
    official = _key(row.source_name or row.source_text) in OFFICIAL_VOICES or _has_phrase(
        words, OFFICIAL_VOICES
    )
    if not (spokes or official):
        return None
    named = subject.named_in(row.content)
    if named is None:
        for name, kind in _article_names(conn, row.article_id):
            named = subject.named_by(name, person=kind == "PERSON")
            if named is not None:
                break
    if named is None:
        return None
    how = "a spokesperson for" if spokes else "an official voice of"
    return f"{row.source}, {how} {named},"


def _denials(
    conn: sa.Connection, claim_id: int, rows: list[_Row], story_rows: Sequence[_Row]
) -> list[Found]:
    first = rows[0]
    statement = _words(first.content)

    def later(r: _Row) -> bool:
        return r.article_id != first.article_id and (
            r.published is None or first.published is None or r.published >= first.published
        )

    candidates = [r for r in rows if r.label == "denied" and later(r)]
    for r in story_rows:
        if r.claim_id == claim_id or not later(r):
            continue
        words = _words(r.content)
        if words and len(words & statement) / min(len(words), len(statement) or 1) >= MIN_OVERLAP:
            candidates.append(r)
    if not candidates:
        return []
    subject = _subject(conn, first, list(dict.fromkeys(r.article_id for r in rows)))
    found: list[Found] = []
    for r in candidates:
        stands = _speaks_for(conn, r, subject)
        if stands is None:
            continue
        where = f"{r.outlet or 'an unknown outlet'}, {_iso(r.published) or 'undated'}"
        found.append(
            Found(
                claim_id=claim_id,
                outcome="false",
                rule="denial",
                article_id=r.article_id,
                attribution_id=r.attribution_id,
                published=r.published,
                reason=f"{stands} denied it ({where}): “{r.content.strip()}”",
                evidence=(r.evidence(),),
            )
        )
    return found


def _firm(r: _Row) -> bool:
    """Stated as fact, by a named source or the outlet's own unattributed reporting."""
    return r.label == "asserted" and (r.kind == "unattributed" or r.source_type != "UNNAMED")


def _confirmation(claim_id: int, rows: list[_Row], found: Provenance) -> Found | None:
    first = rows[0]
    by_key = {(r.article_id, r.attribution_id): r for r in rows}
    started = found.origins[found.traces[0].origin].node if found.traces else None
    voices: set[str] = {started} if started is not None else set()
    confirming: list[_Row] = []
    for trace in found.traces:
        if trace.echo:
            continue
        origin = found.origins[trace.origin]
        r = by_key.get((trace.article_id, trace.attribution_id))
        if r is None or not _firm(r) or origin.node in voices:
            continue
        if first.published is None or r.published is None or r.published <= first.published:
            continue
        voices.add(origin.node)
        confirming.append(r)
    if len(confirming) < MIN_CONFIRMATIONS:
        return None
    deciding = confirming[MIN_CONFIRMATIONS - 1]
    said = "; ".join(
        f"{r.source or 'unattributed'} ({r.outlet or 'unknown outlet'}, "
        f"{_iso(r.published) or 'undated'})"
        for r in confirming
    )
    return Found(
        claim_id=claim_id,
        outcome="true",
        rule="confirmation",
        article_id=deciding.article_id,
        attribution_id=deciding.attribution_id,
        published=deciding.published,
        reason=f"stated as fact by {len(confirming)} independent origins after it was first "
        f"seen: {said}",
        evidence=tuple(r.evidence() for r in confirming),
    )


def find(store: Store, claim_ids: Iterable[int] | None = None) -> list[Found]:
    """The suggestions the rules find for these claims (every claim when None), without
    storing anything; claims resolved true, false or partly are left out."""
    with store.reading() as conn:
        if claim_ids is None:
            wanted = [
                int(c)
                for c in conn.execute(
                    sa.select(_T.c.claim_id)
                    .where(_T.c.claim_id.is_not(None))
                    .distinct()
                    .order_by(_T.c.claim_id)
                ).scalars()
            ]
        else:
            wanted = sorted(set(claim_ids))
        closed = set(conn.execute(resolution.resolved_claims()).scalars())
        wanted = [c for c in wanted if c not in closed]
    found: list[Found] = []
    for start in range(0, len(wanted), _CHUNK):
        found.extend(_find_chunk(store, wanted[start : start + _CHUNK]))
    return found


def _find_chunk(store: Store, claim_ids: Sequence[int]) -> list[Found]:
    found: list[Found] = []
    with store.reading() as conn:
        by_claim: dict[int, list[_Row]] = defaultdict(list)
        for r in conn.execute(_select().where(_T.c.claim_id.in_(claim_ids))):
            row = _row(r)
            assert row.claim_id is not None
            by_claim[row.claim_id].append(row)
        stories = sorted(
            {r.story_id for rows in by_claim.values() for r in rows if r.story_id is not None}
        )
        in_story: dict[int, list[_Row]] = defaultdict(list)
        for start in range(0, len(stories), _CHUNK):
            for r in conn.execute(
                _select().where(
                    _A.c.story_id.in_(stories[start : start + _CHUNK]),
                    _T.c.certainty_label == "denied",
                )
            ):
                row = _row(r)
                if row.story_id is not None:
                    in_story[row.story_id].append(row)
        confirmable: list[int] = []
        for claim_id in claim_ids:
            rows = _ordered(by_claim.get(claim_id, ()))
            if not rows:
                continue
            first = rows[0]
            story_rows = [
                r
                for story in sorted({r.story_id for r in rows if r.story_id is not None})
                for r in in_story.get(story, ())
            ]
            found.extend(_denials(conn, claim_id, rows, story_rows))
            firm = {
                r.article_id
                for r in rows
                if _firm(r)
                and first.published is not None
                and r.published is not None
                and r.published > first.published
            }
            if len(firm) >= MIN_CONFIRMATIONS:
                confirmable.append(claim_id)
    for claim_id in confirmable:
        rows = _ordered(by_claim[claim_id])
        confirmed = _confirmation(claim_id, rows, provenance(store, claim_id))
        if confirmed is not None:
            found.append(confirmed)
    return found


# --- storing and deciding -------------------------------------------------------------------------


def _suggestion(r: Any) -> Suggestion:
    return Suggestion(
        id=int(r.id),
        claim_id=int(r.claim_id),
        outcome=str(r.outcome),
        rule=str(r.rule),
        article_id=str(r.article_id),
        attribution_id=str(r.attribution_id),
        published=_day(r.published),
        reason=str(r.reason),
        evidence=tuple(dict(e) for e in (r.evidence or ())),
        status=str(r.status),
        created_at=r.created_at,
        decided_at=r.decided_at,
        decided_by=r.decided_by,
    )


def suggest(
    store: Store,
    claim_id: int | None = None,
    *,
    claim_ids: Iterable[int] | None = None,
    at: datetime | None = None,
) -> list[Suggestion]:
    """Scan one claim (`claim_id`), some (`claim_ids`) or every claim, store the suggestions
    found that are new (pending), and return every stored suggestion the scan found, whatever
    its status (a rejected one stays rejected).  E093 for an unknown `claim_id`."""
    if claim_id is not None:
        with store.reading() as conn:
            if (
                conn.execute(sa.select(_T.c.pk).where(_T.c.claim_id == claim_id).limit(1)).first()
                is None
            ):
                raise InputError(Errors.E093, claim_id=claim_id)
        wanted: Iterable[int] | None = [claim_id]
    else:
        wanted = claim_ids
    found = find(store, wanted)
    if not found:
        return []
    when = at or datetime.now(UTC)
    keys = []
    with store.writing() as conn:
        for f in found:
            key = (f.claim_id, f.article_id, f.attribution_id, f.outcome)
            keys.append(key)
            if _stored(conn, key) is not None:
                continue
            conn.execute(
                sa.insert(_S).values(
                    claim_id=f.claim_id,
                    outcome=f.outcome,
                    rule=f.rule,
                    article_id=f.article_id,
                    attribution_id=f.attribution_id,
                    published=f.published,
                    reason=f.reason,
                    evidence=[e.to_dict() for e in f.evidence],
                    status="pending",
                    created_at=when,
                )
            )
        return [s for s in (_stored(conn, k) for k in dict.fromkeys(keys)) if s is not None]


def _stored(conn: sa.Connection, key: tuple[int, str, str, str]) -> Suggestion | None:
    claim_id, article_id, attribution_id, outcome = key
    row = conn.execute(
        sa.select(_S).where(
            _S.c.claim_id == claim_id,
            _S.c.article_id == article_id,
            _S.c.attribution_id == attribution_id,
            _S.c.outcome == outcome,
        )
    ).first()
    return None if row is None else _suggestion(row)


def suggestions(
    store: Store, *, status: str | None = "pending", claim_id: int | None = None
) -> list[Suggestion]:
    """Stored suggestions (pending ones by default; all with status None), oldest first."""
    query = sa.select(_S)
    if status is not None:
        query = query.where(_S.c.status == status)
    if claim_id is not None:
        query = query.where(_S.c.claim_id == claim_id)
    with store.reading() as conn:
        return [_suggestion(r) for r in conn.execute(query.order_by(_S.c.id))]


def pending(store: Store, *, claim_id: int | None = None) -> list[Suggestion]:
    """The suggestions waiting for a decision."""
    return suggestions(store, status="pending", claim_id=claim_id)


def _pending(conn: sa.Connection, suggestion_id: int, wanted: str) -> Suggestion:
    row = conn.execute(sa.select(_S).where(_S.c.id == suggestion_id)).first()
    if row is None:
        raise InputError(Errors.E128, suggestion_id=suggestion_id)
    found = _suggestion(row)
    if found.status != "pending":
        raise InputError(
            Errors.E129, suggestion_id=suggestion_id, status=found.status, wanted=wanted
        )
    return found


def accept(
    store: Store,
    suggestion_id: int,
    *,
    by: str | None = None,
    on: date | None = None,
    at: datetime | None = None,
) -> ResolutionEvent:
    """Record the suggested outcome as the claim's resolution (dated `on`, by default the
    evidence's date, else today), citing the suggestion, and mark it accepted: one
    transaction.  E128: no such suggestion; E129: it is not pending."""
    when = at or datetime.now(UTC)
    with store.writing() as conn:
        found = _pending(conn, suggestion_id, "accepted")
        day = on or found.published or when.date()
        evidence = (
            f"suggestion {found.id} ({found.rule}): article {found.article_id}, attribution "
            f"{found.attribution_id}: {found.reason}"
        )
        event = resolution.record(
            conn,
            found.claim_id,
            found.outcome,
            day,
            evidence,
            by=by,
            suggestion_id=found.id,
            at=when,
        )
        conn.execute(
            sa.update(_S)
            .where(_S.c.id == suggestion_id)
            .values(status="accepted", decided_at=when, decided_by=by)
        )
    return event


def reject(
    store: Store, suggestion_id: int, *, by: str | None = None, at: datetime | None = None
) -> Suggestion:
    """Mark a pending suggestion rejected (nothing is recorded); E128, E129 as `accept`."""
    when = at or datetime.now(UTC)
    with store.writing() as conn:
        _pending(conn, suggestion_id, "rejected")
        conn.execute(
            sa.update(_S)
            .where(_S.c.id == suggestion_id)
            .values(status="rejected", decided_at=when, decided_by=by)
        )
        row = conn.execute(sa.select(_S).where(_S.c.id == suggestion_id)).one()
    return _suggestion(row)


def touched(store: Store, article_ids: Sequence[str]) -> list[int]:
    """The claims an ingest batch touched: its attributions' claims, and the claims of the
    stories in which it brought a denial."""
    ids = list(article_ids)
    found: set[int] = set()
    with store.reading() as conn:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            found.update(
                int(c)
                for c in conn.execute(
                    sa.select(_T.c.claim_id)
                    .where(_T.c.article_id.in_(chunk), _T.c.claim_id.is_not(None))
                    .distinct()
                ).scalars()
            )
            denied_in = (
                sa.select(_A.c.story_id)
                .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
                .where(
                    _T.c.article_id.in_(chunk),
                    _T.c.certainty_label == "denied",
                    _A.c.story_id.is_not(None),
                )
            )
            found.update(
                int(c)
                for c in conn.execute(
                    sa.select(_T.c.claim_id)
                    .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
                    .where(_A.c.story_id.in_(denied_in), _T.c.claim_id.is_not(None))
                    .distinct()
                ).scalars()
            )
    return sorted(found)
