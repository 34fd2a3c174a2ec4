"""A sanity check of the track-record arithmetic on LIAR: do speakers' records predict verdicts?

LIAR (Wang, ACL 2017) is 12,836 PolitiFact statements, each with its speaker and a six-way
verdict.  Layout: a TSV file, no header, one statement per line, 14 tab-separated fields
(README.upstream.txt): 1 the id, 2 the verdict, 3 the statement, 4 the subjects, 5 the
speaker (a slug), 6 the speaker's job, 7 the state, 8 the party, 9-13 the speaker's credit
history, 14 the context.  Only fields 1, 2 and 5 are read.  **Fields 9-13 are never read**:
they count the speaker's verdicts *including the current statement's*, so they leak the label.

Protocol (documented in docs/accuracy.md):

- **Truth values** of the six verdicts, on PolitiFact's own evenly spaced "Truth-O-Meter":
  `pants-fire` 0, `false` 0, `barely-true` 0.25, `half-true` 0.5, `mostly-true` 0.75,
  `true` 1 (`TRUTH`; "pants on fire" is false and ridiculous: still false).  The two ends
  agree with the outcomes of `rumormill.trackrecord` (true 1, false 0, partly 0.5 =
  half-true).  **Binary**: true-ish (`half-true`, `mostly-true`, `true`) against false-ish
  (the other three), the usual binary reading of LIAR.
- **A speaker's record**, learned on `train`: the counts of its verdicts, smoothed toward the
  verdicts of every speaker (a Dirichlet prior: `PRIOR_WEIGHT` = 8 pseudo-statements spread
  as the global distribution; 8 had the least leave-one-out Brier score on train.tsv).  A
  speaker absent from `train` has the global distribution.
- **Ours** (`speaker`) predicts, for each statement of `test`, its speaker's most probable
  verdict (six-way; ties: the verdict more frequent in `train`, then the order of `LABELS`),
  the more probable side (`speaker:binary`, true-ish on a tie), and, as the probability that
  the statement is true, the record's expected truth value; the Brier score
  (`trackrecord.brier`) compares it with the verdict's truth value.  `speaker:seen` scores the
  statements whose speaker is in `train` alone.
- **Baselines**, in the same run: `baseline:majority` (the most frequent verdict of `train`,
  six-way), `baseline:majority:binary` (the more frequent side), and `baseline:prior`, the
  Brier score of the mean truth value of `train` given to every statement.
- **Metrics**: `accuracy` and `macro_f1` (the mean F1 over the six verdicts, or the two
  sides), `brier` in 0..1 (lower is better).  `n` is the number of statements of `test`.
- A missing file is E030, an empty one E002.  A bad line (not 14 fields, an unknown verdict,
  an empty id, bytes that are not UTF-8, a NUL byte, a line over `LINE_LIMIT` bytes) is E121
  with the file and the line.  The file is streamed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rumormill import trackrecord
from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport, prf

BENCHMARK = "liar-records"
LABELS = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")
TRUTH: Mapping[str, float] = {
    "pants-fire": 0.0,
    "false": 0.0,
    "barely-true": 0.25,
    "half-true": 0.5,
    "mostly-true": 0.75,
    "true": 1.0,
}
TRUE_ISH = frozenset({"half-true", "mostly-true", "true"})
SIDES = ("false-ish", "true-ish")
FIELDS = 14
ID, LABEL, SPEAKER = 0, 1, 4
# Pseudo-statements of the global distribution added to every speaker's counts: the weight of
# 1, 2, 4, ..., 32 with the least leave-one-out Brier score on train.tsv (0.1211; 1: 0.1253,
# 32: 0.1221).  It moves the Brier score, hardly the verdicts.
PRIOR_WEIGHT = 8.0
# A statement is a sentence or two; the release's longest line is about 3,200 bytes.
LINE_LIMIT = 100_000
OURS = "speaker"
BINARY = "speaker:binary"
SEEN = "speaker:seen"
BASELINE = "baseline:majority"
BASELINE_BINARY = "baseline:majority:binary"
PRIOR = "baseline:prior"
HELDOUT = "heldout"


@dataclass(frozen=True)
class Statement:
    """One LIAR statement: the line it is on, its id, its verdict and its speaker."""

    line: int
    id: str
    label: str
    speaker: str


def _bad(path: Path | str, line: int, reason: str) -> InputError:
    return InputError(Errors.E121, path=path, line=line, reason=reason)


def _statement(raw: bytes, path: Path | str, line: int) -> Statement:
    nul = raw.find(b"\x00")
    if nul != -1:
        raise _bad(path, line, f"looks binary, not text (a NUL byte at byte {nul + 1})")
    try:
        text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
    except UnicodeDecodeError as e:
        raise _bad(
            path, line, f"not UTF-8 (byte {e.start + 1}); re-encode the file as UTF-8"
        ) from e
    fields = text.rstrip("\r\n").split("\t")
    if len(fields) != FIELDS:
        raise _bad(path, line, f"{len(fields)} tab-separated fields; expected {FIELDS}")
    label = fields[LABEL].strip().lower()
    if label not in TRUTH:
        raise _bad(
            path, line, f"unknown verdict {fields[LABEL]!r}; expected one of {', '.join(LABELS)}"
        )
    if not fields[ID].strip():
        raise _bad(path, line, "empty statement id")
    return Statement(line, fields[ID].strip(), label, fields[SPEAKER].strip().lower())


def read_statements(path: Path, *, limit: int = LINE_LIMIT) -> Iterator[Statement]:
    """Every statement of a LIAR TSV file, streamed; blank lines are skipped."""
    if not path.is_file():
        raise InputError(Errors.E030, path=path, reason="no such file")
    n = 0
    try:
        with path.open("rb") as stream:
            line = 0
            while raw := stream.readline(limit + 1):
                line += 1
                if len(raw) > limit:
                    raise _bad(path, line, f"a line over {limit} bytes")
                if not raw.strip():
                    continue
                yield _statement(raw, path, line)
                n += 1
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e
    if not n:
        raise InputError(Errors.E002, path=path)


# --- records and predictions -------------------------------------------------------------------


def side(label: str) -> str:
    """`true-ish` or `false-ish`."""
    return SIDES[1] if label in TRUE_ISH else SIDES[0]


def classification(pairs: Iterable[tuple[str, str]], classes: Sequence[str]) -> dict[str, float]:
    """`accuracy` and `macro_f1` (the mean F1 over `classes`) of (gold, predicted) pairs."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n = 0
    for gold, pred in pairs:
        n += 1
        n_gold[gold] += 1
        n_pred[pred] += 1
        tp[gold] += gold == pred
    f1 = [prf(tp[c], n_pred[c], n_gold[c])["f1"] for c in classes]
    return {
        "accuracy": sum(tp.values()) / n if n else 0.0,
        "macro_f1": sum(f1) / len(classes) if classes else 0.0,
    }


