"""Convert ../shared/data into spaCy DocBins for training and evaluation.

Syntax: UD English EWT and GUM (CoNLL-U) -> tags, morphology, lemmas, parses.
Entities: UniversalNER EWT, wikigold, the Broad Twitter Corpus and the GMB (silver) ->
PERSON, ORG, GPE, LOC, NORP.  UniversalNER PUD (news and Wikipedia) is the news-like dev set.

Corpora disagree on what they annotate.  A type a corpus does not annotate is marked *missing*
rather than "no entity", so that one corpus does not teach the model that another corpus's
entities are not entities (most corpora never tag demonyms, for example).

Usage: python training/prepare.py --data ../shared/data --out training/corpus
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from collections.abc import Iterator
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.training.converters import conllu_to_docs
from spacy.vocab import Vocab

# GUM genres whose sources are non-commercial (see treebanks/SOURCE.md): left out so that the
# shipped model may be used by anyone.
GUM_NC_GENRES = {"essay", "fiction", "letter", "podcast", "whow"}

# Last words that make a place a location rather than a geo-political entity.
LOC_HEADS = {
    "river",
    "sea",
    "ocean",
    "gulf",
    "lake",
    "mountain",
    "mountains",
    "mount",
    "valley",
    "desert",
    "island",
    "islands",
    "peninsula",
    "strait",
    "straits",
    "bay",
    "delta",
    "coast",
    "basin",
    "canal",
    "channel",
    "forest",
    "park",
    "plain",
    "plains",
    "range",
    "glacier",
    "airport",
    "street",
    "avenue",
    "road",
    "square",
    "bridge",
    "station",
    "hospital",
    "house",
    "palace",
    "church",
    "cathedral",
    "mosque",
    "temple",
    "stadium",
    "hall",
    "center",
    "centre",
    "building",
    "tower",
    "highway",
    "hill",
    "hills",
    "falls",
    "beach",
    "cape",
    "reef",
    "volcano",
    "border",
    "region",
    "zone",
    "strip",
    "bank",
    "heights",
}
CONTINENTS_AND_REGIONS = {
    "europe",
    "asia",
    "africa",
    "antarctica",
    "oceania",
    "australasia",
    "north america",
    "south america",
    "latin america",
    "central america",
    "middle east",
    "the middle east",
    "near east",
    "far east",
    "caribbean",
    "the caribbean",
    "balkans",
    "the balkans",
    "scandinavia",
    "mediterranean",
    "the mediterranean",
    "sahara",
    "the sahara",
    "arctic",
    "the arctic",
    "siberia",
    "the west",
    "west",
    "east",
    "the east",
    "caucasus",
    "the caucasus",
    "eastern europe",
    "western europe",
    "southeast asia",
    "south asia",
    "central asia",
    "east asia",
    "sub-saharan africa",
    "north africa",
    "west africa",
    "east africa",
    "horn of africa",
    "persian gulf",
    "gaza strip",
    "west bank",
    "kashmir",
    "darfur",
    "amazon",
    "himalayas",
    "alps",
    "pacific",
    "atlantic",
    "mekong",
    "nile",
    "danube",
}

# Nationality, religious and political group words (spaCy's NORP).  Extended at run time by
# the GMB's own nationality-adjective annotations.
NORP_SEED = """
American Americans British Briton Britons English Scottish Welsh Irish French German Germans
Russian Russians Ukrainian Ukrainians Chinese Japanese Korean Koreans Indian Indians Pakistani
Pakistanis Afghan Afghans Iraqi Iraqis Iranian Iranians Israeli Israelis Palestinian
Palestinians Syrian Syrians Egyptian Egyptians Saudi Saudis Turkish Turks Kurdish Kurds Arab
Arabs Arabic Persian European Europeans African Africans Asian Asians Canadian Canadians
Mexican Mexicans Brazilian Brazilians Italian Italians Spanish Spaniards Portuguese Dutch
Belgian Swiss Austrian Swedish Swedes Norwegian Danish Finnish Polish Poles Czech Hungarian
Romanian Bulgarian Greek Greeks Serbian Serbs Croatian Croats Bosnian Albanian Belarusian
Georgian Armenian Azerbaijani Kazakh Uzbek Chechen Chechens Lebanese Jordanian Yemeni Libyan
Tunisian Algerian Moroccan Sudanese Somali Somalis Ethiopian Kenyan Nigerian Nigerians Ghanaian
Congolese Rwandan Ugandan Zimbabwean Australian Australians Indonesian Filipino Filipinos
Vietnamese Thai Malaysian Burmese Cuban Cubans Venezuelan Colombian Argentine Argentinian
Chilean Peruvian Haitian Jamaican Muslim Muslims Moslem Moslems Islamic Christian Christians
Catholic Catholics Protestant Protestants Jewish Jew Jews Hindu Hindus Sikh Sikhs Buddhist
Buddhists Sunni Sunnis Shiite Shiites Shia Orthodox Evangelical Evangelicals Democrat Democrats
Democratic Republican Republicans Conservative Conservatives Labour Liberal Liberals Socialist
Socialists Communist Communists Nazi Nazis Soviet Soviets Taliban Maoist Maoists Zionist
Kremlin-backed Western Westerners Latino Latinos Hispanic Hispanics
""".split()

TITLES = {
    "president",
    "prime",
    "minister",
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "gen.",
    "sen.",
    "rep.",
    "gov.",
    "king",
    "queen",
    "pope",
    "secretary",
    "general",
    "chancellor",
    "premier",
    "senator",
    "governor",
    "mayor",
    "lt.",
    "col.",
    "capt.",
    "sgt.",
    "adm.",
    "prince",
    "princess",
    "sheikh",
    "ayatollah",
    "foreign",
    "defense",
    "defence",
    "vice",
    "chief",
    "cardinal",
    "archbishop",
    "bishop",
    "judge",
    "justice",
    "ambassador",
    "envoy",
    "leader",
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "sen",
    "rep",
    "gov",
    "pm",
    "u.n.",
    "un",
    "deputy",
    "interior",
    "finance",
    "commander",
    "colonel",
    "major",
    "lieutenant",
    "sergeant",
    "sir",
    "lord",
    "lady",
    "dame",
    "rev.",
    "reverend",
    "father",
    "sister",
    "brother",
}


def place_label(words: list[str]) -> str:
    text = " ".join(words).lower()
    if text in CONTINENTS_AND_REGIONS or words[-1].lower() in LOC_HEADS:
        return "LOC"
    return "GPE"


# ----------------------------------------------------------------------------------- syntax


def split_conllu_docs(text: str) -> Iterator[tuple[str, str]]:
    """Yield (genre, conllu) per document ('# newdoc' starts one)."""
    chunks = re.split(r"(?m)^(?=# newdoc )", text)
    for chunk in chunks:
        if not chunk.strip():
            continue
        genre = re.search(r"(?m)^# meta::genre = (\S+)", chunk)
        yield (genre.group(1) if genre else ""), chunk


def conllu_docbin(paths: list[Path], *, skip_genres: set[str]) -> tuple[DocBin, int]:
    db = DocBin(store_user_data=False)
    n_words = 0
    for path in paths:
        text = path.read_text(encoding="utf8")
        kept = [c for g, c in split_conllu_docs(text) if g not in skip_genres]
        for doc in conllu_to_docs("\n".join(kept), n_sents=10, no_print=True):
            db.add(doc)
            n_words += len(doc)
    return db, n_words


# --------------------------------------------------------------------------------- entities

Sentence = list[tuple[str, str]]  # (word, IOB2 tag)


def rows(path: Path, *, skip: str) -> Iterator[list[list[str]]]:
    """Tab-separated rows, one list per sentence (blank-line separated); lines starting with
    `skip` are comments or document markers."""
    sent: list[list[str]] = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.startswith(skip):
            continue
        if not line.strip():
            if sent:
                yield sent
            sent = []
            continue
        sent.append(line.split("\t"))
    if sent:
        yield sent


def read_uner(path: Path) -> Iterator[Sentence]:
    for sent in rows(path, skip="#"):
        tags = [cols[2] if len(cols) > 2 else "O" for cols in sent]
        yield [
            (cols[1], "O" if t in {"B-O", "I-O"} else t) for cols, t in zip(sent, tags, strict=True)
        ]


def read_tsv(path: Path, *, tag_col: int = -1) -> Iterator[Sentence]:
    for sent in rows(path, skip="-DOCSTART-"):
        # A few BTC lines carry an empty token.
        words = [(c[0].strip(), c[tag_col].strip()) for c in sent if len(c) > 1 and c[0].strip()]
        if words:
            yield words


def read_gmb(path: Path) -> Iterator[list[tuple[str, str, str]]]:
    sent: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip():
            if sent:
                yield sent
            sent = []
            continue
        word, pos, tag = line.split("\t")
        sent.append((word, pos, tag))
    if sent:
        yield sent


def iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and label == tag[2:] and start >= 0
        if inside:
            continue
        if start >= 0:
            spans.append((start, i, label))
            start, label = -1, ""
        if tag.startswith(("B-", "I-")):
            start, label = i, tag[2:]
    return spans


class EntityDocs:
    """Build Docs with entity spans; unknown-type spans and demonyms become missing."""

    def __init__(self, vocab: Vocab, norp: set[str]) -> None:
        self.vocab = vocab
        self.norp = norp

    def make(
        self, words: list[str], spans: list[tuple[int, int, str]], *, norp_annotated: bool
    ) -> Doc:
        doc = Doc(self.vocab, words=words)
        ents: list[Span] = []
        missing: list[Span] = []
        covered = [False] * len(words)
        for start, end, label in spans:
            for i in range(start, end):
                covered[i] = True
            if label == "MISSING":
                missing.append(Span(doc, start, end))
            else:
                ents.append(Span(doc, start, end, label=label))
        if not norp_annotated:
            for i, w in enumerate(words):
                if not covered[i] and w in self.norp:
                    missing.append(Span(doc, i, i + 1))
        doc.set_ents(ents, missing=missing, default="outside")
        return doc

    def map_generic(self, sent: Sentence, mapping: dict[str, str]) -> tuple[list[str], list]:
        words = [w for w, _ in sent]
        out = []
        for start, end, label in iob_spans([t for _, t in sent]):
            target = mapping.get(label, "MISSING")
            span_words = words[start:end]
            if target == "PLACE":
                target = place_label(span_words)
            elif target == "NORP?":
                core = span_words[1:] if span_words[0].lower() == "the" else span_words
                target = "NORP" if core and core[-1] in self.norp else "MISSING"
            out.append((start, end, target))
        return words, out


def gmb_docs(builder: EntityDocs, path: Path) -> Iterator[Doc]:
    for sent in read_gmb(path):
        words = [w for w, _, _ in sent]
        out = []
        for start, end, label in iob_spans([t for _, _, t in sent]):
            head_pos = sent[end - 1][1]
            if label == "per":
                while start < end - 1 and words[start].lower() in TITLES:
                    start += 1
                if words[start].lower() in TITLES:
                    out.append((start, end, "MISSING"))
                else:
                    out.append((start, end, "PERSON"))
            elif label == "org":
                out.append((start, end, "ORG"))
            elif label == "geo":
                text = " ".join(words[start:end])
                if text in {"U.N.", "UN"}:
                    out.append((start, end, "ORG"))
                else:
                    out.append((start, end, place_label(words[start:end])))
            elif label == "gpe":
                out.append((start, end, "GPE" if head_pos in {"NNP"} else "NORP"))
            # tim, art, eve, nat: not among our labels -> outside
        yield builder.make(words, out, norp_annotated=True)


GUM_ENTITY = re.compile(r"\((\d+)-([a-z]+)([^()]*?)(\))?(?=\(|\d|$)|(\d+)\)")
GUM_TYPES = {"person": "PERSON", "organization": "ORG", "place": "PLACE"}
DETERMINERS = {"the", "a", "an", "The", "A", "An"}


NAME_LINKS = {"of", "the", "for", "and", "de", "del", "la", "le", "von", "van", "da", "al", "du"}


def is_name(words: list[str]) -> bool:
    """Title-case words, no coordination: 'University of Portsmouth', not 'Poland and Sweden'."""
    if not words[0][:1].isupper() or any(w in {"and", "or", ",", "&"} for w in words):
        return len(words) == 1 and words[0][:1].isupper()
    return all(w[:1].isupper() or not w.isalpha() or w in NAME_LINKS for w in words)


def gum_docs(builder: EntityDocs, path: Path, *, skip_genres: set[str]) -> Iterator[Doc]:
    """Named PERSON / ORG / place mentions of GUM's entity layer, one Doc per sentence.

    GUM marks every mention, named or not.  A mention counts as a named entity when it has a
    Wikipedia identity or ends in a proper noun; leading determiners (and titles, for people)
    are stripped; of overlapping named mentions the outermost wins.
    """
    for genre, chunk in split_conllu_docs(path.read_text(encoding="utf8")):
        if genre in skip_genres:
            continue
        for block in chunk.split("\n\n"):
            rows = [
                line.split("\t")
                for line in block.splitlines()
                if line and not line.startswith("#") and "\t" in line
            ]
            rows = [r for r in rows if r[0].isdigit()]
            if not rows:
                continue
            words = [r[1] for r in rows]
            upos = [r[3] for r in rows]
            open_: dict[str, tuple[int, str, str]] = {}
            mentions: list[tuple[int, int, str, bool]] = []
            for i, r in enumerate(rows):
                misc = dict(kv.split("=", 1) for kv in r[9].split("|") if "=" in kv)
                for m in GUM_ENTITY.finditer(misc.get("Entity", "")):
                    if m.group(1):
                        fields = m.group(3).split("-")
                        identity = fields[6] if len(fields) > 6 else ""
                        if m.group(4):
                            mentions.append((i, i + 1, m.group(2), bool(identity)))
                        else:
                            open_[m.group(1)] = (i, m.group(2), identity)
                    elif m.group(5) in open_:
                        start, etype, identity = open_.pop(m.group(5))
                        mentions.append((start, i + 1, etype, bool(identity)))
            chosen: list[tuple[int, int, str]] = []
            taken = [False] * len(words)
            for start, end, etype, linked in sorted(mentions, key=lambda m: (m[0], -m[1])):
                if etype not in GUM_TYPES or "PROPN" not in upos[start:end]:
                    continue
                while start < end - 1 and (
                    words[start] in DETERMINERS
                    or (etype == "person" and words[start].lower() in TITLES)
                ):
                    start += 1
                if any(taken[start:end]):
                    continue
                label = GUM_TYPES[etype]
                if not is_name(words[start:end]) or not (linked or upos[end - 1] == "PROPN"):
                    label = "MISSING"  # a description with a name inside: no verdict
                elif label == "PLACE":
                    label = place_label(words[start:end])
                chosen.append((start, end, label))
                for k in range(start, end):
                    taken[k] = True
            yield builder.make(words, chosen, norp_annotated=False)


def gmb_norp_words(path: Path) -> set[str]:
    counts: collections.Counter[str] = collections.Counter()
    for sent in read_gmb(path):
        for start, end, label in iob_spans([t for _, _, t in sent]):
            if label == "gpe" and end - start == 1 and sent[start][1] in {"JJ", "NNS", "NNPS"}:
                counts[sent[start][0]] += 1
    return {w for w, n in counts.items() if n >= 3 and w[:1].isupper()}


def group(docs: Iterator[Doc], n: int, vocab: Vocab) -> Iterator[Doc]:
    """Join n sentences into one Doc so that the model sees some context."""
    batch: list[Doc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == n:
            yield Doc.from_docs(batch)
            batch = []
    if batch:
        yield Doc.from_docs(batch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("training/corpus"))
    ap.add_argument(
        "--ner-sources",
        default="uner-ewt,wikigold,btc,gmb,gum",
        help="comma-separated entity corpora to train on",
    )
    ap.add_argument("--ner-only", action="store_true", help="only rebuild the entity corpus")
    args = ap.parse_args()
    data: Path = args.data
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tb = data / "treebanks"
    stats: dict[str, int] = {}

    if not args.ner_only:
        for split in ("train", "dev"):
            db, n = conllu_docbin(
                [tb / f"en_ewt-ud-{split}.conllu", tb / f"en_gum-{split}.conllu"],
                skip_genres=GUM_NC_GENRES,
            )
            db.to_disk(out / f"syntax-{split}.spacy")
            stats[f"syntax-{split} words"] = n
        db, n = conllu_docbin([tb / "en_ewt-ud-dev.conllu"], skip_genres=set())
        db.to_disk(out / "ewt-dev.spacy")
        stats["ewt-dev words"] = n

    nlp = spacy.blank("en")
    gmb_path = data / "ner" / "gmb_kaggle_partial" / "gmb_partial.iob2.tsv"
    norp = set(NORP_SEED) | gmb_norp_words(gmb_path)
    (out / "norp.json").write_text(json.dumps(sorted(norp), indent=0), encoding="utf8")
    b = EntityDocs(nlp.vocab, norp)
    uner_map = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE", "OTH": "NORP?"}
    conll_map = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE", "MISC": "NORP?"}

    def uner(path: Path) -> Iterator[Doc]:
        for sent in read_uner(path):
            words, spans = b.map_generic(sent, uner_map)
            yield b.make(words, spans, norp_annotated=False)

    def conll(path: Path, mapping: dict[str, str]) -> Iterator[Doc]:
        for sent in read_tsv(path):
            words, spans = b.map_generic(sent, mapping)
            yield b.make(words, spans, norp_annotated=False)

    train = DocBin()
    sources: dict[str, Iterator[Doc]] = {
        "uner-ewt": uner(tb / "uner_en_ewt-ud-train.iob2"),
        "wikigold": conll(data / "ner" / "wikigold" / "wikigold.iob2.tsv", conll_map),
        "btc": (
            d for part in "abefgh" for d in conll(data / "ner" / "btc" / f"{part}.conll", conll_map)
        ),
        "gmb": gmb_docs(b, gmb_path),
        "gum": gum_docs(b, tb / "en_gum-train.conllu", skip_genres=GUM_NC_GENRES),
    }
    chosen = args.ner_sources.split(",")
    for name in chosen:
        docs = sources[name]
        n = 0
        for doc in group(docs, 8, nlp.vocab):
            train.add(doc)
            n += len(doc)
        stats[f"ner-train {name} words"] = n
    train.to_disk(out / "ner-train.spacy")
    if args.ner_only:
        print(json.dumps(stats, indent=1))
        return

    for name, path in {
        "ner-dev": tb / "uner_en_ewt-ud-dev.iob2",
        "ner-pud": data / "ner" / "uner_en_pud" / "en_pud-ud-test.iob2",
    }.items():
        db = DocBin()
        n = 0
        for doc in group(uner(path), 8, nlp.vocab):
            db.add(doc)
            n += len(doc)
        db.to_disk(out / f"{name}.spacy")
        stats[f"{name} words"] = n
    (out / "stats.json").write_text(json.dumps(stats, indent=1), encoding="utf8")
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
