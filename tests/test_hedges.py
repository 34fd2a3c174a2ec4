"""The learned hedge-cue tagger (`rumormill.nlp.hedges`): features, candidates, domains, the
cue spans it returns, loading and its coded errors, and the shipped model on invented
sentences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from rumormill.errors import ModelError
from rumormill.nlp import hedges
from rumormill.nlp.certainty import head_of
from rumormill.nlp.hedges import (
    LABEL,
    MODEL_PATH,
    HedgeTagger,
    features,
)
from rumormill.nlp.linear import LinearModel, for_domain, in_domain

VOCAB = spacy.blank("en").vocab


def parsed_doc() -> Doc:
    """ "The results may suggest that it works ." with a hand-made parse."""
    return Doc(
        VOCAB,
        words=["The", "results", "may", "suggest", "that", "it", "works", "."],
        spaces=[True, True, True, True, True, True, False, False],
        tags=["DT", "NNS", "MD", "VB", "IN", "PRP", "VBZ", "."],
        pos=["DET", "NOUN", "AUX", "VERB", "SCONJ", "PRON", "VERB", "PUNCT"],
        lemmas=["the", "result", "may", "suggest", "that", "it", "work", "."],
        heads=[1, 3, 3, 3, 6, 6, 3, 3],
        deps=["det", "nsubj", "aux", "ROOT", "mark", "nsubj", "ccomp", "punct"],
    )


def plain_doc(text: str) -> Doc:
    """Words split at spaces, no tags, no parse, lemmas the lowercased words."""
    words = text.split()
    return Doc(VOCAB, words=words, lemmas=[w.lower() for w in words])


def tagger(
    weights: dict[str, float],
    *,
    words: tuple[str, ...] = (),
    lemmas: tuple[str, ...] = (),
    ngrams: tuple[tuple[str, ...], ...] = (),
    bias: float = -5.0,
    **meta: Any,
) -> HedgeTagger:
    model = LinearModel(loss="logistic", bias=bias, weights=weights, meta=meta)
    return HedgeTagger(model, words=words, lemmas=lemmas, ngrams=ngrams)


# --- features ----------------------------------------------------------------------------------


def test_features_of_a_parsed_candidate() -> None:
    doc = parsed_doc()
    found = features(doc, 2, 3)
    assert set(found.values()) == {1.0}
    for name in [
        "w=may",
        "l=may",
        "w=may|tag=MD",
        "w=may|dep=aux",
        "w=may|hl=suggest",
        "w=may|hp=VERB",
        "w=may|p1=results",
        "w=may|n1=suggest",
        "w=may|p1t=NNS",
        "w=may|n1t=VB",
        "w=may|first=False",
        "w=may|cap=False",
        "w=may|p2=the|p1=results",
        "w=may|n1=suggest|n2=that",
        "l=may|hl=suggest",
        "tag=MD",
        "dep=aux",
        "n=1",
        "bias",
    ]:
        assert name in found, name
    # The verb's dependents outside the candidate are features of it.
    verb = features(doc, 3, 4)
    assert {"w=suggest|c=aux:may", "w=suggest|c=nsubj:result", "w=suggest|c=ccomp"} <= set(verb)
    assert "w=suggest|hl=<root>" in verb
    assert "l=suggest|n1=that" in verb


def test_features_at_the_edges_and_of_word_sequences() -> None:
    doc = plain_doc("May it rain whether or not")
    first = features(doc, 0, 1)
    assert {"w=may|first=True", "w=may|p1=<s>", "w=may|cap=False"} <= set(first)
    gram = features(doc, 3, 6)
    assert {"w=whether or not", "w=whether or not|n1=</s>", "n=3"} <= set(gram)
    assert head_of(doc, 3, 6).i == 3  # unparsed: each token heads itself, the first wins
    # A capital inside the sentence is a feature ("May" the month).
    month = features(plain_doc("It opened in May"), 3, 4)
    assert "w=may|cap=True" in month


def test_head_of_a_parsed_span() -> None:
    doc = parsed_doc()
    assert head_of(doc, 2, 4).i == 3
    assert head_of(doc, 0, 2).i == 1


# --- domains ------------------------------------------------------------------------------------


def test_in_domain_copies_every_feature() -> None:
    assert in_domain({"a": 1.0, "b": 2.0}, "bio") == {
        "a": 1.0,
        "b": 2.0,
        "d=bio|a": 1.0,
        "d=bio|b": 2.0,
    }


def test_for_domain_folds_the_domain_weights_into_the_shared_ones() -> None:
    model = LinearModel(
        loss="logistic",
        bias=0.5,
        weights={"a": 1.0, "d=bio|a": 2.0, "d=wiki|a": -1.0, "d=bio|b": 3.0},
    )
    assert for_domain(model, "bio").weights == {"a": 3.0, "b": 3.0}
    assert for_domain(model, "wiki").weights == {"a": 0.0}
    assert for_domain(model, None).weights == {"a": 1.0}
    assert for_domain(model, "bio").bias == 0.5


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.floats(-3, 3), max_size=3),
    st.dictionaries(
        st.sampled_from(["a", "b", "d=bio|a", "d=bio|c", "d=wiki|b"]), st.floats(-3, 3)
    ),
    st.sampled_from(["bio", "wiki"]),
)
def test_a_folded_model_scores_as_the_model_on_domain_rows(
    row: dict[str, float], weights: dict[str, float], domain: str
) -> None:
    model = LinearModel(loss="logistic", bias=0.1, weights=weights)
    folded = for_domain(model, domain)
    assert folded.raw(row) == pytest.approx(model.raw(in_domain(row, domain)), abs=1e-9)


# --- candidates and cues ------------------------------------------------------------------------


def test_candidates_by_word_lemma_and_sequence() -> None:
    found = tagger({}, words=("may",), lemmas=("suggest",), ngrams=(("whether", "or", "not"),))
    doc = plain_doc("It may suggest whether or not MAY suggests")
    # Lemmas are the Doc's own: here "suggests" has the lemma "suggests", not a candidate.
    assert found.candidates(doc) == [(1, 2), (2, 3), (3, 6), (6, 7)]
    # A sequence must fit inside the tokens asked about.
    assert found.candidates(doc, 3, 5) == []
    assert found.candidates(doc, 1, 3) == [(1, 2), (2, 3)]


def test_cues_are_the_candidates_over_the_threshold_in_text_order() -> None:
    found = tagger(
        {"w=may": 10.0, "w=whether": 10.0, "w=whether or not": 12.0, "w=or": 10.0},
        words=("may", "whether", "or", "might"),
        ngrams=(("whether", "or", "not"),),
    )
    doc = plain_doc("It may rain whether or not we might go")
    cues = found.cues(doc)
    assert [(c.start, c.end, c.text, c.label_) for c in cues] == [
        (1, 2, "may", LABEL),
        (3, 6, "whether or not", LABEL),
    ]
    assert all(c.doc is doc for c in cues)
    assert found.probability(doc, 7, 8) < found.threshold  # "might": candidate, no weight
    # Overlaps: the longest accepted candidate wins even when a shorter one is likelier.
    assert found.probability(doc, 3, 4) > found.threshold


def test_cues_of_a_span_are_spans_of_its_doc() -> None:
    found = tagger({"w=may": 10.0}, words=("may",))
    doc = plain_doc("It may rain . They may not come .")
    part = doc[4:9]
    cues = found.cues(part)
    assert [(c.start, c.end) for c in cues] == [(5, 6)]
    assert cues[0].doc is doc
    assert found.cues(doc[0:1]) == []
    assert found.cues(plain_doc("Nothing to see here")) == []
    assert found.cues(Doc(VOCAB, words=[])) == []


def test_the_threshold_is_the_models() -> None:
    # p("may") = sigmoid(-0.2), about 0.45: under the default threshold, over 0.4.
    meta = {"candidates": {"words": ["may"], "lemmas": [], "ngrams": []}}
    doc = plain_doc("It may rain")
    model = LinearModel(loss="logistic", bias=-5.0, weights={"w=may": 4.8}, meta=meta)
    assert HedgeTagger.from_model(model).threshold == hedges.THRESHOLD == 0.5
    assert HedgeTagger.from_model(model).cues(doc) == []
    loose = LinearModel(
        loss="logistic", bias=-5.0, weights={"w=may": 4.8}, meta={**meta, "threshold": 0.4}
    )
    assert [c.text for c in HedgeTagger.from_model(loose).cues(doc)] == ["may"]


# --- loading ------------------------------------------------------------------------------------


def model_dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "rumormill-linear/1",
        "loss": "logistic",
        "bias": -5.0,
        "weights": {"w=may": 10.0, "d=bio|w=examined": 10.0},
        "meta": {
            "candidates": {"words": ["may", "examined"], "lemmas": ["may"], "ngrams": []},
            "threshold": 0.5,
            "domains": ["bio", "wiki"],
            "domain": "wiki",
        },
    }
    for key, value in changes.items():
        if key in data:
            data[key] = value
        else:
            data["meta"][key] = value
    return data


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf8")
    return path


def test_load_round_trips_and_reads_its_domain(tmp_path: Path) -> None:
    path = write(tmp_path / "hedges.json", model_dict())
    loaded = HedgeTagger.load(path)
    assert (loaded.domain, loaded.domains) == ("wiki", ["bio", "wiki"])
    assert loaded.words == {"may", "examined"}
    doc = plain_doc("They may have examined it")
    assert [c.text for c in loaded.cues(doc)] == ["may"]
    bio = HedgeTagger.load(path, domain="bio")
    assert [c.text for c in bio.cues(doc)] == ["may", "examined"]
    assert [c.text for c in loaded.with_domain("bio").cues(doc)] == ["may", "examined"]
    assert [c.text for c in loaded.with_domain(None).cues(doc)] == ["may"]
    # Saved again through LinearModel, it reads back the same.
    loaded.model.save(tmp_path / "again.json")
    again = HedgeTagger.load(tmp_path / "again.json")
    assert again.model == loaded.model
    assert (again.words, again.lemmas, again.ngrams) == (loaded.words, loaded.lemmas, set())


def test_with_an_unknown_domain_is_a_value_error(tmp_path: Path) -> None:
    loaded = HedgeTagger.load(write(tmp_path / "hedges.json", model_dict()))
    with pytest.raises(ValueError, match="unknown domain"):
        loaded.with_domain("news")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (model_dict(loss="squared"), "must be logistic"),
        (model_dict(candidates=None), "no 'candidates'"),
        (model_dict(candidates={"words": ["may"], "lemmas": [1], "ngrams": []}), "malformed"),
        (model_dict(candidates={"words": ["may"], "lemmas": []}), "malformed"),
        (model_dict(candidates={"words": [], "lemmas": [], "ngrams": [["may"]]}), "n-grams"),
        (model_dict(threshold=1.5), "bad threshold"),
        (model_dict(threshold="high"), "bad threshold"),
        (model_dict(domain="news"), "'domains' or 'domain'"),
        (model_dict(domains="bio"), "'domains' or 'domain'"),
        ({"format": "something else"}, "not a rumormill-linear/1 model"),
        ([1, 2, 3], "not a rumormill-linear/1 model"),
    ],
)
def test_a_bad_model_file_is_e021(tmp_path: Path, data: Any, reason: str) -> None:
    path = write(tmp_path / "bad.json", data)
    with pytest.raises(ModelError) as caught:
        HedgeTagger.load(path)
    message = str(caught.value)
    assert message.startswith("[E021]")
    assert str(path) in message
    assert reason in message


def test_a_missing_or_unreadable_model_file_is_e021(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"^\[E021\].*no such file"):
        HedgeTagger.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "rumormill-linear/1", "loss": ', encoding="utf8")
    with pytest.raises(ModelError, match=r"^\[E021\]") as caught:
        HedgeTagger.load(broken)
    assert caught.value.__cause__ is not None


# --- the shipped model --------------------------------------------------------------------------


def test_the_shipped_model_is_small_and_reads_as_wiki() -> None:
    assert MODEL_PATH.is_file()
    assert MODEL_PATH.stat().st_size < 5_000_000
    shipped = hedges.default()
    assert shipped is hedges.default()
    assert shipped.domain == "wiki"
    assert shipped.domains == ["bio", "wiki"]
    assert {"may", "might", "probably", "whether"} <= shipped.words
    assert ("whether", "or", "not") in shipped.ngrams


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The results may suggest that the new drug works.", ["may", "suggest"]),
        ("It is believed that the old king was poisoned.", ["believed"]),
        ("The minister allegedly took bribes, and he probably knew it.", ["allegedly", "probably"]),
        ("Nobody knows whether or not the old dam will hold.", ["whether or not"]),
        ("If the vote passes, taxes will rise.", ["If"]),
        ("Police said the man was arrested on Monday.", []),
        ("The bridge opened in May 2010.", []),
    ],
)
def test_the_shipped_tagger_on_invented_sentences(
    nlp: Language, text: str, expected: list[str]
) -> None:
    assert [c.text for c in hedges.default().cues(nlp(text))] == expected


@pytest.mark.model
def test_the_shipped_tagger_on_one_sentence_of_an_article(nlp: Language) -> None:
    doc = nlp("The mayor said the budget is balanced. Critics say it might not be.")
    first, second = doc.sents
    assert hedges.default().cues(first) == []
    cues = hedges.default().cues(second)
    assert [(c.text, c.label_) for c in cues] == [("might", LABEL)]
    assert cues[0].doc is doc


# --- training (slow: fits models) ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def slow_asked(request: pytest.FixtureRequest) -> None:
    """Nothing deselects `slow` by default (`run.sh test` runs every test): these run only when
    `-m` names it (`pytest -m slow`)."""
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: fits models; run with -m slow")


def training_module() -> Any:
    import importlib.util
    import sys

    name = "rumormill_training_hedges"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "training" / "hedges.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.usefixtures("slow_asked")
def test_training_on_invented_sentences_is_deterministic(nlp: Language) -> None:
    training = training_module()
    texts = [
        ("The rain may stop soon.", [(9, 12)]),
        ("The rain may stop tomorrow.", [(9, 12)]),
        ("Officials believe the bridge may fall.", [(10, 17), (29, 32)]),
        ("The bridge opened in May.", []),
        ("The mayor may resign.", [(10, 13)]),
        ("They opened in May last year.", []),
    ]
    examples = []
    for doc, spans in zip(nlp.pipe(t for t, _ in texts), (s for _, s in texts), strict=True):
        gold = frozenset((sp.start, sp.end) for s, e in spans if (sp := doc.char_span(s, e)))
        examples.append(training.Example("toy", doc, gold, bool(gold), "wiki"))
    first = training.train(examples, files=["toy"])
    second = training.train(examples, files=["toy"])
    assert first.model.to_dict() == second.model.to_dict()
    assert first.words == {"may"}  # "believe" was a cue once: under MIN_CUE
    assert (first.domain, first.domains) == ("wiki", ["wiki"])
    found = [c.text for c in first.cues(nlp("The storm may pass."))]
    assert found == ["may"]


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.usefixtures("slow_asked")
def test_retraining_gives_the_shipped_model_byte_for_byte(
    shared_data: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "hedges.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    subprocess.run(
        [sys.executable, "training/hedges.py", "--data", str(shared_data / "uncertainty"),
         "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert out.read_bytes() == MODEL_PATH.read_bytes()
