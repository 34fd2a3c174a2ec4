"""Export a store's tables as JSON Lines, CSV or Parquet, streamed.

with Store.open("news.db") as store:
    export.export(store, "out/", tables="all", format="parquet")   # out/articles.parquet, ...
    export.to_stream(store, sys.stdout, table="claims", format="csv")

Four tables, each a flat row per thing (`COLUMNS` names them, in order):

- **articles**: one row per stored article, with its outlet (the outlet's identity, else the
  name the input gave), dates, links (copy, story) and text;
- **attributions**: one row per act of saying, with its article, source, cue, channel,
  content, certainty and claim;
- **claims**: one row per claim (attributions that linking gave one `claim_id`; an attribution
  without one is in no claim): its statement (the content of its earliest attribution), first
  and last dates and how many attributions, articles and outlets carry it;
- **stories**: one row per story (`articles.story_id`): the title of its earliest article,
  first and last dates, how many articles and outlets.

Rows are read in one read transaction (one snapshot), `CHUNK` at a time from the database
cursor, and written as they come: a store of any size is exported in bounded memory.  Dates
and times are ISO 8601 (`2022-05-05`, `2022-05-05T10:15:00+00:00`); list columns (certainty
cues) are JSON arrays in JSON Lines, JSON strings in CSV, lists in Parquet; a missing value is
`null` in JSON Lines and Parquet, an empty field in CSV.  Parquet needs the optional `parquet`
extra (pyarrow); without it E106.  A file is written beside its final path and renamed into
place when complete, so that a failed export leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

import sqlalchemy as sa

from rumormill.errors import Errors, RumormillError
from rumormill.store import Store, schema

# Rows fetched from the database cursor, and written to Parquet, at a time.
CHUNK = 500
# A story's title when its earliest article has none: the first line of its text, this long.
TITLE_CHARS = 120

_A = schema.articles
_T = schema.attributions
_O = schema.outlets


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


class Table(StrEnum):
    ARTICLES = "articles"
    ATTRIBUTIONS = "attributions"
    CLAIMS = "claims"
    STORIES = "stories"


class TableChoice(StrEnum):
    """A table, or all of them."""

    ALL = "all"
    ARTICLES = "articles"
    ATTRIBUTIONS = "attributions"
    CLAIMS = "claims"
    STORIES = "stories"


class ExportError(RumormillError):
    """An export was asked something it cannot do, or its output cannot be written."""


Kind = Literal["str", "int", "float", "date", "datetime", "list"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind


def _columns(spec: str) -> tuple[Column, ...]:
    """ "name:kind name:kind ..." -> columns (kind "str" when omitted)."""
    found: list[Column] = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        found.append(Column(name, kind or "str"))  # type: ignore[arg-type]
    return tuple(found)


COLUMNS: dict[Table, tuple[Column, ...]] = {
    Table.ARTICLES: _columns(
        "id url outlet_id:int outlet title published:date date_source ingested_at:datetime "
        "language credit revision_of copy_of story_id:int n_attributions:int text"
    ),
    Table.ATTRIBUTIONS: _columns(
        "article_id attribution_id position:int kind source_text source_type source_name "
        "source_entity cue channel content content_start:int content_end:int "
        "certainty_score:float certainty_label certainty_cues:list published:date "
        "outlet_id:int outlet claim_id:int"
    ),
    Table.CLAIMS: _columns(
        "claim_id:int statement first_seen:date last_seen:date n_attributions:int "
        "n_articles:int n_outlets:int"
    ),
    Table.STORIES: _columns(
        "story_id:int title first_article_id first_seen:date last_seen:date n_articles:int "
        "n_outlets:int"
    ),
}

_SUFFIXES: dict[Format, str] = {
    Format.JSONL: ".jsonl",
    Format.CSV: ".csv",
    Format.PARQUET: ".parquet",
}


@dataclass(frozen=True)
class Exported:
    """One table written: where to (None for a stream) and how many rows."""

    table: Table
    path: Path | None
    rows: int


# --- choices ------------------------------------------------------------------------------------


def format_of(value: str) -> Format:
    try:
        return Format(value)
    except ValueError as e:
        choices = "one of " + ", ".join(f.value for f in Format)
        raise ExportError(Errors.E105, what="format", value=value, choices=choices) from e


def tables_of(value: str | Sequence[str]) -> list[Table]:
    """Table names ("all" for every table), validated, each once, in the order given."""
    names = [value] if isinstance(value, str) else list(value)
    chosen: list[Table] = []
    for name in names:
        if name == TableChoice.ALL:
            chosen.extend(Table)
            continue
        try:
            chosen.append(Table(name))
        except ValueError as e:
            choices = "one of " + ", ".join(t.value for t in TableChoice)
            raise ExportError(Errors.E105, what="table", value=name, choices=choices) from e
    if not chosen:
        raise ExportError(Errors.E105, what="table", value="", choices="at least one table")
    return list(dict.fromkeys(chosen))


# --- reading ------------------------------------------------------------------------------------


def _articles() -> sa.Select[Any]:
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name).label("outlet")
    return (
        sa.select(
            _A.c.id,
            _A.c.url,
            _A.c.outlet_id,
            outlet,
            _A.c.title,
            _A.c.published,
            _A.c.date_source,
            _A.c.ingested_at,
            _A.c.language,
            _A.c.credit,
            _A.c.revision_of,
            _A.c.copy_of,
            _A.c.story_id,
            _A.c.n_attributions,
            _A.c.text,
        )
        .select_from(_A.outerjoin(_O, _O.c.id == _A.c.outlet_id))
        .order_by(_A.c.pk)
    )


def _attributions() -> sa.Select[Any]:
    outlet = sa.func.coalesce(_O.c.name, _A.c.outlet_name).label("outlet")
    return (
        sa.select(
            _T.c.article_id,
            _T.c.attribution_id,
            _T.c.position,
            _T.c.kind,
            _T.c.source_text,
            _T.c.source_type,
            _T.c.source_name,
            _T.c.source_entity,
            _T.c.cue_text.label("cue"),
            _T.c.channel_text.label("channel"),
            _T.c.content_text.label("content"),
            _T.c.content_start,
            _T.c.content_end,
            _T.c.certainty_score,
            _T.c.certainty_label,
            _T.c.certainty_cues,
            _T.c.published,
            _A.c.outlet_id,
            outlet,
            _T.c.claim_id,
        )
        .select_from(
            _T.join(_A, _A.c.id == _T.c.article_id).outerjoin(_O, _O.c.id == _A.c.outlet_id)
        )
        .order_by(_T.c.pk)
    )


def _claims() -> sa.Select[Any]:
    t2, a2 = _T.alias("t2"), _A.alias("a2")
    # The earliest attribution (dated before undated, then in the order stored) words it.
    statement = (
        sa.select(t2.c.content_text)
        .select_from(t2.join(a2, a2.c.id == t2.c.article_id))
        .where(t2.c.claim_id == _T.c.claim_id)
        .order_by(a2.c.published.is_(None), a2.c.published, t2.c.pk)
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(
            _T.c.claim_id,
            statement.label("statement"),
            sa.func.min(_A.c.published).label("first_seen"),
            sa.func.max(_A.c.published).label("last_seen"),
            sa.func.count().label("n_attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("n_articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("n_outlets"),
        )
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_T.c.claim_id.is_not(None))
        .group_by(_T.c.claim_id)
        .order_by(_T.c.claim_id)
    )


def _stories() -> sa.Select[Any]:
    a2 = _A.alias("a2")

    def earliest(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
        return (
            sa.select(column)
            .where(a2.c.story_id == _A.c.story_id)
            .order_by(a2.c.published.is_(None), a2.c.published, a2.c.pk)
            .limit(1)
            .scalar_subquery()
        )

    return (
        sa.select(
            _A.c.story_id,
            earliest(a2.c.title).label("title"),
            # Enough of the text for a title when the earliest article has none.
            earliest(sa.func.substr(a2.c.text, 1, 4 * TITLE_CHARS)).label("lead"),
            earliest(a2.c.id).label("first_article_id"),
            sa.func.min(_A.c.published).label("first_seen"),
            sa.func.max(_A.c.published).label("last_seen"),
            sa.func.count().label("n_articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("n_outlets"),
        )
        .where(_A.c.story_id.is_not(None))
        .group_by(_A.c.story_id)
        .order_by(_A.c.story_id)
    )


def _story_title(title: str | None, lead: str | None) -> str:
    if title and title.strip():
        return title.strip()
    first = (lead or "").strip().split("\n", 1)[0]
    return first[:TITLE_CHARS]


_QUERIES: dict[Table, Callable[[], sa.Select[Any]]] = {
    Table.ARTICLES: _articles,
    Table.ATTRIBUTIONS: _attributions,
    Table.CLAIMS: _claims,
    Table.STORIES: _stories,
}


def _row(table: Table, row: sa.Row[Any]) -> dict[str, Any]:
    data = row._asdict()
    if table is Table.STORIES:
        data["title"] = _story_title(data["title"], data.pop("lead"))
    elif table is Table.ATTRIBUTIONS:
        data["certainty_cues"] = list(data["certainty_cues"] or [])
    return {column.name: data[column.name] for column in COLUMNS[table]}


def chunks(store: Store, table: str, *, size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """The rows of one table, `size` at a time, as Python values (dates as `date`, times as
    aware UTC `datetime`, lists as lists), keyed by `COLUMNS`, from one snapshot."""
    chosen = tables_of(table)
    if len(chosen) != 1:
        raise ExportError(Errors.E105, what="table", value=table, choices="one table")
    with store.reading() as conn:
        yield from _chunks(conn, chosen[0], size)


def _chunks(conn: sa.Connection, table: Table, size: int) -> Iterator[list[dict[str, Any]]]:
    result = conn.execution_options(yield_per=size).execute(_QUERIES[table]())
    for partition in result.partitions(size):
        yield [_row(table, row) for row in partition]


def rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    """The rows of one table, one by one (see `chunks`)."""
    for chunk in chunks(store, table):
        yield from chunk


# --- values -------------------------------------------------------------------------------------


def plain(value: Any, kind: Kind) -> Any:
    """A value as JSON Lines writes it: ISO 8601 dates and times, everything else as is."""
    if value is None:
        return None
    if kind in ("date", "datetime") and isinstance(value, date | datetime):
        return value.isoformat()
    return value


def cell(value: Any, kind: Kind) -> str:
    """A value as CSV writes it: ISO 8601 dates and times, lists as JSON, None as ''."""
    if value is None:
        return ""
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


# --- writing ------------------------------------------------------------------------------------


# Line breaks that JSON leaves raw but `str.splitlines` (and so some JSON Lines readers) split
# on: escaped, so that a record is always one line whatever reads it.  They can only occur
# inside JSON strings, where the escape means the same character.
_LINE_BREAKS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"})


def write_jsonl(
    batches: Iterator[list[dict[str, Any]]], columns: Sequence[Column], stream: IO[str]
) -> int:
    """One JSON object per line, keys in column order; the number of rows written."""
    n = 0
    for batch in batches:
        for row in batch:
            record = {c.name: plain(row.get(c.name), c.kind) for c in columns}
            stream.write(json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS) + "\n")
            n += 1
    return n


def write_csv(
    batches: Iterator[list[dict[str, Any]]], columns: Sequence[Column], stream: IO[str]
) -> int:
    """A header, then one record per row (RFC 4180 quoting); the number of rows written.
    Open a file for it with `newline=""`, as for any CSV."""
    writer = csv.writer(stream)
    writer.writerow([c.name for c in columns])
    n = 0
    for batch in batches:
        writer.writerows([cell(row.get(c.name), c.kind) for c in columns] for row in batch)
        n += len(batch)
    return n


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise ExportError(Errors.E106, reason=str(e)) from e
    return pa, pq


def arrow_schema(columns: Sequence[Column]) -> Any:
    """The Parquet (Arrow) schema of a table's columns; E106 without pyarrow."""
    pa, _ = _pyarrow()
    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "list": pa.list_(pa.string()),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in columns])


