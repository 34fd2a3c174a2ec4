"""Score attribution extraction on a PolNeAR-layout folder (brat standoff), span by span.

Layout: `DIR/<split>/text/<article>.txt` (UTF-8, the title on the first line) and
`DIR/<split>/attributions/<article>_<annotator>.ann`.  Protocol (documented in
docs/accuracy.md):

- One gold attribution per `E` line whose trigger is `Attribution` or `Attribution-no-source`;
  its `Source`, `Cue` and `Content` arguments are the gold spans of those roles.  An
  `Attribution-no-source` counts as an attribution with no source span.  `Discuss` and
  `Discard` spans are annotator flags and are skipped.
- A discontinuous brat span (`a b;c d`) gives one gold span per fragment, as the token-tagging
  setups of the published PolNeAR scores do; our extractor predicts contiguous spans only.
- Per article and role, spans are sets: a span the extractor gives to two attributions counts
  once, as in the univocal gold.
- exact: a predicted span matches when start and end equal those of a gold span of the same
  role; begin: when the starts are equal; overlap: precision and recall over the tokens
  (`\\w+` runs and single other characters) that the spans of a role touch.
- Multiply-annotated articles: the first annotator file in sorted order.
- Kinds: PolNeAR has none, so a gold attribution's kind is read off its surface:
  `according_to` when its cue starts with "according to", else `direct` when its whole content
  lies inside double quotation marks, `mixed` when it has some, `indirect` when none.
  Predicted spans take the kind the extractor gave; in the group `<kind>:<role>` precision is
  over predicted spans of that kind (against every gold span) and recall over gold spans of
  that kind (against every predicted span).  Our `unattributed` kind has no gold counterpart
  and is left out of the breakdown (its spans count in the role groups).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spacy.language import Language

from rumormill.analysis import analysis_of
from rumormill.errors import AnalysisError, Errors, InputError
from rumormill.eval.report import EvalReport
from rumormill.ingest.files import read_text
from rumormill.model import Analysis, Article
from rumormill.nlp import pipeline
from rumormill.nlp.attribution import surface_kind

logger = logging.getLogger(__name__)

BENCHMARK = "polnear-attribution"
ROLES = ("source", "cue", "content")
KINDS = ("direct", "indirect", "mixed", "according_to")
TRIGGERS = frozenset({"Attribution", "Attribution-no-source"})
ROLE_LABELS = {"Source": "source", "Cue": "cue", "Content": "content"}
# Only spans are scored; the extractor needs a date on every Article, so each gets this one.
PLACEHOLDER_DATE = date(2000, 1, 1)
ANN_LIMIT = 10 * 1024 * 1024

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
_T_HEAD = re.compile(r"(?P<label>\S+) (?P<spans>[0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*)", re.ASCII)
_E_ARG = re.compile(r"(?P<role>[^\s:]+):(?P<ref>[A-Za-z][A-Za-z0-9_]*)", re.ASCII)
_TOKEN = re.compile(r"\w+|[^\w\s]")
_ANN_LINE = re.compile(r"[TERANM#*][0-9]*\t")

Fragment = tuple[int, int]


# --- the brat standoff reader -------------------------------------------------------------------


@dataclass(frozen=True)
class TextBound:
    """A brat `T` line: a label over one or more character fragments, end-exclusive."""

    id: str
    label: str
    fragments: tuple[Fragment, ...]
    text: str

    def to_line(self) -> str:
        spans = ";".join(f"{s} {e}" for s, e in self.fragments)
        return f"{self.id}\t{self.label} {spans}\t{self.text}"


@dataclass(frozen=True)
class Event:
    """A brat `E` line: a trigger and its (role, T id) arguments."""

    id: str
    trigger_label: str
    trigger: str
    args: tuple[tuple[str, str], ...]


@dataclass
class Annotation:
    """The `T` and `E` lines of one .ann file; other line types (A, R, N, #) are ignored."""

    spans: dict[str, TextBound] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class GoldAttribution:
    kind: str
    source: tuple[Fragment, ...]
    cue: tuple[Fragment, ...]
    content: tuple[Fragment, ...]


def _bad(name: str, number: int, line: str, reason: str) -> InputError:
    return InputError(Errors.E031, path=name, line=number, text=line[:80], reason=reason)


def parse_t_line(line: str, *, name: str = "<ann>", number: int = 1) -> TextBound:
    parts = line.split("\t", 2)
    if len(parts) != 3 or not _ID.fullmatch(parts[0]):
        raise _bad(name, number, line, "expected 'T<id>\\t<label> <start> <end>\\t<text>'")
    head = _T_HEAD.fullmatch(parts[1])
    if head is None:
        raise _bad(name, number, line, "expected '<label> <start> <end>[;<start> <end>...]'")
    fragments = tuple(
        (int(s), int(e)) for s, e in (f.split(" ") for f in head.group("spans").split(";"))
    )
    if any(s > e for s, e in fragments):
        raise _bad(name, number, line, "a span ends before it starts")
    return TextBound(parts[0], head.group("label"), fragments, parts[2])


def parse_ann(text: str, *, name: str = "<ann>", text_length: int | None = None) -> Annotation:
    """Read brat standoff.  A malformed T or E line, an event argument naming no T line, or
    a span outside the text (when `text_length` is given) raises InputError E031."""
    ann = Annotation()
    pending: list[tuple[int, str, Event]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or not _ANN_LINE.match(line):
            # A span text with a line break in it runs on over the next lines: not a record.
            continue
        if line.startswith("T"):
            span = parse_t_line(line, name=name, number=number)
            if text_length is not None and any(e > text_length for _, e in span.fragments):
                raise _bad(name, number, line, f"a span past the end of the text ({text_length})")
            if span.id in ann.spans:
                raise _bad(name, number, line, f"duplicate id {span.id}")
            ann.spans[span.id] = span
        elif line.startswith("E"):
            pending.append((number, line, parse_e_line(line, name=name, number=number)))
    for number, line, event in pending:
        for ref in (event.trigger, *(r for _, r in event.args)):
            if ref not in ann.spans:
                raise _bad(name, number, line, f"no T line with id {ref}")
        ann.events.append(event)
    return ann


def parse_e_line(line: str, *, name: str = "<ann>", number: int = 1) -> Event:
    parts = line.split("\t")
    if len(parts) < 2 or not _ID.fullmatch(parts[0]):
        raise _bad(name, number, line, "expected 'E<id>\\t<type>:<T id> <role>:<T id> ...'")
    items = parts[1].split()
    matches = [_E_ARG.fullmatch(item) for item in items]
    if not items or any(m is None for m in matches):
        raise _bad(name, number, line, "expected '<role>:<T id>' arguments")
    pairs = [(m.group("role"), m.group("ref")) for m in matches if m is not None]
    (trigger_label, trigger), args = pairs[0], tuple(pairs[1:])
    return Event(parts[0], trigger_label, trigger, args)


def gold_attributions(ann: Annotation, text: str) -> list[GoldAttribution]:
    """One GoldAttribution per attribution event; Discuss / Discard are never events."""
    out = []
    for event in ann.events:
        if event.trigger_label not in TRIGGERS:
            continue
        roles: dict[str, list[Fragment]] = {r: [] for r in ROLES}
        for role, ref in event.args:
            # brat numbers a repeated role: Content, Content2, ...
            label = ROLE_LABELS.get(role.rstrip("0123456789"))
            if label is None:
                continue
            if label == "source" and event.trigger_label == "Attribution-no-source":
                continue
            roles[label].extend(ann.spans[ref].fragments)
        out.append(
            GoldAttribution(
                kind=surface_kind(text, roles["cue"], roles["content"]),
                source=tuple(roles["source"]),
                cue=tuple(roles["cue"]),
                content=tuple(roles["content"]),
            )
        )
    return out


# --- the folder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldArticle:
    name: str
    text: str
    attributions: list[GoldAttribution]


def annotation_file(folder: Path, stem: str) -> Path | None:
    """The first `<stem>_<annotator>.ann` in sorted order (several mean several annotators)."""
    found = sorted(
        p
        for p in folder.glob(f"{glob_escape(stem)}_*.ann")
        if "_" not in p.name[len(stem) + 1 : -len(".ann")]
    )
    return found[0] if found else None


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def split_files(root: Path, split: str) -> list[tuple[Path, Path]]:
    """(text, annotation) pairs of one split, sorted by article name; E030 on a bad layout."""
    base = root / split
    texts, anns = base / "text", base / "attributions"
    for folder in (texts, anns):
        if not folder.is_dir():
            raise InputError(Errors.E030, path=root, reason=f"no folder {folder}")
    pairs = []
    for path in sorted(texts.glob("*.txt")):
        ann = annotation_file(anns, path.stem)
        if ann is None:
            raise InputError(
                Errors.E030, path=root, reason=f"no {anns}/{path.stem}_<annotator>.ann"
            )
        pairs.append((path, ann))
    if not pairs:
        raise InputError(Errors.E030, path=root, reason=f"no .txt files in {texts}")
    return pairs


def read_gold(root: Path, split: str, *, limit: int | None = None) -> list[GoldArticle]:
    """The gold articles of one split, in sorted order; the first `limit` when given."""
    out = []
    for text_path, ann_path in split_files(root, split)[:limit]:
        text = read_text(text_path)
        # An article with no attribution has an empty .ann file (train has some).
        raw = read_text(ann_path, limit=ANN_LIMIT) if ann_path.stat().st_size else ""
        ann = parse_ann(raw, name=str(ann_path), text_length=len(text))
        out.append(GoldArticle(text_path.stem, text, gold_attributions(ann, text)))
    return out


def article_of(gold: GoldArticle) -> Article:
    """The Article to analyse: the file text unchanged (no header, no credit-line split), so
    that our offsets are the .ann offsets."""
    title = gold.text.split("\n", 1)[0].strip() or None
    return Article(text=gold.text, published=PLACEHOLDER_DATE, title=title, url=gold.name)


# --- span scoring --------------------------------------------------------------------------------

# A mention: (role, kind or None, start, end).
Mention = tuple[str, str | None, int, int]


def gold_mentions(attributions: Iterable[GoldAttribution]) -> set[Mention]:
    out: set[Mention] = set()
    for a in attributions:
        for role, fragments in (("source", a.source), ("cue", a.cue), ("content", a.content)):
            out.update((role, a.kind, s, e) for s, e in fragments if e > s)
    return out


def predicted_mentions(analysis: Analysis) -> set[Mention]:
    out: set[Mention] = set()
    for a in analysis.attributions:
        kind = a.kind if a.kind in KINDS else None
        for role, span in (("source", a.source.span), ("cue", a.cue), ("content", a.content)):
            if span is not None and span.end > span.start:
                out.add((role, kind, span.start, span.end))
    return out


@dataclass
class Tally:
    """Hits and totals on the predicted side (precision) and the gold side (recall)."""

    counts: dict[str, list[int]] = field(
        default_factory=lambda: {m: [0, 0, 0, 0] for m in ("exact", "begin", "overlap")}
    )

    def add(self, match: str, p_hit: int, p_n: int, r_hit: int, r_n: int) -> None:
        c = self.counts[match]
        c[0], c[1], c[2], c[3] = c[0] + p_hit, c[1] + p_n, c[2] + r_hit, c[3] + r_n

    def scores(self) -> dict[str, float]:
        out = {}
        for match, (p_hit, p_n, r_hit, r_n) in self.counts.items():
            p = p_hit / p_n if p_n else 0.0
            r = r_hit / r_n if r_n else 0.0
            out[f"{match}_p"], out[f"{match}_r"] = p, r
            out[f"{match}_f1"] = 2 * p * r / (p + r) if p + r else 0.0
        return out


def tokens_of(text: str) -> list[Fragment]:
    return [m.span() for m in _TOKEN.finditer(text)]


def touched(tokens: Sequence[Fragment], spans: Iterable[Fragment]) -> set[int]:
    """Indices of the tokens that share a character with any of `spans`."""
    starts = [s for s, _ in tokens]
    out: set[int] = set()
    for s, e in spans:
        i = max(bisect.bisect_right(starts, s) - 1, 0)
        while i < len(tokens) and tokens[i][0] < e:
            if tokens[i][1] > s:
                out.add(i)
            i += 1
    return out


def tally(
    tally_: Tally,
    tokens: Sequence[Fragment],
    pred_k: set[Fragment],
    pred_all: set[Fragment],
    gold_k: set[Fragment],
    gold_all: set[Fragment],
) -> None:
    """Precision over `pred_k` against all gold spans, recall over `gold_k` against all
    predicted ones (the same sets for a role group, the kind's subsets for a kind group)."""
    tally_.add("exact", len(pred_k & gold_all), len(pred_k), len(gold_k & pred_all), len(gold_k))
    gold_starts = {s for s, _ in gold_all}
    pred_starts = {s for s, _ in pred_all}
    tally_.add(
        "begin",
        sum(s in gold_starts for s, _ in pred_k),
        len(pred_k),
        sum(s in pred_starts for s, _ in gold_k),
        len(gold_k),
    )
    tp_k, ta = touched(tokens, pred_k), touched(tokens, pred_all)
    tg_k, tga = touched(tokens, gold_k), touched(tokens, gold_all)
    tally_.add("overlap", len(tp_k & tga), len(tp_k), len(tg_k & ta), len(tg_k))


@dataclass
class Scorer:
    """Accumulates role groups and, with `kinds`, the `<kind>:<role>` breakdown."""

    prefix: str = ""
    kinds: bool = True
    tallies: dict[str, Tally] = field(default_factory=dict)

    def group(self, name: str) -> Tally:
        return self.tallies.setdefault(self.prefix + name, Tally())

    def add(self, text: str, gold: set[Mention], pred: set[Mention]) -> None:
        tokens = tokens_of(text)
        for role in ROLES:
            g_all = {(s, e) for r, _, s, e in gold if r == role}
            p_all = {(s, e) for r, _, s, e in pred if r == role}
            tally(self.group(role), tokens, p_all, p_all, g_all, g_all)
            if not self.kinds:
                continue
            for kind in KINDS:
                g_k = {(s, e) for r, k, s, e in gold if r == role and k == kind}
                p_k = {(s, e) for r, k, s, e in pred if r == role and k == kind}
                tally(self.group(f"{kind}:{role}"), tokens, p_k, p_all, g_k, g_all)

    def scores(self) -> dict[str, dict[str, float]]:
        return {name: t.scores() for name, t in self.tallies.items()}


# --- the baseline ------------------------------------------------------------------------------

BASELINE = "baseline:quotes"
# Deliberately tiny and separate from nlp/patterns.py: the baseline must not share the
# extractor's lexicons, or it would measure them too.
_BASELINE_QUOTE = re.compile(r"[“\"][^“”\"\n]*[”\"]")
_BASELINE_CUE = re.compile(
    r"\b(?:said|says|say|told|tells|added|asked|wrote|according to)\b", re.IGNORECASE
)
_BASELINE_WORD = re.compile(r"\w[\w’'-]*")
_BASELINE_WINDOW = 80


def baseline_mentions(text: str) -> set[Mention]:
    """baseline:quotes — every double-quoted stretch of three words or more (marks included,
    as PolNeAR annotates them) is a content; the nearest cue word (said, says, told, added,
    asked, wrote, according to) within 80 characters outside it is its cue; the word just
    before the cue is the source, or the word just after when a quote mark or punctuation
    comes before the cue (`…,” said Smith`, `according to Smith`)."""
    out: set[Mention] = set()
    quotes = [m.span() for m in _BASELINE_QUOTE.finditer(text)]
    for qs, qe in quotes:
        if len(text[qs:qe].split()) < 3:
            continue
        out.add(("content", None, qs, qe))
        lo, hi = max(qs - _BASELINE_WINDOW, 0), min(qe + _BASELINE_WINDOW, len(text))
        cues = [
            m.span()
            for m in _BASELINE_CUE.finditer(text, lo, hi)
            if not any(s <= m.start() < e for s, e in quotes)
        ]
        if not cues:
            continue
        cs, ce = min(cues, key=lambda c: qs - c[1] if c[1] <= qs else c[0] - qe)
        out.add(("cue", None, cs, ce))
        before = text[:cs].rstrip()
        word = None if text[cs:ce].lower() == "according to" else _last_word(before)
        if word is None:
            word = _first_word(text, ce)
        if word is not None:
            out.add(("source", None, *word))
    return out


def _last_word(before: str) -> Fragment | None:
    m = re.search(r"\w[\w’'-]*$", before)
    return m.span() if m else None


def _first_word(text: str, pos: int) -> Fragment | None:
    m = _BASELINE_WORD.search(text, pos)
    if m is None or text[pos : m.start()].strip():
        return None
    return m.span()


# --- the evaluation ----------------------------------------------------------------------------


def evaluate_attribution(
    root: Path, *, split: str = "dev", limit: int | None = None, nlp: Language | None = None
) -> EvalReport:
    """Score the shipped extractor (and baseline:quotes, in the same run) on one split of a
    PolNeAR-layout folder.  Groups: `source`, `cue`, `content`; `<kind>:<role>`;
    `baseline:quotes:<role>`.  `n` is the number of articles.

    An article the extractor fails on (E040) is scored as one with no attributions found,
    and logged: a scorer must not drop the articles a system gets wrong.
    """
    golds = read_gold(root, split, limit=limit)
    model = nlp or pipeline.load()
    ours, baseline = Scorer(), Scorer(prefix=BASELINE + ":", kinds=False)
    docs = pipeline.parse((g.text for g in golds), nlp=model)
    for gold, doc in zip(golds, docs, strict=True):
        if doc.text != gold.text:
            raise InputError(Errors.E030, path=gold.name, reason="the parsed text changed")
        expected = gold_mentions(gold.attributions)
        try:
            found = predicted_mentions(analysis_of(article_of(gold), doc, name=gold.name))
        except AnalysisError as e:
            logger.warning("%s: scored with no attributions: %s", gold.name, e)
            found = set()
        ours.add(gold.text, expected, found)
        baseline.add(gold.text, expected, baseline_mentions(gold.text))
    logger.info("scored %s articles of %s/%s", len(golds), root, split)
    report = EvalReport(benchmark=BENCHMARK, split=split, n=len(golds))
    report.scores.update(ours.scores())
    report.scores.update(baseline.scores())
    return report
