"""The analyst's web UI and its JSON API: a thin FastAPI adapter over the library.

    app = create_app("news.db", token="s3cret")      # uvicorn.run(app) or `rumormill serve`

Every page is rendered on the server (Jinja2, autoescaped) and works without JavaScript; each
has a JSON twin at the same path plus `.json` (the dashboard's is `/index.json`), also given
for `Accept: application/json`.  The JSON endpoints are the documented API (`/openapi.json`).

Pages: the dashboard `/`, a claim `/claims/{id}`, a story `/stories/{id}`, an entity
`/entities/{id}`, an outlet `/outlets/{id}`, an article `/articles/{id}`, and `/search`.
Writes (POST, see `security.py`): `/claims/{id}/resolve`, `/claims/{id}/undo`,
`/suggestions/{id}/accept`, `/suggestions/{id}/reject`, each as an HTML form (redirects back
to the claim) and as JSON (`….json`).

Errors: the library's coded errors become 404 (no such claim, story, article, entity, outlet
or suggestion), 409 (a suggestion already decided), 400 (other bad input), 401/403 (writes
refused); a parameter or body of the wrong type or range (an id beyond 64 bits) is 422; each
as a page or as JSON (`{"error": {"code", "message", "status"}}`), as asked.  A write without
the token, or in read-only mode, is refused (401/403) before its input is judged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jinja2
import sqlalchemy as sa
from fastapi import FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from rumormill import resolution, suggestions
from rumormill.errors import Errors, InputError, RumormillError
from rumormill.provenance import Provenance, provenance
from rumormill.store import queries, schema
from rumormill.store.store import Store
from rumormill.trackrecord import OUTCOMES
from rumormill.web import charts, graphview, security
from rumormill.web import queries as web_queries
from rumormill.web.cache import GenerationCache, KeyedCache
from rumormill.web.highlight import Highlight, highlight

HERE = Path(__file__).parent
NOT_FOUND = {Errors.E067, Errors.E093, Errors.E110, Errors.E112, Errors.E113, Errors.E128}
CONFLICT = {Errors.E129}
LABELS = queries.CERTAINTY_LABELS


@dataclass
class WebState:
    store: Store
    read_only: bool
    token: str | None


class ErrorBody(BaseModel):
    code: str
    message: str
    status: int


class ErrorOut(BaseModel):
    """Every error of the JSON API."""

    error: ErrorBody


class ResolveIn(BaseModel):
    """A claim's outcome to record."""

    # A plain string checked by the library (E120, a 400), documented as the enum it is.
    outcome: str = Field(
        description="true, false, partly or unresolved", json_schema_extra={"enum": [*OUTCOMES]}
    )
    date: dt.date = Field(description="when the outcome became known (YYYY-MM-DD)")
    evidence: str = Field(description="a URL or a note")
    by: str | None = Field(default=None, description="who records it")


class DecideIn(BaseModel):
    """Who accepts or rejects a suggestion (optional), and for an accept the date (default:
    the evidence's)."""

    by: str | None = None
    date: dt.date | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad input"},
    404: {"model": ErrorOut, "description": "no such thing in the store"},
    # FastAPI documents its own `{"detail": …}` body for 422; ours is the `ErrorOut` envelope.
    422: {"model": ErrorOut, "description": "a parameter or body of the wrong type or range"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorOut, "description": "no token, or a wrong one"},
    403: {"model": ErrorOut, "description": "read-only mode, or a cross-site request"},
    409: {"model": ErrorOut, "description": "the suggestion is already decided"},
}


