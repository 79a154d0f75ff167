"""Charset lies, crawled and loaded: the HTTP header says iso-8859-1 or windows-1252 and the body
is UTF-8 (with a correct <meta charset>, or a stray windows-1252 byte in it), and the reverse.
Every article is stored as its text, never as mojibake; a body that is not the gzip its
Content-Encoding says is a ledger failure retried by the next runs, never stored.
"""

from __future__ import annotations

import gzip

import pytest

from common.warehouse import transaction
from tests.fixtures.crawl_support import DAY, CrawlEnv, crawl_env, ledger
from tests.fixtures.fault_server import FaultServer, write_source
from transforms.extract.decoding import decode_html

__all__ = ["crawl_env"]

pytestmark = pytest.mark.crawl  # Scrapy crawls in child processes: left out of make test-fast

STORY = ("Der Präsident sagte für die Presse, dass der Sommer schwierig würde. Über die Brücke gehen "
         "Schüler täglich zur Schule, und die Bürger der Stadt möchten, dass sie repariert wird. ")
MOJIBAKE = ("Ã", "Ă", "Â", "\ufffd")


def page(meta_charset: str, extra: str = "") -> str:
    return (f'<!doctype html><html lang="de"><head><meta charset="{meta_charset}"><title>Die Brücke</title></head>'
            f"<body><article><h1>Die Brücke über den Fluss</h1>" + f"<p>{STORY}</p>" * 6
            + f"<p>Ende{extra}</p></article></body></html>")


def bodies() -> dict[str, str]:
    with transaction() as cur:
        cur.execute("select url, body from core.articles")
        return {url.rsplit("/", 1)[-1]: body for url, body in cur.fetchall()}


def test_pages_whose_charset_declarations_lie_are_stored_as_their_text(crawl_env: CrawlEnv) -> None:
    pages = {
        # The header keeps a CMS's old default; the bytes and the page's <meta> are UTF-8.
        "latin1header-1": ("text/html; charset=iso-8859-1", page("utf-8").encode()),
        # The same, with one windows-1252 dash pasted in: the bytes are not valid UTF-8 as a whole.
        "strayhyphen-2": ("text/html; charset=windows-1252", page("utf-8").encode().replace(b"Ende", b"\x96 Ende")),
        # A UTF-8 header and meta on the same mixed page.
        "straysaysutf8-3": ("text/html; charset=utf-8", page("utf-8").encode().replace(b"Ende", b"\x96 Ende")),
        # The reverse: a UTF-8 header on a windows-1252 page that says so in its <meta>.
        "utf8header-4": ("text/html; charset=utf-8", page("windows-1252").encode("cp1252")),
    }
    with FaultServer() as server:
        for name, (content_type, body) in pages.items():
            path = f"/news/{DAY.year}/{DAY.month}/{DAY.day}/{name}"
            server.articles[path] = DAY
            server.documents[path] = (content_type, body, {})
        write_source(crawl_env.sources, server)
        result = crawl_env.load(crawl_env.crawl())
    assert result.counts.new == 4, result.summary()
    stored = bodies()
    assert sorted(stored) == sorted(pages)
    for name, body in stored.items():
        assert "für die Presse" in body and "Über die Brücke" in body, (name, body[:200])
        assert not any(sign in body for sign in MOJIBAKE), (name, body[:200])
    assert "– Ende" in stored["strayhyphen-2"] and "– Ende" in stored["straysaysutf8-3"]


def test_a_body_that_is_not_the_gzip_its_header_says_is_a_retried_failure(crawl_env: CrawlEnv) -> None:
    html = page("utf-8").encode()
    answers = {"fakegzip-1": html,  # Content-Encoding: gzip on a plain page
               "doublegzip-3": gzip.compress(gzip.compress(html))}  # compressed twice
    with FaultServer() as server:
        for name, body in answers.items():
            path = f"/news/{DAY.year}/{DAY.month}/{DAY.day}/{name}"
            server.articles[path] = DAY
            server.documents[path] = ("text/html; charset=utf-8", body, {"Content-Encoding": "gzip"})
        server.article("ok", DAY, "2")
        write_source(crawl_env.sources, server, max_error_rate=1.0)
        run_id = crawl_env.crawl()
        result = crawl_env.load(run_id)
    for name in answers:
        entry = ledger()[f"/news/2026/11/19/{name}"]
        assert entry["reason"] == "undecodable_body", name
        assert entry["gave_up_at"] is None and entry["next_retry_at"] is not None  # the server may mend it
    assert result.counts.new == 1 and result.rejected == {}  # neither reached extraction


@pytest.mark.parametrize("encoding", ["gbk", "shift_jis", "euc_kr", "big5", "cp1251", "koi8_r", "cp1256",
                                      "iso8859_7", "cp1252"])
def test_a_legacy_page_is_never_taken_for_utf8_with_stray_bytes(encoding: str) -> None:
    texts = {"gbk": "中华人民共和国国务院总理今天在北京会见了来访的外国代表团，双方就经济合作交换了意见。",
             "shift_jis": "日本政府は今日、東京で新しい経済政策を発表しました。専門家はその影響を分析しています。",
             "euc_kr": "대한민국 정부는 오늘 서울에서 새로운 경제 정책을 발표했습니다. 전문가들은 그 영향을 분석하고 있습니다.",
             "big5": "中華民國政府今天在台北宣布了新的經濟政策，專家正在分析其影響。",
             "cp1251": "Президент заявил журналистам, что переговоры продолжатся на следующей неделе в Москве.",
             "koi8_r": "Президент заявил журналистам, что переговоры продолжатся на следующей неделе в Москве.",
             "cp1256": "قال مسؤولون إن ثلاثة أشخاص قتلوا في غارة جوية على المدينة يوم الخميس",
             "iso8859_7": "Ο πρωθυπουργός δήλωσε σήμερα ότι η κυβέρνηση θα παρουσιάσει νέα μέτρα για την οικονομία.",
             "cp1252": "Le président a déclaré à la presse que l'été serait difficile. Où est la bibliothèque ? Ça va."}
    html = f"<html><head><title>t</title></head><body><p>{texts[encoding] * 5}</p></body></html>"
    label = {"cp1256": "windows-1256", "cp1251": "windows-1251", "cp1252": "windows-1252"}.get(encoding, encoding)
    assert decode_html(html.encode(encoding), f"text/html; charset={label}") == html
