"""The shortcuts that keep extraction cheap give the answers of the plain computations they replace."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

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


# --- trafilatura's metadata guesses, read for the fields the pipeline uses ---------------------

_METADATA_PAGES = {
    "meta tags": (
        '<html><head><title>Harbour wall to be rebuilt | Coast Post</title>'
        '<meta property="og:title" content="Harbour wall to be rebuilt">'
        '<meta name="description" content="The council votes on the breakwater.">'
        '<meta property="og:image" content="https://coast.example/img/wall.jpg">'
        '<meta name="author" content="Jane Doe"><link rel="canonical" href="https://coast.example/wall">'
        '</head><body><article><h1>Harbour wall to be rebuilt</h1><p>Published 3 March 2024.</p>'
        '<p>The council voted on Tuesday to rebuild the harbour wall before the winter storms.</p>'
        '</article></body></html>'
    ),
    "json-ld": (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "headline": "Ferry timetable changes", "datePublished": "2024-03-04T08:00:00+01:00", '
        '"author": {"@type": "Person", "name": "Max Muster"}, "image": "https://coast.example/ferry.jpg"}'
        '</script></head><body><h1>Ferry timetable changes</h1><p>The ferry leaves an hour earlier '
        'from Monday, the operator said in a statement.</p></body></html>'
    ),
    "no structured data": (
        '<html><head><title>Storm night - Island Blog</title></head><body><nav><a href="/">Home</a></nav>'
        '<h1>Storm night</h1><p class="byline">By Anna Berg</p><p>Posted on 12.02.2023</p>'
        '<p>The wind rose after midnight and the lights went out across the island for three hours.</p>'
        '</body></html>'
    ),
    "one-word author, relative canonical": (
        '<html><head><meta name="author" content="newsdesk"><link rel="canonical" href="/news/lighthouse">'
        '<meta property="og:url" content="https://lighthouse.example/news/lighthouse"></head>'
        '<body><h2>Lighthouse reopens</h2><span class="author">Per Olsen</span>'
        '<p>The lighthouse reopens to visitors after two years of repairs, the foundation said.</p></body></html>'
    ),
}


@pytest.mark.parametrize("with_date", [True, False])
@pytest.mark.parametrize("name", sorted(_METADATA_PAGES))
def test_guessed_metadata_is_what_trafilaturas_metadata_pass_finds(name: str, with_date: bool) -> None:
    from trafilatura.metadata import extract_metadata

    from transforms.extract.trafilatura_metadata import GUESSED_FIELDS, guessed_metadata

    tree = parse_html(_METADATA_PAGES[name])
    assert tree is not None
    params = {"original_date": True, "extensive_search": with_date, "max_date": "2024-06-01"}
    url = "https://coast.example/news/page"
    ours = guessed_metadata(tree, url, params, with_date=with_date)
    theirs = extract_metadata(copy.deepcopy(tree), url, params)
    for field in GUESSED_FIELDS:
        expected = getattr(theirs, field) if field != "date" or with_date else None
        assert getattr(ours, field) == expected, field
    assert ours.title and ours.sitename is None and ours.categories is None  # never searched for


def test_the_main_run_reads_the_date_only_where_the_page_leaves_it_to_search() -> None:
    from transforms.extract.body import _trafilatura_document

    html = _METADATA_PAGES["no structured data"]
    tree = parse_html(html)
    assert tree is not None
    page = read_page(tree, "https://island.example/storm")
    fetched = datetime(2024, 6, 1, tzinfo=UTC)
    searched = _trafilatura_document(tree, page, fetched, favor_precision=True, with_metadata=True, search_dates=True)
    unsearched = _trafilatura_document(tree, page, fetched, favor_precision=True, with_metadata=True)
    assert searched.date == "2023-02-12" and unsearched.date is None
    assert searched.text == unsearched.text and searched.title == unsearched.title == "Storm night"
    assert searched.author == unsearched.author == "Anna Berg"


# --- facts read once per tree while the body is read ------------------------------------------


def test_line_elements_are_read_once_per_tree_inside_the_block_and_afresh_outside() -> None:
    from transforms.extract.body import _elements_holding_lines
    from transforms.extract.tree_facts import remembered, remembering

    words = " ".join(f"word{i}" for i in range(12))
    tree = parse_html(f"<html><body><div><p>First {words}.</p><p>Second {words}.</p><p>Short.</p></div></body></html>")
    assert tree is not None
    calls: list[int] = []

    def counted(element: lxml.html.HtmlElement) -> int:
        calls.append(1)
        return len(calls)

    with remembering():
        assert remembered(tree, "count", counted) == remembered(tree, "count", counted) == 1
        first = _elements_holding_lines(tree, f"First {words}.")
        second = _elements_holding_lines(tree, f"Second {words}.\nFirst {words}.")
    assert [e.text for e in first] == [f"First {words}."]
    assert [e.text for e in second] == [f"First {words}.", f"Second {words}."]  # page order
    assert remembered(tree, "count", counted) == 2  # outside the block: computed again
    tree.find(".//p").text = f"Changed {words}."
    assert _elements_holding_lines(tree, f"Changed {words}.")  # a changed tree is read again


def test_the_rendered_text_is_the_text_outside_scripts_styles_and_templates_in_page_order() -> None:
    from transforms.extract.body import rendered_text

    html = ("<html><body>Lead <b>bold<script>var a = 'x';</script> tail</b><style>p {}</style>after style"
            "<template><p>hidden</p></template> after template<div>block <span>inline</span> end</div>"
            "</body></html>")
    tree = parse_html(html)
    assert tree is not None
    body = tree.find("body")
    by_xpath = "".join(body.xpath(".//text()[not(ancestor::script or ancestor::style or ancestor::template)]"))
    assert rendered_text(body) == by_xpath == "Lead bold tailafter style after templateblock inline end"
    assert lxml.html.tostring(tree).count(b"<script>") == 1  # the page itself keeps its script
    plain = parse_html("<html><body><p>Only <i>text</i></p></body></html>")
    assert plain is not None and rendered_text(plain.find("body")) == "Only text"


def test_linked_list_items_are_the_same_when_read_at_the_first_question() -> None:
    from transforms.extract.page import LinkedListItems, _linked_list_items

    tree = parse_html('<html><body><ul><li><a href="/a">Harbour wall to be rebuilt</a></li>'
                      '<li>Ferry times <a href="/f">change</a> from Monday on the island</li>'
                      '<li><a href="/b">Storm</a> night</li><li>No link at all</li></ul></body></html>')
    assert tree is not None
    lazy = LinkedListItems(tree)
    expected = _linked_list_items(tree)
    assert expected == {"harbour wall to be rebuilt", "storm night"}
    for key in ("harbour wall to be rebuilt", "storm night", "no link at all", "ferry times change from monday on the island"):
        assert (key in lazy) == (key in expected)


# --- the safety net's walk and the call-to-action boxes --------------------------------------


@pytest.mark.parametrize("inside", ["nav", "aside", "footer", "form"])
def test_paragraphs_in_regions_outside_the_story_do_not_make_the_body_look_short(inside: str) -> None:
    from transforms.extract.safety_net import looks_short

    words = " ".join(f"word{i}" for i in range(60))
    story = "".join(f"<p>Story {i} {words}.</p>" for i in range(2))
    furniture = "".join(f"<div><p>Teaser {i} {words}.</p><ul><li>Item {words}</li></ul></div>" for i in range(8))
    body = "\n".join(f"Story {i} {words}." for i in range(2))
    tree = parse_html(f"<html><body><article>{story}</article><{inside}>{furniture}</{inside}></body></html>")
    assert tree is not None and not looks_short(tree, body)
    outside = parse_html(f"<html><body><article>{story}{furniture}</article></body></html>")
    assert outside is not None and looks_short(outside, body)


def test_call_to_action_boxes_inside_a_box_found_are_not_boxes_of_their_own() -> None:
    from transforms.extract.body import _call_to_action_boxes

    boxes = "".join(
        f'<div class="promo-box"><div class="promo-inner"><p>Get the newsletter {i}</p>'
        f'<a href="/signup">Sign up</a></div></div>' for i in range(30)
    )
    tree = parse_html(f"<html><body><article><p>Story.</p>{boxes}</article></body></html>")
    assert tree is not None
    found = _call_to_action_boxes(tree)
    assert len(found) == 30 and all(box.get("class") == "promo-box" for box in found)


@pytest.mark.parametrize("name", ["Börsen-Zeitung", "@DailyExample", "Café Crème · Magazin", "", "ΣΟΦΊΑ news"])
def test_compacted_names_are_kept_and_the_same_as_compacted_afresh(name: str) -> None:
    from transforms.extract.page import compact

    assert compact(name) == compact(name) == compact.__wrapped__(name)
    assert compact("Börsen-Zeitung") == "boersenzeitung" and compact("@DailyExample") == "dailyexample"


def test_a_long_standfirst_is_found_shown_or_not_as_by_normalizing_the_whole_text() -> None:
    from transforms.extract.body import _renders, rendered_text

    words = [f"Wort{i}" for i in range(120)]
    shown = parse_html(f"<html><body><p>{' '.join(words)}</p><script>var x = 'Fehlt';</script></body></html>")
    assert shown is not None
    body = shown.find("body")
    stem = word_key(" ".join(words[:100]))
    assert _renders(body, stem) and stem in word_key(rendered_text(body))
    missing = word_key(" ".join([*words[:50], "Fehlt", *words[50:100]]))  # only the script says it
    assert not _renders(body, missing) and missing not in word_key(rendered_text(body))
    reordered = word_key(" ".join(reversed(words[:100])))  # every word shown, not in this order
    assert not _renders(body, reordered)


def test_chunks_in_a_footer_are_never_merged_however_many_alike() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    footer_rows = "".join(f'<div class="row"><p>Footer row {i} {words}.</p></div>' for i in range(20))
    page = (f'<html><body><article><div class="row"><p>First paragraph {words}.</p><p>Second paragraph {words}.</p>'
            f'</div><div class="row"><p>Third paragraph {words} more.</p></div>'
            f'<div id="footerWrap">{footer_rows}</div></article></body></html>')
    tree = parse_html(page)
    assert tree is not None
    merged = merged_chunks(tree, f"First paragraph {words}.\nSecond paragraph {words}.")
    assert merged is not None
    first = merged.find(".//div[@class='row']")
    assert "Third paragraph" in first.text_content() and "Footer row" not in first.text_content()
