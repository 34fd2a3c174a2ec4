"""The CLI is a thin adapter: JSON contract, clean errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rumormill.cli import app
from tests.conftest import SEED
from tests.test_html import NEWS_PAGE

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


BAD_INPUTS = [
    ("empty.txt", b"", "E002"),
    ("blank.txt", b"  \n\t\n", "E002"),
    ("binary.txt", b"\x00\x01binary", "E003"),
    ("undecodable.txt", bytes(range(128, 256)) * 4, "E004"),
    ("undated.txt", b"no date header here", "E006"),
    ("baddate.txt", b"date 2022-13-45 Body.", "E007"),
    ("header-only.txt", b"date 2022-05-05   \n", "E008"),
    ("empty-page.html", b"<html><head><title>T</title></head><body></body></html>", "E009"),
    (
        "undated-page.html",
        b"<html><body><article><p>The minister resigned.</p></article></body></html>",
        "E006",
    ),
    ("syntax.json", b'{"text": "a",', "E010"),
    ("array.json", b'[{"text": "a"}]', "E011"),
    ("notext.jsonl", b'{"title": "t", "published": "2022-05-05"}\n', "E012"),
    ("emptytext.json", b'{"text": "  ", "published": "2022-05-05"}', "E012"),
    ("wrongtype.json", b'{"text": ["a"], "published": "2022-05-05"}', "E013"),
    ("[bracket].txt", b"", "E002"),
]


@pytest.mark.parametrize(("name", "data", "code"), BAD_INPUTS)
def test_bad_input_is_one_clean_line(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert f"[{code}]" in result.stderr
    assert name in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # never wrapped, however long
    assert "Traceback" not in result.output


def test_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "[E001]" in result.stderr
    assert "nope.txt" in result.stderr


def test_huge_input_is_refused_with_the_option_to_raise_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"date 2022-05-05\n" + b"The minister spoke at length. " * 175_000)
    assert path.stat().st_size > 5_000_000
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert "[E005]" in result.stderr
    assert "huge.txt" in result.stderr
    assert "--max-bytes" in result.stderr


def test_max_bytes_applies_to_files_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_bytes(b"date 2022-05-05 " + b"word " * 100)
    result = runner.invoke(app, ["analyze", str(path), "--max-bytes", "100"])
    assert result.exit_code == 2
    assert "[E005]" in result.stderr
    piped = runner.invoke(
        app, ["analyze", "-", "--max-bytes", "100", "--json"], input="date 2022-05-05 " * 20
    )
    assert piped.exit_code == 2
    assert "[E005]" in piped.stderr
    assert "<stdin>" in piped.stderr


def check_contract(data: dict[str, Any]) -> None:
    """Every key of the DESIGN.md contract is present; every span indexes article.text."""
    assert set(data) >= {"article", "entities", "attributions"}
    article = data["article"]
    assert set(article) >= {"id", "published", "outlet", "url", "title", "language", "text"}
    text = article["text"]
    for entity in data["entities"]:
        assert set(entity) >= {"id", "name", "type", "mentions", "descriptors"}
        for start, end in entity["mentions"]:
            assert 0 <= start < end <= len(text)
    for a in data["attributions"]:
        assert set(a) >= {"id", "kind", "source", "cue", "channel", "content", "certainty"}
        assert set(a["source"]) >= {"text", "span", "entity", "name", "type"}
        assert set(a["certainty"]) >= {"score", "label", "cues"}
        roles = [a["source"], a["cue"], a["channel"], a["content"]]
        for role in roles:
            if role is None or role["span"] is None:
                continue
            start, end = role["span"]
            assert text[start:end] == role["text"]


@pytest.mark.model
def test_html_page_json_contract() -> None:
    result = runner.invoke(app, ["analyze", str(NEWS_PAGE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_contract(data)
    article = data["article"]
    assert article["published"] == "2022-05-06"
    assert article["outlet"] == "The Daily Courier"
    assert article["title"] == "Kremlin insiders plot against Putin, reports claim"
    assert article["url"] == "https://www.dailycourier.example/world/europe/kremlin-insiders-plot"
    assert data["attributions"], "the page quotes Soldatov and Muraviev"
    sources = {a["source"]["name"] for a in data["attributions"]}
    assert "Andrei Soldatov" in sources


@pytest.mark.model
def test_json_lines_input_takes_the_first_record(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    first = {"text": "The minister resigned, officials said.", "published": "2022-05-05"}
    second = {"text": "Another story.", "published": "2022-05-06"}
    path.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", encoding="utf8")
    result = runner.invoke(app, ["analyze", str(path), "--json", "--outlet", "Wire"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_contract(data)
    assert data["article"]["text"] == first["text"]
    assert data["article"]["outlet"] == "Wire"


@pytest.mark.model
def test_no_attributions_is_a_valid_result() -> None:
    text = "The weather was mild on Tuesday. The river rose by two inches overnight."
    result = runner.invoke(app, ["analyze", "-", "--date", "2022-05-05", "--json"], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_contract(data)
    assert data["attributions"] == []
    shown = runner.invoke(app, ["analyze", "-", "--date", "2022-05-05"], input=text)
    assert shown.exit_code == 0, shown.output
    assert "No attributions" in shown.stdout


@pytest.mark.model
def test_seed_report_sections_and_json() -> None:
    result = runner.invoke(app, ["analyze", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_contract(data)
    assert data["article"]["outlet"] == "YWN World Headquarters – NYC"
    shown = runner.invoke(app, ["analyze", str(SEED)], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    for part in ("YWN World Headquarters – NYC", "Attributions", "Sky News Australia"):
        assert part in out, part
    assert "head of the FSB" in out  # Sergei Beseda's descriptor
    flagged = out[out.index("Unattributed and unnamed sources") :]
    assert "(no source)" in flagged
    assert "(unnamed)" in flagged


def test_claims_and_rumors_commands(tmp_path: Path) -> None:
    from rumormill.store import Links, Store
    from tests.test_queries import bridge_article, coup_article

    coups = [coup_article(d, f"Daily {d}", hedged=True, who=None) for d in (1, 2, 3)]
    bridge = bridge_article(4)
    claims = {(a.article.id, "a1"): 1 for a in coups} | {(bridge.article.id, "a1"): 2}
    db = str(tmp_path / "c.db")
    with Store.open(db) as store:
        store.add([*coups, bridge], links=Links(claim=claims))
    result = runner.invoke(app, ["claims", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert [row["claim_id"] for row in json.loads(result.stdout)] == [1, 2]
    only = ["claims", "--db", db, "--json", "--about", "Smith", "--label", "asserted"]
    result = runner.invoke(app, only)
    assert [row["claim_id"] for row in json.loads(result.stdout)] == [2]
    result = runner.invoke(app, ["claims", "--db", db, "--unnamed", "--since", "2022-05-02"])
    assert result.exit_code == 0, result.output
    assert "Claims" in result.stdout
    assert "a coup is coming" in result.stdout
    result = runner.invoke(app, ["claims", "--db", db, "--label", "possible,maybe"])
    assert result.exit_code == 2
    assert "E094" in result.output
    result = runner.invoke(app, ["rumors", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert [r["key"] for r in json.loads(result.stdout)] == ["claim 1"]
    result = runner.invoke(app, ["rumors", "--db", db])
    assert "a coup is coming" in result.stdout


@pytest.mark.model
def test_eval_claims_command(tmp_path: Path) -> None:
    from tests.test_eval_claims import ROWS, write_file

    path = write_file(tmp_path / "e.csv")
    result = runner.invoke(app, ["eval", "claims", "--emergent", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["benchmark"], data["n"]) == ("emergent-claims", len(ROWS))
    assert {"all", "baseline:tfidf", "baseline:singletons"} <= set(data["scores"])
    result = runner.invoke(app, ["eval", "claims", "--emergent", str(path), "--embedder", "x"])
    assert result.exit_code != 0
    assert "E092" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["show", "claim", str(2**64)],
        ["show", "story", "0"],
        ["resolve", str(2**64), "--outcome", "true", "--date", "2022-05-01", "--evidence", "x"],
        ["suggestions", "--accept", str(2**64)],
    ],
)
def test_ids_beyond_what_the_store_holds_are_usage_errors(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*args, "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
