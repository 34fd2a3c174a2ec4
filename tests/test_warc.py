"""WARC archives, built by hand with warcio: each archived HTML page is an article, named by
its record; a broken archive keeps the pages before the break."""

from __future__ import annotations

import gzip
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from rumormill.errors import Errors
from rumormill.ingest import warc
from rumormill.ingest.sources import Options, read_items
from tests.test_html import BODY, page

WARC_DATE = "2022-02-03T04:05:06Z"
DATED = page('<meta property="article:published_time" content="2021-03-04">')
UNDATED = page("<title>Minister quits</title>")

# (url, content type, body, HTTP status)
Response = tuple[str, str, bytes, str]
CRAWL: list[Response] = [
    ("https://news.example/world/quits", "text/html; charset=utf-8", DATED.encode(), "200 OK"),
    ("https://news.example/undated", "text/html", UNDATED.encode(), "200 OK"),
    ("https://news.example/2020/02/03/in-the-url", "text/html", UNDATED.encode(), "200 OK"),
    ("https://news.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n....", "200 OK"),
    ("https://news.example/gone", "text/html", b"<html>gone</html>", "404 Not Found"),
    ("https://news.example/moved", "text/html", b"", "301 Moved Permanently"),
]


def write_warc(
    path: Path, responses: list[Response], *, compress: bool = True, requests: bool = True
) -> Path:
    """A WARC: a warcinfo record, then for each response a request (maybe) and the
    response, all dated WARC_DATE."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, kind, body, status in responses:
            if requests:
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")])
                writer.write_record(
                    writer.create_warc_record(
                        url, "request", payload=io.BytesIO(b""), http_headers=request
                    )
                )
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
            writer.write_record(record)
    return path


def test_pages_of_a_warc_gz(tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "crawl.warc.gz", CRAWL)
    items = list(read_items([str(archive)]))
    assert [item.name for item in items] == [
        f"{archive}#record 3",
        f"{archive}#record 5",
        f"{archive}#record 7",
    ]
    articles = [item.article for item in items]
    assert all(articles)
    first, second, third = articles
    assert first is not None
    assert second is not None
    assert third is not None
    assert (first.published, first.date_source) == (date(2021, 3, 4), "html")
    assert (second.published, second.date_source) == (date(2022, 2, 3), "warc")
    assert (third.published, third.date_source) == (date(2020, 2, 3), "url")
    assert first.url == "https://news.example/world/quits"
    assert first.outlet == "news.example"  # no site name, no credit: the URL's domain
    assert first.text.startswith("The minister resigned on Thursday")


def test_uncompressed_and_wholly_gzipped_archives_read_alike(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "crawl.warc", CRAWL, compress=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))  # one gzip member, not per record
    for path in (plain, whole):
        items = list(read_items([str(path)]))
        assert [item.name.rsplit("#", 1)[1] for item in items] == [
            "record 3",
            "record 5",
            "record 7",
        ]
        assert all(item.article for item in items)


def test_a_truncated_archive_keeps_the_pages_before_the_break(tmp_path: Path) -> None:
    archive = write_warc(tmp_path / "crawl.warc.gz", CRAWL)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 150])
    items = list(read_items([str(archive), str(write_warc(tmp_path / "ok.warc", CRAWL[:1]))]))
    assert [bool(item.article) for item in items] == [True, True, True, False, True]
    broken = items[3].error
    assert broken is not None
    assert broken.code is Errors.E019
    assert "truncated" in str(broken)
    assert str(archive) in str(broken)


def test_a_malformed_or_cut_archive_is_coded(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc", CRAWL[:1], compress=False).read_bytes()
    broken = tmp_path / "broken.warc"
    broken.write_bytes(good + b"this is not a WARC record\r\n\r\n")
    cut = tmp_path / "cut.warc"
    cut.write_bytes(good + good[good.index(b"WARC/1.0", 10) :][:-300])
    for path, says in ((broken, "Invalid WARC record"), (cut, "cut short")):
        items = list(read_items([str(path)]))
        assert items[0].article is not None
        assert len(items) == 2
        error = items[-1].error
        assert error is not None
        assert error.code is Errors.E018
        assert str(path) in str(error)
        assert says in str(error)


def test_an_archive_without_pages_and_an_oversized_page(tmp_path: Path) -> None:
    images = write_warc(tmp_path / "images.warc.gz", [CRAWL[3]])
    (item,) = read_items([str(images)])
    assert item.error is not None
    assert item.error.code is Errors.E053
    big = (
        "https://news.example/big",
        "text/html",
        page(BODY * 200).encode(),
        "200 OK",
    )
    archive = write_warc(tmp_path / "big.warc.gz", [big, CRAWL[0]], requests=False)
    items = list(read_items([str(archive)], Options(max_bytes=20_000)))
    assert items[0].error is not None
    assert items[0].error.code is Errors.E005
    assert items[0].name == f"{archive}#record 2"
    assert items[1].article is not None


def test_is_warc() -> None:
    assert warc.is_warc(b"WARC/1.1\r\nWARC-Type: warcinfo")
    assert not warc.is_warc(b"date 2022-05-05 WARC/1.0 is a format.")


WORDS = "the minister said officials rumors rift president denied reports claimed".split()
paragraphs = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=5, max_size=15).map(" ".join),
    min_size=1,
    max_size=3,
    unique=True,  # trafilatura drops a repeated paragraph, rightly
)


@settings(max_examples=15)
@given(st.lists(st.tuples(paragraphs, st.booleans()), min_size=1, max_size=4), st.booleans())
def test_generated_records_come_out_in_order(
    tmp_path_factory: pytest.TempPathFactory, records: list[tuple[list[str], bool]], compress: bool
) -> None:
    folder = tmp_path_factory.mktemp("warc")
    responses: list[Response] = []
    for number, (texts, is_html) in enumerate(records):
        body = "".join(f"<p>{t}</p>" for t in texts)
        kind = "text/html" if is_html else "application/json"
        responses.append((f"https://x.example/{number}", kind, page("", body).encode(), "200 OK"))
    archive = write_warc(folder / "g.warc.gz", responses, compress=compress, requests=False)
    items = list(read_items([str(archive)], Options(undated=True)))
    expected = [(n, texts) for n, (texts, is_html) in enumerate(records) if is_html]
    if not expected:
        assert items[0].error is not None
        assert items[0].error.code is Errors.E053
        return
    assert [item.name for item in items] == [f"{archive}#record {n + 2}" for n, _ in expected]
    for item, (number, texts) in zip(items, expected, strict=True):
        assert item.article is not None, item.error
        assert item.article.url == f"https://x.example/{number}"
        assert item.article.published == date(2022, 2, 3)
        assert item.article.text == "\n\n".join(" ".join(t.split()) for t in texts)
