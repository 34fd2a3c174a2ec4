"""Score speaker naming on a BASIL-layout folder: is the resolved `source.name` the speaker?

Layout: `DIR/articles/<year>/<stem>.json` and `DIR/annotations/<year>/<stem>_ann.json`, every
year folder present on disk.  Protocol (documented in docs/accuracy.md):

- **Text.** An article's text is built from `body-paragraphs` (a list of paragraphs, each a list
  of sentences): the sentences of a paragraph joined by one space, the paragraphs by a blank line
  (`"\\n\\n"`); no title, no header.  The Article gets the file's `date`, `source` (outlet),
  `url` and `title`.
- **Gold quotes.** Every phrase-level annotation with `quote` = yes and a `speaker`.  The
  speakers `other_anti`, `other_pro` and `other_neutral` name no one (BASIL's "someone else")
  and are left out, counted as `unnamed_speakers`; the other speakers are scored, persons and
  groups alike ("Obama_campaign", "Democrats").  An annotation's `start`/`end` are offsets
  inside one sentence whose index is not stored: the first sentence (in reading order) where
  `sentence[start:end] == txt` is taken, else the first that contains `txt` anywhere; a quote
  found in none is counted as `unlocated` and left out.  `n` is the number of gold quotes
  scored.
- **Cover.** One of our attributions covers a gold quote when its content span shares at least
  half of the gold span's characters (`overlap >= 0.5 * len(gold)`).  When several do, the one
  with the largest overlap is taken (the earliest on a tie).
- **Names.** Both names are normalised: underscores and hyphens become spaces, accents are
  dropped (NFKD), case is folded, other punctuation (periods, apostrophes) is removed, and a
  leading Mr / Mrs / Ms / Miss / Dr is dropped.  Ours is correct when the token sequences are
  equal or when their last tokens (the surnames) are equal: a full name with the gold surname
  ("Benjamin Netanyahu" for "Bibi_Netanyahu") and a bare surname ("Steele" for
  "Michael_Steele") both count.  This is lenient on first names (another person with the same
  surname would count too), so `exact_accuracy` (equal token sequences only) is reported beside
  it.
- **Metrics** (group `all`): `coverage` = covered / n; `named` = covered quotes where the
  covering attribution has a `source.name` / covered; `accuracy` = correct / named quotes;
  `exact_accuracy` the same with full-name equality.  The group `counts` holds the raw counts.
- **baseline:nearest-person**: for each gold quote, the PERSON entity (of our own analysis) with
  the last mention that ends at or before the quote's start in the same paragraph; its name is
  the entity's canonical name.  It needs no cover: `named` = quotes it names / n, `accuracy` =
  correct / named, and `accuracy_paired` = its accuracy on the quotes we name, for a paired
  comparison.
- An article that fails analysis (E040) is counted in `failed_articles` and skipped; its gold
  quotes stay in `n` as not covered (and not named by the baseline).  An article with no
  annotation file is counted in `unannotated_articles` and skipped.

The articles are parsed in one batch (`pipeline.parse` over `nlp.pipe`, as
`analysis.analyze_articles` does) and each Doc goes through `analysis.analysis_of`, so that one
failing article does not end the batch.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language

from rumormill.analysis import analysis_of
from rumormill.errors import AnalysisError, Errors, InputError
from rumormill.eval.report import EvalReport
from rumormill.ingest.files import read_text
from rumormill.model import Analysis, Article
from rumormill.nlp import pipeline

logger = logging.getLogger(__name__)

BENCHMARK = "basil-speakers"
SPLIT = "all"
BASELINE = "baseline:nearest-person"
UNNAMED_SPEAKERS = frozenset({"other_anti", "other_pro", "other_neutral"})
PARAGRAPH_SEP = "\n\n"
SENTENCE_SEP = " "
COVER = 0.5
FILE_LIMIT = 10 * 1024 * 1024

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr"})
_SEPARATORS = re.compile(r"[_\-‐-―\s]+")
_DROP = re.compile(r"[^\w ]+")

Fragment = tuple[int, int]


# --- names -------------------------------------------------------------------------------------


def name_tokens(name: str) -> tuple[str, ...]:
    """The normalised tokens of a name: separators to spaces, no accents, case-folded, no
    punctuation, no leading honorific."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DROP.sub("", _SEPARATORS.sub(" ", text.casefold()))
    tokens = tuple(text.split())
    while len(tokens) > 1 and tokens[0] in _HONORIFICS:
        tokens = tokens[1:]
    return tokens


def same_name(ours: str, gold: str) -> bool:
    """Our name is the gold speaker's: the same tokens, or the same last token (surname)."""
    a, b = name_tokens(ours), name_tokens(gold)
    return bool(a) and bool(b) and (a == b or a[-1] == b[-1])


def exact_name(ours: str, gold: str) -> bool:
    a = name_tokens(ours)
    return bool(a) and a == name_tokens(gold)


# --- the folder --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldQuote:
    id: str
    speaker: str
    start: int
    end: int
    paragraph: int


