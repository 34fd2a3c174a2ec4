"""gzip and bz2 inputs, recognised by their magic bytes, decompressed as a stream.

Nothing is decompressed whole: the reader of the inner format reads the stream as it would
a file, a document at most `max_bytes` of it and a record format one bounded record at a
time, so a decompression bomb is refused at the limit (E019 for a single document, E005
for an oversized record).  A truncated or corrupt stream is E019, wherever it breaks.
"""

from __future__ import annotations

import bz2
import io
import zlib
from typing import Any, BinaryIO, Literal, cast

from rumormill.errors import Errors, InputError

Kind = Literal["gzip", "bz2"]

_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_CHUNK = 64 * 1024


def kind_of(head: bytes) -> Kind | None:
    """'gzip' or 'bz2' when the bytes start with that format's magic, else None."""
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_BZ2_MAGIC) and head[3:4].isdigit() and head[3:4] != b"0":
        return "bz2"
    return None


def _reason(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "truncated: the data ends before the end of the compressed stream"
    return f"corrupt ({error})"


def peek(head: bytes, kind: Kind, *, name: str, size: int) -> bytes:
    """The first `size` decompressed bytes of a compressed input's first `head` bytes, for
    recognising the inner format; E019 when they are not valid compressed data."""
    try:
        out = b""
        data = head
        while data and len(out) < size:
            decoder: Any = zlib.decompressobj(wbits=31) if kind == "gzip" else bz2.BZ2Decompressor()
            if kind == "gzip":
                out += decoder.decompress(data, size - len(out))
            else:
                out += decoder.decompress(data, max_length=size - len(out))
            if not decoder.eof:
                break
            data = decoder.unused_data.lstrip(b"\x00")  # the next member, if any
            if kind_of(data) != kind:
                break  # trailing data: the stream reports it when it gets there
        return out
    except (zlib.error, OSError, ValueError) as e:
        raise InputError(Errors.E019, path=name, kind=kind, reason=_reason(e)) from e


class _Inflating(io.RawIOBase):
    """The decompressed bytes of a gzip or bz2 stream (every member of a multi-member one),
    in small steps: what decompresses before a break is served before the E019 for it, so
    that a truncated archive keeps the records it holds, and no step yields more than the
    reader asked for, so that a bomb never fills memory."""

    def __init__(self, raw: BinaryIO, *, kind: Kind, name: str) -> None:
        self._raw = raw
        self._kind = kind
        self._name = name
        self._decoder = self._new()
        self._input = b""  # compressed bytes the decoder has not taken yet
        self._more = False  # the decoder may hold output without more input

    def _new(self) -> Any:
        return zlib.decompressobj(wbits=31) if self._kind == "gzip" else bz2.BZ2Decompressor()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            while True:
                out = self._step(len(buffer))
                if out is None:
                    return 0
                if out:
                    buffer[: len(out)] = out
                    return len(out)
        except (EOFError, OSError, ValueError, zlib.error) as e:
            raise InputError(
                Errors.E019, path=self._name, kind=self._kind, reason=_reason(e)
            ) from e

    def _step(self, size: int) -> bytes | None:
        """Some decompressed bytes (maybe none yet), or None at the clean end."""
        decoder = self._decoder
        if decoder.eof:
            # The rest of the input is in unused_data (zlib repeats it in unconsumed_tail).
            leftover = decoder.unused_data.lstrip(b"\x00")
            while len(leftover) < 4:
                chunk = self._raw.read(_CHUNK)
                if not chunk:
                    break
                leftover = (leftover + chunk).lstrip(b"\x00")
            if not leftover:
                return None
            if kind_of(leftover) != self._kind:
                raise OSError("data after the end of the compressed stream")
            self._decoder, self._input, self._more = self._new(), leftover, False
            return b""
        if not self._input and not self._more:
            self._input = self._raw.read(_CHUNK)
            if not self._input:
                raise EOFError("truncated")
        if self._kind == "bz2":
            data, self._input = self._input, b""
            out: bytes = decoder.decompress(data, max_length=size)
            self._more = not decoder.needs_input and not decoder.eof
        else:
            out = decoder.decompress(self._input, size)
            self._input = decoder.unconsumed_tail
            self._more = len(out) >= size
        return out


def open_stream(stream: BinaryIO, kind: Kind, *, name: str) -> BinaryIO:
    """The decompressed stream of a compressed one (multi-member included); its read errors
    are E019.  Unbuffered: each read returns what one step decompressed, so that a reader
    gets every byte before a break (wrap it for line reading).  Closing it leaves `stream`
    open."""
    return cast(BinaryIO, _Inflating(stream, kind=kind, name=name))
