"""Writing a store as an older rumormill did: the migrations up to `n` only, and none of
what later code keeps beside the articles (statistics and the generation, migration 6)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from rumormill.store import migrations, stats


@contextmanager
def at_migration(monkeypatch: pytest.MonkeyPatch, n: int) -> Iterator[None]:
    with monkeypatch.context() as patched:
        patched.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:n])
        if n < 6:

            def nothing(*args: Any, **kwargs: Any) -> None:
                return None

            patched.setattr(stats, "refresh", nothing)
            patched.setattr(stats, "refresh_articles", nothing)
            patched.setattr(stats, "add_people", nothing)
            patched.setattr(stats, "bump", nothing)
        yield
