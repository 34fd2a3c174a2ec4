"""Resolutions: whether a claim came true, with its date and evidence, and every change kept.

with Store.open("news.db") as store:
    resolve(store, 1, "false", date(2022, 5, 12), "https://example.com/denial", by="ana")
    current(store, 1).outcome        # "false"
    undo(store, 1)                   # withdraws it: the claim is unresolved again
    [e.action for e in history(store, 1)]   # ["resolve", "undo"]

**Append-only.**  Every change is one row of `resolution_events`, never edited or deleted: a
`resolve` event records an outcome (`true`, `false`, `partly` or `unresolved`, the outcomes of
`trackrecord.OUTCOMES`) with the date it became known, the evidence (a URL or a note), when
and by whom it was recorded, and the suggestion it came from when a user accepted one
(`suggestions.py`).  An `undo` event withdraws the latest resolve event of the claim that no
undo has withdrawn yet (its id in `undoes`), so undoing twice withdraws the two latest, as an
editor's undo does.  A claim's **current resolution** is its latest resolve event that no undo
withdrew; none when there is none (never resolved, or everything undone).  Recording
`unresolved` is the other way back: it keeps the withdrawn outcome in plain sight in the
history and says the claim is open again.

The current resolution is computed in SQL (`current_events`), so that the queries can keep or
drop resolved claims (`store.queries.rumors` lists only claims with no current `true`,
`false` or `partly` resolution) and join outcomes to attributions (track records).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from rumormill.days import as_date as _day
from rumormill.days import iso as _iso
from rumormill.errors import Errors, InputError
from rumormill.store import schema
from rumormill.store.store import Store
from rumormill.trackrecord import OUTCOMES, outcome_value

_R = schema.resolution_events
_T = schema.attributions
RESOLVED = ("true", "false", "partly")  # the outcomes that close a claim
RESOLVE = "resolve"
UNDO = "undo"


@dataclass(frozen=True)
class ResolutionEvent:
    """One change to a claim's resolution (a row of `resolution_events`)."""

    id: int
    claim_id: int
    action: str  # "resolve" or "undo"
    outcome: str | None  # the outcome recorded; None for an undo
    on: date | None  # the date the outcome became known; None for an undo
    evidence: str | None
    recorded_at: datetime
    by: str | None
    undoes: int | None = None  # for an undo: the resolve event it withdraws
    suggestion_id: int | None = None  # the accepted suggestion it came from
    undone_by: int | None = None  # for a resolve event: the undo that withdrew it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim_id": self.claim_id,
            "action": self.action,
            "outcome": self.outcome,
            "date": _iso(self.on),
            "evidence": self.evidence,
            "recorded_at": self.recorded_at.isoformat(),
            "by": self.by,
            "undoes": self.undoes,
            "suggestion_id": self.suggestion_id,
            "undone_by": self.undone_by,
        }


@dataclass(frozen=True)
class Resolution:
    """A claim's current resolution: its latest resolve event that no undo withdrew."""

    claim_id: int
    outcome: str
    on: date | None
    evidence: str | None
    recorded_at: datetime
    by: str | None
    event_id: int
    suggestion_id: int | None = None

    @property
    def resolved(self) -> bool:
        """True, false or partly (not `unresolved`)."""
        return self.outcome in RESOLVED

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "outcome": self.outcome,
            "date": _iso(self.on),
            "evidence": self.evidence,
            "recorded_at": self.recorded_at.isoformat(),
            "by": self.by,
            "event_id": self.event_id,
            "suggestion_id": self.suggestion_id,
        }


