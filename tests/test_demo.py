"""The main job: `rumormill demo` on the bundled Wikinews corpus, and the corpus queries it
shows (stories, cited people, rumors) on a small store built by hand."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.demo import CORPUS, FILES
from rumormill.model import Analysis, Article, Attribution, Certainty, Source, Span
from rumormill.store import Links, Store, queries

runner = CliRunner()


def test_the_demo_corpus_ships_with_its_attribution() -> None:
    attribution = (CORPUS / "ATTRIBUTION.md").read_text(encoding="utf8")
    assert "CC BY" in attribution
    assert "2.5" in attribution
    rows = 0
    for name in FILES:
        with (CORPUS / name).open(encoding="utf8", newline="") as f:
            rows += sum(1 for _ in csv.DictReader(f))
    assert rows == 295


def said(article: Article, ident: str, content: str, *, label: str, unnamed: bool) -> Attribution:
    start = article.text.index(content)
    source = Source(span=None, type="UNNAMED") if unnamed else Source(span=None, type="PERSON")
    return Attribution(
        id=ident,
        kind="indirect",
        source=source,
        cue=None,
        channel=None,
        content=Span(start, start + len(content), content),
        certainty=Certainty(score=1.0 if label != "asserted" else 3.0, label=label),
    )


def analysis(text: str, day: int, outlet: str, *, hedged: bool) -> Analysis:
    article = Article(text=text, published=date(2022, 5, day), outlet=outlet)
    label = "possible" if hedged else "asserted"
    attribution = said(article, "a1", text.rstrip("."), label=label, unnamed=hedged)
    return Analysis(article=article, sentences=[], entities=[], attributions=[attribution])


def test_queries_rank_stories_and_find_the_hedged_one(tmp_path: Path) -> None:
    rumor = [
        analysis(f"A coup may be coming, version {i}.", 1 + i, f"o{i}", hedged=True)
        for i in range(3)
    ]
    fact = [
        analysis(f"The bridge closed, report {i}.", 1 + 3 * i, "x", hedged=False) for i in range(2)
    ]
    links = Links(story={**{a.article.id: 1 for a in rumor}, **{a.article.id: 2 for a in fact}})
    with Store.open(tmp_path / "q.db") as store:
        store.add([*rumor, *fact], links=links)
        stories = queries.stories(store)
        assert [(s.story_id, s.articles, s.outlets) for s in stories] == [(1, 3, 3), (2, 2, 1)]
        assert queries.stories(store, since=date(2022, 5, 4))[0].story_id == 2
        found = queries.rumors(store)
        assert [r.key for r in found] == ["story 1"]
        assert found[0].hedged_or_unnamed == 1.0
        assert found[0].growth == pytest.approx(3 / 3)


@pytest.mark.model
def test_demo_ingests_the_corpus_and_reports(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = runner.invoke(app, ["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    for heading in ("Top stories", "Most-cited people", "Rumors", "rumormill rumors"):
        assert heading in result.stdout
    assert "Donald Trump" in result.stdout
    with Store.open(db) as store:
        assert store.counts()["articles"] == 295
    again = runner.invoke(app, ["stories", "--db", str(db), "--about", "Trump"])
    assert again.exit_code == 0, again.output
    assert "Stories" in again.stdout
    missing = runner.invoke(app, ["rumors", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0
    assert "E060" in missing.output


def test_rumors_are_claim_level_once_claims_are_linked(tmp_path: Path) -> None:
    from rich.console import Console

    from rumormill import report

    rumor = [
        analysis(f"A coup may be coming, version {i}.", 1 + i, f"o{i}", hedged=True)
        for i in range(3)
    ]
    links = Links(
        story={a.article.id: 1 for a in rumor},
        claim={(a.article.id, "a1"): 4 for a in rumor},
    )
    with Store.open(tmp_path / "c.db") as store:
        store.add(rumor, links=links)
        found = queries.rumors(store)
        detail = queries.claim(store, 4)
    assert [(r.key, r.claim_id, r.outlets) for r in found] == [("claim 4", 4, 3)]
    assert found[0].example == "A coup may be coming, version 0"
    console = Console(width=80, record=True)
    console.print(report.rumor_table(found))
    console.print(report.claim_detail(detail))
    text = console.export_text()
    assert "A coup may be" in text
    assert "3 · 3" in text  # three articles, three outlets
    assert "Claim 4" in text
    assert "2022-05-01" in text
