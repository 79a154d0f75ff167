"""URL keys, text cleaning, word counts and content hashes."""

from __future__ import annotations

import pytest

from common.urls import is_tracking_param, normalize_url
from transforms.normalize import clean_text, content_hash, remove_control_chars, word_count

AJ = "https://www.aljazeera.com/news/2026/6/11/slug"


@pytest.mark.parametrize(
    "raw",
    [
        AJ,
        AJ + "?traffic_source=rss",
        "HTTPS://WWW.AlJazeera.COM/news/2026/6/11/slug",
        "https://www.aljazeera.com:443/news/2026/6/11/slug",
        AJ + "#comments",
        AJ + "?utm_source=x&UTM_Medium=y&utm_campaign=z",
        AJ + "?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&cmpid=6&at_medium=7&at_campaign=8",
        "  " + AJ + "\n",
        "https://user:secret@www.aljazeera.com/news/2026/6/11/slug",
    ],
)
def test_variants_of_one_article_share_a_key(raw: str) -> None:
    assert normalize_url(raw) == AJ


def test_content_params_kept_and_sorted() -> None:
    assert normalize_url("https://e.com/a?page=2&id=9&utm_source=x") == "https://e.com/a?id=9&page=2"


def test_path_case_and_non_default_port_kept() -> None:
    assert normalize_url("http://E.com:8080/News/A") == "http://e.com:8080/News/A"


def test_http_default_port_dropped() -> None:
    assert normalize_url("http://e.com:80/a") == "http://e.com/a"


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTP://Example.COM:80/a b/c?q=caf%C3%A9&s=a+b&utm_term=x#f")
    assert normalize_url(once) == once
    assert " " not in once


def test_relative_or_garbage_url_returned_trimmed_not_raised() -> None:
    assert normalize_url(" not a url ") == "not a url"
    assert normalize_url("http://[bad") == "http://[bad"


def test_tracking_param_recognition() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("Traffic_Source")
    assert not is_tracking_param("id")
    assert not is_tracking_param("page")


def test_clean_text_removes_controls_surrogates_and_nul() -> None:
    assert clean_text("a\x00b\x07c\x85d\ud800e\x1bf") == "abcdef"


def test_clean_text_drops_soft_hyphens_and_inline_byte_order_marks() -> None:
    assert clean_text("Deutsch\u00adland steht an der Seite des Welt\u00adernährungs\u00adprogramms") == (
        "Deutschland steht an der Seite des Welternährungsprogramms")
    assert clean_text("a\ufeffb - c") == "ab - c"  # a real hyphen stays


def test_clean_text_nfc() -> None:
    assert clean_text("e\u0301") == "\u00e9"


def test_clean_text_spaces_lines_and_blank_lines() -> None:
    raw = "  one\u00a0\u00a0 two \t three  \r\n\r\n\r\n\n  four  \n\n"
    assert clean_text(raw) == "one two three\n\nfour"


def test_clean_text_keeps_single_newlines_between_paragraphs() -> None:
    assert clean_text("para one\npara two") == "para one\npara two"


def test_remove_control_chars_keeps_markup_whitespace() -> None:
    assert remove_control_chars("<p>\ta\r\nb\x00</p>") == "<p>\ta\nb</p>"


def test_word_count() -> None:
    assert word_count("Hello, world! It's 2026.") == 5
    assert word_count("") == 0
    assert word_count("新华社北京电 ok") == 7  # each of the 6 CJK characters is a word


def test_content_hash_is_stable_and_sensitive_to_every_field() -> None:
    base = content_hash("T", "D", "B", ("A",))
    assert base == content_hash("T", "D", "B", ["A"])
    assert len(base) == 64 and int(base, 16) >= 0
    variants = [
        content_hash("T2", "D", "B", ("A",)),
        content_hash("T", "D2", "B", ("A",)),
        content_hash("T", None, "B", ("A",)),
        content_hash("T", "D", "B2", ("A",)),
        content_hash("T", "D", "B", ("A", "C")),
        content_hash("T", "D", "B", ()),
    ]
    assert base not in variants and len(set(variants)) == len(variants)


def test_content_hash_fields_cannot_bleed_into_each_other() -> None:
    assert content_hash("ab", "c", "", ()) != content_hash("a", "bc", "", ())
    assert content_hash("t", None, "b", ("A, B",)) != content_hash("t", None, "b", ("A", "B"))



@pytest.mark.parametrize(
    "text",
    ["Der Hafen öffnet um 9 Uhr.", "ÉTÉ 2024 – l'été", "東京都 2024 港", "word " * 1000, "Straße " * 2000],
)
def test_word_key_remembers_line_sized_texts_only_and_reads_both_alike(text: str) -> None:
    from transforms.normalize import WORD_KEY_CACHED_MAX_CHARS, WORD_RE, _remembered_word_key, word_key

    expected = " ".join(w.casefold() for w in WORD_RE.findall(text))
    assert word_key(text) == expected
    hits = _remembered_word_key.cache_info().hits
    assert word_key(text) == expected
    remembered = _remembered_word_key.cache_info().hits == hits + 1
    assert remembered == (len(text) <= WORD_KEY_CACHED_MAX_CHARS)


@pytest.mark.parametrize("text", ["Der Hafen öffnet um 9 Uhr.", "東京都 2024 港", "word " * 300_000])
def test_word_count_remembers_texts_up_to_its_limit_and_counts_both_alike(text: str) -> None:
    from transforms.normalize import WORD_COUNT_CACHED_MAX_CHARS, _remembered_word_count

    expected = {"Der Hafen öffnet um 9 Uhr.": 6, "東京都 2024 港": 5}.get(text, 300_000)
    assert word_count(text) == expected
    hits = _remembered_word_count.cache_info().hits
    assert word_count(text) == expected
    remembered = _remembered_word_count.cache_info().hits == hits + 1
    assert remembered == (len(text) <= WORD_COUNT_CACHED_MAX_CHARS)
