"""The web app on real data: 40 bundled Wikinews articles and the hand-made cascade of
`tests/data/cascade/`, ingested once for the module.  Every page and its JSON twin, search
with filters and paging, the errors, the OpenAPI schema, then the writes (last: they change
the store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from spacy.language import Language

from rumormill.store import Store
from rumormill.web import create_app
from tests.test_cascade import THINK_TANK
from tests.webstore import wikinews_and_cascade

pytestmark = pytest.mark.model

TOKEN = "web-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    return wikinews_and_cascade(tmp_path_factory.mktemp("web"), nlp)


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module")
def ids(client: TestClient, db: Path) -> dict[str, Any]:
    """The cascade's claim, story, an article, Soldatov and City A.M."""
    dashboard = client.get("/index.json").json()
    claims = {
        s["id"]: client.get(f"/claims/{s['claim_id']}.json").json()
        for s in dashboard["suggestions"]
    }
    ((suggestion_id, claim),) = [
        (k, c) for k, c in claims.items() if "purged 150 officers" in c["statement"]
    ]
    article = client.get(f"/articles/{claim['first_article']}.json").json()
    with Store.open(db, create=False) as store:
        (soldatov,) = store.find_entities("Andrei Soldatov")
        cityam = store.outlet(raw="City A.M.")
    assert cityam is not None
    return {
        "claim": claim["claim_id"],
        "suggestion": suggestion_id,
        "story": article["story"]["story_id"],
        "article": article["article_id"],
        "entity": soldatov.id,
        "outlet": cityam.id,
    }


