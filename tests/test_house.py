"""The house format: `date YYYY-MM-DD`, body, optional closing credit line."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import house


def test_seed_header_credit_and_body(seed_text: str) -> None:
    article = house.parse(seed_text)
    assert article.published == date(2022, 5, 5)
    assert article.credit == "YWN World Headquarters – NYC"
    assert article.outlet == "YWN World Headquarters – NYC"  # no outlet given: the credit's
    assert article.text.startswith("Rumors about high-level Kremlin officials")
    assert article.text.endswith("within the security apparatus.”")


@pytest.mark.parametrize(
    "text",
    [
        "date 2022-05-05 Body here.",
        " date 2022-05-05 Body here.",
        "date 2022-05-05\nBody here.",
        "\ufeffdate 2022-05-05\r\nBody here.".replace("\r\n", "\n"),
    ],
)
def test_header_variants(text: str) -> None:
    article = house.parse(text)
    assert article.published == date(2022, 5, 5)
    assert article.text == "Body here."


@pytest.mark.parametrize(
    ("last_line", "credit"),
    [("(AP)", "AP"), ("(Reuters)", "Reuters"), ("— Reuters", "Reuters"), ("AFP", "AFP")],
)
def test_credit_lines(last_line: str, credit: str) -> None:
    article = house.parse(f"date 2020-01-02 First paragraph.\n\n{last_line}\n")
    assert article.credit == credit
    assert article.text == "First paragraph."


def test_outlet_comes_from_the_argument_then_an_outlet_credit() -> None:
    assert house.parse("date 2020-01-02 One.\n\n(AP)", outlet="YWN").outlet == "YWN"
    byline = house.parse("date 2020-01-02 One.\n\nReporting by Jane Roe; Editing by Al Bo")
    assert byline.credit is not None
    assert byline.outlet is None  # a byline names people, not an outlet


def test_a_parenthesis_inside_the_body_is_not_a_credit() -> None:
    text = "date 2020-01-02 One.\n\nThe minister (who resigned) spoke."
    assert house.parse(text).credit is None


def test_plain_text_needs_a_date() -> None:
    with pytest.raises(InputError) as info:
        house.parse("Just a story.", name="story.txt")
    assert info.value.code is Errors.E006
    assert "story.txt" in str(info.value)
    assert house.parse("Just a story.", published=date(2021, 1, 1)).published == date(2021, 1, 1)


def test_bad_date_and_empty_body() -> None:
    with pytest.raises(InputError) as bad:
        house.parse("date 2022-13-45 Text")
    assert bad.value.code is Errors.E007
    assert isinstance(bad.value.__cause__, ValueError)
    with pytest.raises(InputError) as empty:
        house.parse("date 2022-01-01   \n  ")
    assert empty.value.code is Errors.E008


body_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="()"),
    min_size=1,
).filter(lambda s: s.strip())


@given(day=st.dates(min_value=date(1900, 1, 1)), body=body_text, newline=st.booleans())
def test_round_trip(day: date, body: str, newline: bool) -> None:
    sep = "\n" if newline else " "
    article = house.parse(f"date {day.isoformat()}{sep}{body}")
    assert article.published == day
    assert article.text == body.strip()
    assert article.id == house.parse(f"date {day.isoformat()}{sep}{body}").id
