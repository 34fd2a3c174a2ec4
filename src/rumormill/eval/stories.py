"""Score story clustering on a BASIL-layout folder: does each triplet come out as one story?

BASIL (Fan et al., EMNLP 2019) covers each event with three articles, one each from Fox News,
the New York Times and HuffPost, published within a few days of each other.  Protocol
(documented in docs/accuracy.md):

- **Articles.** Every `DIR/articles/<year>/<stem>.json` of the years asked for (`years`; by
  default every year folder on disk); the annotation files are not read.  The text is built as
  in `eval/speakers.py` (`build_text`): the sentences of a paragraph joined by one space, the
  paragraphs by a blank line.  The Article gets the file's `date` (required), `source`
  (outlet), `url` and `title`.
- **Gold.** The file's `triplet-uuid`: one gold story per triplet.
- **Run.** The articles are parsed in one batch (`pipeline.parse`, the learned attribution
  span tagger switched off: stories need only lemmas and entities), each Doc goes through
  `analysis.analysis_of`, `link.stories.story_input(analysis, doc)` builds the input, and a
  fresh `StoryClusterer` (default `StoryParams` unless given) takes them in date order, ties
  by year folder and file name.  An article that fails analysis (E040) is counted in
  `failed_articles` and scored as a story of its own.
- **Metrics** over all articles (group `all`): B-cubed precision, recall and F1 (Bagga and
  Baldwin 1998: per article, the share of its predicted story that is in its gold story, and
  the reverse, averaged over articles) and pairwise precision, recall and F1 (over the pairs
  of articles put in one story).  `n` is the number of articles.
- **Baselines** measured in the same run: `baseline:same-day` (one story per publication
  date) and `baseline:singletons` (every article a story of its own).  The group `counts`
  holds the numbers of articles, gold stories, predicted stories and failed articles.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language

from rumormill.analysis import analysis_of
from rumormill.errors import AnalysisError, Errors, InputError
from rumormill.eval.report import EvalReport
from rumormill.eval.speakers import build_text
from rumormill.ingest.files import read_text
from rumormill.link.stories import StoryClusterer, StoryInput, StoryParams, story_input
from rumormill.model import Article
from rumormill.nlp import pipeline, spans

logger = logging.getLogger(__name__)

BENCHMARK = "basil-stories"
SPLIT = "all"
SAME_DAY = "baseline:same-day"
SINGLETONS = "baseline:singletons"
FILE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class GoldArticle:
    name: str  # "<year>/<stem>"
    story: str
    article: Article


@dataclass(frozen=True)
class Analysed:
    """One gold article ready for the clusterer; `input` is None when analysis failed."""

    gold: GoldArticle
    input: StoryInput | None


# --- the folder --------------------------------------------------------------------------------


def _bad(path: Path, reason: str) -> InputError:
    return InputError(Errors.E032, path=path, reason=reason)


def _text_field(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_article(path: Path) -> GoldArticle:
    """One BASIL article file; E032 when it is unusable."""
    try:
        data = json.loads(read_text(path, limit=FILE_LIMIT))
    except json.JSONDecodeError as e:
        raise _bad(path, f"bad JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
    if not isinstance(data, dict):
        raise _bad(path, f"expected a JSON object, got {type(data).__name__}")
    body = data.get("body-paragraphs")
    if not isinstance(body, list) or not all(
        isinstance(p, list) and all(isinstance(s, str) for s in p) for p in body
    ):
        raise _bad(path, "'body-paragraphs' must be a list of lists of strings")
    story = _text_field(data, "triplet-uuid")
    if story is None:
        raise _bad(path, "no 'triplet-uuid' (the story id)")
    try:
        published = date.fromisoformat(str(data.get("date")))
    except ValueError as e:
        raise _bad(path, f"bad date {data.get('date')!r}; expected YYYY-MM-DD") from e
    text, _, _ = build_text(body)
    article = Article(
        text=text,
        published=published,
        outlet=_text_field(data, "source"),
        url=_text_field(data, "url"),
        title=_text_field(data, "title"),
    )
    return GoldArticle(f"{path.parent.name}/{path.stem}", story, article)


def read_articles(root: Path, *, years: Sequence[str] | None = None) -> list[GoldArticle]:
    """The articles of the years asked for (all year folders by default), in date order (ties
    by year folder and file name); E030 on a bad layout or a missing year."""
    articles = root / "articles"
    if not articles.is_dir():
        raise InputError(Errors.E030, path=root, reason=f"no folder {articles}")
    on_disk = sorted(p.name for p in articles.iterdir() if p.is_dir())
    wanted = list(on_disk) if years is None else [str(y) for y in years]
    missing = [y for y in wanted if y not in on_disk]
    if missing:
        raise InputError(Errors.E030, path=root, reason=f"no year folder {', '.join(missing)}")
    paths = [p for y in sorted(set(wanted)) for p in sorted((articles / y).glob("*.json"))]
    if not paths:
        raise InputError(Errors.E030, path=root, reason=f"no <year>/*.json files in {articles}")
    golds = [read_article(p) for p in paths]
    golds.sort(key=lambda g: (g.article.published or date.min, g.name))
    return golds


def analyse(golds: Sequence[GoldArticle], *, nlp: Language | None = None) -> list[Analysed]:
    """Parse the articles in one batch and build each one's StoryInput."""
    model = nlp or pipeline.load()
    texts = (g.article.text for g in golds)
    if spans.COMPONENT in model.pipe_names:
        with model.select_pipes(disable=[spans.COMPONENT]):
            docs = list(pipeline.parse(texts, nlp=model))
    else:
        docs = list(pipeline.parse(texts, nlp=model))
    found: list[Analysed] = []
    for gold, doc in zip(golds, docs, strict=True):
        try:
            analysis = analysis_of(gold.article, doc, name=gold.name)
        except AnalysisError as e:
            logger.warning("%s: skipped: %s", gold.name, e)
            found.append(Analysed(gold, None))
            continue
        found.append(Analysed(gold, story_input(analysis, doc)))
    return found


