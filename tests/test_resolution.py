"""Resolutions, suggested resolutions and track records (issue 7), on hand-built stores (no
model): the append-only history and its undo, rumors dropping resolved claims, the denial and
confirmation rules, track records against the arithmetic of `trackrecord.py`, migration 4 ->
5, hypothesis properties of the history, and the commands."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rumormill import resolution, suggestions
from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.resolution import current, history, resolve, undo
from rumormill.store import Links, Store, migrations, queries, records, schema
from rumormill.trackrecord import Forecast, track_record
from tests.oldstore import at_migration

runner = CliRunner()
DAY = date(2022, 5, 4)


def span(text: str, needle: str, start: int = 0) -> Span:
    at = text.index(needle, start)
    return Span(at, at + len(needle), needle)


@dataclass(frozen=True)
class Said:
    """One attribution of a hand-made article: who says what, how surely."""

    source: str | None  # None: unattributed
    content: str
    score: float
    label: str
    source_type: str = "PERSON"


def article(
    outlet: str, day: date, said: Sequence[Said], *, people: Sequence[str] = ()
) -> Analysis:
    """An article whose sentences are '<source> said <content>.' (or the content alone), with
    an entity for each named source and each of `people` (named where the text has them)."""
    parts = []
    for s in said:
        parts.append(f"{s.source} said {s.content}." if s.source else f"{s.content}.")
    text = " ".join(parts)
    entities: list[Entity] = []
    ids: dict[str, str] = {}
    for name in [*(s.source for s in said if s.source), *people]:
        if name in ids or name not in text:
            continue
        ids[name] = f"e{len(ids) + 1}"
        kind = "ORG" if name.startswith("The ") else "PERSON"
        entities.append(Entity(ids[name], name, kind, [span(text, name)], []))
    attributions = []
    at = 0
    for k, s in enumerate(said):
        content = span(text, s.content, at)
        at = content.end
        if s.source:
            source = Source(
                span(text, s.source, max(0, content.start - len(s.source) - 10)),
                s.source_type,
                ids[s.source],
                s.source,
            )
            cue = span(text, "said", source.span.end if source.span else 0)
            kind = "indirect"
        else:
            source, cue, kind = Source(None, "UNNAMED"), None, "unattributed"
        attributions.append(
            Attribution(f"a{k + 1}", kind, source, cue, None, content, Certainty(s.score, s.label))
        )
    return Analysis(
        Article(text=text, published=day, outlet=outlet), [Span(0, len(text), text)], entities,
        attributions,
    )  # fmt: skip


PURGE = "Putin purged 150 officers of the FSB"
COUP = "a coup against the president is being prepared"


def corpus() -> list[Analysis]:
    """Claim 1 (the purge): Soldatov asserts it, two outlets echo it, the Kremlin denies it.
    Claim 2 (a coup): asserted by Soldatov, confirmed by two other named voices later."""
    return [
        article(
            "City A.M.",
            date(2022, 5, 4),
            [Said("Andrei Soldatov", PURGE, 3.0, "asserted")],
            people=["Putin"],
        ),
        article(
            "Daily Express", date(2022, 5, 5), [Said(None, PURGE + " reportedly", 1.5, "probable")]
        ),
        article(
            "The Mirror", date(2022, 5, 6), [Said(None, PURGE + " allegedly", 0.2, "possible")]
        ),
        article(
            "Reuters",
            date(2022, 5, 12),
            [Said("The Kremlin", "it was untrue that " + PURGE, -3.0, "denied", "ORG")],
            people=["Putin"],
        ),
        article("Sky News", date(2022, 6, 1), [Said("Andrei Soldatov", COUP, 3.0, "asserted")]),
        article("CNN", date(2022, 6, 3), [Said("Jane Roe", COUP + " now", 3.0, "asserted")]),
        article("BBC", date(2022, 6, 4), [Said("John Doe", COUP + " soon", 2.9, "asserted")]),
    ]  # fmt: skip


def links(analyses: Sequence[Analysis]) -> Links:
    """Claim 1 (the purge) and 2 (the coup); Andrei Soldatov is corpus entity 1."""
    claim: dict[tuple[str, str], int] = {}
    entity: dict[tuple[str, str], int] = {}
    for a in analyses:
        for at in a.attributions:
            claim[(a.article.id, at.id)] = 1 if "FSB" in at.content.text else 2
        for e in a.entities:
            if e.name == "Andrei Soldatov":
                entity[(a.article.id, e.id)] = 1
    soldatov = {1: records.CorpusEntityUpdate("Andrei Soldatov", "PERSON")} if entity else {}
    return Links(claim=claim, entity=entity, corpus_entities=soldatov)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "news.db") as opened:
        analyses = corpus()
        opened.add(analyses, links=links(analyses))
        yield opened


# --- resolving ------------------------------------------------------------------------------------


def test_resolve_records_an_outcome_that_is_current(store: Store) -> None:
    assert current(store, 1) is None
    event = resolve(store, 1, "False", date(2022, 5, 12), " https://example.com/denial ", by="ana")
    assert (event.action, event.outcome, event.evidence) == (
        "resolve",
        "false",
        "https://example.com/denial",
    )
    now = current(store, 1)
    assert now is not None
    assert (now.outcome, now.on, now.by, now.event_id, now.resolved) == (
        "false",
        date(2022, 5, 12),
        "ana",
        event.id,
        True,
    )
    assert current(store, 2) is None


def test_undo_withdraws_the_latest_and_keeps_every_change(store: Store) -> None:
    first = resolve(store, 1, "true", DAY, "note 1")
    second = resolve(store, 1, "false", DAY, "note 2")
    withdrawn = undo(store, 1, by="bo")
    assert withdrawn.undoes == second.id
    assert current(store, 1).event_id == first.id  # type: ignore[union-attr]
    undo(store, 1)
    assert current(store, 1) is None
    with pytest.raises(InputError) as caught:
        undo(store, 1)
    assert caught.value.code is Errors.E125
    events = history(store, 1)
    assert [e.action for e in events] == ["resolve", "resolve", "undo", "undo"]
    assert [e.undone_by for e in events[:2]] == [events[3].id, events[2].id]


def test_recording_unresolved_reopens_the_claim_for_rumors(store: Store) -> None:
    assert 1 in {r.claim_id for r in queries.rumors(store)}
    resolve(store, 1, "false", DAY, "denied")
    assert 1 not in {r.claim_id for r in queries.rumors(store)}
    resolve(store, 1, "unresolved", DAY, "the denial was retracted")
    assert current(store, 1).outcome == "unresolved"  # type: ignore[union-attr]
    assert 1 in {r.claim_id for r in queries.rumors(store)}
    assert len(history(store, 1)) == 2


@pytest.mark.parametrize(
    ("claim", "outcome", "evidence", "code"),
    [
        (99, "true", "x", Errors.E093),
        (1, "maybe", "x", Errors.E120),
        (1, "true", "  ", Errors.E126),
    ],
)
def test_bad_resolutions_are_coded_errors_and_record_nothing(
    store: Store, claim: int, outcome: str, evidence: str, code: Errors
) -> None:
    with pytest.raises(InputError) as caught:
        resolve(store, claim, outcome, DAY, evidence)
    assert caught.value.code is code
    assert history(store, claim) == []


def test_show_claim_has_the_resolution_and_its_history(store: Store) -> None:
    resolve(store, 1, "false", DAY, "denied")
    detail = queries.claim(store, 1)
    assert detail.resolution is not None
    assert detail.resolution.outcome == "false"
    data = detail.to_dict()
    assert data["resolution"]["outcome"] == "false"
    assert [e["action"] for e in data["history"]] == ["resolve"]


# --- the history, as a property -------------------------------------------------------------------

OPS = st.lists(
    st.one_of(st.sampled_from(["true", "false", "partly", "unresolved"]), st.just("undo")),
    max_size=12,
)


@settings(max_examples=40)
@given(OPS)
def test_current_is_the_last_event_not_undone(ops: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "h.db") as store:
        analyses = corpus()[:1]
        store.add(analyses, links=links(analyses))
        stack: list[tuple[int, str]] = []
        recorded = 0
        for k, op in enumerate(ops):
            if op == "undo":
                if not stack:
                    with pytest.raises(InputError):
                        undo(store, 1)
                    continue
                undo(store, 1)
                stack.pop()
            else:
                event = resolve(store, 1, op, DAY, f"note {k}")
                stack.append((event.id, op))
            recorded += 1
        now = current(store, 1)
        if stack:
            assert now is not None
            assert (now.event_id, now.outcome) == stack[-1]
        else:
            assert now is None
        events = history(store, 1)
        assert len(events) == recorded
        assert [e.id for e in events] == sorted(e.id for e in events)
        live = [e for e in events if e.action == "resolve" and e.undone_by is None]
        assert [(e.id, e.outcome) for e in live] == stack
        resolved = {r.claim_id for r in resolution.resolutions(store)}
        assert resolved == ({1} if stack else set())
        rumor = 1 in {r.claim_id for r in queries.rumors(store, limit=100)}
        closed = bool(stack) and stack[-1][1] != "unresolved"
        assert rumor is False or not closed


# --- suggestions ----------------------------------------------------------------------------------


def test_a_denial_by_who_the_claim_is_about_is_suggested_false_once(store: Store) -> None:
    found = suggestions.suggest(store)
    denials = [s for s in found if s.claim_id == 1]
    assert [(s.outcome, s.rule, s.status) for s in denials] == [("false", "denial", "pending")]
    (denial,) = denials
    assert denial.published == date(2022, 5, 12)
    assert "The Kremlin, an official voice of Putin" in denial.reason
    assert denial.evidence[0]["certainty_label"] == "denied"
    assert current(store, 1) is None  # never recorded silently
    again = suggestions.suggest(store)
    assert [s.id for s in again] == [s.id for s in found]
    assert len(suggestions.suggestions(store, status=None)) == len(found)


def test_a_confirmation_by_two_new_independent_voices_is_suggested_true(store: Store) -> None:
    found = [s for s in suggestions.suggest(store, 2)]
    assert [(s.outcome, s.rule) for s in found] == [("true", "confirmation")]
    assert [e["source"] for e in found[0].evidence] == ["Jane Roe", "John Doe"]


def test_no_confirmation_from_the_voice_that_started_it(tmp_path: Path) -> None:
    analyses = [
        article("Sky News", date(2022, 6, 1), [Said("Andrei Soldatov", COUP, 3.0, "asserted")]),
        article("CNN", date(2022, 6, 3), [Said("Andrei Soldatov", COUP + " now", 3.0, "asserted")]),
        article("BBC", date(2022, 6, 4), [Said("Jane Roe", COUP + " soon", 1.5, "probable")]),
    ]  # fmt: skip
    with Store.open(tmp_path / "n.db") as opened:
        opened.add(analyses, links=links(analyses))
        assert suggestions.suggest(opened) == []


def test_accepting_records_a_resolution_citing_it_and_rejecting_records_none(
    store: Store,
) -> None:
    found = {s.claim_id: s for s in suggestions.suggest(store)}
    event = suggestions.accept(store, found[1].id, by="ana")
    assert (event.outcome, event.on, event.suggestion_id) == (
        "false",
        date(2022, 5, 12),
        found[1].id,
    )
    assert f"suggestion {found[1].id}" in (event.evidence or "")
    rejected = suggestions.reject(store, found[2].id, by="ana")
    assert (rejected.status, rejected.decided_by) == ("rejected", "ana")
    assert current(store, 2) is None
    assert suggestions.pending(store) == []
    with pytest.raises(InputError) as caught:
        suggestions.accept(store, found[2].id)
    assert caught.value.code is Errors.E129
    with pytest.raises(InputError) as missing:
        suggestions.reject(store, 999)
    assert missing.value.code is Errors.E128
    # A resolved claim is not scanned again; a rejected suggestion is not proposed again.
    assert [s.status for s in suggestions.suggest(store)] == ["rejected"]


# --- track records --------------------------------------------------------------------------------


def test_track_records_of_sources_and_outlets(store: Store) -> None:
    resolve(store, 1, "false", DAY, "denied")
    resolve(store, 2, "true", DAY, "it happened")
    rows = {(r.kind, r.name): r for r in queries.sources(store)}
    soldatov = rows[("source", "Andrei Soldatov")].record
    assert soldatov == track_record(
        [Forecast.from_certainty(3.0, "false"), Forecast.from_certainty(3.0, "true")]
    )
    kremlin = rows[("source", "The Kremlin")].record
    assert kremlin.counts["false"] == 1
    assert kremlin.brier == pytest.approx(0.05**2)
    express = rows[("outlet", "Daily Express")].record
    assert express.resolved == 1
    assert [r.name for r in queries.sources(store, sort="name", min_resolved=2)] == [
        "Andrei Soldatov"
    ]
    briers = [r.record.brier for r in queries.sources(store)]
    assert briers == sorted(briers)  # type: ignore[type-var]
    with pytest.raises(InputError) as caught:
        queries.sources(store, sort="fame")
    assert caught.value.code is Errors.E130


def test_unresolved_outcomes_are_counted_not_scored(store: Store) -> None:
    resolve(store, 1, "unresolved", DAY, "open")
    assert queries.sources(store) == []
    assert queries.sources(store, min_resolved=1, kind="outlet") == []


# --- migration 4 -> 5 -----------------------------------------------------------------------------


def test_a_store_at_migration_4_migrates_to_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    analyses = corpus()
    with at_migration(monkeypatch, 4), Store.open(path) as old:
        old.add(analyses, links=links(analyses))
    db = sqlite3.connect(path)
    try:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "resolution_events" not in tables
    finally:
        db.close()
    with Store.open(path) as opened:
        with opened.reading() as conn:
            assert max(migrations.applied(conn)) == migrations.latest()
            inspector = sa.inspect(conn)
            for table in (schema.resolution_events, schema.suggestions):
                columns = {c["name"] for c in inspector.get_columns(table.name)}
                assert columns == set(table.columns.keys())
                indexed = {ix["name"] for ix in inspector.get_indexes(table.name)}
                assert indexed == {ix.name for ix in table.indexes}
        assert [r.claim_id for r in queries.rumors(opened)] == [1]
        resolve(opened, 1, "false", DAY, "denied")
        assert queries.rumors(opened) == []


# --- the commands ---------------------------------------------------------------------------------


def test_the_commands(store: Store) -> None:
    db = store.label
    command = ["resolve", "1", "--outcome", "false", "--date", "2022-05-12", "--evidence", "n"]
    resolved = runner.invoke(app, [*command, "--db", db])
    assert resolved.exit_code == 0, resolved.output
    assert "claim 1: false on 2022-05-12" in resolved.output
    listed = runner.invoke(app, ["resolutions", "--db", db, "--json"])
    assert [r["outcome"] for r in json.loads(listed.stdout)] == ["false"]
    undone = runner.invoke(app, ["resolve", "1", "--undo", "--db", db])
    assert undone.exit_code == 0
    assert "withdrawn" in undone.output
    again = runner.invoke(app, ["resolve", "1", "--undo", "--db", db])
    assert again.exit_code == 2
    assert "[E125]" in again.output
    dateless = runner.invoke(
        app, ["resolve", "1", "--outcome", "true", "--evidence", "x", "--db", db]
    )
    assert dateless.exit_code == 2
    assert "[E127]" in dateless.output
    changes = runner.invoke(app, ["resolutions", "--claim", "1", "--db", db, "--json"])
    assert [e["action"] for e in json.loads(changes.stdout)] == ["resolve", "undo"]
    refreshed = runner.invoke(app, ["suggestions", "--refresh", "--db", db, "--json"])
    pending = json.loads(refreshed.stdout)
    assert sorted((s["claim_id"], s["outcome"]) for s in pending) == [(1, "false"), (2, "true")]
    first = {s["claim_id"]: s["id"] for s in pending}
    accepted = runner.invoke(app, ["suggestions", "--accept", str(first[1]), "--db", db])
    assert accepted.exit_code == 0
    assert "claim 1 resolved false" in accepted.output
    rejected = runner.invoke(app, ["suggestions", "--reject", str(first[2]), "--db", db])
    assert rejected.exit_code == 0
    left = runner.invoke(app, ["suggestions", "--db", db, "--json"])
    assert json.loads(left.stdout) == []
    records = runner.invoke(app, ["sources", "--db", db, "--json", "--sort", "resolved"])
    names = {r["name"] for r in json.loads(records.stdout)}
    assert {"Andrei Soldatov", "The Kremlin", "City A.M."} <= names
    table = runner.invoke(app, ["sources", "--db", db, "--calibration"])
    assert table.exit_code == 0
    assert "Calibration: The Kremlin" in table.output
    shown = runner.invoke(app, ["show", "claim", "1", "--db", db, "--json"])
    assert json.loads(shown.stdout)["resolution"]["suggestion_id"] == first[1]
    readable = runner.invoke(app, ["show", "claim", "1", "--db", db])
    assert "Resolution: false" in readable.output
    assert "Resolution history" in readable.output


def test_show_entity_includes_the_record(store: Store) -> None:
    assert queries.entity(store, 1).record is None
    resolve(store, 1, "false", DAY, "denied")
    detail = queries.entity(store, 1)
    assert detail.record == track_record([Forecast.from_certainty(3.0, "false")])
    assert detail.to_dict()["record"]["counts"]["false"] == 1
    (row,) = [r for r in queries.sources(store) if r.name == "Andrei Soldatov"]
    assert (row.corpus_id, row.record) == (1, detail.record)
    shown = runner.invoke(app, ["show", "entity", "1", "--db", store.label])
    assert shown.exit_code == 0
    assert "Track record of Andrei Soldatov" in shown.output


def test_resolution_times_are_utc(store: Store) -> None:
    at = datetime(2022, 5, 12, 9, 30, tzinfo=UTC)
    resolve(store, 1, "true", DAY, "x", at=at)
    assert history(store, 1)[0].recorded_at == at
