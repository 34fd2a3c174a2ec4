"""Provenance (issue 7): the graph of how a claim travelled, its independent origins and its
echoes, on hand-made corpora whose answer is known.  The articles are real house-format texts
analysed by the shipped pipeline (the attribution extractor decides who says what, and each
test checks that it found the sources relied on); the claim and the copies are given by hand
(`Links`), so that the answers do not hang on the claim linker's threshold.  Then the
exports' round trips, a property test of the counting, migration 4 and anchors kept from
HTML pages, and the commands."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from networkx.drawing import nx_pydot
from typer.testing import CliRunner

from rumormill import report
from rumormill.analysis import analyze_articles
from rumormill.cli import app
from rumormill.errors import Errors, InputError, RumormillError
from rumormill.ingest import house, html
from rumormill.model import Analysis, Link
from rumormill.provenance import (
    ArticleInput,
    MentionInput,
    OutletRef,
    Provenance,
    SourceRef,
    build,
    graph_format,
    provenance,
    write_graph,
)
from rumormill.store import Links, Store, migrations, schema
from tests.oldstore import at_migration

pytestmark = pytest.mark.model

CLAIM = 7
runner = CliRunner()


def analysed(
    items: Sequence[tuple[str, str]], *, urls: Sequence[str | None] = ()
) -> list[Analysis]:
    """(outlet, house-format text) pairs, read and analysed for real."""
    articles = [
        house.parse(text, outlet=outlet, url=urls[k] if k < len(urls) else None)
        for k, (outlet, text) in enumerate(items)
    ]
    return list(analyze_articles(articles))


def about_coup(analysis: Analysis) -> list[str]:
    """The attributions of the claim: those whose content is about the coup (or its plotters:
    "reportedly being prepared by his security chiefs")."""
    return [
        a.id
        for a in analysis.attributions
        if "coup" in a.content.text.lower() or "security chiefs" in a.content.text
    ]


def stored(
    tmp_path: Path, analyses: Sequence[Analysis], copy_of: dict[str, str] | None = None
) -> Path:
    path = tmp_path / "news.db"
    links = Links(
        claim={(a.article.id, at): CLAIM for a in analyses for at in about_coup(a)},
        copy_of=dict(copy_of or {}),
    )
    with Store.open(path) as store:
        report_ = store.add(analyses, links=links)
    assert report_.stored == len(analyses)
    return path


def traced(path: Path) -> Provenance:
    with Store.open(path, create=False) as store:
        return provenance(store, CLAIM)


def sources_of(analysis: Analysis) -> list[tuple[str, str | None, str | None]]:
    """(kind, source words, channel words) of each attribution about the coup."""
    return [
        (
            a.kind,
            a.source.span.text if a.source.span else None,
            a.channel.text if a.channel else None,
        )
        for a in analysis.attributions
        if "coup" in a.content.text.lower()
    ]


def check_counts(found: Provenance) -> None:
    assert found.independent_origins + found.echoes == found.mentions
    assert sum(o.mentions for o in found.origins) == found.mentions


# --- the corpora --------------------------------------------------------------------------------

CITING = [
    "Vladimir Putin is facing a coup plot from his own security services, according to "
    "City A.M. The Kremlin did not comment.",
    "Putin's security chiefs are plotting a coup against him, according to City A.M.",
    "Analysts say a coup against Vladimir Putin is highly likely, as first reported by City A.M.",
]


def citing_city_am(n: int = 10) -> list[tuple[str, str]]:
    return [
        (f"Daily {k}", f"date 2022-05-{5 + k % 3:02d}\n\n{CITING[k % len(CITING)]}\n")
        for k in range(n)
    ]


EXPERT = [
    (
        "Sky News",
        "“A coup against Putin is highly likely,” security expert Andrei Soldatov told Sky News.",
    ),
    ("CNN", "Security expert Andrei Soldatov told CNN that a coup against Putin is highly likely."),
    (
        "The Moscow Times",
        "“A coup against Putin is highly likely,” Andrei Soldatov, a security "
        "expert, said in an interview.",
    ),
]
CITY_AM = (
    "City A.M.",
    "date 2022-05-04\n\nRussian security expert Andrei Soldatov told The Center for European "
    "Policy Analysis that a coup against Putin is highly likely.\n",
)


# --- the known answers --------------------------------------------------------------------------


def test_ten_articles_citing_one_outlet_have_one_origin(tmp_path: Path) -> None:
    analyses = analysed(citing_city_am())
    for a in analyses:
        found = sources_of(a)
        assert found, a.article.text
        # The extractor sees City A.M. as the source, or "analysts" beside the citation.
        assert found[0][1] in ("City A.M.", "Analysts"), found
    result = traced(stored(tmp_path, analyses))
    check_counts(result)
    assert result.mentions == 10
    assert result.independent_origins == 1
    assert result.echoes == 9
    (origin,) = result.origins
    assert (origin.kind, origin.label) == ("outlet", "City A.M.")
    g = result.graph
    assert g.nodes[origin.node]["origin"] is True
    citing = [u for u, v, d in g.edges(data=True) if v == origin.node and d["kind"] == "cites"]
    assert len(citing) == 10
    assert all(g.nodes[u]["kind"] == "article" for u in citing)


def test_the_cited_outlets_own_article_carries_the_chain_to_the_expert(tmp_path: Path) -> None:
    analyses = analysed([CITY_AM, *citing_city_am(4)])
    assert sources_of(analyses[0]) == [
        (
            "indirect",
            "Russian security expert Andrei Soldatov",
            "The Center for European Policy Analysis",
        )
    ]
    result = traced(stored(tmp_path, analyses))
    check_counts(result)
    assert (result.mentions, result.independent_origins, result.echoes) == (5, 1, 4)
    (origin,) = result.origins
    # The expert, heard through the think tank: City A.M. did not interview him.
    assert (origin.kind, origin.label) == ("source", "Andrei Soldatov")
    assert origin.via_label == "The Center for European Policy Analysis"
    g = result.graph
    city_am = f"article:{analyses[0].article.id}"
    assert g.edges[origin.via, origin.node]["kind"] == "quotes"
    assert g.edges[city_am, origin.via]["kind"] == "cites"
    # Every citing article reaches City A.M.'s own article through the outlet.
    publishes = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "publishes"]
    assert {v for _, v in publishes} == {city_am}
    for trace in result.traces[1:]:
        assert city_am in trace.path
        assert trace.echo
    shown = render(result)
    assert "origin 1: Andrei Soldatov" in shown
    assert "via The Center for European Policy Analysis" in shown
    assert shown.count("echo") >= 4


def test_three_outlets_quoting_the_expert_first_hand_have_three_origins(tmp_path: Path) -> None:
    analyses = analysed([(o, f"date 2022-05-0{k + 4}\n\n{t}\n") for k, (o, t) in enumerate(EXPERT)])
    for a in analyses:
        kinds = sources_of(a)
        assert len(kinds) == 1, kinds
        assert "Andrei Soldatov" in str(kinds[0][1]), kinds
    result = traced(stored(tmp_path, analyses))
    check_counts(result)
    assert (result.mentions, result.independent_origins, result.echoes) == (3, 3, 0)
    assert {o.label for o in result.origins} == {"Andrei Soldatov"}
    assert len({o.node for o in result.origins}) == 1  # one expert ...
    assert len({o.via for o in result.origins}) == 3  # ... quoted first-hand three times
    g = result.graph
    for o in result.origins:
        assert g.edges[o.via, o.node]["kind"] == "quotes"
        assert g.nodes[o.via]["kind"] == "article"  # its own channel: not a citation


def test_a_copy_chain_has_one_origin(tmp_path: Path) -> None:
    text = (
        "date 2022-05-0{day}\n\nAnalysts said a coup against Vladimir Putin is being prepared by "
        "his security chiefs, who fear defeat in Ukraine.\n"
    )
    analyses = analysed([(f"Paper {k}", text.format(day=k + 4)) for k in range(4)])
    assert all(sources_of(a) == [("indirect", "Analysts", None)] for a in analyses)
    ids = [a.article.id for a in analyses]
    # 1 copies 0, 2 copies 1 (a chain), 3 copies 0.
    result = traced(
        stored(tmp_path, analyses, copy_of={ids[1]: ids[0], ids[2]: ids[1], ids[3]: ids[0]})
    )
    check_counts(result)
    assert (result.mentions, result.independent_origins, result.echoes) == (4, 1, 3)
    (origin,) = result.origins
    assert origin.kind == "unnamed"  # the first paper's analysts
    assert origin.article_id == ids[0]
    g = result.graph
    assert g.edges[f"article:{ids[2]}", f"article:{ids[1]}"]["kind"] == "copies"
    assert [t.path for t in result.traces if t.article_id == ids[2]] == [
        (f"article:{ids[2]}", f"article:{ids[1]}", f"article:{ids[0]}", origin.node)
    ]
    shown = render(result)
    assert "copied by" in shown


def test_a_wire_credit_is_a_copy_of_the_wire(tmp_path: Path) -> None:
    text = "date 2022-05-05\n\nAnalysts said a coup against Putin is highly likely{}.\n\n(AP)\n"
    analyses = analysed([("Daily A", text.format("")), ("Daily B", text.format(" indeed"))])
    assert [a.article.credit for a in analyses] == ["AP", "AP"]
    result = traced(stored(tmp_path, analyses))
    check_counts(result)
    assert (result.independent_origins, result.echoes) == (1, 1)
    g = result.graph
    wire = next(n for n, d in g.nodes(data=True) if d["kind"] == "outlet")
    assert g.nodes[wire]["label"] == "Associated Press"
    for a in analyses:
        assert g.edges[f"article:{a.article.id}", wire]["kind"] == "copies"
    assert result.origins[0].kind == "unnamed"


def test_an_anchor_to_a_stored_article_is_a_citation(tmp_path: Path) -> None:
    first_url = "https://www.cityam.com/putin-coup-plot/"
    page = (
        "<html><head><title>Coup</title><meta property='og:site_name' content='Daily Z'>"
        "<meta property='article:published_time' content='2022-05-06'></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Coup</h1><p>A coup against Vladimir "
        "Putin is reportedly being prepared by his security chiefs, "
        f"<a href='{first_url.replace('https://www.', 'http://')}'>the paper wrote</a>.</p>"
        "<p>The war in Ukraine has gone badly for the Kremlin, which has lost thousands of "
        "soldiers and much equipment since February.</p></article></body></html>"
    )
    linking = html.parse(page, url="https://dailyz.example/coup")
    assert [link.text for link in linking.links] == ["the paper wrote"]
    first = house.parse(
        "date 2022-05-04\n\nA coup against Vladimir Putin is reportedly being prepared by his "
        "security chiefs.\n",
        outlet="City A.M.",
        url=first_url,
    )
    analyses = list(analyze_articles([first, linking]))
    # No one named: "reportedly", and "the paper wrote" (an unnamed source) with its anchor.
    assert [a.kind for a in analyses[0].attributions] == ["unattributed"]
    assert [a.source.type for a in analyses[1].attributions] == ["UNNAMED"]
    path = stored(tmp_path, analyses)
    with Store.open(path, create=False) as store:
        assert store.links(linking.id) == list(linking.links)
    result = traced(path)
    check_counts(result)
    g = result.graph
    assert g.edges[f"article:{linking.id}", f"article:{first.id}"]["kind"] == "cites"
    assert (result.mentions, result.independent_origins, result.echoes) == (2, 1, 1)
    (origin,) = result.origins
    assert (origin.kind, origin.article_id) == ("article", first.id)  # City A.M.'s own


# --- exports ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cascade(tmp_path_factory: pytest.TempPathFactory) -> Provenance:
    analyses = analysed([CITY_AM, *citing_city_am(3)])
    return traced(stored(tmp_path_factory.mktemp("cascade"), analyses))


def _same_graph(found: Provenance, back: nx.Graph, *, strings: bool = False) -> None:
    g = found.graph
    assert set(back.nodes) == set(g.nodes)
    assert {(u, v) for u, v in back.edges()} == set(g.edges)
    for node, attrs in g.nodes(data=True):
        for key in ("kind", "label", "origin", "date", "outlet"):
            if key in attrs:
                want = attrs[key]
                got = back.nodes[node][key]
                if strings:
                    assert str(got).strip('"') == str(want), (node, key)
                else:
                    assert got == want, (node, key)
    for u, v, attrs in g.edges(data=True):
        for key in ("kind", "origin", "mentions"):
            got = back.edges[u, v][key]
            assert (str(got).strip('"') == str(attrs[key])) if strings else got == attrs[key]


def test_graphml_round_trip(cascade: Provenance, tmp_path: Path) -> None:
    path = write_graph(cascade, tmp_path / "claim.graphml", "graphml")
    _same_graph(cascade, nx.read_graphml(path))


def test_gexf_round_trip(cascade: Provenance, tmp_path: Path) -> None:
    path = write_graph(cascade, tmp_path / "claim.gexf", "GEXF")
    _same_graph(cascade, nx.read_gexf(path, node_type=str))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dot_round_trip(cascade: Provenance, tmp_path: Path) -> None:
    path = write_graph(cascade, tmp_path / "claim.dot", "dot")
    back = nx_pydot.read_dot(path)
    # pydot quotes ids with a colon; networkx reads them back with their quotes.
    back = nx.relabel_nodes(back, {n: str(n).strip('"') for n in back.nodes})
    _same_graph(cascade, nx.DiGraph(back), strings=True)


def test_a_bad_format_and_an_unwritable_path_are_coded(cascade: Provenance, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        graph_format("svg")
    assert caught.value.code is Errors.E115
    with pytest.raises(RumormillError) as failed:
        write_graph(cascade, tmp_path / "no" / "such" / "dir" / "x.graphml", "graphml")
    assert failed.value.code is Errors.E116


def test_an_unknown_claim_is_e093(cascade: Provenance, tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as store, pytest.raises(InputError) as caught:
        provenance(store, 99)
    assert caught.value.code is Errors.E093


# --- the counting, on any graph -----------------------------------------------------------------

OUTLETS = [OutletRef(f"outlet:{k}", f"Outlet {k}", k) for k in range(4)]
SOURCES = [SourceRef(f"source:{k}", f"Person {k}", "PERSON") for k in range(3)]


@st.composite
def corpora(draw: st.DrawFn) -> tuple[dict[str, ArticleInput], list[MentionInput]]:
    n = draw(st.integers(1, 8))
    ids = [f"a{k}" for k in range(n)]
    articles: dict[str, ArticleInput] = {}
    for k, article_id in enumerate(ids):
        day = draw(st.one_of(st.none(), st.integers(1, 5)))
        others = [i for i in ids if i != article_id]
        articles[article_id] = ArticleInput(
            id=article_id,
            published=date(2022, 5, day) if day is not None else None,
            outlet=draw(st.one_of(st.none(), st.sampled_from(OUTLETS))),
            # Copies, wires and links in any direction: cycles included.
            copy_of=draw(st.one_of(st.none(), st.sampled_from(others))) if others else None,
            wire=draw(st.one_of(st.none(), st.sampled_from(OUTLETS))),
            links=tuple(draw(st.lists(st.sampled_from(others), max_size=2))) if others else (),
        )
        del k
    mentions = []
    for k in range(draw(st.integers(1, 12))):
        mentions.append(
            MentionInput(
                article_id=draw(st.sampled_from(ids)),
                attribution_id=f"m{k}",
                source=draw(st.one_of(st.none(), st.sampled_from(SOURCES))),
                unnamed=draw(st.one_of(st.none(), st.just("analysts"))),
                cited=draw(st.one_of(st.none(), st.sampled_from(OUTLETS))),
                content=draw(st.sampled_from(["a", "b"])),
            )
        )
    return articles, mentions


@given(corpora())
def test_origins_and_echoes_add_up_on_any_corpus(
    corpus: tuple[dict[str, ArticleInput], list[MentionInput]],
) -> None:
    articles, mentions = corpus
    found = build(1, "s", articles, mentions)
    check_counts(found)
    assert found.mentions == len(mentions) >= 1
    assert found.independent_origins >= 1
    assert not found.traces[0].echo  # the first mention always counts its origin
    seen: set[int] = set()
    for trace in found.traces:
        assert trace.echo == (trace.origin in seen)
        seen.add(trace.origin)
        assert len(trace.path) == len(set(trace.path))  # a trace never loops
        assert trace.path[0] == f"article:{trace.article_id}"
        assert all(node in found.graph for node in trace.path)
    for origin in found.origins:
        assert found.graph.nodes[origin.node]["origin"] is True
    # Every attribute is exportable.
    report.provenance_tree(found)


# --- migration 4 and the anchors of pages -------------------------------------------------------


def test_a_store_at_migration_3_migrates_to_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    (old,) = analysed([CITY_AM])
    with at_migration(monkeypatch, 3), Store.open(path) as store:
        store.add([old])
    db = sqlite3.connect(path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "article_links" not in tables
    finally:
        db.close()
    with Store.open(path) as store:
        with store.reading() as conn:
            assert max(migrations.applied(conn)) == migrations.latest()
            inspector = sa.inspect(conn)
            assert "article_links" in inspector.get_table_names()
            indexed = {ix["name"] for ix in inspector.get_indexes("article_links")}
            assert indexed == {ix.name for ix in schema.article_links.indexes}
        assert store.links(old.article.id) == []
        page = house.parse("date 2022-05-06\n\nA later story.\n", outlet="Daily Q")
        linked = type(page)(
            **{
                **{f: getattr(page, f) for f in page.__dataclass_fields__},
                "links": (Link("https://cityam.com/a", "City A.M."),),
            }
        )
        (later,) = analyze_articles([linked])
        store.add([later])
        assert store.links(later.article.id) == [Link("https://cityam.com/a", "City A.M.")]
        assert later.article.to_dict() == page.to_dict()  # links stay out of the JSON


# --- the commands -------------------------------------------------------------------------------


def render(found: Provenance) -> str:
    from rich.console import Console

    console = Console(width=160, record=True, color_system=None)
    console.print(report.provenance_tree(found))
    return console.export_text()


@pytest.fixture(scope="module")
def cascade_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    analyses = analysed([CITY_AM, *citing_city_am(3)])
    return stored(tmp_path_factory.mktemp("cli"), analyses)


def test_show_claim_provenance(cascade_db: Path) -> None:
    result = runner.invoke(
        app,
        ["show", "claim", str(CLAIM), "--provenance", "--db", str(cascade_db)],
        terminal_width=160,
    )
    assert result.exit_code == 0, result.output
    assert "1 independent origin, 3 echoes of 4 mentions" in result.output
    assert "Andrei Soldatov" in result.output
    as_json = runner.invoke(
        app, ["show", "claim", str(CLAIM), "--provenance", "--json", "--db", str(cascade_db)]
    )
    assert as_json.exit_code == 0, as_json.output
    assert '"independent_origins": 1' in as_json.output
    wrong = runner.invoke(app, ["show", "story", "1", "--provenance", "--db", str(cascade_db)])
    assert wrong.exit_code == 2


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "dot"])
def test_provenance_command_writes_the_graph(cascade_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"claim.{fmt}"
    result = runner.invoke(
        app,
        ["provenance", str(CLAIM), "--format", fmt, "--out", str(out), "--db", str(cascade_db)],
    )
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert "1 independent origin," in result.output


def test_provenance_command_refuses_a_bad_format_and_an_unknown_claim(
    cascade_db: Path, tmp_path: Path
) -> None:
    out = str(tmp_path / "x")
    bad = runner.invoke(app, ["provenance", "7", "--format", "svg", "--out", out])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["provenance", "99", "--out", out, "--db", str(cascade_db)])
    assert missing.exit_code == 2
    assert "E093" in missing.output
