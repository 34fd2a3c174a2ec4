"""Statistics kept per claim, story and cited person, and the store's generation.

The dashboard and the lists rank claims by size and growth, stories by recency and people by
how often they are cited.  Aggregating every attribution for that on each request costs
seconds in a store of 100,000 articles, so the aggregates are kept in tables
(`claim_stats`, `story_stats`, `person_stats`, migration 6) and a page reads the top rows of
an index.  They are derived data: each is recomputed from the attributions and articles, for
the claims, stories and names a write changed, in that write's own transaction, so that a
reader never sees them disagree with what they summarise:

- `Store.add`: the claims and stories its links name, the claims and stories its articles
  belonged to before (a claim merged away loses its row); the people its articles cite get
  their counts added to (`add_people`: a batch's articles are new, so their attributions
  add to a person's attributions and articles, and each outlet they are cited through is one
  row of `person_outlets`), rather than recounted: the most-cited people have tens of
  thousands of attributions;
- `Store.merge_outlets` and `Store.add_alias`: everything in the articles whose outlet moved
  (the outlet counts change).

What a row holds is what `store/queries.py` computed on the fly before: per claim, its
attributions, articles, distinct outlets, attributions with an unnamed source or none, hedged
ones (possible, probable, doubted), either, the first and last dates and the growth (articles
per day, first to last); per story, its articles, distinct outlets and first and last dates;
per person (an attribution's resolved name, source type PERSON), attributions, articles and
outlets.

The generation (`store_generation`) is one number that every write transaction of
`Store.writing` raises: a reader that cached something computed from the store knows in one
read whether it is still current.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rumormill.days import as_date
from rumormill.store import schema

_A = schema.articles
_T = schema.attributions
_CS = schema.claim_stats
_SS = schema.story_stats
_PS = schema.person_stats
_PO = schema.person_outlets
_G = schema.store_generation

CHUNK = 500  # ids per statement
HEDGED_LABELS = ("possible", "probable", "doubted")


def flag(condition: sa.ColumnElement[bool]) -> sa.Case[int]:
    """1 where `condition` holds, else 0 (to sum)."""
    return sa.case((condition, 1), else_=0)


def unnamed() -> sa.ColumnElement[bool]:
    """An attribution with an unnamed source, or none."""
    return sa.or_(_T.c.source_type == "UNNAMED", _T.c.kind == "unattributed")


def hedged() -> sa.ColumnElement[bool]:
    """An attribution labelled possible, probable or doubted."""
    return _T.c.certainty_label.in_(HEDGED_LABELS)


def growth(articles: int, first: date | None, last: date | None) -> float:
    """Articles per day from the first to the last date (one day when undated)."""
    days = (last - first).days if first is not None and last is not None else 0
    return articles / (days + 1)


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    found = sorted(set(ids))
    for start in range(0, len(found), CHUNK):
        yield found[start : start + CHUNK]


# --- computing ----------------------------------------------------------------------------------


def _claim_rows(conn: Connection, ids: Sequence[int] | None) -> list[dict[str, Any]]:
    query = (
        sa.select(
            _T.c.claim_id,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            sa.func.sum(flag(unnamed())).label("unnamed"),
            sa.func.sum(flag(hedged())).label("hedged"),
            sa.func.sum(flag(sa.or_(unnamed(), hedged()))).label("weak"),
            sa.func.min(_T.c.published).label("first"),
            sa.func.max(_T.c.published).label("last"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id.is_not(None))
        .group_by(_T.c.claim_id)
    )
    if ids is not None:
        query = query.where(_T.c.claim_id.in_(ids))
    rows = []
    for r in conn.execute(query):
        first, last = as_date(r.first), as_date(r.last)
        rows.append(
            {
                "claim_id": int(r.claim_id),
                "attributions": int(r.attributions),
                "articles": int(r.articles),
                "outlets": int(r.outlets),
                "unnamed": int(r.unnamed),
                "hedged": int(r.hedged),
                "weak": int(r.weak),
                "first": first,
                "last": last,
                "growth": growth(int(r.articles), first, last),
            }
        )
    return rows


def _story_rows(conn: Connection, ids: Sequence[int] | None) -> list[dict[str, Any]]:
    query = (
        sa.select(
            _A.c.story_id,
            sa.func.count().label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
            sa.func.min(_A.c.published).label("first"),
            sa.func.max(_A.c.published).label("last"),
        )
        .where(_A.c.story_id.is_not(None))
        .group_by(_A.c.story_id)
    )
    if ids is not None:
        query = query.where(_A.c.story_id.in_(ids))
    return [
        {
            "story_id": int(r.story_id),
            "articles": int(r.articles),
            "outlets": int(r.outlets),
            "first": as_date(r.first),
            "last": as_date(r.last),
        }
        for r in conn.execute(query)
    ]


def _person_rows(conn: Connection, names: Sequence[str] | None) -> list[dict[str, Any]]:
    query = (
        sa.select(
            _T.c.source_name,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.source_type == "PERSON", _T.c.source_name.is_not(None))
        .group_by(_T.c.source_name)
    )
    if names is not None:
        query = query.where(_T.c.source_name.in_(names))
    return [
        {
            "name": str(r.source_name),
            "attributions": int(r.attributions),
            "articles": int(r.articles),
            "outlets": int(r.outlets),
        }
        for r in conn.execute(query)
    ]


def _person_outlet_rows(conn: Connection, names: Sequence[str] | None) -> list[dict[str, Any]]:
    query = (
        sa.select(_T.c.source_name, _A.c.outlet_id, sa.func.count().label("attributions"))
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(
            _T.c.source_type == "PERSON",
            _T.c.source_name.is_not(None),
            _A.c.outlet_id.is_not(None),
        )
        .group_by(_T.c.source_name, _A.c.outlet_id)
    )
    if names is not None:
        query = query.where(_T.c.source_name.in_(names))
    return [
        {"name": str(r.source_name), "outlet_id": int(r.outlet_id), "attributions": int(r[2])}
        for r in conn.execute(query)
    ]


# --- refreshing ---------------------------------------------------------------------------------


def refresh(
    conn: Connection,
    *,
    claims: Iterable[int] = (),
    stories: Iterable[int] = (),
    people: Iterable[str] = (),
) -> None:
    """Recompute the rows of these claims, stories and people from what is stored now (a
    claim, story or person with nothing left loses its row)."""
    for ids in _chunks(claims):
        conn.execute(_CS.delete().where(_CS.c.claim_id.in_(ids)))
        _insert(conn, _CS, _claim_rows(conn, ids))
    for ids in _chunks(stories):
        conn.execute(_SS.delete().where(_SS.c.story_id.in_(ids)))
        _insert(conn, _SS, _story_rows(conn, ids))
    for names in _chunks(people):
        conn.execute(_PS.delete().where(_PS.c.name.in_(names)))
        conn.execute(_PO.delete().where(_PO.c.name.in_(names)))
        _insert(conn, _PS, _person_rows(conn, names))
        _insert(conn, _PO, _person_outlet_rows(conn, names))


def add_people(conn: Connection, article_ids: Iterable[str]) -> None:
    """Add what these newly stored articles' attributions say of the people they cite (see
    the module docstring): their attributions and articles to each person's counts, and
    their outlets to `person_outlets`.  A few statements a chunk, whatever the names."""
    for ids in _chunks(article_ids):
        rows = conn.execute(
            sa.select(
                _T.c.source_name,
                _A.c.outlet_id,
                sa.func.count().label("attributions"),
                sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            )
            .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
            .where(
                _T.c.article_id.in_(ids),
                _T.c.source_type == "PERSON",
                _T.c.source_name.is_not(None),
            )
            .group_by(_T.c.source_name, _A.c.outlet_id)
        ).all()
        if not rows:
            continue
        added: dict[str, list[int]] = {}
        pairs: dict[tuple[str, int], int] = {}
        for name, outlet_id, n_attributions, n_articles in rows:
            # An article has one outlet: the groups of one name share no article.
            counts = added.setdefault(name, [0, 0])
            counts[0] += n_attributions
            counts[1] += n_articles
            if outlet_id is not None:
                pairs[(name, outlet_id)] = n_attributions
        names = sorted(added)
        known = {
            (str(n), int(o))
            for n, o in conn.execute(
                sa.select(_PO.c.name, _PO.c.outlet_id).where(_PO.c.name.in_(names))
            )
        }
        _upsert(
            conn,
            _PO.update()
            .where(
                _PO.c.name == sa.bindparam("b_name"), _PO.c.outlet_id == sa.bindparam("b_outlet")
            )
            .values(attributions=_PO.c.attributions + sa.bindparam("b_attributions")),
            _PO,
            [
                {"b_name": n, "b_outlet": o, "b_attributions": k}
                for (n, o), k in pairs.items()
                if (n, o) in known
            ],
            [
                {"name": n, "outlet_id": o, "attributions": k}
                for (n, o), k in pairs.items()
                if (n, o) not in known
            ],
        )
        outlets: dict[str, int] = {
            str(n): int(c)
            for n, c in conn.execute(
                sa.select(_PO.c.name, sa.func.count())
                .where(_PO.c.name.in_(names))
                .group_by(_PO.c.name)
            )
        }
        present = set(conn.execute(sa.select(_PS.c.name).where(_PS.c.name.in_(names))).scalars())
        _upsert(
            conn,
            _PS.update()
            .where(_PS.c.name == sa.bindparam("b_name"))
            .values(
                attributions=_PS.c.attributions + sa.bindparam("b_attributions"),
                articles=_PS.c.articles + sa.bindparam("b_articles"),
                outlets=sa.bindparam("b_outlets"),
            ),
            _PS,
            [
                {"b_name": n, "b_attributions": a, "b_articles": r, "b_outlets": outlets.get(n, 0)}
                for n, (a, r) in added.items()
                if n in present
            ],
            [
                {"name": n, "attributions": a, "articles": r, "outlets": outlets.get(n, 0)}
                for n, (a, r) in added.items()
                if n not in present
            ],
        )


def _upsert(
    conn: Connection,
    update: sa.Update,
    table: sa.Table,
    updates: list[dict[str, Any]],
    inserts: list[dict[str, Any]],
) -> None:
    """Rows known to exist updated, the others inserted: one statement each, executed for
    many rows (portable; one writer at a time holds the lock, so what was read stays true)."""
    if updates:
        conn.execute(update, updates)
    if inserts:
        conn.execute(table.insert(), inserts)


def _insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def people_of(conn: Connection, article_ids: Iterable[str]) -> set[str]:
    """The people the attributions of these articles cite (resolved names)."""
    found: set[str] = set()
    for ids in _chunks(article_ids):
        found.update(
            conn.execute(
                sa.select(_T.c.source_name)
                .distinct()
                .where(
                    _T.c.article_id.in_(ids),
                    _T.c.source_type == "PERSON",
                    _T.c.source_name.is_not(None),
                )
            ).scalars()
        )
    return found


def claims_of(conn: Connection, article_ids: Iterable[str]) -> set[int]:
    """The claims the attributions of these articles belong to now."""
    found: set[int] = set()
    for ids in _chunks(article_ids):
        found.update(
            conn.execute(
                sa.select(_T.c.claim_id)
                .distinct()
                .where(_T.c.article_id.in_(ids), _T.c.claim_id.is_not(None))
            ).scalars()
        )
    return found


def stories_of(conn: Connection, article_ids: Iterable[str]) -> set[int]:
    """The stories these articles belong to now."""
    found: set[int] = set()
    for ids in _chunks(article_ids):
        found.update(
            conn.execute(
                sa.select(_A.c.story_id)
                .distinct()
                .where(_A.c.id.in_(ids), _A.c.story_id.is_not(None))
            ).scalars()
        )
    return found


def refresh_articles(conn: Connection, article_ids: Iterable[str]) -> None:
    """Recompute everything these articles count in (their outlet changed)."""
    ids = set(article_ids)
    refresh(
        conn,
        claims=claims_of(conn, ids),
        stories=stories_of(conn, ids),
        people=people_of(conn, ids),
    )


# --- the generation -----------------------------------------------------------------------------


def bump(conn: Connection) -> None:
    """Raise the generation (in the caller's write transaction)."""
    conn.execute(_G.update().where(_G.c.id == 1).values(n=_G.c.n + 1))


def generation(conn: Connection) -> int:
    """The store's generation: it changes with every write transaction."""
    found = conn.execute(sa.select(_G.c.n).where(_G.c.id == 1)).scalar_one_or_none()
    return int(found or 0)
