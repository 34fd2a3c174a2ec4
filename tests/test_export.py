"""`rumormill export`: each table in each format, read back with the same rows and columns;
claims and stories aggregated as the docstring of `export.py` says; text of any kind round-trips
through CSV and JSON Lines; clean errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from typer.testing import CliRunner

from rumormill import export
from rumormill.cli import app
from rumormill.errors import Errors
from rumormill.export import COLUMNS, Column, ExportError, Table
from rumormill.ingestion import ingest
from rumormill.model import Analysis, Article, Attribution, Certainty, Source, Span
from rumormill.store import Links, Store

runner = CliRunner()
WIKINEWS = Path(__file__).resolve().parent.parent / "src" / "rumormill" / "data" / "wikinews"


# --- a small store built by hand: known claims and stories ---------------------------------------


def said(article: Article, ident: str, content: str, *, cues: tuple[str, ...] = ()) -> Attribution:
    start = article.text.index(content)
    return Attribution(
        id=ident,
        kind="unattributed" if cues else "direct",
        source=Source(span=None, type="UNNAMED") if cues else Source(span=None, type="PERSON"),
        cue=None,
        channel=None,
        content=Span(start, start + len(content), content),
        certainty=Certainty(score=1.0 if cues else 3.0, label="possible", cues=cues),
    )


def made(text: str, day: date | None, outlet: str, *contents: str) -> Analysis:
    article = Article(text=text, published=day, outlet=outlet, url=None, title=None)
    attributions = [
        said(article, f"a{i + 1}", c, cues=("reportedly",) if i == 0 else ())
        for i, c in enumerate(contents)
    ]
    return Analysis(article=article, sentences=[], entities=[], attributions=attributions)


@pytest.fixture
def hand_store(tmp_path: Path) -> Iterator[Store]:
    """Three articles (two outlets, one undated) in story 7; claim 1 in all three, claim 2
    in one; one attribution in no claim."""
    a = made(
        'Reportedly, "the minister will resign", a source said.\nMore later.',
        date(2022, 5, 3),
        "Daily A",
        "the minister will resign",
        "More later",
    )
    b = made(
        "The minister will quit, it is said.", date(2022, 5, 5), "Daily B", "minister will quit"
    )
    c = made(
        "Undated: minister to resign; and the budget, too.", None, "Daily A", "minister to resign"
    )
    c.attributions.append(said(c.article, "a2", "the budget, too"))
    links = Links(
        story={x.article.id: 7 for x in (a, b, c)},
        claim={
            (a.article.id, "a1"): 1,
            (b.article.id, "a1"): 1,
            (c.article.id, "a1"): 1,
            (c.article.id, "a2"): 2,
        },
    )
    with Store.open(tmp_path / "hand.db") as store:
        store.add([b, a], links=links)  # b first: "earliest" is by date, not by order stored
        store.add([c], links=links)
        yield store


def test_claims_aggregate_the_attributions_linking_grouped(hand_store: Store) -> None:
    claims = list(export.rows(hand_store, "claims"))
    assert [c["claim_id"] for c in claims] == [1, 2]  # the unlinked attribution is no claim
    one = claims[0]
    assert one["statement"] == "the minister will resign"  # the earliest, by date
    assert (one["first_seen"], one["last_seen"]) == (date(2022, 5, 3), date(2022, 5, 5))
    assert (one["n_attributions"], one["n_articles"], one["n_outlets"]) == (3, 3, 2)
    assert claims[1]["statement"] == "the budget, too"
    assert (claims[1]["first_seen"], claims[1]["last_seen"]) == (None, None)


def test_stories_name_their_earliest_article(hand_store: Store) -> None:
    (story,) = export.rows(hand_store, "stories")
    earliest = next(s for s in hand_store.articles() if s.article.published == date(2022, 5, 3))
    assert story == {
        "story_id": 7,
        "title": 'Reportedly, "the minister will resign", a source said.',  # no title: 1st line
        "first_article_id": earliest.id,
        "first_seen": date(2022, 5, 3),
        "last_seen": date(2022, 5, 5),
        "n_articles": 3,
        "n_outlets": 2,
    }


def test_rows_are_read_in_chunks_with_their_columns(hand_store: Store) -> None:
    sizes = [len(chunk) for chunk in export.chunks(hand_store, "attributions", size=2)]
    assert sizes == [2, 2, 1]
    rows = list(export.rows(hand_store, "attributions"))
    assert all(list(r) == [c.name for c in COLUMNS[Table.ATTRIBUTIONS]] for r in rows)
    assert rows[0]["certainty_cues"] == ["reportedly"]
    assert [r["claim_id"] for r in rows] == [1, 1, None, 1, 2]  # b, a, c as stored
    articles = list(export.rows(hand_store, "articles"))
    assert {a["outlet"] for a in articles} == {"Daily A", "Daily B"}
    assert all(isinstance(a["ingested_at"], datetime) for a in articles)
    assert all(a["ingested_at"].tzinfo is not None for a in articles)


# --- real Wikinews articles, ingested: every table, every format, read back ----------------------


@pytest.fixture(scope="module")
def wikinews_db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    """Five real Wikinews articles, ingested (analysed and linked), plus the hand-made claims."""
    folder = tmp_path_factory.mktemp("export")
    with (WIKINEWS / "wikinews_2019.csv").open(encoding="utf8", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        assert fields is not None
        picked = [row for _, row in zip(range(5), reader, strict=False)]
    source = folder / "five.csv"
    with source.open("w", encoding="utf8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(picked)
    db = folder / "wikinews.db"
    report = ingest([str(source)], db=db, nlp=nlp)
    assert report.ingested == 5
    a = made("Reportedly, the port will close, a source said.", date(2019, 1, 5), "X", "port")
    b = made("The port may close, reportedly.", date(2019, 1, 6), "Y", "The port may close")
    with Store.open(db) as store:
        claims = {(a.article.id, "a1"): 1, (b.article.id, "a1"): 1}
        store.add([a, b], links=Links(claim=claims))
    return db


def expected(store: Store, table: Table) -> list[dict[str, Any]]:
    return list(export.rows(store, table))


@pytest.mark.model
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_every_table_round_trips_in_every_format(
    wikinews_db: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "out"
    with Store.open(wikinews_db) as store:
        done = export.export(store, out, tables="all", format=fmt)
        assert [d.table for d in done] == list(Table)
        assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.value}.{fmt}" for t in Table)
        counts = {d.table: d.rows for d in done}
        assert counts[Table.ARTICLES] == store.counts()["articles"] == 7
        assert counts[Table.ATTRIBUTIONS] == store.counts()["attributions"]
        assert counts[Table.CLAIMS] >= 1
        assert counts[Table.STORIES] >= 1
        for d in done:
            assert d.path is not None
            want = expected(store, d.table)
            columns = COLUMNS[d.table]
            names = [c.name for c in columns]
            assert len(want) == d.rows
            if fmt == "jsonl":
                lines = d.path.read_text(encoding="utf8").splitlines()
                got = [json.loads(line) for line in lines]
                assert all(list(g) == names for g in got)
                assert got == [
                    {c.name: export.plain(r[c.name], c.kind) for c in columns} for r in want
                ]
            elif fmt == "csv":
                with d.path.open(encoding="utf8", newline="") as f:
                    reader = csv.DictReader(f)
                    assert reader.fieldnames == names
                    got = list(reader)
                assert got == [
                    {c.name: export.cell(r[c.name], c.kind) for c in columns} for r in want
                ]
            else:
                import pyarrow.parquet as pq

                read = pq.read_table(d.path)
                assert read.column_names == names
                assert read.to_pylist() == want


@pytest.mark.model
def test_real_articles_export_their_dates_and_texts(wikinews_db: Path, tmp_path: Path) -> None:
    with Store.open(wikinews_db) as store:
        export.export(store, tmp_path / "a.jsonl", tables="articles", format="jsonl")
    got = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text("utf8").splitlines()]
    wiki = [g for g in got if g["url"] and "wikinews" in g["url"]]
    assert len(wiki) == 5
    assert all(g["published"].startswith("2019-01") for g in wiki)
    assert all(datetime.fromisoformat(g["ingested_at"]).tzinfo is not None for g in got)
    assert all(g["date_source"] == "record" and len(g["text"]) > 100 for g in wiki)
    assert all(g["story_id"] is not None for g in wiki)


# --- text of any kind round-trips --------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
AWKWARD = st.sampled_from(['"', ",", "\n", "\r\n", "\r", "'", "«»", "—", "\t", "é", "😀", ""])
CELL = st.lists(st.one_of(TEXT, AWKWARD), max_size=4).map("".join)
SCHEMA = (Column("text", "str"), Column("cues", "list"), Column("n", "int"))


@given(
    st.lists(
        st.fixed_dictionaries(
            {"text": CELL, "cues": st.lists(CELL, max_size=3), "n": st.integers(-(2**40), 2**40)}
        ),
        max_size=5,
    )
)
def test_any_text_round_trips_through_csv_and_jsonl(rows: list[dict[str, Any]]) -> None:
    text = io.StringIO()
    assert export.write_jsonl(iter([rows]), SCHEMA, text) == len(rows)
    assert [json.loads(line) for line in text.getvalue().splitlines()] == rows

    table = io.StringIO(newline="")
    assert export.write_csv(iter([rows]), SCHEMA, table) == len(rows)
    back = list(csv.DictReader(io.StringIO(table.getvalue(), newline="")))
    assert [
        {"text": r["text"], "cues": json.loads(r["cues"]), "n": int(r["n"])} for r in back
    ] == rows


@given(st.lists(CELL, min_size=1, max_size=3))
def test_any_text_round_trips_through_parquet(texts: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"text": t, "cues": [t], "n": i} for i, t in enumerate(texts)]
    sink = io.BytesIO()
    assert export.write_parquet(iter([rows, []]), SCHEMA, sink) == len(rows)
    assert pq.read_table(pa.BufferReader(sink.getvalue())).to_pylist() == rows


def test_values_are_iso_8601_and_json() -> None:
    moment = datetime(2022, 5, 5, 10, 15, tzinfo=UTC)
    assert export.plain(moment, "datetime") == "2022-05-05T10:15:00+00:00"
    assert export.cell(date(2022, 5, 5), "date") == "2022-05-05"
    assert export.cell(["a", "b,c"], "list") == '["a", "b,c"]'
    assert export.cell(None, "str") == ""
    assert export.cell(0.1, "float") == "0.1"


# --- outputs and errors ------------------------------------------------------------------------


def test_one_table_to_a_file_or_a_stream(hand_store: Store, tmp_path: Path) -> None:
    (done,) = export.export(hand_store, tmp_path / "claims.csv", tables="claims", format="csv")
    assert done.path == tmp_path / "claims.csv"
    assert done.rows == 2
    assert not list(tmp_path.glob("*.part"))
    stream = io.StringIO()
    assert export.to_stream(hand_store, stream, table="claims", format="csv").rows == 2
    assert stream.getvalue() == (tmp_path / "claims.csv").read_bytes().decode("utf8")
    # A trailing separator (or an existing directory) asks for a directory.
    (done,) = export.export(hand_store, f"{tmp_path}/dir/", tables="stories", format="jsonl")
    assert done.path == tmp_path / "dir" / "stories.jsonl"


def test_bad_choices_and_outputs_are_coded_errors(hand_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as bad:
        export.export(hand_store, tmp_path / "x", format="xml")
    assert bad.value.code is Errors.E105
    with pytest.raises(ExportError) as bad:
        export.export(hand_store, tmp_path / "x", tables=["claims", "rumours"])
    assert bad.value.code is Errors.E105
    with pytest.raises(ExportError) as bad:
        export.to_stream(hand_store, io.StringIO(), table="claims", format="parquet")
    assert bad.value.code is Errors.E108
    with pytest.raises(ExportError) as bad:
        export.to_stream(hand_store, io.StringIO(), table="all")
    assert bad.value.code is Errors.E108
    (tmp_path / "file").write_text("", encoding="utf8")
    with pytest.raises(ExportError) as bad:
        export.export(hand_store, tmp_path / "file", tables="all")
    assert bad.value.code is Errors.E107
    with pytest.raises(ExportError) as bad:
        export.export(hand_store, tmp_path / "file" / "x.jsonl", tables="claims")
    assert bad.value.code is Errors.E107


def test_parquet_without_pyarrow_names_the_extra(
    hand_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ExportError) as missing:
        export.export(hand_store, tmp_path / "out", format="parquet")
    assert missing.value.code is Errors.E106
    assert "rumormill[parquet]" in str(missing.value)
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_cli_export(hand_store: Store, tmp_path: Path) -> None:
    db = hand_store.label
    result = runner.invoke(app, ["export", "--db", db, "--table", "claims", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["claim_id"] for r in rows] == ["1", "2"]

    result = runner.invoke(app, ["export", "--db", db, "--table", "articles"])
    assert result.exit_code == 0, result.output
    assert len([json.loads(line) for line in result.stdout.splitlines()]) == 3

    out = tmp_path / "all"
    result = runner.invoke(app, ["export", "--db", db, "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "claims: 2 rows" in result.stdout
    assert (out / "stories.parquet").is_file()

    for bad in (["--format", "xml"], ["--table", "rumours"]):
        result = runner.invoke(app, ["export", "--db", db, *bad])
        assert result.exit_code == 2
        assert "Invalid value" in result.output
    result = runner.invoke(app, ["export", "--db", db, "--format", "parquet", "--table", "claims"])
    assert result.exit_code == 1
    assert "E108" in result.output
    result = runner.invoke(app, ["export", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1
    assert "E060" in result.output
