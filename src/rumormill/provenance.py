"""The provenance graph of a claim: who cites whom, how many independent origins stand behind
it, and which mentions only echo them.

with Store.open("news.db") as store:
    found = provenance(store, 7)
    found.independent_origins, found.echoes          # 1, 10
    write_graph(found, "claim7.graphml", "graphml")  # or "gexf", "dot"

**Nodes** (`networkx.DiGraph`, string ids): articles (`article:<id>`, with their date and
outlet), outlets (`outlet:<store id>`, or `outlet:name:<normalised name>` for one the store
has no article of), named sources (`source:<corpus entity id>`, or `source:name:<name>`) and
unnamed sources, one node per article or wire that carries them (`unnamed:<reporter>`).

**Edges** point from the one who relays to the one relied on, each with a `kind`:

- `quotes`: an article (or an outlet, for a source heard through it) quotes a source
  first-hand: a named source that is not an outlet, or its unnamed sources;
- `cites`: an article attributes the claim to another outlet: its source is an outlet
  ("according to City A.M.", "the Daily Mail reported"), or its channel is another outlet
  ("told The Center for European Policy Analysis"), or the sentence cites one in words the
  attribution rules leave alone ("as first reported by the Daily Mail"; `CITATION_PHRASE`);
  also an article linking (an anchor of its main content) to another stored article of the
  claim;
- `copies`: a near-duplicate of an earlier article (`articles.copy_of`), or a wire credit
  naming another outlet ("(AP)", "Reuters");
- `publishes`: a cited or crediting outlet to its own earlier article on the claim, when the
  store has one: the chain goes on through that article;
- `translates`: a claim matched across languages.  Defined, unused: there is no
  multilingual linking yet.

**Origins.**  Every mention (an attribution of the claim) is traced along these edges, in
the order of the claim's mentions (earliest first), until it reaches where the claim entered
the record: a first-hand act, either a source quoted by an article or an outlet (one origin
per quoting article or outlet: three outlets that each interviewed the expert are three
origins), an article's or wire's unnamed sources, a cited outlet whose reporting the store
does not have, or an article carrying the claim on its own (unattributed).  The distinct
origins reached are the claim's **independent origins**; every mention that reaches an
origin already counted is an **echo**, so origins + echoes = mentions.  A mention that denies
the claim (certainty label `denied`) is traced the same way but counted apart, as a
**denial**: it carries no claim, so it is neither an origin nor an echo.  A trace never visits
a node twice: a cycle (two articles citing each other's outlets on one day, pages linking to
each other) ends at the outlet or article where it would close, which is then an origin.

An outlet is recognised by the store's outlet identity (`store/outlets.py`: stored outlets,
their aliases, the known outlets of `nlp/patterns.py`); a channel that the store does not
know is taken for an outlet when it is a capitalised name, not a platform the source speaks
on itself (`PLATFORM_CHANNELS`: "wrote on Telegram" is first-hand), not a person of the
article and not the article's own outlet.

Exports: GraphML and GEXF through networkx's writers, DOT through `networkx.nx_pydot`
(pydot).  No attribute is ever None (GraphML and GEXF have no null): a missing date or outlet
is an empty string.  The library never prints; the terminal tree is `report.provenance_tree`.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import networkx as nx
import sqlalchemy as sa
from networkx.drawing import nx_pydot

from rumormill.days import as_date as _day
from rumormill.days import iso as _iso
from rumormill.errors import Errors, InputError, RumormillError
from rumormill.nlp.patterns import (
    CITATION_OUTLET,
    CITATION_PHRASE,
    OUTLET_WORDS,
    PLATFORM_CHANNELS,
    PROVENANCE_DETERMINERS,
    WIRE_AGENCIES,
)
from rumormill.store import outlets, schema
from rumormill.store.store import Store

EdgeKind = Literal["quotes", "cites", "copies", "publishes", "translates"]
EDGE_KINDS: tuple[EdgeKind, ...] = ("quotes", "cites", "copies", "publishes", "translates")
NodeKind = Literal["article", "outlet", "source", "unnamed"]
OriginKind = Literal["source", "unnamed", "outlet", "article"]

_A = schema.articles
_T = schema.attributions
_O = schema.outlets
_E = schema.entities
_CE = schema.corpus_entities
_L = schema.article_links
_CHUNK = 500


class ProvenanceError(RumormillError):
    """A provenance graph cannot be written (E116)."""


class GraphFormat(StrEnum):
    """The export formats of a provenance graph."""

    GRAPHML = "graphml"
    GEXF = "gexf"
    DOT = "dot"


# --- the inputs of a claim's graph (read from the store, or made by hand) -----------------------


@dataclass(frozen=True)
class OutletRef:
    """An outlet as provenance sees it: its node id, display name and store id (if stored)."""

    key: str
    name: str
    outlet_id: int | None = None


@dataclass(frozen=True)
class SourceRef:
    """A named source that is not an outlet: its node id, name and type (PERSON, ORG, ...)."""

    key: str
    name: str
    type: str


@dataclass(frozen=True)
class ArticleInput:
    """One article of the claim (or the original a copy of it copies)."""

    id: str
    published: date | None
    outlet: OutletRef | None = None
    title: str | None = None
    url: str | None = None
    copy_of: str | None = None  # the earlier article it is a near-duplicate of
    wire: OutletRef | None = None  # the outlet its wire credit names ("(AP)"), when another
    links: tuple[str, ...] = ()  # the stored articles its main-content anchors point to


@dataclass(frozen=True)
class MentionInput:
    """One attribution of the claim, with what it relies on already resolved: a cited outlet,
    a named source that is not an outlet, unnamed sources' words, or none of them (the
    article carries the claim on its own)."""

    article_id: str
    attribution_id: str
    kind: str = "indirect"
    source: SourceRef | None = None
    unnamed: str | None = None
    cited: OutletRef | None = None
    cited_by: str = ""  # how the citation was found: "source", "channel", "text"
    content: str = ""
    # The attribution denies the claim (certainty label `denied`): traced, but a counter-claim,
    # so neither an origin nor an echo of the claim.
    denies: bool = False


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where the claim entered the record."""

    node: str  # the source, unnamed sources, outlet or article node
    kind: OriginKind
    label: str
    via: str | None  # for a source: the article or outlet that quoted it first-hand
    via_label: str | None
    first: date | None  # the date of the first mention tracing to it
    article_id: str  # the article of that first mention
    mentions: int  # the mentions tracing to it, the first included

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "kind": self.kind,
            "label": self.label,
            "via": self.via,
            "via_label": self.via_label,
            "first": _iso(self.first),
            "article_id": self.article_id,
            "mentions": self.mentions,
        }


