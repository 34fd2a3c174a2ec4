"""Quality gate: the shipped model on the dev sets must stay above pinned floors.

The floors live in tests/eval_floors.json.  Raise a floor when a score rises; lower one only
on purpose, with the reason in the commit message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from rumormill.eval.pipeline import evaluate_pipeline

pytestmark = pytest.mark.model

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text(encoding="utf8"))


def test_dev_scores_stay_above_the_floors(nlp: Language, shared_data: Path) -> None:
    tb = shared_data / "treebanks"
    report = evaluate_pipeline(
        nlp,
        treebanks={"ewt": tb / "en_ewt-ud-dev.conllu", "gum": tb / "en_gum-dev.conllu"},
        entities={
            "pud": shared_data / "ner" / "uner_en_pud" / "en_pud-ud-test.iob2",
            "uner-ewt": tb / "uner_en_ewt-ud-dev.iob2",
        },
    )
    below = [
        f"{group} {metric}: {report.scores[group][metric]:.4f} < floor {floor}"
        for group, metrics in FLOORS.items()
        if not group.startswith("_")
        for metric, floor in metrics.items()
        if report.scores[group][metric] < floor
    ]
    assert not below, "below the pinned floors:\n" + "\n".join(below)