@dataclass
class GoldArticle:
    name: str
    article: Article
    paragraphs: list[Fragment]
    quotes: list[GoldQuote]
    unnamed: int = 0
    unlocated: int = 0


def _bad(path: Path, reason: str) -> InputError:
    return InputError(Errors.E032, path=path, reason=reason)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path, limit=FILE_LIMIT))
    except json.JSONDecodeError as e:
        raise _bad(path, f"bad JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
    if not isinstance(data, dict):
        raise _bad(path, f"expected a JSON object, got {type(data).__name__}")
    return data


def build_text(paragraphs: Sequence[Sequence[str]]) -> tuple[str, list[Fragment], list[int]]:
    """The article text of `body-paragraphs`, the (start, end) of each paragraph in it, and
    the start of each sentence (in reading order, paragraph by paragraph)."""
    parts: list[str] = []
    spans: list[Fragment] = []
    starts: list[int] = []
    pos = 0
    for i, sentences in enumerate(paragraphs):
        if i:
            parts.append(PARAGRAPH_SEP)
            pos += len(PARAGRAPH_SEP)
        begin = pos
        for j, sentence in enumerate(sentences):
            if j:
                parts.append(SENTENCE_SEP)
                pos += len(SENTENCE_SEP)
            starts.append(pos)
            parts.append(sentence)
            pos += len(sentence)
        spans.append((begin, pos))
    return "".join(parts), spans, starts


def _paragraphs_of(data: dict[str, Any], path: Path) -> list[list[str]]:
    body = data.get("body-paragraphs")
    if not isinstance(body, list) or not all(
        isinstance(p, list) and all(isinstance(s, str) for s in p) for p in body
    ):
        raise _bad(path, "'body-paragraphs' must be a list of lists of strings")
    return body


def _date_of(data: dict[str, Any], path: Path) -> date:
    value = data.get("date")
    try:
        return date.fromisoformat(str(value))
    except ValueError as e:
        raise _bad(path, f"bad date {value!r}; expected YYYY-MM-DD") from e


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def locate(sentences: Sequence[str], start: int, end: int, txt: str) -> tuple[int, int] | None:
    """(sentence index, offset of the span inside it): the first sentence where
    `sentence[start:end] == txt`, else the first containing `txt`; None when none does."""
    if not txt:
        return None
    for i, sentence in enumerate(sentences):
        if sentence[start:end] == txt:
            return i, start
    for i, sentence in enumerate(sentences):
        at = sentence.find(txt)
        if at >= 0:
            return i, at
    return None


def read_article(article_path: Path, ann_path: Path) -> GoldArticle:
    data = _load(article_path)
    paragraphs = _paragraphs_of(data, article_path)
    text, spans, starts = build_text(paragraphs)
    sentences = [s for p in paragraphs for s in p]
    paragraph_of = [i for i, p in enumerate(paragraphs) for _ in p]
    article = Article(
        text=text,
        published=_date_of(data, article_path),
        outlet=_str_or_none(data.get("source")),
        url=_str_or_none(data.get("url")),
        title=_str_or_none(data.get("title")),
    )
    gold = GoldArticle(article_path.stem, article, spans, [])
    phrases = _load(ann_path).get("phrase-level-annotations", [])
    if not isinstance(phrases, list):
        raise _bad(ann_path, "'phrase-level-annotations' must be a list")
    for phrase in phrases:
        if not isinstance(phrase, dict):
            raise _bad(ann_path, "a phrase-level annotation is not an object")
        speaker = phrase.get("speaker")
        if phrase.get("quote") != "yes" or not isinstance(speaker, str) or not speaker.strip():
            continue
        if speaker.strip() in UNNAMED_SPEAKERS:
            gold.unnamed += 1
            continue
        try:
            start, end, txt = int(phrase["start"]), int(phrase["end"]), str(phrase["txt"])
        except (KeyError, TypeError, ValueError) as e:
            raise _bad(ann_path, f"a quote without a usable start, end and txt: {e}") from e
        found = locate(sentences, start, end, txt)
        if found is None:
            gold.unlocated += 1
            continue
        index, offset = found
        begin = starts[index] + offset
        gold.quotes.append(
            GoldQuote(
                id=str(phrase.get("id", "")),
                speaker=speaker.strip(),
                start=begin,
                end=begin + len(txt),
                paragraph=paragraph_of[index],
            )
        )
    return gold


def article_files(root: Path) -> list[tuple[Path, Path | None]]:
    """(article, annotation or None) pairs over every year folder, sorted by year and name;
    E030 on a bad layout."""
    articles, annotations = root / "articles", root / "annotations"
    for folder in (articles, annotations):
        if not folder.is_dir():
            raise InputError(Errors.E030, path=root, reason=f"no folder {folder}")
    pairs: list[tuple[Path, Path | None]] = []
    for year in sorted(p for p in articles.iterdir() if p.is_dir()):
        for path in sorted(year.glob("*.json")):
            ann = annotations / year.name / f"{path.stem}_ann.json"
            pairs.append((path, ann if ann.is_file() else None))
    if not pairs:
        raise InputError(Errors.E030, path=root, reason=f"no <year>/*.json files in {articles}")
    return pairs


# --- scoring -----------------------------------------------------------------------------------


def overlap(a: Fragment, b: Fragment) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def covering_name(analysis: Analysis, quote: GoldQuote) -> tuple[bool, str | None]:
    """(covered, our source name or None) for one gold quote."""
    span = (quote.start, quote.end)
    best, best_overlap = None, 0
    for a in analysis.attributions:
        shared = overlap(span, (a.content.start, a.content.end))
        if shared > best_overlap:
            best, best_overlap = a, shared
    if best is None or best_overlap < COVER * (quote.end - quote.start):
        return False, None
    return True, best.source.name


def nearest_person(analysis: Analysis, quote: GoldQuote, paragraph: Fragment) -> str | None:
    """baseline:nearest-person — the PERSON entity with the last mention ending at or before
    the quote's start inside the quote's paragraph."""
    best: tuple[int, str] | None = None
    for entity in analysis.entities:
        if entity.type != "PERSON":
            continue
        for m in entity.mentions:
            if (
                paragraph[0] <= m.start
                and m.end <= quote.start
                and (best is None or m.end > best[0])
            ):
                best = (m.end, entity.name)
    return best[1] if best else None


@dataclass
class Tally:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "quotes",
                "covered",
                "named",
                "correct",
                "exact",
                "baseline_named",
                "baseline_correct",
                "baseline_exact",
                "paired",
                "baseline_paired_correct",
            ),
            0,
        )
    )

    def add(self, speaker: str, covered: bool, ours: str | None, baseline: str | None) -> None:
        c = self.counts
        c["quotes"] += 1
        c["covered"] += covered
        if ours is not None:
            c["named"] += 1
            c["correct"] += same_name(ours, speaker)
            c["exact"] += exact_name(ours, speaker)
        if baseline is not None:
            c["baseline_named"] += 1
            c["baseline_correct"] += same_name(baseline, speaker)
            c["baseline_exact"] += exact_name(baseline, speaker)
        if ours is not None:
            c["paired"] += 1
            c["baseline_paired_correct"] += baseline is not None and same_name(baseline, speaker)

    def scores(self) -> dict[str, dict[str, float]]:
        c = self.counts

        def ratio(a: str, b: str) -> float:
            return c[a] / c[b] if c[b] else 0.0

        return {
            "all": {
                "coverage": ratio("covered", "quotes"),
                "named": ratio("named", "covered"),
                "accuracy": ratio("correct", "named"),
                "exact_accuracy": ratio("exact", "named"),
            },
            BASELINE: {
                "named": ratio("baseline_named", "quotes"),
                "accuracy": ratio("baseline_correct", "baseline_named"),
                "exact_accuracy": ratio("baseline_exact", "baseline_named"),
                "accuracy_paired": ratio("baseline_paired_correct", "paired"),
            },
        }


