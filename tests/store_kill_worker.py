"""A process for test_store_kill.py to kill: adds small hand-made batches to a store, one
`Store.add` (one transaction) per batch, and prints `stored N` after each.

python tests/store_kill_worker.py STORE SEED BATCHES SIZE

`batches()` is deterministic in its arguments, so that the test can re-run the same adds.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.store import Store

OUTLETS = ["City A.M.", "cityam.com", "Reuters", "The Guardian", None, "Le Monde", "Yahoo News"]
NAMES = ["Andrei Soldatov", "Alexey Muraviev", "Élodie Côté", "Мария Захарова", "Kim Jong-un"]


def _span(text: str, needle: str, start: int = 0) -> Span:
    at = text.index(needle, start)
    return Span(at, at + len(needle), needle)


def analysis(rng: random.Random, batch: int, index: int) -> Analysis:
    name = rng.choice(NAMES)
    words = " ".join(rng.choice(["coup", "rumor", "plan", "deal", "strike"]) for _ in range(5))
    text = (
        f"Batch {batch} item {index}: {name} told reporters the {words} was highly likely. "
        f'"It could happen soon," {name} said. Reports say more is coming.'
    )
    # Some URLs recur across batches: a later article with another text is a revision.
    url = f"https://www.example{index % 3}.com/story/{rng.randrange(40)}" if index % 2 else None
    published = date(2022, 5, 1) + timedelta(days=rng.randrange(30)) if index % 5 else None
    article = Article(text=text, published=published, outlet=rng.choice(OUTLETS), url=url)
    first = _span(text, name)
    second = _span(text, name, first.end)
    entity = Entity("e1", name, "PERSON", [first, second], ["a source"])
    told = _span(text, "told")
    said = _span(text, "said")
    attributions = [
        Attribution(
            "a1",
            "indirect",
            Source(first, "PERSON", "e1", name),
            told,
            _span(text, "reporters"),
            _span(text, f"the {words} was highly likely"),
            Certainty(1.5, "probable", ("highly likely",)),
        ),
        Attribution(
            "a2",
            "direct",
            Source(second, "PERSON", "e1", name),
            said,
            None,
            _span(text, "It could happen soon,"),
            Certainty(0.5, "possible", ("could",)),
        ),
        Attribution(
            "a3",
            "unattributed",
            Source(None, "UNNAMED"),
            _span(text, "Reports say"),
            None,
            _span(text, "more is coming"),
            Certainty(1.0, "possible", ("Reports say",)),
        ),
    ]
    sentences = [Span(0, told.start, text[: told.start])]
    return Analysis(article, sentences, [entity], attributions)


def batches(seed: int, count: int, size: int) -> list[list[Analysis]]:
    rng = random.Random(seed)
    return [[analysis(rng, b, i) for i in range(size)] for b in range(count)]


def main(path: str, seed: int, count: int, size: int) -> None:
    with Store.open(path) as store:
        for number, batch in enumerate(batches(seed, count, size)):
            store.add(batch, source_names=[f"batch-{number}"])
            print(f"stored {number}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
