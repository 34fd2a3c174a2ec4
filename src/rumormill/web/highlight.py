"""Article text with its attributions highlighted, as escaped HTML.

The text is untrusted (it comes from the open web), so it is never marked safe: it is cut at
every span boundary and each piece is escaped on its own, then wrapped in one `<span>` whose
classes name every role covering it (`hl-source`, `hl-cue`, `hl-content`, `hl-channel`) and
whose `title` (the hover) says which attributions and how sure.  Spans may overlap or nest
(a quote inside another attribution's content): cutting at every boundary keeps the HTML
well-formed whatever the offsets, and the text content of the result is the input exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROLES = ("content", "source", "cue", "channel")


@dataclass(frozen=True)
class Highlight:
    """One role of one attribution: character offsets into the text (end-exclusive)."""

    start: int
    end: int
    role: str  # one of ROLES
    title: str = ""  # shown on hover: the attribution, its kind and certainty
    anchor: str | None = None  # an id for the first piece (a link target), if any


def _clamped(spans: Iterable[Highlight], size: int) -> list[Highlight]:
    kept = []
    for s in spans:
        start, end = max(0, min(s.start, size)), max(0, min(s.end, size))
        if start < end:
            kept.append(Highlight(start, end, s.role, s.title, s.anchor))
    return kept


def highlight(text: str, spans: Sequence[Highlight]) -> Markup:
    """`text` as HTML with every span marked (see the module docstring).  Offsets outside the
    text are clamped; empty or inverted spans are ignored; unknown roles get no colour."""
    kept = _clamped(spans, len(text))
    cuts = sorted({0, len(text), *(s.start for s in kept), *(s.end for s in kept)})
    anchored: set[str] = set()
    pieces: list[str] = []
    for start, end in itertools.pairwise(cuts):
        piece = escape(text[start:end])
        covering = [s for s in kept if s.start <= start and end <= s.end]
        if not covering:
            pieces.append(piece)
            continue
        roles = sorted({s.role for s in covering}, key=lambda r: (r not in ROLES, r))
        classes = " ".join(["hl", *(f"hl-{_token(r)}" for r in roles)])
        titles = list(dict.fromkeys(s.title for s in covering if s.title))
        attrs = f' class="{escape(classes)}"'
        if titles:
            attrs += f' title="{escape(" | ".join(titles))}"'
        anchors = [s.anchor for s in covering if s.anchor and s.anchor not in anchored]
        if anchors:
            anchored.add(anchors[0])
            attrs += f' id="{escape(anchors[0])}"'
        pieces.append(f"<span{attrs}>{piece}</span>")
    return Markup("".join(pieces))


def _token(role: str) -> str:
    """A role as a class name: letters, digits and '-' only."""
    return "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in role)