def read_gold(root: Path, *, limit: int | None = None) -> tuple[list[GoldArticle], int]:
    """The annotated articles (sorted by year and name; the first `limit` when given) and the
    number of articles with no annotation file."""
    golds, unannotated = [], 0
    for article_path, ann_path in article_files(root)[:limit]:
        if ann_path is None:
            logger.warning("%s: no annotation file; skipped", article_path)
            unannotated += 1
            continue
        golds.append(read_article(article_path, ann_path))
    return golds, unannotated


def evaluate_speakers(
    root: Path, *, limit: int | None = None, nlp: Language | None = None
) -> EvalReport:
    """Score speaker naming (and baseline:nearest-person, in the same run) on a BASIL-layout
    folder.  Groups: `all`, `baseline:nearest-person`, `counts`.  `n` is the number of gold
    quotes scored."""
    golds, unannotated = read_gold(root, limit=limit)
    model = nlp or pipeline.load()
    docs = pipeline.parse((g.article.text for g in golds), nlp=model)
    tally, failed = Tally(), 0
    for gold, doc in zip(golds, docs, strict=True):
        try:
            analysis: Analysis | None = analysis_of(gold.article, doc, name=gold.name)
        except AnalysisError as e:
            logger.warning("%s: skipped: %s", gold.name, e)
            analysis, failed = None, failed + 1
        for quote in gold.quotes:
            if analysis is None:
                tally.add(quote.speaker, False, None, None)
                continue
            covered, ours = covering_name(analysis, quote)
            baseline = nearest_person(analysis, quote, gold.paragraphs[quote.paragraph])
            tally.add(quote.speaker, covered, ours, baseline)
    logger.info("scored %s quotes in %s articles of %s", tally.counts["quotes"], len(golds), root)
    report = EvalReport(benchmark=BENCHMARK, split=SPLIT, n=tally.counts["quotes"])
    report.scores.update(tally.scores())
    report.scores["counts"] = {
        "articles": len(golds),
        "failed_articles": failed,
        "unannotated_articles": unannotated,
        "unnamed_speakers": sum(g.unnamed for g in golds),
        "unlocated": sum(g.unlocated for g in golds),
        **tally.counts,
    }
    return report
