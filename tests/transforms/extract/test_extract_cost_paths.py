"""The shortcuts that keep extraction cheap give the answers of the plain computations they replace."""

from __future__ import annotations

import lxml.html
import pytest

from transforms.extract.body import _norm_starts_with, merged_chunks
from transforms.extract.page import empty_document, parse_html, read_page, site_names
from transforms.extract.tree_rules import DEFAULT_PRUNE_XPATHS, pruned_tree
from transforms.normalize import word_key


def test_every_element_of_a_parsed_page_is_an_html_element_forms_included() -> None:
    tree = parse_html("<html><body><form><label>Name<input name=n></label><select><option>a</option></select>"
                      "<textarea>t</textarea></form><p>text</p></body></html>")
    assert tree is not None
    assert {type(e) for e in tree.iter()} == {lxml.html.HtmlElement}
    document = empty_document()
    document.find("body").append(lxml.html.fragment_fromstring("<form><input></form>"))
    assert type(document.find("body/form")) is lxml.html.HtmlElement
    assert tree.find(".//form").text_content() == "Nameat"


@pytest.mark.parametrize("raw", [
    "Storm hits the coast at dawn, officials say",
    "\n" + " \t" * 5000 + "Storm hits the coast at dawn, officials say more",
    "\n" + " \t" * 5000 + "Storms hit the coast",
    "STRASSE und Straße: Storm hits",
    "—— «Storm» hits the coast at dawn, officials say",
    "",
    " \n ",
    "Storm",
])
@pytest.mark.parametrize("prefix", ["storm hits the coast at dawn officials", "storm", "strasse und strasse", "st"])
def test_norm_starts_with_answers_as_normalizing_the_whole_text(raw: str, prefix: str) -> None:
    assert _norm_starts_with(raw, prefix) == word_key(raw).startswith(prefix)


def test_pruning_drops_in_the_copy_what_was_found_on_the_page() -> None:
    page = ('<html><body><div id="comments"><p>Comment</p></div>'
            '<article><p>Story text.</p><a href="/x"><h3>Teaser title</h3><p>Teaser.</p></a> tail'
            '<div class="social-wrap"><blockquote class="twitter-tweet">Post</blockquote></div></article>'
            '<form class="a comment-form"><p>Leave a reply</p></form></body></html>')
    tree = parse_html(page)
    assert tree is not None
    before = lxml.html.tostring(tree)
    pruned = pruned_tree(tree, (*DEFAULT_PRUNE_XPATHS, "//div[@id='absent']"))
    assert pruned is not tree and lxml.html.tostring(tree) == before  # the page itself is untouched
    text = pruned.text_content()
    assert "Story text." in text and "Post" in text and " tail" in text
    assert not any(gone in text for gone in ("Comment", "Teaser", "Leave a reply"))
    assert pruned.find(".//div[@class='social-wrap']") is None  # unwrapped, the post kept


def test_a_page_with_nothing_to_prune_is_not_copied() -> None:
    tree = parse_html("<html><body><article><p>Only the story.</p></article></body></html>")
    assert tree is not None and pruned_tree(tree, DEFAULT_PRUNE_XPATHS) is tree


def test_site_names_are_read_once_and_handed_out_as_copies() -> None:
    tree = parse_html('<html><head><meta property="og:site_name" content="Daily Example"></head><body></body></html>')
    assert tree is not None
    page = read_page(tree, "https://www.example.org/a")
    names = site_names(page)
    names.add("changed")
    assert site_names(page) == {"dailyexample", "example", "exampleorg"}


def test_chunks_are_merged_on_a_page_with_many_same_shaped_elements() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    cards = "".join(f'<div class="card"><p>Card {i} teaser text</p></div>' for i in range(30))
    page = (f'<html><body><article><div class="chunk"><p>First paragraph {words}.</p><p>Second paragraph {words}.</p></div>'
            f'<div class="ad">Ad</div><div class="chunk"><p>Third paragraph {words} more.</p></div></article>'
            f'<aside>{cards}</aside></body></html>')
    tree = parse_html(page)
    assert tree is not None
    merged = merged_chunks(tree, f"First paragraph {words}.\nSecond paragraph {words}.")
    assert merged is not None
    first = merged.find(".//div[@class='chunk']")
    assert "Third paragraph" in first.text_content() and len(merged.findall(".//div[@class='chunk']")) == 1
