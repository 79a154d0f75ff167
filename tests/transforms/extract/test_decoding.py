"""decode_html: the right text from bytes whatever the charset declarations say."""

from __future__ import annotations

import pytest

from tests.fixtures import FIXTURES as FIXTURES_ROOT
from transforms.extract.decoding import decode_html

FIXTURES = FIXTURES_ROOT / "extract"

ARABIC = "<html><head><title>مقتل ثلاثة أشخاص في غارة</title></head><body><p>قال مسؤولون إن ثلاثة أشخاص قتلوا في غارة جوية على المدينة يوم الخميس، بينما تستمر المحادثات.</p></body></html>"
FRENCH = "<html><body><p>Le président a déclaré à la presse que l'été serait difficile. « Nous sommes prêts », a-t-il ajouté. Où est la bibliothèque ? Ça va très bien. Élève, à côté.</p></body></html>"
RUSSIAN = "<p>Президент заявил журналистам, что переговоры продолжатся на следующей неделе в Москве.</p>"


@pytest.mark.parametrize(
    "content_type",
    [None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"],
    ids=["no-header", "no-charset", "wrong-utf8", "wrong-latin1"],
)
def test_windows_1256_decoded_whatever_the_header_says(content_type: str | None) -> None:
    assert decode_html(ARABIC.encode("cp1256"), content_type) == ARABIC


def test_windows_1256_fixture_has_no_replacement_characters() -> None:
    text = decode_html((FIXTURES / "windows1256_no_charset.html").read_bytes(), None)
    assert "\ufffd" not in text
    assert "افتتاح جسر جديد فوق النهر" in text


def test_http_charset_wins_over_meta_when_the_bytes_fit_it() -> None:
    page = '<meta charset="windows-1251">' + RUSSIAN
    assert decode_html(page.encode("koi8_r"), "text/html; charset=koi8-r") == page


def test_meta_charset_used_when_http_declares_none() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>' + RUSSIAN
    assert decode_html(page.encode("cp1251"), "text/html") == page


def test_latin1_label_means_windows_1252() -> None:
    # 0x93/0x94 are curly quotes in windows-1252 but C1 controls in ISO-8859-1.
    assert decode_html("“quoted” é".encode("cp1252"), "text/html; charset=ISO-8859-1") == "“quoted” é"


def test_cyrillic_declared_as_windows_1252_is_detected() -> None:
    assert decode_html(RUSSIAN.encode("cp1251"), "text/html; charset=windows-1252") == RUSSIAN


def test_undeclared_french_is_windows_1252_not_a_central_european_page() -> None:
    assert decode_html(FRENCH.encode("cp1252"), None) == FRENCH


def test_declared_french_windows_1252_kept() -> None:
    assert decode_html(FRENCH.encode("cp1252"), "text/html; charset=windows-1252") == FRENCH


def test_bom_wins_and_is_removed() -> None:
    assert decode_html("\ufeff<p>é</p>".encode("utf-8"), "text/html; charset=iso-8859-1") == "<p>é</p>"
    assert decode_html("<p>é</p>".encode("utf-16"), None) == "<p>é</p>"


def test_unknown_charset_label_falls_through_to_detection() -> None:
    assert decode_html("<p>café</p>".encode(), "text/html; charset=x-made-up") == "<p>café</p>"


def test_empty_body() -> None:
    assert decode_html(b"", "text/html") == ""
