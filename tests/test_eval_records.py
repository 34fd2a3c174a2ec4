"""Speakers' track records on LIAR: the TSV reader and its coded errors, the records by hand,
the report, the command, and the gate on ../shared/data/liar (read in place, nothing copied).

Hand-made files use invented ids, speakers and statements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.eval.records import (
    BASELINE,
    BASELINE_BINARY,
    BINARY,
    LABELS,
    OURS,
    PRIOR,
    SEEN,
    TRUTH,
    Records,
    Statement,
    classification,
    evaluate_records,
    read_statements,
)

runner = CliRunner()


def line(
    ident: str, label: str, speaker: str, credit: tuple[str, ...] = ("0",) * 5, **kw: str
) -> str:
    fields = [
        f"{ident}.json",
        label,
        kw.get("statement", "Says something."),
        "economy",
        speaker,
        "Senator",
        "Ohio",
        "none",
        *credit,
        "a speech",
    ]
    return "\t".join(fields) + "\n"


def write(path: Path, *lines: str) -> Path:
    path.write_bytes("".join(lines).encode("utf8"))
    return path


def error_of(fn: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fn()
    return caught.value


# --- the reader --------------------------------------------------------------------------------


def test_read_statements_reads_id_verdict_and_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.tsv",
        line("1", "true", "ann-a"),
        "\n",
        line("2", "Pants-Fire", "Bob-B").replace("\n", "\r\n"),
        line("3", "half-true", ""),
    )
    assert list(read_statements(path)) == [
        Statement(1, "1.json", "true", "ann-a"),
        Statement(3, "2.json", "pants-fire", "bob-b"),
        Statement(4, "3.json", "half-true", ""),
    ]


BAD = [
    (line("1", "true", "a")[:-1] + "\textra\n", "15 tab-separated fields; expected 14"),
    ("1.json\ttrue\tshort\n", "3 tab-separated fields"),
    (line("1", "sort-of-true", "a"), "unknown verdict 'sort-of-true'"),
    (line("", "true", "a").replace(".json", "", 1).replace("\t", " \t", 1), "empty statement id"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD)
def test_a_bad_line_is_e121_with_the_file_and_its_line(
    tmp_path: Path, bad: str, reason: str
) -> None:
    path = write(tmp_path / "t.tsv", line("1", "true", "a"), line("2", "false", "b"), bad)
    e = error_of(lambda: list(read_statements(path)))
    assert e.code is Errors.E121
    assert (e.details["path"], e.details["line"]) == (path, 3)
    assert f"{path}: line 3: bad LIAR record" in str(e)
    assert reason in str(e)


def test_bytes_that_are_not_text_are_e121(tmp_path: Path) -> None:
    good = line("1", "true", "a").encode()
    path = tmp_path / "latin1.tsv"
    path.write_bytes(good + line("2", "true", "josé").encode("latin-1"))
    e = error_of(lambda: list(read_statements(path)))
    assert (e.code, e.details["line"]) == (Errors.E121, 2)
    assert isinstance(e.__cause__, UnicodeDecodeError)
    path.write_bytes(good + b"2.json\x00\ttrue\n")
    e = error_of(lambda: list(read_statements(path)))
    assert (e.code, e.details["line"]) == (Errors.E121, 2)
    assert "NUL byte" in str(e)
    e = error_of(
        lambda: list(read_statements(write(tmp_path / "long.tsv", good.decode()), limit=20))
    )
    assert (e.code, e.details["line"]) == (Errors.E121, 1)
    assert "a line over 20 bytes" in str(e)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    for name, text in (("empty.tsv", ""), ("blank.tsv", "\n \n")):
        e = error_of(lambda: list(read_statements(write(tmp_path / name, text))))  # noqa: B023
        assert e.code is Errors.E002
    for path in (tmp_path / "absent.tsv", tmp_path):
        e = error_of(lambda: list(read_statements(path)))  # noqa: B023
        assert (e.code, e.details["path"]) == (Errors.E030, path)


# --- records by hand ---------------------------------------------------------------------------


def statements(*pairs: tuple[str, str]) -> list[Statement]:
    return [Statement(k + 1, str(k), label, speaker) for k, (label, speaker) in enumerate(pairs)]


TRAIN = statements(
    ("true", "ann"),
    ("true", "ann"),
    ("mostly-true", "ann"),
    ("pants-fire", "bob"),
    ("false", "bob"),
    ("false", "bob"),
    ("half-true", "cy"),
    ("false", "dee"),
)


def test_records_by_hand() -> None:
    records = Records.learn(TRAIN, prior_weight=0.0)
    assert records.total == 8
    assert records.majority() == "false"  # 3 of 8
    assert records.majority_side() == "true-ish"  # 4 of 8: a tie goes to true-ish
    assert records.verdict("ann") == "true"
    assert records.verdict("bob") == "false"
    assert records.side("ann") == "true-ish"
    assert records.side("bob") == "false-ish"
    assert records.probability("ann") == pytest.approx((1 + 1 + 0.75) / 3)
    assert records.probability("bob") == 0.0
    # An unseen speaker has the global distribution.
    assert records.distribution("zed") == records.prior()
    assert records.verdict("zed") == "false"
    assert records.mean_truth() == pytest.approx((1 + 1 + 0.75 + 0.5) / 8)


def test_the_prior_weight_smooths_toward_the_global_distribution() -> None:
    records = Records.learn(TRAIN, prior_weight=8.0)
    prior = records.prior()
    found = records.distribution("cy")
    assert found["half-true"] == pytest.approx((1 + 8 * prior["half-true"]) / 9)
    assert sum(found.values()) == pytest.approx(1.0)
    # Smoothing pulls a record toward the mean, never past it.
    mean = records.mean_truth()
    assert mean < records.probability("ann") < (1 + 1 + 0.75) / 3
    assert 0.0 < records.probability("bob") < mean


def test_the_truth_values_run_from_false_to_true() -> None:
    assert [TRUTH[label] for label in LABELS] == [0.0, 0.0, 0.25, 0.5, 0.75, 1.0]


def test_classification_by_hand() -> None:
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")]
    found = classification(pairs, ("a", "b", "c"))
    assert found["accuracy"] == 0.5
    # a: p 1, r 1/2 -> 2/3; b: p 1/3, r 1 -> 1/2; c: 0.
    assert found["macro_f1"] == pytest.approx((2 / 3 + 1 / 2 + 0) / 3)
    assert classification([], ("a",)) == {"accuracy": 0.0, "macro_f1": 0.0}


# --- the report --------------------------------------------------------------------------------


def check_shape(data: dict[str, Any], n: int) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"], data["n"]) == ("liar-records", "heldout", n)
    assert set(data["scores"]) == {OURS, BINARY, SEEN, BASELINE, BASELINE_BINARY, PRIOR}
    for group in (OURS, SEEN):
        assert set(data["scores"][group]) == {"accuracy", "macro_f1", "brier"}
    for group in (BINARY, BASELINE, BASELINE_BINARY):
        assert set(data["scores"][group]) == {"accuracy", "macro_f1"}
    assert set(data["scores"][PRIOR]) == {"brier"}
    for metrics in data["scores"].values():
        for value in metrics.values():
            assert 0.0 <= value <= 1.0


def test_a_report_on_invented_files(tmp_path: Path) -> None:
    train = write(
        tmp_path / "train.tsv",
        *(line(str(s.line), s.label, s.speaker) for s in TRAIN),
    )
    test = write(
        tmp_path / "test.tsv",
        line("t1", "true", "ann"),
        line("t2", "false", "bob"),
        line("t3", "half-true", "new-speaker"),
    )
    data = evaluate_records(train, test).to_dict()
    check_shape(data, 3)
    scores = data["scores"]
    # ann -> true, bob -> false, the newcomer -> the majority (false).
    assert scores[OURS]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert scores[BASELINE]["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert scores[SEEN]["accuracy"] == 1.0
    assert scores[OURS]["brier"] < scores[PRIOR]["brier"]
    # The credit-history columns (9-13) are never read: changing them changes nothing.
    leaky = write(
        tmp_path / "leaky.tsv",
        line("t1", "true", "ann", ("9", "9", "9", "9", "9")),
        line("t2", "false", "bob", ("0", "7", "0", "0", "0")),
        line("t3", "half-true", "new-speaker", ("0", "0", "5", "0", "0")),
    )
    assert evaluate_records(train, leaky).to_dict() == data


def test_the_command(tmp_path: Path) -> None:
    train = write(tmp_path / "train.tsv", *(line(str(s.line), s.label, s.speaker) for s in TRAIN))
    test = write(tmp_path / "test.tsv", line("t1", "true", "ann"))
    args = ["eval", "records", "--liar-train", str(train), "--liar-test", str(test)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    check_shape(json.loads(result.stdout), 1)
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "liar-records" in result.stdout
    bad = write(tmp_path / "bad.tsv", "x\ttrue\n")
    result = runner.invoke(
        app, ["eval", "records", "--liar-train", str(bad), "--liar-test", str(test)]
    )
    assert result.exit_code == 2
    assert "E121" in result.stderr
    assert "line 1" in result.stderr


# --- the real data -----------------------------------------------------------------------------

LIAR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "liar"
FLOORS = json.loads((Path(__file__).parent / "eval_floors_records.json").read_text(encoding="utf8"))


def test_liar_records_beat_the_baselines_and_stay_above_the_floors() -> None:
    if not (LIAR / "train.tsv").is_file():
        pytest.skip(f"no LIAR data at {LIAR}")
    report = evaluate_records(LIAR / "train.tsv", LIAR / "valid.tsv")
    data = report.to_dict()
    check_shape(data, FLOORS["n"])
    scores = report.scores
    below = [
        f"{group} {metric}: {scores[group][metric]:.4f} < floor {floor}"
        for group, metrics in FLOORS["floors"].items()
        for metric, floor in metrics.items()
        if scores[group][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
    above = [
        f"{group} brier: {scores[group]['brier']:.4f} > ceiling {ceiling}"
        for group, ceiling in FLOORS["brier_ceilings"].items()
        if scores[group]["brier"] > ceiling
    ]
    assert not above, "above the pinned Brier ceilings:\n" + "\n".join(above)
    for metric in ("accuracy", "macro_f1"):
        assert scores[OURS][metric] > scores[BASELINE][metric]
        assert scores[BINARY][metric] > scores[BASELINE_BINARY][metric]
    assert scores[OURS]["brier"] < scores[PRIOR]["brier"]