@dataclass(frozen=True)
class Trace:
    """How one mention travelled: the nodes from its article to its origin's node."""

    article_id: str
    attribution_id: str
    path: tuple[str, ...]
    origin: int  # index into `Provenance.origins`
    echo: bool  # it reaches an origin an earlier mention reached

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "attribution_id": self.attribution_id,
            "path": list(self.path),
            "origin": self.origin,
            "echo": self.echo,
        }


@dataclass
class Provenance:
    """A claim's provenance graph, its origins and how each mention reaches one."""

    claim_id: int
    statement: str
    graph: nx.DiGraph
    origins: list[Origin] = field(default_factory=list)
    traces: list[Trace] = field(default_factory=list)
    # The mentions that deny the claim, traced the same way (their `origin` is -1).
    denials: list[Trace] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        """The mentions that carry the claim (denials apart): origins + echoes."""
        return len(self.traces)

    @property
    def independent_origins(self) -> int:
        return len(self.origins)

    @property
    def echoes(self) -> int:
        return sum(1 for t in self.traces if t.echo)

    def to_dict(self) -> dict[str, Any]:
        g = self.graph
        return {
            "claim_id": self.claim_id,
            "statement": self.statement,
            "mentions": self.mentions,
            "independent_origins": self.independent_origins,
            "echoes": self.echoes,
            "denials": [t.to_dict() for t in self.denials],
            "origins": [o.to_dict() for o in self.origins],
            "traces": [t.to_dict() for t in self.traces],
            "nodes": [{"id": n, **g.nodes[n]} for n in g.nodes],
            "edges": [{"from": u, "to": v, **d} for u, v, d in g.edges(data=True)],
        }


# --- building the graph (pure) ------------------------------------------------------------------


def build(
    claim_id: int,
    statement: str,
    articles: Mapping[str, ArticleInput],
    mentions: Sequence[MentionInput],
) -> Provenance:
    """The provenance of a claim from its articles and mentions (earliest first).  Every
    mention's article must be in `articles`; copies' originals may be there too."""
    return _Builder(claim_id, statement, articles, mentions).run()


