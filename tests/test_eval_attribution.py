"""The PolNeAR attribution scorer: the brat reader, the span metrics, the baseline, the gate.

Hand-made brat files use invented sentences; the integration and gate tests read the PolNeAR
dev split from ../shared/data directly (nothing of it is copied here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.eval.attribution import (
    BASELINE,
    Mention,
    Scorer,
    TextBound,
    article_of,
    baseline_mentions,
    evaluate_attribution,
    gold_attributions,
    gold_mentions,
    parse_ann,
    parse_t_line,
    read_gold,
)
from rumormill.nlp.attribution import surface_kind

TEXT = (
    "Mayor wins again\n"
    "\n"
    "“We will finish the bridge by May,” the mayor said on Monday.\n"
    "\n"
    "The council said that taxes would rise, according to Ms. Lee.\n"
)


def at(part: str, *, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(part, after)
    return start, start + len(part)


QUOTE = at("“We will finish the bridge by May,”")
QUOTE_A = at("“We will finish")
QUOTE_B = at("the bridge by May,”")
MAYOR = at("the mayor")
SAID = at("said")
COUNCIL = at("The council")
SAID2 = at("said", after=COUNCIL[1])
TAXES = at("that taxes would rise")
ACCORDING = at("according to")
LEE = at("Ms. Lee")


def t_line(tid: str, label: str, *spans: tuple[int, int]) -> str:
    text = " ".join(TEXT[s:e] for s, e in spans)
    return TextBound(tid, label, spans, text).to_line()


ANN = "\n".join(
    [
        t_line("T1", "Content", QUOTE_A, QUOTE_B),
        t_line("T2", "Source", MAYOR),
        t_line("T3", "Cue", SAID),
        t_line("T4", "Attribution", SAID),
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2",
        t_line("T5", "Source", COUNCIL),
        t_line("T6", "Cue", SAID2),
        t_line("T7", "Content", TAXES),
        t_line("T8", "Attribution-no-source", SAID2),
        "E2\tAttribution-no-source:T8 Source:T5 Cue:T6 Content:T7",
        t_line("T9", "Discuss", at("Mayor wins again")),
        "#1\tAnnotatorNotes T9\ta note",
        "A1\tSomething E1",
        "",
    ]
)


# --- the brat reader ---------------------------------------------------------------------------


def test_reader_builds_one_attribution_per_event() -> None:
    ann = parse_ann(ANN, text_length=len(TEXT))
    assert ann.spans["T1"].fragments == (QUOTE_A, QUOTE_B)
    assert [e.id for e in ann.events] == ["E1", "E2"]
    first, second = gold_attributions(ann, TEXT)
    # A discontinuous span keeps its fragments; Discuss is never an attribution.
    assert first.content == (QUOTE_A, QUOTE_B)
    assert first.source == (MAYOR,)
    assert first.kind == "direct"
    # Attribution-no-source: an attribution with no source, its cue and content still count.
    assert second.source == ()
    assert second.cue == (SAID2,)
    assert second.kind == "indirect"
    mentions = gold_mentions([first, second])
    assert ("content", "direct", *QUOTE_A) in mentions
    assert ("content", "direct", *QUOTE_B) in mentions
    assert not any(m[0] == "source" and m[2:] == COUNCIL for m in mentions)


def test_repeated_roles_and_unordered_fragments() -> None:
    ann = parse_ann(
        "\n".join(
            [
                f"T1\tContent {TAXES[0]} {TAXES[1]};{QUOTE[0]} {QUOTE[1]}\tx",
                f"T2\tContent2 {LEE[0]} {LEE[1]}\tx",
                f"T3\tCue {SAID2[0]} {SAID2[1]}\tsaid",
                "E1\tAttribution:T3 Cue:T3 Content:T1 Content2:T2",
            ]
        )
    )
    (gold,) = gold_attributions(ann, TEXT)
    assert set(gold.content) == {TAXES, QUOTE, LEE}
    assert gold.kind == "mixed"


@pytest.mark.parametrize(
    ("cue", "content", "kind"),
    [
        (SAID, [QUOTE], "direct"),
        (SAID, [QUOTE_A, QUOTE_B], "direct"),
        (SAID2, [TAXES], "indirect"),
        (SAID, [(QUOTE[0], MAYOR[1])], "mixed"),
        (ACCORDING, [TAXES], "according_to"),
        (ACCORDING, [QUOTE], "according_to"),
    ],
)
def test_kind_is_read_off_the_surface(
    cue: tuple[int, int], content: list[tuple[int, int]], kind: str
) -> None:
    assert surface_kind(TEXT, [cue], content) == kind


@pytest.mark.parametrize(
    "line",
    [
        "T1\tSource 5\tx",
        "T1\tSource 9 4\tx",
        "T1\tSource 1 2;3\tx",
        "T1\tSource ١ ٢\tx",
        "E1\tAttribution:T9 Cue:T1",
        "E1\t",
        "E1\tAttribution",
        "T1\tSource 1 2000\tx",
    ],
)
def test_bad_lines_raise_the_coded_error(line: str) -> None:
    with pytest.raises(InputError) as info:
        parse_ann(line, name="x.ann", text_length=len(TEXT))
    assert info.value.code is Errors.E031
    assert str(info.value).startswith("[E031] x.ann: line 1")


def error_code(text: str, text_length: int | None = None) -> Errors | None:
    """None when `text` parses, else the code of the InputError; anything else propagates."""
    try:
        parse_ann(text, text_length=text_length)
    except InputError as e:
        return e.code
    return None


@given(st.text())
def test_any_text_parses_or_raises_the_coded_error(text: str) -> None:
    assert error_code(text, 100) in {None, Errors.E031}


@given(st.lists(st.text(max_size=30), max_size=8).map("\n".join))
def test_line_soup_parses_or_raises_the_coded_error(text: str) -> None:
    # Lines that start like brat lines reach the deeper checks more often than st.text().
    for line in (text, "T1\t" + text, "E1\t" + text, f"T1\tCue 0 1\tx\nE1\t{text}"):
        assert error_code(line) in {None, Errors.E031}


spans = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(lambda p: tuple(sorted(p)))


@given(
    tid=st.from_regex(r"T[0-9]{1,5}", fullmatch=True),
    label=st.sampled_from(["Source", "Cue", "Content", "Attribution", "Discuss", "Content2"]),
    fragments=st.lists(spans, min_size=1, max_size=4).map(tuple),
    text=st.text(alphabet=st.characters(exclude_characters="\n\r"), max_size=40),
)
def test_t_lines_round_trip(
    tid: str, label: str, fragments: tuple[tuple[int, int], ...], text: str
) -> None:
    span = TextBound(tid, label, fragments, text)
    assert parse_t_line(span.to_line()) == span
    assert parse_ann(span.to_line()).spans == {tid: span}


# --- the folder --------------------------------------------------------------------------------


def write_split(root: Path, files: dict[str, str], anns: dict[str, str]) -> None:
    (root / "dev" / "text").mkdir(parents=True)
    (root / "dev" / "attributions").mkdir(parents=True)
    for name, text in files.items():
        (root / "dev" / "text" / name).write_text(text, encoding="utf8")
    for name, text in anns.items():
        (root / "dev" / "attributions" / name).write_text(text, encoding="utf8")


def test_first_annotator_in_sorted_order(tmp_path: Path) -> None:
    one = f"T1\tCue {SAID[0]} {SAID[1]}\tsaid\nE1\tAttribution:T1 Cue:T1\n"
    two = f"T1\tCue {SAID2[0]} {SAID2[1]}\tsaid\nE1\tAttribution:T1 Cue:T1\n"
    write_split(
        tmp_path,
        {"mayor_story.txt": TEXT, "mayor.txt": TEXT},
        {
            "mayor_story_b2.ann": two,
            "mayor_story_a1.ann": one,
            # "mayor_story_a1.ann" must not be read as an annotator file of "mayor".
            "mayor_zz.ann": two,
        },
    )
    golds = read_gold(tmp_path, "dev")
    assert [g.name for g in golds] == ["mayor", "mayor_story"]
    assert golds[0].attributions[0].cue == (SAID2,)
    assert golds[1].attributions[0].cue == (SAID,)
    assert len(read_gold(tmp_path, "dev", limit=1)) == 1
    # The Article is the file text, unchanged: offsets are the .ann offsets.
    article = article_of(golds[0])
    assert article.text == TEXT
    assert article.title == "Mayor wins again"


def test_bad_layouts_raise_e030(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_gold(tmp_path, "dev")
    assert info.value.code is Errors.E030
    write_split(tmp_path, {"alone.txt": TEXT}, {})
    with pytest.raises(InputError) as info:
        read_gold(tmp_path, "dev")
    assert info.value.code is Errors.E030
    assert "alone_<annotator>.ann" in str(info.value)


def test_cli_reports_a_bad_layout_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "attribution", "--polnear", str(tmp_path)])
    assert result.exit_code == 2
    assert "[E030]" in result.output


def test_an_annotation_past_the_text_is_refused(tmp_path: Path) -> None:
    write_split(tmp_path, {"a.txt": TEXT}, {"a_x.ann": "T1\tCue 0 9999\tx\n"})
    with pytest.raises(InputError) as info:
        read_gold(tmp_path, "dev")
    assert info.value.code is Errors.E031


# --- the metrics -------------------------------------------------------------------------------


def test_exact_begin_and_overlap_by_hand() -> None:
    text = "Ann Lee said the plan works well today"
    gold: set[Mention] = {
        ("source", "indirect", 0, 7),  # Ann Lee
        ("cue", "indirect", 8, 12),  # said
        ("content", "indirect", 13, 38),  # the plan works well today
    }
    pred: set[Mention] = {
        ("source", "indirect", 4, 7),  # Lee: no exact, no begin, 1 of 2 gold tokens
        ("cue", "direct", 8, 12),  # said: exact, but predicted as direct
        ("content", "indirect", 13, 27),  # the plan works: begin only, 3 of 5 tokens
        ("content", "indirect", 28, 32),  # well: a second content, 1 token
    }
    scorer = Scorer()
    scorer.add(text, gold, pred)
    scores = scorer.scores()
    assert scores["source"]["exact_f1"] == 0.0
    assert scores["source"]["begin_f1"] == 0.0
    assert scores["source"]["overlap_p"] == 1.0
    assert scores["source"]["overlap_r"] == 0.5
    assert scores["cue"]["exact_f1"] == 1.0
    content = scores["content"]
    assert content["exact_p"] == content["exact_r"] == 0.0
    assert content["begin_p"] == 0.5
    assert content["begin_r"] == 1.0
    assert content["overlap_p"] == 1.0
    assert content["overlap_r"] == pytest.approx(4 / 5)
    # The kind breakdown: precision over predicted spans of the kind, recall over gold ones.
    assert scores["direct:cue"]["exact_p"] == 1.0
    assert scores["direct:cue"]["exact_r"] == 0.0  # no gold cue is direct
    assert scores["indirect:cue"]["exact_r"] == 1.0  # found, whatever kind we called it
    assert scores["indirect:cue"]["exact_p"] == 0.0  # we predicted no indirect cue


def test_the_baseline_on_invented_text() -> None:
    text = "Intro.\n\n“The budget is late again,” Harris said. Nobody “agreed”.\n"
    found = baseline_mentions(text)
    quote = text.index("“The")
    assert ("content", None, quote, text.index("”") + 1) in found
    cue = text.index("said")
    assert ("cue", None, cue, cue + 4) in found
    assert ("source", None, cue - 7, cue - 1) in found
    # A one-word scare quote is no content.
    assert len([m for m in found if m[0] == "content"]) == 1
    after = "Intro.\n\n“The budget is late again,” said Harris.\n"
    cue = after.index("said")
    assert ("source", None, cue + 5, cue + 11) in baseline_mentions(after)


# --- the real data -----------------------------------------------------------------------------


@pytest.mark.model
def test_cli_json_on_real_dev_articles(shared_data: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "attribution",
            "--polnear",
            str(shared_data / "polnear"),
            "--split",
            "dev",
            "--limit",
            "5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"], data["n"]) == ("polnear-attribution", "dev", 5)
    groups = set(data["scores"])
    for role in ("source", "cue", "content"):
        assert {role, f"{BASELINE}:{role}", f"direct:{role}", f"according_to:{role}"} <= groups
        assert {"exact_p", "exact_r", "exact_f1", "begin_f1", "overlap_f1"} <= set(
            data["scores"][role]
        )
    for metrics in data["scores"].values():
        for name, value in metrics.items():
            assert name == name.lower()
            assert 0.0 <= value <= 1.0


FLOORS = json.loads(
    (Path(__file__).parent / "eval_floors_attribution.json").read_text(encoding="utf8")
)


@pytest.mark.model
def test_dev_attribution_stays_above_the_floors(shared_data: Path) -> None:
    report = evaluate_attribution(shared_data / "polnear", split="dev")
    assert report.n == 84
    below = [
        f"{group} {metric}: {report.scores[group.split(':', 1)[1]][metric]:.4f} < floor {floor}"
        for group, metrics in FLOORS.items()
        if not group.startswith("_")
        for metric, floor in metrics.items()
        if report.scores[group.split(":", 1)[1]][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)


def test_an_empty_annotation_file_is_an_article_without_attributions(tmp_path: Path) -> None:
    (tmp_path / "train" / "text").mkdir(parents=True)
    (tmp_path / "train" / "attributions").mkdir(parents=True)
    (tmp_path / "train" / "text" / "a.txt").write_text("Title\n\nNobody said anything.\n")
    (tmp_path / "train" / "attributions" / "a_x.ann").write_text("")
    (gold,) = read_gold(tmp_path, "train")
    assert gold.attributions == []


def test_a_span_text_with_a_line_break_runs_on_without_breaking_the_reader() -> None:
    ann = parse_ann(
        "T1\tContent 0 9;11 16\tIt rained.\nAll day\nT2\tCue 17 21\tsaid\n",
        name="x.ann",
        text_length=40,
    )
    assert set(ann.spans) == {"T1", "T2"}
    # Lines without an id and a tab are such run-on text, not records.
    assert parse_ann("T1 Source 1 2 x\nT\u00e9\tSource 1 2\tx\n").spans == {}
