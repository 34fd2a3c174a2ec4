"""One entity across articles: the incremental resolver (names, surnames, namesakes, types),
its saved state, and the corpus entities the store keeps from it."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.analysis import analyze_articles
from rumormill.errors import Errors, InputError, StoreError
from rumormill.link.claims import ClaimLinker
from rumormill.link.copies import CopyIndex
from rumormill.link.entities import EntityResolver, ResolverParams, normalise
from rumormill.link.linker import Linker
from rumormill.link.stories import StoryClusterer
from rumormill.model import Analysis, Article, Entity, Span
from rumormill.store import Links, ResolverEntity, ResolverKey, Store

CORPUS = Path(__file__).resolve().parent.parent / "src" / "rumormill" / "data" / "wikinews"

Named = tuple[str, str] | tuple[str, str, list[str]]


def article(*entities: Named, day: int = 5, ident: str | None = None) -> Analysis:
    """An analysis whose text names each entity once; entity ids e1, e2, ... in order."""
    text = ". ".join(e[0] for e in entities) + "."
    at = 0
    built = []
    for n, named in enumerate(entities, start=1):
        name, entity_type = named[0], named[1]
        descriptors = list(named[2]) if len(named) == 3 else []
        start = text.index(name, at)
        at = start + len(name)
        built.append(Entity(f"e{n}", name, entity_type, [Span(start, at, name)], list(descriptors)))
    published = date(2022, 5, day)
    body = f"{text} ({ident})" if ident else text
    return Analysis(Article(text=body, published=published, outlet="X"), [], built, [])


def ids(resolver: EntityResolver, *analyses: Analysis) -> list[list[int]]:
    """Each article's corpus ids, in entity order."""
    out = []
    for analysis in analyses:
        found = resolver.link(analysis)
        out.append([found[e.id] for e in analysis.entities])
    return out


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entity_type", "key", "bare"),
    [
        ("Andrei Soldatov", "PERSON", "andrei soldatov", False),
        ("the Russian security expert Andrei Soldatov", "PERSON", "andrei soldatov", False),
        ("Soldatov", "PERSON", "soldatov", True),
        ("Soldatov's", "PERSON", "soldatov", True),
        ("President Vladimir Putin", "PERSON", "vladimir putin", False),
        ("Mr. Putin", "PERSON", "putin", True),
        ("Dr Alexey Muraviev", "PERSON", "alexey muraviev", False),
        ("Prime Minister Boris Johnson’s", "PERSON", "boris johnson", False),
        ("Ursula von der Leyen", "PERSON", "ursula von der leyen", False),
        ("von der Leyen", "PERSON", "von der leyen", True),
        ("Martin Luther King Jr.", "PERSON", "martin luther king", False),
        ("José Álvarez", "PERSON", "jose alvarez", False),
        ("The New York Times", "ORG", "new york times", False),
        ("General Motors", "ORG", "general motors", False),
        ("the U.S.", "GPE", "us", False),
        ("Kremlin", "ORG", "kremlin", False),
    ],
)
def test_names_are_normalised(name: str, entity_type: str, key: str, bare: bool) -> None:
    found = normalise(name, entity_type)
    assert found.key == key
    assert found.bare is bare


def test_the_display_name_keeps_case_and_accents() -> None:
    assert normalise("President Vladimir Putin's", "PERSON").display == "Vladimir Putin"
    assert normalise("the U.S.", "GPE").display == "U.S."
    assert normalise("José Álvarez", "PERSON").display == "José Álvarez"


# --- one person across articles ---------------------------------------------------------------


def test_soldatov_in_three_articles_is_one_person() -> None:
    resolver = EntityResolver()
    found = ids(
        resolver,
        article(("Soldatov", "PERSON")),
        article(("Andrei Soldatov", "PERSON"), ("Kremlin", "ORG")),
        article(
            ("Andrei Soldatov", "PERSON", ["the Russian security expert"]),
            ("Soldatov", "PERSON"),
        ),
        article(("the Russian security expert Andrei Soldatov", "PERSON")),
    )
    soldatov = found[0][0]
    assert found == [[soldatov], [soldatov, found[1][1]], [soldatov, soldatov], [soldatov]]
    assert found[1][1] != soldatov
    assert resolver.entity(soldatov).name == "Andrei Soldatov"
    assert resolver.entity(soldatov).type == "PERSON"
    assert len(resolver) == 2