def get(client: TestClient, path: str) -> tuple[str, dict[str, Any]]:
    """A page and its JSON twin (by `.json` and by the Accept header), both 200."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.text[:500])
    assert page.headers["content-type"].startswith("text/html")
    base, _, query = path.partition("?")
    twin = (base + ".json" if base != "/" else "/index.json") + (f"?{query}" if query else "")
    data = client.get(twin)
    assert data.status_code == 200, (twin, data.text[:500])
    accepted = client.get(path, headers={"Accept": "application/json"})
    assert accepted.status_code == 200
    assert accepted.json() == data.json()
    return page.text, data.json()


def test_dashboard(client: TestClient, ids: dict[str, Any]) -> None:
    html, data = get(client, "/")
    assert data["counts"]["articles"] == 47
    assert {"rumors", "stories", "people", "outlets", "awaiting", "suggestions"} <= set(data)
    assert ids["claim"] in {c["claim_id"] for c in data["awaiting"]}
    assert data["stories"]
    assert data["people"]
    assert "Growing rumors" in html
    assert f'href="/claims/{ids["claim"]}' in html
    assert "Andrei Soldatov" in html  # most cited
    for rumor in data["rumors"]:
        assert rumor["days"], rumor
    if data["rumors"]:
        assert '<svg class="spark"' in html


def test_claim_page(client: TestClient, ids: dict[str, Any]) -> None:
    html, data = get(client, f"/claims/{ids['claim']}")
    assert (data["articles"], data["outlets"]) == (7, 7)
    provenance = data["provenance"]
    assert (provenance["independent_origins"], provenance["echoes"]) == (2, 4)
    assert "purged 150 officers" in html
    assert '<svg class="timeline"' in html
    assert 'class="c-asserted"' in html  # bars coloured by label
    assert "2 independent origins, 4 echoes of 6 mentions, 1 denial" in html
    assert THINK_TANK in html
    assert 'class="trace echo' in html
    assert "Dmitry Peskov" in html
    assert f'action="/claims/{ids["claim"]}/resolve"' in html
    assert f'action="/suggestions/{ids["suggestion"]}/accept"' in html
    for mention in data["mentions"]:
        assert f"#attr-{mention['attribution_id']}" in html


def test_article_page_highlights_every_attribution(client: TestClient, ids: dict[str, Any]) -> None:
    html, data = get(client, f"/articles/{ids['article']}")
    assert data["attributions"]
    for role in ("source", "cue", "channel", "content"):
        assert f"hl-{role}" in html
    assert 'title="a1 ' in html
    assert 'id="attr-a1"' in html
    assert f'href="/claims/{ids["claim"]}"' in html
    assert f'href="/stories/{ids["story"]}"' in html
    assert f'href="/outlets/{ids["outlet"]}"' in html
    spans = data["spans"]["a1"]
    start, end = spans["content"]
    assert data["text"][start:end] == data["attributions"][0]["content"]
    # A prefix of the id works, as in the CLI.
    assert (
        client.get(f"/articles/{ids['article'][:10]}.json").json()["article_id"] == ids["article"]
    )


def test_story_entity_and_outlet_pages(client: TestClient, ids: dict[str, Any]) -> None:
    html, data = get(client, f"/stories/{ids['story']}")
    assert data["n_articles"] >= 6
    assert '<svg class="timeline"' in html
    html, data = get(client, f"/entities/{ids['entity']}")
    assert data["name"] == "Andrei Soldatov"
    assert data["said"]
    assert "Descriptors and roles over time" in html
    assert any("security expert" in r["text"] for r in data["roles"])
    html, data = get(client, f"/outlets/{ids['outlet']}")
    assert data["name"] == "City A.M."
    assert ids["claim"] in {c["claim_id"] for c in data["claims"]}
    assert any(THINK_TANK in c["name"] for c in data["cites"])
    assert "Whom it cites" in html


def test_search_filters_and_paging(client: TestClient, ids: dict[str, Any]) -> None:
    html, data = get(client, "/search?q=said")
    assert data["total"] > 20
    assert len(data["hits"]) == 20
    assert "<mark" not in html
    assert 'class="hl hl-match"' in html
    second = client.get("/search.json", params={"q": "said", "page": 2}).json()
    assert {h["article_id"] for h in second["hits"]}.isdisjoint(
        {h["article_id"] for h in data["hits"]}
    )
    assert 'rel="next"' in html
    # Filters: dates (the cascade is 2022, Wikinews 2019), outlet, entity, label, resolved.
    found = client.get("/search.json", params={"q": "Putin", "since": "2022-01-01"}).json()
    assert found["total"] >= 6
    assert all(h["published"] >= "2022-01-01" for h in found["hits"])
    until = client.get("/search.json", params={"q": "Putin", "until": "2021-12-31"}).json()
    assert all(h["published"] <= "2021-12-31" for h in until["hits"])
    outlet = client.get("/search.json", params={"q": "Putin", "outlet": ids["outlet"]}).json()
    assert [h["outlet"] for h in outlet["hits"]] == ["City A.M."]
    named = client.get("/search.json", params={"entity": "Peskov"}).json()
    assert named["total"] == 1
    denied = client.get("/search.json", params={"kind": "claims", "label": "denied"}).json()
    assert denied["hits"]
    assert all(h["certainty_label"] == "denied" for h in denied["hits"])
    claims = client.get("/search.json", params={"q": "purged", "kind": "claims"}).json()
    assert ids["claim"] in {h["claim_id"] for h in claims["hits"]}
    for hit in claims["hits"]:
        for start, end in hit["marks"]:
            assert hit["snippet"][start:end].lower().startswith("purge")
    unresolved = client.get("/search.json", params={"q": "purged", "resolved": "no"}).json()
    assert unresolved["total"] >= 6
    assert (
        client.get("/search.json", params={"q": "purged", "resolved": "yes"}).json()["total"] == 0
    )
    # Bad input: 400 (coded) or 422, as a page or as JSON.
    assert client.get("/search", params={"since": "May 2022"}).status_code == 400
    assert client.get("/search.json", params={"label": "sure"}).json()["error"]["code"] == "E094"
    assert client.get("/search.json", params={"page": 0}).status_code == 422
    assert client.get("/search.json", params={"kind": "people", "q": "x"}).status_code == 400
    assert client.get("/search.json", params={"q": "x", "sort": "best"}).status_code == 400
    empty = client.get("/search")
    assert empty.status_code == 200
    assert "Give words" in empty.text


def test_search_is_newest_first_unless_asked_for_relevance(client: TestClient) -> None:
    newest = client.get("/search.json", params={"q": "said"}).json()
    days = [h["published"] for h in newest["hits"]]
    assert days == sorted(days, reverse=True)
    assert newest["query"]["sort"] == "newest"
    assert newest["more"] is False
    best = client.get("/search.json", params={"q": "Putin coup", "sort": "relevance"}).json()
    assert best["query"]["sort"] == "relevance"
    assert best["total"] == client.get("/search.json", params={"q": "Putin coup"}).json()["total"]
    # The same hits, ranked by BM25: a title or a short text with both words comes first.
    words = [h["snippet"].lower() for h in best["hits"][:3]]
    assert all("putin" in w or "coup" in w for w in words)
    html = client.get("/search", params={"q": "said", "sort": "relevance"}).text
    assert '<option value="relevance" selected>' in html


def test_both_plans_of_newest_first_find_the_same_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few matches are looked up by key and sorted; many are read by date: same hits."""
    from rumormill.web import queries as web_queries

    asked = [
        {"q": "said"},
        {"q": "said", "page": 2},
        {"q": "Putin", "since": "2019-01-01", "label": "asserted"},
        {"q": "purged", "kind": "claims"},
        {"q": "police", "entity": "police"},
    ]
    few = [client.get("/search.json", params=p).json() for p in asked]
    monkeypatch.setattr(web_queries, "FEW_MATCHES", 0)
    many = [client.get("/search.json", params=p).json() for p in asked]
    assert many == few


