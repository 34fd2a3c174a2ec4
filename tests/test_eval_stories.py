"""The BASIL story scorer: the metrics, the reader, the run, the gate.

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
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.eval.stories import (
    SAME_DAY,
    SINGLETONS,
    Analysed,
    analyse,
    bcubed,
    evaluate_stories,
    pairwise,
    read_articles,
    score,
)

# --- metrics -----------------------------------------------------------------------------------


def test_bcubed_and_pairwise_by_hand() -> None:
    gold = ["a", "a", "a", "b", "b"]
    predicted = [1, 1, 2, 2, 2]
    # Precision per item: 1, 1, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 1, 1.
    b = bcubed(predicted, gold)
    assert b["bcubed_p"] == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert b["bcubed_r"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    p = pairwise(predicted, gold)
    # Predicted pairs: (0,1), (2,3), (2,4), (3,4); gold pairs: 3 + 1.  Both right: (0,1), (3,4).
    assert (p["pairwise_p"], p["pairwise_r"], p["pairwise_f1"]) == (0.5, 0.5, 0.5)
    assert bcubed(gold, gold)["bcubed_f1"] == 1.0
    assert pairwise(gold, gold)["pairwise_f1"] == 1.0
    assert pairwise(range(5), gold) == {"pairwise_p": 0.0, "pairwise_r": 0.0, "pairwise_f1": 0.0}
    assert bcubed([], [])["bcubed_f1"] == 0.0
    with pytest.raises(ValueError, match="one predicted"):
        bcubed([1], [])


LABELS = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30)


@given(LABELS)
def test_metric_properties(pairs: list[tuple[int, int]]) -> None:
    predicted, gold = [p for p, _ in pairs], [g for _, g in pairs]
    b, p = bcubed(predicted, gold), pairwise(predicted, gold)
    for value in (*b.values(), *p.values()):
        assert 0.0 <= value <= 1.0
    # Swapping the roles swaps precision and recall; renaming the clusters changes nothing.
    swapped = bcubed(gold, predicted)
    assert swapped["bcubed_p"] == pytest.approx(b["bcubed_r"])
    assert bcubed([f"x{v}" for v in predicted], gold) == b
    # Singletons have perfect B-cubed precision.
    assert bcubed(list(range(len(gold))), gold)["bcubed_p"] == 1.0


# --- the folder --------------------------------------------------------------------------------

BRIDGE = [
    ["Harbor Town opened its new bridge on Monday."],
    ["Mayor Jana Kowalczyk cut the ribbon.", "“It is finished,” Kowalczyk said."],
]
FERRY = [
    ["The Gull Island ferry stops for the winter."],
    ["The operator, North Sea Lines, blamed the storms."],
]


def write_article(
    root: Path, year: str, stem: str, story: str, day: str, body: list[list[str]], **extra: Any
) -> Path:
    folder = root / "articles" / year
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "title": f"{story} news",
        "date": day,
        "url": f"http://example.invalid/{stem}",
        "source": "fox",
        "triplet-uuid": story,
        "body-paragraphs": body,
        **extra,
    }
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(data), encoding="utf8")
    return path


def write_basil(root: Path) -> Path:
    write_article(root, "2012", "ferry_1", "ferry", "2012-01-09", FERRY)
    write_article(root, "2012", "ferry_2", "ferry", "2012-01-08", FERRY, source="nyt")
    write_article(root, "2011", "bridge_2", "bridge", "2011-05-03", BRIDGE, source="hpo")
    write_article(root, "2011", "bridge_1", "bridge", "2011-05-02", BRIDGE)
    return root


def test_articles_are_read_in_date_order(tmp_path: Path) -> None:
    golds = read_articles(write_basil(tmp_path))
    assert [g.name for g in golds] == [
        "2011/bridge_1",
        "2011/bridge_2",
        "2012/ferry_2",
        "2012/ferry_1",
    ]
    first = golds[0]
    assert first.story == "bridge"
    assert first.article.text.startswith("Harbor Town opened its new bridge on Monday.\n\nMayor")
    assert (first.article.outlet, first.article.title) == ("fox", "bridge news")
    assert [g.name for g in read_articles(tmp_path, years=["2012"])] == [
        "2012/ferry_2",
        "2012/ferry_1",
    ]


def error_code(fn: Any) -> Errors | None:
    try:
        fn()
    except InputError as e:
        return e.code
    return None


def test_bad_layouts_and_files_are_coded_errors(tmp_path: Path) -> None:
    assert error_code(lambda: read_articles(tmp_path)) is Errors.E030
    (tmp_path / "articles" / "2010").mkdir(parents=True)
    assert error_code(lambda: read_articles(tmp_path)) is Errors.E030
    root = write_basil(tmp_path / "basil")
    assert error_code(lambda: read_articles(root, years=["2011", "2019"])) is Errors.E030
    path = root / "articles" / "2011" / "bridge_1.json"
    for bad in (
        "{not json",
        "[]",
        json.dumps({"date": "2011-05-02", "triplet-uuid": "b", "body-paragraphs": "x"}),
        json.dumps({"date": "2011-05-02", "body-paragraphs": []}),
        json.dumps({"date": "May 2", "triplet-uuid": "b", "body-paragraphs": []}),
    ):
        path.write_text(bad, encoding="utf8")
        assert error_code(lambda: read_articles(root)) is Errors.E032, bad


def test_a_failed_analysis_is_scored_as_a_story_of_its_own(tmp_path: Path) -> None:
    golds = read_articles(write_basil(tmp_path))
    report = score([Analysed(g, None) for g in golds])
    assert report.scores["counts"]["failed_articles"] == 4
    assert report.scores["all"] == report.scores[SINGLETONS]


def check_shape(data: dict[str, Any]) -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"]) == ("basil-stories", "all")
    assert set(data["scores"]) == {"all", SAME_DAY, SINGLETONS, "counts"}
    metrics = {"bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_p", "pairwise_r", "pairwise_f1"}
    assert data["n"] == data["scores"]["counts"]["articles"]
    for group, values in data["scores"].items():
        if group == "counts":
            continue
        assert set(values) == metrics
        assert all(0.0 <= v <= 1.0 for v in values.values())


@pytest.mark.model
def test_evaluate_on_invented_files(tmp_path: Path, nlp: Language) -> None:
    report = evaluate_stories(write_basil(tmp_path), nlp=nlp)
    check_shape(report.to_dict())
    assert report.n == 4
    assert report.scores["counts"]["gold_stories"] == 2
    assert report.scores["all"]["bcubed_f1"] == 1.0
    assert report.scores[SAME_DAY]["bcubed_r"] == 0.5


# --- the real data -----------------------------------------------------------------------------

FLOORS = json.loads((Path(__file__).parent / "eval_floors_stories.json").read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def basil_analysed(shared_data: Path, nlp: Language) -> list[Analysed]:
    """Every BASIL article on disk, parsed once for the tests of this module."""
    return analyse(read_articles(shared_data / "basil"), nlp=nlp)


@pytest.mark.model
def test_story_clustering_stays_above_the_floors(basil_analysed: list[Analysed]) -> None:
    report = score(basil_analysed)
    check_shape(report.to_dict())
    assert report.n == FLOORS["n"]
    assert report.scores["counts"]["failed_articles"] == 0
    below = [
        f"{metric}: {report.scores['all'][metric]:.4f} < floor {floor}"
        for metric, floor in FLOORS["all"].items()
        if report.scores["all"][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
    for metric in ("bcubed_f1", "pairwise_f1"):
        assert report.scores["all"][metric] > report.scores[SAME_DAY][metric]


@pytest.mark.model
def test_years_select_the_articles(shared_data: Path, basil_analysed: list[Analysed]) -> None:
    golds = read_articles(shared_data / "basil", years=["2010", "2016"])
    assert {g.name.split("/")[0] for g in golds} == {"2010", "2016"}
    assert len(golds) == 60
    chosen = {g.name for g in golds}
    report = score([a for a in basil_analysed if a.gold.name in chosen])
    assert report.scores["counts"]["gold_stories"] == 20
    assert report.scores["all"]["bcubed_f1"] > report.scores[SAME_DAY]["bcubed_f1"]
