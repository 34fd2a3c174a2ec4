"""`rumormill show claim|story|entity|article ID`: the detail queries (`store.queries`), their
rendering (`report`) and the command, on a store built by hand (every link given), then on
real Wikinews articles ingested and linked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from spacy.language import Language
from typer.testing import CliRunner

from rumormill import report
from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.store import CorpusEntityUpdate, Links, Store, queries
from tests.test_queries import ingest_wikinews

runner = CliRunner()

COUP = "a coup is coming"
BRIDGE = "the bridge will close"


def span(text: str, needle: str) -> Span:
    at = text.index(needle)
    return Span(at, at + len(needle), needle)


def coup(day: int, outlet: str, *, who: str | None, hedged: bool) -> Analysis:
    """'Andrei Soldatov said a coup is coming …', carried by `who`: None (unattributed),
    'analysts' (unnamed) or Soldatov (named, with his article entity e1)."""
    text = f"Andrei Soldatov said {COUP}. Putin may act, analysts say, day {day}."
    if who is None:
        source, kind = Source(None, "UNNAMED"), "unattributed"
    elif who == "analysts":
        source, kind = Source(span(text, "analysts"), "UNNAMED"), "indirect"
    else:
        source = Source(span(text, "Andrei Soldatov"), "PERSON", "e1", "Andrei Soldatov")
        kind = "indirect"
    label, score = ("possible", 0.5) if hedged else ("asserted", 3.0)
    attribution = Attribution(
        "a1",
        kind,  # type: ignore[arg-type]
        source,
        span(text, "said"),
        None,
        span(text, COUP),
        Certainty(score, label, ("may",) if hedged else ()),
    )
    soldatov = Entity(
        "e1", "Andrei Soldatov", "PERSON", [span(text, "Andrei Soldatov")], ["security expert"]
    )
    putin = Entity("e2", "Putin", "PERSON", [span(text, "Putin")], [])
    article = Article(text=text, published=date(2022, 5, day), outlet=outlet, title=f"Coup {day}")
    return Analysis(article, [], [soldatov, putin], [attribution])


def bridge(day: int | None) -> Analysis:
    """'Mayor Jane Smith said the bridge will close': her source has a name, no entity id."""
    text = f"Mayor Jane Smith said {BRIDGE}, John Smith heard, on day {day}."
    published = date(2022, 5, day) if day is not None else None
    attribution = Attribution(
        "a1",
        "indirect",
        Source(span(text, "Jane Smith"), "PERSON", None, "Jane Smith"),
        span(text, "said"),
        None,
        span(text, BRIDGE),
        Certainty(3.0, "asserted"),
    )
    jane = Entity("e1", "Jane Smith", "PERSON", [span(text, "Jane Smith")], ["Mayor"])
    john = Entity("e2", "John Smith", "PERSON", [span(text, "John Smith")], [])
    article = Article(text=text, published=published, outlet="Local News")
    return Analysis(article, [], [jane, john], [attribution])


COUPS = [
    coup(1, "Daily A", who=None, hedged=True),
    coup(2, "Daily B", who="analysts", hedged=True),
    coup(2, "Daily C", who="Andrei Soldatov", hedged=True),
    coup(4, "Daily D", who="Andrei Soldatov", hedged=False),
]
BRIDGES = [bridge(3), bridge(5), bridge(None)]
SOLDATOV, PUTIN, JANE, JOHN = 1, 2, 3, 4
COPY, ORIGINAL = COUPS[3].article.id, COUPS[2].article.id


def links() -> Links:
    return Links(
        copy_of={COPY: ORIGINAL},
        story={**{a.article.id: 1 for a in COUPS}, **{a.article.id: 2 for a in BRIDGES}},
        claim={
            **{(a.article.id, "a1"): 7 for a in COUPS},
            **{(a.article.id, "a1"): 9 for a in BRIDGES},
        },
        entity={
            **{(a.article.id, "e1"): SOLDATOV for a in COUPS},
            **{(a.article.id, "e2"): PUTIN for a in COUPS},
            **{(a.article.id, "e1"): JANE for a in BRIDGES},
            **{(a.article.id, "e2"): JOHN for a in BRIDGES},
        },
        corpus_entities={
            SOLDATOV: CorpusEntityUpdate("Andrei Soldatov", "PERSON"),
            PUTIN: CorpusEntityUpdate("Vladimir Putin", "PERSON"),
            JANE: CorpusEntityUpdate("Jane Smith", "PERSON"),
            JOHN: CorpusEntityUpdate("John Smith", "PERSON"),
        },
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "show.db")
    with Store.open(path) as store:
        store.add([*COUPS, *BRIDGES], links=links())
    return path


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with Store.open(db) as opened:
        yield opened


def code_of(caught: pytest.ExceptionInfo[InputError]) -> Errors:
    return caught.value.code


def rendered(renderable: object, width: int = 80) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    text = console.export_text()
    console.file.close()
    return text


# --- the queries --------------------------------------------------------------------------------


def test_claim_detail_has_its_sources_and_weeks(store: Store) -> None:
    detail = queries.claim(store, 7)
    soldatov, analysts = detail.sources
    assert (soldatov.name, soldatov.attributions, soldatov.articles) == ("Andrei Soldatov", 2, 2)
    assert soldatov.certainty_score == pytest.approx((0.5 + 3.0) / 2)
    assert soldatov.labels == {"asserted": 1, "possible": 1}
    assert soldatov.certainty_label == "possible"  # a tie goes to the more hedged label
    assert (analysts.name, analysts.source_type) == ("analysts", "UNNAMED")
    # 2022-05-01 is a Sunday: its week starts on 2022-04-25; the rest fall in the next one.
    assert [(w.day, w.mentions, w.outlets) for w in detail.weeks] == [
        (date(2022, 4, 25), 1, 1),
        (date(2022, 5, 2), 3, 3),
    ]
    data = json.loads(json.dumps(detail.to_dict()))
    assert data["sources"][0]["certainty_label"] == "possible"
    assert sum(d["mentions"] for d in data["days"]) == len(detail.mentions)


def test_story_detail(store: Store) -> None:
    detail = queries.story(store, 1)
    assert [a.article_id for a in detail.articles] == [a.article.id for a in COUPS]
    assert detail.first.article_id == COUPS[0].article.id
    assert detail.first.published == date(2022, 5, 1)
    assert detail.title == "Coup 1"
    assert [(d.day.day, d.mentions, d.outlets) for d in detail.days] == [
        (1, 1, 1),
        (2, 2, 2),
        (4, 1, 1),
    ]
    assert sum(w.mentions for w in detail.weeks) == len(detail.articles)
    assert [c.claim_id for c in detail.claims] == [7]
    assert detail.n_claims == 1
    assert [s.name for s in detail.sources] == ["Andrei Soldatov", "analysts"]
    entities = {(e.corpus_id, e.name): (e.articles, e.mentions) for e in detail.entities}
    assert entities == {(SOLDATOV, "Andrei Soldatov"): (4, 4), (PUTIN, "Vladimir Putin"): (4, 4)}
    assert detail.copies == {COPY: ORIGINAL}
    assert detail.span == (date(2022, 5, 1), date(2022, 5, 4))
    bridges = queries.story(store, 2)
    assert bridges.articles[-1].published is None  # undated last
    assert sum(d.mentions for d in bridges.days) == 2
    data = json.loads(json.dumps(detail.to_dict()))
    assert (data["first_article"], data["n_articles"], data["outlets"]) == (
        COUPS[0].article.id,
        4,
        4,
    )
    with pytest.raises(InputError) as caught:
        queries.story(store, 99)
    assert code_of(caught) is Errors.E112


def test_article_detail(store: Store) -> None:
    copy = queries.article(store, COPY)
    assert copy.article_id == COPY
    assert (copy.outlet, copy.published, copy.title) == ("Daily D", date(2022, 5, 4), "Coup 4")
    (said,) = copy.attributions
    assert (said.source, said.source_entity, said.claim_id) == ("Andrei Soldatov", "e1", 7)
    assert (said.certainty_label, said.cue) == ("asserted", "said")
    assert [(e.name, e.corpus_id, e.mentions) for e in copy.entities] == [
        ("Andrei Soldatov", SOLDATOV, 1),
        ("Putin", PUTIN, 1),
    ]
    assert copy.entities[0].descriptors == ("security expert",)
    assert copy.story is not None
    assert (copy.story.story_id, copy.story.articles) == (1, 4)
    assert copy.copy_of is not None
    assert copy.copy_of.article_id == ORIGINAL
    assert copy.copies == []
    original = queries.article(store, ORIGINAL[:8].upper())  # a prefix, any case
    assert original.article_id == ORIGINAL
    assert [c.article_id for c in original.copies] == [COPY]
    data = json.loads(json.dumps(original.to_dict()))
    assert data["copies"][0]["article_id"] == COPY
    assert data["attributions"][0]["claim_id"] == 7
    for wanted in ("0" * 16, ORIGINAL[:7], "nothing!"):
        with pytest.raises(InputError) as caught:
            queries.article(store, wanted)
        assert code_of(caught) is Errors.E110


def test_an_ambiguous_article_prefix(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [a.article.id for a in [*COUPS, *BRIDGES]]
    shared = next(
        i[:n] for n in (2, 1) for i in ids if sum(other.startswith(i[:n]) for other in ids) > 1
    )
    monkeypatch.setattr(queries, "MIN_PREFIX", len(shared))
    with pytest.raises(InputError) as caught:
        queries.article(store, shared)
    assert code_of(caught) is Errors.E111
    assert shared in str(caught.value)


def test_entity_detail(store: Store) -> None:
    detail = queries.entity(store, SOLDATOV)
    assert (detail.entity.name, detail.entity.articles) == ("Andrei Soldatov", 4)
    assert detail.first is not None
    assert detail.first.article_id == COUPS[0].article.id
    assert sum(d.mentions for d in detail.days) == detail.entity.mentions == 4
    assert [(d.day.day, d.outlets) for d in detail.days] == [(1, 1), (2, 2), (4, 1)]
    (said,) = detail.said  # what he says: claim 7, in Daily C and D
    assert (said.claim_id, said.attributions, said.articles) == (7, 2, 2)
    assert (said.article_id, said.outlet, said.first) == (ORIGINAL, "Daily C", date(2022, 5, 2))
    assert said.labels == {"asserted": 1, "possible": 1}
    assert detail.n_said == 1
    assert [c.claim_id for c in detail.about] == [7]
    assert [r.text for r in detail.entity.roles] == ["security expert"]
    putin = queries.entity(store, PUTIN)
    assert putin.said == []  # named, never a source
    assert [c.claim_id for c in putin.about] == [7]
    jane = queries.entity(store, JANE)  # her attributions name her, with no entity id
    assert [(s.claim_id, s.attributions) for s in jane.said] == [(9, 3)]
    data = json.loads(json.dumps(detail.to_dict()))
    assert (data["corpus_id"], data["said"][0]["claim_id"]) == (SOLDATOV, 7)
    assert data["first_article"]["article_id"] == COUPS[0].article.id
    with pytest.raises(InputError) as caught:
        queries.entity(store, 99)
    assert code_of(caught) is Errors.E113


def test_entity_by_name(store: Store) -> None:
    assert queries.entity_named(store, "jane smith").entity.id == JANE
    assert queries.entity_named(store, "Soldatov").entity.id == SOLDATOV
    with pytest.raises(InputError) as caught:
        queries.entity_named(store, "Smith")
    assert code_of(caught) is Errors.E114
    found = caught.value.details["entities"]
    assert isinstance(found, list)
    assert {e.id for e in found} == {JANE, JOHN}
    assert "Jane Smith" in str(caught.value)
    with pytest.raises(InputError) as caught:
        queries.entity_named(store, "Nobody")
    assert code_of(caught) is Errors.E113


# --- the rendering ------------------------------------------------------------------------------


def days_of(counts: dict[date, int]) -> list[queries.DayCount]:
    return [queries.DayCount(d, n, min(n, 3)) for d, n in sorted(counts.items())]


def weeks_of(days: list[queries.DayCount]) -> list[queries.DayCount]:
    weeks: dict[date, int] = {}
    for d in days:
        week = queries.week_of(d.day)
        weeks[week] = weeks.get(week, 0) + d.mentions
    return [queries.DayCount(w, n, 1) for w, n in sorted(weeks.items())]


def test_a_short_timeline_has_a_row_per_day() -> None:
    start = date(2022, 5, 1)
    days = days_of({start: 1, start + timedelta(days=1): 4, start + timedelta(days=5): 2})
    line, per = report.sparkline(days)
    assert (len(line), per) == (6, 1)
    assert line[0] != "·"
    assert line[1] == "█"
    assert line[2:5] == "···"
    text = rendered(report.timeline(days, weeks_of(days), unit="articles"))
    assert "per day" in text
    assert "2022-05-02" in text
    assert "7 articles on 3 days over 6 days" in text
    assert max(len(row) for row in text.splitlines()) <= 80


def test_a_long_timeline_has_a_row_per_week() -> None:
    start = date(2021, 1, 4)  # a Monday
    days = days_of({start + timedelta(days=k * 3): 1 + k % 4 for k in range(50)})
    weeks = weeks_of(days)
    line, per = report.sparkline(days)
    assert per > 1
    assert len(line) <= report.SPARK_WIDTH
    text = rendered(report.timeline(days, weeks))
    assert "per week" in text
    assert "week of" in text
    assert f"one mark is {per} days" in text
    rows = [row for row in text.splitlines() if re.match(r"\s+\d{4}-\d\d-\d\d\s", row)]
    assert len(rows) == len(weeks)
    assert sum(int(row.split()[1]) for row in rows) == sum(d.mentions for d in days)
    assert max(len(row) for row in text.splitlines()) <= 80
    assert "no dated" in rendered(report.timeline([], []))


def test_details_read_at_80_columns(store: Store) -> None:
    texts = {
        "claim": rendered(report.claim_detail(queries.claim(store, 7))),
        "story": rendered(report.story_detail(queries.story(store, 1))),
        "article": rendered(report.article_detail(queries.article(store, ORIGINAL))),
        "entity": rendered(report.entity_detail(queries.entity(store, SOLDATOV))),
    }
    for name, text in texts.items():
        assert max(len(row) for row in text.splitlines()) <= 80, name
        assert "2022-05-0" in text, name
    claim, story, article, entity = texts.values()
    for part in ("Claim 7", "first seen", "Timeline, per day", "Sources", "Andrei Soldatov"):
        assert part in claim, part
    assert "possible +1.8" in claim  # Soldatov's mean certainty, and its label
    assert "Copies" in claim
    assert COPY in claim
    for part in ("Story 1", "Top claims", "Most-cited sources", "Vladimir Putin", "Copies"):
        assert part in story, part
    for part in ("Coup 2", "claim 7", "security expert", "Attributions", "Copies", COPY):
        assert part in article, part
    for part in ("Andrei Soldatov", "Roles", "Claims it makes", "Claims in articles naming"):
        assert part in entity, part
    assert "Daily A" in entity.split("first seen")[1].splitlines()[0]


# --- the command --------------------------------------------------------------------------------


def test_show_command(db: str) -> None:
    result = runner.invoke(app, ["show", "claim", "7", "--db", db])
    assert result.exit_code == 0, result.output
    assert "Claim 7" in result.stdout
    result = runner.invoke(app, ["show", "story", "1", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["first_article"] == COUPS[0].article.id
    result = runner.invoke(app, ["show", "article", ORIGINAL[:10], "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["article_id"] == ORIGINAL
    result = runner.invoke(app, ["show", "entity", "Jane Smith", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["corpus_id"] == JANE
    result = runner.invoke(app, ["show", "entity", str(SOLDATOV), "--db", db])
    assert result.exit_code == 0, result.output
    assert "Claims it makes" in result.stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["show", "claim", "12345"], "E093"),
        (["show", "story", "99"], "E112"),
        (["show", "entity", "99"], "E113"),
        (["show", "entity", "Nobody"], "E113"),
        (["show", "article", "0123456789abcdef"], "E110"),
        (["show", "article", "abc"], "E110"),
    ],
)
def test_show_unknown_ids_exit_2_with_the_code(db: str, args: list[str], code: str) -> None:
    result = runner.invoke(app, [*args, "--db", db])
    assert result.exit_code == 2, result.output
    assert code in result.output


def test_show_a_name_of_several_entities_lists_them(db: str) -> None:
    result = runner.invoke(app, ["show", "entity", "Smith", "--db", db])
    assert result.exit_code == 2, result.output
    assert "E114" in result.output
    assert "Jane Smith" in result.output
    assert "John Smith" in result.output
    assert str(JOHN) in result.output


def test_show_bad_arguments(db: str) -> None:
    result = runner.invoke(app, ["show", "claim", "seven", "--db", db])
    assert result.exit_code == 2
    assert "number" in result.output
    result = runner.invoke(app, ["show", "rumor", "1", "--db", db])
    assert result.exit_code == 2
    result = runner.invoke(app, ["show", "claim", "7", "--db", db + ".missing"])
    assert result.exit_code != 0
    assert "E060" in result.output


# --- real articles ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wikinews(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> str:
    """40 bundled Wikinews articles, ingested and linked once for this module."""
    return str(ingest_wikinews(tmp_path_factory.mktemp("show"), nlp))


def show_json(db: str, kind: str, ident: str) -> dict[str, Any]:
    result = runner.invoke(app, ["show", kind, ident, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.mark.model
def test_show_real_claim_and_story(wikinews: str) -> None:
    with Store.open(wikinews) as store:
        (top,) = queries.claims(store, limit=1)
        (story,) = queries.stories(store, limit=1)
        published = {s.id: s.article.published for s in store.articles()}
    claim = show_json(wikinews, "claim", str(top.claim_id))
    assert len(claim["mentions"]) == top.attributions
    dated = [m["published"] for m in claim["mentions"] if m["published"]]
    assert claim["first"] == min(dated)  # the first-seen article is the earliest
    assert sum(d["mentions"] for d in claim["days"]) == len(dated)
    assert sum(w["mentions"] for w in claim["weeks"]) == len(dated)
    assert claim["sources"] == sorted(claim["sources"], key=lambda s: -s["attributions"])
    detail = show_json(wikinews, "story", str(story.story_id))
    assert detail["n_articles"] == story.articles
    days = [published[a["article_id"]] for a in detail["articles"]]
    assert published[detail["first_article"]] == min(d for d in days if d is not None)
    assert story.first is not None
    assert detail["first"] == story.first.isoformat()
    assert sum(d["mentions"] for d in detail["days"]) == sum(d is not None for d in days)
    assert len({s["name"] for s in detail["sources"]}) == len(detail["sources"])
    text = runner.invoke(app, ["show", "story", str(story.story_id), "--db", wikinews])
    assert text.exit_code == 0, text.output
    assert f"Story {story.story_id}" in text.stdout
    assert "Timeline" in text.stdout
    missing = runner.invoke(app, ["show", "claim", "999999", "--db", wikinews])
    assert missing.exit_code == 2
    assert "E093" in missing.output


@pytest.mark.model
def test_show_real_article_and_entity(wikinews: str) -> None:
    with Store.open(wikinews) as store:
        stored = next(s for s in store.articles() if s.analysis.attributions)
    detail = show_json(wikinews, "article", stored.id[:8])
    assert detail["article_id"] == stored.id
    assert len(detail["attributions"]) == len(stored.analysis.attributions)
    assert all(a["claim_id"] is not None for a in detail["attributions"])
    assert [e["name"] for e in detail["entities"]] == [e.name for e in stored.analysis.entities]
    assert detail["story"] is not None
    text = runner.invoke(app, ["show", "article", stored.id, "--db", wikinews])
    assert text.exit_code == 0, text.output
    assert "Attributions" in text.stdout
    ids = [e["corpus_id"] for e in detail["entities"] if e["corpus_id"] is not None]
    if not ids:
        pytest.skip("entity linking is not wired into the linker yet: no corpus entities")
    entity = show_json(wikinews, "entity", str(ids[0]))
    assert entity["corpus_id"] == ids[0]
    assert sum(d["mentions"] for d in entity["days"]) <= entity["mentions"]
    assert entity["first_article"]["published"] == entity["first_seen"]
    by_name = runner.invoke(app, ["show", "entity", entity["name"], "--db", wikinews])
    assert by_name.exit_code in (0, 2), by_name.output  # 2: a name several entities share
    assert entity["name"] in by_name.output
