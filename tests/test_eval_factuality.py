"""The event-factuality scorer: the line reader, its coded errors, the metrics, ours on one
target, the constant baseline, the CLI and the gate.

Hand-made files use invented sentences; the integration and gate tests read
../shared/data/factuality directly (nothing of it is copied here).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.eval.factuality import (
    BASELINE,
    LEXICON,
    Sentence,
    Stats,
    Target,
    evaluate_factuality,
    find_sets,
    mean_label,
    parse_line,
    parsed,
    read_sentences,
    scores_of,
    target_certainty,
    target_event,
)
from rumormill.eval.report import EvalReport
from rumormill.nlp import certainty

runner = CliRunner()


def record(text: str, *targets: tuple[int, int, float]) -> str:
    words = text.split()
    return json.dumps(
        {
            "text": text,
            "targets": [
                {"span1": [s, e], "label": label, "span_text": " ".join(words[s:e])}
                for s, e, label in targets
            ],
        }
    )


COME = record("The mayor did n't come to the meeting .", (4, 5, -3.0))
LEAVE = record("She said the firm might leave town .", (1, 2, 3.0), (5, 6, 0.5))
VOTE = record("The council voted on Monday .", (2, 3, 2.0))


def write(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf8")
    return path


def write_set(root: Path, name: str, *, split: str = "dev", train: list[str] | None = None) -> Path:
    folder = root / name
    write(folder / f"{split}.jsonl", COME, "", LEAVE, VOTE)
    if train is not None:
        write(folder / "train.jsonl", *train)
    return folder


def error_of(fn: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fn()
    return caught.value


# --- the reader --------------------------------------------------------------------------------


def test_parse_line_reads_tokens_and_targets() -> None:
    sentence = parse_line(LEAVE, line=7)
    assert sentence == Sentence(
        7,
        ("She", "said", "the", "firm", "might", "leave", "town", "."),
        (Target(1, 2, 3.0), Target(5, 6, 0.5)),
    )


def test_tokens_are_the_whitespace_separated_words() -> None:
    # The release has a few texts with a leading space; its spans count words, not splits.
    line = json.dumps({"text": " I like  to think .", "targets": [{"span1": [3, 4], "label": 2}]})
    sentence = parse_line(line)
    assert sentence.tokens == ("I", "like", "to", "think", ".")
    assert sentence.targets == (Target(3, 4, 2.0),)
    assert parse_line(json.dumps({"text": "Nothing here .", "targets": []})).targets == ()


def test_read_sentences_streams_every_line_and_skips_blank_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "dev.jsonl", COME, "", "  ", LEAVE)
    sentences = list(read_sentences(path))
    assert [s.line for s in sentences] == [1, 4]
    assert [len(s.targets) for s in sentences] == [1, 2]
    assert isinstance(read_sentences(path), Iterator)


BAD_LINES = [
    ("{not json", "bad JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"targets": []}), "'text'"),
    (json.dumps({"text": "   ", "targets": []}), "'text'"),
    (json.dumps({"text": "A b .", "targets": {}}), "'targets'"),
    (json.dumps({"text": "A b .", "targets": [3]}), "target 1 is not a JSON object"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0], "label": 1}]}), "'span1'"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, "1"], "label": 1}]}), "'span1'"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, True], "label": 1}]}), "'span1'"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [2, 4], "label": 1}]}), "outside"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [1, 1], "label": 1}]}), "outside"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [-1, 1], "label": 1}]}), "outside"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, 1], "label": "3"}]}), "number"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, 1], "label": True}]}), "number"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, 1]}]}), "number"),
    ('{"text": "A b .", "targets": [{"span1": [0, 1], "label": NaN}]}', "outside -3..3"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, 1], "label": 3.5}]}), "-3..3"),
    (json.dumps({"text": "A b .", "targets": [{"span1": [0, 1], "label": 1}, {}]}), "target 2"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_a_malformed_line_is_e033_with_the_file_and_the_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    path = write(tmp_path / "dev.jsonl", COME, "", line, LEAVE)
    e = error_of(lambda: list(read_sentences(path)))
    assert e.code is Errors.E033
    assert (e.details["path"], e.details["line"]) == (path, 3)
    assert f"{path}: line 3: bad factuality record" in str(e)
    assert reason in str(e)


def test_an_overlong_or_binary_line_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "dev.jsonl", COME, LEAVE)
    e = error_of(lambda: list(read_sentences(path, limit=len(COME) + 1)))
    assert (e.code, e.details["line"]) == (Errors.E033, 2)
    (tmp_path / "nul.jsonl").write_bytes(COME.encode() + b"\n" + b'{"text": "a\x00"}\n')
    e = error_of(lambda: list(read_sentences(tmp_path / "nul.jsonl")))
    assert e.code is Errors.E003
    assert "nul.jsonl: line 2" in str(e)


def test_missing_folders_and_files_are_e030_naming_the_path(tmp_path: Path) -> None:
    for fn in (
        lambda: find_sets(tmp_path / "absent", "dev"),
        lambda: find_sets(write(tmp_path / "file.jsonl", COME), "dev"),
        lambda: find_sets(tmp_path, "dev"),  # nothing inside
        lambda: list(read_sentences(tmp_path / "absent.jsonl")),
    ):
        e = error_of(fn)
        assert e.code is Errors.E030
        assert str(tmp_path) in str(e)
    # A set folder without the split asked for.
    folder = write_set(tmp_path / "sets", "UW", split="train")
    e = error_of(lambda: find_sets(folder, "dev"))
    assert e.code is Errors.E030
    assert "no dev.jsonl" in str(e)
    # A parent folder where no set has it.
    e = error_of(lambda: find_sets(tmp_path / "sets", "test"))
    assert (e.code, e.details["path"]) == (Errors.E030, tmp_path / "sets")


def test_find_sets_takes_one_set_or_every_set_with_the_split(tmp_path: Path) -> None:
    write_set(tmp_path, "UW")
    write_set(tmp_path, "MEANTIME")
    write_set(tmp_path, "CB", split="train")
    (tmp_path / "notes").mkdir()
    assert find_sets(tmp_path, "dev") == [
        ("MEANTIME", tmp_path / "MEANTIME" / "dev.jsonl"),
        ("UW", tmp_path / "UW" / "dev.jsonl"),
    ]
    assert find_sets(tmp_path / "UW", "dev") == [("UW", tmp_path / "UW" / "dev.jsonl")]
    assert find_sets(tmp_path, "train") == [("CB", tmp_path / "CB" / "train.jsonl")]


def test_mean_label(tmp_path: Path) -> None:
    path = write(tmp_path / "train.jsonl", COME, LEAVE, VOTE)
    mean, n = mean_label(path)
    assert n == 4
    assert mean == pytest.approx((-3.0 + 3.0 + 0.5 + 2.0) / 4)
    assert mean_label(write(tmp_path / "none.jsonl", record("No event here ."))) == (0.0, 0)


LABEL = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=" \t\n\r\x0b\x0c"),
    min_size=1,
    max_size=6,
).filter(lambda w: not any(c.isspace() for c in w))


@st.composite
def sentences(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, int, float]]]:
    words = draw(st.lists(WORD, min_size=1, max_size=12))
    n = len(words)
    targets = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        targets.append((start, end, draw(LABEL)))
    return words, targets


@given(sentences(), st.integers(1, 10_000))
def test_parse_line_round_trips_every_valid_record(
    sentence: tuple[list[str], list[tuple[int, int, float]]], line: int
) -> None:
    words, targets = sentence
    text = record(" ".join(words), *targets)
    parsed_line = parse_line(text, path="x.jsonl", line=line)
    assert parsed_line.line == line
    assert parsed_line.tokens == tuple(words)
    assert parsed_line.targets == tuple(Target(s, e, label) for s, e, label in targets)


@given(sentences(), st.integers(1, 10_000), st.integers(0, 30), st.integers(0, 30))
def test_parse_line_refuses_every_span_outside_the_sentence(
    sentence: tuple[list[str], list[tuple[int, int, float]]], line: int, start: int, end: int
) -> None:
    words, targets = sentence
    text = record(" ".join(words), *targets, (start, end, 1.0))
    if 0 <= start < end <= len(words):
        assert parse_line(text, line=line).targets[-1] == Target(start, end, 1.0)
        return
    e = error_of(lambda: parse_line(text, path="x.jsonl", line=line))
    assert (e.code, e.details["line"], e.details["path"]) == (Errors.E033, line, "x.jsonl")
    assert f"target {len(targets) + 1}" in str(e)


# --- metrics -----------------------------------------------------------------------------------


def test_mae_and_pearson_r_by_hand() -> None:
    gold, pred = [3.0, 1.0, -1.0, 3.0], [3.0, 0.5, 0.0, 2.0]
    scores = scores_of(zip(gold, pred, strict=True))
    assert scores["mae"] == pytest.approx((0 + 0.5 + 1.0 + 1.0) / 4)
    assert scores["pearson_r"] == pytest.approx(statistics.correlation(gold, pred))
    assert scores_of([(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)])["pearson_r"] == pytest.approx(1.0)
    assert scores_of([(1.0, 2.0), (2.0, 0.0), (3.0, -2.0)])["pearson_r"] == pytest.approx(-1.0)


def test_pearson_r_of_a_constant_is_reported_as_zero() -> None:
    assert scores_of([(3.0, 2.3), (-1.0, 2.3), (0.5, 2.3)]) == {
        "mae": pytest.approx((0.7 + 3.3 + 1.8) / 3),
        "pearson_r": 0.0,
    }
    assert scores_of([(2.0, 2.0), (2.0, -1.0)])["pearson_r"] == 0.0  # gold constant
    assert scores_of([(1.0, 2.0)]) == {"mae": 1.0, "pearson_r": 0.0}
    assert Stats().scores() == {"mae": 0.0, "pearson_r": 0.0}


@given(st.lists(st.tuples(LABEL, LABEL), min_size=2, max_size=50))
def test_streaming_metrics_match_the_two_pass_formulas(pairs: list[tuple[float, float]]) -> None:
    gold, pred = [g for g, _ in pairs], [p for _, p in pairs]
    scores = scores_of(pairs)
    assert scores["mae"] == pytest.approx(statistics.fmean(abs(p - g) for g, p in pairs))
    assert -1.0 <= scores["pearson_r"] <= 1.0
    if statistics.pstdev(gold) > 1e-3 and statistics.pstdev(pred) > 1e-3:
        assert scores["pearson_r"] == pytest.approx(statistics.correlation(gold, pred), abs=1e-6)


# --- ours on one target ------------------------------------------------------------------------


def events_of(nlp: Language, lines: list[str]) -> list[certainty.Event]:
    return [
        target_event(doc, t)
        for doc, sentence in parsed([parse_line(line) for line in lines], nlp)
        for t in sentence.targets
    ]


def certainty_of(nlp: Language, line: str) -> list[float]:
    ((doc, sentence),) = parsed([parse_line(line)], nlp)
    assert [t.text for t in doc] == list(sentence.tokens)
    return [target_certainty(doc, t.start, t.end).score for t in sentence.targets]


@pytest.mark.model
def test_the_lexicon_on_one_target(nlp: Language) -> None:
    # A plain event, a hedged one under a cue, a negated one, a denied one.
    assert certainty_of(nlp, VOTE) == [3.0]
    assert certainty_of(nlp, LEAVE) == [3.0, 0.5]
    assert certainty_of(nlp, COME) == [-3.0]
    denied = record("The minister denied that the army left the city .", (5, 6, -2.0))
    assert certainty_of(nlp, denied) == [-3.0]
    # The target's own word is not a hedge of itself: the seeming happened.
    seems = record("It seems that the talks failed .", (1, 2, 2.0), (5, 6, 1.0))
    assert certainty_of(nlp, seems) == [3.0, 1.0]


# --- the evaluation ----------------------------------------------------------------------------


def check_shape(data: dict[str, Any], sets: list[str], split: str = "dev") -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"]) == ("factuality", split)
    assert set(data["scores"]) == {
        *sets,
        *(f"{BASELINE}:{name}" for name in sets),
        *(f"{LEXICON}:{name}" for name in sets),
    }
    assert data["n"] == sum(data["scores"][name]["n"] for name in sets)
    for name in sets:
        assert set(data["scores"][name]) == {"mae", "pearson_r", "n"}
        assert set(data["scores"][f"{LEXICON}:{name}"]) == {"mae", "pearson_r"}
        baseline = data["scores"][f"{BASELINE}:{name}"]
        assert set(baseline) == {"mae", "pearson_r", "constant", "train_n"}
        assert baseline["pearson_r"] == 0.0
    for metrics in data["scores"].values():
        for metric, value in metrics.items():
            assert metric == metric.lower()
            if metric == "pearson_r":
                assert -1.0 <= value <= 1.0
            if metric == "mae":
                assert 0.0 <= value <= 6.0


@pytest.mark.model
def test_evaluate_on_invented_sets(tmp_path: Path, nlp: Language) -> None:
    write_set(tmp_path, "UW", train=[VOTE, LEAVE])
    write_set(tmp_path, "MEANTIME")  # no train.jsonl: the baseline predicts 0.0
    report = evaluate_factuality(tmp_path, nlp=nlp)
    assert isinstance(report, EvalReport)
    data = report.to_dict()
    check_shape(data, ["MEANTIME", "UW"])
    assert data["n"] == 8
    assert (data["scores"]["MEANTIME"]["n"], data["scores"]["UW"]["n"]) == (4, 4)
    gold = [-3.0, 3.0, 0.5, 2.0]
    uw = data["scores"][f"{BASELINE}:UW"]
    assert (uw["constant"], uw["train_n"]) == (pytest.approx((2.0 + 3.0 + 0.5) / 3, 1e-3), 3)
    assert uw["mae"] == pytest.approx(statistics.fmean(abs(g - 5.5 / 3) for g in gold), 1e-3)
    meantime = data["scores"][f"{BASELINE}:MEANTIME"]
    assert (meantime["constant"], meantime["train_n"]) == (0.0, 0)
    assert meantime["mae"] == pytest.approx(statistics.fmean(abs(g) for g in gold), 1e-3)
    # The lexicon: [-3, 3, 0.5, 3] against the gold labels.
    lexicon = scores_of(zip(gold, [-3.0, 3.0, 0.5, 3.0], strict=True))
    assert data["scores"][f"{LEXICON}:UW"] == pytest.approx(lexicon, abs=1e-4)
    # Ours: the shipped model, each set in its own terms.
    for name in ("UW", "MEANTIME"):
        scorer = certainty.Scorer(certainty.default().model, name)
        predicted = [scorer.score(e).score for e in events_of(nlp, [COME, LEAVE, VOTE])]
        ours = scores_of(zip(gold, predicted, strict=True))
        assert data["scores"][name] == pytest.approx({**ours, "n": 4}, abs=1e-4)
    # One set folder alone.
    alone = evaluate_factuality(tmp_path / "UW", nlp=nlp).to_dict()
    check_shape(alone, ["UW"])
    assert alone["scores"]["UW"] == data["scores"]["UW"]


@pytest.mark.model
def test_split_test_reads_test_jsonl(tmp_path: Path, nlp: Language) -> None:
    write_set(tmp_path, "UW", split="test", train=[VOTE])
    write_set(tmp_path, "RP")  # dev only: not a test set
    data = evaluate_factuality(tmp_path, split="test", nlp=nlp).to_dict()
    check_shape(data, ["UW"], split="test")
    assert data["scores"][f"{BASELINE}:UW"]["constant"] == 2.0


@pytest.mark.model
def test_cli_json_table_and_errors(tmp_path: Path) -> None:
    write_set(tmp_path, "UW", train=[VOTE])
    result = runner.invoke(app, ["eval", "factuality", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    check_shape(json.loads(result.stdout), ["UW"])
    result = runner.invoke(app, ["eval", "factuality", "--data", str(tmp_path / "UW")])
    assert result.exit_code == 0, result.output
    assert "baseline:constant:UW" in result.stdout
    assert "pearson_r" in result.stdout
    write(tmp_path / "UW" / "dev.jsonl", COME, '{"text": "A b .", "targets": [{"span1": [0, 9]')
    result = runner.invoke(app, ["eval", "factuality", "--data", str(tmp_path), "--json"])
    assert result.exit_code == 2
    assert "E033" in result.output
    assert "dev.jsonl: line 2" in result.output.replace("\n", "")
    result = runner.invoke(app, ["eval", "factuality", "--data", str(tmp_path), "--split", "x"])
    assert result.exit_code == 2
    assert "E030" in result.output


# --- the real data -----------------------------------------------------------------------------

SETS = ["CB", "MEANTIME", "MV2", "RP", "UDS_IH2", "UW"]
# Targets per dev file, from ../shared/data/factuality/SOURCE.md.
DEV_TARGETS = {"CB": 56, "MEANTIME": 195, "MV2": 626, "RP": 308, "UDS_IH2": 2642, "UW": 3358}


@pytest.fixture(scope="module")
def dev_report(shared_data: Path) -> EvalReport:
    from rumormill.nlp import pipeline

    return evaluate_factuality(shared_data / "factuality", split="dev", nlp=pipeline.load())


@pytest.mark.model
def test_every_dev_set_is_scored(dev_report: EvalReport, shared_data: Path) -> None:
    data = dev_report.to_dict()
    check_shape(data, SETS)
    assert {name: data["scores"][name]["n"] for name in SETS} == DEV_TARGETS
    # The baseline's constant is the train mean, read here independently.
    for name in SETS:
        labels = [
            t["label"]
            for line in (shared_data / "factuality" / name / "train.jsonl").open(encoding="utf8")
            for t in json.loads(line)["targets"]
        ]
        baseline = dev_report.scores[f"{BASELINE}:{name}"]
        assert baseline["constant"] == pytest.approx(statistics.fmean(labels))
        assert baseline["train_n"] == len(labels)
        assert math.isfinite(dev_report.scores[name]["pearson_r"])


FLOORS = json.loads(
    (Path(__file__).parent / "eval_floors_factuality.json").read_text(encoding="utf8")
)


@pytest.mark.model
def test_dev_factuality_stays_within_the_pinned_bounds(dev_report: EvalReport) -> None:
    assert dev_report.n == FLOORS["n"]
    worse = [
        f"{name} pearson_r: {dev_report.scores[name]['pearson_r']:.4f} < floor {floor}"
        for name, floor in FLOORS["pearson_r_floor"].items()
        if dev_report.scores[name]["pearson_r"] < floor
    ] + [
        f"{name} mae: {dev_report.scores[name]['mae']:.4f} > ceiling {ceiling}"
        for name, ceiling in FLOORS["mae_ceiling"].items()
        if dev_report.scores[name]["mae"] > ceiling
    ]
    assert not worse, "outside the pinned bounds:\n" + "\n".join(worse)


@pytest.mark.model
@pytest.mark.parametrize("name", ["UW", "MEANTIME", "UDS_IH2"])
def test_ours_beats_both_baselines_on_dev(dev_report: EvalReport, name: str) -> None:
    ours = dev_report.scores[name]
    for baseline in (f"{LEXICON}:{name}", f"{BASELINE}:{name}"):
        assert ours["mae"] < dev_report.scores[baseline]["mae"], baseline
        assert ours["pearson_r"] > dev_report.scores[baseline]["pearson_r"], baseline
