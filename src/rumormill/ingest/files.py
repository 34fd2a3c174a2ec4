"""Read an input file as text, refusing binary, mis-encoded, empty and huge input."""

from __future__ import annotations

from pathlib import Path

from rumormill.errors import Errors, InputError

MAX_BYTES = 20 * 1024 * 1024  # one article; archives have their own readers


def decode(data: bytes, *, name: str, limit: int = MAX_BYTES) -> str:
    """Decode bytes as UTF-8 text, or raise an InputError that names `name` and the reason."""
    if len(data) > limit:
        raise InputError(Errors.E005, path=name, size=len(data), limit=limit)
    if not data.strip():
        raise InputError(Errors.E002, path=name)
    nul = data.find(b"\x00")
    if nul != -1:
        raise InputError(Errors.E003, path=name, offset=nul)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(Errors.E004, path=name, offset=e.start) from e
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, *, limit: int = MAX_BYTES) -> str:
    """Read a whole file as text (UTF-8), checking it first."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(Errors.E005, path=path, size=size, limit=limit)
        data = path.read_bytes()
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e
    return decode(data, name=str(path), limit=limit)