class _Builder:
    def __init__(
        self,
        claim_id: int,
        statement: str,
        articles: Mapping[str, ArticleInput],
        mentions: Sequence[MentionInput],
    ) -> None:
        self.articles = dict(articles)
        self.mentions = list(mentions)
        self.graph: nx.DiGraph = nx.DiGraph(claim_id=claim_id, statement=statement)
        self.claim_id = claim_id
        self.statement = statement
        self.by_article: dict[str, list[MentionInput]] = defaultdict(list)
        for m in self.mentions:
            if m.article_id not in self.articles:
                raise ValueError(f"mention {m.attribution_id} of unknown article {m.article_id}")
            self.by_article[m.article_id].append(m)
        # The claim's articles of each outlet, earliest first (undated last), in given order.
        order = {a: k for k, a in enumerate(dict.fromkeys(m.article_id for m in self.mentions))}
        self.of_outlet: dict[str, list[ArticleInput]] = defaultdict(list)
        for article_id in order:
            article = self.articles[article_id]
            if article.outlet is not None:
                self.of_outlet[article.outlet.key].append(article)
        for listed in self.of_outlet.values():
            listed.sort(key=lambda a: (a.published is None, a.published or date.min, order[a.id]))
        self.on_claim = set(order)
        self.edge_uses: dict[tuple[str, str], int] = defaultdict(int)

    # nodes and edges

    def _article_node(self, article_id: str) -> str:
        node = f"article:{article_id}"
        if node not in self.graph:
            a = self.articles[article_id]
            outlet = a.outlet.name if a.outlet is not None else ""
            label = " ".join(part for part in (_iso(a.published) or "undated", outlet) if part)
            self.graph.add_node(
                node,
                kind="article",
                label=label,
                article_id=a.id,
                date=_iso(a.published) or "",
                outlet=outlet,
                outlet_node=a.outlet.key if a.outlet is not None else "",
                title=a.title or "",
                url=a.url or "",
                copy_of=a.copy_of or "",
                mentions=len(self.by_article.get(article_id, ())),
                echoes=0,
                origin=False,
                denies=False,
            )
        return node

    def _outlet_node(self, outlet: OutletRef) -> str:
        if outlet.key not in self.graph:
            attrs: dict[str, Any] = {"kind": "outlet", "label": outlet.name, "origin": False}
            if outlet.outlet_id is not None:
                attrs["outlet_id"] = outlet.outlet_id
            self.graph.add_node(outlet.key, **attrs)
        return outlet.key

    def _source_node(self, source: SourceRef) -> str:
        if source.key not in self.graph:
            self.graph.add_node(
                source.key,
                kind="source",
                label=source.name,
                source_type=source.type,
                origin=False,
            )
        return source.key

    def _unnamed_node(self, reporter: str, words: str) -> str:
        node = f"unnamed:{reporter.split(':', 1)[1]}" if ":" in reporter else f"unnamed:{reporter}"
        if node not in self.graph:
            label = words or "unnamed sources"
            self.graph.add_node(node, kind="unnamed", label=label, origin=False)
        elif words and words not in str(self.graph.nodes[node]["label"]).split("; "):
            self.graph.nodes[node]["label"] = f"{self.graph.nodes[node]['label']}; {words}"
        return node

    def _edge(self, u: str, v: str, kind: EdgeKind) -> None:
        if self.graph.has_edge(u, v):
            return  # the first kind found between two nodes stays
        self.graph.add_edge(u, v, kind=kind, mentions=0, origin=False)

    # tracing

    def _earlier(self, outlet_key: str, before: ArticleInput, path: set[str]) -> str | None:
        """The outlet's own article on the claim that `before` relies on: one it links to,
        else its earliest dated no later than `before` (any, when `before` is undated)."""
        found = [
            a
            for a in self.of_outlet.get(outlet_key, ())
            if a.id != before.id
            and f"article:{a.id}" not in path
            and (
                before.published is None
                or (a.published is not None and a.published <= before.published)
            )
        ]
        linked = [a for a in found if a.id in before.links]
        chosen = linked or found
        return chosen[0].id if chosen else None

    def _matching(self, article_id: str, mention: MentionInput) -> MentionInput | None:
        """The mention of `article_id` that `mention` stands for: the same words, else its
        first; None when the article has none."""
        found = self.by_article.get(article_id, [])
        for m in found:
            if m.content and m.content == mention.content:
                return m
        return found[0] if found else None

    def trace(self, start: MentionInput) -> tuple[tuple[str, ...], tuple[str, str | None]]:
        """The path from the mention's article to its origin, and the origin's key (its node,
        and for a source the node that quoted it)."""
        path: list[str] = []
        seen: set[str] = set()
        mention = start
        article_id = start.article_id

        def step(node: str) -> None:
            path.append(node)
            seen.add(node)

        while True:
            article = self.articles[article_id]
            node = self._article_node(article_id)
            step(node)
            own = article.outlet.key if article.outlet is not None else None
            # 1. A copy: the original said it.
            original = article.copy_of
            if original is not None and original in self.articles:
                target = self._article_node(original)
                if target not in seen:
                    self._edge(node, target, "copies")
                    mention = self._matching(original, mention) or mention
                    article_id = original
                    continue
            reporter = node
            # 2. A wire credit naming another outlet: the wire said it.
            if article.wire is not None and article.wire.key != own:
                wire = self._outlet_node(article.wire)
                if wire not in seen:
                    self._edge(node, wire, "copies")
                    step(wire)
                    earlier = self._earlier(wire, article, seen)
                    if earlier is not None:
                        self._edge(wire, self._article_node(earlier), "publishes")
                        mention = self._matching(earlier, mention) or mention
                        article_id = earlier
                        continue
                    reporter, own = wire, wire
            # 3. Another outlet cited: its reporting said it.
            cited = mention.cited
            if cited is not None and cited.key != own:
                target = self._outlet_node(cited)
                self._edge(reporter, target, "cites")
                if target in seen:
                    return tuple(path), (target, None)  # a cycle closes at the outlet
                step(target)
                earlier = self._earlier(target, article, seen)
                if earlier is not None:
                    self._edge(target, self._article_node(earlier), "publishes")
                    mention = self._matching(earlier, mention) or mention
                    article_id = earlier
                    continue
                if mention.source is not None:
                    source = self._source_node(mention.source)
                    self._edge(target, source, "quotes")
                    step(source)
                    return tuple(path), (source, target)
                return tuple(path), (target, None)
            # 4. No source named: an anchor to a stored article of the claim is the citation.
            if mention.source is None and reporter == node:
                linked = self._linked(article, seen)
                if linked is not None:
                    self._edge(node, self._article_node(linked), "cites")
                    mention = self._matching(linked, mention) or mention
                    article_id = linked
                    continue
            # 5. First-hand: a named source, unnamed sources, or the reporter itself.
            if mention.source is not None:
                source = self._source_node(mention.source)
                self._edge(reporter, source, "quotes")
                step(source)
                return tuple(path), (source, reporter)
            if mention.unnamed is not None:
                unnamed = self._unnamed_node(reporter, mention.unnamed)
                self._edge(reporter, unnamed, "quotes")
                step(unnamed)
                return tuple(path), (unnamed, None)
            return tuple(path), (reporter, None)

    def _linked(self, article: ArticleInput, seen: set[str]) -> str | None:
        found = [
            self.articles[target]
            for target in article.links
            if target in self.on_claim
            and target != article.id
            and f"article:{target}" not in seen
            and (
                article.published is None
                or (
                    self.articles[target].published is not None
                    and self.articles[target].published <= article.published  # type: ignore[operator]
                )
            )
        ]
        found.sort(key=lambda a: (a.published is None, a.published or date.min))
        return found[0].id if found else None

    def run(self) -> Provenance:
        for article_id in self.articles:
            self._article_node(article_id)
        # Every anchor between two articles of the graph is a citation, used or not.
        for article in self.articles.values():
            for target in article.links:
                if target in self.articles and target != article.id:
                    self._edge(self._article_node(article.id), self._article_node(target), "cites")
        keys: dict[tuple[str, str | None], int] = {}
        origins: list[dict[str, Any]] = []
        traces: list[Trace] = []
        denials: list[Trace] = []
        for mention in self.mentions:
            path, key = self.trace(mention)
            if mention.denies:
                self.graph.nodes[path[0]]["denies"] = True
                denials.append(Trace(mention.article_id, mention.attribution_id, path, -1, False))
                continue
            echo = key in keys
            if not echo:
                keys[key] = len(origins)
                node, via = key
                article = self.articles[mention.article_id]
                origins.append(
                    {
                        "node": node,
                        "via": via,
                        "first": article.published,
                        "article_id": article.id,
                        "mentions": 0,
                    }
                )
            index = keys[key]
            origins[index]["mentions"] += 1
            traces.append(Trace(mention.article_id, mention.attribution_id, path, index, echo))
            for u, v in itertools.pairwise(path):
                if self.graph.has_edge(u, v):
                    self.graph.edges[u, v]["mentions"] += 1
            if echo:
                self.graph.nodes[path[0]]["echoes"] += 1
        result: list[Origin] = []
        for found in origins:
            node, via = found["node"], found["via"]
            attrs = self.graph.nodes[node]
            attrs["origin"] = True
            if via is not None:
                self.graph.edges[via, node]["origin"] = True
            result.append(
                Origin(
                    node=node,
                    kind=attrs["kind"],
                    label=str(attrs["label"]),
                    via=via,
                    via_label=str(self.graph.nodes[via]["label"]) if via is not None else None,
                    first=found["first"],
                    article_id=found["article_id"],
                    mentions=found["mentions"],
                )
            )
        g = self.graph
        g.graph.update(
            mentions=len(traces),
            independent_origins=len(result),
            echoes=sum(1 for t in traces if t.echo),
            denials=len(denials),
        )
        return Provenance(self.claim_id, self.statement, g, result, traces, denials)


