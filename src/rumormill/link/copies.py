"""Near-duplicate articles: wire copies and rewrites with small edits, found with MinHash/LSH.

- **Text.** Normalised (Unicode NFKC, case-folded), cut into words (runs of letters and
  digits; punctuation and spacing never matter), and into overlapping `shingle` -word shingles
  (3 by default; a text shorter than that is one shingle).  A text with no word is not indexed.
- **Similarity.** The Jaccard similarity of two articles' shingle sets, estimated by a MinHash
  of `num_perm` permutations (128, datasketch's "affine32" scheme, fixed `seed`), so that the
  same text always gets the same signature.
- **Copy.** An article is a copy when the estimate reaches `threshold` (0.5 by default) with an
  article already indexed.  Candidates come from a `MinHashLSH` tuned for that threshold
  (datasketch picks its bands and rows), then each one is checked on the full signature.  With
  3-word shingles, changing one word in twenty leaves a Jaccard near 0.75 (`s / (2 - s)` with
  `s = 0.95³` of the shingles intact), one word in ten near 0.57, at the edge; different
  articles on Wikinews score below 0.12.  Jaccard compares whole texts: a short article quoted
  inside a long one (a containment) is not found.
- **Originals.** Every copy points to the earliest article of its group, its original: the
  earliest by date, then by ingest order, an undated article counting as later than every
  dated one.  When a new article matches several groups, it points to the earliest of their
  originals.  When the new article is earlier than every original it matches, it becomes the
  original: `add` returns None and the articles of those groups are re-pointed to it
  (`link` lists them, `original_of` answers with the new original from then on).
- **Cost.** Adding one article costs one MinHash, one LSH query (`b` bucket look-ups) and a
  check of the candidates it returns (one array comparison each): about the same whatever the
  size of the index, growing only with the size of the groups it matches.

`to_bytes()` keeps the ids, dates, groups and signatures; `from_bytes()` re-fills the LSH
buckets from the stored signatures, without any text.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
from datasketch import MinHash, MinHashLSH

from rumormill.errors import Errors, InputError

FORMAT = "rumormill.copies"
VERSION = 1
SCHEME = "affine32"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CopyParams:
    """Shingle size (words), MinHash permutations and seed, and the Jaccard threshold."""

    shingle: int = 3
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.shingle < 1 or self.num_perm < 16:
            raise ValueError("shingle must be >= 1 and num_perm >= 16")
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")


@dataclass(frozen=True)
class CopyLink:
    """What adding one article found: the original it copies (None when it is an original),
    the highest estimated Jaccard similarity among the LSH candidates (0.0 when there were
    none; below `threshold` when none matched), and the articles re-pointed to it because it
    is earlier than their original."""

    original: str | None
    similarity: float = 0.0
    repointed: tuple[str, ...] = ()


def normalise(text: str) -> list[str]:
    """The words of a text: NFKC, case-folded, runs of letters and digits."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int) -> list[bytes]:
    """The distinct k-word shingles of a text, in order of first occurrence."""
    found = normalise(text)
    if not found:
        return []
    if len(found) <= k:
        return [" ".join(found).encode("utf8")]
    seen = dict.fromkeys(" ".join(found[i : i + k]) for i in range(len(found) - k + 1))
    return [s.encode("utf8") for s in seen]


_UNDATED = date.max.toordinal() + 1


