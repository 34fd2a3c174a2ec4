"""The CLI is a thin adapter: JSON contract, clean errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rumormill.cli import app
from tests.conftest import SEED

runner = CliRunner()


@pytest.mark.model
def test_analyze_json_contract_and_offsets() -> None:
    result = runner.invoke(app, ["analyze", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"article", "entities", "attributions"}
    article = data["article"]
    assert set(article) >= {"id", "published", "outlet", "url", "title", "language", "text"}
    assert article["published"] == "2022-05-05"
    text = article["text"]
    names = {e["name"]: e for e in data["entities"]}
    assert names["Andrei Soldatov"]["type"] == "PERSON"
    for entity in data["entities"]:
        assert set(entity) >= {"id", "name", "type", "mentions", "descriptors"}
        for start, end in entity["mentions"]:
            assert text[start:end].strip()
            assert entity["name"].split()[-1] in text[start:end] or entity["type"] != "PERSON"


@pytest.mark.model
def test_analyze_plain_text_from_stdin() -> None:
    result = runner.invoke(
        app,
        ["analyze", "-", "--date", "2022-05-05", "--outlet", "City A.M.", "--json"],
        input="Andrei Soldatov told reporters that the FSB was purged.",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article"]["outlet"] == "City A.M."


@pytest.mark.model
def test_readable_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "Alexey Muraviev" in result.stdout
    assert "2022-05-05" in result.stdout


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "E002"), (b"\x00\x01binary", "E003"), (b"no date header here", "E006")],
)
def test_bad_input_is_one_clean_line(tmp_path: Path, data: bytes, code: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert code in result.stderr
    assert "bad.txt" in result.stderr
    assert "Traceback" not in result.output