def test_putin_and_vladimir_putin_are_one_either_way_round() -> None:
    for order in (1, -1):
        resolver = EntityResolver()
        names = ["Putin", "Vladimir Putin", "President Putin", "Putin's", "Mr. Putin"][::order]
        found = ids(resolver, *(article((n, "PERSON")) for n in names))
        assert len({i for row in found for i in row}) == 1
        assert resolver.entity(found[0][0]).name == "Vladimir Putin"


def test_types_are_kept_apart_but_places_are_one_class() -> None:
    resolver = EntityResolver()
    found = ids(
        resolver,
        article(("Vladimir Putin", "PERSON"), ("Putin", "ORG")),
        article(("Russia", "GPE")),
        article(("Russia", "LOC"), ("Russia", "NORP")),
    )
    assert found[0][0] != found[0][1]
    assert found[1][0] == found[2][0]
    assert found[2][1] != found[2][0]


def test_namesakes_do_not_merge_through_their_surname() -> None:
    resolver = EntityResolver()
    [[andrei], [alexei], [bare], [both_a, both_b, both_bare], [alexei_again, context]] = ids(
        resolver,
        article(("Andrei Soldatov", "PERSON")),
        article(("Alexei Soldatov", "PERSON")),
        article(("Soldatov", "PERSON")),
        article(
            ("Andrei Soldatov", "PERSON"), ("Alexei Soldatov", "PERSON"), ("Soldatov", "PERSON")
        ),
        article(("Alexei Soldatov", "PERSON"), ("Soldatov", "PERSON")),
    )
    assert andrei != alexei
    # A bare surname held by two people goes to the surname-only entity, never to either.
    assert bare not in (andrei, alexei)
    assert resolver.entity(bare).name == "Soldatov"
    assert (both_a, both_b, both_bare) == (andrei, alexei, bare)
    # The one full name in the same article decides.
    assert (alexei_again, context) == (alexei, alexei)


def test_a_later_full_name_attaches_to_an_earlier_surname_only_when_unambiguous() -> None:
    resolver = EntityResolver()
    [[bare], [andrei], [alexei], [later]] = ids(
        resolver,
        article(("Soldatov", "PERSON")),
        article(("Andrei Soldatov", "PERSON")),
        article(("Alexei Soldatov", "PERSON")),
        article(("Soldatov", "PERSON")),
    )
    assert andrei == bare
    assert alexei != andrei
    # Once two people hold the surname, a bare one is neither of them.
    assert later not in (andrei, alexei)

    resolver = EntityResolver()
    [[bare], [a, b]] = ids(
        resolver,
        article(("Soldatov", "PERSON")),
        article(("Andrei Soldatov", "PERSON"), ("Alexei Soldatov", "PERSON")),
    )
    assert len({bare, a, b}) == 3


def test_a_dominant_namesake_takes_the_bare_surname() -> None:
    stream = [article(("Donald Trump", "PERSON")) for _ in range(4)]
    stream.append(article(("Melania Trump", "PERSON")))
    stream.append(article(("Trump", "PERSON")))
    found = ids(EntityResolver(), *stream)
    assert found[-1] == found[0]
    strict = ids(EntityResolver(ResolverParams(dominance=0)), *stream)
    assert strict[-1][0] not in (strict[0][0], strict[4][0])
    # Not dominant enough: 4 against 2.
    stream.insert(5, article(("Melania Trump", "PERSON")))
    found = ids(EntityResolver(), *stream)
    assert found[-1][0] not in (found[0][0], found[4][0])


def test_add_to_fills_the_links_of_a_batch() -> None:
    resolver = EntityResolver()
    first, second = article(("Putin", "PERSON")), article(("Vladimir Putin", "PERSON"))
    links = Links()
    resolver.add_to(links, first)
    resolver.add_to(links, second)
    assert links.entity == {(first.article.id, "e1"): 1, (second.article.id, "e1"): 1}
    assert links.corpus_entities[1].name == "Vladimir Putin"
    assert links.corpus_entities[1].type == "PERSON"