class CopyIndex:
    """An incremental index of near-duplicate articles; see the module docstring."""

    def __init__(self, params: CopyParams | None = None) -> None:
        self.params = params or CopyParams()
        p = self.params
        self._template = MinHash(num_perm=p.num_perm, seed=p.seed, scheme=SCHEME)
        self._lsh = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm)
        self._signatures: dict[str, np.ndarray] = {}
        self._when: dict[str, tuple[int, int]] = {}  # (day or undated, ingest order)
        self._published: dict[str, date | None] = {}
        self._root: dict[str, str] = {}
        self._group: dict[str, list[str]] = {}  # original -> its copies, in ingest order
        self._next = 0  # the ingest order of the next article

    def __len__(self) -> int:
        return len(self._root)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._root

    def signature(self, text: str) -> MinHash | None:
        """The MinHash of a text (None when it has no word)."""
        found = shingles(text, self.params.shingle)
        if not found:
            return None
        m = MinHash(
            num_perm=self.params.num_perm,
            seed=self.params.seed,
            permutations=self._template.permutations,
            scheme=SCHEME,
        )
        m.update_batch(found)
        return m

    def add(self, article_id: str, text: str, published: date | None) -> str | None:
        """Index one article; the id of the original it copies, or None (see `link`)."""
        return self.link(article_id, text, published).original

    def link(self, article_id: str, text: str, published: date | None) -> CopyLink:
        """Index one article and say what it copies and what was re-pointed to it.  An id
        already indexed is not indexed again: its current original is returned.  A text with
        no word is kept as an original that nothing can copy."""
        if article_id in self._root:
            return CopyLink(self.original_of(article_id))
        m = self.signature(text)
        when = (published.toordinal() if published else _UNDATED, self._next)
        self._next += 1
        self._when[article_id] = when
        self._published[article_id] = published
        if m is None:
            self._root[article_id] = article_id
            self._group[article_id] = []
            return CopyLink(None)
        matched, similarity = self._matches(m)
        self._signatures[article_id] = m.hashvalues
        self._lsh.insert(article_id, m)
        roots = sorted({self._root[a] for a in matched}, key=self._when.__getitem__)
        if roots and self._when[roots[0]] < when:
            original = roots[0]
            self._root[article_id] = original
            self._group[original].append(article_id)
            return CopyLink(original, similarity)
        self._root[article_id] = article_id
        moved: list[str] = []
        for old in roots:
            for member in [old, *self._group.pop(old)]:
                self._root[member] = article_id
                moved.append(member)
        moved.sort(key=lambda a: self._when[a][1])
        self._group[article_id] = moved
        return CopyLink(None, similarity, tuple(moved))

    def _matches(self, m: MinHash) -> tuple[list[str], float]:
        """The indexed articles whose estimated Jaccard with `m` reaches the threshold (in
        ingest order), and the highest estimate among the candidates."""
        found: list[tuple[int, str]] = []
        best = 0.0
        for key in self._lsh.query(m):
            article_id = str(key)
            similarity = float(np.mean(self._signatures[article_id] == m.hashvalues))
            best = max(best, similarity)
            if similarity >= self.params.threshold:
                found.append((self._when[article_id][1], article_id))
        return [a for _, a in sorted(found)], best

    def close_before(self, before: date) -> int:
        """Forget every group (an original and its copies) all of whose articles are dated
        before `before`: a later article can no longer be found a copy of them, and the index
        and its saved state stay the size of the recent news.  Undated articles are never
        forgotten.  Returns the number of articles forgotten."""
        cutoff = before.toordinal()
        gone = 0
        for root in [r for r in self._group if self._when[r][0] < cutoff]:
            members = [root, *self._group[root]]
            if any(self._when[m][0] >= cutoff for m in members):
                continue
            del self._group[root]
            for member in members:
                if member in self._signatures:
                    self._lsh.remove(member)
                    del self._signatures[member]
                del self._root[member], self._when[member], self._published[member]
                gone += 1
        return gone

    def original_of(self, article_id: str) -> str | None:
        """The original an indexed article copies, None when it is one (KeyError when the id
        was never added)."""
        root = self._root[article_id]
        return None if root == article_id else root

    def copies_of(self, article_id: str) -> list[str]:
        """The copies of an original, in ingest order ([] for a copy or an article without)."""
        return list(self._group.get(article_id, ()))

    # -- state ----------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The whole state as UTF-8 JSON; the signatures as one base64 block of little-endian
        uint32, in ingest order."""
        ids = sorted(self._root, key=lambda a: self._when[a][1])
        signed = [a for a in ids if a in self._signatures]
        matrix = np.array([self._signatures[a] for a in signed], dtype="<u4").reshape(
            len(signed), self.params.num_perm
        )
        state = {
            "format": FORMAT,
            "version": VERSION,
            "params": asdict(self.params),
            "ids": ids,
            "published": [
                p.isoformat() if (p := self._published[a]) is not None else None for a in ids
            ],
            "roots": [self._root[a] for a in ids],
            "signed": signed,
            "signatures": base64.b64encode(matrix.tobytes()).decode("ascii"),
        }
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf8")

    @classmethod
    def from_bytes(cls, data: bytes) -> CopyIndex:
        """An index restored from `to_bytes()`; E080 when the data is not such a state."""
        try:
            state = json.loads(data.decode("utf8"))
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError("not a copy index state")
            if state.get("version") != VERSION:
                raise ValueError(f"unknown version {state.get('version')!r}")
            self = cls(CopyParams(**state["params"]))
            ids, roots = [str(a) for a in state["ids"]], [str(r) for r in state["roots"]]
            published = [None if p is None else date.fromisoformat(p) for p in state["published"]]
            if not len(ids) == len(roots) == len(published) or len(set(ids)) != len(ids):
                raise ValueError("ids, dates and roots do not line up")
            for order, (article_id, day) in enumerate(zip(ids, published, strict=True)):
                self._published[article_id] = day
                self._when[article_id] = (day.toordinal() if day else _UNDATED, order)
            self._next = len(ids)
            root_of = dict(zip(ids, roots, strict=True))
            for article_id, root in root_of.items():
                if root_of.get(root) != root:
                    raise ValueError(f"{article_id!r} points to {root!r}, not an original")
                self._root[article_id] = root
                self._group.setdefault(root, [])
                if root != article_id:
                    self._group[root].append(article_id)
            signed = [str(a) for a in state["signed"]]
            raw = base64.b64decode(state["signatures"], validate=True)
            matrix = np.frombuffer(raw, dtype="<u4").reshape(len(signed), self.params.num_perm)
            for article_id, row in zip(signed, matrix, strict=True):
                if article_id not in self._root:
                    raise ValueError(f"a signature for an unknown article {article_id!r}")
                values = row.astype(np.uint32)
                self._signatures[article_id] = values
                m = MinHash(
                    hashvalues=values,
                    seed=self.params.seed,
                    permutations=self._template.permutations,
                    scheme=SCHEME,
                )
                self._lsh.insert(article_id, m)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise InputError(Errors.E080, what="copy index", reason=e) from e
        return self
