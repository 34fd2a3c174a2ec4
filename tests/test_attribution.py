"""Attribution rules: quotations by hand (no model), then each kind on small sentences, with
the learned span taggers left out so that these tests see the rules alone."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.analysis import analysis_of
from rumormill.model import Analysis, Article, Attribution
from rumormill.nlp import pipeline
from rumormill.nlp.attribution import find_quotes, paragraphs
from rumormill.nlp.spans import TAGGERS


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The rules alone: the shipped pipeline without the learned span taggers (their pairing
    is tested in test_pairing.py, their accuracy by the PolNeAR gate)."""
    return pipeline.load(exclude=TAGGERS)


# --- quotations, no model --------------------------------------------------------------------


def inner(text: str) -> list[str]:
    return [text[q.inner_start : q.inner_end] for q in find_quotes(text)]


def test_curly_and_straight_quotes() -> None:
    assert inner('“It matters,” he said. "So it does," she said.') == [
        "It matters,",
        "So it does,",
    ]


def test_nested_quotes_give_the_outer_one() -> None:
    text = "“He has a “special operation” in Ukraine.” Then"
    assert inner(text) == ["He has a “special operation” in Ukraine."]


def test_apostrophes_and_unbalanced_marks_give_no_quote() -> None:
    assert inner("He shouldn‘t go, and she didn’t want to. Putin’s men.") == []
    assert inner("He said “this goes on\n\nA new paragraph.") == []
    assert inner('A stray ” close and a " lone mark.') == []


def test_a_quote_over_paragraphs() -> None:
    text = "“First part.\n\n“Second part.\n\n“Last part,” she said."
    quotes = find_quotes(text)
    assert [text[q.inner_start : q.inner_end] for q in quotes] == [
        "First part.",
        "Second part.",
        "Last part,",
    ]
    assert [q.open_end for q in quotes] == [True, True, False]
    assert [q.continued for q in quotes] == [False, True, True]


def test_paragraphs() -> None:
    text = "One.\n\nTwo.\n \nThree."
    assert [text[s:e] for s, e in paragraphs(text)] == ["One.", "Two.", "Three."]


@given(st.text(alphabet="ab “”\"‘’'\n.,—:", max_size=80))
def test_quotes_of_any_text_are_well_formed(text: str) -> None:
    for q in find_quotes(text):
        assert 0 <= q.start <= q.inner_start < q.inner_end <= q.end <= len(text)
        assert text[q.inner_start : q.inner_end].strip() == text[q.inner_start : q.inner_end]


# --- each kind, with the model -----------------------------------------------------------------


def analyse(nlp: Language, text: str) -> Analysis:
    return analysis_of(Article(text=text, published=date(2022, 5, 5)), nlp(text))


def only(nlp: Language, text: str) -> Attribution:
    found = analyse(nlp, text).attributions
    assert len(found) == 1, [a.to_dict() for a in found]
    return found[0]


def check_spans(text: str, analysis: Analysis) -> None:
    for a in analysis.attributions:
        d = a.to_dict()
        for role in ("source", "cue", "channel", "content"):
            value = d[role]
            if value is not None and value["span"] is not None:
                start, end = value["span"]
                assert 0 <= start < end <= len(text)
                assert text[start:end] == value["text"], role


@pytest.mark.model
def test_direct(nlp: Language) -> None:
    a = only(nlp, "“The war is over,” Senator John Smith said.")
    assert a.kind == "direct"
    assert a.content.text == "The war is over,"
    assert a.source.name == "John Smith"
    assert a.cue is not None
    assert a.cue.text == "said"
    assert a.certainty.label == "asserted"


@pytest.mark.model
def test_direct_with_the_cue_first(nlp: Language) -> None:
    a = only(nlp, "“We are done,” said John Smith.")
    assert (a.kind, a.source.name) == ("direct", "John Smith")


@pytest.mark.model
def test_indirect(nlp: Language) -> None:
    a = only(nlp, "Senator John Smith said that the war was over.")
    assert a.kind == "indirect"
    assert a.content.text == "the war was over"
    assert a.source.name == "John Smith"


@pytest.mark.model
def test_mixed(nlp: Language) -> None:
    a = only(nlp, "Senator John Smith said the war was “effectively over” for now.")
    assert a.kind == "mixed"
    assert "“effectively over”" in a.content.text


@pytest.mark.model
def test_according_to_an_outlet_is_also_the_channel(nlp: Language) -> None:
    a = only(nlp, "The economy is shrinking, according to Bloomberg.")
    assert a.kind == "according_to"
    assert a.content.text == "The economy is shrinking"
    assert a.cue is not None
    assert a.cue.text == "according to"
    assert a.channel is not None
    assert a.channel.text == "Bloomberg"


