"""The store: migrations, adding (batches, duplicates, revisions, rejections), reading back,
search, ingest progress; hypothesis round-trips.  Analyses are built by hand (no model)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, get_args

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, StoreError
from rumormill.model import (
    Analysis,
    Article,
    Attribution,
    AttributionKind,
    Certainty,
    Entity,
    Source,
    SourceType,
    Span,
)
from rumormill.store import Store, fts, migrations, records, schema
from tests.oldstore import at_migration

SEED_TEXT = (
    "Rumors about a coup to oust Putin are highly likely to be true, reports say. "
    '"Does it matter? It matters a lot," Russian security expert Andrei Soldatov told '
    "The Center for European Policy Analysis. Soldatov said the Kremlin could respond."
)


def span(text: str, needle: str, start: int = 0) -> Span:
    at = text.index(needle, start)
    return Span(at, at + len(needle), needle)


def seed_analysis(
    text: str = SEED_TEXT,
    *,
    published: date | None = date(2022, 5, 5),
    outlet: str | None = "YWN",
    url: str | None = "https://www.theyeshivaworld.com/news/coup",
    title: str | None = "Coup rumors",
) -> Analysis:
    """An analysis of the seed-like text above, every field filled by hand."""
    article = Article(text=text, published=published, outlet=outlet, url=url, title=title)
    later = text.index("Analysis")
    soldatov = Entity(
        "e1",
        "Andrei Soldatov",
        "PERSON",
        [span(text, "Andrei Soldatov"), span(text, "Soldatov", later)],
        ["Russian security expert"],
    )
    putin = Entity("e2", "Putin", "PERSON", [span(text, "Putin")], [])
    attributions = [
        Attribution(
            "a1",
            "unattributed",
            Source(None, "UNNAMED"),
            span(text, "reports say"),
            None,
            span(text, "a coup to oust Putin are highly likely to be true"),
            Certainty(1.2, "probable", ("highly likely", "reports say")),
        ),
        Attribution(
            "a2",
            "direct",
            Source(
                span(text, "Russian security expert Andrei Soldatov"),
                "PERSON",
                "e1",
                "Andrei Soldatov",
            ),
            span(text, "told"),
            span(text, "The Center for European Policy Analysis"),
            span(text, "Does it matter? It matters a lot,"),
            Certainty(3.0, "asserted"),
        ),
        Attribution(
            "a3",
            "indirect",
            Source(span(text, "Soldatov", later), "PERSON", "e1", "Andrei Soldatov"),
            span(text, "said"),
            None,
            span(text, "the Kremlin could respond"),
            Certainty(0.4, "possible", ("could",)),
        ),
    ]
    sentences = [Span(0, 76, text[:76]), Span(77, len(text), text[77:])]
    return Analysis(article, sentences, [soldatov, putin], attributions)


def plain(text: str, **article: Any) -> Analysis:
    """An analysis with no entities and no attributions."""
    article.setdefault("published", date(2022, 5, 5))
    return Analysis(Article(text=text, **article), [], [], [])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "news.db") as opened:
        yield opened


# --- opening, migrations ------------------------------------------------------------------------


def test_open_creates_a_wal_store_with_its_migrations_recorded(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Store.open(path).close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        rows = db.execute("SELECT number, name, applied_at FROM migrations").fetchall()
    finally:
        db.close()
    assert [(n, name) for n, name, _ in rows] == [(m.number, m.name) for m in migrations.MIGRATIONS]
    # Reopening applies nothing again.
    with Store.open(path) as store, store.reading() as conn:
        assert migrations.applied(conn) == {m.number: m.name for m in migrations.MIGRATIONS}
        times = conn.execute(sa.select(schema.migrations.c.applied_at)).scalars().all()
        assert all(t.tzinfo is UTC for t in times)
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_open_accepts_an_sqlalchemy_url(tmp_path: Path) -> None:
    path = tmp_path / "url.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.add([plain("By URL.")])
        assert store.label == str(path)
    with Store.open(path) as store:
        assert store.counts()["articles"] == 1


def test_a_migrated_store_matches_the_schema_module(store: Store) -> None:
    with store.reading() as conn:
        inspector = sa.inspect(conn)
        names = set(inspector.get_table_names())
        for table in schema.metadata.sorted_tables:
            assert table.name in names
            stored = {c["name"] for c in inspector.get_columns(table.name)}
            assert stored == set(table.columns.keys()), table.name
        assert set(fts.FTS_TABLES) <= names


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Store.open(path).close()
    db = sqlite3.connect(path)
    newer = migrations.latest() + 1
    with db:
        db.execute(
            "INSERT INTO migrations (number, name, applied_at) VALUES (?, 'from the future', ?)",
            (newer, "2030-01-01 00:00:00"),
        )
    db.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert caught.value.code is Errors.E061
    assert str(caught.value).startswith(f"[E061] {path}: the store is newer")
    assert f"migration {newer}" in str(caught.value)


def test_a_failing_migration_is_undone_whole_and_a_coded_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "news.db"
    Store.open(path).close()

    def half_done(conn: sa.Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    broken = migrations.Migration(migrations.latest() + 1, "broken", half_done)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert caught.value.code is Errors.E063
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)
    db = sqlite3.connect(path)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        numbers = [n for (n,) in db.execute("SELECT number FROM migrations")]
    finally:
        db.close()
    assert "half_done" not in tables
    assert numbers == [m.number for m in migrations.MIGRATIONS[:-1]]


def test_a_file_that_is_not_a_database_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some notes, not SQLite\n" * 100)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert caught.value.code is Errors.E060
    assert caught.value.__cause__ is not None


def test_someone_elses_database_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE articles (x INTEGER)")
    db.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert caught.value.code is Errors.E062


def test_create_false_refuses_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path / "missing.db", create=False)
    assert caught.value.code is Errors.E060
    assert not (tmp_path / "missing.db").exists()
    for target in (tmp_path, tmp_path / "no" / "such" / "folder.db", ":memory:"):
        with pytest.raises(StoreError) as caught:
            Store.open(target)
        assert caught.value.code is Errors.E060


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "news.db")
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError) as caught:
        store.has("x")
    assert caught.value.code is Errors.E065
    with pytest.raises(StoreError) as caught:
        store.add([plain("Late.")])
    assert caught.value.code is Errors.E064


# --- adding and reading back --------------------------------------------------------------------


def test_an_analysis_round_trips(store: Store) -> None:
    analysis = seed_analysis()
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    report = store.add([analysis], ingested_at=when)
    assert (report.added, report.revisions, report.duplicates, report.rejected) == (1, 0, 0, 0)
    article_id = analysis.article.id
    assert store.has(article_id)
    stored = store.article(article_id)
    assert stored is not None
    assert stored.analysis == analysis
    assert stored.article == analysis.article
    assert stored.ingested_at == when
    assert stored.ingested_at.tzinfo is UTC
    assert stored.outlet == "Yeshiva World News"  # the outlet's identity; article.outlet is "YWN"
    assert stored.to_dict() == {
        **analysis.to_dict(),
        "sentences": [s.to_list() for s in analysis.sentences],
    }
    rows = list(store.attributions(article_id=article_id))
    assert [r.attribution for r in rows] == analysis.attributions
    assert {r.published for r in rows} == {date(2022, 5, 5)}
    assert store.article("0" * 16) is None


def test_exact_duplicates_are_skipped_and_counted(store: Store) -> None:
    analysis = seed_analysis()
    first = store.add([analysis, analysis])
    assert (first.added, first.duplicates) == (1, 1)
    again = store.add([analysis])
    assert (again.added, again.duplicates, again.stored) == (0, 1, 0)
    assert [o.outcome for o in again.outcomes] == ["duplicate"]
    assert store.counts()["articles"] == 1
    assert store.counts()["attributions"] == 3


def test_same_url_new_text_is_a_revision(store: Store) -> None:
    url = "https://example.com/story"
    first = plain("First version.", url=url)
    second = plain("Second version, updated.", url=url)
    third = plain("Third version.", url=url)
    store.add([first])
    report = store.add([second, third])
    assert [(o.outcome, o.revision_of) for o in report.outcomes] == [
        ("revision", first.article.id),
        ("revision", second.article.id),
    ]
    assert report.revisions == 2
    stored = store.article(third.article.id)
    assert stored is not None
    assert stored.revision_of == second.article.id
    assert store.counts()["revisions"] == 2
    assert [s.id for s in store.articles(current_only=True)] == [third.article.id]
    assert len(list(store.articles())) == 3


def test_an_undated_article_is_stored_undated(store: Store) -> None:
    undated = plain("No date anywhere.", published=None)
    dated = plain("Dated.", published=date(2021, 1, 1))
    store.add([undated, dated])
    stored = store.article(undated.article.id)
    assert stored is not None
    assert stored.article.published is None
    assert stored.analysis == undated
    assert store.counts()["undated"] == 1
    # Undated articles come last, and are left out of a date range.
    assert [s.id for s in store.articles()] == [dated.article.id, undated.article.id]
    assert [s.id for s in store.articles(since=date(2000, 1, 1))] == [dated.article.id]


def test_the_date_source_is_kept_when_the_model_has_one(store: Store) -> None:
    @dataclass(frozen=True)
    class SourcedArticle(Article):  # what Article becomes when it gains `date_source`
        date_source: str | None = None

    article = SourcedArticle("Dated by its header.", date(2022, 5, 5), date_source="header")
    store.add([Analysis(article, [], [])])
    stored = store.article(article.id)
    assert stored is not None
    assert stored.date_source == "header"
    assert store.article(store.add([plain("No such field.")]).outcomes[0].article_id) is not None


def test_two_stores_on_one_file_write_in_turn(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Store.open(path) as one, Store.open(path) as two:
        for i in range(5):
            one.add([plain(f"One {i}.")])
            two.add([plain(f"Two {i}."), plain(f"One {i}.")])
        assert one.counts()["articles"] == two.counts()["articles"] == 10


def test_a_bad_article_is_rejected_by_name_and_the_batch_goes_on(store: Store) -> None:
    good = plain("Fine.")
    nul = plain("A NUL \x00 byte.")
    twins = Analysis(
        Article(text="Twin entities.", published=None),
        [],
        [Entity("e1", "A", "PERSON"), Entity("e1", "B", "PERSON")],
    )
    report = store.add([nul, good, twins])
    assert [o.outcome for o in report.outcomes] == ["rejected", "added", "rejected"]
    assert report.outcomes[0].reason is not None
    assert "NUL" in report.outcomes[0].reason
    assert report.rejected == 2
    assert store.counts()["articles"] == 1


def test_a_constraint_the_database_enforces_undoes_one_article_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With our own checks off, the database's unique constraint refuses two attributions with
    # one id, and the savepoint undoes that article alone (its outlet too), not the batch.
    monkeypatch.setattr(records, "problem", lambda analysis: None)
    text = "He said it."
    said = Attribution(
        "a1",
        "indirect",
        Source(None, "UNNAMED"),
        None,
        None,
        span(text, "it"),
        Certainty(0.0, "possible"),
    )
    bad = Analysis(Article(text=text, published=None, outlet="Echo"), [], [], [said, said])
    report = store.add([bad, plain("Kept.", outlet="Other")])
    assert [o.outcome for o in report.outcomes] == ["rejected", "added"]
    assert report.outcomes[0].reason is not None
    assert "UNIQUE" in report.outcomes[0].reason
    assert store.counts()["attributions"] == 0
    assert store.counts()["articles"] == 1
    assert [o.name for o in store.outlets()] == ["Other"]


def test_articles_are_filtered_streamed_and_limited(store: Store) -> None:
    batch = [
        plain(f"Story {i}.", published=date(2022, 5, 1) + timedelta(days=i), outlet=outlet)
        for i, outlet in enumerate(["City A.M.", "Reuters", "cityam.com", "Reuters", None])
    ]
    store.add(batch)
    texts = [s.article.text for s in store.articles()]
    assert texts == [f"Story {i}." for i in range(5)]
    window = store.articles(since=date(2022, 5, 2), until=date(2022, 5, 4))
    assert [s.article.text for s in window] == ["Story 1.", "Story 2.", "Story 3."]
    assert [s.article.text for s in store.articles(outlet="www.cityam.com")] == [
        "Story 0.",
        "Story 2.",
    ]
    assert [s.article.text for s in store.articles(outlet="Reuters", limit=1)] == ["Story 1."]
    assert list(store.articles(outlet="Nowhere Gazette")) == []
    # A reader part-way through does not block a writer (WAL), nor the writer the reader.
    reading = store.articles()
    assert next(reading).article.text == "Story 0."
    store.add([plain("Story 9.")])
    assert len(list(reading)) == 4  # its own snapshot
    assert store.counts()["articles"] == 6


def test_attributions_are_filtered(store: Store) -> None:
    analysis = seed_analysis()
    store.add([analysis, plain("Nothing said here.")])
    assert [r.attribution.id for r in store.attributions(unnamed=True)] == ["a1"]
    assert [r.attribution.id for r in store.attributions(unnamed=False)] == ["a2", "a3"]
    assert [r.attribution.id for r in store.attributions(source="andrei soldatov")] == ["a2", "a3"]
    assert [r.attribution.id for r in store.attributions(label="possible")] == ["a3"]
    assert [r.attribution.id for r in store.attributions(limit=1)] == ["a1"]
    assert list(store.attributions(article_id="nope")) == []


def test_entities_mentions_and_descriptors_are_rows_with_the_article_date(store: Store) -> None:
    store.add([seed_analysis()])
    with store.reading() as conn:
        entities = conn.execute(
            sa.select(schema.entities.c.name, schema.entities.c.published).order_by(
                schema.entities.c.position
            )
        ).all()
        descriptors = conn.execute(
            sa.select(schema.entity_descriptors.c.text, schema.entity_descriptors.c.published)
        ).all()
    assert [tuple(e) for e in entities] == [
        ("Andrei Soldatov", date(2022, 5, 5)),
        ("Putin", date(2022, 5, 5)),
    ]
    assert [tuple(d) for d in descriptors] == [("Russian security expert", date(2022, 5, 5))]
    assert store.counts()["mentions"] == 3


def test_ingest_progress_is_recorded_with_the_batch(store: Store) -> None:
    store.add([plain("One.")], source_names=["a.txt"])
    store.add([], source_names={"b.jsonl": "sha256:abc"})  # an input with nothing to store
    assert store.has_source("a.txt")
    assert store.has_source("b.jsonl", "sha256:abc")
    assert not store.has_source("b.jsonl", "sha256:changed")
    assert not store.has_source("c.html")
    store.add([], source_names={"b.jsonl": "sha256:changed"})
    assert store.has_source("b.jsonl", "sha256:changed")
    assert [s.name for s in store.sources()] == ["a.txt", "b.jsonl"]


def test_counts(store: Store) -> None:
    store.add([seed_analysis(), plain("Undated.", published=None)])
    counts = store.counts()
    assert counts["articles"] == 2
    assert counts["attributions"] == 3
    assert counts["entities"] == 2
    assert counts["undated"] == 1
    assert counts["revisions"] == 0
    assert counts["outlets"] == 1


# --- search ---------------------------------------------------------------------------------------


def test_search_finds_articles_and_claims(store: Store) -> None:
    analysis = seed_analysis()
    store.add([analysis, plain("Weather: sunny.", title="Forecast")])
    hits = store.search("kremlin")
    assert {(h.kind, h.attribution_id) for h in hits} == {("article", None), ("claim", "a3")}
    assert all(h.article_id == analysis.article.id for h in hits)
    claim = next(h for h in hits if h.kind == "claim")
    assert claim.snippet == "the [Kremlin] could respond"
    assert claim.outlet == "Yeshiva World News"
    assert [h.title for h in store.search("forecast")] == ["Forecast"]
    assert store.search("coup", limit=1)[0].score >= store.search("coup")[-1].score
    assert store.search("absent") == []


def test_search_handles_unicode_text(store: Store) -> None:
    store.add(
        [
            plain("Le café de la Gare a fermé, selon Élodie Côté."),
            plain("Мария Захарова заявила, что переворот невозможен."),
            plain("Ο υπουργός είπε ότι η συμφωνία είναι κοντά. 🚀"),
        ]
    )
    assert len(store.search("cafe")) == 1  # diacritics folded
    assert len(store.search("CAFÉ")) == 1
    assert len(store.search("elodie")) == 1
    assert len(store.search("захарова")) == 1  # Cyrillic, case-folded
    assert len(store.search("συμφωνία")) == 1
    assert len(store.search("перевор*")) == 1  # prefix query


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "title:(", "nosuchcolumn:word", "  "])
def test_a_bad_search_query_is_a_coded_error(store: Store, query: str) -> None:
    store.add([plain("Some text.")])
    with pytest.raises(StoreError) as caught:
        store.search(query)
    assert caught.value.code is Errors.E066


def test_the_portable_search_fallback(store: Store) -> None:
    store.add([seed_analysis(), plain("Another coup story.")])
    with store.reading() as conn:
        hits = fts.search_portable(conn, "kremlin COULD", limit=10, highlight=("<", ">"))
    assert [(h.kind, h.attribution_id) for h in hits] == [("article", None), ("claim", "a3")]
    assert "<Kremlin>" in hits[1].snippet
    with store.reading() as conn:
        assert len(fts.search_portable(conn, "coup", limit=10, highlight=("", ""))) == 3


# --- hypothesis round trips ----------------------------------------------------------------------

TEXT = st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=("Cs",))
WORDS = st.text(TEXT, min_size=0, max_size=12)
KINDS: tuple[AttributionKind, ...] = get_args(AttributionKind)
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)


@st.composite
def analyses(draw: st.DrawFn) -> Analysis:
    text = draw(st.text(TEXT, min_size=1, max_size=60))

    def any_span() -> Span:
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        return Span(start, end, text[start:end])

    def maybe_span() -> Span | None:
        return any_span() if draw(st.booleans()) else None

    article = Article(
        text=text,
        published=draw(st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31))),
        outlet=draw(st.sampled_from([None, "City A.M.", "cityam.com", "Reuters", "Le Monde"])),
        url=draw(st.sampled_from([None, "https://www.cityam.com/a", "https://lemonde.fr/b"])),
        title=draw(st.none() | WORDS),
        language=draw(st.sampled_from(["en", "fr", "ru"])),
        credit=draw(st.none() | WORDS),
    )
    entities = [
        Entity(
            f"e{i}",
            draw(WORDS),
            draw(st.sampled_from(["PERSON", "ORG", "GPE"])),
            [any_span() for _ in range(draw(st.integers(0, 3)))],
            draw(st.lists(WORDS, max_size=2)),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    attributions = [
        Attribution(
            f"a{i}",
            draw(st.sampled_from(KINDS)),
            Source(
                maybe_span(),
                draw(st.sampled_from(SOURCE_TYPES)),
                draw(st.none() | st.sampled_from([e.id for e in entities] or ["e9"])),
                draw(st.none() | WORDS),
            ),
            maybe_span(),
            maybe_span(),
            any_span(),
            Certainty(
                draw(st.floats(-3, 3, allow_nan=False)),
                draw(st.sampled_from(["asserted", "probable", "possible", "doubted", "denied"])),
                tuple(draw(st.lists(WORDS, max_size=2))),
            ),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    sentences = [any_span() for _ in range(draw(st.integers(0, 2)))]
    return Analysis(article, sentences, entities, attributions)


def firsts(batch: list[Analysis]) -> dict[str, Analysis]:
    """Each id's first analysis: the one a store keeps."""
    kept: dict[str, Analysis] = {}
    for analysis in batch:
        kept.setdefault(analysis.article.id, analysis)
    return kept


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a comparable form."""
    with store.reading() as conn:
        return {
            table.name: sorted(
                (tuple(repr(v) for v in row) for row in conn.execute(sa.select(table))),
            )
            for table in schema.metadata.sorted_tables
        }


@settings(max_examples=25)
@given(st.lists(analyses(), max_size=6))
def test_any_batch_round_trips_and_adding_it_again_changes_nothing(batch: list[Analysis]) -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "h.db") as store:
        report = store.add(batch)
        expected = firsts(batch)
        assert report.stored == len(expected)
        assert report.duplicates == len(batch) - len(expected)
        for article_id, analysis in expected.items():
            stored = store.article(article_id)
            assert stored is not None
            assert stored.analysis == analysis
            rows = store.attributions(article_id=article_id)
            assert [r.attribution for r in rows] == analysis.attributions
        before = snapshot(store)
        again = store.add(batch)
        assert again.stored == 0
        assert snapshot(store) == before


@settings(max_examples=12)
@given(st.lists(st.lists(analyses(), max_size=4), max_size=4), st.randoms(use_true_random=False))
def test_the_order_of_batches_does_not_change_what_is_stored(
    batches: list[list[Analysis]], rng: Any
) -> None:
    # One analysis per id everywhere, so that "the first one wins" cannot differ by order.
    kept = firsts([a for batch in batches for a in batch])
    batches = [[kept[a.article.id] for a in batch] for batch in batches]
    shuffled = [list(batch) for batch in batches]
    rng.shuffle(shuffled)
    for batch in shuffled:
        rng.shuffle(batch)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n, order in enumerate((batches, shuffled)):
            with Store.open(Path(folder) / f"{n}.db") as store:
                for batch in order:
                    store.add(batch)
                results.append({s.id: s.analysis for s in store.articles()})
    assert results[0] == results[1] == {i: a for i, a in kept.items()}


# --- corpus entities (migration 3) -------------------------------------------------------------


def test_a_store_at_migration_2_migrates_to_3_and_keeps_its_entities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with at_migration(monkeypatch, 2), Store.open(path) as old:
        old.add([seed_analysis()])
    db = sqlite3.connect(path)
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(entities)")}
        assert "corpus_entity_id" not in columns
        assert max(n for (n,) in db.execute("SELECT number FROM migrations")) == 2
    finally:
        db.close()
    with Store.open(path) as store:
        with store.reading() as conn:
            assert max(migrations.applied(conn)) == migrations.latest()
            inspector = sa.inspect(conn)
            assert {"corpus_entities", "resolver_entities", "resolver_keys"} <= set(
                inspector.get_table_names()
            )
            indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes("entities")}
            assert ("corpus_entity_id",) in indexed
            linked = conn.execute(sa.select(schema.entities.c.corpus_entity_id)).scalars().all()
        assert linked == [None, None]  # stored before: not linked
        assert store.counts()["entities"] == 2
        later = seed_analysis(SEED_TEXT + " Later.", url="https://example.com/later")
        links = records.Links(
            entity={(later.article.id, "e1"): 1, (later.article.id, "e2"): 2},
            corpus_entities={
                1: records.CorpusEntityUpdate("Andrei Soldatov", "PERSON"),
                2: records.CorpusEntityUpdate("Vladimir Putin", "PERSON"),
            },
        )
        store.add([later], links=links)
        soldatov = store.entity(1)
        assert soldatov is not None
        assert (soldatov.name, soldatov.articles, soldatov.mentions) == ("Andrei Soldatov", 1, 2)
        assert [(r.text, r.first_seen) for r in soldatov.roles] == [
            ("Russian security expert", date(2022, 5, 5))
        ]
        assert [e.id for e in store.find_entities("putin")] == [2]


def test_the_migrated_indexes_match_the_schema_module(store: Store) -> None:
    tables = (
        schema.articles,
        schema.attributions,
        schema.entities,
        schema.corpus_entities,
        schema.resolver_entities,
        schema.resolver_keys,
        schema.claim_stats,
        schema.story_stats,
        schema.person_stats,
        schema.person_outlets,
        schema.store_generation,
    )
    with store.reading() as conn:
        inspector = sa.inspect(conn)
        for table in tables:
            stored = {ix["name"] for ix in inspector.get_indexes(table.name)}
            assert stored == {ix.name for ix in table.indexes}, table.name
            unique = {
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name)
            }
            expected = {
                tuple(c.name for c in u.columns)
                for u in table.constraints
                if isinstance(u, sa.UniqueConstraint)
            }
            assert unique == expected, table.name


def test_the_entity_resolvers_changes_are_written_and_read_back(store: Store) -> None:
    analysis = seed_analysis()
    first = records.Links(
        resolver_entities={
            1: records.ResolverEntity(1, "PERSON", "Soldatov", 0),
            2: records.ResolverEntity(2, "PERSON", "Putin", 0),
        },
        resolver_keys={("PERSON", "bare", "soldatov"): 1, ("PERSON", "bare", "putin"): 2},
    )
    store.add([analysis], links=first)
    # The next batch names Andrei Soldatov in full: entity 1 changes, its bare name goes.
    second = records.Links(
        resolver_entities={1: records.ResolverEntity(1, "PERSON", "Andrei Soldatov", 1)},
        resolver_keys={
            ("PERSON", "bare", "soldatov"): None,
            ("PERSON", "full", "andrei soldatov"): 1,
        },
    )
    store.add([analysis], links=second)  # a duplicate: the resolver's changes are written
    assert list(store.resolver_rows()) == [
        records.ResolverEntity(1, "PERSON", "Andrei Soldatov", 1),
        records.ResolverEntity(2, "PERSON", "Putin", 0),
        records.ResolverKey("PERSON", "bare", "putin", 2),
        records.ResolverKey("PERSON", "full", "andrei soldatov", 1),
    ]
    # A surname seen alone again, now a person of its own; written twice, kept once.
    third = records.Links(
        resolver_entities={3: records.ResolverEntity(3, "PERSON", "Soldatov", 0)},
        resolver_keys={("PERSON", "bare", "soldatov"): 3},
    )
    store.add([], links=third)
    store.add([], links=third)
    rows = list(store.resolver_rows())
    assert records.ResolverKey("PERSON", "bare", "soldatov", 3) in rows
    assert len(rows) == 6
    assert store.counts()["corpus_entities"] == 0  # what readers see comes with `entity`


def test_entity_links_of_skipped_articles_are_not_written(store: Store) -> None:
    analysis = seed_analysis()
    store.add([analysis])
    again = records.Links(
        entity={(analysis.article.id, "e1"): 7},
        corpus_entities={7: records.CorpusEntityUpdate("Andrei Soldatov", "PERSON")},
    )
    store.add([analysis], links=again)  # a duplicate: its entities keep what they had
    with store.reading() as conn:
        linked = conn.execute(sa.select(schema.entities.c.corpus_entity_id)).scalars().all()
    assert linked == [None, None]
    assert store.entity(7) is None
    assert store.counts()["corpus_entities"] == 0
