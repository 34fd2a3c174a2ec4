"""Near-duplicate copies: shingles, originals, re-pointing, saved state, real Wikinews text.

Hand-made texts use invented sentences; the integration test reads
../shared/data/wikinews/wikinews_2019.csv (CC BY 2.5) directly.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.link.copies import CopyIndex, CopyLink, CopyParams, normalise, shingles

BRIDGE = (
    "Harbor Town will finish the new bridge by May, Mayor Jana Kowalczyk said on Monday. "
    "The council voted seven to two for the plan after a long debate about its cost. "
    "Critics called the timetable a fantasy and asked for an independent review of the "
    "budget, which has grown by a third since the project began three years ago. "
    "Work on the eastern ramp starts next week, weather permitting."
)
# The same text with three words changed, as a rewrite desk would.
BRIDGE_EDITED = (
    BRIDGE.replace("Monday", "Tuesday").replace("long", "heated").replace("next", "this")
)
FERRY = (
    "The ferry service to Gull Island stops for the winter on Friday, the operator said. "
    "Passengers can use the weekly supply boat until the spring timetable starts in April, "
    "when two new boats join the fleet. Island shops have stocked up for the season."
)

D1, D2, D3 = date(2021, 3, 1), date(2021, 3, 2), date(2021, 3, 3)


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("The  “Bridge”, by MAY!\n\nOK") == ["the", "bridge", "by", "may", "ok"]
    assert normalise("ﬁnal Straße") == ["final", "strasse"]
    assert shingles("a b c d", 3) == [b"a b c", b"b c d"]
    assert shingles("a b", 3) == [b"a b"]
    assert shingles("a b a b a b", 2) == [b"a b", b"b a"]
    assert shingles(" ... ", 3) == []


def test_copies_point_to_the_earliest_article() -> None:
    index = CopyIndex()
    assert index.add("a", BRIDGE, D1) is None
    assert index.add("b", FERRY, D1) is None
    assert index.add("c", BRIDGE_EDITED, D2) == "a"
    assert index.add("d", BRIDGE.upper(), D3) == "a"
    assert index.original_of("c") == "a"
    assert index.original_of("a") is None
    assert index.copies_of("a") == ["c", "d"]
    assert index.copies_of("b") == []
    assert len(index) == 4
    assert "d" in index
    assert "z" not in index
    with pytest.raises(KeyError):
        index.original_of("z")


def test_an_earlier_copy_becomes_the_original_and_the_group_is_repointed() -> None:
    index = CopyIndex()
    index.add("late", BRIDGE, D3)
    index.add("later", BRIDGE_EDITED, date(2021, 3, 9))
    link = index.link("early", BRIDGE, D1)
    assert link.original is None
    assert link.repointed == ("late", "later")
    assert link.similarity == 1.0
    assert index.original_of("late") == "early"
    assert index.original_of("later") == "early"
    assert index.copies_of("early") == ["late", "later"]
    assert index.copies_of("late") == []


def test_same_day_and_undated_articles_go_by_ingest_order() -> None:
    index = CopyIndex()
    assert index.add("undated", BRIDGE, None) is None
    # A dated copy is earlier than an undated one.
    assert index.link("dated", BRIDGE, D2) == CopyLink(None, 1.0, ("undated",))
    assert index.add("same-day", BRIDGE, D2) == "dated"
    assert index.add("undated-2", BRIDGE, None) == "dated"


def test_adding_an_id_again_changes_nothing() -> None:
    index = CopyIndex()
    index.add("a", BRIDGE, D2)
    index.add("b", BRIDGE, D3)
    assert index.add("b", FERRY, D1) == "a"
    assert index.copies_of("a") == ["b"]
    assert len(index) == 2


def test_a_text_without_words_is_an_original_nothing_copies() -> None:
    index = CopyIndex()
    assert index.add("blank", " — ", D1) is None
    assert index.add("again", " — ", D2) is None
    assert index.original_of("again") is None


def test_a_new_article_matching_two_groups_copies_the_earlier_original() -> None:
    first = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
    second = "lambda mu nu xi omicron pi rho sigma tau upsilon"
    index = CopyIndex(CopyParams(threshold=0.3))
    index.add("one", first, D2)
    index.add("two", second, D1)
    assert index.add("both", f"{first} {second}", D3) == "two"
    assert index.original_of("one") is None


def test_state_round_trips_and_the_restored_index_goes_on_the_same_way() -> None:
    index = CopyIndex()
    index.add("a", BRIDGE, D2)
    index.add("b", FERRY, None)
    index.add("blank", "…", D1)
    index.add("c", BRIDGE_EDITED, D3)
    data = index.to_bytes()
    restored = CopyIndex.from_bytes(data)
    assert restored.to_bytes() == data
    assert restored.params == index.params
    for article_id in ("a", "b", "blank", "c"):
        assert restored.original_of(article_id) == index.original_of(article_id)
    assert restored.copies_of("a") == ["c"]
    for target in (index, restored):
        assert target.link("x", BRIDGE, D1) == CopyLink(None, 1.0, ("a", "c"))
        # "b" is undated: the dated "y" is earlier and takes its place.
        assert target.link("y", FERRY, D3) == CopyLink(None, 1.0, ("b",))
        assert target.add("z", FERRY, D3) == "y"
    assert restored.to_bytes() == index.to_bytes()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe",
        b"not json",
        b"[]",
        b'{"format": "rumormill.stories", "version": 1}',
        b'{"format": "rumormill.copies", "version": 99}',
        b'{"format": "rumormill.copies", "version": 1, "params": {"shingle": 0}}',
    ],
)
def test_bad_state_is_a_coded_error(data: bytes) -> None:
    with pytest.raises(InputError) as e:
        CopyIndex.from_bytes(data)
    assert e.value.code is Errors.E080


def test_truncated_or_inconsistent_state_is_a_coded_error() -> None:
    index = CopyIndex()
    index.add("a", BRIDGE, D1)
    index.add("b", BRIDGE, D2)
    data = index.to_bytes()
    for bad in (
        data[: len(data) // 2],
        data.replace(b'"roots":["a","a"]', b'"roots":["b","a"]'),
        data.replace(b'"signed":["a","b"]', b'"signed":["a"]'),
    ):
        assert bad != data
        with pytest.raises(InputError) as e:
            CopyIndex.from_bytes(bad)
        assert e.value.code is Errors.E080


# --- properties --------------------------------------------------------------------------------

WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7), min_size=1, max_size=60
)
DATES = st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@given(WORDS, DATES, DATES)
def test_an_article_is_always_a_copy_of_itself_once_added(
    words: list[str], first: date | None, second: date | None
) -> None:
    text = " ".join(words)
    index = CopyIndex()
    index.add("first", text, first)
    link = index.link("second", text.upper(), second)
    assert link.similarity == 1.0
    first_key = first.toordinal() if first else 10**9
    second_key = second.toordinal() if second else 10**9
    if second_key < first_key:
        assert link.original is None
        assert index.original_of("first") == "second"
    else:
        assert link.original == "first"
        assert index.original_of("second") == "first"


@given(st.lists(st.tuples(WORDS, DATES), min_size=1, max_size=8), WORDS)
def test_state_round_trips_through_bytes(
    articles: list[tuple[list[str], date | None]], more: list[str]
) -> None:
    index = CopyIndex()
    for i, (words, day) in enumerate(articles):
        index.add(f"a{i}", " ".join(words), day)
        # Every third article repeats an earlier one.
        if i % 3 == 2:
            index.add(f"r{i}", " ".join(articles[0][0]), day)
    restored = CopyIndex.from_bytes(index.to_bytes())
    assert restored.to_bytes() == index.to_bytes()
    assert restored.add("more", " ".join(more), None) == index.add("more", " ".join(more), None)


# --- real text ---------------------------------------------------------------------------------


def wikinews(shared_data: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**8)
    path = shared_data / "wikinews" / "wikinews_2019.csv"
    with path.open(encoding="utf8", newline="") as f:
        return list(csv.DictReader(f))


def test_an_edited_wikinews_article_is_found_and_unrelated_ones_are_not(
    shared_data: Path,
) -> None:
    rows = wikinews(shared_data)
    assert len(rows) == 171
    index = CopyIndex()
    for i, row in enumerate(rows):
        # Different Wikinews articles are never copies of each other.
        assert index.add(f"w{i}", row["text"], date.fromisoformat(row["date"])) is None
    rnd = random.Random(6)
    for i in (0, 42, 170):
        words = rows[i]["text"].split()
        for j in rnd.sample(range(len(words)), len(words) // 50):
            words[j] = "changed"
        link = index.link(f"edit{i}", " ".join(words), date(2020, 1, 1))
        assert link.original == f"w{i}", (i, link)
        assert link.similarity >= 0.7


def test_close_before_forgets_old_groups_and_keeps_recent_ones() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    index = CopyIndex()
    index.add("old", text, date(2022, 1, 1))
    index.add("old-copy", text + " extra", date(2022, 1, 2))
    index.add("new", "completely different words " * 10, date(2022, 3, 1))
    assert index.close_before(date(2022, 2, 1)) == 2
    assert "old" not in index
    assert "new" in index
    # A later copy of the forgotten text is now an original, and the state still round-trips.
    assert index.add("late-copy", text, date(2022, 3, 2)) is None
    again = CopyIndex.from_bytes(index.to_bytes())
    assert sorted(again._root) == ["late-copy", "new"]
    assert again.add("late-copy-2", text, date(2022, 3, 3)) == "late-copy"