# --- scoring -----------------------------------------------------------------------------------


def bcubed(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering (one label per item, in one order)."""
    if len(predicted) != len(gold):
        raise ValueError("one predicted and one gold label per item")
    if not gold:
        return {"bcubed_p": 0.0, "bcubed_r": 0.0, "bcubed_f1": 0.0}
    joint: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    sizes_p: dict[Hashable, int] = defaultdict(int)
    sizes_g: dict[Hashable, int] = defaultdict(int)
    for p, g in zip(predicted, gold, strict=True):
        joint[p, g] += 1
        sizes_p[p] += 1
        sizes_g[g] += 1
    # Each of the `c` items in a (predicted, gold) cell scores c / |its cluster|.
    precision = sum(c * c / sizes_p[p] for (p, _), c in joint.items()) / len(gold)
    recall = sum(c * c / sizes_g[g] for (_, g), c in joint.items()) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"bcubed_p": precision, "bcubed_r": recall, "bcubed_f1": f1}


def pairwise(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> dict[str, float]:
    """Pairwise precision, recall and F1: over the pairs of items put in one cluster."""
    if len(predicted) != len(gold):
        raise ValueError("one predicted and one gold label per item")

    def pairs(counts: Mapping[Any, int]) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    joint: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    sizes_p: dict[Hashable, int] = defaultdict(int)
    sizes_g: dict[Hashable, int] = defaultdict(int)
    for p, g in zip(predicted, gold, strict=True):
        joint[p, g] += 1
        sizes_p[p] += 1
        sizes_g[g] += 1
    tp, n_pred, n_gold = pairs(joint), pairs(sizes_p), pairs(sizes_g)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairwise_p": precision, "pairwise_r": recall, "pairwise_f1": f1}


def clustering_scores(predicted: Sequence[Hashable], gold: Sequence[Hashable]) -> dict[str, float]:
    return {**bcubed(predicted, gold), **pairwise(predicted, gold)}


def score(analysed: Sequence[Analysed], *, params: StoryParams | None = None) -> EvalReport:
    """Feed the analysed articles, in the order given, to a fresh StoryClusterer and score
    it and the baselines against the gold stories."""
    clusterer = StoryClusterer(params)
    predicted: list[str] = []
    failed = 0
    for item in analysed:
        if item.input is None:
            failed += 1
            predicted.append(f"failed:{item.gold.name}")
        else:
            predicted.append(clusterer.add(item.input))
    gold = [item.gold.story for item in analysed]
    days = [str(item.gold.article.published) for item in analysed]
    singletons = [item.gold.name for item in analysed]
    report = EvalReport(benchmark=BENCHMARK, split=SPLIT, n=len(analysed))
    report.scores["all"] = clustering_scores(predicted, gold)
    report.scores[SAME_DAY] = clustering_scores(days, gold)
    report.scores[SINGLETONS] = clustering_scores(singletons, gold)
    report.scores["counts"] = {
        "articles": len(analysed),
        "gold_stories": len(set(gold)),
        "predicted_stories": len(set(predicted)),
        "failed_articles": failed,
    }
    return report


def evaluate_stories(
    basil: Path,
    *,
    years: Sequence[str] | None = None,
    nlp: Language | None = None,
    params: StoryParams | None = None,
) -> EvalReport:
    """Score story clustering (and the baselines, in the same run) on a BASIL-layout folder.
    Groups: `all`, `baseline:same-day`, `baseline:singletons`, `counts`; `n` is the number of
    articles."""
    golds = read_articles(basil, years=years)
    report = score(analyse(golds, nlp=nlp), params=params)
    logger.info(
        "clustered %s articles of %s into %s stories",
        report.n,
        basil,
        report.scores["counts"]["predicted_stories"],
    )
    return report
