"""gzip and bz2 inputs: recognised by magic bytes, decompressed as a bounded stream; a
truncated, corrupt or exploding input is a coded error naming the file."""

from __future__ import annotations

import bz2
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rumormill.errors import Errors, InputError
from rumormill.ingest import compressed
from rumormill.ingest.sources import Options, read_items

COMPRESS = {"gzip": gzip.compress, "bz2": bz2.compress}


def read_all(stream: io.RawIOBase | io.BufferedIOBase | object, step: int = 7) -> bytes:
    parts = []
    while chunk := stream.read(step):  # type: ignore[attr-defined]
        parts.append(chunk)
    return b"".join(parts)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (gzip.compress(b"x"), "gzip"),
        (bz2.compress(b"x"), "bz2"),
        (b"BZh is how a bz2 file starts", None),
        (b"date 2022-05-05 Plain.", None),
        (b"", None),
    ],
)
def test_kind_by_magic_bytes(head: bytes, kind: str | None) -> None:
    assert compressed.kind_of(head) == kind


@settings(max_examples=40)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=4), st.sampled_from(["gzip", "bz2"]))
def test_round_trip_of_members(members: list[bytes], kind: compressed.Kind) -> None:
    """Any data, in one or several members, comes back whole, read in small steps."""
    packed = b"".join(COMPRESS[kind](member) for member in members)
    stream = compressed.open_stream(io.BytesIO(packed), kind, name="x")
    assert read_all(stream) == b"".join(members)
    assert compressed.peek(packed, kind, name="x", size=10) == b"".join(members)[:10]


@pytest.mark.parametrize("kind", ["gzip", "bz2"])
def test_a_truncated_stream_gives_what_it_has_then_e019(kind: compressed.Kind) -> None:
    data = b"The minister resigned on Thursday, officials said. " * 2000
    packed = COMPRESS[kind](data)
    stream = compressed.open_stream(io.BytesIO(packed[: len(packed) // 2]), kind, name="t.gz")
    parts: list[bytes] = []

    def drain() -> None:
        while chunk := stream.read(1000):
            parts.append(chunk)

    with pytest.raises(InputError) as info:
        drain()
    got = b"".join(parts)
    assert info.value.code is Errors.E019
    assert "t.gz" in str(info.value)
    assert "truncated" in str(info.value)
    assert data.startswith(got)
    if kind == "gzip":  # bz2 gives nothing of a block cut in two
        assert got


@pytest.mark.parametrize(
    ("packed", "says"),
    [
        (gzip.compress(b"abc") + b"junk after it", "data after the end"),
        (b"\x1f\x8b\x08\x00" + b"\xff" * 40, "corrupt"),
        (b"BZh9" + b"\x00" * 40, "corrupt"),
    ],
)
def test_corrupt_streams_are_e019(packed: bytes, says: str) -> None:
    kind = compressed.kind_of(packed)
    assert kind is not None
    with pytest.raises(InputError) as info:
        read_all(compressed.open_stream(io.BytesIO(packed), kind, name="c"))
    assert info.value.code is Errors.E019
    assert says in str(info.value)


def test_trailing_zero_padding_is_fine() -> None:
    stream = compressed.open_stream(
        io.BytesIO(gzip.compress(b"abc") + b"\x00" * 10), "gzip", name="p"
    )
    assert read_all(stream) == b"abc"


def test_compressed_inputs_of_every_format(tmp_path: Path) -> None:
    records = [{"text": f"Story {n}.", "published": "2022-05-05"} for n in range(3)]
    files = {
        "a.jsonl.gz": gzip.compress("\n".join(json.dumps(r) for r in records).encode()),
        "b.txt.bz2": bz2.compress(b"date 2022-05-05 A house-format story.\n"),
        "c.csv.gz": gzip.compress(b"date,text\n2022-05-05,A CSV story.\n"),
        "d.html.gz": gzip.compress(
            b"<html><head><meta property='article:published_time' content='2021-03-04'>"
            b"</head><body><article><p>An HTML story, told in a paragraph long enough to "
            b"count as the main text of the page.</p></article></body></html>"
        ),
        "e.gz": gzip.compress(gzip.compress(b"date 2022-05-05 Packed twice.\n")),
        "f.dat": gzip.compress(b"date 2022-05-05 No telling name.\n"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    items = list(read_items([str(tmp_path)]))
    assert all(item.article for item in items), [item.error for item in items]
    texts = [item.article.text for item in items if item.article]
    assert texts[:3] == ["Story 0.", "Story 1.", "Story 2."]
    assert texts[3:] == [
        "A house-format story.",
        "A CSV story.",
        texts[5],
        "Packed twice.",
        "No telling name.",
    ]
    assert texts[5].startswith("An HTML story")
    assert items[4].name == f"{tmp_path / 'c.csv.gz'}:line 2"


@pytest.mark.parametrize("kind", ["gzip", "bz2"])
def test_a_decompression_bomb_is_refused_and_the_batch_goes_on(
    tmp_path: Path, kind: compressed.Kind
) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(COMPRESS[kind](b"date 2022-05-05 " + b"a" * 3_000_000))
    assert bomb.stat().st_size < 100_000
    after = tmp_path / "after.txt"
    after.write_text("date 2022-05-05 Still read.", encoding="utf8")
    first, second = read_items([str(bomb), str(after)], Options(max_bytes=100_000))
    assert first.error is not None
    assert first.error.code is Errors.E019
    assert "decompresses to over 100000 bytes" in str(first.error)
    assert str(bomb) in str(first.error)
    assert second.article is not None


def test_a_bomb_line_in_compressed_json_lines_is_one_rejection(tmp_path: Path) -> None:
    line = json.dumps({"text": "Fine.", "published": "2022-05-05"}).encode()
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(gzip.compress(line + b"\n{" + b" " * 500_000 + b"}\n" + line + b"\n"))
    items = list(read_items([str(path)], Options(max_bytes=10_000)))
    assert [item.name.rsplit(":", 1)[1] for item in items] == ["line 1", "line 2", "line 3"]
    assert items[1].error is not None
    assert items[1].error.code is Errors.E005
    assert items[0].article is not None
    assert items[2].article is not None


@pytest.mark.parametrize("kind", ["gzip", "bz2"])
def test_a_truncated_file_is_coded_and_the_batch_goes_on(
    tmp_path: Path, kind: compressed.Kind
) -> None:
    packed = COMPRESS[kind](b"date 2022-05-05 " + b"The minister resigned. " * 3000)
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 2])
    after = tmp_path / "after.txt"
    after.write_text("date 2022-05-05 Still read.", encoding="utf8")
    first, second = read_items([str(path), str(after)])
    assert first.name == str(path)
    assert first.error is not None
    assert first.error.code is Errors.E019
    assert str(path) in str(first.error)
    assert second.article is not None


def test_truncated_json_lines_keep_the_records_before_the_break(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": f"Story number {n}.", "published": "2022-05-05"}) for n in range(400)
    ]
    packed = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    items = list(read_items([str(path)]))
    assert len(items) > 2
    assert all(item.article for item in items[:-1])
    assert items[-1].name == str(path)
    assert items[-1].error is not None
    assert items[-1].error.code is Errors.E019
