"""A claim's provenance graph drawn as inline SVG, laid out on the server: the claim page's
picture of who relies on whom, which works without JavaScript and without a graph library.

    provenance_svg(found, detail.copies)   # Markup: <svg class="provenance">…</svg>

**Layout** (deterministic, left to right).  An edge points from the one who relays to the
one relied on, so each node stands in the column of its longest chain of reliance over the
edges the traces walk: the sources, outlets and unnamed sources where the traces end rely on
no one and stand in the first column, on the left; each relayer stands one column to the
right of the furthest it relies on, so every arrow points left, towards an origin.  A copy
and the article it copies are one block, drawn together in a `copy-group` box.  In a column
a block sits level with what it relies on (the mean height of its targets), in trace order
(earliest first), pushed down as needed; a column of more than `MAX_ROWS` nodes wraps into
further columns of even heights, and an edge passing a column runs through a gap between its
blocks.  A cycle (pages linking to each other) is cut where the walk meets it.

**Marks.**  The node where an origin is reached has the class `origin` and a badge per
origin ("origin 1", numbered as `Provenance.origins`), the edge by which it was heard
first-hand the class `origin` too; a node or edge that only echoes (every trace through it
is an echo) has the class `echo`, one that only denials walk the class `denial`.  Each node
is an `<a>` to its page (an article, a stored outlet, a corpus entity), else a focusable
`<g>`; each edge (class `e-<kind>`, with `data-from` and `data-to`, the graph's node ids) is
an `<a>` to its target's page, else to the target in the drawing: a provenance edge is
followed by a click.  `static/rumormill.js` adds the hover highlight and the echoes toggle;
the colours are the stylesheet's (the Content-Security-Policy allows no inline style).

A claim of more than `MAX_ARTICLES` articles is drawn in part, so that the page stays quick
and legible: the traces to each origin first, then the denials, then the echoes, earliest
first, while their articles fit; a caption says how many were left out (the list under the
graph has every mention).  Every text from the store (titles, outlet and source names) is
escaped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from rumormill.provenance import Provenance, Trace

MAX_ARTICLES = 60  # articles drawn at most
MAX_ROWS = 16  # nodes in a column before it wraps into another
NODE_W, NODE_H = 176, 38
ROW_GAP = 14  # between the blocks of a column
COL_GAP = 54  # between columns: room for the edges
GROUP_PAD, GROUP_HEAD = 7, 16  # a copy group's box around its nodes, and its caption
MARGIN = 14
TOP = 26  # room for the origin badges of a column's first node
EDGE_KINDS = ("quotes", "cites", "copies", "publishes", "translates")
_ENTITY = re.compile(r"source:(\d+)")
_T1, _T2 = 12.5, 11.0  # the type sizes of a node's two lines (the stylesheet's)
# Characters by width, for `_width`: narrow, wide, capital, digit, other Latin ("l"); any
# other character (CJK and the like) counts as a full em.
_EMS = {"n": 0.34, "w": 0.92, "u": 0.72, "d": 0.64, "l": 0.6}
_KINDS = {
    c: "n"
    if chr(c) in "iIljtfr.,:;'|!()[]{} "
    else "w"
    if chr(c) in "MWmw@%"
    else "u"
    if chr(c).isupper()
    else "d"
    if chr(c).isdigit()
    else "l"
    for c in range(32, 0x250)
}
_BADGES = 3  # origin badges on one node; more are counted in a last one
_HOWS = ("carries", "echo", "denial")


class _Walked:
    """How many traces walk each node and each edge, by what they are: carrying the claim
    (an origin's first mention), echoing it, denying it."""

    def __init__(self, walks: Sequence[tuple[Trace, str]]) -> None:
        self.nodes: dict[str, Counter[str]] = {how: Counter() for how in _HOWS}
        self.steps: dict[str, Counter[tuple[str, str]]] = {how: Counter() for how in _HOWS}
        for trace, how in walks:
            self.nodes[how].update(trace.path)
            self.steps[how].update(pairwise(trace.path))

    @staticmethod
    def _role(counts: Mapping[str, Counter[Any]], key: object) -> str:
        carries, echoes, denials = (counts[how][key] for how in _HOWS)
        if echoes and not carries and not denials:
            return "echo"
        if denials and not carries and not echoes:
            return "denial"
        return ""

    def node(self, node: str) -> str:
        """ "echo" (only echoes walk it), "denial" (only denials do), else ""."""
        return self._role(self.nodes, node)

    def step(self, u: str, v: str) -> str | None:
        """The same for an edge; None when no trace walks it."""
        if not any((u, v) in self.steps[how] for how in _HOWS):
            return None
        return self._role(self.steps, (u, v))

    def edges(self) -> dict[tuple[str, str], None]:
        """Every edge walked, in a stable order."""
        found: dict[tuple[str, str], None] = {}
        for how in _HOWS:
            found.update(dict.fromkeys(self.steps[how]))
        return found


@dataclass
class _Node:
    id: str
    svg_id: str
    attrs: Mapping[str, Any]
    first: int  # the first trace (in trace order) walking it
    role: str = ""  # "echo", "denial", or "" (it carries the claim)
    origins: list[int] = field(default_factory=list)  # the origins reached here
    starts: list[tuple[str, int]] = field(default_factory=list)  # its own mentions' traces
    copy_of: _Node | None = None
    group: str | None = None  # the svg id of its copy group
    column: int = 0
    href: str | None = None  # its page
    x: float = 0.0
    y: float = 0.0

    @property
    def kind(self) -> str:
        return str(self.attrs.get("kind", ""))

    @property
    def label(self) -> str:
        return str(self.attrs.get("label", self.id))

    @property
    def cy(self) -> float:
        return self.y + NODE_H / 2


@dataclass
class _Grid:
    """The placed drawing: its size, and the room each column's blocks take (top, bottom;
    top down), which the edges route around."""

    width: float
    height: float
    spans: list[list[tuple[float, float]]]


@dataclass
class _Block:
    """A unit of the layout: a node, or an original and its copies."""

    nodes: list[_Node]
    svg_id: str = ""
    column: int = 0
    y: float = 0.0

    @property
    def grouped(self) -> bool:
        return len(self.nodes) > 1

    @property
    def head(self) -> float:
        """From the block's top to its first node's top."""
        return GROUP_HEAD if self.grouped else 0.0

    @property
    def height(self) -> float:
        n = len(self.nodes)
        inner = n * NODE_H + (n - 1) * ROW_GAP
        return inner + GROUP_HEAD + GROUP_PAD if self.grouped else inner


def provenance_svg(
    found: Provenance,
    copies: Mapping[str, str] | None = None,
    *,
    max_articles: int = MAX_ARTICLES,
) -> Markup:
    """The provenance graph of `found` as an SVG; `copies` maps an article id to the id of
    the article it copies (the claim's `copies`; the graph's own `copy_of` counts too)."""
    g = found.graph
    if g.number_of_nodes() == 0:
        return Markup("")
    walks = [(t, "echo" if t.echo else "carries") for t in found.traces]
    walks += [(t, "denial") for t in found.denials]
    walked = _Walked(walks)
    kept, left_out = _kept(g, walks, max_articles)
    nodes = _nodes(g, found, walks, walked, kept)
    blocks = _blocks(nodes, copies or {})
    grid = _layout(blocks, walked)
    return _draw(found, nodes, blocks, walked, grid, left_out)


# --- what is drawn ------------------------------------------------------------------------------


def _kept(g: Any, walks: Sequence[tuple[Trace, str]], cap: int) -> tuple[set[str], int]:
    """The nodes drawn, and how many articles are left out."""
    kinds = dict(g.nodes(data="kind"))
    articles = sum(1 for kind in kinds.values() if kind == "article")
    if articles <= cap:
        return set(g.nodes), 0
    rank = {"carries": 0, "denial": 1, "echo": 2}
    chosen: set[str] = set()
    kept: set[str] = set()
    for k in sorted(range(len(walks)), key=lambda k: (rank[walks[k][1]], k)):
        path = walks[k][0].path
        new = {n for n in path if kinds[n] == "article"} - chosen
        if len(chosen) + len(new) > cap:
            continue
        chosen |= new
        kept.update(path)
    return kept, articles - len(chosen)


def _nodes(
    g: Any,
    found: Provenance,
    walks: Sequence[tuple[Trace, str]],
    walked: _Walked,
    kept: set[str],
) -> dict[str, _Node]:
    """The drawn nodes, first walked first, each with its role and marks."""
    first: dict[str, int] = {}
    for k in range(len(walks) - 1, -1, -1):
        first.update(dict.fromkeys(walks[k][0].path, k))
    late = len(walks)
    order = sorted((n for n in g.nodes if n in kept), key=lambda n: first.get(n, late))
    nodes = {
        n: _Node(n, f"pg-n{k}", g.nodes[n], first.get(n, late), walked.node(n))
        for k, n in enumerate(order)
    }
    for node in nodes.values():
        node.href = _href(node)
    for k, origin in enumerate(found.origins):
        if origin.node in nodes:
            nodes[origin.node].origins.append(k)
    for trace, how in walks:
        if trace.path and trace.path[0] in nodes:
            nodes[trace.path[0]].starts.append((how, trace.origin))
    return nodes


def _blocks(nodes: Mapping[str, _Node], copies: Mapping[str, str]) -> list[_Block]:
    """The layout's blocks: each copy goes with the furthest original of it drawn."""
    copy_of = {
        str(n.attrs["article_id"]): str(n.attrs["copy_of"])
        for n in nodes.values()
        if n.kind == "article" and n.attrs.get("copy_of")
    }
    copy_of.update(copies)
    root: dict[str, str] = {}
    for n in nodes.values():
        if n.kind != "article":
            continue
        article = str(n.attrs.get("article_id", ""))
        seen = {article}
        found = None
        while article in copy_of and copy_of[article] not in seen:
            article = copy_of[article]
            seen.add(article)
            if f"article:{article}" in nodes:
                found = f"article:{article}"
                if n.copy_of is None:
                    n.copy_of = nodes[found]
        if found is not None:
            root[n.id] = found
    for copy in list(root):
        if root[copy] in root:  # copies of each other: the first stands for the pair
            del root[copy]
    members: dict[str, list[_Node]] = defaultdict(list)
    for n in nodes.values():
        if n.id in root:
            members[root[n.id]].append(n)
    blocks: list[_Block] = []
    for n in nodes.values():
        if n.id in root:
            continue
        block = _Block([n, *members[n.id]])
        if block.grouped:
            block.svg_id = f"pg-g{len(blocks)}"
            for member in block.nodes:
                member.group = block.svg_id
        blocks.append(block)
    return blocks


# --- the layout ---------------------------------------------------------------------------------


def _layout(blocks: Sequence[_Block], walked: _Walked) -> _Grid:
    """Place every block (see the module docstring)."""
    block_of = {n.id: k for k, b in enumerate(blocks) for n in b.nodes}
    succ: dict[int, dict[int, None]] = defaultdict(dict)
    for u, v in walked.edges():
        bu, bv = block_of.get(u), block_of.get(v)
        if bu is not None and bv is not None and bu != bv:
            succ[bu][bv] = None
    depth = _depths(len(blocks), succ)
    layers: dict[int, list[int]] = defaultdict(list)
    for k in range(len(blocks)):
        layers[depth[k]].append(k)
    centre: dict[int, float] = {}  # a placed block's first node's centre
    spans: list[list[tuple[float, float]]] = [[]]
    column = 0
    bottom = float(TOP)
    for d in sorted(layers):
        wanted: dict[int, float | None] = {}
        for k in layers[d]:
            ys = [centre[v] for v in succ[k] if v in centre]
            wanted[k] = sum(ys) / len(ys) if ys else None

        ordered = sorted(layers[d], key=lambda k: _rank(blocks[k], wanted[k]))
        tall = sum(len(blocks[k].nodes) for k in ordered)
        per = -(-tall // -(-tall // MAX_ROWS))  # wrapped columns of even heights
        rows = 0
        floor = float(TOP)
        for k in ordered:
            block = blocks[k]
            if rows and rows + len(block.nodes) > per:
                column, rows, floor = column + 1, 0, float(TOP)
                spans.append([])
            y = wanted[k]
            top = float(TOP) if y is None else y - block.head - NODE_H / 2
            badges = any(n.origins for n in block.nodes)
            block.y = max(top, floor + (8 if badges and rows else 0))  # room for the badges
            block.column = column
            x = MARGIN + GROUP_PAD + column * (NODE_W + COL_GAP)
            for i, n in enumerate(block.nodes):
                n.x, n.y = x, block.y + block.head + i * (NODE_H + ROW_GAP)
                n.column = column
            spans[-1].append((block.y - (12 if badges else 0), block.y + block.height))
            centre[k] = block.nodes[0].cy
            floor = block.y + block.height + ROW_GAP
            rows += len(block.nodes)
            bottom = max(bottom, block.y + block.height)
        column += 1
        spans.append([])
    width = 2 * (MARGIN + GROUP_PAD) + column * (NODE_W + COL_GAP) - COL_GAP + 24
    return _Grid(float(width), bottom + MARGIN, spans)


def _rank(block: _Block, y: float | None) -> tuple[float, float, int]:
    """Where a block goes in its column: level with its targets, else (the first column)
    by the origins it holds, then in trace order."""
    if y is None:
        marks = [o for n in block.nodes for o in n.origins]
        return (min(marks, default=1 << 30), -1.0, block.nodes[0].first)
    return (-1, y, block.nodes[0].first)


def _depths(count: int, succ: Mapping[int, Mapping[int, None]]) -> list[int]:
    """The longest chain of reliance from each block (an edge closing a cycle is left out)."""
    depth: dict[int, int] = {}
    visiting: set[int] = set()
    for start in range(count):
        if start in depth:
            continue
        stack: list[tuple[int, Iterator[int]]] = [(start, iter(succ.get(start, {})))]
        visiting.add(start)
        while stack:
            u, rest = stack[-1]
            v = next(rest, None)
            if v is None:
                stack.pop()
                visiting.discard(u)
                depth[u] = max((depth[w] + 1 for w in succ.get(u, {}) if w in depth), default=0)
            elif v not in depth and v not in visiting:
                visiting.add(v)
                stack.append((v, iter(succ.get(v, {}))))
    return [depth[k] for k in range(count)]


# --- the drawing --------------------------------------------------------------------------------


def _href(n: _Node) -> str | None:
    """The page of a node, if it has one."""
    if n.kind == "article" and n.attrs.get("article_id"):
        return "/articles/" + quote(str(n.attrs["article_id"]), safe="")
    outlet = n.attrs.get("outlet_id")
    if n.kind == "outlet" and isinstance(outlet, int):
        return f"/outlets/{outlet}"
    entity = _ENTITY.fullmatch(n.id)
    if n.kind == "source" and entity is not None:
        return f"/entities/{entity.group(1)}"
    return None


def _width(text: str, size: float, bold: bool) -> float:
    """About how wide `text` is drawn in the page's sans-serif (no font metrics on the
    server: a rough width per kind of character, on the generous side)."""
    kinds = text.translate(_KINDS)
    em = sum(kinds.count(kind) * width for kind, width in _EMS.items())
    em += len(text) - sum(kinds.count(kind) for kind in _EMS)  # the rest: full width
    return em * size * (1.12 if bold else 1.0)


@lru_cache(maxsize=4096)  # labels recur: the same outlets, dates and roles on every page
def _fit(text: str, size: float, *, bold: bool = False, room: float = NODE_W - 18) -> str:
    """`text` on one line, cut with an ellipsis where it would overflow a node."""
    text = " ".join(text.split())[:80]
    if _width(text, size, bold) <= room:
        return text
    while text and _width(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _lines(n: _Node, found: Provenance) -> tuple[str, str, list[str]]:
    """A node's two lines, and its tooltip's lines."""
    a = n.attrs
    if n.kind == "article":
        outlet = str(a.get("outlet") or "") or "no outlet"
        day = str(a.get("date") or "") or "undated"
        hows = {how for how, _ in n.starts}
        if n.copy_of is not None:
            role = "copy"
        elif "denial" in hows and len(hows) == 1:
            role = "denial"
        elif "carries" in hows:
            role = "first report"
        elif hows:
            role = "echo"
        else:
            role = ""
        tip = [str(a.get("title") or "") or "(untitled article)", f"{outlet}, {day}"]
        for how, k in n.starts:
            if how == "denial":
                tip.append("denies the claim")
            else:
                word = "echoes" if how == "echo" else "first reports"
                tip.append(f"{word} origin {k + 1}")
        if n.copy_of is not None:
            tip.append(f"a copy of {n.copy_of.label}")
        return outlet, f"{day} · {role}" if role else day, tip
    if n.kind == "source":
        kind = str(a.get("source_type") or "").lower()
        sub = f"source · {kind}" if kind else "source"
        tip = [n.label, sub]
    elif n.kind == "outlet":
        sub = "outlet" if a.get("outlet_id") is not None else "outlet, not in the store"
        tip = [n.label, sub]
    elif n.kind == "unnamed":
        words = "" if n.label == "unnamed sources" else n.label
        tip = ["unnamed sources", *([words] if words else [])]
        return "unnamed sources", words, tip
    else:
        sub = n.kind
        tip = [n.label, sub]
    for k in n.origins:
        o = found.origins[k]
        via = f" via {o.via_label}" if o.via_label else ""
        first = o.first.isoformat() if o.first else "undated"
        tip.append(f"origin {k + 1}{via}: first {first}, {_plural(o.mentions, 'mention')}")
    return n.label, sub, tip


def _curve(a: _Node, b: _Node) -> str:
    """An edge from `a` to `b`: from a's left side to b's right side (b left of a), else
    between their facing sides, else an arc on their right (the same column)."""
    ay, by = a.cy, b.cy
    if b.x + NODE_W + 8 <= a.x:
        x0, x1 = a.x, b.x + NODE_W
        dx = (x0 - x1) / 2
        return (
            f"M{x0:.1f},{ay:.1f} C{x0 - dx:.1f},{ay:.1f} {x1 + dx:.1f},{by:.1f} {x1:.1f},{by:.1f}"
        )
    if b.x >= a.x + NODE_W + 8:
        x0, x1 = a.x + NODE_W, b.x
        dx = (x1 - x0) / 2
        return (
            f"M{x0:.1f},{ay:.1f} C{x0 + dx:.1f},{ay:.1f} {x1 - dx:.1f},{by:.1f} {x1:.1f},{by:.1f}"
        )
    x = a.x + NODE_W
    bulge = 16 + min(abs(by - ay) / 5, 30)
    return f"M{x:.1f},{ay:.1f} C{x + bulge:.1f},{ay:.1f} {x + bulge:.1f},{by:.1f} {x:.1f},{by:.1f}"


def _route(a: _Node, b: _Node, grid: _Grid) -> str:
    """An edge from `a` to `b`; one that passes columns between them runs along a channel
    free in all of them (the gap between two blocks), not behind their nodes."""
    between = [grid.spans[c] for c in range(b.column + 1, a.column)]
    y = _channel(a.cy, b.cy, between) if between else None
    if y is None:
        return _curve(a, b)
    h = COL_GAP / 4
    x0, x1 = a.x, b.x + NODE_W
    return (
        f"M{x0:.1f},{a.cy:.1f} C{x0 - h:.1f},{a.cy:.1f} {x0 - h:.1f},{y:.1f} {x0 - 2 * h:.1f},"
        f"{y:.1f} L{x1 + 2 * h:.1f},{y:.1f} C{x1 + h:.1f},{y:.1f} {x1 + h:.1f},{b.cy:.1f} "
        f"{x1:.1f},{b.cy:.1f}"
    )


def _channel(ay: float, by: float, columns: Sequence[list[tuple[float, float]]]) -> float | None:
    """The height nearest to both ends that no block of `columns` covers; None if there is
    none near."""
    candidates = {ay, by}
    free: list[float] = []
    for _ in range(3):
        more: set[float] = set()
        for y in candidates:
            hits = [hit for spans in columns if (hit := _hit(spans, y)) is not None]
            if not hits:
                free.append(y)
            for top, bottom in hits:
                more.update((top - ROW_GAP / 2, bottom + ROW_GAP / 2))
        if free:
            return min(free, key=lambda y: (abs(y - ay) + abs(y - by), y))
        candidates = {y for y in more if y > 0}
    return None


def _hit(spans: list[tuple[float, float]], y: float) -> tuple[float, float] | None:
    """The block of a column at height `y` (with a little room), if any."""
    k = bisect_right(spans, (y + 3, float("inf"))) - 1
    return spans[k] if k >= 0 and spans[k][1] + 3 >= y else None


def _marker(kind: str) -> str:
    return (
        f'<marker id="pg-m-{kind}" class="m-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,1 L10,5 L0,9 z"/></marker>'
    )


def _draw(
    found: Provenance,
    nodes: Mapping[str, _Node],
    blocks: Sequence[_Block],
    walked: _Walked,
    grid: _Grid,
    left_out: int,
) -> Markup:
    width, height = grid.width, grid.height
    adj = found.graph.adj
    edges = [
        (a, nodes[v], str(d.get("kind", "")), bool(d.get("origin")))
        for a in nodes.values()
        for v, d in adj[a.id].items()
        if v in nodes
    ]
    kinds = [k for k in EDGE_KINDS if any(e[2] == k for e in edges)]
    roles = {n.role for n in nodes.values()}
    steps = [walked.step(a.id, b.id) for a, b, _, _ in edges]
    denials = "denial" in steps
    # The legend and the caption, under the drawing.
    legend, legend_height = _legend(
        width,
        height,
        kinds,
        origins=bool(found.origins),
        echo="echo" in roles,
        group=any(b.grouped for b in blocks),
        denial=denials or "denial" in roles,
    )
    total = height + legend_height
    if left_out:
        total += 18
    label = (
        f"Provenance graph: {_plural(found.independent_origins, 'independent origin')}, "
        f"{found.echoes} echo{'' if found.echoes == 1 else 'es'} of "
        f"{_plural(found.mentions, 'mention')}"
    )
    parts = [
        f'<svg class="provenance" width="{width:.0f}" height="{total:.0f}" '
        f'viewBox="0 0 {width:.0f} {total:.0f}" role="group" aria-label="{escape(label)}">'
        f"<desc>{escape(label)}; arrows point to what each relies on.</desc><defs>"
    ]
    parts.extend(_marker(k) for k in kinds)
    if denials:
        parts.append(_marker("denial"))
    parts.append("</defs>")
    # Copy groups, under everything.
    for block in blocks:
        if not block.grouped:
            continue
        x = block.nodes[0].x - GROUP_PAD
        echo = " echo" if all(n.role == "echo" for n in block.nodes) else ""
        copies = len(block.nodes) - 1
        parts.append(
            f'<g class="copy-group{echo}" id="{block.svg_id}">'
            f'<rect x="{x:.1f}" y="{block.y:.1f}" width="{NODE_W + 2 * GROUP_PAD}" '
            f'height="{block.height:.1f}" rx="6"/>'
            f'<text x="{x + 6:.1f}" y="{block.y + 11:.1f}">original and {copies} '
            f"cop{'y' if copies == 1 else 'ies'}</text></g>"
        )
    # Edges, under the nodes.
    via = {(o.via, o.node): k for k, o in reversed(list(enumerate(found.origins)))}
    for (a, b, kind, origin), step in zip(edges, steps, strict=True):
        role = step or ""
        if step is None and "echo" in (a.role, b.role):
            role = "echo"  # an anchor no trace follows, to or from an echo: hidden with it
        classes = ["edge", f"e-{kind}"]
        if role:
            classes.append(role)
        if origin:
            classes.append("origin")
        if step is None:
            classes.append("unused")
        href = b.href or f"#{b.svg_id}"
        tip = f"{a.label} {kind} {b.label}"
        if (a.id, b.id) in via:
            tip += f" (origin {via[a.id, b.id] + 1}, first-hand)"
        tip += f"; open {b.label}" if b.href else ""
        marker = "denial" if role == "denial" else kind
        d = _route(a, b, grid)
        parts.append(
            f'<a class="{" ".join(classes)}" href="{escape(href)}" '
            f'data-from="{escape(a.id)}" data-to="{escape(b.id)}">'
            f"<title>{escape(tip)}</title>"
            f'<path class="hit" d="{d}"/>'
            f'<path class="line" d="{d}" marker-end="url(#pg-m-{marker})"/></a>'
        )
    # Nodes.
    for n in nodes.values():
        parts.append(_node(n, found))
    parts.append(legend)
    if left_out:
        shown = sum(1 for n in nodes.values() if n.kind == "article")
        note = (
            f"Drawn: {shown} of {shown + left_out} articles (origins and denials first, then "
            f"the earliest echoes); the list below has every mention."
        )
        parts.append(
            f'<text class="caption" x="{MARGIN}" y="{total - 8:.1f}">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _node(n: _Node, found: Provenance) -> str:
    line1, line2, tip = _lines(n, found)
    classes = ["node", f"n-{n.kind}"]
    if n.origins:
        classes.append("origin")
    if n.role:
        classes.append(n.role)
    if n.copy_of is not None:
        classes.append("copy")
    href = n.href
    attrs = f'class="{" ".join(classes)}" id="{n.svg_id}" data-node="{escape(n.id)}"'
    if n.group:
        attrs += f' data-group="{n.group}"'
    head = f'<a {attrs} href="{escape(href)}">' if href else f'<g {attrs} tabindex="0">'
    rx = 17 if n.kind in ("source", "unnamed") else 4
    out = [
        head,
        f"<title>{escape(chr(10).join(t for t in tip if t))}</title>",
        f'<rect class="box" x="{n.x:.1f}" y="{n.y:.1f}" width="{NODE_W}" height="{NODE_H}" '
        f'rx="{rx}"/>',
        f'<text class="t1" x="{n.x + 10:.1f}" y="{n.y + 16:.1f}">'
        f"{escape(_fit(line1, _T1, bold=True))}</text>",
    ]
    if line2:
        out.append(
            f'<text class="t2" x="{n.x + 10:.1f}" y="{n.y + 31:.1f}">'
            f"{escape(_fit(line2, _T2))}</text>"
        )
    shown = n.origins[:_BADGES] if len(n.origins) <= _BADGES else n.origins[: _BADGES - 1]
    badges = [(f"origin {k + 1}", 52.0, k) for k in shown]
    if len(n.origins) > len(shown):
        badges.append((f"+{len(n.origins) - len(shown)}", 26.0, -1))
    x = n.x + NODE_W - 6 - sum(w for _, w, _ in badges)
    for text, w, k in badges:
        data = f' data-origin="{k + 1}"' if k >= 0 else ""
        out.append(
            f'<g class="origin-badge"{data}><rect x="{x:.1f}" y="{n.y - 12:.1f}" '
            f'width="{w - 4:.0f}" height="15" rx="7.5"/><text x="{x + (w - 4) / 2:.1f}" '
            f'y="{n.y - 1:.1f}" text-anchor="middle">{escape(text)}</text></g>'
        )
        x += w
    out.append("</a>" if href else "</g>")
    return "".join(out)


def _legend(
    width: float,
    top: float,
    kinds: Sequence[str],
    *,
    origins: bool,
    echo: bool,
    group: bool,
    denial: bool,
) -> tuple[str, float]:
    """The key to the drawing, wrapped to its width; its markup and height."""
    items: list[tuple[float, str]] = []  # (width, markup at x=0, y=0)
    for kind in kinds:
        items.append(
            (
                44 + 6.2 * len(kind),
                f'<g class="key e-{kind}"><path class="line" d="M34,0 L2,0" '
                f'marker-end="url(#pg-m-{kind})"/><text x="40" y="4">{kind}</text></g>',
            )
        )
    boxes = [
        (origins, "n-source origin", "origin"),
        (echo, "n-article echo", "echo only"),
        (denial, "n-article denial", "denial"),
    ]
    for shown, classes, text in boxes:
        if shown:
            items.append(
                (
                    34 + 6.2 * len(text),
                    f'<g class="key {classes}"><rect class="box" x="0" y="-7" width="22" '
                    f'height="14" rx="3"/><text x="28" y="4">{text}</text></g>',
                )
            )
    if group:
        items.append(
            (
                92.0,
                '<g class="key copy-group"><rect x="0" y="-8" width="22" height="16" rx="3"/>'
                '<text x="28" y="4">copy group</text></g>',
            )
        )
    note = "arrows point to what each relies on"
    items.append((6.2 * len(note), f'<text class="note" x="0" y="4">{note}</text>'))
    out = ['<g class="legend">']
    x, y = float(MARGIN), top + 12
    for w, markup in items:
        if x > MARGIN and x + w > width - MARGIN:
            x, y = float(MARGIN), y + 22
        out.append(f'<g transform="translate({x:.1f},{y:.1f})">{markup}</g>')
        x += w + 18
    out.append("</g>")
    return "".join(out), y - top + 16
