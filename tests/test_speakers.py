"""Speaker resolution: surnames, pronouns, descriptors."""

from __future__ import annotations

import pytest
from spacy.language import Language

from rumormill.analysis import analysis_of
from rumormill.model import Analysis, Article, Entity, Span
from rumormill.nlp.speakers import merge_surnames


def entity(name: str, start: int, type_: str = "PERSON") -> Entity:
    return Entity(id="", name=name, type=type_, mentions=[Span(start, start + len(name), name)])


def test_a_surname_joins_the_full_name() -> None:
    full, short, other = entity("Andrei Soldatov", 0), entity("Soldatov", 50), entity("Kim", 90)
    kept, owner_of = merge_surnames([full, short, other])
    assert kept == [full, other]
    assert owner_of[id(short)] is full
    assert [m.start for m in full.mentions] == [0, 50]


def test_an_ambiguous_surname_stays_apart() -> None:
    a, b, short = entity("Anna Smith", 0), entity("John Smith", 20), entity("Smith", 40)
    kept, _ = merge_surnames([a, b, short])
    assert short in kept


def test_an_organisation_is_not_a_surname() -> None:
    full, org = entity("Andrei Soldatov", 0), entity("Soldatov", 50, "ORG")
    kept, _ = merge_surnames([full, org])
    assert org in kept


def analyse(nlp: Language, text: str) -> Analysis:
    from datetime import date

    article = Article(text=text, published=date(2022, 5, 5))
    return analysis_of(article, nlp(text))


@pytest.mark.model
def test_surname_source_resolves_to_the_full_name(nlp: Language) -> None:
    result = analyse(nlp, "Andrei Soldatov is an expert.\n\n“It is over,” Soldatov said.")
    (a,) = result.attributions
    assert a.source.name == "Andrei Soldatov"
    assert a.source.span is not None
    assert a.source.span.text == "Soldatov"
    assert a.source.type == "PERSON"


@pytest.mark.model
def test_pronoun_resolves_to_the_most_recent_person_outside_quotes(nlp: Language) -> None:
    text = "Senator John Smith met voters on Monday.\n\n“Maria Ruiz will lose,” he told CNN."
    (a,) = analyse(nlp, text).attributions
    assert a.source.span is not None
    assert a.source.span.text == "he"
    assert a.source.name == "John Smith"


@pytest.mark.model
def test_pronoun_skips_people_inside_reported_content(nlp: Language) -> None:
    text = (
        "Another analyst, Alexey Muraviev, said he is convinced that Putin is facing a coup.\n\n"
        "“I think that there have been tensions,” he told Sky News Australia."
    )
    result = analyse(nlp, text)
    told = next(a for a in result.attributions if a.cue and a.cue.text == "told")
    assert told.source.name == "Alexey Muraviev"


@pytest.mark.model
def test_descriptors_from_modifiers_appositions_and_relative_clauses(nlp: Language) -> None:
    text = (
        "Russian security expert Andrei Soldatov spoke first. Soldatov, who runs a website, "
        "also reported that Sergei Beseda, the head of the foreign branch, was arrested."
    )
    people = {e.name: e for e in analyse(nlp, text).entities if e.type == "PERSON"}
    assert "Russian security expert" in people["Andrei Soldatov"].descriptors
    assert "runs a website" in people["Andrei Soldatov"].descriptors
    assert "head of the foreign branch" in people["Sergei Beseda"].descriptors


@pytest.mark.model
def test_apposition_before_the_name(nlp: Language) -> None:
    text = "Another analyst, Alexey Muraviev, said the plan failed."
    result = analyse(nlp, text)
    (person,) = [e for e in result.entities if e.type == "PERSON"]
    assert "analyst" in person.descriptors
    (a,) = result.attributions
    assert a.source.span is not None
    # PolNeAR's source spans keep the comma that closes an apposition (5% of train sources
    # end in one), and so does the learned tagger.
    assert a.source.span.text.rstrip(",") == "Another analyst, Alexey Muraviev"
    assert a.source.name == "Alexey Muraviev"


@pytest.mark.model
def test_unnamed_sources_are_kept(nlp: Language) -> None:
    (a,) = analyse(nlp, "A source close to the Kremlin said that Putin was ill.").attributions
    assert a.source.type == "UNNAMED"
    assert a.source.name is None
    assert a.source.entity is None
    assert a.source.span is not None
    assert a.source.span.text == "A source close to the Kremlin"
