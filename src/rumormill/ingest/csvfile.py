"""CSV (and TSV) with a header: one article per row (the `csv` module).

url,date,title,text
https://en.wikinews.org/wiki/...,2019-01-04,"Magnitogorsk ...","Friday, January 4, 2019 ..."

The header names the columns; `records.FieldMap` says which hold the text, date, outlet,
URL and title (case-insensitively), so a file with its own names reads with
`--field text=body`.  The delimiter is the one among `, \\t ; |` the header uses most.

The file streams: rows are read one at a time and each row is bounded by `limit` (E005), so
a file of any size reads in constant memory.  A row with the wrong number of fields or bad
quoting is a rejection (E014) and reading goes on; a file with no text column is E015.
Rows are named by the line they start on: `records.csv:line 7`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

import charset_normalizer

from rumormill.errors import Errors, InputError
from rumormill.ingest import files, records
from rumormill.ingest.records import DEFAULT_FIELDS, FieldMap, Outcome
from rumormill.model import Article

_DELIMITERS = ",\t;|"
_EXTENSIONS = (".csv", ".tsv")
# A header cell is a short name ("published", "Published Date"), never a sentence: this
# keeps a plain text whose first line has a comma and the word "text" from reading as CSV.
_MAX_HEADER_WORDS = 4
_MAX_HEADER_CHARS = 64


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header(line: str) -> list[str]:
    cells = next(csv.reader([line.lstrip("\ufeff")], delimiter=_delimiter(line)), [])
    return [cell.strip() for cell in cells]


def looks_like_csv(head: str, *, fields: FieldMap = DEFAULT_FIELDS, suffix: str = "") -> bool:
    """True when a text's first line is a CSV header with a text column, or when the
    file's name ends in .csv / .tsv (the content decides first; the name is the tiebreak)."""
    first = head.split("\n", 1)[0].rstrip("\r")
    cells = _header(first)
    if len(cells) >= 2 and all(
        cell and len(cell) <= _MAX_HEADER_CHARS and len(cell.split()) <= _MAX_HEADER_WORDS
        for cell in cells
    ):
        wanted = {name.casefold() for name in fields.text}
        if any(cell.casefold() in wanted for cell in cells):
            return True
    return suffix.lower() in _EXTENSIONS


def encoding_of(head: bytes) -> str:
    """The encoding to read a stream in, judged by its first bytes: UTF-16 when a BOM says
    so, UTF-8 when they are UTF-8, else what charset-normalizer detects."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 3 and e.reason.startswith("unexpected end"):
            return "utf-8-sig"  # a character cut in two by the end of the head
    best = charset_normalizer.from_bytes(head).best()
    return best.encoding if best is not None else "utf-8-sig"


class _RowTooLongError(Exception):
    """A row ran past the limit."""


class _BinaryError(Exception):
    """A NUL character: not text."""


class _Lines:
    """The lines of a text stream for csv.reader, each row's lines bounded together."""

    def __init__(self, text: io.TextIOWrapper, *, limit: int) -> None:
        self._text = text
        self._limit = limit
        self.size = 0  # characters of the row being read; reset after each row

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.size += len(line)
        if self.size > self._limit:
            raise _RowTooLongError
        if "\x00" in line:
            raise _BinaryError
        return line


def read(
    stream: BinaryIO,
    *,
    name: str,
    head: bytes,
    limit: int = files.MAX_BYTES,
    fields: FieldMap = DEFAULT_FIELDS,
    published: date | None = None,
    outlet: str | None = None,
    undated: bool = False,
) -> Iterator[Outcome]:
    """Every row of a CSV stream as an article or a rejection.  `head` is the stream's
    beginning (already read for recognising it, and still in `stream`)."""
    # The csv module's own field limit is process-wide (131,072 characters by default); it
    # is raised, never lowered, so that our bound on each row is the one that counts.
    csv.field_size_limit(max(csv.field_size_limit(), limit + 1))
    text = io.TextIOWrapper(stream, encoding=encoding_of(head), errors="strict", newline="")
    lines = _Lines(text, limit=limit)
    line = 1  # where the row being read starts
    try:
        first = next(lines, "")
        header = _header(first.rstrip("\r\n"))
        if not any(header):
            yield name, InputError(Errors.E015, path=name, reason="no header line")
            return
        wanted = {n.casefold() for n in fields.text}
        if not any(cell.casefold() in wanted for cell in header):
            reason = (
                f"no text column (the header has {', '.join(header)}); "
                "name it with --field text=NAME"
            )
            yield name, InputError(Errors.E015, path=name, reason=reason)
            return
        reader = csv.reader(lines, delimiter=_delimiter(first), strict=True)
        line = 2
        while True:
            lines.size = 0
            where = f"{name}:line {line}"
            try:
                row = next(reader, None)
            except csv.Error as e:
                yield where, InputError(Errors.E014, path=name, line=line, reason=str(e))
                line = reader.line_num + 2
                continue
            if row is None:
                return
            if any(cell.strip() for cell in row):
                yield (
                    where,
                    _article(
                        row,
                        header,
                        name=name,
                        line=line,
                        where=where,
                        fields=fields,
                        published=published,
                        outlet=outlet,
                        undated=undated,
                    ),
                )
            line = reader.line_num + 2  # the reader counts from the line after the header
    except _RowTooLongError:
        where = f"{name}:line {line}"
        yield where, InputError(Errors.E005, path=where, size=f"over {limit}", limit=limit)
    except _BinaryError:
        reason = f"looks binary, not text (a NUL character on line {line} or after)"
        yield name, InputError(Errors.E015, path=name, reason=reason)
    except UnicodeDecodeError as e:
        yield name, InputError(Errors.E015, path=name, reason=f"cannot decode line {line} ({e})")
    finally:
        text.detach()


def _article(
    row: list[str],
    header: list[str],
    *,
    name: str,
    line: int,
    where: str,
    fields: FieldMap,
    published: date | None,
    outlet: str | None,
    undated: bool,
) -> Article | InputError:
    if len(row) != len(header):
        reason = f"expected {len(header)} fields (as in the header), got {len(row)}"
        return InputError(Errors.E014, path=name, line=line, reason=reason)
    try:
        return records.article_of(
            dict(zip(header, row, strict=True)),
            name=name,
            line=line,
            where=where,
            fields=fields,
            published=published,
            outlet=outlet,
            undated=undated,
        )
    except InputError as e:
        return e