# --- saved state --------------------------------------------------------------------------------


def stream_of_articles() -> list[Analysis]:
    return [
        article(("Soldatov", "PERSON"), ("Kremlin", "ORG"), day=1),
        article(("Andrei Soldatov", "PERSON", ["Russian security expert"]), day=2),
        article(("Vladimir Putin", "PERSON"), ("Russia", "GPE"), day=3),
        article(("Alexei Soldatov", "PERSON"), ("Putin", "PERSON"), day=4),
        article(("Soldatov", "PERSON"), ("the Kremlin", "ORG"), day=5),
        article(("Donald Trump", "PERSON"), ("Russia", "LOC"), day=6),
        article(("Trump", "PERSON"), day=7),
    ]


def test_a_restored_resolver_decides_as_an_uninterrupted_one() -> None:
    stream = stream_of_articles()
    whole = EntityResolver()
    expected = ids(whole, *stream)
    for cut in range(len(stream) + 1):
        part = EntityResolver()
        got = ids(part, *stream[:cut])
        restored = EntityResolver.from_bytes(part.to_bytes())
        got += ids(restored, *stream[cut:])
        assert got == expected
        assert restored.to_bytes() == whole.to_bytes()


def test_the_state_is_json_and_grows_with_names_not_articles() -> None:
    resolver = EntityResolver()
    ids(resolver, *stream_of_articles())
    size = len(resolver.to_bytes())
    ids(resolver, *stream_of_articles())
    assert len(resolver.to_bytes()) <= size + 10  # only the article counts grew
    state = json.loads(resolver.to_bytes())
    assert state["format"] == "rumormill.entities"
    assert sorted(state["names"]["PERSON"]) == [
        "alexei soldatov",
        "andrei soldatov",
        "donald trump",
        "vladimir putin",
    ]
    assert all(a.article.id not in resolver.to_bytes().decode() for a in stream_of_articles())


def _state(**changes: Any) -> bytes:
    resolver = EntityResolver()
    ids(resolver, *stream_of_articles())
    state = json.loads(resolver.to_bytes())
    state.update(changes)
    return json.dumps(state).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe",
        b"not json",
        b"[]",
        json.dumps({"format": "rumormill.copies", "version": 1}).encode(),
        _state(version=99),
        _state(entities=[["PERSON"]]),
        _state(names={"PERSON": {"andrei soldatov": 99}}),
        _state(names={"ORG": {"andrei soldatov": 2}}),  # 2 is a person
        _state(names={"PERSON": {"soldatov": 2}}),
        _state(bare={"kremlin": 1}),  # 1 is the Kremlin
        _state(bare={"soldatov": 2}),  # 2 has a full name
        _state(bare={"soldatov": "x"}),
        _state(params={"dominance": 1.0, "min_articles": 0}),
    ],
)
def test_a_bad_saved_state_is_a_coded_error(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        EntityResolver.from_bytes(data)
    assert caught.value.code is Errors.E080
    assert "entity resolver" in str(caught.value)


# --- properties ---------------------------------------------------------------------------------

FIRST = ["Andrei", "Alexei", "Vladimir", "Anna"]
LAST = ["Soldatov", "Putin", "Trump"]
ORGS = ["Kremlin", "FSB", "the Kremlin", "Putin"]


@st.composite
def entity_names(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["full", "bare", "title", "org", "place"]))
    last = draw(st.sampled_from(LAST))
    if kind == "full":
        return f"{draw(st.sampled_from(FIRST))} {last}", "PERSON"
    if kind == "bare":
        return last, "PERSON"
    if kind == "title":
        return f"President {draw(st.sampled_from(FIRST))} {last}'s", "PERSON"
    if kind == "org":
        return draw(st.sampled_from(ORGS)), "ORG"
    return draw(st.sampled_from(["Russia", "Moscow"])), draw(st.sampled_from(["GPE", "LOC"]))


