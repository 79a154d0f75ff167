from __future__ import annotations

import gzip
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from scrapers.warc_capture import LeveledWarcWriter

PAGE = ("<html><body>" + "<p>Paragraph of news text, repeated for size.</p>" * 400 + "</body></html>").encode()


def write(level: int, count: int = 3) -> tuple[bytes, list[int]]:
    out = BytesIO()
    writer = LeveledWarcWriter(out, level, warc_version="1.1")
    offsets = []
    for i in range(count):
        record = writer.create_warc_record(
            f"https://www.example.com/news/{i}", "response", payload=BytesIO(PAGE), length=len(PAGE),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"))
        offsets.append(out.tell())
        writer.write_record(record)
    return out.getvalue(), offsets


def test_each_record_is_its_own_gzip_member_readable_at_its_offset() -> None:
    data, offsets = write(6)
    for index, offset in enumerate(offsets):
        record = next(iter(ArchiveIterator(BytesIO(data[offset:]))))
        assert record.rec_headers.get_header("WARC-Target-URI") == f"https://www.example.com/news/{index}"
        assert record.content_stream().read() == PAGE
    assert gzip.decompress(data).count(b"WARC/1.1\r\n") == 3


def test_the_level_is_honoured() -> None:
    fast, _ = write(1)
    small, _ = write(9)
    assert len(small) < len(fast)