def write_parquet(
    batches: Iterator[list[dict[str, Any]]], columns: Sequence[Column], sink: Path | IO[bytes]
) -> int:
    """A Parquet file written one row group per batch; the number of rows written.  E106
    without pyarrow."""
    pa, pq = _pyarrow()
    schema_ = arrow_schema(columns)
    n = 0
    with pq.ParquetWriter(sink if not isinstance(sink, Path) else str(sink), schema_) as writer:
        for batch in batches:
            if batch:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema_))
                n += len(batch)
    return n


def to_stream(store: Store, stream: IO[str], *, table: str, format: str = "jsonl") -> Exported:
    """Write one table as JSON Lines or CSV to a text stream (standard output, say).
    Parquet, or several tables, need files (E108)."""
    chosen = format_of(format)
    if chosen is Format.PARQUET:
        raise ExportError(
            Errors.E108, what="parquet", reason="Parquet is binary; give an output path"
        )
    tables = tables_of(table)
    if len(tables) != 1:
        reason = "one table at a time; give a directory for several"
        raise ExportError(Errors.E108, what=f"{len(tables)} tables", reason=reason)
    which = tables[0]
    write = write_jsonl if chosen is Format.JSONL else write_csv
    n = write(chunks(store, which), COLUMNS[which], stream)
    return Exported(which, None, n)


