"""Acceptance: the seed article, analysed for real."""

from __future__ import annotations

import pytest

from rumormill import analyze
from rumormill.model import Analysis, Attribution

pytestmark = pytest.mark.model

QUOTES = {
    "Does it matter? It matters a lot,": "Andrei Soldatov",
    "The Russian president has been bracing": "Andrei Soldatov",
    "Both men have played a major roles": "Andrei Soldatov",
    "There could be significant changes": "Andrei Soldatov",
    "I think that there have been tensions": "Alexey Muraviev",
    "I think that sort of false narrative": "Alexey Muraviev",
}


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Analysis:
    return analyze(seed_text, outlet="YWN")


def starting(analysis: Analysis, words: str) -> Attribution:
    """The attribution whose content starts with `words`; a content may open with its quotation
    mark, as in PolNeAR (the learned extractor's convention) or not (the rules')."""
    return next(
        a for a in analysis.attributions if a.content.text.lstrip("“\"‘'").startswith(words)
    )


def test_date(seed: Analysis) -> None:
    assert seed.to_dict()["article"]["published"] == "2022-05-05"


@pytest.mark.parametrize(("words", "speaker"), QUOTES.items())
def test_each_quote_has_its_speaker(seed: Analysis, words: str, speaker: str) -> None:
    a = starting(seed, words)
    assert a.kind == "direct"
    assert a.source.name == speaker
    assert a.source.type == "PERSON"
    entity = next(e for e in seed.entities if e.id == a.source.entity)
    assert entity.name == speaker


def test_channels(seed: Analysis) -> None:
    channels = {a.channel.text for a in seed.attributions if a.channel is not None}
    assert "The Center for European Policy Analysis" in channels
    assert "Sky News Australia" in channels
    told_cepa = starting(seed, "Does it matter?")
    assert told_cepa.channel is not None
    assert told_cepa.channel.text == "The Center for European Policy Analysis"
    assert told_cepa.source.span is not None
    assert told_cepa.source.span.text == "Russian security expert Andrei Soldatov"


def test_house_arrest_claim_is_soldatovs(seed: Analysis) -> None:
    a = next(a for a in seed.attributions if "house arrest" in a.content.text)
    assert a.kind == "indirect"
    assert a.source.name == "Andrei Soldatov"
    assert "Sergei Beseda" in a.content.text


def test_unnamed_sources_are_kept(seed: Analysis) -> None:
    unnamed = {
        a.source.span.text: a
        for a in seed.attributions
        if a.source.type == "UNNAMED" and a.source.span is not None
    }
    according = unnamed["analysts and news reports"]
    assert according.kind == "according_to"
    assert according.source.entity is None
    assert according.source.name is None
    believe = unnamed["Analysts inside and outside of Russia"]
    assert believe.cue is not None
    # PolNeAR's cues are phrases ("now believe", "has also commented on"): the verb ends it.
    assert believe.cue.text.split()[-1] == "believe"
    assert believe.certainty.label == "probable"


def test_hedged_quote_scores_below_the_plain_one(seed: Analysis) -> None:
    could = starting(seed, "There could be significant changes")
    plain = starting(seed, "Does it matter? It matters a lot,")
    assert could.certainty.score < plain.certainty.score
    assert "could" in could.certainty.cues
    assert plain.certainty.label == "asserted"


def test_descriptors(seed: Analysis) -> None:
    people = {e.name: e for e in seed.entities}
    assert "Russian security expert" in people["Andrei Soldatov"].descriptors
    assert "runs investigative website Agentura" in people["Andrei Soldatov"].descriptors
    assert any("head of the FSB" in d for d in people["Sergei Beseda"].descriptors)


def test_json_contract(seed: Analysis) -> None:
    data = seed.to_dict()
    text = data["article"]["text"]
    assert data["attributions"]
    for a in data["attributions"]:
        assert set(a) >= {"id", "kind", "source", "cue", "channel", "content", "certainty"}
        assert set(a["source"]) >= {"text", "span", "entity", "name", "type"}
        assert set(a["certainty"]) >= {"score", "label", "cues"}
        assert a["source"]["type"] in {"PERSON", "ORG", "GPE", "NORP", "UNNAMED"}
        if a["source"]["type"] == "UNNAMED" or a["kind"] == "unattributed":
            assert a["source"]["entity"] is None
            assert a["source"]["name"] is None
        for role in ("source", "cue", "channel", "content"):
            if a[role] is not None and a[role]["span"] is not None:
                start, end = a[role]["span"]
                assert text[start:end] == a[role]["text"]


def test_reported_claims_are_unattributed_and_hedged(seed: Analysis) -> None:
    frustrated = next(a for a in seed.attributions if "frustrated" in a.content.text)
    assert frustrated.kind == "unattributed"
    assert "reportedly" in frustrated.certainty.cues
    assert frustrated.certainty.label != "asserted"
    forming = next(a for a in seed.attributions if "forming alliances" in a.content.text)
    assert forming.kind == "unattributed"
    assert forming.certainty.label != "asserted"