@st.composite
def streams(draw: st.DrawFn) -> list[Analysis]:
    out = []
    for n in range(draw(st.integers(0, 8))):
        named = draw(st.lists(entity_names(), max_size=4, unique=True))
        out.append(article(*named, day=1 + n % 28, ident=f"n{n}"))
    return out


@settings(max_examples=60)
@given(streams(), st.data())
def test_resolving_is_deterministic_resumable_and_consistent(
    stream: list[Analysis], data: st.DataObject
) -> None:
    first, second = EntityResolver(), EntityResolver()
    expected = ids(first, *stream)
    assert ids(second, *stream) == expected
    assert first.to_bytes() == second.to_bytes()

    cut = data.draw(st.integers(0, len(stream)))
    part = EntityResolver()
    got = ids(part, *stream[:cut])
    restored = EntityResolver.from_bytes(part.to_bytes())
    assert ids(restored, *stream[cut:]) == expected[cut:]
    assert got == expected[:cut]
    assert restored.to_bytes() == first.to_bytes()

    by_key: dict[tuple[str, str], int] = {}
    for analysis, row in zip(stream, expected, strict=True):
        for entity, corpus_id in zip(analysis.entities, row, strict=True):
            assert 1 <= corpus_id <= len(first)
            name = normalise(entity.name, entity.type)
            if not name.bare:
                # One full name, one entity; two full names, never one entity.
                assert by_key.setdefault((name.cls, name.key), corpus_id) == corpus_id
    assert len(set(by_key.values())) == len(by_key)

    # Linking an article again at once gives the same ids.
    if stream:
        assert ids(first, stream[-1]) == expected[-1:]


# --- the store ---------------------------------------------------------------------------------


def stored(tmp_path: Path, batches: list[list[Analysis]]) -> Store:
    resolver = EntityResolver()
    store = Store.open(tmp_path / "e.db")
    for batch in batches:
        links = Links()
        for analysis in batch:
            resolver.add_to(links, analysis)
        resolver.save_to(links)
        store.add(batch, links=links)
    return store


def test_the_store_keeps_one_entity_with_its_names_roles_and_days(tmp_path: Path) -> None:
    role = "head of the FSB's foreign intelligence branch"
    first = article(("Soldatov", "PERSON"), ("Sergei Beseda", "PERSON", [role]), day=5)
    second = article(
        ("Andrei Soldatov", "PERSON", ["Russian security expert"]),
        ("Beseda", "PERSON", ["The head of the FSB's foreign intelligence branch"]),
        day=6,
    )
    third = article(
        ("the Russian security expert Andrei Soldatov", "PERSON", ["a Russian security expert"]),
        ("Kremlin", "ORG"),
        day=9,
    )
    with stored(tmp_path, [[first], [second, third]]) as store:
        [hit] = store.find_entities("soldatov")
        assert hit.name == "Andrei Soldatov"
        assert (hit.first_seen, hit.last_seen) == (date(2022, 5, 5), date(2022, 5, 9))
        assert (hit.articles, hit.mentions) == (3, 3)
        entity = store.entity(hit.id)
        assert entity is not None
        assert dict(entity.names) == {
            "Soldatov": 1,
            "Andrei Soldatov": 1,
            "the Russian security expert Andrei Soldatov": 1,
        }
        assert [(r.text, r.first_seen, r.last_seen, r.articles) for r in entity.roles] == [
            ("Russian security expert", date(2022, 5, 6), date(2022, 5, 9), 2)
        ]
        assert entity.roles[0].article_id == second.article.id
        assert entity.mentions_per_day == (
            (date(2022, 5, 5), 1),
            (date(2022, 5, 6), 1),
            (date(2022, 5, 9), 1),
        )
        [beseda] = store.find_entities("Sergei Beseda")
        roles = store.entity(beseda.id)
        assert roles is not None
        assert [(r.text, r.first_seen, r.article_id) for r in roles.roles] == [
            (role, date(2022, 5, 5), first.article.id)
        ]
        assert roles.roles[0].articles == 2
        assert store.find_entities("Kremlin")[0].type == "ORG"
        assert store.find_entities("nobody") == []
        assert store.entity(999) is None
        assert store.counts()["corpus_entities"] == 3


