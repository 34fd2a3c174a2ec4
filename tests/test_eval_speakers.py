"""The BASIL speaker-naming scorer: the reader, the cover rule, the name rule, the gate.

Hand-made BASIL-layout files use invented sentences; the integration and gate tests read
../shared/data/basil directly (nothing of it is copied here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.eval.speakers import (
    BASELINE,
    GoldQuote,
    Tally,
    build_text,
    covering_name,
    evaluate_speakers,
    exact_name,
    locate,
    name_tokens,
    nearest_person,
    read_gold,
    same_name,
)
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span

PARAGRAPHS = [
    ["Harbor Town votes on the bridge.", "The vote is on Monday."],
    [
        "Mayor Jana Kowalczyk spoke first.",
        "“We will finish the bridge by May,” Kowalczyk said.",
    ],
    ["The council was not convinced.", "Critics called it “a fantasy” on Sunday."],
]
QUOTE = "“We will finish the bridge by May,”"
FANTASY = "“a fantasy”"


def phrase(txt: str, sentence: str, speaker: str, *, quote: str = "yes") -> dict[str, Any]:
    start = sentence.index(txt)
    return {
        "id": f"p{start}",
        "quote": quote,
        "speaker": speaker,
        "start": start,
        "end": start + len(txt),
        "txt": txt,
    }


def write_basil(root: Path, *, year: str = "2011", stem: str = "abc_1") -> Path:
    (root / "articles" / year).mkdir(parents=True, exist_ok=True)
    (root / "annotations" / year).mkdir(parents=True, exist_ok=True)
    article = {
        "title": "Bridge vote",
        "date": "2011-05-02",
        "url": "http://example.invalid/bridge",
        "source": "hpo",
        "body-paragraphs": PARAGRAPHS,
    }
    ann = {
        "phrase-level-annotations": [
            phrase(QUOTE, PARAGRAPHS[1][1], "Jana_Kowalczyk"),
            phrase(FANTASY, PARAGRAPHS[2][1], "other_anti"),
            phrase("not convinced", PARAGRAPHS[2][0], "", quote="no"),
            {**phrase("convinced", PARAGRAPHS[2][0], "Lee_Park"), "txt": "absent words"},
        ]
    }
    (root / "articles" / year / f"{stem}.json").write_text(json.dumps(article), encoding="utf8")
    (root / "annotations" / year / f"{stem}_ann.json").write_text(json.dumps(ann), encoding="utf8")
    return root


# --- the reader --------------------------------------------------------------------------------


def test_build_text_joins_sentences_by_space_and_paragraphs_by_blank_line() -> None:
    text, paragraphs, starts = build_text([["A b.", "C d."], ["E f."]])
    assert text == "A b. C d.\n\nE f."
    assert paragraphs == [(0, 9), (11, 15)]
    assert starts == [0, 5, 11]
    assert [text[s : s + 4] for s in starts] == ["A b.", "C d.", "E f."]


def test_locate_prefers_the_offsets_then_falls_back_to_a_search() -> None:
    sentences = ["one two three", "two three four"]
    assert locate(sentences, 4, 7, "two") == (0, 4)
    assert locate(sentences, 0, 3, "two") == (1, 0)  # offsets fit sentence 1 only
    assert locate(sentences, 9, 13, "four") == (1, 10)  # offsets fit none: searched
    assert locate(sentences, 0, 4, "five") is None
    assert locate(sentences, 0, 0, "") is None


def test_read_gold_maps_quotes_into_the_article_text(tmp_path: Path) -> None:
    golds, unannotated = read_gold(write_basil(tmp_path))
    assert unannotated == 0
    (gold,) = golds
    assert gold.article.published is not None
    assert gold.article.published.isoformat() == "2011-05-02"
    assert (gold.article.outlet, gold.article.title) == ("hpo", "Bridge vote")
    (quote,) = gold.quotes
    assert gold.article.text[quote.start : quote.end] == QUOTE
    assert (quote.speaker, quote.paragraph) == ("Jana_Kowalczyk", 1)
    assert (gold.unnamed, gold.unlocated) == (1, 1)


def test_articles_are_sorted_limited_and_unannotated_ones_counted(tmp_path: Path) -> None:
    write_basil(tmp_path, year="2012", stem="zz_1")
    write_basil(tmp_path, year="2010", stem="bb_2")
    (tmp_path / "articles" / "2010" / "aa_1.json").write_text(
        (tmp_path / "articles" / "2010" / "bb_2.json").read_text(encoding="utf8"),
        encoding="utf8",
    )
    golds, unannotated = read_gold(tmp_path)
    assert [g.name for g in golds] == ["bb_2", "zz_1"]
    assert unannotated == 1
    golds, unannotated = read_gold(tmp_path, limit=2)
    assert ([g.name for g in golds], unannotated) == (["bb_2"], 1)


def error_code(fn: Any) -> Errors | None:
    try:
        fn()
    except InputError as e:
        return e.code
    return None


def test_bad_layouts_and_files_are_coded_errors(tmp_path: Path) -> None:
    assert error_code(lambda: read_gold(tmp_path)) is Errors.E030
    (tmp_path / "articles" / "2010").mkdir(parents=True)
    (tmp_path / "annotations" / "2010").mkdir(parents=True)
    assert error_code(lambda: read_gold(tmp_path)) is Errors.E030
    root = write_basil(tmp_path / "bad")
    ann = root / "annotations" / "2011" / "abc_1_ann.json"
    ann.write_text("{not json", encoding="utf8")
    assert error_code(lambda: read_gold(root)) is Errors.E032
    ann.write_text("[]", encoding="utf8")
    assert error_code(lambda: read_gold(root)) is Errors.E032
    article = root / "articles" / "2011" / "abc_1.json"
    article.write_text(json.dumps({"date": "2011-05-02", "body-paragraphs": "x"}), "utf8")
    assert error_code(lambda: read_gold(root)) is Errors.E032
    article.write_text(json.dumps({"date": "May 2", "body-paragraphs": []}), "utf8")
    assert error_code(lambda: read_gold(root)) is Errors.E032


# --- cover, names, tally -----------------------------------------------------------------------

TEXT = "Jana Kowalczyk spoke. “We will finish it,” she said.\n\nLee Park said no."


def span(part: str) -> Span:
    start = TEXT.index(part)
    return Span(start, start + len(part), part)


def attribution(content: str, name: str | None) -> Attribution:
    source = Source(span("she"), "PERSON", "e1" if name else None, name)
    return Attribution(
        "a1", "direct", source, span("said"), None, span(content), Certainty(3.0, "asserted")
    )


def analysis(*attributions: Attribution) -> Analysis:
    jana = Entity("e1", "Jana Kowalczyk", "PERSON", [span("Jana Kowalczyk")])
    lee = Entity("e2", "Lee Park", "PERSON", [span("Lee Park")])
    article = Article(TEXT, None)
    return Analysis(article, [], [jana, lee], list(attributions))


def gold(part: str) -> GoldQuote:
    s = span(part)
    return GoldQuote("p1", "Jana_Kowalczyk", s.start, s.end, 0)


def test_cover_needs_half_of_the_gold_span() -> None:
    quote = gold("“We will finish it,”")
    assert covering_name(analysis(attribution("We will finish it", "Jana K")), quote) == (
        True,
        "Jana K",
    )
    # "We will" is 7 of the 20 characters: not covered.
    assert covering_name(analysis(attribution("We will", "Jana K")), quote) == (False, None)
    assert covering_name(analysis(attribution("We will finish it", None)), quote) == (True, None)
    assert covering_name(analysis(), quote) == (False, None)
    best = analysis(attribution("We will", "Nobody"), attribution("will finish it,”", "Best"))
    assert covering_name(best, quote) == (True, "Best")


def test_nearest_person_stays_before_the_quote_in_its_paragraph() -> None:
    a = analysis()
    first = (0, TEXT.index("\n\n"))
    assert nearest_person(a, gold("“We will finish it,”"), first) == "Jana Kowalczyk"
    second = (TEXT.index("Lee"), len(TEXT))
    assert nearest_person(a, gold("no"), second) == "Lee Park"
    assert nearest_person(a, gold("Lee"), second) is None


def test_name_rule_examples() -> None:
    assert name_tokens("Mr. José_O'Brien-Núñez") == ("jose", "obrien", "nunez")
    assert same_name("Michael Steele", "Michael_Steele")
    assert same_name("Steele", "Michael_Steele")
    assert same_name("Benjamin Netanyahu", "Bibi_Netanyahu")
    assert same_name("Felipe Calderón", "felipe_calderon")
    assert not same_name("Michael Steele", "Michael_Bloomberg")
    assert not same_name("", "Michael_Steele")
    assert exact_name("michael  STEELE", "Michael_Steele")
    assert not exact_name("Steele", "Michael_Steele")


def test_tally_scores() -> None:
    t = Tally()
    t.add("Jana_Kowalczyk", True, "Kowalczyk", "Lee Park")
    t.add("Jana_Kowalczyk", True, "Lee Park", "Jana Kowalczyk")
    t.add("Jana_Kowalczyk", True, None, None)
    t.add("Jana_Kowalczyk", False, None, "Jana Kowalczyk")
    scores = t.scores()
    assert scores["all"] == {
        "coverage": 0.75,
        "named": 2 / 3,
        "accuracy": 0.5,
        "exact_accuracy": 0.0,
    }
    assert scores[BASELINE] == {
        "named": 0.75,
        "accuracy": 2 / 3,
        "exact_accuracy": 2 / 3,
        "accuracy_paired": 0.5,
    }


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñ", min_size=1, max_size=8).filter(
    lambda w: w not in {"mr", "mrs", "ms", "miss", "dr"}
)


@given(st.lists(WORD, min_size=1, max_size=4), st.lists(WORD, min_size=0, max_size=3), WORD)
def test_name_rule_properties(name: list[str], other: list[str], surname: str) -> None:
    gold = "_".join(name)
    # Case, underscores and accents never matter.
    spaced = " ".join(w.upper() for w in name)
    assert same_name(spaced, gold)
    assert exact_name(spaced, gold)
    assert same_name(spaced.replace("é", "e").replace("É", "E"), gold)
    # The surname alone, or with any other first names, is accepted.
    assert same_name(name[-1], gold)
    assert same_name(" ".join([*other, name[-1]]), gold)
    # A different surname never is.
    if name_tokens(surname) != name_tokens(name[-1]):
        assert not same_name(" ".join([*name[:-1], surname]), gold)


# --- the real data -----------------------------------------------------------------------------


def check_shape(data: dict[str, Any]) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"]) == ("basil-speakers", "all")
    assert {"all", BASELINE, "counts"} <= set(data["scores"])
    assert {"coverage", "named", "accuracy", "exact_accuracy"} <= set(data["scores"]["all"])
    assert data["n"] == data["scores"]["counts"]["quotes"]
    for group, metrics in data["scores"].items():
        for name, value in metrics.items():
            assert name == name.lower()
            if group != "counts":
                assert 0.0 <= value <= 1.0


@pytest.mark.model
def test_evaluate_on_invented_files(tmp_path: Path) -> None:
    report = evaluate_speakers(write_basil(tmp_path))
    check_shape(report.to_dict())
    assert report.n == 1
    assert report.scores["counts"]["unnamed_speakers"] == 1


@pytest.mark.model
def test_cli_json_on_real_articles(shared_data: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", "speakers", "--basil", str(shared_data / "basil"), "--limit", "6", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_shape(data)
    assert data["scores"]["counts"]["articles"] == 6


FLOORS = json.loads(
    (Path(__file__).parent / "eval_floors_speakers.json").read_text(encoding="utf8")
)


@pytest.mark.model
def test_speaker_naming_stays_above_the_floors(shared_data: Path) -> None:
    report = evaluate_speakers(shared_data / "basil")
    assert report.n == FLOORS["n"]
    below = [
        f"{metric}: {report.scores['all'][metric]:.4f} < floor {floor}"
        for metric, floor in FLOORS["all"].items()
        if report.scores["all"][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
