"""The JSON API against its own OpenAPI schema, with schemathesis: every operation, on a store
of real articles (40 bundled Wikinews articles and the hand-made cascade of `tests/data/cascade/`),
finds no server error, and every response keeps to the schema (documented status codes,
content types, bodies and headers).  Writes are tried without the token (always refused: 401),
with it, and on a read-only app (always refused: 403).

Bounded for CI: a fixed seed, derandomized generation and `MAX_EXAMPLES` fuzzed examples per
operation (plus schemathesis's deterministic coverage cases: boundary values, wrong types,
unexpected methods), so a run is reproducible and takes well under a minute.  Raise `MAX_EXAMPLES`
(or the seed) locally to search harder.

The regression tests at the end pin down what schemathesis found, on an empty store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from spacy.language import Language

from rumormill.ingestion import ingest
from rumormill.store import Store
from rumormill.web import create_app
from tests.test_cascade import CASCADE
from tests.test_queries import ingest_wikinews

TOKEN = "api-schema-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_EXAMPLES = 50  # fuzzed examples per operation and test
SEED = 20260801
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    unsupported_method,  # a 405 names the allowed methods
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",  # schema-valid and schema-violating input
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,  # Hypothesis's derandomize: the same cases on every run
            "database": "none",  # and none replayed from an earlier run
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
# The app is reused across the examples of an operation, on purpose: the store is the state.
REUSED_APP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def openapi() -> dict[str, Any]:
    """The app's OpenAPI schema, which does not depend on the store's content: from an app
    over an empty store, so that schemathesis can make one test per operation when the tests
    are collected."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "empty.db"
        Store.open(path).close()
        app = create_app(path)
        try:
            return app.openapi()
        finally:
            app.state.web.store.close()


# No app bound: each test passes its own (`case.call_and_validate(app=…)`), in process (ASGI).
SCHEMA = schemathesis.openapi.from_dict(openapi(), config=CONFIG)
WRITES = SCHEMA.include(method="POST")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    path = ingest_wikinews(tmp_path_factory.mktemp("api"), nlp)
    report = ingest([str(CASCADE)], db=path, nlp=nlp)
    assert (report.ingested, report.suggested) == (7, 1)
    return path


# Function-scoped: schemathesis ends an app's lifespan (which closes its store) after each test.
@pytest.fixture
def app(db: Path) -> Iterator[FastAPI]:
    made = create_app(db, token=TOKEN)
    yield made
    made.state.web.store.close()


@pytest.fixture
def read_only_app(db: Path) -> Iterator[FastAPI]:
    made = create_app(db, read_only=True, token=TOKEN)
    yield made
    made.state.web.store.close()


def is_write(case: Case) -> bool:
    """A write sent as declared (the coverage phase also tries undeclared methods: a 405)."""
    return case.method.upper() == case.operation.method.upper() == "POST"


@pytest.mark.model
@SCHEMA.parametrize()
@REUSED_APP
def test_every_operation_without_the_token(case: Case, app: FastAPI) -> None:
    response = case.call_and_validate(app=app, checks=CHECKS)
    if is_write(case):
        assert response.status_code == 401, response.text


@pytest.mark.model
@WRITES.parametrize()
@REUSED_APP
def test_writes_with_the_token(case: Case, app: FastAPI) -> None:
    case.call_and_validate(app=app, headers=AUTH, checks=CHECKS)


@pytest.mark.model
@WRITES.parametrize()
@REUSED_APP
def test_writes_on_a_read_only_app(case: Case, read_only_app: FastAPI) -> None:
    response = case.call_and_validate(app=read_only_app, headers=AUTH, checks=CHECKS)
    if is_write(case):
        assert response.status_code == 403, response.text


# --- regressions: what schemathesis found --------------------------------------------------------


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    Store.open(path).close()
    return path


@pytest.fixture(scope="module")
def client(empty: Path) -> Iterator[TestClient]:
    with TestClient(create_app(empty, token=TOKEN), raise_server_exceptions=False) as c:
        yield c


JSON = {"content-type": "application/json"}
HUGE = str(2**63)  # one past SQLite's INTEGER: binding it raised OverflowError, a 500


