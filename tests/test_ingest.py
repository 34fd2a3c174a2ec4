"""read_article(): one entry point, the format recognised by content, every failure coded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rumormill
from rumormill.errors import Errors, InputError
from rumormill.ingest import detect_format, files, read_article
from tests.test_html import NEWS_PAGE


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"text": "a"}', "json"),
        ('  \n{"text": "a"}\n{"text": "b"}', "json"),
        ("[1, 2]", "json"),
        ("[UPDATE] The minister resigned.", "text"),
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("<!-- saved page -->\n<html lang='en'>", "html"),
        ("<p>Hello</p>", "html"),
        ("<3 from the newsroom", "text"),
        ("date 2022-05-05 Body.", "text"),
        ("Plain text about <html> tags.", "text"),
    ],
)
def test_detect_format_by_content(text: str, kind: str) -> None:
    assert detect_format(text) == kind


def test_the_public_api_exports_read_article() -> None:
    assert rumormill.read_article is read_article


def test_format_is_recognised_whatever_the_extension(tmp_path: Path) -> None:
    as_txt = tmp_path / "page.txt"
    as_txt.write_bytes(NEWS_PAGE.read_bytes())
    assert read_article(as_txt).title == "Kremlin insiders plot against Putin, reports claim"
    record = tmp_path / "story.html"
    record.write_text(json.dumps({"text": "Body.", "published": "2022-05-05"}), encoding="utf8")
    assert read_article(record).published == date(2022, 5, 5)
    house = tmp_path / "story.json"
    house.write_text("date 2022-05-05 Body.\n\n(AP)\n", encoding="utf8")
    article = read_article(house)
    assert (article.text, article.credit, article.outlet) == ("Body.", "AP", "AP")


def test_bytes_and_options() -> None:
    article = read_article(b"Plain body.", name="mem", published=date(2021, 1, 1), outlet="X")
    assert (article.published, article.outlet) == (date(2021, 1, 1), "X")
    with pytest.raises(InputError) as info:
        read_article(b"Plain body.", name="mem")
    assert info.value.code is Errors.E006
    assert "mem" in str(info.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("date 2022-05-05 Le café est fermé, a dit le maire.".encode("latin-1"), "café"),
        ("date 2022-05-05 Президент заявил, что это ложь.".encode("cp1251"), "Президент"),
        ("date 2022-05-05 UTF-16 with a mark.".encode("utf-16"), "UTF-16 with a mark"),
    ],
)
def test_other_encodings_are_detected(data: bytes, expected: str) -> None:
    assert expected in read_article(data).text


def test_undecodable_bytes_are_refused() -> None:
    with pytest.raises(InputError) as info:
        read_article(bytes(range(128, 256)) * 4, name="noise.txt")
    assert info.value.code is Errors.E004
    assert "noise.txt" in str(info.value)
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


def test_five_megabytes_are_refused_by_default_and_read_on_request(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    paragraph = "The minister said the budget would be balanced by next year. " * 20
    path.write_text("date 2022-05-05\n" + (paragraph + "\n\n") * 4200, encoding="utf8")
    assert path.stat().st_size > 5_000_000
    with pytest.raises(InputError) as info:
        read_article(path)
    assert info.value.code is Errors.E005
    assert "--max-bytes" in str(info.value)
    article = read_article(path, max_bytes=6_000_000)
    assert len(article.text) > 5_000_000


def test_the_stream_reader_stops_past_the_limit() -> None:
    class Endless:
        def read(self, n: int = -1) -> bytes:
            assert n > 0, "an unbounded read"
            return b"x" * n

    with pytest.raises(InputError) as info:
        files.read_stream(Endless(), name="<stdin>", limit=1000)  # type: ignore[arg-type]
    assert info.value.code is Errors.E005


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_article(tmp_path)
    assert info.value.code is Errors.E001


@given(st.binary(max_size=2000))
def test_any_bytes_are_an_article_or_an_input_error(data: bytes) -> None:
    try:
        article = read_article(data, name="x", published=date(2022, 1, 1))
    except InputError:
        return
    assert article.text.strip()
