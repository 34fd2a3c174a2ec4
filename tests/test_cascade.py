"""A real cascade (issue 7), end to end: the hand-written corpus in `tests/data/cascade/`
ingested by the real pipeline (extraction, claim linking, copies), then read through the
commands.

The shape of the May 2022 story behind the seed article: Russian security expert Andrei
Soldatov tells a think tank (The Center for European Policy Analysis) that Putin purged 150
FSB officers; City A.M. reports it, citing his remarks to the think tank (2022-05-04); the
Daily Express, The Mirror and Yeshiva World News re-report it citing City A.M.; News Now runs
a near-copy of the Daily Express; The Moscow Times quotes Soldatov first-hand ("told The Moscow
Times"); a week later Reuters carries a denial by Kremlin spokesman Dmitry Peskov.

Expected: one claim over all seven articles; its first origin is Soldatov through the think
tank, reached by City A.M. and its five echoes (three citations of City A.M., one copy of a
citation); Soldatov's interview with The Moscow Times is a separate first-hand act, so it is
an origin of its own (the same expert, heard again by another outlet: provenance counts acts,
not people); the denial (Peskov, first-hand to Reuters) is traced apart, neither an origin nor
an echo, since it carries no claim, and is proposed as a suggested resolution `false`; nothing
is recorded until it is accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rumormill.cli import app
from rumormill.ingestion import ingest

pytestmark = pytest.mark.model

CASCADE = Path(__file__).parent / "data" / "cascade"
THINK_TANK = "The Center for European Policy Analysis"
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cascade") / "cascade.db"
    report = ingest([str(CASCADE)], db=path)
    assert (report.ingested, report.rejected_total, report.suggested) == (7, 0, 1)
    return str(path)


def the_claim(db: str) -> dict[str, object]:
    claims = json.loads(invoke("claims", "--db", db, "--json"))
    largest = claims[0]
    assert (largest["articles"], largest["outlets"]) == (7, 7)
    assert "purged 150 officers" in str(largest["statement"])
    return dict(largest)


def test_the_re_reports_are_linked_into_one_claim(db: str) -> None:
    claim = the_claim(db)
    assert {"City A.M.", "Andrei Soldatov", "Dmitry Peskov"} <= set(claim["sources"])  # type: ignore[call-overload]


def test_the_expert_and_the_think_tank_are_the_origin_and_the_rest_echo(db: str) -> None:
    claim_id = str(the_claim(db)["claim_id"])
    found = json.loads(invoke("show", "claim", claim_id, "--provenance", "--db", db, "--json"))
    assert (found["mentions"], found["independent_origins"], found["echoes"]) == (6, 2, 4)
    first, interview = found["origins"]
    assert (first["kind"], first["label"], first["via_label"]) == (
        "source",
        "Andrei Soldatov",
        THINK_TANK,
    )
    assert (first["first"], first["mentions"]) == ("2022-05-04", 5)
    assert (interview["label"], interview["first"], interview["mentions"]) == (
        "Andrei Soldatov",
        "2022-05-06",
        1,
    )
    assert "The Moscow Times" in interview["via_label"]
    # The denial is traced, but it carries no claim: neither an origin nor an echo.
    (denial,) = found["denials"]
    nodes = {n["id"]: n for n in found["nodes"]}
    assert nodes[denial["path"][0]]["date"] == "2022-05-12"
    assert nodes[denial["path"][0]]["denies"] is True
    assert nodes[denial["path"][-1]]["label"] == "Dmitry Peskov"
    kinds = {(e["from"].split(":")[0], e["to"].split(":")[0], e["kind"]) for e in found["edges"]}
    assert ("article", "outlet", "cites") in kinds  # "according to City A.M."
    assert ("article", "article", "copies") in kinds  # News Now copies the Daily Express
    assert ("outlet", "source", "quotes") in kinds  # the think tank heard Soldatov
    tree = invoke("show", "claim", claim_id, "--provenance", "--db", db)
    assert "Andrei Soldatov" in tree
    assert THINK_TANK in tree
    assert "2 independent origins, 4 echoes of 6 mentions" in tree
    assert "Dmitry Peskov" in tree


def test_the_denial_is_suggested_false_and_recorded_only_when_accepted(db: str) -> None:
    claim_id = int(str(the_claim(db)["claim_id"]))
    pending = json.loads(invoke("suggestions", "--db", db, "--json"))
    assert [(s["claim_id"], s["outcome"], s["rule"]) for s in pending] == [
        (claim_id, "false", "denial")
    ]
    (denial,) = pending
    assert denial["date"] == "2022-05-12"
    assert denial["evidence"][0]["source"] == "Dmitry Peskov"
    assert denial["evidence"][0]["certainty_label"] == "denied"
    assert "spokesperson for Vladimir Putin" in denial["reason"]
    detail = json.loads(invoke("show", "claim", str(claim_id), "--db", db, "--json"))
    assert detail["resolution"] is None
    assert [s["status"] for s in detail["suggestions"]] == ["pending"]
    # Scanning again proposes nothing new.
    again = json.loads(invoke("suggestions", "--refresh", "--db", db, "--json"))
    assert [s["id"] for s in again] == [denial["id"]]
    accepted = invoke("suggestions", "--accept", str(denial["id"]), "--by", "test", "--db", db)
    assert f"claim {claim_id} resolved false on 2022-05-12" in accepted
    rumors = json.loads(invoke("rumors", "--db", db, "--json"))
    assert claim_id not in {r["claim_id"] for r in rumors}
    records = {r["name"]: r for r in json.loads(invoke("sources", "--db", db, "--json"))}
    assert records["Andrei Soldatov"]["counts"]["false"] == 1
    assert records["Dmitry Peskov"]["brier"] == pytest.approx(0.0025)