@pytest.mark.parametrize("kind", ["claims", "stories", "entities", "outlets"])
@pytest.mark.parametrize("ident", [HUGE, "-" + HUGE + "1", "99999999999999999999999", "0", "-1"])
def test_ids_out_of_range_are_422_not_500(client: TestClient, kind: str, ident: str) -> None:
    for path in (f"/{kind}/{ident}", f"/{kind}/{ident}.json"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.text[:300])
    assert client.get(f"/{kind}/{ident}.json").json()["error"]["code"] == "INVALID"
    assert client.get(f"/{kind}/{2**63 - 1}.json").status_code == 404  # the largest: no such


def test_writes_with_ids_out_of_range_are_422_not_500(client: TestClient) -> None:
    body = {"outcome": "true", "date": "2022-06-01", "evidence": "x"}
    assert client.post(f"/claims/{HUGE}/resolve.json", json=body, headers=AUTH).status_code == 422
    assert client.post(f"/claims/{HUGE}/undo.json", headers=AUTH).status_code == 422
    for action in ("accept", "reject"):
        path = f"/suggestions/{HUGE}/{action}"
        assert client.post(path + ".json", headers=AUTH).status_code == 422
        assert client.post(path, data={"token": TOKEN}).status_code == 422


@pytest.mark.parametrize("outlet", [HUGE, "-" + HUGE + "1", "1" + "0" * 30])
def test_an_outlet_id_out_of_range_is_400_not_500(client: TestClient, outlet: str) -> None:
    for path in ("/search", "/search.json"):
        response = client.get(path, params={"q": "x", "outlet": outlet})
        assert response.status_code == 400, response.text[:300]
    found = client.get("/search.json", params={"q": "x", "outlet": outlet}).json()
    assert found["error"]["code"] == "E140"
    assert client.get("/search.json", params={"outlet": str(2**63 - 1)}).status_code == 200


def test_a_wrong_method_says_which_are_allowed(client: TestClient) -> None:
    """A 405 keeps the `Allow` header Starlette gives it (RFC 9110), as JSON or as a page."""
    for method, path, allowed in (
        ("TRACE", "/index.json", "GET"),
        ("DELETE", "/claims/1.json", "GET"),
        ("GET", "/claims/1/resolve.json", "POST"),
        ("PUT", "/search", "GET"),
    ):
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allowed, (method, path)


def test_a_write_is_refused_before_its_input_is_judged(empty: Path) -> None:
    """Without the token a write is 401 (read-only: 403) whatever its input; with it, bad input
    is 422 as before."""
    bad = [  # and the status with the token
        ("/claims/abc/resolve.json", {"json": {"outcome": "true"}}, 422),
        (f"/claims/{HUGE}/undo.json", {}, 422),
        ("/claims/1/resolve.json", {"content": b"{not json", "headers": JSON}, 422),
        ("/claims/1/resolve.json", {"content": b"\x80", "headers": JSON}, 400),  # not UTF-8
        ("/suggestions/1/accept.json", {"json": {"date": "someday"}}, 422),
    ]
    with TestClient(create_app(empty, token=TOKEN)) as c:
        for path, kwargs, status in bad:
            response = c.post(path, **kwargs)
            assert response.status_code == 401, (path, response.text[:300])
            if path.endswith(".json"):
                assert response.json()["error"]["code"] == "E135"
            headers = {**kwargs.get("headers", {}), **AUTH}
            authorized = c.post(path, **{**kwargs, "headers": headers})
            assert authorized.status_code == status, (path, authorized.text[:300])
        form = {"outcome": "true"}  # an HTML form carries its token in a field
        assert c.post("/claims/abc/resolve", data=form).status_code == 401
        assert c.post("/claims/abc/resolve", data={**form, "token": "wrong"}).status_code == 401
        assert c.post("/claims/abc/resolve", data={**form, "token": TOKEN}).status_code == 422
        foreign = {**AUTH, "Origin": "https://evil.example"}
        assert c.post("/claims/abc/undo.json", headers=foreign).status_code == 403
    with TestClient(create_app(empty, read_only=True, token=TOKEN)) as c:
        for path, kwargs, _ in bad:
            headers = {**kwargs.get("headers", {}), **AUTH}
            assert c.post(path, **{**kwargs, "headers": headers}).status_code == 403, path


def test_the_schema_documents_the_error_body_of_a_422() -> None:
    schema = openapi()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if "422" in operation["responses"]:
                content = operation["responses"]["422"]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (
                    method,
                    path,
                )
    ids = schema["paths"]["/claims/{claim_id}.json"]["get"]["parameters"][0]["schema"]
    assert (ids["minimum"], ids["maximum"]) == (1, 2**63 - 1)
