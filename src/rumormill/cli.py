"""The `rumormill` command: thin Typer adapters over the library.

Each command parses its arguments, calls one library function, prints with Rich, and turns a
RumormillError into a one-line message and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rumormill import analysis, report
from rumormill.errors import Errors, InputError, RumormillError
from rumormill.export import Format, TableChoice
from rumormill.ingest import files, house, read_article
from rumormill.model import Analysis

app = typer.Typer(
    name="rumormill",
    help="Track rumors and claims in the news: who claims what, how sure, through whom.",
    no_args_is_help=True,
    add_completion=False,
)
eval_app = typer.Typer(help="Score rumormill on public benchmarks (dev splits by default).")
app.add_typer(eval_app, name="eval")

out = Console()
err = Console(stderr=True)

T = TypeVar("T")


def run(fn: Callable[[], T], on_error: Callable[[RumormillError], None] | None = None) -> T:
    """Call the library; turn its errors into a clean message (after `on_error`, if given,
    has said more).  Exit 2: bad input; 1: other."""
    try:
        return fn()
    except RumormillError as e:
        if on_error is not None:
            on_error(e)
        err.print(
            f"[red]error:[/red] {escape(str(e))}", highlight=False, markup=True, soft_wrap=True
        )
        raise typer.Exit(code=2 if isinstance(e, InputError) else 1) from e


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def analyze(
    file: Annotated[
        str,
        typer.Argument(
            help="An article file, or - for standard input: the house format, plain text, "
            "JSON / JSON Lines (the first record) or an HTML page, recognised by content."
        ),
    ],
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help="Publication date YYYY-MM-DD, for input that does not state one."
        ),
    ] = None,
    outlet: Annotated[
        str | None,
        typer.Option(help="The outlet, for input that does not name one (else the credit line)."),
    ] = None,
    max_bytes: Annotated[
        int,
        typer.Option(
            "--max-bytes", min=1, help="Refuse larger input; raise it on purpose for huge texts."
        ),
    ] = files.MAX_BYTES,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
) -> None:
    """Analyse one article: who claims what, how sure they sound, through whom."""

    def work() -> Analysis:
        published = house.parse_date(date_, name=file) if date_ is not None else None
        if file == "-":
            data = files.read_stream(sys.stdin.buffer, name="<stdin>", limit=max_bytes)
            article = read_article(
                data, name="<stdin>", published=published, outlet=outlet, max_bytes=max_bytes
            )
        else:
            article = read_article(file, published=published, outlet=outlet, max_bytes=max_bytes)
        return analysis.analyze_article(article)

    result = run(work)
    if as_json:
        print_json(result.to_dict())
    else:
        out.print(report.build(result))


DEFAULT_DB = "rumormill.db"


@app.command()
def ingest(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (recursively), globs, - for standard input, or http(s) URLs: "
            "house format, plain text, JSON/JSONL, CSV, HTML, RSS/Atom, WARC(.gz), gzip/bz2."
        ),
    ],
    db: Annotated[str, typer.Option(help="The store: a SQLite file or an SQLAlchemy URL.")] = (
        DEFAULT_DB
    ),
    date_: Annotated[
        str | None,
        typer.Option("--date", help="Publication date YYYY-MM-DD for input that states none."),
    ] = None,
    outlet: Annotated[
        str | None, typer.Option(help="The outlet, for input that does not name one.")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="Where JSON/CSV records keep a field: FIELD=NAME[,NAME...] (text, published, "
            "outlet, url, title, language); repeatable.",
        ),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Refuse larger single documents.")
    ] = files.MAX_BYTES,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Ingest news into the store: every article is analysed and stored with its analysis.
    Re-ingesting changes nothing; an interrupted ingest resumes when run again."""
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    from rumormill.ingest.fetch import Fetcher
    from rumormill.ingest.records import FieldMap
    from rumormill.ingest.sources import Options
    from rumormill.ingestion import Progress
    from rumormill.ingestion import ingest as ingest_inputs

    def work() -> dict[str, Any]:
        published = house.parse_date(date_, name="--date") if date_ is not None else None
        options = Options(
            published=published,
            outlet=outlet,
            fields=FieldMap.parse(field or []),
            max_bytes=max_bytes,
            fetch=Fetcher(max_bytes=max_bytes),
        )
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("read {task.fields[read]}  stored {task.fields[stored]}"),
            TextColumn("duplicates {task.fields[dup]}  errors {task.fields[errors]}"),
            TimeElapsedColumn(),
        )
        with Bar(*columns, console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task("ingesting", read=0, stored=0, dup=0, errors=0)

            def show(p: Progress) -> None:
                bar.update(
                    task,
                    description=p.current[-40:],
                    read=p.read,
                    stored=p.ingested,
                    dup=p.duplicates,
                    errors=p.rejected,
                )

            return ingest_inputs(inputs, db=db, options=options, on_progress=show).to_dict()

    result = run(work)
    if as_json:
        print_json(result)
        return
    out.print(report.ingest_summary(result, db=db))


@app.command()
def demo(
    db: Annotated[
        Path | None,
        typer.Option(help="Where to build the demo store (default: a file in your data folder)."),
    ] = None,
) -> None:
    """The main job on the bundled demo corpus (295 Wikinews articles, CC BY 2.5): ingest it
    into a local store, then show the top stories, the most-cited people and the rumors."""
    from rumormill.demo import default_db
    from rumormill.demo import demo as run_demo

    def work() -> Any:
        with err.status("ingesting the Wikinews demo corpus …") as status:
            return run_demo(
                db,
                on_progress=lambda p: status.update(
                    f"ingesting the Wikinews demo corpus: {p.read} read, {p.ingested} stored"
                ),
            )

    result = run(work)
    out.print(report.ingest_summary(result.ingest.to_dict(), db=str(result.db)))
    out.print(report.story_table(result.stories))
    out.print(report.people_table(result.people))
    out.print(report.rumor_table(result.rumors))
    where = "" if db is None and result.db == default_db() else f" --db {result.db}"
    out.print(
        "Explore further: "
        f"[bold]rumormill rumors{where}[/bold], [bold]rumormill claims{where}[/bold], "
        f"[bold]rumormill stories{where}[/bold], then [bold]rumormill show claim ID{where} "
        "--provenance[/bold] for where a claim came from, or "
        f"[bold]rumormill serve{where}[/bold] to browse it all."
    )


@app.command()
def stories(
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    since: Annotated[str | None, typer.Option(help="From this day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this day, YYYY-MM-DD.")] = None,
    about: Annotated[str | None, typer.Option(help="Only stories naming this entity.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
) -> None:
    """The largest stories in the store: articles about the same event over time."""
    from rumormill.store import Store, queries

    def work() -> list[Any]:
        first = house.parse_date(since, name="--since") if since else None
        last = house.parse_date(until, name="--until") if until else None
        with Store.open(db, create=False) as store:
            return queries.stories(store, since=first, until=last, about=about, limit=limit)

    out.print(report.story_table(run(work), title="Stories"))


@app.command()
def rumors(
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    about: Annotated[
        str | None, typer.Option(help="Only claims in articles naming this entity.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Seen from this day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Seen up to this day, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Unresolved claims carried mostly by hedged or unnamed sourcing, fastest-growing first."""
    from rumormill.store import Store, queries

    def work() -> list[Any]:
        first = house.parse_date(since, name="--since") if since else None
        last = house.parse_date(until, name="--until") if until else None
        with Store.open(db, create=False) as store:
            return queries.rumors(store, about=about, since=first, until=last, limit=limit)

    found = run(work)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    out.print(report.rumor_table(found))


@app.command()
def claims(
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    about: Annotated[
        str | None, typer.Option(help="Only claims in articles naming this entity.")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Only claims this source (a name or its words) carries.")
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(
            help="Only claims with an attribution of these certainty labels, comma-separated: "
            "asserted, probable, possible, doubted, denied."
        ),
    ] = None,
    unnamed: Annotated[
        bool, typer.Option("--unnamed", help="Only claims with an unnamed source or none.")
    ] = False,
    since: Annotated[str | None, typer.Option(help="Seen from this day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Seen up to this day, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """The largest claims in the store: the same claim across articles, outlets and days, with
    who carries it and how sure they sound."""
    from rumormill.store import Store, queries

    def work() -> list[Any]:
        first = house.parse_date(since, name="--since") if since else None
        last = house.parse_date(until, name="--until") if until else None
        labels = queries.check_labels(label.split(",")) if label else None
        with Store.open(db, create=False) as store:
            return queries.claims(
                store,
                about=about,
                source=source,
                labels=labels,
                unnamed=unnamed,
                since=first,
                until=last,
                limit=limit,
            )

    found = run(work)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    out.print(report.claim_table(found))


class ShowKind(StrEnum):
    """What `rumormill show` shows."""

    CLAIM = "claim"
    STORY = "story"
    ENTITY = "entity"
    ARTICLE = "article"


# Ids are stored as 64-bit integers: a larger number cannot name anything.
MAX_ID = 2**63 - 1


def _number(kind: ShowKind, ident: str) -> int:
    try:
        number = int(ident)
    except ValueError:
        raise typer.BadParameter(
            f"a {kind} id is a number, not {ident!r}", param_hint="'ID'"
        ) from None
    if not 1 <= number <= MAX_ID:
        raise typer.BadParameter(f"a {kind} id is from 1 to {MAX_ID}", param_hint="'ID'")
    return number


@app.command()
def show(
    kind: Annotated[ShowKind, typer.Argument(help="What to show.")],
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A claim, story or entity number; an article id (or its first 8 characters "
            "or more); for an entity, a name also does.",
        ),
    ],
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the detail as JSON.")] = False,
    provenance_: Annotated[
        bool,
        typer.Option(
            "--provenance",
            help="For a claim: how it travelled, from its independent origins down to the "
            "articles that echo them (`rumormill provenance` exports the graph).",
        ),
    ] = False,
) -> None:
    """One claim, story, entity or article in detail: a timeline of mentions and outlets per
    day, the sources with their certainty, the first-seen article and the copies."""
    from rumormill.store import Store, queries

    if provenance_:
        if kind is not ShowKind.CLAIM:
            raise typer.BadParameter("--provenance is for a claim", param_hint="'--provenance'")
        _show_provenance(_number(kind, ident), db=db, as_json=as_json)
        return

    wanted: int | str = ident.strip()
    if kind in (ShowKind.CLAIM, ShowKind.STORY) or (
        kind is ShowKind.ENTITY and ident.strip().lstrip("-").isdigit()
    ):
        wanted = _number(kind, ident)

    def work() -> Any:
        with Store.open(db, create=False) as store:
            if kind is ShowKind.CLAIM:
                return queries.claim(store, int(wanted))
            if kind is ShowKind.STORY:
                return queries.story(store, int(wanted))
            if kind is ShowKind.ARTICLE:
                return queries.article(store, str(wanted))
            if isinstance(wanted, int):
                return queries.entity(store, wanted)
            return queries.entity_named(store, wanted)

    def choices(e: RumormillError) -> None:
        found = e.details.get("entities")
        if e.code is Errors.E114 and isinstance(found, list):
            err.print(report.entity_choices(found))

    detail = run(work, on_error=choices)
    if as_json:
        print_json(detail.to_dict())
        return
    shown = {
        ShowKind.CLAIM: report.claim_detail,
        ShowKind.STORY: report.story_detail,
        ShowKind.ENTITY: report.entity_detail,
        ShowKind.ARTICLE: report.article_detail,
    }[kind]
    out.print(shown(detail))


def _show_provenance(claim_id: int, *, db: str, as_json: bool) -> None:
    from rumormill.provenance import provenance
    from rumormill.store import Store

    def work() -> Any:
        with Store.open(db, create=False) as store:
            return provenance(store, claim_id)

    found = run(work)
    if as_json:
        print_json(found.to_dict())
        return
    out.print(report.provenance_tree(found))


class GraphChoice(StrEnum):
    """`rumormill provenance --format`."""

    GRAPHML = "graphml"
    GEXF = "gexf"
    DOT = "dot"


@app.command("provenance")
def provenance_(
    claim_id: Annotated[
        int, typer.Argument(metavar="CLAIM_ID", min=1, max=MAX_ID, help="The claim number.")
    ],
    out_: Annotated[Path, typer.Option("--out", help="The file to write.")],
    format_: Annotated[
        GraphChoice,
        typer.Option("--format", help="GraphML and GEXF (Gephi) or DOT (Graphviz)."),
    ] = GraphChoice.GRAPHML,
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
) -> None:
    """Export the provenance graph of a claim (articles, outlets and sources; quotes, cites and
    copies edges; origins marked) as GraphML, GEXF or DOT."""
    from rumormill.provenance import provenance, write_graph
    from rumormill.store import Store

    def work() -> tuple[Any, Path]:
        with Store.open(db, create=False) as store:
            found = provenance(store, claim_id)
        return found, write_graph(found, out_, format_.value)

    found, path = run(work)
    out.print(
        f"claim {claim_id}: {report.counted(found.graph.number_of_nodes(), 'node')}, "
        f"{report.counted(found.graph.number_of_edges(), 'edge')}, "
        f"{report.counted(found.independent_origins, 'independent origin')}, "
        f"{found.echoes} echo{'' if found.echoes == 1 else 'es'} -> {escape(str(path))}",
        highlight=False,
    )


class OutcomeChoice(StrEnum):
    """`rumormill resolve --outcome`."""

    TRUE = "true"
    FALSE = "false"
    PARTLY = "partly"
    UNRESOLVED = "unresolved"


@app.command()
def resolve(
    claim_id: Annotated[
        int, typer.Argument(metavar="CLAIM_ID", min=1, max=MAX_ID, help="The claim number.")
    ],
    outcome: Annotated[
        OutcomeChoice | None,
        typer.Option(help="The outcome; 'unresolved' reopens the claim, keeping the history."),
    ] = None,
    date_: Annotated[
        str | None, typer.Option("--date", help="When the outcome became known, YYYY-MM-DD.")
    ] = None,
    evidence: Annotated[
        str | None, typer.Option(help="A URL or a note saying how it is known.")
    ] = None,
    undo: Annotated[
        bool,
        typer.Option("--undo", help="Withdraw the current resolution (the one before is back)."),
    ] = False,
    by: Annotated[str | None, typer.Option(help="Who records it.")] = None,
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the event as JSON.")] = False,
) -> None:
    """Record a claim's outcome (true, false, partly, unresolved) with its date and evidence,
    or withdraw it with --undo.  Every change is kept: `rumormill resolutions --claim ID`."""
    from rumormill import resolution
    from rumormill.store import Store

    if undo and outcome is not None:
        raise typer.BadParameter("give --outcome or --undo, not both", param_hint="'--undo'")
    if not undo and outcome is None:
        raise typer.BadParameter("give --outcome (or --undo)", param_hint="'--outcome'")

    def work() -> Any:
        with Store.open(db, create=False) as store:
            if undo:
                return resolution.undo(store, claim_id, by=by)
            assert outcome is not None
            if not date_:
                raise InputError(Errors.E127)
            day = house.parse_date(date_, name="--date")
            return resolution.resolve(store, claim_id, outcome.value, day, evidence or "", by=by)

    event = run(work)
    if as_json:
        print_json(event.to_dict())
        return
    if event.action == "undo":
        out.print(f"claim {claim_id}: resolution event {event.undoes} withdrawn", highlight=False)
    else:
        out.print(
            f"claim {claim_id}: {event.outcome} on {event.on} (event {event.id})", highlight=False
        )


@app.command()
def resolutions(
    claim: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_ID, help="One claim: every change to its resolution."),
    ] = None,
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """The current resolution of every resolved claim, latest first; with --claim, the
    history of one claim's resolution."""
    from rumormill import resolution
    from rumormill.store import Store

    def work() -> list[Any]:
        with Store.open(db, create=False) as store:
            if claim is not None:
                return list(resolution.history(store, claim))
            return list(resolution.resolutions(store))

    found = run(work)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    if claim is not None:
        if not found:
            out.print(f"Claim {claim}: no resolution recorded.", style="dim")
            return
        out.print(report.history_table(found, title=f"Claim {claim}: resolution history"))
        return
    out.print(report.resolutions_table(found))


@app.command("suggestions")
def suggestions_(
    accept: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_ID, help="Record this suggestion's outcome as the resolution."),
    ] = None,
    reject: Annotated[
        int | None, typer.Option(min=1, max=MAX_ID, help="Reject this suggestion.")
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Scan every claim again for new suggestions.")
    ] = False,
    claim: Annotated[
        int | None, typer.Option(min=1, max=MAX_ID, help="Only this claim's suggestions.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Accepted and rejected ones too.")
    ] = False,
    by: Annotated[str | None, typer.Option(help="Who decides.")] = None,
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Suggested resolutions found in later articles (a denial by whom the claim is about; a
    confirmation stated as fact by several independent origins), pending until accepted or
    rejected.  Nothing is recorded without --accept."""
    from rumormill import suggestions
    from rumormill.store import Store

    if accept is not None and reject is not None:
        raise typer.BadParameter("give --accept or --reject, not both", param_hint="'--accept'")

    def work() -> Any:
        with Store.open(db, create=False) as store:
            if accept is not None:
                return suggestions.accept(store, accept, by=by)
            if reject is not None:
                return suggestions.reject(store, reject, by=by)
            if refresh:
                suggestions.suggest(store, claim)
            return suggestions.suggestions(
                store, status=None if show_all else "pending", claim_id=claim
            )

    found = run(work)
    if accept is not None:
        if as_json:
            print_json(found.to_dict())
            return
        out.print(
            f"suggestion {accept} accepted: claim {found.claim_id} resolved {found.outcome} "
            f"on {found.on} (event {found.id})",
            highlight=False,
        )
        return
    if reject is not None:
        if as_json:
            print_json(found.to_dict())
            return
        out.print(f"suggestion {reject} rejected (claim {found.claim_id})", highlight=False)
        return
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    title = "Suggested resolutions" + ("" if show_all else " (pending)")
    out.print(report.suggestion_table(found, title=title))


class SortChoice(StrEnum):
    """`rumormill sources --sort`."""

    BRIER = "brier"
    RESOLVED = "resolved"
    NAME = "name"


@app.command("sources")
def sources_(
    sort: Annotated[
        SortChoice, typer.Option(help="Best Brier score first, most resolved first, or by name.")
    ] = SortChoice.BRIER,
    min_resolved: Annotated[
        int, typer.Option("--min-resolved", min=1, help="At least this many resolved claims.")
    ] = 1,
    calibration: Annotated[
        bool, typer.Option("--calibration", help="A calibration table per source.")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Track records: every source (person, organisation) and outlet with resolved claims,
    how they resolved, and its Brier score (the probability implied by its certainty against
    the outcome)."""
    from rumormill.store import Store, queries

    def work() -> list[Any]:
        with Store.open(db, create=False) as store:
            return queries.sources(store, sort=sort.value, min_resolved=min_resolved, limit=limit)

    found = run(work)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    out.print(report.records_table(found, calibration=calibration))


@app.command("export")
def export_(
    db: Annotated[str, typer.Option(help="The store.")] = DEFAULT_DB,
    format_: Annotated[
        Format, typer.Option("--format", help="jsonl and csv stream; parquet needs pyarrow.")
    ] = Format.JSONL,
    table: Annotated[
        TableChoice, typer.Option(help="The table to export, or all of them.")
    ] = TableChoice.ALL,
    out_: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="A file (one table) or a directory (one <table>.<format> file per table); "
            "without it, one jsonl or csv table goes to standard output.",
        ),
    ] = None,
) -> None:
    """Export articles, attributions, claims and stories as JSON Lines, CSV or Parquet."""
    from rumormill import export
    from rumormill.store import Store

    def work() -> list[export.Exported]:
        with Store.open(db, create=False) as store:
            if out_ is None:
                return [export.to_stream(store, sys.stdout, table=table, format=format_)]
            return export.export(store, out_, tables=table, format=format_)

    for done in run(work):
        if done.path is not None:
            out.print(
                f"{done.table}: {done.rows} rows -> {escape(str(done.path))}", highlight=False
            )


TOKEN_ENV = "RUMORMILL_TOKEN"


@app.command()
def serve(
    db: Annotated[str, typer.Option(help="The store: a SQLite file or an SQLAlchemy URL.")] = (
        DEFAULT_DB
    ),
    host: Annotated[
        str, typer.Option(help="The address to listen on; 127.0.0.1 keeps it to this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port.")] = 8000,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Refuse every write (resolve, suggestions).")
    ] = False,
) -> None:
    """Serve the web UI and its JSON API. Writes need a token: RUMORMILL_TOKEN, or one
    generated and printed at start."""
    import os
    import secrets

    import uvicorn

    from rumormill.web import create_app

    token = os.environ.get(TOKEN_ENV) or None
    generated = token is None and not read_only
    if generated:
        token = secrets.token_urlsafe(24)
    web = run(lambda: create_app(db, read_only=read_only, token=token))
    shown = f"[{host}]" if ":" in host else host
    err.print(f"rumormill: serving {escape(db)} at http://{shown}:{port}/", highlight=False)
    if read_only:
        err.print("read-only: writes are disabled", highlight=False)
    elif generated:
        err.print(
            f"write token (set {TOKEN_ENV} to choose one): {token}", highlight=False, soft_wrap=True
        )
    else:
        err.print(f"write token: from {TOKEN_ENV}", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="info")


@eval_app.command("pipeline")
def eval_pipeline(
    data: Annotated[
        Path, typer.Option(help="The shared data folder (treebanks/ and ner/ inside).")
    ] = Path("../shared/data"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score the shipped pipeline: UD EWT and GUM dev (syntax), UniversalNER PUD (entities)."""
    from rumormill.eval.pipeline import evaluate_pipeline
    from rumormill.nlp import pipeline

    def work() -> dict[str, Any]:
        tb = data / "treebanks"
        report = evaluate_pipeline(
            pipeline.load(),
            treebanks={"ewt": tb / "en_ewt-ud-dev.conllu", "gum": tb / "en_gum-dev.conllu"},
            entities={
                "pud": data / "ner" / "uner_en_pud" / "en_pud-ud-test.iob2",
                "uner-ewt": tb / "uner_en_ewt-ud-dev.iob2",
            },
        )
        return report.to_dict()

    result = run(work)
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['benchmark']} ({result['split']})")
    table.add_column("group")
    table.add_column("metrics")
    for group, metrics in result["scores"].items():
        shown = ", ".join(f"{k} {v:.1%}" if v <= 1 else f"{k} {v:.0f}" for k, v in metrics.items())
        table.add_row(group, shown)
    out.print(table)


@eval_app.command("attribution")
def eval_attribution(
    polnear: Annotated[
        Path,
        typer.Option(
            help="A PolNeAR-layout folder: <split>/text/*.txt, <split>/attributions/*.ann."
        ),
    ] = Path("../shared/data/polnear"),
    split: Annotated[str, typer.Option(help="The split folder to score: dev, test, ...")] = "dev",
    limit: Annotated[
        int | None, typer.Option(min=1, help="Score only the first N articles (sorted by name).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score the attribution extractor on PolNeAR: source, cue and content spans, by kind."""
    from rumormill.eval.attribution import evaluate_attribution

    result = run(lambda: evaluate_attribution(polnear, split=split, limit=limit).to_dict())
    if as_json:
        print_json(result)
        return
    metrics = ("exact_p", "exact_r", "exact_f1", "begin_f1", "overlap_f1")
    table = Table(title=f"{result['benchmark']} ({result['split']}, {result['n']} articles)")
    table.add_column("group", no_wrap=True)
    for metric in metrics:
        table.add_column(metric, justify="right")
    for group, scores in result["scores"].items():
        table.add_row(group, *(f"{scores[m]:.1%}" for m in metrics))
    out.print(table)


@eval_app.command("speakers")
def eval_speakers(
    basil: Annotated[
        Path,
        typer.Option(
            help="A BASIL-layout folder: articles/<year>/*.json, annotations/<year>/*_ann.json."
        ),
    ] = Path("../shared/data/basil"),
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Score only the first N articles (sorted by year and name)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score speaker naming on BASIL: is the resolved source name the quote's speaker?"""
    from rumormill.eval.speakers import evaluate_speakers

    result = run(lambda: evaluate_speakers(basil, limit=limit).to_dict())
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['benchmark']} ({result['n']} quotes)")
    table.add_column("group", no_wrap=True)
    table.add_column("metrics")
    for group, scores in result["scores"].items():
        shown = ", ".join(
            f"{k} {v}" if group == "counts" else f"{k} {v:.1%}" for k, v in scores.items()
        )
        table.add_row(group, shown)
    out.print(table)


@eval_app.command("factuality")
def eval_factuality(
    data: Annotated[
        Path,
        typer.Option(
            help="One set folder holding <split>.jsonl (and train.jsonl), or a folder of them "
            "(UW, MEANTIME, UDS_IH2, ...): every set with <split>.jsonl is scored."
        ),
    ] = Path("../shared/data/factuality"),
    split: Annotated[
        str, typer.Option(help="The split file to score: dev, test, ... (<split>.jsonl).")
    ] = "dev",
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score event factuality: our learned certainty on each target against its label
    (-3..+3), with the v1 lexicon and a constant train-mean baseline; MAE and Pearson r per set."""
    from rumormill.eval.factuality import BASELINE, LEXICON, evaluate_factuality

    result = run(lambda: evaluate_factuality(data, split=split).to_dict())
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['benchmark']} ({result['split']}, {result['n']} targets)")
    table.add_column("group", no_wrap=True)
    for column in ("n", "mae", "pearson_r"):
        table.add_column(column, justify="right")
    table.add_column("predicts")
    groups = result["scores"]
    for group, scores in groups.items():
        name = group.removeprefix(f"{BASELINE}:").removeprefix(f"{LEXICON}:")
        if group == name:
            predicts = "learned certainty model"
        elif group.startswith(LEXICON):
            predicts = "v1 certainty lexicon"
        elif scores["train_n"]:
            mean, n = scores["constant"], scores["train_n"]
            predicts = f"{mean:+.3f}, the mean of {n:.0f} train labels"
        else:
            predicts = "0.0 (no train labels)"
        table.add_row(
            group,
            f"{groups[name]['n']:.0f}",
            f"{scores['mae']:.3f}",
            f"{scores['pearson_r']:.3f}",
            predicts,
        )
    table.caption = "pearson_r of a constant is undefined: reported as 0.0"
    out.print(table)


def metric_table(result: dict[str, Any], unit: str) -> Table:
    """One row per group, one column per metric (fractions shown as percentages); a `counts`
    group, if any, goes in the caption."""
    table = Table(title=f"{result['benchmark']} ({result['split']}, {result['n']} {unit})")
    table.add_column("group", no_wrap=True)
    groups = {g: m for g, m in result["scores"].items() if g != "counts"}
    metrics = list(dict.fromkeys(m for scores in groups.values() for m in scores))
    for metric in metrics:
        table.add_column(metric.replace("_", " "), justify="right")
    for group, scores in groups.items():
        table.add_row(group, *(f"{scores[m]:.1%}" if m in scores else "" for m in metrics))
    counts = result["scores"].get("counts")
    if counts:
        table.caption = ", ".join(f"{k} {v:g}" for k, v in counts.items())
    return table


@eval_app.command("hedges")
def eval_hedges(
    data: Annotated[
        Path,
        typer.Option(help="One Szeged uncertainty corpus file (wiki.xml, bio_*.xml)."),
    ] = Path("../shared/data/uncertainty/wiki.xml"),
    split: Annotated[
        str,
        typer.Option(help="dev or train (our seeded split by document), or all (every document)."),
    ] = "dev",
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score hedge-cue detection: cue-level P/R/F1 and sentence-level F1 of the uncertain class,
    with the v1 hedge lexicon as the baseline."""
    from rumormill.eval.hedges import evaluate_hedges

    result = run(lambda: evaluate_hedges(data, split=split).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "sentences"))


@eval_app.command("stance")
def eval_stance(
    emergent: Annotated[
        Path,
        typer.Option(help="An Emergent CSV (the layout of emergent_train_all_columns.csv)."),
    ] = Path("../shared/data/emergent/emergent_train_all_columns.csv"),
    train: Annotated[
        Path | None,
        typer.Option(help="Train on this file and score --emergent (else: 5-fold CV by claim)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score stance toward a claim (for / against / observing) from our certainty of each
    headline: accuracy and macro-F1, with the majority class as the baseline."""
    from rumormill.eval.stance import evaluate_stance

    result = run(lambda: evaluate_stance(emergent, train=train).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "headlines"))


@eval_app.command("veracity")
def eval_veracity(
    emergent: Annotated[
        Path,
        typer.Option(help="An Emergent CSV (the layout of emergent_train_all_columns.csv)."),
    ] = Path("../shared/data/emergent/emergent_train_all_columns.csv"),
    train: Annotated[
        Path | None,
        typer.Option(help="Train on this file and score --emergent (else: 5-fold CV by claim)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Predict each claim's truth (true / false / unverified) from the coverage we build from
    its headlines (our certainty and stance, copies, outlets' track records): accuracy and
    macro-F1, with the majority class as the baseline."""
    from rumormill.eval.veracity import evaluate_veracity

    result = run(lambda: evaluate_veracity(emergent, train=train).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "claims"))


@eval_app.command("records")
def eval_records(
    liar_train: Annotated[
        Path, typer.Option(help="LIAR statements to learn speakers' records from (TSV).")
    ] = Path("../shared/data/liar/train.tsv"),
    liar_test: Annotated[
        Path, typer.Option(help="LIAR statements whose verdicts the records predict (TSV).")
    ] = Path("../shared/data/liar/valid.tsv"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Check the track-record arithmetic on LIAR: speakers' records learned on one file
    predict the verdicts of another (six-way and true-ish / false-ish, and the Brier score),
    beside the majority and global-prior baselines."""
    from rumormill.eval.records import evaluate_records

    result = run(lambda: evaluate_records(liar_train, liar_test).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "statements"))


@eval_app.command("stories")
def eval_stories(
    basil: Annotated[
        Path,
        typer.Option(help="A BASIL-layout folder: articles/<year>/*.json (every year present)."),
    ] = Path("../shared/data/basil"),
    years: Annotated[
        list[str] | None, typer.Option("--year", help="Score only these years (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score story clustering: does each BASIL triplet (one event covered by Fox, NYT and
    HuffPost) come out as one story? B-cubed and pairwise P/R/F1, with same-day and singleton
    baselines."""
    from rumormill.eval.stories import evaluate_stories

    result = run(lambda: evaluate_stories(basil, years=years or None).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "articles"))


@eval_app.command("claims")
def eval_claims(
    emergent: Annotated[
        Path,
        typer.Option(help="An Emergent CSV (the layout of emergent_train_all_columns.csv)."),
    ] = Path("../shared/data/emergent/emergent_train_all_columns.csv"),
    embedder: Annotated[
        str, typer.Option(help="The embedder of ours: static (shipped) or minilm (extra).")
    ] = "static",
    as_json: Annotated[bool, typer.Option("--json", help="Print the evaluation JSON.")] = False,
) -> None:
    """Score claim linking: do Emergent's headlines of one claim link into one claim, and no
    other? B-cubed and pairwise F1, threshold by 5-fold cross-validation over claims, with
    TF-IDF and singleton baselines."""
    from rumormill.eval.claims import evaluate_claims

    result = run(lambda: evaluate_claims(emergent, embedder=embedder).to_dict())
    if as_json:
        print_json(result)
        return
    out.print(metric_table(result, "headlines"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
