"""The cheaper readings of an element's text give what reading its whole text gives."""

from __future__ import annotations

import lxml.etree
import lxml.html

from transforms.extract.text_reading import first_word, text_key, text_within
from transforms.normalize import word_key

PAGE = """<html><body>
<div class="menu">
    <ul>
        <li>    <a href="/a">Vereine</a>
            <ul>            <li><a href="/b">Turniere</a>       </li>  <li><span>Spiel</span><b>plan</b> heute</li></ul>
        </li>
        <li><!-- note --><i>(</i><em>Ranglisten</em>: alle</li>
        <li><span></span>  <span>Ärzte</span> und Ämter</li>
        <li>Straße<b>n</b>bahn fährt</li>
        <li>  <img src="x.png">   <span>  </span>Nachrichten  </li>
    </ul>
</div>
<h1>Die Saison beginnt</h1>
<p class="intro">Der erste Satz des Textes, länger als eine Zeile.</p>
<p>ΑΣ ΣΑΣ and İstanbul’s ﬁnest</p>
<div><p></p><br/>tail words</div>
</body></html>"""


def _elements() -> list[lxml.html.HtmlElement]:
    tree = lxml.html.document_fromstring(PAGE)
    return [e for e in tree.iter(lxml.etree.Element) if isinstance(e.tag, str)]


def _first_of_key(key: str) -> str | None:
    return key.split(" ", 1)[0] if key else None


def test_first_word_is_the_first_word_of_the_whole_text_of_each_element() -> None:
    for element in _elements():
        assert first_word(element) == _first_of_key(word_key(element.text_content())), lxml.html.tostring(element)


def test_first_word_skipping_blank_pieces_reads_the_pieces_that_are_not_all_whitespace() -> None:
    for element in _elements():
        joined = "".join(piece for piece in element.itertext() if piece.strip())
        assert first_word(element, skip_blank=True) == _first_of_key(word_key(joined)), lxml.html.tostring(element)


def test_text_key_is_the_word_key_of_a_text_full_of_markup_whitespace() -> None:
    for element in _elements():
        raw = element.text_content()
        assert text_key(raw) == word_key(raw)
    spaced = ("\n" + " " * 40) * 30 + "Menü\u00a0Eintrag" + " " * 600 + "Straße\u2003ΣΑΣ" + "\t" * 10
    assert len(spaced) > 512 and text_key(spaced) == word_key(spaced)


def test_text_within_gives_the_whole_text_up_to_the_limit_and_nothing_beyond() -> None:
    for element in _elements():
        raw = element.text_content()
        assert text_within(element, len(raw)) == raw
        assert text_within(element, len(raw) - 1) is None or raw == ""


def _opens(key: str, prefix: str) -> bool:
    word = _first_of_key(key)
    opening, space, _ = prefix.partition(" ")
    return word is not None and ((word == opening) if space else word.startswith(opening))


def test_may_open_with_turns_down_only_elements_whose_first_word_does_not_open_the_prefix() -> None:
    from transforms.extract.text_reading import may_open_with

    prefixes = ["vereine", "verein", "vereine turniere", "spielplan heute", "spiel", "ranglisten alle",
                "ärzte und", "straßenbahn fährt", "straße", "nachrichten", "die saison", "der erste satz",
                "ασ σας", "tail words", "t", "s", "n"]
    for element in _elements():
        plain = word_key(element.text_content())
        joined = word_key("".join(piece for piece in element.itertext() if piece.strip()))
        for prefix in prefixes:
            if _opens(plain, prefix):
                assert may_open_with(element, prefix), (prefix, lxml.html.tostring(element))
            if _opens(joined, prefix):
                assert may_open_with(element, prefix, skip_blank=True), (prefix, lxml.html.tostring(element))
            if not may_open_with(element, prefix):
                assert not plain.startswith(prefix)


def test_from_headline_finds_the_lines_above_the_headline_among_the_remembered_line_keys() -> None:
    from transforms.extract.body import from_headline
    from transforms.extract.page import parse_html
    from transforms.extract.tree_facts import remembering

    kicker = "Ein langer Vorspann über dem Titel, den die Seite vor der Überschrift zeigt."
    menu = "".join(f"<li>\n        <a href='/{i}'>Rubrik {i}</a>\n    </li>" for i in range(60))
    tree = parse_html(
        f"<html><body><nav><ul><li>Start<ul>{menu}</ul></li></ul></nav><div><p>{kicker}</p><p>Kurz</p>"
        "<h1>Der Titel</h1><p>Erster Satz des Textes.</p><p>Zweiter Satz des Textes.</p></div></body></html>"
    )
    assert tree is not None
    shown = f"{kicker}\nKurz\nDer Titel\nErster Satz des Textes.\nZweiter Satz des Textes."
    unseen = "Eine Zeile, die nirgends auf der Seite steht.\nDer Titel\nErster Satz des Textes."
    with remembering():
        assert from_headline(tree, shown) == "Erster Satz des Textes.\nZweiter Satz des Textes."
        assert from_headline(tree, unseen) == unseen
    assert from_headline(tree, shown) == "Erster Satz des Textes.\nZweiter Satz des Textes."
    assert from_headline(tree, "Der Titel\nErster Satz des Textes.") == "Erster Satz des Textes."
