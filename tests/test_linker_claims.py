"""Claims in the corpus: the store's linker links every attribution's content into a claim,
batch by batch, across outlets and days, within the claim window, and a restart from the saved
state takes the same decisions as an uninterrupted run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.link.claims import ClaimLinker
from rumormill.link.copies import CopyIndex
from rumormill.link.entities import STATE as ENTITIES
from rumormill.link.linker import CLAIMS, CLOCK, COPIES, STORIES, Linker
from rumormill.link.stories import StoryClusterer
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span
from rumormill.store import Links, Store

COUP = (
    "army generals are plotting a coup to oust Putin",
    "a coup to oust Putin is being plotted by army generals",
    "generals of the army plot a coup to remove Putin",
)
BRIDGE = "the old river bridge will close for repairs in June"
DAY = date(2022, 5, 1)


def article(
    contents: Sequence[str],
    published: date | None,
    outlet: str,
    *,
    filler: str = "",
    entities: Sequence[str] = ("Putin",),
) -> Analysis:
    """An article saying each content, attributed to an unnamed source."""
    text = " ".join(f"Sources said {c}." for c in contents) + (f" {filler}" if filler else "")
    attributions = []
    for k, content in enumerate(contents):
        start = text.index(content)
        attributions.append(
            Attribution(
                id=f"a{k + 1}",
                kind="indirect",
                source=Source(span=Span(0, 7, "Sources"), type="UNNAMED"),
                cue=None,
                channel=None,
                content=Span(start, start + len(content), content),
                certainty=Certainty(score=0.5, label="possible"),
            )
        )
    named = [Entity(id=f"e{k + 1}", name=name, type="PERSON") for k, name in enumerate(entities)]
    return Analysis(
        article=Article(text=text, published=published, outlet=outlet),
        sentences=[],
        entities=named,
        attributions=attributions,
    )


def fresh() -> Linker:
    return Linker(CopyIndex(), StoryClusterer(), ClaimLinker())


def restored(links: Links) -> Linker:
    """A linker restored from the state a batch's links carry, as `Linker.load` does."""
    return Linker.from_state(links.state)


def test_paraphrases_across_outlets_and_days_link_into_one_claim() -> None:
    linker = fresh()
    batch = [
        article([COUP[0]], DAY, "Daily A"),
        article([COUP[1], BRIDGE], DAY + timedelta(days=3), "Daily B"),
    ]
    first = linker.link(batch)
    second = linker.link([article([COUP[2]], DAY + timedelta(days=6), "Daily C")])
    a, b = batch[0].article.id, batch[1].article.id
    coup = first.claim[(a, "a1")]
    assert first.claim[(b, "a1")] == coup
    assert first.claim[(b, "a2")] != coup  # the bridge: another claim
    (only,) = second.claim.values()
    assert only == coup
    assert set(second.state) == {COPIES, STORIES, CLAIMS, CLOCK, ENTITIES}


def test_a_copy_s_attributions_get_claims_too() -> None:
    filler = " ".join(f"word{k}" for k in range(80))  # long enough to be found a copy
    original = article([COUP[0], BRIDGE], DAY, "Daily A", filler=filler)
    copy = article([COUP[0], BRIDGE], DAY + timedelta(days=1), "Daily B", filler=filler)
    copy = Analysis(
        article=Article(text=copy.article.text + " (Reuters)", published=copy.article.published),
        sentences=[],
        entities=copy.entities,
        attributions=copy.attributions,
    )
    links = fresh().link([original, copy])
    assert links.copy_of == {copy.article.id: original.article.id}
    for ident in ("a1", "a2"):
        assert links.claim[(copy.article.id, ident)] == links.claim[(original.article.id, ident)]


def test_a_claim_revived_after_the_window_opens_a_new_claim() -> None:
    linker = fresh()
    early = linker.link([article([COUP[0]], DAY, "Daily A")])
    within = linker.link([article([COUP[1]], DAY + timedelta(days=30), "Daily B")])
    late = linker.link([article([COUP[2]], DAY + timedelta(days=61), "Daily C")])
    assert list(early.claim.values()) == list(within.claim.values())
    assert list(late.claim.values()) != list(within.claim.values())


