"""The hedge-cue scorer (`rumormill.eval.hedges`): the Szeged XML reader and its coded errors,
the seeded split by document, the metrics, the lexicon baseline, the evaluation, and the gate.

Hand-made files use invented sentences; the integration and gate tests read
../shared/data/uncertainty directly (nothing of it is copied here).
"""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.eval.hedges import (
    BASELINE,
    DEV_SHARE,
    SEED,
    Counts,
    Cue,
    Document,
    counts,
    cue_type,
    dev_ids,
    domain_of,
    evaluate_hedges,
    lexicon_cues,
    read_documents,
    read_split,
    sentence_of,
)
from rumormill.eval.report import EvalReport
from rumormill.nlp.certainty import hedges_in, joined
from rumormill.nlp.hedges import HedgeTagger
from rumormill.nlp.linear import LinearModel
from rumormill.nlp.patterns import HEDGES, WRAPPERS

PROBABLE = "speculation_modal_probable_"
DOXASTIC = "speculation_hypo_doxastic _"
WIKI = "Wikipedia_text_weasel"


def cue(text: str, kind: str = PROBABLE) -> str:
    return f'<ccue type="{kind}">{text}</ccue>'


def document(doc_id: str, *sentences: str, kind: str = WIKI, title: str | None = None) -> str:
    head = f'<DocumentPart type="Title"><Sentence id="S1.1">{title}</Sentence></DocumentPart>'
    body = "".join(f'<Sentence id="S1.{i}">{s}</Sentence>' for i, s in enumerate(sentences, 2))
    return (
        f'<Document type="{kind}"><DocID type="WIKIPEDIA_ARTICLE_ID">{doc_id}</DocID>'
        + (head if title is not None else "")
        + f'<DocumentPart type="Text">{body}</DocumentPart></Document>'
    )


def write(path: Path, *documents: str) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        '<!DOCTYPE Annotation PUBLIC "-//Uncertainty//DTD  SCOPE ANNOTATION 1.0//EN" '
        '"Uncertainty.dtd">\n<Annotation created="today"><DocumentSet> '
        + "".join(documents)
        + "</DocumentSet></Annotation>\n",
        encoding="utf8",
    )
    return path


def error_of(fn: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        fn()
    return caught.value


# --- the reader --------------------------------------------------------------------------------


def test_read_documents_gives_text_cues_and_parts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "wiki.xml",
        document(
            "Harbour Bridge_12",
            f"The bridge {cue('may')} close &amp; {cue('reportedly', DOXASTIC)} soon.",
            "It opened in 1990.",
            title="Harbour Bridge",
        ),
        document("Lake Town_3", f"{cue('Perhaps')} it rained.", kind="Biological_abstract"),
    )
    first, second = list(read_documents(path))
    assert (first.doc_id, first.type) == ("Harbour Bridge_12", WIKI)
    assert [(s.id, s.part) for s in first.sentences] == [
        ("S1.1", "Title"),
        ("S1.2", "Text"),
        ("S1.3", "Text"),
    ]
    title, hedged, plain = first.sentences
    assert (title.text, title.cues, title.uncertain) == ("Harbour Bridge", (), False)
    assert hedged.text == "The bridge may close & reportedly soon."
    assert hedged.cues == (
        Cue(11, 14, "speculation_modal_probable"),
        Cue(23, 33, "speculation_hypo_doxastic"),
    )
    assert [hedged.text[c.start : c.end] for c in hedged.cues] == ["may", "reportedly"]
    assert hedged.uncertain
    assert not plain.uncertain
    assert (second.doc_id, second.type) == ("Lake Town_3", "Biological_abstract")
    assert second.sentences[0].cues == (Cue(0, 7, "speculation_modal_probable"),)


def test_nested_elements_are_text_and_every_ccue_is_one_span() -> None:
    element = ET.fromstring(
        '<Sentence id="S1"><xcope id="X1">It <ccue type="a">may <b>well</b></ccue> be'
        '</xcope>, <ccue type="b">either</ccue> red <ccue type="b">or</ccue> '
        '<ccue type=" c _ "> <i>not</i> </ccue>blue<ccue type="d">  </ccue>.</Sentence>'
    )
    sentence = sentence_of(element, part="Text")
    assert sentence.text == "It may well be, either red or  not blue  ."
    found = [(sentence.text[c.start : c.end], c.type) for c in sentence.cues]
    # Discontinuous "either ... or" is two cues; a cue is trimmed; a blank cue is dropped.
    assert found == [("may well", "a"), ("either", "b"), ("or", "b"), ("not", "c")]
    assert (sentence.id, sentence.part) == ("S1", "Text")


