"""read_items(): every article, or coded rejection, of files, folders, globs, stdin and URLs;
one bad input never stops the batch."""

from __future__ import annotations

import gzip
import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import house, html, jsonl, read_article
from rumormill.ingest.sources import Item, Options, read_items
from rumormill.model import Article
from tests.test_html import NEWS_PAGE, page

RECORD = {"text": "The minister resigned.", "published": "2022-05-05", "outlet": "Wire"}


def names(items: list[Item], root: Path) -> list[str]:
    return [item.name.replace(str(root) + "/", "") for item in items]


def test_item_holds_exactly_one_of_article_and_error() -> None:
    article = Article(text="x", published=None)
    Item("a", article=article)
    Item("a", error=InputError(Errors.E002, path="a"))
    with pytest.raises(TypeError):
        Item("a")
    with pytest.raises(TypeError):
        Item("a", article=article, error=InputError(Errors.E002, path="a"))


def test_folders_recursively_sorted_without_hidden_files(tmp_path: Path) -> None:
    for relative in ("b.txt", "a/z.txt", "a/c.txt", ".hidden.txt", ".git/x.txt", "a/.h.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date 2022-05-05 {relative}", encoding="utf8")
    items = list(read_items([str(tmp_path)]))
    assert names(items, tmp_path) == ["a/c.txt", "a/z.txt", "b.txt"]
    assert all(item.article for item in items)


def test_globs_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    for name in ("2.txt", "1.txt", "3.md"):
        (tmp_path / name).write_text("date 2022-05-05 Body.", encoding="utf8")
    (tmp_path / "empty").mkdir()
    inputs = [
        str(tmp_path / "*.txt"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "nothing-*.json"),
        str(tmp_path / "empty"),
        str(tmp_path / "3.md"),
    ]
    items = list(read_items(inputs))
    assert names(items, tmp_path) == [
        "1.txt",
        "2.txt",
        "missing.txt",
        "nothing-*.json",
        "empty",
        "3.md",
    ]
    codes = [item.error.code if item.error else None for item in items]
    assert codes == [None, None, Errors.E001, Errors.E053, Errors.E053, None]
    assert "No such file" in str(items[2].error)
    assert "no file matches" in str(items[3].error)


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "\n".join(json.dumps({**RECORD, "title": str(n)}) for n in range(3))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    items = list(read_items(["-"]))
    assert [item.name for item in items] == ["-:line 1", "-:line 2", "-:line 3"]
    assert [item.article.title for item in items if item.article] == ["0", "1", "2"]


def test_json_lines_every_line_and_a_single_object(tmp_path: Path) -> None:
    lines = [json.dumps({**RECORD, "title": "one"}), "{not json", "[1]", json.dumps({"text": "x"})]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n\n" + json.dumps(RECORD) + "\n")
    (tmp_path / "b.json").write_text(json.dumps(RECORD, indent=2))
    (tmp_path / "c.json").write_text(json.dumps(RECORD))
    items = list(read_items([str(tmp_path)]))
    assert names(items, tmp_path) == [
        "a.jsonl:line 1",
        "a.jsonl:line 2",
        "a.jsonl:line 3",
        "a.jsonl:line 4",
        "a.jsonl:line 6",
        "b.json",
        "c.json",
    ]
    codes = [item.error.code if item.error else None for item in items]
    assert codes == [None, Errors.E010, Errors.E011, Errors.E006, None, None, None]
    assert "line 2" in str(items[1].error)
    assert "a.jsonl:line 4" in str(items[3].error)


def test_every_kind_of_bad_input_is_named_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = "date 2022-05-05 A good story."
    bad = {
        "binary.txt": (b"date 2022-05-05 \x00\x01\x02", Errors.E003),
        "latin.txt": (bytes(range(128, 256)) * 4, Errors.E004),
        "undated.txt": (b"No date here.", Errors.E006),
        "empty.txt": (b"", Errors.E002),
        "huge.txt": (b"date 2022-05-05 " + b"x" * 3000, Errors.E005),
        "page.html": (b"<html><body><script>x()</script></body></html>", Errors.E009),
        "bad.jsonl": (b'{"text": "a", "published": "2022-05-05"} extra\n', Errors.E010),
        "bad.csv": (b"a,b\n1,2\n", Errors.E015),
        "bad.xml": (b"<rss><channel><title>Cut", Errors.E016),
        "cut.gz": (gzip.compress(b"date 2022-05-05 " + b"word " * 2000)[:200], Errors.E019),
        "garbage.warc": (b"WARC/1.0\r\nnonsense\r\n\r\n", Errors.E018),
    }
    inputs = []
    for number, (name, (data, _)) in enumerate(bad.items()):
        (tmp_path / name).write_bytes(data)
        (tmp_path / f"good{number}.txt").write_text(good, encoding="utf8")
        inputs += [str(tmp_path / name), str(tmp_path / f"good{number}.txt")]
    items = list(read_items(inputs, Options(max_bytes=2000)))
    assert len(items) == 2 * len(bad)
    by_file = {item.name.split("#")[0].split(":line")[0]: item for item in items}
    for name, (_, code) in bad.items():
        failed = by_file[str(tmp_path / name)]
        assert failed.error is not None, name
        assert failed.error.code is code, (name, failed.error)
        assert str(tmp_path / name) in str(failed.error)
    goods = [item for item in items if "good" in item.name]
    assert len(goods) == len(bad)
    assert all(item.article and item.article.text == "A good story." for item in goods)


