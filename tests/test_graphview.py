"""The provenance graph drawn as SVG (`web/graphview.py`): on small claims built by hand
(`provenance.build`) whose answer is known, origins marked, echoes faded, a copy boxed with
its original, denials apart, every edge of its kind and followed to its target's page, every
label escaped, the layout deterministic and left to right, a cycle drawn, a large claim
capped (and quick); then the real cascade of `tests/data/cascade/`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from rumormill.ingestion import ingest
from rumormill.provenance import (
    ArticleInput,
    MentionInput,
    OutletRef,
    Provenance,
    SourceRef,
    build,
    provenance,
)
from rumormill.store import Store, queries
from rumormill.web.graphview import MAX_ARTICLES, provenance_svg

CITY = OutletRef("outlet:1", "City A.M.", 1)
EXPERT = SourceRef("source:5", "Andrei Soldatov", "PERSON")
PESKOV = SourceRef("source:name:dmitry peskov", "Dmitry Peskov", "PERSON")
THINK_TANK = OutletRef("outlet:name:cepa", "The Center for European Policy Analysis")
DAY = date(2022, 5, 4)


def outlet(k: int, name: str | None = None) -> OutletRef:
    return OutletRef(f"outlet:{k}", name or f"Daily {k}", k)


def article(ident: str, day: int, where: OutletRef, **more: object) -> ArticleInput:
    return ArticleInput(ident, DAY + timedelta(days=day), where, **more)  # type: ignore[arg-type]


def cascade() -> Provenance:
    """The cascade's shape, by hand: City A.M. cites the think tank, which heard the expert
    (origin 1); two papers cite City A.M. (echoes), one of them copied; the Moscow Times
    quotes the expert itself (origin 2); Reuters carries a denial."""
    articles = {
        "a": article("a", 0, CITY, title="Putin purges the FSB"),
        "b": article("b", 1, outlet(2, "Daily Express")),
        "c": article("c", 1, outlet(3, "The Mirror")),
        "d": article("d", 2, outlet(6, "News Now"), copy_of="b"),
        "e": article("e", 2, outlet(5, "The Moscow Times")),
        "f": article("f", 8, outlet(7, "Reuters")),
    }
    mentions = [
        MentionInput("a", "a1", source=EXPERT, cited=THINK_TANK),
        MentionInput("b", "a1", cited=CITY),
        MentionInput("c", "a1", cited=CITY),
        MentionInput("d", "a1", cited=CITY),
        MentionInput("e", "a1", source=EXPERT),
        MentionInput("f", "a1", source=PESKOV, denies=True),
    ]
    return build(1, "Putin purged 150 officers", articles, mentions)


def parse(svg: str) -> ET.Element:
    """The drawing as XML: it must be well-formed."""
    return ET.fromstring(svg)


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {str(el.get("data-node")): el for el in root.iter() if el.get("data-node")}


def edges(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter("a") if "edge" in classes(el)]


def box(el: ET.Element) -> tuple[float, float]:
    rect = el.find("rect")
    assert rect is not None
    return float(rect.get("x", 0)), float(rect.get("y", 0))


def test_origins_are_marked_with_a_badge_each() -> None:
    found = cascade()
    assert found.independent_origins == 2
    root = parse(provenance_svg(found))
    drawn = nodes(root)
    expert = drawn["source:5"]
    assert {"node", "n-source", "origin"} <= classes(expert)
    badges = [el for el in expert.iter("g") if "origin-badge" in classes(el)]
    assert [b.get("data-origin") for b in badges] == ["1", "2"]
    assert [b.findtext("text") for b in badges] == ["origin 1", "origin 2"]
    # The acts that made them origins: the think tank and the Moscow Times heard the expert.
    firsthand = {
        (e.get("data-from"), e.get("data-to")) for e in edges(root) if "origin" in classes(e)
    }
    assert firsthand == {("outlet:name:cepa", "source:5"), ("article:e", "source:5")}
    # Nothing else is an origin.
    assert [n for n, el in drawn.items() if "origin" in classes(el)] == ["source:5"]


def test_echoes_are_faded_and_the_first_reports_are_not() -> None:
    root = parse(provenance_svg(cascade()))
    drawn = nodes(root)
    for echo in ("article:b", "article:c", "article:d", "outlet:1"):
        assert "echo" in classes(drawn[echo]), echo
    for carrier in ("article:a", "article:e", "source:5", "outlet:name:cepa"):
        assert "echo" not in classes(drawn[carrier]), carrier
    assert "echo" in (drawn["article:b"].findtext("text[@class='t2']") or "")
    assert "first report" in (drawn["article:a"].findtext("text[@class='t2']") or "")
    by_ends = {(e.get("data-from"), e.get("data-to")): classes(e) for e in edges(root)}
    assert "echo" in by_ends["article:b", "outlet:1"]
    assert "echo" in by_ends["outlet:1", "article:a"]
    assert "echo" not in by_ends["article:a", "outlet:name:cepa"]


def test_a_copy_and_its_original_share_a_copy_group() -> None:
    found = cascade()
    for copies in ({"d": "b"}, {}):  # the claim's copies, or the graph's own copy_of
        root = parse(provenance_svg(found, copies))
        (group,) = [el for el in root.iter("g") if "copy-group" in classes(el) and el.get("id")]
        assert "original and 1 copy" in (group.findtext("text") or "")
        drawn = nodes(root)
        assert drawn["article:d"].get("data-group") == group.get("id")
        assert drawn["article:b"].get("data-group") == group.get("id")
        assert "copy" in classes(drawn["article:d"])
        assert drawn["article:c"].get("data-group") is None
        # Drawn together: the same column, the copy under its original, inside the box.
        (bx, by), (dx, dy) = box(drawn["article:b"]), box(drawn["article:d"])
        assert bx == dx
        assert by < dy
        rect = group.find("rect")
        assert rect is not None
        top, height = float(rect.get("y", 0)), float(rect.get("height", 0))
        assert top < by
        assert dy + 38 <= top + height


def test_denials_have_their_own_class() -> None:
    root = parse(provenance_svg(cascade()))
    drawn = nodes(root)
    assert "denial" in classes(drawn["article:f"])
    assert "denial" in classes(drawn["source:name:dmitry peskov"])
    assert "denial" not in classes(drawn["source:5"])
    (edge,) = [e for e in edges(root) if e.get("data-from") == "article:f"]
    assert {"e-quotes", "denial"} <= classes(edge)


def test_every_edge_has_its_kind_and_leads_to_its_target() -> None:
    found = cascade()
    root = parse(provenance_svg(found))
    drawn = nodes(root)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    drawn_edges = edges(root)
    assert len(drawn_edges) == found.graph.number_of_edges()
    pages = {
        "article:a": "/articles/a",
        "outlet:1": "/outlets/1",
        "source:5": "/entities/5",
    }
    for e in drawn_edges:
        u, v = e.get("data-from"), e.get("data-to")
        kind = found.graph.edges[u, v]["kind"]
        assert f"e-{kind}" in classes(e)
        href = str(e.get("href"))
        if v in pages:
            assert href == pages[v]
        elif str(v).startswith("article:"):
            assert href == f"/articles/{str(v).split(':', 1)[1]}"
        else:  # no page: the target in the drawing
            assert href == f"#{drawn[str(v)].get('id')}"
            assert href[1:] in ids
        (line,) = [p for p in e.iter("path") if p.get("class") == "line"]
        assert line.get("marker-end", "").startswith("url(#pg-m-")
    kinds = {k for e in drawn_edges for k in classes(e) if k.startswith("e-")}
    assert kinds == {"e-quotes", "e-cites", "e-copies", "e-publishes"}
    # Nodes: a page is a link; a node without one is focusable all the same.
    assert drawn["article:a"].tag == "a"
    assert drawn["article:a"].get("href") == "/articles/a"
    assert drawn["outlet:1"].get("href") == "/outlets/1"
    assert drawn["source:5"].get("href") == "/entities/5"
    for name in ("outlet:name:cepa", "source:name:dmitry peskov"):
        assert drawn[name].tag == "g"
        assert drawn[name].get("tabindex") == "0"
    # The tooltip says what a node is.
    assert "Putin purges the FSB" in (drawn["article:a"].findtext("title") or "")
    assert "origin 1 via The Center for European Policy Analysis" in (
        drawn["source:5"].findtext("title") or ""
    )


def test_the_layout_reads_left_to_right_and_is_deterministic() -> None:
    found = cascade()
    svg = provenance_svg(found, {"d": "b"})
    assert svg == provenance_svg(cascade(), {"d": "b"})
    root = parse(svg)
    drawn = nodes(root)
    x = {n: box(el)[0] for n, el in drawn.items()}
    # Origins on the left, each relayer right of what it relies on.
    assert x["source:5"] == min(x.values())
    for u, v, kind in found.graph.edges(data="kind"):
        if kind != "copies":
            assert x[v] < x[u], (u, v)
    # No two nodes overlap.
    spots = [box(el) for el in drawn.values()]
    assert len(set(spots)) == len(spots)
    # Legend: the kinds drawn, and the marks.
    legend = "".join(root.find("g[@class='legend']").itertext())  # type: ignore[union-attr]
    for word in ("quotes", "cites", "copies", "publishes", "origin", "echo", "denial"):
        assert word in legend


HOSTILE = "<script>alert('x')</script> \"quoted\" & <b onmouseover=alert(1)>"


def test_every_label_is_escaped() -> None:
    evil = OutletRef("outlet:name:evil", f"Evil {HOSTILE}")
    articles = {
        "x": ArticleInput("x", DAY, evil, title=f"Title {HOSTILE}"),
        "y": ArticleInput("y", DAY, outlet(9, HOSTILE)),
    }
    mentions = [
        MentionInput("x", "a1", source=SourceRef("source:name:evil", HOSTILE, "PERSON")),
        MentionInput("y", "a1", unnamed=HOSTILE),
    ]
    svg = str(provenance_svg(build(1, HOSTILE, articles, mentions)))
    assert "<script>" not in svg
    assert "<b " not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # well-formed: nothing broke out of an attribute or element
    titles = "".join(t.text or "" for t in root.iter("title"))
    assert f"Title {HOSTILE}" in titles
    assert "onmouseover" not in "".join(f"{k}" for el in root.iter() for k in el.attrib)


def big(n: int) -> Provenance:
    """`n` papers citing City A.M., whose report quotes the expert; every tenth a copy of
    the one before; one denial."""
    articles = {"a": article("a", 0, CITY)}
    mentions = [MentionInput("a", "a1", source=EXPERT)]
    for k in range(1, n + 1):
        copy = f"p{k - 1}" if k % 10 == 0 and k > 1 else None
        articles[f"p{k}"] = article(f"p{k}", 1 + k % 20, outlet(100 + k), copy_of=copy)
        mentions.append(MentionInput(f"p{k}", "a1", cited=CITY))
    articles["z"] = article("z", 30, outlet(99, "Reuters"))
    mentions.append(MentionInput("z", "a1", source=PESKOV, denies=True))
    mentions.sort(key=lambda m: (articles[m.article_id].published, m.article_id))
    return build(1, "Putin purged 150 officers", articles, mentions)


def test_a_large_claim_is_drawn_in_part_with_a_caption() -> None:
    found = big(300)
    root = parse(provenance_svg(found))
    drawn = nodes(root)
    shown = [n for n in drawn if n.startswith("article:")]
    assert len(shown) <= MAX_ARTICLES
    assert "article:a" in drawn
    assert "source:5" in drawn
    assert "article:z" in drawn  # the denial
    caption = root.find("text[@class='caption']")
    assert caption is not None
    assert caption.text == (
        f"Drawn: {len(shown)} of 302 articles (origins and denials first, then the earliest "
        "echoes); the list below has every mention."
    )
    # Every edge drawn joins two drawn nodes.
    for e in edges(root):
        assert e.get("data-from") in drawn
        assert e.get("data-to") in drawn
    # A small claim has no caption.
    assert parse(provenance_svg(cascade())).find("text[@class='caption']") is None
    # Tall columns wrap: the drawing stays within a screen or two.
    assert float(root.get("height", 0)) < 1000


def test_a_cycle_is_drawn() -> None:
    articles = {
        "a": article("a", 0, outlet(1), links=("b",)),
        "b": article("b", 0, outlet(2), links=("a",)),
    }
    mentions = [MentionInput("a", "a1"), MentionInput("b", "a1")]
    found = build(1, "x", articles, mentions)
    root = parse(provenance_svg(found))
    assert set(nodes(root)) == {"article:a", "article:b"}
    assert len(edges(root)) == 2


# --- the real cascade ---------------------------------------------------------------------------


@pytest.mark.model
def test_the_cascade_marks_two_origins(tmp_path: Path) -> None:
    db = tmp_path / "cascade.db"
    report = ingest([str(Path(__file__).parent / "data" / "cascade")], db=db)
    assert report.ingested == 7
    with Store.open(db, create=False) as store:
        (claim,) = [c for c in queries.claims(store) if c.articles == 7]
        found = provenance(store, claim.claim_id)
        detail = queries.claim(store, claim.claim_id)
    root = parse(provenance_svg(found, detail.copies))
    badges = [el for el in root.iter("g") if "origin-badge" in classes(el)]
    assert sorted(b.get("data-origin") for b in badges) == ["1", "2"]
    drawn = nodes(root)
    assert len([n for n in drawn if n.startswith("article:")]) == 7
    assert len([el for el in drawn.values() if "echo" in classes(el)]) >= 4
    (group,) = [el for el in root.iter("g") if "copy-group" in classes(el) and el.get("id")]
    members = [n for n, el in drawn.items() if el.get("data-group") == group.get("id")]
    assert len(members) == 2
    assert "News Now" in "".join(drawn[members[1]].itertext())
    (denial,) = [el for n, el in drawn.items() if "denial" in classes(el) and "article" in n]
    assert "Reuters" in "".join(denial.itertext())


def test_copies_of_each_other_are_still_drawn() -> None:
    """Bad data (two articles each marked a copy of the other) loses no node."""
    articles = {
        "a": article("a", 0, outlet(1), copy_of="b"),
        "b": article("b", 1, outlet(2), copy_of="a"),
        "c": article("c", 2, outlet(3), copy_of="a"),
    }
    mentions = [MentionInput(k, "a1", unnamed="officials") for k in ("c", "b", "a")]
    root = parse(provenance_svg(build(1, "x", articles, mentions)))
    drawn = nodes(root)
    assert {"article:a", "article:b", "article:c"} <= set(drawn)
    spots = [box(el) for el in drawn.values()]
    assert len(set(spots)) == len(spots)
    assert any("copy-group" in classes(el) for el in root.iter("g"))