def test_a_duplicate_article_is_not_counted_twice(tmp_path: Path) -> None:
    one = article(("Vladimir Putin", "PERSON"), day=3)
    with stored(tmp_path, [[one], [one, article(("Putin", "PERSON"), day=8)]]) as store:
        [putin] = store.find_entities("Putin")
        assert (putin.articles, putin.mentions) == (2, 2)
        assert (putin.first_seen, putin.last_seen) == (date(2022, 5, 3), date(2022, 5, 8))


def test_an_empty_entity_query_is_a_coded_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "e.db") as store, pytest.raises(StoreError) as caught:
        store.find_entities("  ")
    assert caught.value.code is Errors.E100


# --- saved in the store, batch by batch --------------------------------------------------------


def save_batch(store: Store, resolver: EntityResolver, batch: list[Analysis]) -> Links:
    """Link a batch and store it with its links and the resolver's changes, as an ingest does."""
    links = Links()
    for analysis in batch:
        resolver.add_to(links, analysis)
    resolver.save_to(links)
    store.add(batch, links=links)
    return links


def in_batches(stream: list[Analysis], size: int) -> list[list[Analysis]]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def test_a_resolver_restored_from_the_store_decides_as_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    stream = [
        *stream_of_articles(),
        article(("Alexei Soldatov", "PERSON"), ("Soldatov", "PERSON"), day=8, ident="again"),
        article(("Soldatov", "PERSON"), ("Vladimir Putin", "PERSON"), day=9, ident="again"),
    ]
    whole = EntityResolver()
    expected = ids(whole, *stream)
    batches = in_batches(stream, 2)
    for cut in range(len(batches) + 1):
        path = tmp_path / f"cut{cut}.db"
        got: list[list[int]] = []
        with Store.open(path) as store:
            part = EntityResolver()
            for batch in batches[:cut]:
                links = save_batch(store, part, batch)
                got += [[links.entity[(a.article.id, e.id)] for e in a.entities] for a in batch]
        with Store.open(path) as store:  # a new process, as it were
            restored = EntityResolver.from_store(store)
            assert restored.to_bytes() == part.to_bytes()
            for batch in batches[cut:]:
                links = save_batch(store, restored, batch)
                got += [[links.entity[(a.article.id, e.id)] for e in a.entities] for a in batch]
        assert got == expected, cut
        assert restored.to_bytes() == whole.to_bytes()
        with Store.open(path) as store:
            assert EntityResolver.from_store(store).to_bytes() == whole.to_bytes()


def test_a_fresh_store_gives_a_fresh_resolver(tmp_path: Path) -> None:
    with Store.open(tmp_path / "e.db") as store:
        resolver = EntityResolver.from_store(store, ResolverParams(dominance=0))
        assert len(resolver) == 0
        assert resolver.params.dominance == 0
        save_batch(store, resolver, [article(("Donald Trump", "PERSON"))])
        # The saved params come back, unless others are given.
        assert EntityResolver.from_store(store).params.dominance == 0
        assert EntityResolver.from_store(store, ResolverParams()).params.dominance == 4.0


