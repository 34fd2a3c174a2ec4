"""Read an input as text, refusing binary, undecodable, empty and oversized input.

Decoding: UTF-8 first (with or without a BOM), UTF-16 when a BOM says so, then the encoding
charset-normalizer detects; anything else is refused (E004).
"""

from __future__ import annotations

import codecs
import io
import logging
from pathlib import Path
from typing import BinaryIO, cast

import charset_normalizer

from rumormill.errors import Errors, InputError

logger = logging.getLogger(__name__)

# One article.  1 MB is about 150,000 words, far beyond any news article, and keeps a text
# within the pipeline's default `max_length` (1,000,000 characters; a UTF-8 byte count never
# undercounts characters).  Parsing memory grows with the text, so a larger input is refused
# unless the caller raises the limit on purpose (`--max-bytes`).
MAX_BYTES = 1_000_000

# A detector that may answer UTF-16/32 for a few stray high bytes gives mojibake, not text;
# those encodings are only trusted when a byte-order mark announces them.
_UNTRUSTED_GUESSES = ["utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le"]
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, *, name: str, limit: int = MAX_BYTES) -> str:
    """Decode bytes as text, or raise an InputError that names `name` and the reason."""
    if len(data) > limit:
        raise InputError(Errors.E005, path=name, size=len(data), limit=limit)
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError(Errors.E004, path=name, offset=e.start) from e
        if not text.strip():
            raise InputError(Errors.E002, path=name)
        return _normalise(text)
    if not data.strip():
        raise InputError(Errors.E002, path=name)
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(Errors.E003, path=name, offset=nul)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        best = charset_normalizer.from_bytes(data, cp_exclusion=_UNTRUSTED_GUESSES).best()
        if best is None:
            raise InputError(Errors.E004, path=name, offset=e.start) from e
        logger.info("%s: not UTF-8; decoded as %s", name, best.encoding)
        text = str(best)
    if not text.strip():
        raise InputError(Errors.E002, path=name)
    return _normalise(text)


def read_bytes(path: Path, *, limit: int = MAX_BYTES) -> bytes:
    """Read a whole file, refusing it before reading when it is over `limit` bytes."""
    try:
        if path.is_dir():
            raise InputError(Errors.E001, path=path, reason="a directory, not a file")
        size = path.stat().st_size
        if size > limit:
            raise InputError(Errors.E005, path=path, size=size, limit=limit)
        with path.open("rb") as f:
            # Bounded like a stream: a file that grew meanwhile, or a pipe whose size stat()
            # cannot tell, never fills memory.
            return read_stream(f, name=str(path), limit=limit)
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e


def read_stream(stream: BinaryIO, *, name: str, limit: int = MAX_BYTES) -> bytes:
    """Read a stream (standard input, an open file) up to `limit` bytes; refuse a longer one."""
    try:
        data = stream.read(limit + 1)
    except OSError as e:
        raise InputError(Errors.E001, path=name, reason=e.strerror or str(e)) from e
    if len(data) > limit:
        raise InputError(Errors.E005, path=name, size=f"over {limit}", limit=limit)
    return data


def read_text(path: Path, *, limit: int = MAX_BYTES) -> str:
    """Read a whole file as text, checking it first."""
    return decode(read_bytes(path, limit=limit), name=str(path), limit=limit)


def read_head(stream: BinaryIO, size: int) -> bytes:
    """The first `size` bytes of a stream (fewer only at its end), to recognise a format.
    When the stream breaks after some bytes, those are the head: the next read of the
    stream meets the same error again (a decompressor's E019), where a reader reports it."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        try:
            chunk = stream.read(size - got)
        except InputError:
            if not parts:
                raise
            break
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


class _Rewound(io.RawIOBase):
    """A stream whose first bytes were read already: they are served again, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def rewound(head: bytes, rest: BinaryIO, *, buffered: bool = True) -> BinaryIO:
    """`rest` as if `head` (read from it already) had not been read.  Closing the result
    leaves `rest` open.  Unbuffered, each read is one read of `rest` (after the head): a
    read error of `rest` then loses nothing read before it."""
    raw = _Rewound(head, rest)
    if not buffered:
        return cast(BinaryIO, raw)
    return io.BufferedReader(raw, buffer_size=64 * 1024)