def export(
    store: Store,
    out: str | Path,
    *,
    tables: str | Sequence[str] = TableChoice.ALL,
    format: str = "jsonl",
) -> list[Exported]:
    """Write tables to files: `out` is a directory (one `<table>.<format>` file per table;
    created if missing) when it is one already, ends with a separator, or several tables are
    asked for; else the file for the one table.  E107 when it cannot be written."""
    chosen = format_of(format)
    which = tables_of(tables)
    if chosen is Format.PARQUET:
        _pyarrow()  # E106 before anything is written
    target = Path(out)
    as_dir = target.is_dir() or len(which) > 1 or str(out).endswith(("/", os.sep))
    if as_dir:
        if target.exists() and not target.is_dir():
            reason = "a file, not a directory (several tables need a directory)"
            raise ExportError(Errors.E107, path=target, reason=reason)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ExportError(Errors.E107, path=target, reason=e.strerror or str(e)) from e
        paths = [target / f"{t.value}{_SUFFIXES[chosen]}" for t in which]
    else:
        paths = [target]
    # Every table from one snapshot: consistent with each other while an ingest goes on.
    with store.reading() as conn:
        return [
            _write_file(conn, table, path, chosen) for table, path in zip(which, paths, strict=True)
        ]


def _write_file(conn: sa.Connection, table: Table, path: Path, chosen: Format) -> Exported:
    part = path.with_name(path.name + ".part")
    batches = _chunks(conn, table, CHUNK)
    try:
        if chosen is Format.PARQUET:
            n = write_parquet(batches, COLUMNS[table], part)
        else:
            write = write_jsonl if chosen is Format.JSONL else write_csv
            newline = "" if chosen is Format.CSV else "\n"
            with part.open("w", encoding="utf8", newline=newline) as f:
                n = write(batches, COLUMNS[table], f)
        os.replace(part, path)
    except OSError as e:
        _remove(part)
        raise ExportError(Errors.E107, path=path, reason=e.strerror or str(e)) from e
    except BaseException:
        _remove(part)
        raise
    return Exported(table, path, n)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