def test_what_a_batch_writes_does_not_grow_with_the_batches_before_it(tmp_path: Path) -> None:
    """Each batch names three recurring people (counted again), a new surname seen alone, and
    a new person and organisation: its rows are the same whether it comes 2nd or 40th."""

    def batch(k: int) -> list[Analysis]:
        return [
            article(
                ("Vladimir Putin", "PERSON"),
                ("Andrei Soldatov", "PERSON"),
                (f"Anna Newname{k}", "PERSON"),
                day=1 + k % 28,
                ident=f"a{k}",
            ),
            article(
                ("Donald Trump", "PERSON"),
                (f"Surname{k}", "PERSON"),
                (f"Company Number {k}", "ORG"),
                day=1 + k % 28,
                ident=f"b{k}",
            ),
        ]

    resolver = EntityResolver()
    written: list[int] = []
    sizes: list[int] = []
    resolver_tables = ("resolver_entities", "resolver_keys", "link_state")

    def count(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        head = statement.lstrip().split("(")[0].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE")) and any(
            t.upper() in head for t in resolver_tables
        ):
            written[-1] += len(params) if many else 1

    with Store.open(tmp_path / "e.db") as store:
        sa.event.listen(store.engine, "before_cursor_execute", count)
        for k in range(40):
            written.append(0)
            links = save_batch(store, resolver, batch(k))
            sizes.append(
                len(links.resolver_entities)
                + len(links.resolver_keys)
                + len(links.state["entities"])
            )
        sa.event.remove(store.engine, "before_cursor_execute", count)
        assert len(resolver) == 3 * 40 + 3
        # One row per entity and one per name (each entity has one here).
        assert len(list(store.resolver_rows())) == 2 * len(resolver)
    # The first batch opens the recurring people too; the header grows with the digits of
    # the number of entities only.
    assert written[1] == written[-1] > 0, written
    assert len(set(written[1:])) == 1, written
    assert max(sizes[1:]) - min(sizes[1:]) <= 2, sizes


