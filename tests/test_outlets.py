"""Outlet identity: names and domains normalised to one outlet, aliases editable."""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rumormill.errors import Errors, StoreError
from rumormill.model import Analysis, Article
from rumormill.store import Store
from rumormill.store.outlets import (
    domain_label,
    looks_like_domain,
    normalise_domain,
    normalise_name,
    outlet_keys,
)


def article(text: str, outlet: str | None = None, url: str | None = None) -> Analysis:
    return Analysis(Article(text=text, published=date(2022, 5, 5), outlet=outlet, url=url), [], [])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "news.db") as opened:
        yield opened


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("cityam.com", "cityam.com"),
        ("www.cityam.com", "cityam.com"),
        ("CityAM.com", "cityam.com"),
        ("https://amp.cityam.com/news/a?b=c#d", "cityam.com"),
        ("http://m.cityam.com:8080/", "cityam.com"),
        ("//www2.cityam.com/x", "cityam.com"),
        ("http://user:secret@Example.COM./p", "example.com"),
        ("uk.reuters.com", "reuters.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("www.smh.com.au", "smh.com.au"),
        ("someone.substack.com", "someone.substack.com"),
        ("www.someone.substack.com", "someone.substack.com"),
        ("abcnews.go.com", "abcnews.go.com"),
        ("https://xn--e1afmkfd.xn--p1ai/", "пример.рф"),
        ("co.uk", None),
        ("127.0.0.1", None),
        ("localhost", None),
        ("", None),
    ],
)
def test_normalise_domain(raw: str, domain: str | None) -> None:
    assert normalise_domain(raw) == domain


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("City A.M.", "city am"),
        ("CITY AM", "city am"),
        ("The Guardian", "guardian"),
        ("  the   guardian ", "guardian"),
        ("Público", "publico"),
        ("Yahoo! News", "yahoo news"),
        ("Al-Jazeera", "aljazeera"),
        ("YWN World Headquarters – NYC", "ywn world headquarters nyc"),
        ("The", "the"),
        ("...", None),
        ("", None),
    ],
)
def test_normalise_name(raw: str, name: str | None) -> None:
    assert normalise_name(raw) == name


def test_a_name_is_not_a_domain_and_a_domain_is() -> None:
    assert looks_like_domain("cityam.com")
    assert looks_like_domain("https://example.org/a b")
    assert not looks_like_domain("City A.M.")
    assert not looks_like_domain("A.M.")
    assert not looks_like_domain("Reuters")
    assert domain_label("bbc.co.uk") == "bbc"
    assert domain_label("someone.substack.com") == "someone"


def test_keys_of_a_known_outlet_credit_on_another_site() -> None:
    # An "AP" credit on a yahoo.com page identifies yahoo.com; the name is not used.
    keys = outlet_keys("AP", "https://www.yahoo.com/news/x")
    assert keys.domain == "yahoo.com"
    assert keys.name is None
    assert keys.known is None
    ap = outlet_keys("AP", None)
    assert ap.domain == "apnews.com"
    assert ap.display == "Associated Press"


DOMAINS = st.from_regex(r"[a-z][a-z0-9]{0,12}\.(com|org|net|de|co\.uk|com\.au)", fullmatch=True)
NAME_CHARS = string.ascii_letters + "éèüñçø"
NAMES = st.text(st.sampled_from(NAME_CHARS + "  "), min_size=1, max_size=20)


@given(DOMAINS, st.sampled_from(["", "www.", "m.", "amp.", "WWW."]), st.booleans())
def test_domain_normalisation_ignores_prefixes_case_and_url_parts(
    domain: str, prefix: str, as_url: bool
) -> None:
    raw = prefix + domain.upper()
    if as_url:
        raw = f"https://{raw}/some/path?query=1"
    assert normalise_domain(raw) == domain
    assert normalise_domain(domain) == domain
    assert looks_like_domain(raw)
    assert domain_label(domain) == domain.split(".")[0]


@given(NAMES, st.lists(st.sampled_from(".,!'’-–&()"), min_size=1, max_size=20))
def test_name_normalisation_ignores_case_punctuation_and_a_leading_the(
    name: str, marks: list[str]
) -> None:
    key = normalise_name(name)
    assume(key is not None)
    assert normalise_name(name.upper()) == key
    assert normalise_name(name.lower()) == key
    sprinkled = "".join(
        c + (marks[i % len(marks)] if i % 3 == 0 else "") for i, c in enumerate(name)
    )
    assert normalise_name(sprinkled) == key
    assert normalise_name(key) == key  # idempotent
    if key != "the":
        assert normalise_name("The " + name) == key
        assert normalise_name("THE  " + name) == key


