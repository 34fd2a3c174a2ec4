"""Shared fixtures.  `../shared` sits beside the checkout, in CI as on a developer's machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from spacy.language import Language

# No per-example deadline: CI machines are shared and slow at times, and a property test must
# fail on a wrong answer, not on a busy neighbour.
settings.register_profile("rumormill", deadline=None, print_blob=True)
settings.load_profile("rumormill")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
SEED = SHARED / "examples" / "seed-article.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"the shared data folder is missing: {DATA}")
    return DATA


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf8")


@pytest.fixture(scope="session")
def nlp() -> Language:
    from rumormill.nlp import pipeline

    return pipeline.load()