@pytest.mark.model
def test_parenthetical_says(nlp: Language) -> None:
    a = only(nlp, "The plan will fail, the spokesman added.")
    assert a.kind == "according_to"
    assert a.source.type == "UNNAMED"
    assert a.source.span is not None
    assert a.source.span.text == "the spokesman"


@pytest.mark.model
def test_unattributed(nlp: Language) -> None:
    a = only(nlp, "The minister is reportedly planning to resign.")
    assert a.kind == "unattributed"
    assert a.source.to_dict() == {
        "text": None,
        "span": None,
        "entity": None,
        "name": None,
        "type": "UNNAMED",
    }
    assert a.certainty.score < 3.0
    assert "reportedly" in a.certainty.cues


@pytest.mark.model
def test_reports_say_is_unattributed(nlp: Language) -> None:
    a = only(nlp, "News reports say that the minister will resign.")
    assert a.kind == "unattributed"
    assert a.source.entity is None
    assert a.source.name is None


@pytest.mark.model
def test_colon_layout(nlp: Language) -> None:
    a = only(nlp, "And from Chairwoman Maria Ruiz: “We will not back down.”")
    assert a.kind == "direct"
    assert a.content.text == "We will not back down."
    assert a.source.span is not None
    assert "Maria Ruiz" in a.source.span.text


@pytest.mark.model
def test_dash_layout(nlp: Language) -> None:
    a = only(nlp, "“We will not back down.” —Commissioner Tom Hale")
    assert a.kind == "direct"
    assert a.source.name == "Tom Hale"


@pytest.mark.model
def test_quote_over_paragraphs_has_one_speaker(nlp: Language) -> None:
    text = "“This is the first part.\n\n“This is the second.\n\n“And the last,” said Maria Ruiz."
    found = analyse(nlp, text).attributions
    assert [a.content.text for a in found] == [
        "This is the first part.",
        "This is the second.",
        "And the last,",
    ]
    assert {a.source.name for a in found} == {"Maria Ruiz"}


@pytest.mark.model
def test_second_quote_continues_the_first(nlp: Language) -> None:
    found = analyse(nlp, '"We are done," John Smith said. "Nothing else matters."').attributions
    assert [a.source.name for a in found] == ["John Smith", "John Smith"]
    assert found[1].cue is None


@pytest.mark.model
@pytest.mark.parametrize(
    ("verb", "label"),
    [
        ("warned", "possible or probable"),  # "could" hedges it; the model puts it near 1
        ("insisted", "asserted"),
        ("tweeted", "asserted"),
        ("conceded", "asserted"),
        ("claimed", "asserted"),
        ("believes", "probable"),
        ("denied", "denied"),
    ],
)
def test_reporting_verbs(nlp: Language, verb: str, label: str) -> None:
    hedge = "could rise" if verb == "warned" else "rose"
    a = only(nlp, f"Maria Ruiz {verb} that prices {hedge}.")
    assert a.cue is not None
    assert a.cue.text == verb
    assert a.source.name == "Maria Ruiz"
    assert a.certainty.label in label.split(" or ")


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("“We will win,” he told CNN.", "CNN"),
        ("Maria Ruiz said in an interview with CNN that the plant would close.", "CNN"),
        ("Maria Ruiz wrote in The Washington Post that the plant would close.", "Post"),
        ("Maria Ruiz said on Twitter that the plant would close.", "Twitter"),
        ("Maria Ruiz said on Monday that the plant would close.", None),
    ],
)
def test_channels(nlp: Language, text: str, channel: str | None) -> None:
    a = only(nlp, text)
    if channel is None:
        assert a.channel is None
    else:
        assert a.channel is not None
        assert channel in a.channel.text


@pytest.mark.model
def test_stray_marks_give_no_attribution(nlp: Language) -> None:
    assert analyse(nlp, 'He shouldn‘t go, and she didn’t "want to.').attributions == []


@pytest.mark.model
def test_every_span_indexes_the_text(nlp: Language, seed_text: str) -> None:
    from rumormill.ingest import house

    text = house.parse(seed_text).text
    analysis = analyse(nlp, text)
    assert analysis.attributions
    check_spans(text, analysis)
    for e in analysis.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.text


@pytest.mark.model
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                "“",
                "”",
                '"',
                "‘",
                "’",
                "'",
                "—",
                ":",
                ",",
                ".",
                "\n\n",
                " ",
                "he said",
                "Putin",
                "Maria Ruiz told CNN",
                "according to",
                "reportedly",
                "shouldn‘t",
                "that",
                "It is",
            ]
        ),
        max_size=30,
    )
)
def test_stray_quote_marks_never_crash(nlp: Language, parts: list[str]) -> None:
    text = " ".join(parts)
    check_spans(text, analyse(nlp, text))
