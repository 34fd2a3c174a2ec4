"""`rumormill ingest` end to end: real articles into a real store, idempotent re-ingest, bad
inputs counted and skipped, and a process really killed mid-ingest that resumes with no
article lost and none doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.ingestion import ingest
from rumormill.store import Store

runner = CliRunner()
WIKINEWS_2019 = 171


def stored_ids(db: Path) -> list[str]:
    """The stored article ids; none while the store is still being created."""
    try:
        with sqlite3.connect(db) as conn:
            return [row[0] for row in conn.execute("SELECT id FROM articles")]
    except sqlite3.OperationalError:
        return []


@pytest.mark.model
def test_ingest_stores_reports_and_is_idempotent(tmp_path: Path, nlp: Language) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "date 2022-05-05\n\nThe minister said the talks had failed.\n", encoding="utf8"
    )
    (tmp_path / "in" / "undated.txt").write_text("Rumors say the mayor resigned.\n", "utf8")
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (tmp_path / "in" / "empty.json").write_text("", encoding="utf8")
    db = tmp_path / "store.db"
    first = ingest([str(tmp_path / "in"), str(tmp_path / "missing")], db=db, nlp=nlp)
    assert (first.ingested, first.undated, first.duplicates) == (2, 1, 0)
    assert first.rejected_total == 3
    assert set(first.rejected) == {"E001", "E002", "E003"}
    again = ingest([str(tmp_path / "in")], db=db, nlp=nlp)
    assert (again.ingested, again.duplicates) == (0, 2)
    with Store.open(db) as store:
        assert store.counts()["articles"] == 2
        dated = [s for s in store.articles() if s.article.published is not None]
        assert dated[0].date_source == "house"
        assert dated[0].analysis.attributions[0].cue is not None


@pytest.mark.model
def test_cli_ingest_json_report(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "cli.db"
    seed = shared_data.parent / "examples" / "seed-article.txt"
    result = runner.invoke(app, ["ingest", str(seed), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["ingested"], report["rejected"]) == (1, 0)
    result = runner.invoke(app, ["ingest", str(seed), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "duplicates" in result.stdout
    result = runner.invoke(app, ["ingest", str(seed), "--db", str(db), "--field", "nonsense"])
    assert result.exit_code == 2
    assert "E054" in result.output


@pytest.mark.model
def test_a_killed_ingest_resumes_with_nothing_lost_or_doubled(
    tmp_path: Path, shared_data: Path
) -> None:
    source = shared_data / "wikinews" / "wikinews_2019.csv"
    db = tmp_path / "killed.db"
    command = [sys.executable, "-m", "rumormill.cli", "ingest", str(source), "--db", str(db)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Kill it once a batch or two is committed and more are in flight.
        while process.poll() is None:
            if db.exists() and len(stored_ids(db)) >= 40:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    committed = stored_ids(db)
    assert 40 <= len(committed) < WIKINEWS_2019
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    result = subprocess.run([*command, "--json"], env=env, capture_output=True, check=True)
    report = json.loads(result.stdout)
    assert report["duplicates"] == len(committed)
    assert report["ingested"] == WIKINEWS_2019 - len(committed)
    ids = stored_ids(db)
    assert len(ids) == len(set(ids)) == WIKINEWS_2019
    assert set(committed) <= set(ids)


@pytest.mark.model
def test_ingest_links_copies_and_stories_across_runs(tmp_path: Path, nlp: Language) -> None:
    body = (
        "The city council of Springfield voted on Monday to close the old river bridge after "
        "engineers found deep cracks in two of its supports. The mayor said repairs would "
        "take at least six months and cost more than four million dollars, and that ferries "
        "would run in the meantime. Residents who cross the bridge every day said the "
        "closure would add an hour to their commute."
    )
    (tmp_path / "first.txt").write_text(f"date 2022-05-02\n\n{body}\n(AP)\n", "utf8")
    copy = body.replace("four million", "4 million")
    (tmp_path / "copy.txt").write_text(f"date 2022-05-03\n\n{copy}\n(Reuters)\n", "utf8")
    other = "Astronomers announced the discovery of a comet that will pass near Mars in 2031."
    (tmp_path / "other.txt").write_text(f"date 2022-05-03\n\n{other}\n", "utf8")
    db = tmp_path / "linked.db"
    ingest([str(tmp_path / "first.txt")], db=db, nlp=nlp)
    ingest([str(tmp_path / "copy.txt"), str(tmp_path / "other.txt")], db=db, nlp=nlp)
    with Store.open(db) as store:
        stored = {s.article.credit or "-": s for s in store.articles()}
        assert store.link_state("copies") is not None
        assert store.link_state("stories") is not None
    first, second, third = stored["AP"], stored["Reuters"], stored["-"]
    assert first.copy_of is None
    assert second.copy_of == first.id
    assert third.copy_of is None
    assert first.story_id is not None
    assert second.story_id == first.story_id
    assert third.story_id != first.story_id