# The search's parameters, shared by the page and its JSON twin.
Words = Annotated[str, Query(description="words (FTS5 syntax: phrases, AND/OR/NOT, prefix*)")]
Kind = Annotated[str, Query(description="articles or claims")]
Since = Annotated[str | None, Query(description="published on or after (YYYY-MM-DD)")]
Until = Annotated[str | None, Query(description="published on or before (YYYY-MM-DD)")]
OutletQ = Annotated[str | None, Query(description="an outlet id")]
EntityQ = Annotated[str | None, Query(description="an entity named in the article")]
LabelQ = Annotated[str | None, Query(description="a certainty label")]
ResolvedQ = Annotated[str | None, Query(description="yes, no or any")]
Page = Annotated[int, Query(ge=1, le=web_queries.MAX_PAGE)]
SortQ = Annotated[str, Query(description="newest (published date, newest first) or relevance")]
# A stored id: positive, and within SQL's 64-bit INTEGER (a larger one would not bind: a 500).
MAX_ID = 2**63 - 1
Id = Annotated[int, PathParam(ge=1, le=MAX_ID, description="a stored id")]


# --- helpers -------------------------------------------------------------------------------------


def counted(count: int, word: str) -> str:
    """'1 article', '2 articles', '0 outlets'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def wants_json(request: Request) -> bool:
    """A `.json` path, or an Accept header that asks for JSON rather than HTML."""
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a stored URL is only ever linked when it cannot
    run script (`javascript:`, `data:`, …)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def status_of(error: RumormillError) -> int:
    if isinstance(error, security.AccessError):
        return error.status
    if error.code in NOT_FOUND:
        return 404
    if error.code in CONFLICT:
        return 409
    if isinstance(error, InputError) or error.code is Errors.E066:
        return 400
    return 500


def _date_param(name: str, value: str | None) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise InputError(Errors.E140, name=name, value=value, expected="YYYY-MM-DD") from e


def _int_param(name: str, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError as e:
        raise InputError(Errors.E140, name=name, value=value, expected="a number") from e
    if not -MAX_ID - 1 <= number <= MAX_ID:  # would not bind as an SQL INTEGER
        raise InputError(Errors.E140, name=name, value=value, expected="a 64-bit number")
    return number


def _bool_param(name: str, value: str | None) -> bool | None:
    if value is None or not value.strip() or value.strip().lower() in ("any", "all"):
        return None
    wanted = value.strip().lower()
    if wanted in ("yes", "true", "1"):
        return True
    if wanted in ("no", "false", "0"):
        return False
    raise InputError(Errors.E140, name=name, value=value, expected="yes, no or any")


def _label_days(mentions: list[queries.Mention]) -> dict[date, dict[str, int]]:
    found: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in mentions:
        if m.published is not None:
            found[m.published][m.certainty_label] += 1
    return {day: dict(mix) for day, mix in found.items()}


def outlet_ids(store: Store, names: set[str | None]) -> dict[str, int]:
    """The stored outlets with these display names (to link them)."""
    wanted = [n for n in names if n]
    if not wanted:
        return {}
    o = schema.outlets
    with store.reading() as conn:
        rows = conn.execute(sa.select(o.c.id, o.c.name).where(o.c.name.in_(wanted))).all()
    return {str(name): int(ident) for ident, name in rows}


def article_spans(store: Store, article_id: str) -> dict[str, dict[str, tuple[int, int]]]:
    """Each attribution's role offsets in the article's text."""
    t = schema.attributions
    found: dict[str, dict[str, tuple[int, int]]] = {}
    with store.reading() as conn:
        for r in conn.execute(sa.select(t).where(t.c.article_id == article_id)):
            roles: dict[str, tuple[int, int]] = {}
            for role in ("source", "cue", "channel", "content"):
                start, end = getattr(r, f"{role}_start"), getattr(r, f"{role}_end")
                if start is not None and end is not None:
                    roles[role] = (int(start), int(end))
            found[str(r.attribution_id)] = roles
    return found


def provenance_groups(found: Provenance, copies: dict[str, str]) -> list[dict[str, Any]]:
    """The provenance as nested lists: per origin, its mentions grouped by original article
    (a copy sits under what it copies), echoes marked."""
    g = found.graph

    def label(node: str) -> str:
        return str(g.nodes[node].get("label", node)) if node in g else node

    groups = []
    for k, origin in enumerate(found.origins):
        traces = [t for t in found.traces if t.origin == k]
        by_original: dict[str, list[dict[str, Any]]] = {}
        for t in traces:
            key = copies.get(t.article_id, t.article_id)
            by_original.setdefault(key, []).append(
                {
                    "trace": t,
                    "path": [label(n) for n in t.path],
                    "is_copy": t.article_id in copies,  # not "copy": a dict has .copy()
                }
            )
        groups.append({"origin": origin, "index": k, "groups": list(by_original.items())})
    return groups


# --- the app -------------------------------------------------------------------------------------


def create_app(db: str | Path, *, read_only: bool = False, token: str | None = None) -> FastAPI:
    """The web app over the store at `db` (a path or an SQLAlchemy URL; it must exist: E060).
    Writes need `token` (none set: every write is refused) and are disabled when
    `read_only`."""
    store = Store.open(db, create=False)
    state = WebState(store, read_only, token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="rumormill",
        summary="Who claims what in the news, how sure, through whom; and whether it came true.",
        description=__doc__,
        version="1",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: the schema only
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.web = state
    app.middleware("http")(security.security_headers)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["http_url"] = http_url
    env.filters["counted"] = counted
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    env.filters["score"] = lambda x: "" if x is None else f"{x:+.1f}"
    env.filters["num"] = lambda x, d=2: "–" if x is None else f"{x:.{d}f}"
    env.filters["iso"] = lambda d: "undated" if d is None else d.isoformat()
    env.filters["sparkline"] = charts.sparkline
    env.globals["read_only"] = read_only
    env.globals["outcomes"] = OUTCOMES
    env.globals["labels"] = LABELS
    templates = Jinja2Templates(env=env)

    def render(
        request: Request, template: str, context: dict[str, Any], data: Callable[[], Any]
    ) -> Response:
        if wants_json(request):
            return JSONResponse(data())
        return templates.TemplateResponse(request, template, context)

    # --- errors ------------------------------------------------------------------------------

    def error_response(
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if wants_json(request) or (request.method != "GET" and "json" in request.url.path):
            body = {"error": {"code": code, "message": message, "status": status}}
            return JSONResponse(body, status_code=status, headers=headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "code": code, "message": message},
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(RumormillError)
    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RumormillError)
        return error_response(request, status_of(exc), exc.code.name, str(exc))

    def refused(request: Request, body: Any) -> Response | None:
        """A write without the token (or in read-only mode, or cross-site) is refused as such,
        401/403, before its input is judged: a 400 or 422 would answer a caller who may not
        write at all.  None for a read, or an allowed write."""
        if request.method != "POST":
            return None
        if request.url.path.endswith(".json"):
            given = security.header_token(request)
        else:
            form = body if isinstance(body, Mapping) else {}
            given = str(form.get("token") or "") or None
        try:
            security.authorize(
                request, expected=state.token, given=given, read_only=read_only, action="writing"
            )
        except security.AccessError as e:
            return error_response(request, e.status, e.code.name, str(e))
        return None

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and (refusal := refused(request, None)) is not None:
            return refusal  # a body that does not parse
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        # Keep the exception's headers: a 405 must say which methods are `Allow`ed.
        return error_response(request, exc.status_code, "HTTP", message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if (refusal := refused(request, exc.body)) is not None:
            return refusal
        found = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error_response(request, 422, "INVALID", f"bad request: {found}")

    # --- the dashboard -----------------------------------------------------------------------

    def dashboard_data() -> dict[str, Any]:
        return dashboard_cache.get()

    def compute_dashboard() -> dict[str, Any]:
        rumors = queries.rumors(store, limit=10)
        days = web_queries.claim_days(store, [r.claim_id for r in rumors if r.claim_id])
        outlets = sorted(store.outlets(), key=lambda o: (-o.articles, o.name))[:10]
        return {
            "counts": store.counts(),
            "rumors": [
                {
                    **r.to_dict(),
                    "days": [
                        {"day": d.isoformat(), "mentions": n}
                        for d, n in sorted(days.get(r.claim_id or -1, {}).items())
                    ],
                }
                for r in rumors
            ],
            "stories": [
                {
                    "story_id": s.story_id,
                    "title": s.title,
                    "articles": s.articles,
                    "outlets": s.outlets,
                    "first": None if s.first is None else s.first.isoformat(),
                    "last": None if s.last is None else s.last.isoformat(),
                }
                for s in web_queries.newest_stories(store, limit=10)
            ],
            "people": [
                {
                    "name": p.name,
                    "attributions": p.attributions,
                    "articles": p.articles,
                    "outlets": p.outlets,
                }
                for p in queries.cited_people(store, limit=10)
            ],
            "outlets": [
                {"outlet_id": o.id, "name": o.name, "domain": o.domain, "articles": o.articles}
                for o in outlets
            ],
            "awaiting": [c.to_dict() for c in web_queries.awaiting(store, limit=10)],
            "suggestions": [s.to_dict() for s in suggestions.pending(store)[:20]],
        }

    dashboard_cache = GenerationCache(store, compute_dashboard)
    app.state.dashboard = dashboard_cache

    @app.get("/index.json", tags=["pages"], responses=ERRORS)
    def dashboard_json() -> dict[str, Any]:
        """The dashboard: store counts, growing rumors (with mentions per day), the newest
        stories, the most-cited people, the largest outlets, the claims awaiting resolution
        and the pending suggested resolutions."""
        return dashboard_data()

    @app.get("/.json", include_in_schema=False)
    def dashboard_json_alias() -> dict[str, Any]:
        return dashboard_data()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(request: Request) -> Response:
        data = dashboard_data()
        sparks = {
            r["claim_id"]: charts.sparkline(
                {date.fromisoformat(d["day"]): d["mentions"] for d in r["days"]}
            )
            for r in data["rumors"]
        }
        return render(request, "dashboard.html", {**data, "sparks": sparks}, lambda: data)

    # --- a claim -----------------------------------------------------------------------------

    def claim_data(claim_id: int) -> tuple[queries.ClaimDetail, Provenance, dict[str, Any]]:
        return claim_cache.get(claim_id)

    def compute_claim(claim_id: int) -> tuple[queries.ClaimDetail, Provenance, dict[str, Any]]:
        detail = queries.claim(store, claim_id)
        found = provenance(store, claim_id)
        data = detail.to_dict()
        data["provenance"] = found.to_dict()
        return detail, found, data

    claim_cache = KeyedCache(store, compute_claim)
    app.state.claims = claim_cache

    @app.get("/claims/{claim_id}.json", tags=["pages"], responses=ERRORS)
    def claim_json(claim_id: Id) -> dict[str, Any]:
        """One claim: its statement, every mention (attribution) with source, outlet, date
        and certainty, its sources, mentions and outlets per day and week, copies, its
        current resolution, history and suggestions, and its provenance (`provenance`:
        origins, echoes, denials, the graph's nodes and edges)."""
        return claim_data(claim_id)[2]

    def claim_page(claim_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """What the claim page shows (kept like the claim itself), and the JSON twin."""
        detail, found, data = claim_data(claim_id)
        outlets = {d.day: d.outlets for d in detail.days}
        return {
            "c": detail,
            "prov": found,
            "groups": provenance_groups(found, detail.copies),
            "graph": graphview.provenance_svg(found, detail.copies),
            "denials": [
                [str(found.graph.nodes[n].get("label", n)) for n in t.path] for t in found.denials
            ],
            "chart": charts.timeline(_label_days(detail.mentions), outlets),
            "outlet_ids": outlet_ids(store, {m.outlet for m in detail.mentions}),
        }, data

    claim_pages = KeyedCache(store, claim_page)
    app.state.claim_pages = claim_pages

    @app.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
    def claim(request: Request, claim_id: Id) -> Response:
        shown, data = claim_pages.get(claim_id)
        context = {**shown, "today": date.today().isoformat()}
        return render(request, "claim.html", context, lambda: data)

    # --- a story -----------------------------------------------------------------------------

    @app.get("/stories/{story_id}.json", tags=["pages"], responses=ERRORS)
    def story_json(story_id: Id) -> dict[str, Any]:
        """One story: its articles over time, articles and outlets per day and week, its
        largest claims, most-cited sources and most-named entities, and its copies."""
        return queries.story(store, story_id).to_dict()

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story(request: Request, story_id: Id) -> Response:
        detail = queries.story(store, story_id)
        chart = charts.timeline(
            {d.day: {"articles": d.mentions} for d in detail.days},
            {d.day: d.outlets for d in detail.days},
        )
        context = {
            "s": detail,
            "chart": chart,
            "outlet_ids": outlet_ids(store, {a.outlet for a in detail.articles}),
        }
        return render(request, "story.html", context, detail.to_dict)

    # --- an entity ---------------------------------------------------------------------------

    @app.get("/entities/{entity_id}.json", tags=["pages"], responses=ERRORS)
    def entity_json(entity_id: Id) -> dict[str, Any]:
        """One corpus entity: its names, roles and descriptors over time, mentions and
        outlets per day and week, the claims it makes and those about it, and its track
        record with a calibration table."""
        return queries.entity(store, entity_id).to_dict()

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity(request: Request, entity_id: Id) -> Response:
        detail = queries.entity(store, entity_id)
        record = detail.record
        context = {
            "e": detail,
            "spark": charts.sparkline({d.day: d.mentions for d in detail.days}, width=240),
            "calibration": None
            if record is None
            else charts.calibration(
                [(r.label, r.n, r.implied, r.observed) for r in record.calibration]
            ),
        }
        return render(request, "entity.html", context, detail.to_dict)

    # --- an outlet ---------------------------------------------------------------------------

    @app.get("/outlets/{outlet_id}.json", tags=["pages"], responses=ERRORS)
    def outlet_json(outlet_id: Id) -> dict[str, Any]:
        """One outlet: its newest articles, the claims in them, whom its articles cite,
        whom they copy and who copies them, and its track record."""
        return web_queries.outlet(store, outlet_id).to_dict()

    @app.get("/outlets/{outlet_id}", response_class=HTMLResponse, include_in_schema=False)
    def outlet(request: Request, outlet_id: Id) -> Response:
        detail = web_queries.outlet(store, outlet_id)
        context = {"o": detail, "spark": charts.sparkline(detail.days, width=240)}
        return render(request, "outlet.html", context, detail.to_dict)

    # --- an article --------------------------------------------------------------------------

    @app.get("/articles/{article_id}.json", tags=["pages"], responses=ERRORS)
    def article_json(article_id: str) -> dict[str, Any]:
        """One article (by id, or 8 or more of its first characters): metadata, text, its
        attributions with their claims, its entities, story and copies.  Offsets of each
        attribution's roles are in `spans` (attribution id -> role -> [start, end])."""
        detail = queries.article(store, article_id)
        spans = article_spans(store, detail.article_id)
        return {
            **detail.to_dict(),
            "spans": {a: {r: list(se) for r, se in roles.items()} for a, roles in spans.items()},
        }

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(request: Request, article_id: str) -> Response:
        if wants_json(request):
            return JSONResponse(article_json(article_id))
        detail = queries.article(store, article_id)
        spans = article_spans(store, detail.article_id)
        marks = []
        for a in detail.attributions:
            cues = f"; cues: {', '.join(a.certainty_cues)}" if a.certainty_cues else ""
            title = (
                f"{a.attribution_id} {a.kind}: {a.source or 'unattributed'}, "
                f"{a.certainty_label} ({a.certainty_score:+.1f}{cues})"
            )
            for role, (start, end) in spans.get(a.attribution_id, {}).items():
                anchor = f"attr-{a.attribution_id}" if role == "content" else None
                marks.append(Highlight(start, end, role, title, anchor))
        o_ids = outlet_ids(store, {detail.outlet})
        context = {
            "a": detail,
            "text": highlight(detail.text, marks),
            "outlet_id": o_ids.get(detail.outlet or ""),
        }
        return render(request, "article.html", context, lambda: None)

    # --- search ------------------------------------------------------------------------------

    def search_query(
        q: str, kind: str, since: str | None, until: str | None, outlet: str | None,
        entity: str | None, label: str | None, resolved: str | None, page: int, sort: str,
    ) -> web_queries.SearchQuery:  # fmt: skip
        return web_queries.SearchQuery(
            q=q,
            kind=kind or "articles",
            since=_date_param("since", since),
            until=_date_param("until", until),
            outlet=_int_param("outlet", outlet),
            entity=entity.strip() if entity and entity.strip() else None,
            label=label.strip().lower() if label and label.strip() else None,
            resolved=_bool_param("resolved", resolved),
            page=page,
            sort=sort.strip().lower() or "newest",
        )

    @app.get("/search.json", tags=["pages"], responses=ERRORS)
    def search_json(
        q: Words = "",
        kind: Kind = "articles",
        since: Since = None,
        until: Until = None,
        outlet: OutletQ = None,
        entity: EntityQ = None,
        label: LabelQ = None,
        resolved: ResolvedQ = None,
        page: Page = 1,
        sort: SortQ = "newest",
    ) -> dict[str, Any]:
        """Full-text search over articles (or, with kind=claims, attribution contents),
        filtered by date range, outlet, entity, certainty label and resolution; 20 hits a
        page, newest first (sort=relevance: best match first).  `total` counts the hits up
        to 10,000 (`more`: there are more)."""
        query = search_query(q, kind, since, until, outlet, entity, label, resolved, page, sort)
        return web_queries.search(store, query).to_dict()

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(
        request: Request,
        q: Words = "",
        kind: Kind = "articles",
        since: Since = None,
        until: Until = None,
        outlet: OutletQ = None,
        entity: EntityQ = None,
        label: LabelQ = None,
        resolved: ResolvedQ = None,
        page: Page = 1,
        sort: SortQ = "newest",
    ) -> Response:
        query = search_query(q, kind, since, until, outlet, entity, label, resolved, page, sort)
        asked = bool(query.q.strip()) or any(
            v is not None for v in (query.since, query.until, query.outlet, query.entity)
        )
        asked = asked or query.label is not None or query.resolved is not None
        found = web_queries.search(store, query) if asked else None
        params = {
            "q": query.q,
            "kind": query.kind,
            "since": since or "",
            "until": until or "",
            "outlet": outlet or "",
            "entity": entity or "",
            "label": label or "",
            "resolved": resolved or "",
            "sort": "" if query.sort == "newest" else query.sort,
        }

        def link(**changes: Any) -> str:
            chosen = {**params, **changes}
            return "/search?" + urlencode({k: v for k, v in chosen.items() if v not in ("", None)})

        snippets = {}
        if found is not None:
            for k, hit in enumerate(found.hits):
                snippets[k] = highlight(
                    hit.snippet, [Highlight(s, e, "match") for s, e in hit.marks]
                )
        context = {
            "query": query,
            "found": found,
            "snippets": snippets,
            "params": params,
            "link": link,
            "outlets": web_queries.outlet_names(store),
        }
        return render(
            request, "search.html", context, lambda: None if found is None else found.to_dict()
        )

    # --- writes ------------------------------------------------------------------------------

    def allow(request: Request, given: str | None, action: str) -> None:
        security.authorize(
            request, expected=state.token, given=given, read_only=read_only, action=action
        )

    def back_to(claim_id: int, anchor: str = "resolution") -> RedirectResponse:
        return RedirectResponse(f"/claims/{claim_id}#{anchor}", status_code=303)

    @app.post("/claims/{claim_id}/resolve.json", tags=["writes"], responses=WRITE_ERRORS)
    def resolve_json(request: Request, claim_id: Id, body: ResolveIn) -> dict[str, Any]:
        """Record a claim's outcome (token in `Authorization: Bearer …`); the event
        recorded."""
        allow(request, security.header_token(request), "resolving a claim")
        event = resolution.resolve(
            store, claim_id, body.outcome, body.date, body.evidence, by=body.by
        )
        return event.to_dict()

    @app.post("/claims/{claim_id}/resolve", include_in_schema=False)
    def resolve_form(
        request: Request,
        claim_id: Id,
        outcome: Annotated[str, Form()],
        evidence: Annotated[str, Form()] = "",
        on: Annotated[str, Form(alias="date")] = "",
        by: Annotated[str, Form()] = "",
        token: Annotated[str, Form()] = "",
    ) -> Response:
        allow(request, token, "resolving a claim")
        day = _date_param("date", on)
        if day is None:
            raise InputError(Errors.E127)
        resolution.resolve(store, claim_id, outcome, day, evidence, by=by.strip() or None)
        return back_to(claim_id)

    @app.post("/claims/{claim_id}/undo.json", tags=["writes"], responses=WRITE_ERRORS)
    def undo_json(request: Request, claim_id: Id) -> dict[str, Any]:
        """Withdraw a claim's current resolution; the undo event recorded."""
        allow(request, security.header_token(request), "undoing a resolution")
        return resolution.undo(store, claim_id).to_dict()

    @app.post("/claims/{claim_id}/undo", include_in_schema=False)
    def undo_form(
        request: Request,
        claim_id: Id,
        by: Annotated[str, Form()] = "",
        token: Annotated[str, Form()] = "",
    ) -> Response:
        allow(request, token, "undoing a resolution")
        resolution.undo(store, claim_id, by=by.strip() or None)
        return back_to(claim_id)

    @app.post("/suggestions/{suggestion_id}/accept.json", tags=["writes"], responses=WRITE_ERRORS)
    def accept_json(
        request: Request, suggestion_id: Id, body: DecideIn | None = None
    ) -> dict[str, Any]:
        """Accept a suggested resolution: its outcome is recorded for its claim; the event
        recorded."""
        allow(request, security.header_token(request), "accepting a suggestion")
        wanted = body or DecideIn()
        return suggestions.accept(store, suggestion_id, by=wanted.by, on=wanted.date).to_dict()

    @app.post("/suggestions/{suggestion_id}/accept", include_in_schema=False)
    def accept_form(
        request: Request,
        suggestion_id: Id,
        by: Annotated[str, Form()] = "",
        token: Annotated[str, Form()] = "",
    ) -> Response:
        allow(request, token, "accepting a suggestion")
        event = suggestions.accept(store, suggestion_id, by=by.strip() or None)
        return back_to(event.claim_id)

    @app.post("/suggestions/{suggestion_id}/reject.json", tags=["writes"], responses=WRITE_ERRORS)
    def reject_json(
        request: Request, suggestion_id: Id, body: DecideIn | None = None
    ) -> dict[str, Any]:
        """Reject a suggested resolution (nothing is recorded); the suggestion."""
        allow(request, security.header_token(request), "rejecting a suggestion")
        wanted = body or DecideIn()
        return suggestions.reject(store, suggestion_id, by=wanted.by).to_dict()

    @app.post("/suggestions/{suggestion_id}/reject", include_in_schema=False)
    def reject_form(
        request: Request,
        suggestion_id: Id,
        by: Annotated[str, Form()] = "",
        token: Annotated[str, Form()] = "",
    ) -> Response:
        allow(request, token, "rejecting a suggestion")
        found = suggestions.reject(store, suggestion_id, by=by.strip() or None)
        return back_to(found.claim_id)

    return app
