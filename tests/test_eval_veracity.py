"""Veracity of Emergent claims from the coverage we build: the reader and its coded errors,
copies, outlets' records, claim-disjoint training, held-out and cross-validated runs, the
command, and the gate on ../shared/data/emergent (read in place, nothing copied).

Hand-made files use invented claims, headlines and outlets."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.errors import Errors, InputError
from rumormill.eval import stance
from rumormill.eval.stance import Headline, Pair
from rumormill.eval.veracity import (
    ALL,
    BASELINE,
    COVERAGE,
    TRUTHS,
    Claim,
    OutletRecords,
    claim_row,
    cross_validate,
    evaluate_veracity,
    implied,
    majority,
    origins,
    read_claims,
    stance_probabilities,
)
from rumormill.model import Certainty
from rumormill.nlp import linear

runner = CliRunner()
HEADER = [
    "",
    "claimHeadline",
    "articleHeadline",
    "articleHeadlineStance",
    "articleId",
    "claimId",
    "url",
    "source",
    "claimTruth",
]


def row(k: int, claim_id: str, headline: str, stance_: str, outlet: str, truth: str) -> list[str]:
    return [str(k), f"claim {claim_id}", headline, stance_, f"a{k}", claim_id, "", outlet, truth]


def csv_text(*rows: Sequence[str], header: Sequence[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf8"))
    return path


def error_of(fn: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fn()
    return caught.value


GOOD = [
    row(0, "c1", "Moon is cheese, scientists say", "for", "Daily.com", "false"),
    row(1, "c1", "Scientists deny the moon is cheese", "against", "paper.org", "false"),
    row(2, "c2", "Cat elected mayor", "for", "daily.com", "unknown"),
    row(3, "c1", "Moon reportedly cheese", "observing", "blog.net", "False"),
]


# --- the reader --------------------------------------------------------------------------------


def test_read_claims_groups_headlines_with_outlets_and_truth(tmp_path: Path) -> None:
    claims = read_claims(write(tmp_path / "e.csv", csv_text(*GOOD)))
    assert [(c.claim_id, c.truth, c.line) for c in claims] == [
        ("c1", "false", 2),
        ("c2", "unverified", 4),
    ]
    assert claims[0].outlets == ("daily.com", "paper.org", "blog.net")
    assert [p.line for p in claims[0].pairs] == [2, 3, 5]
    assert claims[1].pairs == (Pair(4, "c2", "claim c2", "Cat elected mayor", "for"),)


BAD = [
    (csv_text(*GOOD, header=HEADER[:-1]), 1, "no column 'claimTruth'"),
    (csv_text(*GOOD, header=[*HEADER[:-2], "claimTruth", "claimTruth"]), 1, "source"),
    (csv_text(*GOOD, header=[*HEADER[:5], "x", *HEADER[6:]]), 1, "no column 'claimId'"),
    (csv_text(GOOD[0], row(1, "c1", "Moon", "for", "x.com", "maybe")), 3, "unknown claimTruth"),
    (csv_text(GOOD[0], row(1, "c1", "Moon", "for", "x.com", "true")), 3, "false at line 2"),
    (csv_text(GOOD[0], row(1, "c1", "Moon", "perhaps", "x.com", "false")), 3, "unknown stance"),
    (csv_text(GOOD[0], GOOD[1][:-1]), 3, "8 fields; the header has 9"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD)
def test_a_bad_record_is_e035_with_the_file_and_its_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path / "e.csv", text)
    e = error_of(lambda: read_claims(path))
    assert e.code is Errors.E035
    assert (e.details["path"], e.details["line"]) == (path, line)
    assert reason in str(e)


def test_empty_missing_and_headless_files(tmp_path: Path) -> None:
    e = error_of(lambda: read_claims(write(tmp_path / "empty.csv", "")))
    assert e.code is Errors.E002
    e = error_of(lambda: read_claims(write(tmp_path / "header.csv", csv_text())))
    assert e.code is Errors.E030
    e = error_of(lambda: read_claims(tmp_path / "absent.csv"))
    assert e.code is Errors.E030
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text(GOOD[0]).encode() + "9,x,Café,for,a,c9,,y,true\n".encode("latin-1"))
    e = error_of(lambda: read_claims(path))
    assert (e.code, e.details["line"]) == (Errors.E035, 3)


# --- copies, stances, records ------------------------------------------------------------------


def test_origins_groups_copies_and_chains() -> None:
    headlines = [
        "ISIS beheads American journalist James Foley",
        "BREAKING: ISIS beheads American journalist James Foley",
        "Apple to sell 19 million watches",
        "ISIS beheads American journalist James Foley, threatens more",
        "",
    ]
    assert origins(headlines) == [0, 0, 2, 0, 4]
    assert origins(headlines, threshold=1.01) == [0, 1, 2, 3, 4]
    assert origins([]) == []


def test_stance_probabilities_and_the_implied_probability() -> None:
    model = linear.fit_classes(
        [{"yes": 1.0}, {"no": 1.0}, {"hmm": 1.0}] * 3,
        ["for", "against", "observing"] * 3,
        min_count=1,
    )
    found = stance_probabilities(model, {"yes": 1.0})
    assert sum(found.values()) == pytest.approx(1.0)
    assert max(found, key=lambda s: found[s]) == "for"
    assert implied({"for": 1.0, "against": 0.0, "observing": 0.0}) == 1.0
    assert implied({"for": 0.0, "against": 1.0, "observing": 0.0}) == 0.0
    assert implied({"for": 0.0, "against": 0.0, "observing": 1.0}) == 0.5
    # A model that never saw a stance gives it nothing.
    partial = linear.fit_classes([{"a": 1.0}, {"b": 1.0}], ["for", "against"], min_count=1)
    assert stance_probabilities(partial, {"a": 1.0})["observing"] == 0.0


def headline(score: float = 3.0) -> Headline:
    """Hand-set features in every group the models read (no parser)."""
    groups: dict[str, dict[str, float]] = {group: {} for group in stance.GROUPS}
    groups["whole"] = {"whole:score": score / 3}
    return Headline(Certainty(score, "asserted" if score >= 2.5 else "possible"), groups)


def claim(claim_id: str, truth: str, outlets: Sequence[str], stances: Sequence[str]) -> Claim:
    pairs = tuple(
        Pair(k + 2, claim_id, f"claim {claim_id}", f"{claim_id} headline {k}", s)
        for k, s in enumerate(stances)
    )
    return Claim(claim_id, truth, 2, pairs, tuple(outlets))


def test_outlet_records_leave_the_claim_out() -> None:
    claims = [
        claim("c1", "false", ["tabloid", "paper"], ["for", "against"]),
        claim("c2", "false", ["tabloid"], ["for"]),
        claim("c3", "true", ["paper"], ["for"]),
    ]
    sure = {"for": 1.0, "against": 0.0, "observing": 0.0}
    deny = {"for": 0.0, "against": 1.0, "observing": 0.0}
    stances = {
        (c.claim_id, p.line): sure if p.stance == "for" else deny for c in claims for p in c.pairs
    }
    records = OutletRecords.learn(claims, stances)
    prior = records.rates()
    assert prior == pytest.approx({"false": 2 / 3, "true": 1 / 3, "unverified": 0.0})
    tabloid = records.features("tabloid", None, prior)
    # Wrong twice, with certainty: Brier 1, skill 1 - 1 / 0.25.
    assert tabloid["brier"] == 1.0
    assert tabloid["skill"] == pytest.approx(-3.0)
    assert tabloid["rate:false"] == pytest.approx((2 + 2 * 2 / 3) / 4)
    paper = records.features("paper", None, prior)
    assert (paper["brier"], paper["skill"]) == (0.0, 1.0)
    # Without c2, the tabloid has c1 alone; without c1 and c2 it would have no record.
    assert records.features("tabloid", "c2", records.rates("c2"))["brier"] == 1.0
    alone = OutletRecords.learn(claims[1:2], stances)
    assert "brier" not in alone.features("tabloid", "c2", alone.rates("c2"))
    assert "known" not in records.features("nobody", None, prior)


def test_claim_rows_count_stances_outlets_and_origins() -> None:
    texts = ["Moon is cheese", "Space agency denies moon cheese story", "Moon is cheese!"]
    pairs = tuple(Pair(k + 2, "c1", "claim", t, "for") for k, t in enumerate(texts))
    c = Claim("c1", "false", 2, pairs, ("a", "a", "b"))
    # The first and the last headline are copies (the same words): two origins.
    features_by = {t: headline() for t in texts}
    probs = [
        {"for": 0.8, "against": 0.1, "observing": 0.1},
        {"for": 0.1, "against": 0.8, "observing": 0.1},
        {"for": 0.7, "against": 0.2, "observing": 0.1},
    ]
    stances = {("c1", p.line): found for p, found in zip(pairs, probs, strict=True)}
    found = claim_row(c, features_by, stances, None, None)
    assert found["stance:share:for"] == pytest.approx(2 / 3)
    assert found["stance:any:against"] == 1.0
    assert "stance:any:observing" not in found
    assert found["echo_share"] == pytest.approx(1 / 3)
    assert found["outlets"] == pytest.approx(math.log1p(2))
    assert found["origins"] == pytest.approx(math.log1p(2))
    assert not any(k.startswith("records:") for k in found)


def test_majority_and_its_ties() -> None:
    assert majority(["true", "unverified", "true"]) == "true"
    assert majority(["true", "false"]) == "false"
    assert majority([]) == TRUTHS[0]


def test_cross_validation_is_claim_disjoint(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = [
        claim(
            f"c{k}",
            TRUTHS[k % 3],
            [f"outlet{k % 4}", f"outlet{(k + 1) % 4}"],
            ["for", "against"] if k % 3 == 1 else ["against", "observing"],
        )
        for k in range(15)
    ]
    features = {
        p.headline: headline(3.0 if k % 2 else 0.0) for k, c in enumerate(claims) for p in c.pairs
    }
    fits: list[set[str]] = []
    real_fit = stance.fit

    def spy(pairs: Sequence[Pair], *args: Any, **kw: Any) -> Any:
        fits.append({p.claim_id for p in pairs})
        return real_fit(pairs, *args, **kw)

    learned: list[set[str]] = []
    real_learn = OutletRecords.learn

    def spy_learn(cls: type[OutletRecords], found: Sequence[Claim], stances: Any) -> Any:
        learned.append({c.claim_id for c in found})
        return real_learn(found, stances)

    monkeypatch.setattr(stance, "fit", spy)
    monkeypatch.setattr(OutletRecords, "learn", classmethod(spy_learn))
    fold = stance.assign_folds((c.claim_id for c in claims), 3, stance.SEED)
    out = cross_validate(claims, features, folds=3)
    assert set(out) == {ALL, COVERAGE, BASELINE}
    assert all(len(v) == len(claims) and set(v) <= set(TRUTHS) for v in out.values())
    # Per outer fold: 5 inner stance fits and one on every training claim; one record set.
    assert len(fits) == 3 * 6
    assert len(learned) == 3
    for k, train in enumerate(learned):
        held = {c for c, f in fold.items() if f == k}
        assert train == {c for c, f in fold.items() if f != k}
        for fitted in fits[6 * k : 6 * k + 6]:
            assert fitted
            assert not fitted & held


# --- runs on invented files --------------------------------------------------------------------

TRUE_HEADS = ["{} confirmed, officials say", "{} happened, police confirm", "{} is real"]
FALSE_HEADS = ["{} is a hoax", "Officials deny {}", "No, {} did not happen"]
OPEN_HEADS = ["{} reportedly happened?", "Report: {} may have happened", "Rumor: {}"]


def invented_rows(n: int) -> list[list[str]]:
    rows: list[list[str]] = []
    kinds = (("true", TRUE_HEADS, "for"), ("false", FALSE_HEADS, "against"))
    kinds += (("unknown", OPEN_HEADS, "observing"),)
    for c in range(n):
        truth, heads, gold = kinds[c % 3]
        topic = f"event number {c}"
        for k, head in enumerate(heads):
            rows.append(row(len(rows), f"c{c}", head.format(topic), gold, f"o{k}.com", truth))
    return rows


def check_shape(data: dict[str, Any], split: str, n: int) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"], data["n"]) == ("emergent-veracity", split, n)
    assert set(data["scores"]) == {ALL, COVERAGE, BASELINE, *TRUTHS}
    for group in (ALL, COVERAGE, BASELINE):
        assert set(data["scores"][group]) == {"accuracy", "macro_f1"}
    for truth in TRUTHS:
        assert set(data["scores"][truth]) == {"p", "r", "f1"}
    for metrics in data["scores"].values():
        for value in metrics.values():
            assert 0.0 <= value <= 1.0


@pytest.mark.model
def test_held_out_never_reads_the_test_file_s_gold_stances(tmp_path: Path, nlp: Language) -> None:
    train = write(tmp_path / "train.csv", csv_text(*invented_rows(12)))
    rows = [r for r in invented_rows(15) if r[5] in {"c12", "c13", "c14"}]
    test = write(tmp_path / "test.csv", csv_text(*rows))
    data = evaluate_veracity(test, train=train, nlp=nlp).to_dict()
    check_shape(data, "heldout", 3)
    # Every gold stance turned around: the same report.
    flipped = [[*r[:3], "observing" if r[3] != "observing" else "for", *r[4:]] for r in rows]
    other = write(tmp_path / "flipped.csv", csv_text(*flipped))
    assert evaluate_veracity(other, train=train, nlp=nlp).to_dict() == data


@pytest.mark.model
def test_cross_validate_an_invented_file(tmp_path: Path, nlp: Language) -> None:
    path = write(tmp_path / "e.csv", csv_text(*invented_rows(12)))
    data = evaluate_veracity(path, folds=2, nlp=nlp).to_dict()
    check_shape(data, "cv-2", 12)
    assert evaluate_veracity(path, folds=2, nlp=nlp).to_dict() == data
    e = error_of(lambda: evaluate_veracity(path, folds=13, nlp=nlp))
    assert e.code is Errors.E030
    assert "12 claims" in str(e)


@pytest.mark.model
def test_the_command(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", csv_text(*invented_rows(10)))
    train = write(tmp_path / "t.csv", csv_text(*invented_rows(9)))
    result = runner.invoke(
        app, ["eval", "veracity", "--emergent", str(path), "--train", str(train), "--json"]
    )
    assert result.exit_code == 0, result.output
    check_shape(json.loads(result.stdout), "heldout", 10)
    bad = write(tmp_path / "bad.csv", csv_text(*GOOD, header=HEADER[:-1]))
    result = runner.invoke(app, ["eval", "veracity", "--emergent", str(bad)])
    assert result.exit_code == 2
    assert "E035" in result.stderr


# --- the real data -----------------------------------------------------------------------------

EMERGENT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emergent"
TRAIN_FILE = EMERGENT / "emergent_train_all_columns.csv"
FLOORS = json.loads(
    (Path(__file__).parent / "eval_floors_veracity.json").read_text(encoding="utf8")
)


@pytest.mark.model
def test_cv_veracity_stays_above_the_floors_and_the_baseline(nlp: Language) -> None:
    if not TRAIN_FILE.is_file():
        pytest.skip(f"no Emergent data at {TRAIN_FILE}")
    report = evaluate_veracity(TRAIN_FILE, nlp=nlp)
    check_shape(report.to_dict(), "cv-5", FLOORS["n"])
    scores = report.scores
    below = [
        f"{group} {metric}: {scores[group][metric]:.4f} < floor {floor}"
        for group, metrics in FLOORS["floors"].items()
        for metric, floor in metrics.items()
        if scores[group][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
    for model in (ALL, COVERAGE):
        for metric in ("accuracy", "macro_f1"):
            assert scores[model][metric] > scores[BASELINE][metric], (model, metric)