# --- reading a claim from the store -------------------------------------------------------------


def provenance(store: Store, claim_id: int) -> Provenance:
    """The provenance of a stored claim; E093 when the store has no such claim."""
    with store.reading() as conn:
        return _read(conn, claim_id)


def _read(conn: sa.Connection, claim_id: int) -> Provenance:
    undated_last = sa.case((_T.c.published.is_(None), 1), else_=0)
    rows = conn.execute(
        sa.select(
            _T.c.article_id,
            _T.c.attribution_id,
            _T.c.kind,
            _T.c.source_text,
            _T.c.source_name,
            _T.c.source_type,
            _T.c.channel_text,
            _T.c.content_text,
            _T.c.content_start,
            _T.c.content_end,
            _T.c.certainty_label,
            _E.c.corpus_entity_id,
            _CE.c.name.label("corpus_name"),
        )
        .select_from(
            _T.outerjoin(
                _E,
                sa.and_(_E.c.article_id == _T.c.article_id, _E.c.entity_id == _T.c.source_entity),
            ).outerjoin(_CE, _CE.c.id == _E.c.corpus_entity_id)
        )
        .where(_T.c.claim_id == claim_id)
        .order_by(undated_last, _T.c.published, _T.c.pk)
    ).all()
    if not rows:
        raise InputError(Errors.E093, claim_id=claim_id)
    ids = list(dict.fromkeys(r.article_id for r in rows))
    stored = _articles(conn, ids)
    originals = sorted({a.copy_of for a in stored.values() if a.copy_of} - set(stored))
    stored.update(_articles(conn, originals))
    resolver = _Outlets(conn)
    persons = _persons(conn, ids)
    links = _links(conn, list(stored))
    articles: dict[str, ArticleInput] = {}
    for article_id, row in stored.items():
        own = resolver.own(row.outlet_id, row.outlet_display)
        wire = resolver.wire(row.credit)
        articles[article_id] = ArticleInput(
            id=article_id,
            published=_day(row.published),
            outlet=own,
            title=row.title,
            url=row.url,
            copy_of=row.copy_of,
            wire=wire if wire is not None and (own is None or wire.key != own.key) else None,
            links=links.get(article_id, ()),
        )
    names = _source_keys(rows)
    mentions: list[MentionInput] = []
    for r in rows:
        article = articles[r.article_id]
        own_key = article.outlet.key if article.outlet is not None else None
        text = stored[r.article_id].text
        mentions.append(
            _mention(r, resolver, names, own_key, persons.get(r.article_id, set()), text)
        )
    statement = rows[0].content_text
    return build(claim_id, statement, articles, mentions)