# --- one identity in a store -------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    list(
        itertools.permutations(
            [
                ("Daily Planet", None),
                (None, "https://www.dailyplanet.com/a"),
                ("dailyplanet.com", None),
                ("The Daily-Planet", "https://m.dailyplanet.com/b"),
            ]
        )
    )[::5],
)
def test_a_name_and_its_domain_count_once_in_any_order(
    tmp_path: Path, order: tuple[tuple[str | None, str | None], ...]
) -> None:
    with Store.open(tmp_path / "o.db") as store:
        store.add([article(f"Story {i}.", outlet, url) for i, (outlet, url) in enumerate(order)])
        [outlet] = store.outlets()
        assert outlet.domain == "dailyplanet.com"
        assert outlet.articles == 4
        assert outlet.name != "dailyplanet.com"  # a name, once one was seen


def test_the_briefs_example_counts_once(store: Store) -> None:
    store.add(
        [
            article("One.", "cityam.com"),
            article("Two.", "www.cityam.com"),
            article("Three.", "City A.M."),
            article("Four.", None, "https://www.cityam.com/x"),
        ]
    )
    [outlet] = store.outlets()
    assert (outlet.name, outlet.domain, outlet.articles) == ("City A.M.", "cityam.com", 4)


def test_two_domains_with_one_label_stay_two_outlets(store: Store) -> None:
    store.add(
        [
            article("UK.", None, "https://www.independent.co.uk/a"),
            article("Ireland.", None, "https://www.independent.ie/b"),
        ]
    )
    assert sorted(o.domain or "" for o in store.outlets()) == [
        "independent.co.uk",
        "independent.ie",
    ]


def test_known_outlets_have_one_identity(store: Store) -> None:
    store.add(
        [
            article("One.", "AP"),
            article("Two.", "Associated Press"),
            article("Three.", None, "https://apnews.com/article/x"),
            article("Four.", "AP", "https://www.yahoo.com/news/y"),
        ]
    )
    ap = store.outlet("AP", None)
    assert ap is not None
    assert (ap.name, ap.domain, ap.articles) == ("Associated Press", "apnews.com", 3)
    yahoo = store.outlet(None, "https://news.yahoo.com/")
    assert yahoo is not None
    assert yahoo.articles == 1


def test_outlet_lookup_reads_only(store: Store) -> None:
    assert store.outlet("Daily Planet", None) is None
    assert store.outlet(None, None) is None
    assert store.outlets() == []


def test_add_alias_moves_the_articles_counted_under_it(store: Store) -> None:
    store.add(
        [
            article("One.", "YWN World Headquarters – NYC"),
            article("Two.", None, "https://www.theyeshivaworld.com/news/1"),
        ]
    )
    assert len(store.outlets()) == 2
    ywn = store.add_alias("YWN World Headquarters – NYC", "theyeshivaworld.com")
    assert ywn.name == "Yeshiva World News"
    assert ywn.articles == 2
    assert "name:ywn world headquarters nyc" in ywn.aliases
    assert [o.name for o in store.outlets()] == ["Yeshiva World News"]  # the empty one is gone
    # From now on the alias resolves there.
    store.add([article("Three.", "YWN World Headquarters - NYC")])
    assert store.outlets()[0].articles == 3


def test_add_alias_of_a_domain_and_bad_aliases(store: Store) -> None:
    store.add([article("One.", "Daily Planet")])
    planet = store.add_alias("https://www.daily-planet.net/", "Daily Planet")
    assert planet.domain == "daily-planet.net"
    again = store.outlet(None, "http://daily-planet.net/x")
    assert again is not None
    assert again.id == planet.id
    with pytest.raises(StoreError) as caught:
        store.add_alias("?!", "Daily Planet")
    assert caught.value.code is Errors.E069
    with pytest.raises(StoreError) as caught:
        store.add_alias("Planet", "Nowhere Gazette")
    assert caught.value.code is Errors.E067


def test_merge_outlets(store: Store) -> None:
    store.add([article("One.", "Daily Planet"), article("Two.", None, "https://planet.example/")])
    a = store.outlet("Daily Planet", None)
    b = store.outlet(None, "https://planet.example/")
    assert a is not None
    assert b is not None
    assert a.id != b.id
    merged = store.merge_outlets(a, b)
    assert (merged.id, merged.name, merged.domain, merged.articles) == (
        a.id,
        "Daily Planet",
        "planet.example",
        2,
    )
    assert len(store.outlets()) == 1
    resolved = store.outlet(None, "planet.example")
    assert resolved is not None
    assert resolved.id == a.id
    with pytest.raises(StoreError) as caught:
        store.merge_outlets(a.id, "Daily Planet")
    assert caught.value.code is Errors.E068
    with pytest.raises(StoreError) as caught:
        store.merge_outlets(a, 999)
    assert caught.value.code is Errors.E067