@dataclass(frozen=True)
class Records:
    """Every speaker's verdict counts in `train`, and the global distribution."""

    by_speaker: Mapping[str, Mapping[str, int]]
    overall: Mapping[str, int]
    prior_weight: float = PRIOR_WEIGHT

    @classmethod
    def learn(cls, statements: Iterable[Statement], prior_weight: float = PRIOR_WEIGHT) -> Records:
        by_speaker: defaultdict[str, Counter[str]] = defaultdict(Counter)
        overall: Counter[str] = Counter()
        for s in statements:
            overall[s.label] += 1
            if s.speaker:
                by_speaker[s.speaker][s.label] += 1
        return cls(dict(by_speaker), overall, prior_weight)

    @property
    def total(self) -> int:
        return sum(self.overall.values())

    def prior(self) -> dict[str, float]:
        """The global distribution of verdicts."""
        total = self.total
        return {label: self.overall.get(label, 0) / total if total else 0.0 for label in LABELS}

    def distribution(self, speaker: str) -> dict[str, float]:
        """The speaker's smoothed distribution of verdicts (the global one if unseen)."""
        prior = self.prior()
        counts = self.by_speaker.get(speaker, {})
        n = sum(counts.values())
        k = self.prior_weight
        if n + k <= 0:
            return prior
        return {label: (counts.get(label, 0) + k * prior[label]) / (n + k) for label in LABELS}

    def _rank(self, label: str) -> tuple[int, int]:
        return (self.overall.get(label, 0), -LABELS.index(label))

    def majority(self) -> str:
        return max(LABELS, key=self._rank)

    def majority_side(self) -> str:
        true_ish = sum(n for label, n in self.overall.items() if label in TRUE_ISH)
        return SIDES[1] if 2 * true_ish >= self.total else SIDES[0]

    def verdict(self, speaker: str) -> str:
        """The speaker's most probable verdict."""
        found = self.distribution(speaker)
        return max(LABELS, key=lambda label: (found[label], *self._rank(label)))

    def side(self, speaker: str) -> str:
        """The speaker's more probable side (true-ish on a tie)."""
        found = self.distribution(speaker)
        true_ish = sum(p for label, p in found.items() if label in TRUE_ISH)
        return SIDES[1] if true_ish >= 0.5 else SIDES[0]

    def probability(self, speaker: str) -> float:
        """The probability that the speaker's next statement is true: the expected truth
        value of its distribution."""
        return sum(p * TRUTH[label] for label, p in self.distribution(speaker).items())

    def mean_truth(self) -> float:
        return sum(p * TRUTH[label] for label, p in self.prior().items())


def evaluate_records(train: Path, test: Path, *, prior_weight: float = PRIOR_WEIGHT) -> EvalReport:
    """Speakers' records learned on `train` predict the verdicts of `test` (split `heldout`;
    see the module docstring for the groups and metrics)."""
    records = Records.learn(read_statements(train), prior_weight)
    statements = list(read_statements(test))
    gold = [s.label for s in statements]
    gold_sides = [side(label) for label in gold]
    verdicts = [records.verdict(s.speaker) for s in statements]
    sides = [records.side(s.speaker) for s in statements]
    probabilities = [records.probability(s.speaker) for s in statements]
    truth = [TRUTH[label] for label in gold]
    seen = [k for k, s in enumerate(statements) if s.speaker in records.by_speaker]
    mean = records.mean_truth()

    def brier(indices: Iterable[int], constant: float | None = None) -> float:
        found = trackrecord.brier(
            (probabilities[k] if constant is None else constant, truth[k]) for k in indices
        )
        return found if found is not None else 0.0

    every = range(len(statements))
    report = EvalReport(benchmark=BENCHMARK, split=HELDOUT, n=len(statements))
    report.scores[OURS] = {
        **classification(zip(gold, verdicts, strict=True), LABELS),
        "brier": brier(every),
    }
    report.scores[BINARY] = classification(zip(gold_sides, sides, strict=True), SIDES)
    report.scores[SEEN] = {
        **classification(((gold[k], verdicts[k]) for k in seen), LABELS),
        "brier": brier(seen),
    }
    majority, majority_side = records.majority(), records.majority_side()
    report.scores[BASELINE] = classification(((g, majority) for g in gold), LABELS)
    report.scores[BASELINE_BINARY] = classification(((g, majority_side) for g in gold_sides), SIDES)
    report.scores[PRIOR] = {"brier": brier(every, mean)}
    return report