def test_a_batch_rolled_back_leaves_the_resolver_as_it_was_before_it(tmp_path: Path) -> None:
    stream = stream_of_articles()
    whole = EntityResolver()
    expected = ids(whole, *stream)
    first, failed = stream[:3], stream[3:]
    with Store.open(tmp_path / "e.db") as store:
        resolver = EntityResolver()
        save_batch(store, resolver, first)
        before = resolver.to_bytes()

        def fail(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
            # The last write of a batch, after the resolver's rows.
            if statement.lstrip().upper().startswith(("INSERT INTO LINK_STATE", "UPDATE LINK")):
                raise RuntimeError("the disk is full")

        sa.event.listen(store.engine, "before_cursor_execute", fail)
        with pytest.raises(RuntimeError):
            save_batch(store, resolver, failed)  # the resolver's changes were written first
        sa.event.remove(store.engine, "before_cursor_execute", fail)
        assert store.counts()["articles"] == 3
        restored = EntityResolver.from_store(store)
        assert restored.to_bytes() == before
        got = ids(EntityResolver.from_bytes(before), *failed)
        links = save_batch(store, restored, failed)
        assert [[links.entity[(a.article.id, e.id)] for e in a.entities] for a in failed] == got
        assert got == expected[3:]
        assert EntityResolver.from_store(store).to_bytes() == whole.to_bytes()


def test_the_resolver_saves_articles_the_store_skips(tmp_path: Path) -> None:
    """A duplicate's or a rejected article's names are the resolver's all the same (it linked
    them): they are saved, though no corpus entity shows them."""
    one = article(("Vladimir Putin", "PERSON"))
    bad = article(("Kremlin", "ORG"), ident="\x00")
    with Store.open(tmp_path / "e.db") as store:
        resolver = EntityResolver()
        save_batch(store, resolver, [one])
        save_batch(store, resolver, [one, bad])
        assert store.counts()["articles"] == 1
        assert store.counts()["corpus_entities"] == 1
        restored = EntityResolver.from_store(store)
        assert restored.to_bytes() == resolver.to_bytes()
        assert restored.entity(1).articles == 2
        assert restored.entity(2).name == "Kremlin"


class _Table:
    """The resolver's tables as the store keeps them, applied from each batch's `Links`."""

    def __init__(self) -> None:
        self.header: bytes | None = None
        self.entities: dict[int, ResolverEntity] = {}
        self.keys: dict[tuple[str, str, str], int] = {}

    def apply(self, links: Links) -> None:
        self.header = links.state["entities"]
        self.entities.update(links.resolver_entities)
        for key, corpus_id in links.resolver_keys.items():
            if corpus_id is None:
                self.keys.pop(key, None)
            else:
                self.keys[key] = corpus_id

    def rows(self) -> list[ResolverEntity | ResolverKey]:
        out: list[ResolverEntity | ResolverKey] = [self.entities[i] for i in sorted(self.entities)]
        out += [ResolverKey(c, kind, key, i) for (c, kind, key), i in self.keys.items()]
        return out


@settings(max_examples=60)
@given(streams(), st.lists(st.integers(1, 3), max_size=8))
def test_saving_changes_batch_by_batch_restores_the_same_resolver(
    stream: list[Analysis], sizes: list[int]
) -> None:
    whole = EntityResolver()
    expected = ids(whole, *stream)
    table = _Table()
    resolver = EntityResolver()
    got: list[list[int]] = []
    at = 0
    for size in [*sizes, len(stream)]:
        batch = stream[at : at + size]
        at += size
        links = Links()
        for analysis in batch:
            resolver.add_to(links, analysis)
        resolver.save_to(links)
        # A batch writes no more than it touched: each entity and name at most once.
        touched = set(links.entity.values())
        assert set(links.resolver_entities) <= touched
        table.apply(links)
        got += [[links.entity[(a.article.id, e.id)] for e in a.entities] for a in batch]
        # A new process, as it were, after every batch.
        resolver = EntityResolver.from_rows(table.header, table.rows())
        assert resolver.to_bytes() == EntityResolver.from_bytes(resolver.to_bytes()).to_bytes()
        if at >= len(stream):
            break
    assert got == expected
    assert resolver.to_bytes() == whole.to_bytes()


def _rows() -> tuple[bytes, list[ResolverEntity | ResolverKey]]:
    resolver = EntityResolver()
    links = Links()
    for analysis in stream_of_articles():
        resolver.add_to(links, analysis)
    resolver.save_to(links)
    table = _Table()
    table.apply(links)
    return links.state["entities"], table.rows()


def _header(**changes: Any) -> bytes:
    header, _ = _rows()
    state = json.loads(header)
    state.update(changes)
    return json.dumps(state).encode()


def _changed(
    drop: int | None = None, add: ResolverEntity | ResolverKey | None = None
) -> list[ResolverEntity | ResolverKey]:
    _, rows = _rows()
    if drop is not None:
        del rows[drop]
    if add is not None:
        rows.insert(0 if isinstance(add, ResolverEntity) else len(rows), add)
    return rows


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        (b"not json", _rows()[1]),
        (json.dumps({"format": "rumormill.entities", "version": 1}).encode(), _rows()[1]),
        (_header(version=2), _rows()[1]),
        (_header(entities=99), _rows()[1]),
        (_header(entities="x"), _rows()[1]),
        (_header(params={"dominance": 1.0, "min_articles": 0}), _rows()[1]),
        (None, _rows()[1]),  # rows but no header
        (_header(), _changed(drop=0)),  # entity 1 missing
        (_header(), _changed(add=ResolverEntity(1, "PERSON", "Soldatov", 1))),
        (_header(), _changed(add=ResolverKey("PERSON", "full", "anna putin", 99))),
        (_header(), _changed(add=ResolverKey("PERSON", "nick", "vova", 3))),
        (_header(), _changed(add=ResolverKey("ORG", "bare", "kremlin", 2))),
        (_header(), _changed(add=ResolverKey("PERSON", "bare", "putin", 3))),  # full-named
        (_header(), _changed(add=ResolverKey("PERSON", "full", "putin", 3))),  # a surname
    ],
)
def test_bad_saved_rows_are_a_coded_error(
    header: bytes | None, rows: list[ResolverEntity | ResolverKey]
) -> None:
    with pytest.raises(InputError) as caught:
        EntityResolver.from_rows(header, rows)
    assert caught.value.code is Errors.E080
    assert "entity resolver" in str(caught.value)


def test_good_saved_rows_restore(tmp_path: Path) -> None:
    header, rows = _rows()
    restored = EntityResolver.from_rows(header, rows)
    assert len(restored) == len(EntityResolver.from_bytes(_state()))


