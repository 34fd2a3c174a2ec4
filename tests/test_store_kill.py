"""Crash safety of the store: a process SIGKILLed while adding leaves a consistent store, and
re-running the same adds completes it with every article stored exactly once."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rumormill.store import Store
from tests.store_kill_worker import batches

WORKER = Path(__file__).with_name("store_kill_worker.py")
BATCHES = 30
SIZE = 10


def _kill_while_adding(path: Path, seed: int) -> int:
    """Run the worker, SIGKILL it a seeded moment after its `stored N` line; N."""
    rng = random.Random(seed)
    marker = rng.randint(2, 10)
    delay = rng.uniform(0.0, 0.04)  # lands inside a later transaction, or between two
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), str(path), str(seed), str(BATCHES), str(SIZE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == f"stored {marker}":
                break
        else:
            proc.wait()
            pytest.fail(f"the worker stopped before batch {marker}: {proc.stderr.read()}")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL, "the worker finished before it was killed"
    return marker


def _check_consistent(path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for table in ("articles_fts", "claims_fts"):  # the full-text index agrees with its table
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
        # Every stored article is complete: its attributions, entities and mentions are there.
        incomplete = db.execute(
            """
            SELECT a.id FROM articles a WHERE
              a.n_attributions != (SELECT count(*) FROM attributions t WHERE t.article_id = a.id)
              OR a.n_entities != (SELECT count(*) FROM entities e WHERE e.article_id = a.id)
              OR (SELECT count(*) FROM mentions m WHERE m.article_id = a.id) != 2 * a.n_entities
            """
        ).fetchall()
        assert incomplete == []
    finally:
        db.close()


@pytest.mark.parametrize("seed", [11, 33])
def test_a_killed_writer_leaves_a_consistent_store_and_a_rerun_completes_it(
    tmp_path: Path, seed: int
) -> None:
    path = tmp_path / "kill.db"
    marker = _kill_while_adding(path, seed)
    _check_consistent(path)

    every = batches(seed, BATCHES, SIZE)
    with Store.open(path) as store:
        done = [source.name for source in store.sources()]
        # Whole batches only: the sources recorded are a prefix, and exactly their articles
        # (first occurrences) are stored.
        k = len(done)
        assert done == [f"batch-{n}" for n in range(k)]
        assert marker + 1 <= k < BATCHES
        expected = {a.article.id for batch in every[:k] for a in batch}
        assert {stored.id for stored in store.articles()} == expected
        for stored in store.articles():
            assert len(stored.analysis.attributions) == 3

        # Re-run everything, as a resumed ingest would without skipping: idempotent.
        for number, batch in enumerate(every):
            report = store.add(batch, source_names=[f"batch-{number}"])
            if number < k:
                assert report.stored == 0
                assert report.duplicates == len(batch)
        ids = {a.article.id for batch in every for a in batch}
        counts = store.counts()
        assert counts["articles"] == len(ids)
        assert counts["attributions"] == 3 * len(ids)
        assert counts["sources"] == BATCHES
    _check_consistent(path)
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
        assert rows == (len(ids), len(ids))
    finally:
        db.close()
