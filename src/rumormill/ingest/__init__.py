"""Readers, one module per input format.  Each turns raw input into `Article`s.

`read_article()` is the one entry point for a single article: it reads and decodes the input
(`files.py`), recognises the format by content, not by file name, and hands it to the reader:

- JSON (`jsonl.py`): the text starts with `{`, or is a JSON array (refused: one object per
  article); for JSON Lines, the first record.
- HTML (`html.py`): the text starts with a doctype or a common page-level tag.
- otherwise the house format or plain text (`house.py`).

Batch ingest of many inputs and many articles per input (JSON Lines, CSV, feeds, WARC,
gzip / bz2, folders, globs, standard input, URLs) is `sources.read_items()`.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Literal

from rumormill.ingest import files, house, html, jsonl
from rumormill.model import Article

Format = Literal["json", "html", "text"]

# Format sniffing looks at the first bytes only; an ingest concern, kept beside its one user.
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|section|header|p|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)


def detect_format(text: str) -> Format:
    """What `text` holds, judged by its content: 'json', 'html' or 'text'."""
    head = text.lstrip("\ufeff \t\n")
    if head.startswith("{"):
        return "json"
    if head.startswith("["):
        # "[UPDATE] Minister resigns" is text; a JSON array is JSON (and refused as such).
        try:
            json.loads(head)
        except (ValueError, RecursionError):
            return "text"
        return "json"
    if _HTML_START.match(head[:4096]):
        return "html"
    return "text"


def parse_article(
    text: str, *, name: str, published: date | None = None, outlet: str | None = None
) -> Article:
    """Decoded text of any supported format -> Article."""
    match detect_format(text):
        case "json":
            return jsonl.parse(text, name=name, published=published, outlet=outlet)
        case "html":
            return html.parse(text, name=name, published=published, outlet=outlet)
        case _:
            return house.parse(text, name=name, published=published, outlet=outlet)


def read_article(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    published: date | None = None,
    outlet: str | None = None,
    max_bytes: int = files.MAX_BYTES,
) -> Article:
    """Read one article from a file path or from raw bytes, whatever its format.

    `published` and `outlet` fill in what the input does not say (the input's own values
    win); without either, the closing credit line ("(AP)") gives the outlet.  Input over
    `max_bytes` is refused (E005).  Every failure is an `InputError` naming `name` (the path
    by default) and the reason.
    """
    if isinstance(source, bytes):
        name = name or "<bytes>"
        data = source
    else:
        path = Path(source)
        name = name or str(path)
        data = files.read_bytes(path, limit=max_bytes)
    text = files.decode(data, name=name, limit=max_bytes)
    return parse_article(text, name=name, published=published, outlet=outlet)


__all__ = ["Format", "detect_format", "parse_article", "read_article"]
