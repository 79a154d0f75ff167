"""Body rules read from the page's shape: hover cards inside paragraphs, the page's other
<article>s, the publisher's own profile under a press release.

Pages are written here in the shapes sites use; none is copied from a real site.
"""

from __future__ import annotations

from tests.fixtures.harbour_story import SENTENCES, extracted
from transforms.extract.body import from_headline, own_article
from transforms.extract.line_rules import drop_furniture
from transforms.extract.page import parse_html
from transforms.extract.tree_rules import DEFAULT_PRUNE_XPATHS, pruned_tree, shape_furniture

URL = "https://news.example/2026/03/04/harbour-story"
TITLE = "Breakwater to be rebuilt"


def _hover_card(number: int, name: str) -> str:
    """A linked name with its hover card, as a CMS writes it into the sentence."""
    return (
        f'<span class="person"><a href="/people/{number}">{name}</a>'
        f'<span class="person-card"><span><img src="/img/{number}.jpg" alt="">'
        f'<a class="name" href="/people/{number}">{name} Maria</a>'
        f'<a href="/story/{number}1">Council votes on the new ferry timetable | Storm closes the pier</a> '
        f'<a href="/story/{number}2">Mayor opens the promenade after two years of works</a> '
        f'<a class="more" href="/people/{number}">MORE</a></span></span></span>'
    )


def test_hover_card_text_is_not_glued_into_the_sentence() -> None:
    html = (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f"<p>The harbour master {_hover_card(7, 'Anna Berg')} (Port Authority) said on Monday that the old"
        " breakwater would be rebuilt before the winter storms arrive.</p>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES[1:])
        + "</article></body></html>"
    )
    body = extracted(html, URL).body
    assert body.split("\n")[0] == (
        "The harbour master Anna Berg (Port Authority) said on Monday that the old breakwater would be"
        " rebuilt before the winter storms arrive."
    )
    assert "ferry timetable" not in body and "MORE" not in body and "Anna Berg Maria" not in body
    assert extracted(html, URL).body == body  # deterministic


def test_inline_images_in_running_text_are_not_hover_cards() -> None:
    tree = parse_html(
        "<html><body><p>The crews cheered <img class='emoji' src='/e/1.png' alt=':)'> when"
        " <a href='/a'>the council</a> and <a href='/b'>the navy</a> agreed.</p>"
        "<p><span><a href='/photo'><img src='/p.jpg'></a> Photo of the pier, by"
        " <a href='/x'>Jo</a> and <a href='/y'>Al</a>, taken at dawn from the lighthouse.</span></p>"
        "<div><span><img src='/i.jpg'><a href='/1'>One story here</a><a href='/2'>Two</a></span></div>"
        "</body></html>"
    )
    # The emoji sits in the paragraph itself; the captioned span is mostly its own words; the
    # last one is a link box, but not inside a paragraph (trafilatura judges those itself).
    assert shape_furniture(tree) == ([], [])


def _story_page(related: str) -> str:
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:3])
    return (
        f"<html><head><title>{TITLE}</title></head><body><main>"
        f'<article class="post"><h1>{TITLE}</h1>{story}</article>'
        f'<section><h3>You may also like</h3>{related}</section></main></body></html>'
    )


RELATED = "".join(
    f'<article class="post"><h2><a href="/post/{n}">Another story number {n}</a></h2>'
    f"<p>Teaser {n}: the lighthouse keeper of the northern island has kept a diary of every ship"
    f" that passed since he took the job, and this year he counted more ferries than ever before,"
    f" he wrote in a letter to the council that was read out at the meeting on Thursday night …</p>"
    "</article>"
    for n in range(1, 7)
)


def test_a_short_story_is_not_filled_up_with_the_pages_other_articles() -> None:
    body = extracted(_story_page(RELATED), URL).body
    assert body.split("\n") == SENTENCES[:3]