def _articles(conn: sa.Connection, ids: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            sa.select(
                _A.c.id,
                _A.c.published,
                _A.c.outlet_id,
                sa.func.coalesce(_O.c.name, _A.c.outlet_name).label("outlet_display"),
                _A.c.title,
                _A.c.url,
                _A.c.credit,
                _A.c.copy_of,
                _A.c.text,
            )
            .select_from(_A.outerjoin(_O, _O.c.id == _A.c.outlet_id))
            .where(_A.c.id.in_(chunk))
        )
        found.update({r.id: r for r in conn.execute(query)})
    return {i: found[i] for i in ids if i in found}


def _persons(conn: sa.Connection, ids: Sequence[str]) -> dict[str, set[str]]:
    """The normalised names of each article's people (a channel that is one is no outlet)."""
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = sa.select(_E.c.article_id, _E.c.name).where(
            _E.c.article_id.in_(chunk), _E.c.type == "PERSON"
        )
        for article_id, name in conn.execute(query):
            key = outlets.normalise_name(name)
            if key:
                found[article_id].add(key)
    return found


def url_key(url: str) -> str | None:
    """A URL as a link target is matched: scheme, `www.`, fragment and a trailing slash do
    not count."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.netloc:
        return None
    host = parts.netloc.lower().rpartition("@")[2]
    host = re.sub(r"^www\d*\.", "", host)
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, parts.query, ""))


def _links(conn: sa.Connection, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The stored articles each article's anchors point to (an anchor to its own URL, or to
    an article not stored, is left out)."""
    anchors: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            sa.select(_L.c.article_id, _L.c.url)
            .where(_L.c.article_id.in_(chunk))
            .order_by(_L.c.article_id, _L.c.position)
        )
        for article_id, url in conn.execute(query):
            anchors[article_id].append(url)
    if not anchors:
        return {}
    wanted: dict[str, set[str]] = defaultdict(set)  # url key -> the urls written so
    for urls in anchors.values():
        for url in urls:
            key = url_key(url)
            if key is not None:
                for variant in _variants(url):
                    wanted[key].add(variant)
    variants = sorted({v for vs in wanted.values() for v in vs})
    at: dict[str, str] = {}  # url key -> the earliest stored article there
    for start in range(0, len(variants), _CHUNK):
        chunk = variants[start : start + _CHUNK]
        query = sa.select(_A.c.id, _A.c.url).where(_A.c.url.in_(chunk)).order_by(_A.c.pk)
        for article_id, url in conn.execute(query):
            key = url_key(url)
            if key is not None:
                at.setdefault(key, article_id)
    result: dict[str, tuple[str, ...]] = {}
    for article_id, urls in anchors.items():
        targets = [at[k] for k in (url_key(u) for u in urls) if k is not None and k in at]
        kept = tuple(dict.fromkeys(t for t in targets if t != article_id))
        if kept:
            result[article_id] = kept
    return result