def _now(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


# --- SQL ------------------------------------------------------------------------------------------


def live() -> sa.ColumnElement[bool]:
    """Resolve events that no undo withdrew."""
    undos = _R.alias("undos")
    return sa.and_(_R.c.action == RESOLVE, ~sa.exists().where(undos.c.undoes == _R.c.id))


def current_events() -> sa.Subquery:
    """Per claim, the id of its current resolution's event (`claim_id`, `id`)."""
    return (
        sa.select(_R.c.claim_id, sa.func.max(_R.c.id).label("id"))
        .where(live())
        .group_by(_R.c.claim_id)
        .subquery("current_events")
    )


def current_outcomes() -> sa.Select[Any]:
    """(claim_id, outcome, resolved_on) of every claim with a current resolution."""
    latest = current_events()
    return sa.select(_R.c.claim_id, _R.c.outcome, _R.c.resolved_on).join(
        latest, latest.c.id == _R.c.id
    )


def resolved_claims() -> sa.Select[Any]:
    """The ids of the claims whose current resolution is true, false or partly."""
    found = current_outcomes().subquery("current_outcomes")
    return sa.select(found.c.claim_id).where(found.c.outcome.in_(RESOLVED))


# --- writing --------------------------------------------------------------------------------------


def check_outcome(outcome: str) -> str:
    """An outcome as given (any case, spaces trimmed), checked: E120 for an unknown one."""
    wanted = outcome.strip().lower()
    outcome_value(wanted)
    return wanted


def _check_claim(conn: sa.Connection, claim_id: int) -> None:
    found = conn.execute(sa.select(_T.c.pk).where(_T.c.claim_id == claim_id).limit(1)).first()
    if found is None:
        raise InputError(Errors.E093, claim_id=claim_id)


def record(
    conn: sa.Connection,
    claim_id: int,
    outcome: str,
    on: date,
    evidence: str,
    *,
    by: str | None = None,
    suggestion_id: int | None = None,
    at: datetime | None = None,
) -> ResolutionEvent:
    """Insert a resolve event in an open write transaction (`Store.writing`): checks the
    outcome (E120), the evidence (E126) and the claim (E093)."""
    chosen = check_outcome(outcome)
    note = evidence.strip() if evidence is not None else ""
    if not note:
        raise InputError(Errors.E126)
    _check_claim(conn, claim_id)
    when = _now(at)
    values = {
        "claim_id": claim_id,
        "action": RESOLVE,
        "outcome": chosen,
        "resolved_on": on,
        "evidence": note,
        "recorded_at": when,
        "recorded_by": by,
        "suggestion_id": suggestion_id,
    }
    ident = conn.execute(sa.insert(_R).values(**values)).inserted_primary_key
    assert ident is not None
    return ResolutionEvent(
        id=int(ident[0]),
        claim_id=claim_id,
        action=RESOLVE,
        outcome=chosen,
        on=on,
        evidence=note,
        recorded_at=when,
        by=by,
        suggestion_id=suggestion_id,
    )


def resolve(
    store: Store,
    claim_id: int,
    outcome: str,
    on: date,
    evidence: str,
    *,
    by: str | None = None,
    at: datetime | None = None,
) -> ResolutionEvent:
    """Record a claim's outcome (true, false, partly or unresolved) known on `on`, with its
    evidence (a URL or a note); `by` names who recorded it, `at` when (default now).  E093: no
    such claim; E120: an unknown outcome; E126: no evidence."""
    with store.writing() as conn:
        return record(conn, claim_id, outcome, on, evidence, by=by, at=at)


def undo(
    store: Store, claim_id: int, *, by: str | None = None, at: datetime | None = None
) -> ResolutionEvent:
    """Withdraw the claim's current resolution (its latest resolve event not yet withdrawn):
    the one before it, if any, is current again.  E125 when there is none to withdraw."""
    with store.writing() as conn:
        target = conn.execute(
            sa.select(sa.func.max(_R.c.id)).where(_R.c.claim_id == claim_id, live())
        ).scalar_one()
        if target is None:
            raise InputError(Errors.E125, claim_id=claim_id)
        when = _now(at)
        ident = conn.execute(
            sa.insert(_R).values(
                claim_id=claim_id,
                action=UNDO,
                outcome=None,
                resolved_on=None,
                evidence=None,
                recorded_at=when,
                recorded_by=by,
                undoes=int(target),
            )
        ).inserted_primary_key
    assert ident is not None
    return ResolutionEvent(
        id=int(ident[0]),
        claim_id=claim_id,
        action=UNDO,
        outcome=None,
        on=None,
        evidence=None,
        recorded_at=when,
        by=by,
        undoes=int(target),
    )


# --- reading --------------------------------------------------------------------------------------


def _events(rows: Iterable[Any]) -> list[ResolutionEvent]:
    found = list(rows)
    undone = {int(r.undoes): int(r.id) for r in found if r.undoes is not None}
    return [
        ResolutionEvent(
            id=int(r.id),
            claim_id=int(r.claim_id),
            action=str(r.action),
            outcome=r.outcome,
            on=_day(r.resolved_on),
            evidence=r.evidence,
            recorded_at=r.recorded_at,
            by=r.recorded_by,
            undoes=None if r.undoes is None else int(r.undoes),
            suggestion_id=None if r.suggestion_id is None else int(r.suggestion_id),
            undone_by=undone.get(int(r.id)),
        )
        for r in found
    ]


def history_in(conn: sa.Connection, claim_id: int) -> list[ResolutionEvent]:
    """`history` in an open transaction."""
    return _events(conn.execute(sa.select(_R).where(_R.c.claim_id == claim_id).order_by(_R.c.id)))


def history(store: Store, claim_id: int) -> list[ResolutionEvent]:
    """Every change to the claim's resolution, oldest first (empty when it has none)."""
    with store.reading() as conn:
        return history_in(conn, claim_id)


def _resolution(event: Any) -> Resolution:
    return Resolution(
        claim_id=int(event.claim_id),
        outcome=str(event.outcome),
        on=_day(event.resolved_on),
        evidence=event.evidence,
        recorded_at=event.recorded_at,
        by=event.recorded_by,
        event_id=int(event.id),
        suggestion_id=None if event.suggestion_id is None else int(event.suggestion_id),
    )


def current_in(conn: sa.Connection, claim_id: int) -> Resolution | None:
    """`current` in an open transaction."""
    row = conn.execute(
        sa.select(_R).where(_R.c.claim_id == claim_id, live()).order_by(sa.desc(_R.c.id)).limit(1)
    ).first()
    return None if row is None else _resolution(row)


def current(store: Store, claim_id: int) -> Resolution | None:
    """The claim's current resolution, or None (never resolved, or every outcome undone)."""
    with store.reading() as conn:
        return current_in(conn, claim_id)


def resolutions(
    store: Store, *, outcome: str | None = None, limit: int | None = None
) -> list[Resolution]:
    """The current resolution of every resolved claim (`unresolved` included), latest first;
    only those of one outcome with `outcome`."""
    latest = current_events()
    query = sa.select(_R).join(latest, latest.c.id == _R.c.id)
    if outcome is not None:
        query = query.where(_R.c.outcome == check_outcome(outcome))
    query = query.order_by(sa.desc(_R.c.id))
    if limit is not None:
        query = query.limit(limit)
    with store.reading() as conn:
        return [_resolution(r) for r in conn.execute(query)]


__all__ = [
    "OUTCOMES",
    "RESOLVED",
    "Resolution",
    "ResolutionEvent",
    "current",
    "current_events",
    "current_outcomes",
    "history",
    "record",
    "resolutions",
    "resolve",
    "resolved_claims",
    "undo",
]
