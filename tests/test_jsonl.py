"""JSON and JSON Lines input: one article per object; every bad record is a coded error."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import jsonl

RECORD = {
    "text": "The minister resigned, officials said.",
    "published": "2022-05-05",
    "outlet": "City A.M.",
    "url": "https://example.com/a",
    "title": "Minister resigns",
}


def test_one_object_gives_every_field() -> None:
    article = jsonl.parse(json.dumps(RECORD), name="a.json")
    assert article.text == RECORD["text"]
    assert article.published == date(2022, 5, 5)
    assert article.outlet == "City A.M."
    assert article.url == "https://example.com/a"
    assert article.title == "Minister resigns"
    assert article.credit is None


def test_a_pretty_printed_object_is_one_record() -> None:
    article = jsonl.parse(json.dumps(RECORD, indent=2), name="a.json")
    assert article.title == "Minister resigns"


def test_json_lines_first_record_and_all_records() -> None:
    second = {**RECORD, "text": "Second story.", "title": "Two"}
    text = json.dumps(RECORD) + "\n\n" + json.dumps(second) + "\n"
    assert jsonl.parse(text, name="a.jsonl").title == "Minister resigns"
    assert [a.title for a in jsonl.articles(text, name="a.jsonl")] == ["Minister resigns", "Two"]


def test_only_the_first_record_is_read() -> None:
    text = json.dumps(RECORD) + "\n{not json at all"
    assert jsonl.parse(text, name="a.jsonl").title == "Minister resigns"
    with pytest.raises(InputError) as info:
        list(jsonl.articles(text, name="a.jsonl"))
    assert info.value.code is Errors.E010
    assert "line 2" in str(info.value)


def test_date_time_and_missing_date() -> None:
    record = {"text": "Body.", "published": "2022-05-05T09:30:00Z"}
    assert jsonl.parse(json.dumps(record)).published == date(2022, 5, 5)
    undated = json.dumps({"text": "Body."})
    with pytest.raises(InputError) as info:
        jsonl.parse(undated, name="undated.json")
    assert info.value.code is Errors.E006
    assert jsonl.parse(undated, published=date(2020, 1, 1)).published == date(2020, 1, 1)


def test_the_record_wins_and_arguments_fill_gaps() -> None:
    article = jsonl.parse(json.dumps(RECORD), published=date(1999, 1, 1), outlet="Other")
    assert article.published == date(2022, 5, 5)
    assert article.outlet == "City A.M."
    bare = json.dumps({"text": "Body.", "published": "2022-05-05", "outlet": None})
    assert jsonl.parse(bare, outlet="Other").outlet == "Other"


def test_the_credit_line_gives_the_outlet() -> None:
    record = {"text": "The minister resigned.\n\n(Reuters)", "published": "2022-05-05"}
    article = jsonl.parse(json.dumps(record))
    assert article.text == "The minister resigned."
    assert article.credit == "Reuters"
    assert article.outlet == "Reuters"


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ('{"text": "a", ', Errors.E010, "line 1"),
        ('{"text": "a"} trailing', Errors.E010, "line 1"),
        ("[1, 2]", Errors.E011, "an array"),
        ('"just a string"', Errors.E011, "a string"),
        ("42", Errors.E011, "a number"),
        ('{"title": "no text"}', Errors.E012, "no text"),
        ('{"text": "   "}', Errors.E012, "no text"),
        ('{"text": null}', Errors.E012, "no text"),
        ('{"text": 5}', Errors.E013, "'text'"),
        ('{"text": "a", "published": "2022-05-05", "outlet": ["x"]}', Errors.E013, "'outlet'"),
        ('{"text": "a", "published": "May 5th"}', Errors.E007, "May 5th"),
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", Errors.E010, "nested"),
    ],
)
def test_bad_records_are_coded(text: str, code: Errors, says: str) -> None:
    with pytest.raises(InputError) as info:
        jsonl.parse(text, name="bad.jsonl", published=date(2022, 1, 1))
    assert info.value.code is code
    assert "bad.jsonl" in str(info.value)
    assert says in str(info.value)


def test_a_bad_second_line_names_its_line() -> None:
    text = json.dumps(RECORD) + "\n" + json.dumps({"text": 3})
    with pytest.raises(InputError) as info:
        list(jsonl.articles(text, name="b.jsonl"))
    assert info.value.code is Errors.E013
    assert "line 2" in str(info.value)


@given(st.text())
def test_any_text_is_an_article_or_an_input_error(text: str) -> None:
    try:
        article = jsonl.parse(text, name="x", published=date(2022, 1, 1))
    except InputError:
        return
    assert article.text.strip()
    assert article.published is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["text", "published", "outlet", "x"]), json_values))
def test_any_json_object_is_an_article_or_an_input_error(record: dict[str, object]) -> None:
    try:
        article = jsonl.parse(json.dumps(record), name="x")
    except InputError:
        return
    assert article.text.strip()
    assert article.published is not None


# Text without a closing credit line: no newline before a parenthesised last line.
body = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="()"),
    min_size=1,
).filter(lambda s: s.strip())
optional = st.none() | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1
).filter(lambda s: s.strip())


@given(
    text=body,
    day=st.dates(min_value=date(1900, 1, 1)),
    outlet=optional,
    url=optional,
    title=optional,
    jsonl_layout=st.booleans(),
)
def test_valid_records_round_trip(
    text: str,
    day: date,
    outlet: str | None,
    url: str | None,
    title: str | None,
    jsonl_layout: bool,
) -> None:
    record = {"text": text, "published": day.isoformat(), "outlet": outlet, "url": url}
    record["title"] = title
    raw = json.dumps(record) + "\n" if jsonl_layout else json.dumps(record, indent=1)
    article = jsonl.parse(raw, name="x")
    assert article.text == text.strip()
    assert article.published == day
    assert article.outlet == (outlet.strip() if outlet else None)
    assert article.url == (url.strip() if url else None)
    assert article.title == (title.strip() if title else None)