def _variants(url: str) -> set[str]:
    """The ways a stored article's URL may be written for a link to match it."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return {url}
    host = parts.netloc
    bare = re.sub(r"^www\d*\.", "", host, flags=re.IGNORECASE)
    hosts = {host, bare, "www." + bare}
    paths = {parts.path, parts.path.rstrip("/"), parts.path.rstrip("/") + "/"}
    found = {url}
    for scheme in ("http", "https"):
        for h in hosts:
            for p in paths:
                found.add(urlunsplit((scheme, h, p, parts.query, "")))
    return found


class _Outlets:
    """Outlet names resolved against the store's outlet identity, each once."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[str, bool], OutletRef | None] = {}
        self.names: dict[int, str] = {}

    def stored(self, outlet_id: int, fallback: str | None = None) -> OutletRef:
        if outlet_id not in self.names:
            found = self.conn.execute(
                sa.select(_O.c.name).where(_O.c.id == outlet_id)
            ).scalar_one_or_none()
            self.names[outlet_id] = found or fallback or f"outlet {outlet_id}"
        return OutletRef(f"outlet:{outlet_id}", self.names[outlet_id], outlet_id)

    def own(self, outlet_id: int | None, display: str | None) -> OutletRef | None:
        if outlet_id is not None:
            return self.stored(outlet_id, display)
        if display:
            return self.resolve(display, loose=True)
        return None

    def resolve(self, raw: str, *, loose: bool) -> OutletRef | None:
        """The outlet a name stands for: a stored one, a known one, or (`loose`) a name of
        its own; None when it is none of these."""
        raw = _clean_name(raw)
        if not raw:
            return None
        key = (raw, loose)
        if key not in self.cache:
            self.cache[key] = self._resolve(raw, loose=loose)
        return self.cache[key]

    def _resolve(self, raw: str, *, loose: bool) -> OutletRef | None:
        keys = outlets.outlet_keys(raw, None)
        if not keys:
            return None
        found = outlets.find(self.conn, keys)
        if found is not None:
            return self.stored(found)
        if keys.known is not None:
            name = outlets.normalise_name(keys.known.name) or keys.known.domain
            return OutletRef(f"outlet:name:{name}", keys.known.name)
        if loose and keys.name:
            return OutletRef(f"outlet:name:{keys.name}", _display(raw))
        return None

    def wire(self, credit: str | None) -> OutletRef | None:
        """The outlet a wire credit line names ("AP", "Reuters"), or None (a byline, the
        article's own dateline)."""
        if not credit:
            return None
        name = credit.strip(" -—–()")
        agencies = {outlets.normalise_name(a) for a in WIRE_AGENCIES}
        if outlets.normalise_name(name) in agencies:
            return self.resolve(name, loose=True)
        return self.resolve(name, loose=False)


