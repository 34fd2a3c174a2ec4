"""CSV with a header: one article per row, the fields found by name; a bad row is one coded
rejection and reading goes on."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import csvfile, house, records
from rumormill.ingest.records import FieldMap
from rumormill.ingest.sources import Item, Options, read_items


def items_of(
    tmp_path: Path, text: str | bytes, name: str = "records.csv", **options: object
) -> list[Item]:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf8", newline="")
    else:
        path.write_bytes(text)
    return list(read_items([str(path)], Options(**options)))  # type: ignore[arg-type]


def test_rows_are_articles_named_by_their_line(tmp_path: Path) -> None:
    text = (
        "url,date,title,text\n"
        'https://en.wikinews.org/wiki/A,2019-01-04,"A, title","First story.\n\nIts second '
        'paragraph."\n'
        "https://en.wikinews.org/wiki/B,2019-01-05,B,Second story.\n"
    )
    first, second = items_of(tmp_path, text)
    assert first.name.endswith("records.csv:line 2")
    assert second.name.endswith("records.csv:line 5")
    assert first.article is not None
    assert first.article.text == "First story.\n\nIts second paragraph."
    assert first.article.title == "A, title"
    assert (first.article.published, first.article.date_source) == (date(2019, 1, 4), "record")
    assert first.article.outlet == "en.wikinews.org"  # no outlet column: the URL's domain
    assert first.article.url == "https://en.wikinews.org/wiki/A"


def test_other_delimiters_header_cases_and_a_bom(tmp_path: Path) -> None:
    tsv = "\ufeffText\tPublished\tOUTLET\nBody one.\t2020-01-02\tThe Wire\n"
    (item,) = items_of(tmp_path, tsv, name="a.tsv")
    assert item.article is not None
    assert (item.article.text, item.article.outlet) == ("Body one.", "The Wire")
    semicolons = "text;date\nBody two.;2020-01-03\n"
    (item,) = items_of(tmp_path, semicolons, name="b.txt")  # recognised by its header
    assert item.article is not None
    assert item.article.published == date(2020, 1, 3)


def test_a_legacy_encoding_is_detected(tmp_path: Path) -> None:
    data = "text,date\nLe café est fermé a dit le maire.,2020-01-02\n".encode("cp1252")
    (item,) = items_of(tmp_path, data)
    assert item.article is not None
    assert item.article.text.startswith("Le café")


def test_field_names_can_be_mapped(tmp_path: Path) -> None:
    text = "story,day,paper\nBody.,2020-01-02,The Paper\n"
    (refused,) = items_of(tmp_path, text)
    assert refused.error is not None
    assert refused.error.code is Errors.E015
    assert "--field text=NAME" in str(refused.error)
    fields = FieldMap.parse(["text=story", "published=day", "outlet=paper"])
    (item,) = items_of(tmp_path, text, fields=fields)
    assert item.article is not None
    assert (item.article.published, item.article.outlet) == (date(2020, 1, 2), "The Paper")


@pytest.mark.parametrize(
    ("spec", "says"), [("text", "FIELD=NAME"), ("body=x", "unknown field"), ("text=", "FIELD")]
)
def test_a_bad_field_mapping_is_e054(spec: str, says: str) -> None:
    with pytest.raises(InputError) as info:
        FieldMap.parse([spec])
    assert info.value.code is Errors.E054
    assert says in str(info.value)


def test_bad_rows_are_rejected_one_by_one(tmp_path: Path) -> None:
    text = (
        "text,date\n"
        "Good one.,2020-01-02\n"
        "Too,many,fields\n"
        '"Bad "quoting,2020-01-02\n'
        "No date,\n"
        "Bad date,May 5th\n"
        ",2020-01-02\n"
        "Good two.,2020-01-03\n"
        ",\n"
    )
    items = items_of(tmp_path, text)
    lines = [item.name.rsplit(":", 1)[1] for item in items]
    assert lines == [f"line {n}" for n in range(2, 9)]
    codes = [item.error.code if item.error else None for item in items]
    assert codes == [None, Errors.E014, Errors.E014, Errors.E006, Errors.E007, Errors.E012, None]
    for item in items:
        if item.error:
            assert "records.csv" in str(item.error)
    assert "line 3" in str(items[1].error)
    assert "expected 2 fields" in str(items[1].error)
    assert "records.csv:line 5" in str(items[3].error)  # E006 names the row
    undated = items_of(tmp_path, text, undated=True)
    assert undated[3].article is not None
    assert undated[3].article.published is None


def test_an_oversized_row_stops_the_file_not_the_batch(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text(
        "text,date\nFine.,2020-01-02\n" + "x" * 5000 + ",2020-01-02\nLater.,2020-01-02\n"
    )
    other = tmp_path / "other.txt"
    other.write_text("date 2022-05-05 Another file.", encoding="utf8")
    items = list(read_items([str(big), str(other)], Options(max_bytes=1000)))
    assert items[0].article is not None
    assert items[1].error is not None
    assert items[1].error.code is Errors.E005
    assert items[1].name == f"{big}:line 3"
    assert items[2].article is not None
    assert items[2].name == str(other)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"text,date\nA\x00B,2020-01-02\n", "binary"),
        (b"\n\n", "empty"),
        (b"a,b\n1,2\n", "no text column"),
        (b'text,date\n"never closed,2020-01-02\n', "unexpected end of data"),
    ],
)
def test_bad_files_are_coded(tmp_path: Path, data: bytes, says: str) -> None:
    items = items_of(tmp_path, data)
    assert items[-1].error is not None
    assert says in str(items[-1].error)
    assert "records.csv" in str(items[-1].error)


@pytest.mark.parametrize(
    ("head", "suffix", "expected"),
    [
        ("url,date,title,text\n", "", True),
        ("Body,Date\n", ".txt", True),
        ("Text, photos and video by the AP newsroom\n", "", False),
        ("The minister said, in a text message, that\n", "", False),
        ("anything at all\n", ".csv", True),
        ("date 2022-05-05 text,more\n", "", False),
    ],
)
def test_looks_like_csv(head: str, suffix: str, expected: bool) -> None:
    assert csvfile.looks_like_csv(head, suffix=suffix) is expected


def test_encoding_of() -> None:
    assert csvfile.encoding_of("text\n".encode("utf-16")) == "utf-16"
    assert csvfile.encoding_of("café".encode()[:-1]) == "utf-8-sig"  # cut mid-character


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('\n,";'))
body = cell.filter(lambda s: bool(s.strip()))


@settings(max_examples=60)
@given(
    st.lists(st.tuples(body, st.dates(min_value=date(1900, 1, 1)), cell), min_size=1, max_size=5),
    st.sampled_from([",", "\t", ";"]),
)
def test_rows_round_trip_through_csv_writer(
    rows: list[tuple[str, date, str]], delimiter: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["text", "published", "title"])
    for text, day, title in rows:
        writer.writerow([text, day.isoformat(), title])
    data = out.getvalue().encode("utf8")
    found = list(csvfile.read(io.BytesIO(data), name="r.csv", head=data[:4096]))
    assert len(found) == len(rows)
    for (name, outcome), (text, day, title) in zip(found, rows, strict=True):
        assert name.startswith("r.csv:line ")
        assert not isinstance(outcome, InputError), outcome
        expected = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert outcome.text == house.split_credit(expected)[0]
        assert outcome.published == day
        assert outcome.title == (title.strip() or None)


def test_the_wikinews_csv_ingests_whole(shared_data: Path) -> None:
    path = shared_data / "wikinews" / "wikinews_2019.csv"
    items = list(read_items([str(path)]))
    assert len(items) == 171
    articles = [item.article for item in items if item.article]
    assert len(articles) == 171
    assert all(a.published and a.published.year == 2019 for a in articles)
    assert {a.date_source for a in articles} == {"record"}
    assert {a.outlet for a in articles} == {"en.wikinews.org"}
    assert all(a.url and a.title and len(a.text) > 100 for a in articles)
    assert len({item.name for item in items}) == 171


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2019/07/03/story", date(2019, 7, 3)),
        ("https://x.example/news/2019-07-03-story.html", date(2019, 7, 3)),
        ("https://x.example/a/20190703/story", date(2019, 7, 3)),
        ("https://x.example/2019/7/3/story", date(2019, 7, 3)),
        ("https://x.example/2019/02/30/impossible", None),
        ("https://x.example/2019/07/story", None),
        ("https://x.example/story?date=2019-07-03", None),  # the path only
        (None, None),
    ],
)
def test_url_date(url: str | None, expected: date | None) -> None:
    assert records.url_date(url) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-05-05", date(2022, 5, 5)),
        ("2022-05-05T23:30:00-05:00", date(2022, 5, 5)),  # its own local day
        ("Tue, 10 Jun 2003 23:30:00 -0500", date(2003, 6, 10)),
    ],
)
def test_record_dates(value: str, expected: date) -> None:
    assert records.parse_date(value, name="r") == expected


def test_paragraph_lists_and_bad_text_values() -> None:
    record = {"body-paragraphs": [["One.", "Two."], ["Three."]], "date": "2010-07-02"}
    article = records.article_of(record, name="b.json")
    assert article.text == "One. Two.\n\nThree."
    with pytest.raises(InputError) as info:
        records.article_of({"body": [1, 2], "date": "2010-07-02"}, name="b.json")
    assert info.value.code is Errors.E013
    assert "a list of a number" in str(info.value)
    with pytest.raises(InputError) as info:
        records.article_of({"text": ["One."], "date": "2010-07-02"}, name="b.json")
    assert info.value.code is Errors.E013  # our own `text` is a string
