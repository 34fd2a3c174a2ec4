"""The claim queries: `claims` with its filters, claim-level `rumors`, and one claim in detail,
on a store built by hand (claim ids given), then on real articles ingested and linked."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language

from rumormill.demo import CORPUS
from rumormill.errors import Errors, InputError
from rumormill.ingestion import ingest
from rumormill.model import (
    Analysis,
    Article,
    Attribution,
    AttributionKind,
    Certainty,
    Entity,
    Source,
    Span,
)
from rumormill.store import Links, Store, queries


def said(
    text: str, ident: str, content: str, *, who: str | None, label: str, score: float
) -> Attribution:
    start = text.index(content)
    kind: AttributionKind
    if who is None:
        source, kind = Source(span=None, type="UNNAMED"), "unattributed"
    elif who == "analysts":
        at = text.index(who)
        source, kind = Source(span=Span(at, at + len(who), who), type="UNNAMED"), "indirect"
    else:
        at = text.index(who.split()[-1])
        span = Span(at, at + len(who.split()[-1]), who.split()[-1])
        source, kind = Source(span=span, type="PERSON", name=who), "indirect"
    return Attribution(
        id=ident,
        kind=kind,
        source=source,
        cue=None,
        channel=None,
        content=Span(start, start + len(content), content),
        certainty=Certainty(score=score, label=label),
    )


COUP = "a coup is coming"
BRIDGE = "the bridge will close"


def coup_article(day: int, outlet: str, *, hedged: bool, who: str | None) -> Analysis:
    text = f"Soldatov said {COUP}. Reportedly analysts agree, day {day}."
    label, score = ("possible", 0.0) if hedged else ("asserted", 3.0)
    return Analysis(
        article=Article(text=text, published=date(2022, 5, day), outlet=outlet),
        sentences=[],
        entities=[Entity(id="e1", name="Vladimir Putin", type="PERSON")],
        attributions=[said(text, "a1", COUP, who=who, label=label, score=score)],
    )


def bridge_article(day: int | None) -> Analysis:
    text = f"Mayor Jane Smith said {BRIDGE}, on day {day}."
    published = date(2022, 5, day) if day is not None else None
    return Analysis(
        article=Article(text=text, published=published, outlet="Local News"),
        sentences=[],
        entities=[Entity(id="e1", name="Jane Smith", type="PERSON")],
        attributions=[said(text, "a1", BRIDGE, who="Jane Smith", label="asserted", score=3.0)],
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    coups = [
        coup_article(1, "Daily A", hedged=True, who=None),
        coup_article(2, "Daily B", hedged=True, who="analysts"),
        coup_article(2, "Daily C", hedged=True, who="Andrei Soldatov"),
        coup_article(4, "Daily D", hedged=False, who="Andrei Soldatov"),
    ]
    bridges = [bridge_article(3), bridge_article(5), bridge_article(None)]
    links = Links(
        copy_of={coups[3].article.id: coups[2].article.id},
        claim={
            **{(a.article.id, "a1"): 7 for a in coups},
            **{(a.article.id, "a1"): 9 for a in bridges},
        },
    )
    opened = Store.open(tmp_path / "q.db")
    opened.add([*coups, *bridges], links=links)
    return opened


def ids(rows: list[queries.ClaimRow]) -> list[int]:
    return [r.claim_id for r in rows]


def test_claims_rows(store: Store) -> None:
    with store:
        coup, bridge = queries.claims(store)
    assert (coup.claim_id, coup.articles, coup.outlets, coup.attributions) == (7, 4, 4, 4)
    assert coup.statement == COUP
    assert coup.first == date(2022, 5, 1)
    assert coup.last == date(2022, 5, 4)
    assert coup.sources[0] == "Andrei Soldatov"
    assert "analysts" in coup.sources
    assert coup.labels == {"asserted": 1, "possible": 3}
    assert coup.unnamed == pytest.approx(2 / 4)
    assert coup.hedged == pytest.approx(3 / 4)
    assert coup.growth == pytest.approx(4 / 4)
    assert (bridge.claim_id, bridge.articles, bridge.outlets) == (9, 3, 1)
    assert (
        bridge.first_article
        == min((a for a in [bridge_article(3)]), key=lambda a: a.article.id).article.id
    )
    assert bridge.sources == ("Jane Smith",)
    assert bridge.to_dict()["first"] == "2022-05-03"


def test_claims_filters(store: Store) -> None:
    with store:
        assert ids(queries.claims(store, about="Putin")) == [7]
        assert ids(queries.claims(store, about="vladimir putin")) == [7]
        assert ids(queries.claims(store, about="President Putin")) == [7]  # the last name
        assert ids(queries.claims(store, about="smith")) == [9]
        assert ids(queries.claims(store, about="Nobody")) == []
        assert ids(queries.claims(store, about="%")) == []  # no wildcard
        assert ids(queries.claims(store, source="Soldatov")) == [7]
        assert ids(queries.claims(store, source="jane smith")) == [9]
        assert ids(queries.claims(store, source="analysts")) == [7]
        assert ids(queries.claims(store, labels=["possible"])) == [7]
        assert ids(queries.claims(store, labels=["asserted"])) == [7, 9]
        assert ids(queries.claims(store, labels=["denied"])) == []
        assert ids(queries.claims(store, unnamed=True)) == [7]
        assert ids(queries.claims(store, since=date(2022, 5, 5))) == [9]
        assert ids(queries.claims(store, until=date(2022, 5, 1))) == [7]
        assert ids(queries.claims(store, since=date(2022, 5, 3), until=date(2022, 5, 3))) == [9]
        assert ids(queries.claims(store, limit=1)) == [7]
        with pytest.raises(InputError) as caught:
            queries.claims(store, labels=["maybe"])
    assert caught.value.code is Errors.E094


def test_rumors_are_claims(store: Store) -> None:
    with store:
        (rumor,) = queries.rumors(store)
        assert queries.rumors(store, about="Smith") == []
    assert (rumor.key, rumor.claim_id, rumor.articles, rumor.outlets) == ("claim 7", 7, 4, 4)
    assert rumor.example == COUP
    assert rumor.hedged_or_unnamed == pytest.approx(3 / 4)
    assert rumor.growth == pytest.approx(1.0)
    assert rumor.to_dict()["claim_id"] == 7


def test_one_claim_in_detail(store: Store) -> None:
    with store:
        detail = queries.claim(store, 7)
        bridge = queries.claim(store, 9)
        with pytest.raises(InputError) as caught:
            queries.claim(store, 12345)
    assert caught.value.code is Errors.E093
    assert detail.statement == COUP
    assert detail.first.published == date(2022, 5, 1)
    assert detail.first.source is None
    assert detail.first.kind == "unattributed"
    assert [m.outlet for m in detail.mentions] == ["Daily A", "Daily B", "Daily C", "Daily D"]
    assert [(d.day.day, d.mentions, d.outlets) for d in detail.days] == [
        (1, 1, 1),
        (2, 2, 2),
        (4, 1, 1),
    ]
    (copy, original) = next(iter(detail.copies.items()))
    assert detail.mentions[3].article_id == copy
    assert detail.mentions[2].article_id == original
    assert (detail.articles, detail.outlets) == (4, 4)
    assert bridge.mentions[-1].published is None  # undated last
    assert sum(d.mentions for d in bridge.days) == 2
    data = detail.to_dict()
    assert data["days"][0] == {"day": "2022-05-01", "mentions": 1, "outlets": 1}
    assert data["mentions"][1]["source_type"] == "UNNAMED"


def test_queries_compile_for_postgresql() -> None:
    from sqlalchemy.dialects import postgresql

    query = queries._claim_stats()
    for condition in queries._filters(
        about="Putin", source="Soldatov", labels=["possible"], unnamed=True, since=date(2022, 1, 1)
    ):
        query = query.where(condition)
    sql = str(query.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    assert "FROM claim_stats" in sql
    assert "julianday" not in sql


def ingest_wikinews(folder: Path, nlp: Language, n: int = 40) -> Path:
    """The first `n` articles of the bundled Wikinews 2019 corpus, ingested and linked into a
    store in `folder`; its path."""
    rows = list(csv.DictReader((CORPUS / "wikinews_2019.csv").open(encoding="utf8")))[:n]
    sliced = folder / "slice.csv"
    with sliced.open("w", encoding="utf8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = folder / "w.db"
    report = ingest([str(sliced)], db=db, nlp=nlp, batch_size=16)
    assert report.ingested == n
    return db


def test_detail_queries_compile_for_postgresql() -> None:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from rumormill.store import schema

    in_story = sa.select(schema.articles.c.id).where(schema.articles.c.story_id == 1)
    built = [
        queries._claim_stats().where(queries._claims_in(in_story)),
        queries._story_days(1),
        sa.select(schema.attributions.c.pk).where(queries._said_by(3)),
    ]
    for query in built:
        sql = str(query.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
        assert "julianday" not in sql
    said = str(built[2].compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]
    assert "JOIN attributions AS said_attributions" in said  # driven from the entity


@pytest.mark.model
def test_claims_of_real_articles(tmp_path: Path, nlp: Language) -> None:
    """A slice of the bundled Wikinews corpus, ingested and linked: every attribution has a
    claim, and the queries' filters keep what they say."""
    db = ingest_wikinews(tmp_path, nlp)
    with Store.open(db) as store:
        stored = list(store.attributions())
        assert stored
        assert all(a.claim_id is not None for a in stored if a.attribution.content.text)
        top = queries.claims(store, limit=500)
        assert sum(r.attributions for r in top) == len(stored)
        assert [r.articles for r in top] == sorted((r.articles for r in top), reverse=True)
        person = next(a.attribution.source.name for a in stored if a.attribution.source.name)
        assert person is not None
        for row in queries.claims(store, source=person, limit=500):
            detail = queries.claim(store, row.claim_id)
            assert any(m.source and person.lower() in m.source.lower() for m in detail.mentions)
        entity = next(s.analysis.entities[0].name for s in store.articles() if s.analysis.entities)
        about = queries.claims(store, about=entity, limit=500)
        assert about
        for row in about:
            detail = queries.claim(store, row.claim_id)
            articles = [store.article(m.article_id) for m in detail.mentions]
            names = {e.name.lower() for a in articles if a for e in a.analysis.entities}
            assert any(entity.lower() in n for n in names)
        for row in queries.claims(store, unnamed=True, limit=500):
            assert row.unnamed > 0
        for row in queries.claims(store, labels=["possible", "doubted"], limit=500):
            assert row.labels.get("possible", 0) + row.labels.get("doubted", 0) > 0
        rumors = queries.rumors(store, limit=500)
        for rumor in rumors:
            assert rumor.claim_id is not None
            assert rumor.articles >= queries.MIN_ARTICLES
            assert rumor.hedged_or_unnamed >= queries.RUMOR_SHARE
        assert [r.growth for r in rumors] == sorted((r.growth for r in rumors), reverse=True)


def test_cited_people_leave_out_bare_titles(tmp_path: Path) -> None:
    text = "President said the talks failed. Jane Smith said the talks failed."
    bare = said(text, "a1", "the talks failed", who="President", label="asserted", score=3.0)
    named = said(text, "a2", "the talks failed", who="Jane Smith", label="asserted", score=3.0)
    second = text.rindex("the talks failed")
    named = dataclasses.replace(
        named, content=Span(second, second + len("the talks failed"), "the talks failed")
    )
    analysis = Analysis(
        article=Article(text=text, published=date(2022, 5, 1), outlet="Daily A"),
        sentences=[],
        entities=[],
        attributions=[bare, named],
    )
    with Store.open(tmp_path / "people.db") as opened:
        opened.add([analysis])
        people = queries.cited_people(opened)
    assert [p.name for p in people] == ["Jane Smith"]