def _clean_name(raw: str) -> str:
    return " ".join(raw.split()).strip(" ,;:")


def _display(raw: str) -> str:
    """A name as shown: a trailing full stop dropped unless it ends an abbreviation
    ("the Daily Mail." -> "the Daily Mail"; "City A.M." stays), a leading "the" capitalised
    as a name has it ("the Daily Mail" -> "The Daily Mail")."""
    name = raw[:-1] if raw.endswith(".") and re.search(r"[a-z]{2}\.$", raw) else raw
    if name.startswith("the "):
        name = "The " + name[4:]
    return name


def _capitalised(raw: str) -> bool:
    """Whether a name, its leading determiner dropped, starts with a capital letter."""
    words = raw.split()
    while len(words) > 1 and words[0].lower() in PROVENANCE_DETERMINERS:
        words = words[1:]
    return bool(words) and words[0][:1].isupper()


def _outlet_like(raw: str) -> bool:
    """A capitalised name with a word that names outlets ("The Moscow Times")."""
    name = outlets.normalise_name(raw) or ""
    return _capitalised(raw) and any(w in OUTLET_WORDS for w in name.split())


def _source_keys(rows: Sequence[Any]) -> dict[str, tuple[str, str]]:
    """Normalised source name -> (node id, label): the corpus entity where linking gave one
    (for every attribution naming it so), else the name."""
    found: dict[str, tuple[str, str]] = {}
    for r in rows:
        if r.corpus_entity_id is None:
            continue
        node = (f"source:{r.corpus_entity_id}", str(r.corpus_name or r.source_name))
        for name in (r.source_name, r.source_text, r.corpus_name):
            key = outlets.normalise_name(name)
            if key:
                found.setdefault(key, node)
    return found


def _mention(
    r: Any,
    resolver: _Outlets,
    names: dict[str, tuple[str, str]],
    own: str | None,
    persons: set[str],
    text: str,
) -> MentionInput:
    kind = str(r.kind)
    name = r.source_name or r.source_text
    base: dict[str, Any] = {
        "article_id": r.article_id,
        "attribution_id": r.attribution_id,
        "kind": kind,
        "content": r.content_text,
        "denies": r.certainty_label == "denied",
    }
    source: SourceRef | None = None
    unnamed: str | None = None
    if kind != "unattributed" and name:
        # The source is itself an outlet: the article cites it.
        if r.source_type != "PERSON" or outlets.known_outlet(name=outlets.normalise_name(name)):
            cited = resolver.resolve(name, loose=False)
            if cited is None and r.source_type != "PERSON" and _outlet_like(name):
                cited = resolver.resolve(name, loose=True)
            if cited is not None and cited.key != own:
                return MentionInput(**base, cited=cited, cited_by="source")
            if cited is not None:
                # Its own outlet named as the source ("Sky News understands"): own reporting.
                return MentionInput(**base)
        if r.source_type == "UNNAMED":
            unnamed = str(r.source_text or "unnamed sources")
        else:
            key = outlets.normalise_name(name) or name.casefold()
            node, label = names.get(key, (f"source:name:{key}", str(name)))
            source = SourceRef(node, label, str(r.source_type))
    cited = _channel(r, resolver, own, persons)
    if cited is not None:
        return MentionInput(**base, source=source, cited=cited, cited_by="channel")
    cited = _phrase(text, int(r.content_start), int(r.content_end), resolver, own)
    if cited is not None:
        return MentionInput(**base, source=source, cited=cited, cited_by="text")
    return MentionInput(**base, source=source, unnamed=unnamed)