def test_own_article_needs_other_articles_beside_it() -> None:
    text = "\n".join(SENTENCES[:3])
    tree = parse_html(_story_page(RELATED))
    own = own_article(tree, text)
    assert own is not None and own.find("h1") is not None
    # One <article> on the page (or none): the whole page is read as before.
    assert own_article(parse_html(_story_page("")), text) is None
    # The paragraphs' <article> without the page's headline is not taken for the story's.
    teaser = parse_html(_story_page(RELATED).replace(f"<h1>{TITLE}</h1>", "").replace("<main>", f"<main><h1>{TITLE}</h1>"))
    assert own_article(teaser, text) is None
    # Paragraphs spread over two <article>s: no single one is the story's.
    split = parse_html(
        f"<html><body><article><p>{SENTENCES[0]}</p></article><article><p>{SENTENCES[1]}</p></article></body></html>"
    )
    assert own_article(split, "\n".join(SENTENCES[:2])) is None


STORY = [SENTENCES[0], SENTENCES[1]]


def test_the_publishers_profile_under_a_press_release_goes() -> None:
    profile = [
        "About Acme",
        "Acme is a leading provider of harbour cranes and port software, with customers in 40 countries.",
        "Acme is headquartered in Rotterdam and employs around 2,000 people worldwide.",
    ]
    assert drop_furniture([*STORY, *profile], TITLE, (), {"acme"}) == STORY
    assert drop_furniture([*STORY, *profile[1:]], TITLE, (), {"acme"}) == STORY
    # "Acme Corp., founded in 1921, ..." names the site by its longer name.
    founded = "Acme Corp., founded in 1921, builds cranes for ports on four continents."
    assert drop_furniture([*STORY, founded], TITLE, (), {"acmecorp"}) == STORY


def test_other_lines_naming_the_site_or_another_company_stay() -> None:
    closing = "Acme has asked the harbour authority for a comment on the delay and is awaiting a reply."
    other = "Globex is a leading supplier of dredgers and was not part of the tender."
    assert drop_furniture([*STORY, closing], TITLE, (), {"acme"}) == [*STORY, closing]
    assert drop_furniture([*STORY, other], TITLE, (), {"acme"}) == [*STORY, other]
    # The profile shape in the middle of the story is the story's.
    middle = "Acme is a leading provider of harbour cranes, the mayor said."
    assert drop_furniture([SENTENCES[0], middle, SENTENCES[1]], TITLE, (), {"acme"}) == [
        SENTENCES[0], middle, SENTENCES[1]
    ]
    # Without site names nothing is looked for.
    assert drop_furniture([*STORY, "Acme is a leading provider of harbour cranes."], TITLE, ()) == [
        *STORY, "Acme is a leading provider of harbour cranes."
    ]


def _page_with_guide_cards(story: str) -> str:
    """A story set as text between <br>s, beside a column of guide cards whose excerpts are
    paragraphs inside links."""
    cards = "".join(
        f'<li><a href="/guide/{n}"><img src="/g{n}.jpg"></a><div class="text"><a href="/guide/{n}">Guide {n}</a>'
        f'<a href="/guide/{n}"><p>Guide {n} explains how the tide tables are read, why the moon matters'
        " to the harbour and when the ferries can leave safely.</p></a></div></li>"
        for n in range(1, 4)
    )
    return (
        f"<html><head><title>{TITLE}</title></head><body><div id='content'><div class='article'>"
        f"<h1>{TITLE}</h1><div class='byline'>by Jo Smith</div><div class='content'>{story}</div></div>"
        f"<div id='right'><h3>Guides</h3><ul>{cards}</ul></div></div></body></html>"
    )


def test_teaser_card_excerpts_inside_links_are_not_story_text() -> None:
    body = extracted(_page_with_guide_cards("<br> <br>".join(SENTENCES)), URL).body
    assert body.split("\n") == SENTENCES


def test_a_named_anchor_around_a_paragraph_keeps_it() -> None:
    # An <a> without href is a jump target, not a link: the paragraph in it is the story's.
    story = "".join(f"<p>{s}</p>" for s in SENTENCES[:2]) + f'<a name="part2"><p>{SENTENCES[2]}</p></a>'
    story += "".join(f"<p>{s}</p>" for s in SENTENCES[3:])
    assert extracted(_page_with_guide_cards(story), URL).body.split("\n") == SENTENCES