def test_an_unexpected_failure_is_e059_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a library's surprise")

    monkeypatch.setattr(html, "extract", broken)
    (tmp_path / "a.html").write_bytes(NEWS_PAGE.read_bytes())
    (tmp_path / "b.txt").write_text("date 2022-05-05 Fine.", encoding="utf8")
    first, second = read_items([str(tmp_path)])
    assert first.error is not None
    assert first.error.code is Errors.E059
    assert "a library's surprise" in str(first.error)
    assert second.article is not None


def test_where_each_date_comes_from(tmp_path: Path) -> None:
    files = {
        "a-house.txt": "date 2021-01-01 House.",
        "b-plain.txt": "Plain text.",
        "c-record.json": json.dumps({"text": "Record.", "published": "2021-01-03"}),
        "d-url.json": json.dumps({"text": "In the URL.", "url": "https://x.example/2021/01/04/a"}),
        "e-page.html": page('<meta property="article:published_time" content="2021-01-05">'),
        "f-page-url.html": page('<link rel="canonical" href="https://x.example/2021/01/06/b">'),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf8")
    items = list(read_items([str(tmp_path)], Options(published=date(2021, 1, 2))))
    found = [(item.article.published, item.article.date_source) for item in items if item.article]
    assert found == [
        (date(2021, 1, 1), "house"),
        (date(2021, 1, 2), "option"),
        (date(2021, 1, 3), "record"),
        (date(2021, 1, 4), "url"),
        (date(2021, 1, 5), "html"),
        (date(2021, 1, 6), "url"),
    ]
    undated = list(read_items([str(tmp_path / "b-plain.txt")], Options(undated=True)))
    assert undated[0].article is not None
    assert (undated[0].article.published, undated[0].article.date_source) == (None, None)


def test_outlets_input_then_option_then_credit_then_domain(tmp_path: Path) -> None:
    records = [
        {
            "text": "A.",
            "published": "2021-01-01",
            "outlet": "Own",
            "url": "https://www.x.example/a",
        },
        {"text": "B.\n\n(Reuters)", "published": "2021-01-01", "url": "https://www.x.example/b"},
        {"text": "C.", "published": "2021-01-01", "url": "https://www.x.example/c"},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf8")
    outlets = [i.article.outlet for i in read_items([str(path)]) if i.article]
    assert outlets == ["Own", "Reuters", "x.example"]
    given = [
        i.article.outlet for i in read_items([str(path)], Options(outlet="Given")) if i.article
    ]
    assert given == ["Own", "Given", "Given"]


def test_read_article_and_its_dict_keep_working(tmp_path: Path) -> None:
    article = read_article(b"date 2022-05-05 Body.\n\n(AP)\n")
    assert (article.published, article.date_source, article.outlet) == (
        date(2022, 5, 5),
        "house",
        "AP",
    )
    assert article.to_dict()["date_source"] == "house"
    assert read_article(b"Plain.", published=date(2020, 1, 1)).date_source == "option"
    assert read_article(NEWS_PAGE).date_source == "html"


def test_basil_json_ingests(shared_data: Path) -> None:
    folder = shared_data / "basil" / "articles"
    items = list(read_items([str(folder / "2010"), str(folder / "2016")]))
    assert len(items) == 60
    articles = [item.article for item in items if item.article]
    assert len(articles) == 60
    assert {a.date_source for a in articles} == {"record"}
    assert {a.outlet.lower() for a in articles if a.outlet} == {"fox", "hpo", "nyt"}
    assert all(a.title and a.url and "\n\n" in a.text for a in articles)
    assert {a.published.year for a in articles if a.published} == {2010, 2016}


def test_polnear_text_ingests_with_a_date(shared_data: Path) -> None:
    pattern = str(shared_data / "polnear" / "dev" / "text" / "*.txt")
    refused = list(read_items([pattern]))
    assert len(refused) == 84
    assert {item.error.code for item in refused if item.error} == {Errors.E006}
    items = list(read_items([pattern], Options(published=date(2016, 10, 1))))
    assert len(items) == 84
    assert all(item.article and item.article.date_source == "option" for item in items)


@settings(max_examples=40)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "text": st.text(min_size=1).filter(lambda s: s.strip()),
                "published": st.dates(min_value=date(1900, 1, 1)).map(date.isoformat),
                "title": st.none() | st.text(),
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_json_lines_records_round_trip(records: list[dict[str, object]]) -> None:
    data = "\n".join(json.dumps(r) for r in records).encode("utf8")
    found = list(jsonl.read(io.BytesIO(data), name="r.jsonl"))
    assert len(found) == len(records)
    for (name, outcome), record in zip(found, records, strict=True):
        assert name == ("r.jsonl" if len(records) == 1 else f"r.jsonl:{name.split(':')[-1]}")
        assert not isinstance(outcome, InputError), outcome
        text = str(record["text"]).replace("\r\n", "\n").replace("\r", "\n").strip()
        assert outcome.text == house.split_credit(text)[0]
        assert outcome.published == date.fromisoformat(str(record["published"]))
