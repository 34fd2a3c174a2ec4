"""The statistics kept per claim, story and cited person (`store/stats.py`) and the store's
generation: kept batch by batch, they always equal a count made afresh from the attributions
and articles (any batches, any links, re-pointed members, outlet merges), migration 6 fills
them for a store written before, and the dashboard's lists read them."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rumormill.ingestion import ingest
from rumormill.store import Links, Store, migrations, queries, schema, stats
from rumormill.web import queries as web_queries
from tests.oldstore import at_migration
from tests.test_store import SEED_TEXT, analyses, seed_analysis

CASCADE = Path(__file__).parent / "data" / "cascade"
HEDGED = ("possible", "probable", "doubted")


def kept(store: Store) -> dict[str, set[tuple[Any, ...]]]:
    """The rows of the three statistics tables."""
    with store.reading() as conn:
        return {
            table.name: {tuple(row) for row in conn.execute(sa.select(table))}
            for table in (
                schema.claim_stats,
                schema.story_stats,
                schema.person_stats,
                schema.person_outlets,
            )
        }


def counted(store: Store) -> dict[str, set[tuple[Any, ...]]]:
    """The same rows, counted afresh in Python from every attribution and article."""
    with store.reading() as conn:
        articles = {
            r.id: r
            for r in conn.execute(
                sa.select(
                    schema.articles.c.id,
                    schema.articles.c.outlet_id,
                    schema.articles.c.published,
                    schema.articles.c.story_id,
                )
            )
        }
        attributions = list(conn.execute(sa.select(schema.attributions)))
    claims: dict[int, list[Any]] = defaultdict(list)
    people: dict[str, list[Any]] = defaultdict(list)
    for t in attributions:
        if t.claim_id is not None:
            claims[t.claim_id].append(t)
        if t.source_type == "PERSON" and t.source_name is not None:
            people[t.source_name].append(t)
    claim_rows = set()
    for claim_id, said in claims.items():
        dates = [t.published for t in said if t.published is not None]
        first, last = (min(dates), max(dates)) if dates else (None, None)
        n_articles = len({t.article_id for t in said})
        unnamed = [t.source_type == "UNNAMED" or t.kind == "unattributed" for t in said]
        hedged = [t.certainty_label in HEDGED for t in said]
        outlets = {articles[t.article_id].outlet_id for t in said} - {None}
        claim_rows.add(
            (
                claim_id,
                len(said),
                n_articles,
                len(outlets),
                sum(unnamed),
                sum(hedged),
                sum(u or h for u, h in zip(unnamed, hedged, strict=True)),
                first,
                last,
                stats.growth(n_articles, first, last),
            )
        )
    stories: dict[int, list[Any]] = defaultdict(list)
    for a in articles.values():
        if a.story_id is not None:
            stories[a.story_id].append(a)
    story_rows = set()
    for story_id, members in stories.items():
        dates = [a.published for a in members if a.published is not None]
        story_rows.add(
            (
                story_id,
                len(members),
                len({a.outlet_id for a in members} - {None}),
                min(dates) if dates else None,
                max(dates) if dates else None,
            )
        )
    person_rows = {
        (
            name,
            len(said),
            len({t.article_id for t in said}),
            len({articles[t.article_id].outlet_id for t in said} - {None}),
        )
        for name, said in people.items()
    }
    pairs: dict[tuple[str, int], int] = defaultdict(int)
    for name, said in people.items():
        for t in said:
            outlet = articles[t.article_id].outlet_id
            if outlet is not None:
                pairs[(name, outlet)] += 1
    return {
        "claim_stats": claim_rows,
        "story_stats": story_rows,
        "person_stats": person_rows,
        "person_outlets": {(name, outlet, n) for (name, outlet), n in pairs.items()},
    }


@st.composite
def batches(draw: st.DrawFn) -> list[tuple[list[Any], Links]]:
    """Batches of analyses with links: claim ids for their attributions and story ids for
    their articles, drawn from small ranges so that claims and stories span batches, and
    now and then an earlier article's attributions and story re-pointed (a merge)."""
    found = []
    earlier: list[Any] = []
    for _ in range(draw(st.integers(1, 4))):
        batch = draw(st.lists(analyses(), min_size=1, max_size=4))
        claim: dict[tuple[str, str], int] = {}
        story: dict[str, int] = {}
        for analysis in [
            *batch,
            *draw(st.lists(st.sampled_from(earlier), max_size=2) if earlier else st.just([])),
        ]:
            if draw(st.booleans()):
                story[analysis.article.id] = draw(st.integers(1, 4))
            for attribution in analysis.attributions:
                if draw(st.booleans()):
                    claim[(analysis.article.id, attribution.id)] = draw(st.integers(1, 5))
        found.append((batch, Links(claim=claim, story=story)))
        earlier.extend(batch)
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_the_statistics_kept_batch_by_batch_equal_a_fresh_count(
    written: list[tuple[list[Any], Links]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "s.db") as store:
        for batch, links in written:
            store.add(batch, links=links)
            assert kept(store) == counted(store)
        outlets = [o for o in store.outlets() if o.articles]
        if len(outlets) >= 2:  # the outlet counts follow a merge
            store.merge_outlets(outlets[0], outlets[1])
            assert kept(store) == counted(store)


@pytest.mark.model
def test_on_the_real_cascade_the_statistics_equal_a_fresh_count(tmp_path: Path) -> None:
    db = tmp_path / "cascade.db"
    ingest([str(CASCADE)], db=db)
    with Store.open(db) as store:
        found = kept(store)
        assert found == counted(store)
        (largest,) = [r for r in found["claim_stats"] if r[2] == 7]  # one claim, 7 articles
        assert largest[3] == 7  # seven outlets
        assert queries.claims(store, limit=1)[0].claim_id == largest[0]
        assert web_queries.awaiting(store)[0].claim_id == largest[0]
        people = {p.name: p for p in queries.cited_people(store)}
        assert people["Andrei Soldatov"].outlets >= 2


def test_a_store_written_before_migration_6_is_counted_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    one = seed_analysis()
    two = seed_analysis(SEED_TEXT + " Two.", url="https://example.com/two")
    links = Links(
        claim={(a.article.id, t.id): 1 for a in (one, two) for t in a.attributions},
        story={one.article.id: 1, two.article.id: 1},
    )
    with at_migration(monkeypatch, 5), Store.open(path) as old:
        old.add([one, two], links=links)
    with Store.open(path) as store:
        with store.reading() as conn:
            assert max(migrations.applied(conn)) == migrations.latest()
            assert stats.generation(conn) == 0
        found = kept(store)
        assert found == counted(store)
        assert {r[0] for r in found["claim_stats"]} == {1}
        assert {r[:2] for r in found["story_stats"]} == {(1, 2)}


def test_the_generation_moves_with_every_change_and_not_with_a_duplicate(tmp_path: Path) -> None:
    with Store.open(tmp_path / "g.db") as store:

        def generation() -> int:
            with store.reading() as conn:
                return stats.generation(conn)

        start = generation()
        store.add([seed_analysis()])
        after_add = generation()
        assert after_add > start
        store.add([seed_analysis()])  # a duplicate: nothing changed
        assert generation() == after_add
        store.add_alias("cityam.com", "City A.M.")
        assert generation() > after_add


def test_the_newest_stories_are_read_newest_first_and_undated_last(tmp_path: Path) -> None:
    days = [date(2022, 5, 1), date(2022, 5, 9), date(2022, 5, 3), None]
    dated = [
        seed_analysis(SEED_TEXT + f" Story {k}.", url=f"https://example.com/{k}", published=day)
        for k, day in enumerate(days)
    ]
    links = Links(story={a.article.id: k + 1 for k, a in enumerate(dated)})
    with Store.open(tmp_path / "n.db") as store:
        store.add(dated, links=links)
        assert [s.story_id for s in web_queries.newest_stories(store, limit=10)] == [2, 3, 1, 4]
        assert [s.story_id for s in web_queries.newest_stories(store, limit=2)] == [2, 3]


def test_the_dashboard_is_computed_again_only_after_a_write(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from rumormill.web import create_app

    db = tmp_path / "d.db"
    with Store.open(db) as store:
        store.add([seed_analysis()])
    app = create_app(db, token="t")
    with TestClient(app) as client:
        first = client.get("/index.json").json()
        assert client.get("/index.json").json() == first
        assert app.state.dashboard.computed == 1  # the second read was the kept one
        with Store.open(db) as writer:  # another process's write: the generation moves
            writer.add([seed_analysis(SEED_TEXT + " More.", url="https://example.com/more")])
        again = client.get("/index.json").json()
        assert again["counts"]["articles"] == first["counts"]["articles"] + 1
        assert app.state.dashboard.computed == 2


def test_a_claim_page_is_kept_until_a_write_and_an_unknown_one_never(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from rumormill.web import create_app

    db = tmp_path / "c.db"
    analysis = seed_analysis()
    links = Links(claim={(analysis.article.id, t.id): 1 for t in analysis.attributions})
    with Store.open(db) as store:
        store.add([analysis], links=links)
    app = create_app(db, token="t")
    with TestClient(app) as client:
        first = client.get("/claims/1.json").json()
        assert client.get("/claims/1").status_code == 200  # the page and its twin share it
        assert app.state.claims.computed == 1
        assert first["resolution"] is None
        for _ in range(2):
            assert client.get("/claims/2.json").status_code == 404
        assert app.state.claims.computed == 1  # an unknown claim is never kept
        recorded = client.post(
            "/claims/1/resolve.json",
            json={"outcome": "false", "date": "2022-05-12", "evidence": "a denial"},
            headers={"Authorization": "Bearer t"},
        )
        assert recorded.status_code == 200, recorded.text
        assert client.get("/claims/1.json").json()["resolution"]["outcome"] == "false"
        assert app.state.claims.computed == 2