def test_lines_shown_above_the_headline_are_cut_from_the_text() -> None:
    tree = parse_html(
        '<html><body><div class="feature"><h2>Ferry season opens</h2></div>'
        f"<h1>{TITLE}</h1>" + "".join(f"<p>{s}</p>" for s in SENTENCES[:3]) + "</body></html>"
    )
    text = "\n".join(["Ferry season opens", TITLE, *SENTENCES[:3]])
    assert from_headline(tree, text).split("\n") == SENTENCES[:3]
    # The <h1> as the first line goes (the headline as shown; the metadata's may differ).
    assert from_headline(tree, "\n".join([TITLE, *SENTENCES[:3]])).split("\n") == SENTENCES[:3]
    # The headline again below the story's first paragraph (a video's caption) cuts nothing:
    # the paragraph stands after the <h1> in the page.
    below = "\n".join([SENTENCES[0], TITLE, *SENTENCES[1:3]])
    assert from_headline(tree, below) == below
    # A later <h1> used as a subheading inside the story cuts nothing above it.
    sub = parse_html(
        f"<html><body><h1>{TITLE}</h1><p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p><h1>Who pays</h1>"
        f"<p>{SENTENCES[2]}</p></body></html>"
    )
    story = "\n".join([SENTENCES[0], SENTENCES[1], "Who pays", SENTENCES[2]])
    assert from_headline(sub, story) == story
    # A line found nowhere in the page above the <h1> is not cut either.
    unknown = "\n".join(["A line the page does not show above the headline at all", TITLE, SENTENCES[0]])
    assert from_headline(tree, unknown) == unknown


def test_a_box_ending_with_a_newsletter_sign_up_is_dropped_anywhere() -> None:
    promo = (
        "Start your morning with the Harbour Brief, brought to you by Coastal Weekly. Coastal Weekly is"
        " the favourite read of harbour pilots. Sign up for the free daily newsletter."
    )
    assert drop_furniture([promo, *STORY, SENTENCES[2]], TITLE, ()) == [*STORY, SENTENCES[2]]


def test_a_story_reporting_on_newsletters_is_kept() -> None:
    lines = [
        SENTENCES[0],
        "The council said residents could sign up for its newsletter at the town hall, and 300 already have.",
        "Subscribers to the harbour newsletter were told of the closure a day before the public.",
        SENTENCES[1],
    ]
    assert drop_furniture(lines, TITLE, ()) == lines


def test_teaser_card_titles_and_excerpts_inside_links_are_pruned() -> None:
    tree = parse_html(
        "<html><body><section><h3>Harbour festival</h3>"
        '<article class="promo"><a href="/story/1"><img src="/p1.jpg"><h3>Lighthouse keeper counts ferries</h3>'
        "<p>He has kept a diary of every ship since he took the job.</p></a></article></section>"
        f"<div class='story'><h1>{TITLE}</h1><h2>Works start in May</h2>"
        f'<p>{SENTENCES[0]} <a href="/council">The council</a> agreed.</p>'
        f'<a name="part2"><h2>Who pays</h2><p>{SENTENCES[1]}</p></a></div></body></html>'
    )
    text = pruned_tree(tree, DEFAULT_PRUNE_XPATHS).text_content()
    assert "Lighthouse keeper" not in text and "diary" not in text
    # Headings and paragraphs that are not inside a link stay, and so does a named anchor's.
    for kept in ("Harbour festival", TITLE, "Works start in May", "The council agreed", "Who pays", SENTENCES[1]):
        assert kept in text


TWEET = "The new breakwater plans look great, can't wait to see the harbour safe again this winter"


def _page_with_embedded_post(wrapper_class: str) -> str:
    post = (
        f'<div class="{wrapper_class}"><blockquote class="twitter-tweet"><p lang="en">{TWEET}</p>'
        '— Harbour Fan (@harbourfan) <a href="https://social.example/harbourfan/status/1">March 4, 2026</a>'
        "</blockquote></div>"
    )
    paragraphs = [f"<p>{s}</p>" for s in SENTENCES]
    return (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f'<div class="entry-content">{"".join(paragraphs[:3])}{post}{"".join(paragraphs[3:])}</div>'
        '<div class="social-share"><a href="/share">Share</a></div></article></body></html>'
    )


def test_an_embedded_post_in_a_social_classed_wrapper_stays_in_place() -> None:
    lines = extracted(_page_with_embedded_post("social-media-embed"), URL).body.split("\n")
    assert lines[:3] == SENTENCES[:3] and lines[-3:] == SENTENCES[3:]
    assert TWEET in lines[3]
    # The same post in a wrapper of another name comes out the same way.
    plain = extracted(_page_with_embedded_post("media-box"), URL).body.split("\n")
    assert plain == lines
