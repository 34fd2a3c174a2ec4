"""The Emergent stance scorer: the CSV reader and its coded errors, the folds, the metrics,
held-out and cross-validated runs, and the gate.

Hand-made files use invented claims and headlines; the integration and gate tests read
../shared/data/emergent directly (nothing of it is copied here).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.eval import stance
from rumormill.eval.report import EvalReport
from rumormill.eval.stance import (
    BASELINE,
    STANCES,
    Headline,
    Pair,
    assign_folds,
    cross_validate,
    evaluate_stance,
    majority,
    read_pairs,
    scores_of,
)
from rumormill.model import Certainty

HEADER = ["", "claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId"]


def csv_text(*rows: Sequence[str], header: Sequence[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf8"))
    return path


def row(k: int, claim: str, headline: str, stance: str, claim_id: str) -> list[str]:
    return [str(k), claim, headline, stance, f"a{k}", claim_id]


MOON = "The moon is made of cheese"
GOOD = [
    row(0, MOON, "Scientists confirm the moon is cheese", "for", "c1"),
    row(1, MOON, "Moon reportedly made of cheese, say bloggers", "observing", "c1"),
    row(2, MOON, 'Space agency: "No, the moon is not cheese"', "against", "c1"),
    row(3, "A cat was elected mayor", "Town elects a cat,\nofficials say", " For ", "c2"),
]


def error_of(fn: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fn()
    return caught.value


# --- the reader --------------------------------------------------------------------------------


def test_read_pairs_reads_every_record_with_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", csv_text(*GOOD))
    pairs = read_pairs(path)
    assert isinstance(pairs, Iterator)
    assert list(pairs) == [
        Pair(2, "c1", MOON, "Scientists confirm the moon is cheese", "for"),
        Pair(3, "c1", MOON, "Moon reportedly made of cheese, say bloggers", "observing"),
        Pair(4, "c1", MOON, 'Space agency: "No, the moon is not cheese"', "against"),
        # A quoted field over two lines; the stance is stripped and lower-cased.
        Pair(5, "c2", "A cat was elected mayor", "Town elects a cat,\nofficials say", "for"),
    ]


def test_only_the_required_columns_are_needed_in_any_order(tmp_path: Path) -> None:
    header = ["claimId", "articleHeadlineStance", "articleHeadline", "claimHeadline"]
    text = "\ufeff" + csv_text(["c9", "observing", "Headline", "Claim"], [], header=header)
    (pair,) = read_pairs(write(tmp_path / "e.csv", text + "\n\n"))
    assert pair == Pair(2, "c9", "Claim", "Headline", "observing")


BAD_RECORDS = [
    # (the file's bytes, the line of the bad record, what the reason says)
    (csv_text(*GOOD, header=HEADER[:-1]), 1, "no column 'claimId'"),
    (csv_text(*GOOD, header=[*HEADER, "claimId"]), 1, "appears 2 times"),
    (csv_text(GOOD[0], GOOD[1][:-1]), 3, "5 fields; the header has 6"),
    (csv_text(GOOD[0], [*GOOD[1], "x"]), 3, "7 fields"),
    (csv_text(GOOD[0], row(1, MOON, "Moon cheese", "maybe", "c1")), 3, "unknown stance"),
    (csv_text(GOOD[0], row(1, MOON, "Moon cheese", "", "c1")), 3, "unknown stance"),
    (csv_text(GOOD[0], row(1, MOON, "  ", "for", "c1")), 3, "empty articleHeadline"),
    (csv_text(GOOD[0], row(1, "", "Moon cheese", "for", "c1")), 3, "empty claimHeadline"),
    (csv_text(GOOD[0], row(1, MOON, "Moon cheese", "for", " ")), 3, "empty claimId"),
    (csv_text(GOOD[0], row(1, MOON, "x" * 10_001, "for", "c1")), 3, "a field over"),
    (csv_text(GOOD[0], GOOD[3]) + '4,"open quote,never closed\n', 5, "bad CSV"),
    (csv_text(GOOD[0]) + '5,"a"b,c,for,a5,c1\n', 3, "bad CSV"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_RECORDS)
def test_a_bad_record_is_e035_with_the_file_and_its_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path / "e.csv", text)
    e = error_of(lambda: list(read_pairs(path)))
    assert e.code is Errors.E035
    assert (e.details["path"], e.details["line"]) == (path, line)
    assert f"{path}: line {line}: bad Emergent record" in str(e)
    assert reason in str(e)


def test_bytes_that_are_not_text_are_e035_with_the_cause_chained(tmp_path: Path) -> None:
    good = csv_text(GOOD[0]).encode()
    path = tmp_path / "latin1.csv"
    path.write_bytes(good + "9,Café,Un café gratuit,for,a9,c9\n".encode("latin-1"))
    e = error_of(lambda: list(read_pairs(path)))
    assert (e.code, e.details["line"]) == (Errors.E035, 3)
    assert "not UTF-8" in str(e)
    assert isinstance(e.__cause__, UnicodeDecodeError)
    path = tmp_path / "nul.csv"
    path.write_bytes(good + b"9,a\x00b,c,for,a9,c9\n")
    e = error_of(lambda: list(read_pairs(path)))
    assert (e.code, e.details["line"]) == (Errors.E035, 3)
    assert "NUL byte" in str(e)
    # A binary file (a PNG's first bytes) is refused at its first line.
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    e = error_of(lambda: list(read_pairs(path)))
    assert (e.code, e.details["line"]) == (Errors.E035, 1)
    assert isinstance(e.__cause__, UnicodeDecodeError)


def test_an_overlong_line_is_e035(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", csv_text(*GOOD))
    e = error_of(lambda: list(read_pairs(path, limit=60)))
    assert (e.code, e.details["line"]) == (Errors.E035, 1)
    assert "a line over 60 bytes" in str(e)


def test_a_bad_csv_error_chains_the_csv_module_s_error(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", csv_text(GOOD[0]) + '5,"a"b,c,for,a5,c1\n')
    e = error_of(lambda: list(read_pairs(path)))
    assert isinstance(e.__cause__, csv.Error)


def test_empty_missing_and_headless_files(tmp_path: Path) -> None:
    for name, text in (("empty.csv", ""), ("blank.csv", "\n  \n\n")):
        e = error_of(lambda: list(read_pairs(write(tmp_path / name, text))))  # noqa: B023
        assert e.code is Errors.E002
        assert "the file is empty" in str(e)
    e = error_of(lambda: list(read_pairs(write(tmp_path / "header.csv", csv_text()))))
    assert e.code is Errors.E030
    assert "a header but no records" in str(e)
    for path in (tmp_path / "absent.csv", tmp_path):
        e = error_of(lambda: list(read_pairs(path)))  # noqa: B023
        assert (e.code, e.details["path"]) == (Errors.E030, path)


# Any text a CSV field can hold: commas, quotes, line breaks; no NUL, no lone surrogate.
FIELD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
FILLED = FIELD.filter(lambda s: bool(s.strip()))
CLAIM_ID = FILLED.map(str.strip)


@given(
    st.lists(
        st.tuples(FIELD, FILLED, FILLED, st.sampled_from(STANCES), FIELD, CLAIM_ID),
        min_size=1,
        max_size=8,
    )
)
def test_every_row_written_by_csv_writer_reads_back_identically(
    rows: list[tuple[str, str, str, str, str, str]],
) -> None:
    # No tmp_path: a function-scoped fixture is shared by every example.
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / "e.csv", csv_text(*rows))
        pairs = list(read_pairs(path))
    assert [(p.claim, p.headline, p.stance, p.claim_id) for p in pairs] == [
        (claim, headline, stance_, claim_id) for _, claim, headline, stance_, _, claim_id in rows
    ]
    lines = [p.line for p in pairs]
    assert lines == sorted(lines)
    assert lines[0] == 2


# --- folds and metrics -------------------------------------------------------------------------


def test_the_fold_rule_is_the_documented_one_and_deterministic() -> None:
    ids = [f"claim-{k}" for k in range(23)]
    folds = assign_folds(reversed(ids + ids), folds=5, seed=7)
    ordered = sorted(ids)
    random.Random(7).shuffle(ordered)
    assert folds == {claim_id: k % 5 for k, claim_id in enumerate(ordered)}
    assert folds == assign_folds(ids, folds=5, seed=7)
    assert sorted(Counter(folds.values()).values()) == [4, 4, 5, 5, 5]
    assert assign_folds(ids, folds=5, seed=8) != folds
    with pytest.raises(ValueError, match="at least 2 folds"):
        assign_folds(ids, folds=1)


def test_the_folds_do_not_depend_on_hash_randomisation() -> None:
    code = (
        "import json; from rumormill.eval.stance import assign_folds; "
        "print(json.dumps(assign_folds([f'c{k}' for k in range(40)]), sort_keys=True))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in (1, 2)
    }
    assert len(outputs) == 1


def invented(n_claims: int, per_claim: int) -> tuple[list[Pair], dict[str, Headline]]:
    """Pairs with hand-set features (no parser): the stance is readable from one feature."""
    pairs: list[Pair] = []
    features: dict[str, Headline] = {}
    for c in range(n_claims):
        for k in range(per_claim):
            label = STANCES[(c + k) % 3]
            text = f"claim {c} headline {k}"
            pairs.append(Pair(len(pairs) + 2, f"c{c}", f"claim {c}", text, label))
            cue = Certainty(3.0, "asserted")
            features[text] = Headline(cue, {"score": {f"word:{label}": 1.0}})
    return pairs, features


def test_cross_validation_is_claim_disjoint(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs, features = invented(12, 5)
    seen: list[tuple[set[str], set[str]]] = []
    real = stance.predict

    def spy(train: Sequence[Pair], test: Sequence[Pair], *args: Any, **kw: Any) -> Any:
        seen.append(({p.claim_id for p in train}, {p.claim_id for p in test}))
        return real(train, test, *args, **kw)

    monkeypatch.setattr(stance, "predict", spy)
    out = cross_validate(pairs, features, {"ours": ("score",)}, folds=4)
    assert len(seen) == 4
    for train, test in seen:
        assert train
        assert test
        assert not train & test
        assert train | test == {f"c{c}" for c in range(12)}
    assert set().union(*(test for _, test in seen)) == {p.claim_id for p in pairs}
    # The feature that gives the stance away is learned.
    assert out["ours"] == [p.stance for p in pairs]
    assert set(out[BASELINE]) <= set(STANCES)


def test_scores_by_hand() -> None:
    gold = ["for", "for", "for", "against", "observing", "observing"]
    pred = ["for", "for", "observing", "against", "for", "against"]
    scores = scores_of(zip(gold, pred, strict=True))
    assert scores["all"]["accuracy"] == pytest.approx(3 / 6)
    # for: p 2/3, r 2/3; against: p 1/2, r 1; observing: p 0, r 0.
    assert scores["for"] == pytest.approx({"p": 2 / 3, "r": 2 / 3, "f1": 2 / 3})
    assert scores["against"] == pytest.approx({"p": 0.5, "r": 1.0, "f1": 2 / 3})
    assert scores["observing"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    assert scores["all"]["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 0.0) / 3)
    perfect = scores_of([(s, s) for s in STANCES])
    assert perfect["all"] == {"accuracy": 1.0, "macro_f1": 1.0}
    assert scores_of([])["all"] == {"accuracy": 0.0, "macro_f1": 0.0}


def test_majority_and_its_ties() -> None:
    assert majority(["observing", "for", "observing"]) == "observing"
    assert majority(["observing", "for"]) == "for"
    assert majority(["observing", "against"]) == "against"


# --- held-out and cross-validated runs on invented files ---------------------------------------

TRAIN_ROWS = [
    row(0, "A bridge collapsed in the city", "Bridge collapses in the city", "for", "t1"),
    row(1, "A bridge collapsed in the city", "City bridge falls down", "for", "t1"),
    row(2, "A bridge collapsed in the city", "Bridge collapse is a hoax", "against", "t1"),
    row(3, "A bridge collapsed in the city", "Bridge may have collapsed?", "observing", "t1"),
    row(4, "The singer quit the band", "Singer quits the band", "for", "t2"),
    row(5, "The singer quit the band", "Singer denies quitting the band", "against", "t2"),
    row(6, "The singer quit the band", "Singer reportedly quits band", "observing", "t2"),
    row(7, "A whale swam up the river", "Whale swims up the river", "for", "t3"),
    row(8, "A whale swam up the river", "Whale in river could be a fake", "against", "t3"),
    row(9, "A whale swam up the river", "Report: whale spotted in river", "observing", "t3"),
    row(10, "A whale swam up the river", "Whale seen in the river", "for", "t3"),
]
TEST_ROWS = [
    row(0, "The mayor resigned", "Mayor resigns", "for", "h1"),
    row(1, "The mayor resigned", "Mayor reportedly resigns", "observing", "h1"),
    row(2, "The mayor resigned", "Mayor denies resigning", "against", "h1"),
]


def check_shape(data: dict[str, Any], split: str, n: int) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"], data["n"]) == ("emergent-stance", split, n)
    assert set(data["scores"]) == {"all", *STANCES, "certainty", BASELINE}
    for group in ("all", "certainty", BASELINE):
        assert set(data["scores"][group]) == {"accuracy", "macro_f1"}
    for label in STANCES:
        assert set(data["scores"][label]) == {"p", "r", "f1"}
    for metrics in data["scores"].values():
        for metric, value in metrics.items():
            assert metric == metric.lower()
            assert 0.0 <= value <= 1.0


@pytest.mark.model
def test_train_on_one_file_and_score_another(tmp_path: Path, nlp: Language) -> None:
    train = write(tmp_path / "train.csv", csv_text(*TRAIN_ROWS))
    test = write(tmp_path / "test.csv", csv_text(*TEST_ROWS))
    report = evaluate_stance(test, train=train, nlp=nlp)
    assert isinstance(report, EvalReport)
    data = report.to_dict()
    check_shape(data, "heldout", 3)
    # The train file's majority is "for": right on one headline of three.
    assert data["scores"][BASELINE] == pytest.approx(
        {"accuracy": 1 / 3, "macro_f1": (0.5 + 0 + 0) / 3}, abs=1e-4
    )
    # Same files, same report.
    assert evaluate_stance(test, train=train, nlp=nlp).to_dict() == data


@pytest.mark.model
def test_cross_validate_an_invented_file(tmp_path: Path, nlp: Language) -> None:
    path = write(tmp_path / "e.csv", csv_text(*TRAIN_ROWS, *TEST_ROWS))
    data = evaluate_stance(path, folds=2, nlp=nlp).to_dict()
    check_shape(data, "cv-2", len(TRAIN_ROWS) + len(TEST_ROWS))
    assert evaluate_stance(path, folds=2, nlp=nlp).to_dict() == data
    e = error_of(lambda: evaluate_stance(path, folds=5, nlp=nlp))
    assert e.code is Errors.E030
    assert "4 claims" in str(e)


# --- the real data -----------------------------------------------------------------------------

EMERGENT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emergent"
TRAIN_FILE = EMERGENT / "emergent_train_all_columns.csv"
FLOORS = json.loads((Path(__file__).parent / "eval_floors_stance.json").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def cv_report(nlp: Language) -> EvalReport:
    if not TRAIN_FILE.is_file():
        pytest.skip(f"no Emergent data at {TRAIN_FILE}")
    return evaluate_stance(TRAIN_FILE, nlp=nlp)


@pytest.mark.model
def test_every_headline_of_the_training_file_is_scored(cv_report: EvalReport) -> None:
    data = cv_report.to_dict()
    check_shape(data, "cv-5", FLOORS["n"])
    with TRAIN_FILE.open(encoding="utf8", newline="") as stream:
        stances = Counter(r["articleHeadlineStance"] for r in csv.DictReader(stream))
    assert sum(stances.values()) == cv_report.n
    # Every training part's majority is the file's, so the baseline's accuracy is its share.
    top, count = stances.most_common(1)[0]
    assert cv_report.scores[BASELINE]["accuracy"] == pytest.approx(count / cv_report.n)
    assert cv_report.scores[top]["r"] > 0.5


@pytest.mark.model
def test_cv_stance_stays_above_the_floors_and_the_baseline(cv_report: EvalReport) -> None:
    scores = cv_report.scores
    below = [
        f"all {metric}: {scores['all'][metric]:.4f} < floor {floor}"
        for metric, floor in FLOORS["all"].items()
        if scores["all"][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
    for model in ("all", "certainty"):
        for metric in ("accuracy", "macro_f1"):
            assert scores[model][metric] > scores[BASELINE][metric], (model, metric)
