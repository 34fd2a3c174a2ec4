"""Online story clustering: joins, windows, decay, candidates, saved state, inputs.

Inputs are built by hand (invented words and names); one test parses an invented text with
the shipped model.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.link.stories import (
    StoryClusterer,
    StoryInput,
    StoryParams,
    name_key,
    story_input,
    words,
)
from rumormill.model import Analysis, Article, Entity, Span

DAY = date(2021, 3, 1)

BRIDGE = "bridge vote council mayor budget ramp delay harbor contract engineer".split()
FERRY = "ferry winter island boat timetable passenger operator shop supply fleet".split()
FIRE = "fire warehouse smoke firefighter blaze evacuate alarm chemical roof district".split()
FILLER = "said year week people time city official report plan month".split()


def article(
    article_id: str,
    topic: list[str],
    names: tuple[str, ...],
    when: date | None,
    *,
    extra: tuple[str, ...] = (),
) -> StoryInput:
    # Every article shares the filler words, as real news shares "said" and "year".
    return StoryInput(article_id, when, (*topic, *topic[:4], *FILLER[:5], *extra), names)


def bridge(i: int, when: date | None = DAY) -> StoryInput:
    return article(f"bridge{i}", BRIDGE, ("jana kowalczyk", "kowalczyk", "harbor town"), when)


def ferry(i: int, when: date | None = DAY) -> StoryInput:
    return article(f"ferry{i}", FERRY, ("gull island", "north sea lines"), when)


def fire(i: int, when: date | None = DAY) -> StoryInput:
    return article(f"fire{i}", FIRE, ("harbor town", "lee park"), when)


def test_articles_on_one_event_join_and_others_open_stories() -> None:
    c = StoryClusterer()
    assert c.add(bridge(1)) == "s1"
    assert c.add(ferry(1)) == "s2"
    assert c.add(bridge(2, DAY + timedelta(days=1))) == "s1"
    assert c.add(fire(1)) == "s3"
    assert c.add(ferry(2, DAY + timedelta(days=2))) == "s2"
    assert c.stories() == {
        "s1": ["bridge1", "bridge2"],
        "s2": ["ferry1", "ferry2"],
        "s3": ["fire1"],
    }
    assert c.story_of("ferry2") == "s2"
    assert len(c) == 5
    assert "fire1" in c
    assert "fire2" not in c
    with pytest.raises(KeyError):
        c.story_of("fire2")


def test_the_same_words_beyond_the_window_open_a_new_story() -> None:
    c = StoryClusterer(StoryParams(window_days=7))
    assert c.add(bridge(1)) == "s1"
    assert c.add(bridge(2, DAY + timedelta(days=8))) == "s2"
    assert c.last_scored == 0
    # Within the window of the newer story, and looking backwards in time as well.
    assert c.add(bridge(3, DAY + timedelta(days=12))) == "s2"
    assert c.add(bridge(4, DAY - timedelta(days=3))) == "s1"


def test_the_score_decays_with_the_gap_in_days() -> None:
    c = StoryClusterer()
    c.add(bridge(1))
    c.add(bridge(2, DAY + timedelta(days=2)))  # the story now spans two days
    scores = [c.score(bridge(9, DAY + timedelta(days=d)), "s1") for d in (1, 2, 4, 6, 9)]
    assert scores[0] == scores[1]  # inside the story's range: no decay
    assert scores[1] > scores[2] > scores[3] > scores[4]
    assert scores[2] == pytest.approx(scores[1] * 2.718281828 ** (-(2**2) / (2 * 3.0**2)))
    assert len(c) == 2  # scoring adds nothing


def test_entities_and_lemmas_are_weighed() -> None:
    # Different words, the same names: entities alone can carry a join when they weigh.
    names = ("jana kowalczyk", "kowalczyk", "harbor town")
    a = StoryInput("a", DAY, tuple(BRIDGE), names)
    b = StoryInput("b", DAY, tuple(FERRY), names)
    lexical_only = StoryClusterer(StoryParams(entity_weight=0.0))
    assert [lexical_only.add(a), lexical_only.add(b)] == ["s1", "s2"]
    both = StoryClusterer(StoryParams(lexical_weight=0.5, entity_weight=0.5))
    assert [both.add(a), both.add(b)] == ["s1", "s1"]
    # An article without entities is scored on its lemmas alone, not halved.
    c = StoryClusterer()
    c.add(replace(bridge(1), entities=()))
    assert c.score(replace(bridge(2), entities=()), "s1") > 0.9


def test_undated_articles_sit_at_the_clock() -> None:
    c = StoryClusterer()
    assert c.add(bridge(1, None)) == "s1"  # day 0: nothing dated yet
    assert c.add(bridge(2, DAY)) == "s2"  # years away from day 0
    assert c.add(bridge(3, None)) == "s2"  # at the clock, the latest date seen
    assert c.add(ferry(1, DAY + timedelta(days=30))) == "s3"
    assert c.add(bridge(4, None)) == "s4"  # the clock moved on


def test_adding_an_id_again_changes_nothing() -> None:
    c = StoryClusterer()
    c.add(bridge(1))
    before = c.to_bytes()
    assert c.add(replace(ferry(1), id="bridge1")) == "s1"
    assert c.to_bytes() == before


def test_empty_articles_open_stories_of_their_own() -> None:
    c = StoryClusterer()
    assert c.add(StoryInput("e1", DAY, ())) == "s1"
    assert c.add(StoryInput("e2", DAY, ())) == "s2"


def test_the_candidates_stay_few_however_long_the_stream() -> None:
    # One story a week for three years, every one sharing words and names: each new article
    # is scored only against the stories of its window, never against all of them.
    c = StoryClusterer(StoryParams(window_days=7, threshold=0.99))
    scored = []
    for week in range(150):
        doc = bridge(week, DAY + timedelta(days=7 * week))
        c.add(replace(doc, tokens=(*doc.tokens, f"topic{week}")))
        scored.append(c.last_scored)
    assert len(c.stories()) == 150
    assert max(scored) <= 2


def test_max_candidates_bounds_the_scoring() -> None:
    c = StoryClusterer(StoryParams(max_candidates=3, threshold=0.99))
    for i in range(10):
        c.add(replace(bridge(i), tokens=(*bridge(i).tokens, f"topic{i}")))
    assert c.last_scored == 3


def test_quiet_stories_are_closed_and_their_state_dropped() -> None:
    c = StoryClusterer()
    for week in range(20):
        doc = bridge(week, DAY + timedelta(days=10 * week))
        c.add(replace(doc, tokens=(*doc.tokens, f"topic{week}")))
    assert len(c.stories()) == 20
    before = len(c.to_bytes())
    assert c.close_before(DAY + timedelta(days=185)) == 19
    assert c.close_before(DAY + timedelta(days=185)) == 0
    assert len(c.to_bytes()) < before / 3
    assert c.stories()["s1"] == ["bridge0"]  # members stay
    # The open story still takes articles; a closed one never does.
    assert c.add(bridge(100, DAY + timedelta(days=191))) == "s20"
    assert c.add(bridge(101, DAY + timedelta(days=186))) == "s20"
    assert c.add(bridge(102, DAY)) == "s21"
    restored = StoryClusterer.from_bytes(c.to_bytes())
    assert restored.to_bytes() == c.to_bytes()
    assert restored.add(bridge(103, DAY + timedelta(days=1))) == "s21"


def test_params_are_checked() -> None:
    for bad in (
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"lexical_weight": 0.0},
        {"entity_weight": -1.0},
        {"window_days": 0},
        {"decay_days": 0.0},
        {"keywords": 0},
        {"max_candidates": 0},
    ):
        with pytest.raises(ValueError, match="must be"):
            StoryParams(**bad)  # type: ignore[arg-type]


# --- saved state -------------------------------------------------------------------------------


def test_state_round_trips_and_the_restored_clusterer_goes_on_the_same_way() -> None:
    c = StoryClusterer(StoryParams(threshold=0.25))
    for doc in (bridge(1), ferry(1), bridge(2, None), fire(1, DAY + timedelta(days=1))):
        c.add(doc)
    data = c.to_bytes()
    restored = StoryClusterer.from_bytes(data)
    assert restored.to_bytes() == data
    assert restored.params == c.params
    assert restored.stories() == c.stories()
    for doc in (ferry(2, None), fire(2, DAY + timedelta(days=2)), bridge(3, DAY)):
        assert restored.add(doc) == c.add(doc)
    assert restored.to_bytes() == c.to_bytes()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff",
        b"{",
        b"[]",
        b'{"format": "rumormill.copies", "version": 1}',
        b'{"format": "rumormill.stories", "version": 2}',
        b'{"format": "rumormill.stories", "version": 1}',
        b'{"format": "rumormill.stories", "version": 1, "params": {"threshold": 7}}',
    ],
)
def test_bad_state_is_a_coded_error(data: bytes) -> None:
    with pytest.raises(InputError) as e:
        StoryClusterer.from_bytes(data)
    assert e.value.code is Errors.E080


def test_inconsistent_state_is_a_coded_error() -> None:
    c = StoryClusterer()
    c.add(bridge(1))
    c.add(ferry(1))
    data = c.to_bytes()
    for bad in (data.replace(b'"id":"s2"', b'"id":"s7"'), data.replace(b'["s1"]', b'["s9"]')):
        assert bad != data
        with pytest.raises(InputError) as e:
            StoryClusterer.from_bytes(bad)
        assert e.value.code is Errors.E080


# --- properties --------------------------------------------------------------------------------

TOPICS = (BRIDGE, FERRY, FIRE)
STREAM = st.lists(
    st.tuples(
        st.integers(0, 2),  # topic
        st.none() | st.integers(0, 40),  # day offset
        st.lists(st.sampled_from(FILLER), max_size=4),  # extra words
    ),
    min_size=1,
    max_size=14,
)


def stream_inputs(spec: list[tuple[int, int | None, list[str]]]) -> list[StoryInput]:
    docs = []
    for i, (topic, offset, extra) in enumerate(spec):
        when = None if offset is None else DAY + timedelta(days=offset)
        names = (("kowalczyk",), ("gull island",), ("lee park",))[topic]
        docs.append(article(f"d{i}", TOPICS[topic], names, when, extra=tuple(extra)))
    return docs


@given(STREAM)
def test_clustering_is_deterministic_and_story_ids_come_in_order(
    spec: list[tuple[int, int | None, list[str]]],
) -> None:
    docs = stream_inputs(spec)
    a, b = StoryClusterer(), StoryClusterer()
    ids = [a.add(d) for d in docs]
    assert ids == [b.add(d) for d in docs]
    assert a.to_bytes() == b.to_bytes()
    # New stories are numbered in the order they open.
    opened = list(dict.fromkeys(ids))
    assert opened == [f"s{n}" for n in range(1, len(opened) + 1)]
    # Every article sits in exactly one story.
    members = [m for ms in a.stories().values() for m in ms]
    assert sorted(members) == sorted(d.id for d in docs)


@given(STREAM, st.integers(0, 14))
def test_state_round_trips_mid_stream(
    spec: list[tuple[int, int | None, list[str]]], cut: int
) -> None:
    docs = stream_inputs(spec)
    cut = min(cut, len(docs))
    straight = StoryClusterer()
    ids = [straight.add(d) for d in docs]
    resumed = StoryClusterer()
    for d in docs[:cut]:
        resumed.add(d)
    data = resumed.to_bytes()
    resumed = StoryClusterer.from_bytes(data)
    assert resumed.to_bytes() == data
    assert [resumed.story_of(d.id) for d in docs[:cut]] == ids[:cut]
    assert [resumed.add(d) for d in docs[cut:]] == ids[cut:]
    assert resumed.to_bytes() == straight.to_bytes()


# --- inputs ------------------------------------------------------------------------------------


def test_name_keys_and_words() -> None:
    assert name_key("Obama’s") == "obama"
    assert name_key("  José  Núñez-Ortega ") == "jose nunez ortega"
    assert name_key("U.S.") == "us"
    assert words("The Mayor’s bridge, 2021: a done deal!") == ["mayor’s", "bridge", "deal"]


TEXT = "Mayor Jana Kowalczyk opened the bridge. Kowalczyk thanked Harbor Town."


def span(part: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return Span(start, start + len(part), part)


def analysis(title: str | None = "Bridge opens") -> Analysis:
    jana = Entity("e1", "Jana Kowalczyk", "PERSON", [span("Jana Kowalczyk"), span("Kowalczyk", 1)])
    town = Entity("e2", "Harbor Town", "GPE", [span("Harbor Town")])
    return Analysis(Article(TEXT, DAY, title=title), [], [jana, town])


def test_story_input_without_a_doc_uses_the_simple_tokenizer() -> None:
    a = analysis()
    doc = story_input(a)
    assert doc.id == a.article.id
    assert doc.published == DAY
    assert doc.tokens == (
        *"mayor jana kowalczyk opened bridge kowalczyk thanked harbor town".split(),
        "bridge",
        "opens",
    )
    # A person's full name and surname, once per mention; other names as they are.
    assert doc.entities == ("jana kowalczyk",) * 2 + ("kowalczyk",) * 2 + ("harbor town",)
    assert story_input(analysis(None)).tokens[-1] == "town"


@pytest.mark.model
def test_story_input_with_a_doc_uses_content_lemmas(nlp: Language) -> None:
    doc = nlp("The mayors opened two bridges and thanked the engineers on Monday.")
    found = story_input(analysis(None), doc)
    assert {"mayor", "open", "bridge", "thank", "engineer"} <= set(found.tokens)
    assert not {"the", "two", "and", "on"} & set(found.tokens)
