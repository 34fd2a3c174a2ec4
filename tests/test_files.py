"""Reading input files: every kind of bad input gets a coded error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest.files import decode, read_text


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", Errors.E002),
        (b"  \n\t\n", Errors.E002),
        (b"date 2022-05-05 text\x00\x01\x02", Errors.E003),
        (bytes(range(128, 256)) * 4, Errors.E004),
    ],
)
def test_bad_input_is_named_and_coded(tmp_path: Path, data: bytes, code: Errors) -> None:
    path = write(tmp_path, data)
    with pytest.raises(InputError) as info:
        read_text(path)
    assert info.value.code is code
    assert str(path) in str(info.value)
    assert f"[{code.name}]" in str(info.value)


def test_huge_input_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"x" * 2000)
    with pytest.raises(InputError) as info:
        read_text(path, limit=1000)
    assert info.value.code is Errors.E005


def test_missing_file_keeps_its_cause(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_text(tmp_path / "nope.txt")
    assert info.value.code is Errors.E001
    assert isinstance(info.value.__cause__, OSError)


def test_a_legacy_encoding_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "date 2022-05-05 Le café est fermé, a dit le maire.".encode("latin-1"))
    assert read_text(path) == "date 2022-05-05 Le café est fermé, a dit le maire."


def test_crlf_and_bom_are_normalised() -> None:
    assert decode(b"\xef\xbb\xbfdate 2022-05-05\r\nA.\r\n", name="x") == "date 2022-05-05\nA.\n"


@given(st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s))
def test_any_utf8_text_round_trips(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    if expected.startswith("\ufeff"):
        expected = expected[1:]
    assert decode(text.encode("utf8"), name="x") == expected