def test_quiet_claims_are_forgotten_and_ids_never_reused() -> None:
    linker = fresh()
    linker.link([article([COUP[0]], DAY, "Daily A"), article([BRIDGE], DAY, "Daily B")])
    assert len(linker.claims) == 2
    # 30 days of copy / story horizon plus the 30-day claim window, and one more.
    late = linker.link(
        [article(["the harvest was the best in ten years"], DAY + timedelta(61), "C")]
    )
    assert len(linker.claims) == 1
    assert list(late.claim.values()) == [3]
    again = restored(late).link(
        [article(["a comet will pass near Mars"], DAY + timedelta(62), "D")]
    )
    assert list(again.claim.values()) == [4]


def test_empty_contents_get_no_claim() -> None:
    analysis = article([COUP[0]], DAY, "Daily A")
    blank = Attribution(
        id="a9",
        kind="unattributed",
        source=Source(span=None, type="UNNAMED"),
        cue=None,
        channel=None,
        content=Span(0, 1, " "),
        certainty=Certainty(score=0.0, label="possible"),
    )
    analysis.attributions.append(blank)
    links = fresh().link([analysis])
    assert set(links.claim) == {(analysis.article.id, "a1")}


def test_long_articles_pass_their_most_mentioned_entities() -> None:
    linker = fresh()
    cap = linker.claims.params.max_entities
    analysis = article([COUP[0]], DAY, "A", entities=[f"Person {k}" for k in range(cap + 10)])
    analysis.entities[-1].mentions.extend([Span(0, 1, "S"), Span(1, 2, "o")])
    (one,) = linker._claim_inputs(analysis)
    assert len(one.entities) == cap
    assert one.entities[0] == f"Person {cap + 9}"


def test_restart_from_the_store_takes_the_same_decisions(tmp_path: Path) -> None:
    batches = [
        [article([COUP[0], BRIDGE], DAY, "A"), article([COUP[1]], DAY + timedelta(1), "B")],
        [article(["the harvest was the best in ten years"], DAY + timedelta(2), "C")],
        [article([COUP[2], "the bridge will be closed in June for repairs"], None, "D")],
        [article(["the harvest this year was the best in a decade"], DAY + timedelta(70), "E")],
    ]
    whole = fresh()
    expected = [whole.link(batch) for batch in batches]
    got = []
    for k, batch in enumerate(batches):
        with Store.open(tmp_path / "s.db") as store:
            linker = Linker.load(store)  # a new process, as it were, for every batch
            links = linker.link(batch)
            store.add(batch, links=links)
            got.append(links)
        if k == 0:
            with Store.open(tmp_path / "s.db") as store:
                stored = {
                    (a.article_id, a.attribution.id): a.claim_id for a in store.attributions()
                }
            assert stored == links.claim
    assert [g.claim for g in got] == [e.claim for e in expected]
    assert got[-1].state == expected[-1].state


PHRASES = (*COUP, BRIDGE, "the harvest was the best in ten years", "a comet will pass near Mars")


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(PHRASES), min_size=1, max_size=3, unique=True),
            st.one_of(st.none(), st.integers(0, 90)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 4),
)
def test_saving_and_restoring_between_batches_changes_nothing(
    items: list[tuple[list[str], int | None]], size: int
) -> None:
    analyses = []
    for k, (contents, day) in enumerate(items):
        published = None if day is None else DAY + timedelta(days=day)
        analyses.append(article(contents, published, f"o{k}", filler=f"({k})"))
    batches = [analyses[k : k + size] for k in range(0, len(analyses), size)]
    whole = fresh()
    expected = [whole.link(batch) for batch in batches]
    linker = fresh()
    for batch, want in zip(batches, expected, strict=True):
        links = linker.link(batch)
        assert links.claim == want.claim
        assert links.state[CLAIMS] == want.state[CLAIMS]
        linker = restored(links)
    # Every attribution has a claim, and a claim number is never 0.
    labelled = {(a.article.id, t.id) for a in analyses for t in a.attributions}
    assert {key for e in expected for key in e.claim} == labelled
    assert all(n >= 1 for e in expected for n in e.claim.values())
