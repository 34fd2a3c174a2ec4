"""Docs that cannot drift: docs/cli.md is generated from the CLI's own --help."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

REGENERATE = "python -m typer rumormill.cli utils docs --name rumormill --output docs/cli.md"


def test_cli_reference_is_current() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "typer", "rumormill.cli", "utils", "docs", "--name", "rumormill"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf8")
    assert generated.strip() == current.strip(), f"docs/cli.md is stale; run: {REGENERATE}"


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    for command in (
        "rumormill analyze",
        "rumormill eval pipeline",
        "rumormill eval attribution",
        "rumormill eval speakers",
        "rumormill eval factuality",
        "rumormill eval hedges",
        "rumormill eval stance",
        "rumormill eval stories",
        "rumormill demo",
        "rumormill ingest",
        "rumormill stories",
        "rumormill rumors",
    ):
        assert command in readme