def test_search_counts_stop_at_the_cap(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from rumormill.web import queries as web_queries

    monkeypatch.setattr(web_queries, "COUNT_CAP", 5)
    capped = client.get("/search.json", params={"q": "said", "since": "2000-01-01"}).json()
    assert (capped["total"], capped["more"]) == (5, True)
    assert (
        "5+ articles found"
        in client.get("/search", params={"q": "said", "since": "2000-01-01"}).text
    )


def test_unknown_ids_are_404_as_a_page_and_as_json(client: TestClient) -> None:
    for path, code in (
        ("/claims/999999", "E093"),
        ("/stories/999999", "E112"),
        ("/entities/999999", "E113"),
        ("/outlets/999999", "E067"),
        ("/articles/ffffffffffffffff", "E110"),
    ):
        page = client.get(path)
        assert page.status_code == 404, path
        assert code in page.text
        assert "text/html" in page.headers["content-type"]
        data = client.get(path + ".json")
        assert data.status_code == 404
        assert data.json()["error"]["code"] == code
    assert client.get("/claims/abc").status_code == 422
    assert client.get("/no/such/page.json").json()["error"]["status"] == 404


def test_openapi_lists_the_json_endpoints(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/index.json",
        "/claims/{claim_id}.json",
        "/stories/{story_id}.json",
        "/entities/{entity_id}.json",
        "/outlets/{outlet_id}.json",
        "/articles/{article_id}.json",
        "/search.json",
        "/claims/{claim_id}/resolve.json",
        "/suggestions/{suggestion_id}/accept.json",
    } <= paths
    assert "/claims/{claim_id}" not in paths  # the HTML pages are not the API
    assert schema["paths"]["/claims/{claim_id}.json"]["get"]["description"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN


# --- writes (last: they change the store) --------------------------------------------------------


def test_accept_a_suggestion(client: TestClient, ids: dict[str, Any]) -> None:
    path = f"/suggestions/{ids['suggestion']}/accept"
    assert client.post(path, data={}).status_code == 401
    done = client.post(path, data={"token": TOKEN, "by": "test"}, follow_redirects=False)
    assert done.status_code == 303
    claim = client.get(f"/claims/{ids['claim']}.json").json()
    assert claim["resolution"]["outcome"] == "false"
    assert claim["resolution"]["suggestion_id"] == ids["suggestion"]
    again = client.post(path + ".json", headers=AUTH)
    assert again.status_code == 409
    html = client.get(f"/claims/{ids['claim']}").text
    assert 'class="outcome o-false"' in html
    pending = client.get("/index.json").json()["suggestions"]
    assert ids["suggestion"] not in {s["id"] for s in pending}
    resolved = client.get("/search.json", params={"q": "purged", "resolved": "yes"}).json()
    assert resolved["total"] >= 6


def test_resolve_and_undo_over_json(client: TestClient, ids: dict[str, Any]) -> None:
    path = f"/claims/{ids['claim']}/resolve.json"
    body = {"outcome": "partly", "date": "2022-06-01", "evidence": "https://example.com/r"}
    assert client.post(path, json=body).status_code == 401
    event = client.post(path, json={**body, "by": "ana"}, headers=AUTH).json()
    assert (event["outcome"], event["by"]) == ("partly", "ana")
    assert client.get(f"/claims/{ids['claim']}.json").json()["resolution"]["outcome"] == "partly"
    client.post(f"/claims/{ids['claim']}/undo.json", headers=AUTH).raise_for_status()
    claim = client.get(f"/claims/{ids['claim']}.json").json()
    assert claim["resolution"]["outcome"] == "false"  # the accepted suggestion again
    assert [e["action"] for e in claim["history"]][-2:] == ["resolve", "undo"]
    html = client.get(f"/entities/{ids['entity']}").text
    assert "Brier" in html
    assert '<svg class="calibration"' in html


def test_read_only(db: Path, ids: dict[str, Any]) -> None:
    with TestClient(create_app(db, read_only=True)) as c:
        html = c.get(f"/claims/{ids['claim']}").text
        assert "Record a resolution" not in html
        path = f"/claims/{ids['claim']}/resolve.json"
        body = {"outcome": "true", "date": "2022-06-01", "evidence": "x"}
        assert c.post(path, json=body, headers=AUTH).status_code == 403


def test_snippet_windows_mark_the_query_words_and_leave_the_rest_to_the_index() -> None:
    from rumormill.web import queries as web_queries

    pattern = web_queries._pattern('purge* AND "FSB officers" NOT coup')
    assert pattern is not None
    text = "x " * 200 + "Putin purged 150 FSB officers; a coup was rumoured."
    found = web_queries._matched_window(text, pattern)
    assert found is not None
    snippet, marks = found
    assert snippet.startswith("…x ") or snippet.startswith("…Putin")  # whole words
    assert snippet.endswith(" rumoured.") or snippet.endswith("…")
    # Every word of the query is marked (a NOT word too, where the index would not).
    assert [snippet[s:e] for s, e in marks] == ["purged", "FSB", "officers", "coup"]
    assert web_queries._pattern("AND OR NOT") is None
    # "cafe" finds "café" in the index (diacritics folded), not here: the index's snippet.
    assert web_queries._matched_window("Un café à Paris.", web_queries._pattern("cafe")) is None