def _channel(r: Any, resolver: _Outlets, own: str | None, persons: set[str]) -> OutletRef | None:
    """The outlet a channel names ("told The Center for European Policy Analysis"), when it
    is one and not the article's own, a platform or a person."""
    channel = r.channel_text
    if not channel:
        return None
    key = outlets.normalise_name(channel)
    if not key or key in PLATFORM_CHANNELS or key in persons:
        return None
    if key == outlets.normalise_name(r.source_text) or key == outlets.normalise_name(r.source_name):
        return None  # "according to X": X is the source, judged as such
    cited = resolver.resolve(channel, loose=False)
    if cited is None and _capitalised(channel):
        cited = resolver.resolve(channel, loose=True)
    if cited is None or cited.key == own:
        return None
    return cited


def _phrase(
    text: str, start: int, end: int, resolver: _Outlets, own: str | None
) -> OutletRef | None:
    """An outlet the mention's sentence cites in words ("as first reported by the Daily
    Mail"), other than the article's own."""
    begin = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    stop_at = [p for p in (text.find(". ", end), text.find("\n", end)) if p != -1]
    stop = min(stop_at) + 1 if stop_at else len(text)
    sentence = text[begin:stop]
    for found in CITATION_PHRASE.finditer(sentence):
        named = CITATION_OUTLET.match(sentence, found.end())
        if named is None:
            continue
        name = named.group("outlet")
        cited = resolver.resolve(name, loose=False) or resolver.resolve(name, loose=True)
        if cited is not None and cited.key != own:
            return cited
    return None


# --- exports ------------------------------------------------------------------------------------


def graph_format(value: str) -> GraphFormat:
    """A format name as given (any case); E115 for any other."""
    try:
        return GraphFormat(value.strip().lower())
    except ValueError:
        raise InputError(
            Errors.E115, value=value, choices=", ".join(f.value for f in GraphFormat)
        ) from None


def write_graph(found: Provenance, path: str | Path, format: str | GraphFormat) -> Path:
    """Write a claim's provenance graph as GraphML, GEXF (networkx's writers) or DOT
    (networkx.nx_pydot); the file is written beside its final path and renamed into place.
    E115 for an unknown format, E116 when it cannot be written."""
    chosen = format if isinstance(format, GraphFormat) else graph_format(format)
    target = Path(path)
    part = target.with_name(target.name + ".part")
    graph = exportable(found.graph)
    try:
        if chosen is GraphFormat.GRAPHML:
            nx.write_graphml(graph, part, encoding="utf-8")
        elif chosen is GraphFormat.GEXF:
            nx.write_gexf(graph, part, encoding="utf-8")
        else:
            # A colon in a DOT id names a port: every id is written quoted.
            nx_pydot.write_dot(nx.relabel_nodes(graph, _dot_id), part)
        part.replace(target)
    except (OSError, ValueError, TypeError, nx.NetworkXError) as e:
        part.unlink(missing_ok=True)
        raise ProvenanceError(Errors.E116, path=str(target), reason=str(e)) from e
    return target


def exportable(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attributes every format takes: strings, numbers and booleans (dates as
    ISO strings, None as an empty string)."""

    def clean(attrs: Mapping[str, Any]) -> dict[str, Any]:
        return {k: _plain(v) for k, v in attrs.items()}

    copy: nx.DiGraph = nx.DiGraph()
    copy.graph.update(clean(graph.graph))
    copy.add_nodes_from((n, clean(d)) for n, d in graph.nodes(data=True))
    copy.add_edges_from((u, v, clean(d)) for u, v, d in graph.edges(data=True))
    return copy


def _dot_id(node: Any) -> str:
    text = str(node).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


__all__ = [
    "EDGE_KINDS",
    "ArticleInput",
    "GraphFormat",
    "MentionInput",
    "Origin",
    "OutletRef",
    "Provenance",
    "ProvenanceError",
    "SourceRef",
    "Trace",
    "build",
    "exportable",
    "graph_format",
    "provenance",
    "url_key",
    "write_graph",
]