def test_element_names_are_matched_without_case_and_sentences_may_sit_in_documents(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lower.xml"
    path.write_text(
        '<annotation><document type="unknown"><docid>d1</docid>'
        '<sentence id="a">It <CCUE type="x">might</CCUE> snow.</sentence>'
        '<documentpart><sentence id="b">Fine.</sentence></documentpart></document></annotation>',
        encoding="utf8",
    )
    (only,) = read_documents(path)
    assert [(s.id, s.text) for s in only.sentences] == [("a", "It might snow."), ("b", "Fine.")]
    assert only.sentences[0].cues == (Cue(3, 8, "x"),)


def test_deep_nesting_does_not_overflow(tmp_path: Path) -> None:
    depth = 3000
    inner = "<b>" * depth + cue("may") + "</b>" * depth
    (only,) = read_documents(write(tmp_path / "deep.xml", document("d", f"It {inner} rain.")))
    (sentence,) = only.sentences
    assert sentence.text == "It may rain."
    assert sentence.cues == (Cue(3, 6, "speculation_modal_probable"),)


def test_cue_types_and_which_count() -> None:
    assert cue_type("speculation_hypo_doxastic _") == "speculation_hypo_doxastic"
    assert cue_type("speculation_modal_probable_") == "speculation_modal_probable"
    assert cue_type(None) == ""
    assert all(counts(Cue(0, 1, t)) for t in ["speculation_hypo_condition", "weasel", "hedge", ""])
    assert not counts(Cue(0, 1, "peacock"))
    assert not counts(Cue(0, 1, "Peacock_x"))


def test_domains_of_document_types() -> None:
    assert domain_of(WIKI) == "wiki"
    assert domain_of("Biological_abstract") == domain_of("Medical_record") == "bio"
    assert domain_of("unknown") is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("   \n", "not well-formed XML at line"),
        ("Just some plain text, not XML.", "not well-formed XML at line 1"),
        ("<Annotation><Document><DocID>d</DocID></Annotation>", "not well-formed XML"),
        ("<Annotation/>", "no <Document> element"),
        (
            "<Annotation><Document><Sentence id='a'>Hi.</Sentence></Document></Annotation>",
            "no DocID",
        ),
    ],
)
def test_bad_files_are_e034(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(content, encoding="utf8")
    error = error_of(lambda: list(read_documents(path)))
    assert error.code is Errors.E034
    assert str(error).startswith("[E034]")
    assert str(path) in str(error)
    assert reason in str(error)
    if "well-formed" in reason:
        assert isinstance(error.__cause__, ET.ParseError)


def test_a_binary_file_is_e034(tmp_path: Path) -> None:
    path = tmp_path / "binary.xml"
    path.write_bytes(b"\x00\x01\x02\xff\xfe garbage")
    error = error_of(lambda: list(read_documents(path)))
    assert error.code is Errors.E034
    assert isinstance(error.__cause__, ET.ParseError)


def test_a_missing_file_or_a_folder_is_e030(tmp_path: Path) -> None:
    error = error_of(lambda: list(read_documents(tmp_path / "missing.xml")))
    assert (error.code, error.details["reason"]) == (Errors.E030, "no such file")
    error = error_of(lambda: list(read_documents(tmp_path)))
    assert (error.code, error.details["reason"]) == (Errors.E030, "not a file")
    # Before any model is loaded.
    error = error_of(lambda: evaluate_hedges(tmp_path / "missing.xml"))
    assert error.code is Errors.E030


def test_a_document_after_a_bad_one_is_not_reached(tmp_path: Path) -> None:
    path = tmp_path / "half.xml"
    path.write_text(
        "<Annotation>" + document("d1", "Fine.") + "<Document><DocID>d2</DocID><Sentence>",
        encoding="utf8",
    )
    stream = read_documents(path)
    assert next(stream).doc_id == "d1"
    with pytest.raises(InputError, match=r"^\[E034\]"):
        next(stream)


# Characters XML 1.0 can hold, as text (no controls but tab and newline; "\r" is normalised).
XML_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")) | st.sampled_from(" \t\n")
SEGMENTS = st.lists(
    st.tuples(
        st.booleans(),
        st.text(XML_CHARS, max_size=12),
        st.sampled_from([PROBABLE, DOXASTIC, "peacock", "weasel"]),
    ),
    max_size=8,
)


@given(SEGMENTS)
def test_any_sentence_layout_reads_back_with_its_spans(
    tmp_path_factory: pytest.TempPathFactory, segments: list[tuple[bool, str, str]]
) -> None:
    xml = ""
    text = ""
    expected: list[tuple[str, str]] = []
    for is_cue, piece, kind in segments:
        xml += cue(escape(piece), kind) if is_cue else escape(piece)
        if is_cue and piece.strip():
            expected.append((piece.strip(), cue_type(kind)))
        text += piece
    path = write(tmp_path_factory.mktemp("prop") / "one.xml", document("d", xml))
    (only,) = read_documents(path)
    (sentence,) = only.sentences
    assert sentence.text == text
    assert [(sentence.text[c.start : c.end], c.type) for c in sentence.cues] == expected
    assert sentence.uncertain == any(kind != "peacock" for _, kind in expected)


# --- the split ---------------------------------------------------------------------------------


def test_the_split_rule_is_pinned() -> None:
    assert (SEED, DEV_SHARE) == (2010, 0.2)
    ids = [f"doc{i}" for i in range(10)]
    dev = dev_ids(ids)
    # Sorted, shuffled by random.Random(2010), the first int(0.2 * 10 + 0.5) = 2.
    assert dev == {"doc0", "doc9"}
    assert dev == dev_ids(reversed(ids)) == dev_ids(ids + ids)
    assert dev == dev_ids(ids, seed=SEED)
    assert dev_ids([]) == frozenset()
    assert dev_ids(["only"]) == frozenset()  # int(0.2 + 0.5) = 0
    assert len(dev_ids([f"d{i}" for i in range(3)])) == 1  # int(0.6 + 0.5) = 1


@given(st.lists(st.text(min_size=1, max_size=6), max_size=60), st.randoms(use_true_random=False))
def test_dev_is_a_fixed_share_whatever_the_order(ids: list[str], rnd: Any) -> None:
    dev = dev_ids(ids)
    n = len(set(ids))
    assert dev <= set(ids)
    assert len(dev) == math.floor(DEV_SHARE * n + 0.5)
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert dev_ids(shuffled) == dev


def test_read_split_is_deterministic_and_disjoint_by_document(tmp_path: Path) -> None:
    docs = [document(f"doc {i}", f"Sentence {i} {cue('may')} be.", "Plain.") for i in range(12)]
    path = write(tmp_path / "twelve.xml", *docs)
    reversed_path = write(tmp_path / "reversed.xml", *reversed(docs))

    def ids(p: Path, split: str) -> list[str]:
        return [d.doc_id for d in read_split(p, split)]

    train, dev, every = ids(path, "train"), ids(path, "dev"), ids(path, "all")
    assert len(dev) == 2
    assert len(train) == 10
    assert not set(train) & set(dev)
    assert sorted(train + dev) == sorted(every) == sorted(f"doc {i}" for i in range(12))
    assert ids(path, "dev") == dev  # the same on every run
    assert set(ids(reversed_path, "dev")) == set(dev)  # whatever the order in the file
    assert every == [f"doc {i}" for i in range(12)]  # file order
    # A document keeps all its sentences.
    assert all(len(d.sentences) == 2 for d in read_split(path, "dev"))
    error = error_of(lambda: list(read_split(path, "test")))
    assert error.code is Errors.E030
    assert "unknown split 'test'" in str(error)


# --- the metrics and the baseline ---------------------------------------------------------------


def test_counts_by_hand() -> None:
    tally = Counts()
    tally.add({(1, 2), (4, 6)}, {(1, 2), (4, 5)}, uncertain=True)  # one of two cues right
    tally.add(set(), {(0, 1)}, uncertain=False)  # a false alarm
    tally.add({(3, 4)}, set(), uncertain=True)  # a miss
    tally.add(set(), set(), uncertain=False)
    assert (tally.cue_tp, tally.cue_pred, tally.cue_gold) == (1, 3, 3)
    assert (tally.sent_tp, tally.sent_pred, tally.sent_gold) == (1, 2, 2)
    assert tally.cue() == pytest.approx({"p": 1 / 3, "r": 1 / 3, "f1": 1 / 3})
    assert tally.sentence() == pytest.approx({"p": 0.5, "r": 0.5, "f1": 0.5})
    assert Counts().cue() == {"p": 0.0, "r": 0.0, "f1": 0.0}


def test_the_lexicon_baseline_by_hand() -> None:
    words = "Reportedly I believe it may rain in May , most likely not".split()
    found = [(" ".join(words[s:e])) for s, e in lexicon_cues(words)]
    assert found == ["Reportedly", "I believe", "may", "most likely"]
    assert lexicon_cues(["May", "it", "rain"]) == [(0, 1)]  # "May" opens the sentence


LEXICON_WORDS = sorted(
    {w for key in HEDGES for w in key} | set(WRAPPERS) | {"May", "the", "rain", "Likely"}
)


@given(st.lists(st.sampled_from(LEXICON_WORDS), max_size=12))
def test_the_baseline_matches_hedges_as_certainty_does(words: list[str]) -> None:
    spans = lexicon_cues(words)
    hedged = [
        joined(words[s:e]) for s, e in spans if tuple(w.lower() for w in words[s:e]) in HEDGES
    ]
    assert hedged == [text for text, _ in hedges_in(words)]
    wrapped = [words[s] for s, e in spans if e - s == 1 and words[s].lower() in WRAPPERS]
    assert len(hedged) + len(wrapped) == len(spans)
    assert all(e <= s2 for (_, e), (s2, _) in itertools.pairwise(spans))


# --- the evaluation ----------------------------------------------------------------------------


def toy_tagger(**weights: float) -> HedgeTagger:
    meta = {
        "candidates": {
            "words": ["may", "believe", "opened", "examined"],
            "lemmas": [],
            "ngrams": [],
        },
        "domains": ["bio", "wiki"],
        "domain": "wiki",
    }
    model = LinearModel(loss="logistic", bias=-5.0, weights=weights, meta=meta)
    return HedgeTagger.from_model(model)


def check_shape(data: dict[str, Any], split: str = "dev") -> None:
    assert set(data) == {"benchmark", "split", "n", "scores"}
    assert (data["benchmark"], data["split"]) == ("szeged-hedges", split)
    groups = ["cue", "sentence", f"{BASELINE}:cue", f"{BASELINE}:sentence"]
    assert list(data["scores"]) == groups
    for metrics in data["scores"].values():
        assert set(metrics) == {"p", "r", "f1"}
        assert all(0.0 <= v <= 1.0 for v in metrics.values())


INVENTED = [
    document("d1", f"The council {cue('may')} vote on Friday."),
    document(
        "d2",
        f"Officials {cue('believe', DOXASTIC)} the bridge is {cue('probably')} safe.",
        "The mayor opened the new library.",
    ),
    document("d3", f"Reportedly, the mayor {cue('may', 'peacock')} resign."),
]


@pytest.mark.model
def test_evaluate_on_an_invented_file(tmp_path: Path, nlp: Language) -> None:
    path = write(tmp_path / "invented.xml", *INVENTED)
    tagger = toy_tagger(**{"w=may": 10.0, "w=believe": 10.0})
    report = evaluate_hedges(path, split="all", nlp=nlp, tagger=tagger)
    assert isinstance(report, EvalReport)
    data = report.to_dict()
    check_shape(data, "all")
    assert data["n"] == 4
    scores = report.scores
    # Ours: may, believe right; "probably" missed; "may" in d3 is a peacock cue, not counted.
    assert scores["cue"] == pytest.approx({"p": 2 / 3, "r": 2 / 3, "f1": 2 / 3})
    assert scores["sentence"] == pytest.approx({"p": 2 / 3, "r": 1.0, "f1": 0.8})
    # The lexicon: may, probably right; Reportedly and may in d3 wrong; "believe" alone is not
    # in it.
    assert scores[f"{BASELINE}:cue"] == pytest.approx({"p": 0.5, "r": 2 / 3, "f1": 4 / 7})
    assert scores[f"{BASELINE}:sentence"] == pytest.approx({"p": 2 / 3, "r": 1.0, "f1": 0.8})


@pytest.mark.model
def test_each_document_is_read_in_the_domain_of_its_type(tmp_path: Path, nlp: Language) -> None:
    path = write(
        tmp_path / "mixed.xml",
        document("w", f"They {cue('examined')} it."),
        document("b", f"They {cue('examined')} it.", kind="Biological_abstract"),
        document("u", f"They {cue('examined')} it.", kind="unknown"),
    )
    tagger = toy_tagger(**{"w=examined": -10.0, "d=bio|w=examined": 20.0})
    found = evaluate_hedges(path, split="all", nlp=nlp, tagger=tagger).scores["cue"]
    assert found == pytest.approx({"p": 1.0, "r": 1 / 3, "f1": 0.5})
    plain = evaluate_hedges(path, split="all", nlp=nlp, tagger=tagger, by_type=False)
    assert plain.scores["cue"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    bio = evaluate_hedges(
        path, split="all", nlp=nlp, tagger=tagger.with_domain("bio"), by_type=False
    )
    assert bio.scores["cue"] == pytest.approx({"p": 1.0, "r": 1.0, "f1": 1.0})


@pytest.mark.model
def test_evaluate_a_split_with_the_shipped_tagger(tmp_path: Path, nlp: Language) -> None:
    docs = [document(f"d{i}", f"It {cue('may')} rain on day {i}.") for i in range(5)]
    path = write(tmp_path / "five.xml", *docs)
    dev = evaluate_hedges(path, nlp=nlp)
    check_shape(dev.to_dict())
    assert dev.n == 1  # int(0.2 * 5 + 0.5) = 1 document of one sentence
    assert evaluate_hedges(path, split="train", nlp=nlp).n == 4
    assert dev.scores["cue"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    error = error_of(lambda: evaluate_hedges(path, split="test", nlp=nlp))
    assert error.code is Errors.E030


# --- the real data -----------------------------------------------------------------------------

FLOORS = json.loads((Path(__file__).parent / "eval_floors_hedges.json").read_text(encoding="utf8"))
GATED = sorted(FLOORS["floors"])


@pytest.fixture(scope="module")
def dev_reports(shared_data: Path, nlp: Language) -> dict[str, EvalReport]:
    folder = shared_data / "uncertainty"
    return {name: evaluate_hedges(folder / name, split="dev", nlp=nlp) for name in GATED}


@pytest.mark.model
def test_the_splits_of_the_real_files(shared_data: Path) -> None:
    # Sentence totals from ../shared/data/uncertainty/SOURCE.md (biomedical: the three files).
    totals = {}
    for name in ["wiki.xml", "bio_bmc.xml", "bio_fly.xml", "bio_hbc.xml"]:
        path = shared_data / "uncertainty" / name
        parts = {split: list(read_split(path, split)) for split in ["train", "dev"]}
        ids = {split: {d.doc_id for d in docs} for split, docs in parts.items()}
        assert not ids["train"] & ids["dev"]
        assert len(ids["dev"]) == int(DEV_SHARE * len(ids["train"] | ids["dev"]) + 0.5)
        totals[name] = sum(len(d.sentences) for docs in parts.values() for d in docs)
        assert all(isinstance(d, Document) for d in parts["dev"])
    assert totals["wiki.xml"] == 20_748
    assert totals["bio_bmc.xml"] + totals["bio_fly.xml"] + totals["bio_hbc.xml"] == 19_475


@pytest.mark.model
def test_dev_hedges_stay_above_the_floors(dev_reports: dict[str, EvalReport]) -> None:
    below = []
    for name in GATED:
        report = dev_reports[name]
        check_shape(report.to_dict())
        assert report.n == FLOORS["n"][name]
        for metric, floor in FLOORS["floors"][name].items():
            group, key = metric.split(".")
            value = report.scores[group][key]
            if value < floor:
                below.append(f"{name} {metric}: {value:.4f} < {floor}")
    assert not below, "below the pinned floors:\n" + "\n".join(below)


@pytest.mark.model
def test_ours_beats_the_lexicon_on_every_gated_file(dev_reports: dict[str, EvalReport]) -> None:
    for name, report in dev_reports.items():
        for level in ["cue", "sentence"]:
            ours = report.scores[level]["f1"]
            assert ours > report.scores[f"{BASELINE}:{level}"]["f1"], (name, level)