class EntityLinker(Linker):
    """`Linker` with the lines that give it an entity resolver (see linker.py)."""

    entities: EntityResolver

    def __init__(
        self,
        copies: CopyIndex,
        stories: StoryClusterer,
        claims: ClaimLinker | None = None,
        entities: EntityResolver | None = None,
    ) -> None:
        super().__init__(copies, stories, claims)
        self.entities = entities or EntityResolver()

    @classmethod
    def load(cls, store: Store) -> EntityLinker:
        linker = super().load(store)
        assert isinstance(linker, EntityLinker)
        linker.entities = EntityResolver.from_store(store)
        return linker

    def link(self, analyses: Sequence[Analysis]) -> Links:
        links = super().link(analyses)
        for analysis in analyses:
            self.entities.add_to(links, analysis)
        self.entities.save_to(links)
        return links


def test_the_linker_lines_save_and_restore_the_resolver(tmp_path: Path) -> None:
    stream = stream_of_articles()
    whole = EntityLinker(CopyIndex(), StoryClusterer(), ClaimLinker())
    expected: dict[tuple[str, str], int] = {}
    for batch in in_batches(stream, 3):
        expected.update(whole.link(batch).entity)
    got: dict[tuple[str, str], int] = {}
    for batch in in_batches(stream, 3):
        with Store.open(tmp_path / "l.db") as store:
            linker = EntityLinker.load(store)  # a new process, as it were, for every batch
            links = linker.link(batch)
            store.add(batch, links=links)
            got.update(links.entity)
    assert got == expected
    with Store.open(tmp_path / "l.db") as store:
        assert EntityLinker.load(store).entities.to_bytes() == whole.entities.to_bytes()
        [soldatov] = [e for e in store.find_entities("Soldatov") if e.name == "Andrei Soldatov"]
        assert soldatov.articles == 2


# --- real articles ------------------------------------------------------------------------------


def wikinews(names: list[str], *, per_name: int) -> list[Article]:
    """The shortest bundled Wikinews articles naming each of `names`, in date order."""
    rows: list[dict[str, str]] = []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf8", newline="") as f:
            rows.extend(csv.DictReader(f))
    chosen: dict[str, dict[str, str]] = {}
    for name in names:
        having = sorted((r for r in rows if name in r["text"]), key=lambda r: len(r["text"]))
        for row in having[:per_name]:
            chosen[row["url"]] = row
    picked = sorted(chosen.values(), key=lambda r: (r["date"], r["url"]))
    return [
        Article(
            text=r["text"],
            published=date.fromisoformat(r["date"]),
            outlet="Wikinews",
            url=r["url"],
            title=r["title"],
        )
        for r in picked
    ]


@pytest.mark.model
def test_real_articles_resolve_one_person_across_them(tmp_path: Path, nlp: Language) -> None:
    # Nancy Pelosi is named in full in some of these articles and as "Pelosi" alone in
    # another (a short one on the impeachment); Vladimir Putin in full in several.
    articles = wikinews(["Pelosi", "Vladimir Putin"], per_name=4)
    analyses = list(analyze_articles(articles, nlp=nlp))
    resolver = EntityResolver()
    links = Links()
    for analysis in analyses:
        resolver.add_to(links, analysis)
    for full, least in (("Nancy Pelosi", 3), ("Vladimir Putin", 3)):
        surname = full.split()[-1]
        named = {
            (a.article.id, e.name): links.entity[(a.article.id, e.id)]
            for a in analyses
            for e in a.entities
            if e.type == "PERSON" and e.name.split()[-1:] == [surname]
        }
        assert len({article_id for article_id, _ in named}) >= least, (full, named)
        assert len(set(named.values())) == 1, (full, named)
        assert resolver.entity(next(iter(named.values()))).name == full
    bare = [a for a in analyses if any(e.name == "Pelosi" for e in a.entities)]
    assert bare, "no article names Pelosi by her surname alone"
    assert not any(e.name == "Nancy Pelosi" for e in bare[0].entities)
    with Store.open(tmp_path / "real.db") as store:
        store.add(analyses, links=links)
        [pelosi] = [e for e in store.find_entities("Pelosi") if e.type == "PERSON"]
        assert pelosi.name == "Nancy Pelosi"
        assert pelosi.articles >= 3
        profile = store.entity(pelosi.id)
        assert profile is not None
        assert {"Pelosi", "Nancy Pelosi"} <= {name for name, _ in profile.names}
        assert sum(n for _, n in profile.mentions_per_day) == pelosi.mentions
