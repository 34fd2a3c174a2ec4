"""The main job on the bundled demo corpus: 295 Wikinews articles (2019-2021, CC BY 2.5,
`data/wikinews/ATTRIBUTION.md`) ingested into a local store, then its top stories, its
most-cited people and the rumors found.

`demo()` is what `rumormill demo` runs.  The store is a fresh one at `default_db()` (under
`$XDG_DATA_HOME/rumormill`, else `~/.local/share/rumormill`) unless a path is given; an
existing store is ingested into again, which changes nothing that is already there.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from rumormill.ingestion import IngestReport, Progress, ingest
from rumormill.store import Store, queries

CORPUS = Path(__file__).resolve().parent / "data" / "wikinews"
FILES = ("wikinews_2019.csv", "wikinews_2020.csv")
TOP = 5


def default_db() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rumormill" / "demo.db"


def corpus() -> list[str]:
    """The bundled demo corpus, as ingest inputs."""
    return [str(CORPUS / name) for name in FILES]


@dataclass(frozen=True)
class DemoResult:
    db: Path
    ingest: IngestReport
    stories: list[queries.StoryRow]
    people: list[queries.PersonRow]
    rumors: list[queries.RumorRow]


def demo(
    db: Path | None = None,
    *,
    nlp: Language | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    top: int = TOP,
) -> DemoResult:
    """Ingest the demo corpus into `db` (default: `default_db()`), then ask the store."""
    path = db or default_db()
    path.parent.mkdir(parents=True, exist_ok=True)
    report = ingest(corpus(), db=path, nlp=nlp, on_progress=on_progress)
    with Store.open(path) as store:
        return DemoResult(
            db=path,
            ingest=report,
            stories=queries.stories(store, limit=top),
            people=queries.cited_people(store, limit=top),
            rumors=queries.rumors(store, limit=top),
        )
