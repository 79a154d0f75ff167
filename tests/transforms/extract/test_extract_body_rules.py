"""Body rules on hand-written pages: paragraphs precision mode drops inside the article.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

from tests.fixtures.harbour_story import SENTENCES, extracted
from transforms.article import Article
from transforms.extract.body import (
    article_container,
    interior_lines,
    is_sentence,
    merged_chunks,
    with_trailing_lines,
)
from transforms.extract.line_rules import body_lines, drop_furniture, drop_link_lists
from transforms.extract.page import parse_html

URL = "https://news.example/2026/03/04/harbour-story"


def article(html: str) -> Article:
    return extracted(html, URL)


# --- interior lines ----------------------------------------------------------------------------


def test_interior_sentences_come_back_between_kept_lines_only() -> None:
    precise = "\n".join([SENTENCES[0], SENTENCES[1], SENTENCES[3]])
    recalled = "\n".join([
        "Sign up for our morning newsletter and never miss a story from the harbour again.",  # before: stays out
        SENTENCES[0],
        SENTENCES[1],
        "It also asked the navy to survey the channel again before the ferries return.",  # between: back
        "Harbour works to start in May",  # between but a related-story headline: stays out
        "- The breakwater was built in 1911",  # a list item: stays out
        SENTENCES[3],
        "The reporter has covered the coast for twenty years and lives in the old town.",  # after: stays out
    ])
    assert interior_lines(precise, recalled).split("\n") == [
        SENTENCES[0],
        SENTENCES[1],
        "It also asked the navy to survey the channel again before the ferries return.",
        SENTENCES[3],
    ]


def test_interior_lines_untouched_when_the_wider_run_disagrees() -> None:
    precise = "\n".join(SENTENCES[:4])
    recalled = "\n".join([SENTENCES[0], "Something else entirely was written on this page today, it said."])
    assert interior_lines(precise, recalled) == precise


def test_interior_lines_never_drop_a_line_precision_kept() -> None:
    # A subheading precision kept that the wider run leaves out still stands in its place.
    story = [f"Paragraph {n} of the story says the breakwater will be rebuilt before winter." for n in range(24)]
    precise = "\n".join([*story[:10], "Waves of repairs", *story[10:]])
    back = "It also asked the navy to survey the channel again before the ferries return."
    recalled = "\n".join([*story[:12], back, *story[12:]])
    assert interior_lines(precise, recalled).split("\n") == [*story[:10], "Waves of repairs", *story[10:12], back, *story[12:]]


def test_article_container_is_the_innermost_element_holding_the_returned_paragraphs() -> None:
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    tree = parse_html(
        '<html><body><div class="page"><nav><p>Home and all the sections of this news site today</p></nav>'
        f'<article><div class="story"><h1>Breakwater</h1><div class="text">{paragraphs}</div></div></article>'
        "</div></body></html>"
    )
    container = article_container(tree, "\n".join(SENTENCES[1:5]))
    assert container is not None and container.get("class") == "text"
    # Paragraphs that only <body> holds together say nothing about where the article is.
    split = parse_html(f"<html><body><div><p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p></div>"
                       f"<div><p>{SENTENCES[2]}</p></div></body></html>")
    assert article_container(split, "\n".join(SENTENCES[:3])) is None


def test_sentence_shape() -> None:
    assert is_sentence("In 2008, the alliance said that the country could eventually join.")
    assert is_sentence('He said: "We will rebuild the whole breakwater before winter."')
    assert not is_sentence("CLICK HERE TO GET THE NEWS APP ON YOUR PHONE TODAY.")
    assert not is_sentence("Harbour works to start in May")
    assert not is_sentence("Short one.")


def test_link_heavy_paragraph_inside_the_story_is_kept_end_to_end() -> None:
    # Each paragraph in its own text-block wrapper; one is mostly a reference link, and
    # precision mode drops it for link density though it is a sentence of the story.
    def block(paragraph: str) -> str:
        return f'<div class="text-block"><div class="text-block__inner">{paragraph}</div></div>'

    linked = (
        '<p>The board also <a href="https://harbour-board.example/reports/2026">co-ordinates repair plans '
        "and carries out joint safety exercises</a> along the northern basin every spring.</p>"
    )
    # Long enough that trafilatura's own extraction wins over its fallback extractors.
    before = "".join(block(f"<p>{s}</p>") for s in SENTENCES * 2)
    after = "".join(block(f"<p>{s}</p>") for s in reversed(SENTENCES * 2))
    body = before + block(linked) + after
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breakwater to be rebuilt</title>'
        '<meta property="og:type" content="article"></head><body>'
        '<nav><a href="/">Home</a> <a href="/news">News</a></nav>'
        f"<main><article><h1>Breakwater to be rebuilt</h1>{body}"
        "</article></main>"
        '<aside><a href="/other">Harbour works to start in May</a></aside></body></html>'
    )
    lines = article(html).body.split("\n")
    KEPT = (
        "The board also co-ordinates repair plans and carries out joint safety exercises"
        " along the northern basin every spring."
    )
    assert KEPT in lines
    assert lines.index(KEPT) == 2 * len(SENTENCES)
    assert "Harbour works to start in May" not in lines


# --- lists of links to other pages ---------------------------------------------------------------


def test_link_list_dropped_fact_list_kept() -> None:
    lines = [
        SENTENCES[0],
        "- The breakwater is 400 metres long",
        "- It was built in 1911",
        SENTENCES[1],
        "- Storm closes the ferry port for a week",
        "- Fishing quotas cut for a third year",
    ]
    linked = frozenset({"storm closes the ferry port for a week", "fishing quotas cut for a third year"})
    assert drop_link_lists(lines, linked) == lines[:4]


def test_a_single_linked_item_is_kept() -> None:
    lines = [SENTENCES[0], "- Read the full survey report", SENTENCES[1]]
    assert drop_link_lists(lines, frozenset({"read the full survey report"})) == lines


def test_related_stories_list_leaves_the_body_end_to_end() -> None:
    story = "".join(f"<p>{s}</p>" for s in SENTENCES * 2)
    facts = "<ul><li>The breakwater is 400 metres long and protects the inner basin.</li>" \
            "<li>It was built in 1911 and last repaired in 1987.</li></ul>"
    related = (
        "<ul><li>Storm <a href='/2026/03/01/storm-port'>closes the ferry port for a week</a></li>"
        "<li>Fishing quotas <a href='/2026/02/20/quotas'>cut for a third year</a></li>"
        "<li>Why the <a href='/2026/02/11/seafront'>seafront keeps flooding</a></li></ul>"
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breakwater to be rebuilt</title>'
        '<meta property="og:type" content="article"></head><body>'
        f"<main><article><h1>Breakwater to be rebuilt</h1>{story}{facts}"
        f"<p>The council will decide on the contract in April, the mayor said.</p>{related}</article></main>"
        "</body></html>"
    )
    body = article(html).body
    assert "The breakwater is 400 metres long and protects the inner basin." in body
    assert "Storm closes the ferry port for a week" not in body
    assert "seafront keeps flooding" not in body


# --- chunks wrapped twice ---------------------------------------------------------------------------


def wrapped_chunks_page() -> str:
    # Each chunk is a body container ("articleBody", which trafilatura reads) inside layout
    # wrappers that repeat between ad slots and a paywall boundary; the body containers are
    # too far apart to be matched as chunks themselves, their wrappers are not.
    def chunk(prefix: str) -> str:
        paragraphs = "".join(f"<p>{prefix} {s}</p>" for s in SENTENCES * 2)
        return (
            '<div class="row"><div class="col"><div class="article--content">'
            f'<div class="body articleBody">{paragraphs}</div></div></div></div>'
        )

    ad = '<div class="ad-slot"><span>Advertisement</span></div>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breakwater to be rebuilt</title>'
        '<meta property="og:type" content="article"></head><body><div class="page"><div class="paywall-wrapper">'
        f"<h1>Breakwater to be rebuilt</h1>{chunk('First part.')}{ad}{chunk('Second part.')}{ad}"
        f"{chunk('Third part.')}</div></div></body></html>"
    )


def test_wrapped_chunks_are_merged_into_the_body_container() -> None:
    tree = parse_html(wrapped_chunks_page())
    first_run = "\n".join(f"First part. {s}" for s in SENTENCES * 2)  # what trafilatura returns
    merged = merged_chunks(tree, first_run)
    assert merged is not None
    bodies = merged.xpath("//div[@class='body articleBody']")
    # One body container holds every chunk's paragraphs, in order; trafilatura reads only the
    # first container of a run of siblings, so a sibling left beside it would be lost.
    assert len(bodies) == 1
    text = bodies[0].text_content()
    assert text.index("First part.") < text.index("Second part.") < text.index("Third part.")
    assert "Advertisement" not in text


def test_wrapped_chunks_are_read_whole_end_to_end() -> None:
    body = article(wrapped_chunks_page()).body
    for part in ("First part.", "Second part.", "Third part."):
        assert part in body
    assert body.index("First part.") < body.index("Second part.") < body.index("Third part.")
    assert "Advertisement" not in body


# --- bylines at the top --------------------------------------------------------------------------


def test_byline_below_top_furniture_is_dropped() -> None:
    lines = [
        "Breakwater to be rebuilt | Harbour News",  # the headline again
        "Breakwater to be rebuilt",
        "Updated: 04.03.2026, 06:00",  # a dateline
        "Video 02:57 min. Available until 06.05.2026.",  # a video teaser's dateline
        SENTENCES[0],
        "By Nina Muster and Jon Roe",  # names the metadata does not give
        SENTENCES[1],
    ]
    assert drop_furniture(lines, "Breakwater to be rebuilt", ()) == [SENTENCES[0], SENTENCES[1]]


def test_sentences_opening_with_by_are_not_bylines() -> None:
    lines = [
        "By Monday the crews had moved their boats to the northern basin.",
        "Von Anfang an war klar: Der Hafen braucht eine neue Mole",
        SENTENCES[0],
    ]
    assert drop_furniture(lines, "Breakwater to be rebuilt", ()) == lines


# --- consent placeholders and comment-widget prompts ------------------------------------------------


def test_consent_placeholder_lines_are_dropped() -> None:
    lines = [
        SENTENCES[0],
        "Empfohlener redaktioneller Inhalt",
        "An dieser Stelle finden Sie einen externen Inhalt, der den Artikel ergänzt. Sie können ihn sich anzeigen"
        " lassen.",
        "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird. Daten können übermittelt werden.",
        "Link zum YouTube-Inhalt",
        SENTENCES[1],
    ]
    assert drop_furniture(lines, "Breakwater to be rebuilt", ()) == [SENTENCES[0], SENTENCES[1]]


def test_a_sentence_about_consent_is_kept() -> None:
    line = "Die Anwohner sind damit einverstanden, dass der externe Gutachter die Mole prüft."
    assert drop_furniture([SENTENCES[0], line], "Breakwater to be rebuilt", ()) == [SENTENCES[0], line]


def test_comment_widget_prompts_leave_the_body() -> None:
    text = "\n".join([
        SENTENCES[0],
        SENTENCES[1],
        "You must confirm your public display name before commenting",
        "Please logout and then login again, you will then be prompted to enter your display name.",
    ])
    lines, _ = body_lines(text, ("Breakwater to be rebuilt",), set())
    assert lines == [SENTENCES[0], SENTENCES[1]]


def test_sign_offs_above_the_comment_form_leave_the_body() -> None:
    # The comment form is taken off first, so the sign-off above it is at the end of the text.
    text = "\n".join([
        SENTENCES[0],
        SENTENCES[1],
        "Follow the Harbour Gazette on Google News to get our stories in your feed.",
        "You must confirm your public display name before commenting",
        "Please logout and then login again, you will then be prompted to enter your display name.",
    ])
    lines, _ = body_lines(text, ("Breakwater to be rebuilt",), set())
    assert lines == [SENTENCES[0], SENTENCES[1]]


# --- chunks never come from the page's footer -----------------------------------------------------

# Contact boxes as organisations' templates set them in a footer of the same grid rows as the
# article: an address, opening hours and a line of invitation, 30+ words of paragraphs.
FOOTER_CONTACT_BOXES = {
    "de": (
        "<p>Kontakt: Hafenverein Nordkai e. V., Kaistraße 4, 24103 Kiel, Telefon 0431 55 66 77.</p>"
        "<p>Unsere Geschäftsstelle ist Montag bis Donnerstag von 9 bis 16 Uhr und am Freitag von 9 bis "
        "12 Uhr für Sie da. Schreiben Sie uns gerne auch direkt über das Formular.</p>"
    ),
    "fr": (
        "<p>Nous contacter : Association du Port Nord, 4 quai des Pêcheurs, 29200 Brest, téléphone 02 98 55 66 77.</p>"
        "<p>Notre accueil est ouvert du lundi au jeudi de 9 h à 16 h et le vendredi de 9 h à 12 h. "
        "N'hésitez pas à nous écrire directement grâce au formulaire.</p>"
    ),
    "en": (
        "<p>Contact us: North Quay Harbour Society, 4 Fishers Wharf, Portsmouth PO1 2AB, phone 023 9255 6677.</p>"
        "<p>Our office is open Monday to Thursday from 9am to 4pm and on Friday from 9am to noon. "
        "Feel free to write to us directly using the form on this page.</p>"
    ),
}


def grid_rows_page(footer_box: str, footer_marker: str) -> str:
    # The article and the site's footer are built of the same grid rows ("div.row" inside
    # "div.inner"); the footer is named only by its wrapper's id or class, not by a <footer> tag.
    def row(content: str) -> str:
        return f'<div class="inner"><div class="row"><div class="col">{content}</div></div></div>'

    story = "<h1>Breakwater to be rebuilt</h1>" + "".join(f"<p>{s}</p>" for s in SENTENCES)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Breakwater to be rebuilt</title>'
        '<meta property="og:type" content="article"></head><body><div id="pageWrap">'
        f'<div id="contentWrap">{row(story)}</div>'
        f"<div {footer_marker}>{row(footer_box)}</div></div></body></html>"
    )


FOOTER_MARKERS = ('id="b_footerWrap" class="b_darkFooter"', 'class="site-footer"', 'id="Footer"')


def test_a_grid_row_in_the_footer_is_never_merged_as_a_chunk_of_the_story() -> None:
    for language, box in FOOTER_CONTACT_BOXES.items():
        for marker in FOOTER_MARKERS:
            html = grid_rows_page(box, marker)
            assert merged_chunks(parse_html(html), "\n".join(SENTENCES)) is None, (language, marker)
            body = article(html).body
            assert body.split("\n")[-1] == SENTENCES[-1], (language, marker)
            assert not any(c.isdigit() for c in body), (language, marker)  # no address, phone, hours


def test_grid_rows_of_the_story_itself_are_still_merged() -> None:
    # The same page with the second row in the content area: a chunk of the story.
    html = grid_rows_page(FOOTER_CONTACT_BOXES["en"], 'class="content-more"')
    assert merged_chunks(parse_html(html), "\n".join(SENTENCES)) is not None


# --- a short body continued where recall mode reads on ------------------------------------------

# Short posts in three languages whose last block precision mode drops: a link given as its URL.
SHORT_POSTS_ENDING_IN_A_URL = {
    "de": (
        ["Die Stadtwerke erhöhen im nächsten Jahr die Preise für Strom und Wasser deutlich.",
         "Für eine Familie mit zwei Kindern bedeutet das nach ersten Berechnungen rund zweihundert Euro mehr.",
         "Wer dagegen etwas tun möchte, kann bis Ende des Monats diese Petition unterschreiben:"],
        "https://www.petitionen.example/petition/online/gegen-die-preiserhoehung-der-stadtwerke-2026-jetzt",
    ),
    "en": (
        ["The council will raise the price of water and electricity sharply next year.",
         "For a family with two children that means about two hundred pounds more, according to first estimates.",
         "If you want to do something about it, you can sign this petition until the end of the month:"],
        "https://www.petitions.example/petition/online/against-the-council-price-rise-of-2026-sign-now",
    ),
    "es": (
        ["El ayuntamiento subirá mucho el precio del agua y de la luz el año que viene.",
         "Para una familia con dos hijos supone unos doscientos euros más, según los primeros cálculos.",
         "Si quieres hacer algo al respecto, puedes firmar esta petición hasta final de mes:"],
        "https://www.peticiones.example/peticion/online/contra-la-subida-de-precios-del-ayuntamiento-2026",
    ),
}


def short_post_page(paragraphs: list[str], url: str, after: str = "") -> str:
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Prices</title>'
        '<meta property="og:type" content="article"></head><body>'
        '<div id="main"><div class="newsentry"><h2>Prices</h2><div class="newstext">'
        f'{text}<p><a href="{url}">{url}</a></p>{after}</div></div></div>'
        '<div class="next-story"><h2>Other news</h2><p>The ferry timetable changes on Monday, the port said in a statement today.</p></div>'
        "</body></html>"
    )


def test_a_url_line_that_ends_a_short_post_is_kept() -> None:
    for language, (paragraphs, url) in SHORT_POSTS_ENDING_IN_A_URL.items():
        tree = parse_html(short_post_page(paragraphs, url))
        precise, recalled = "\n".join(paragraphs), "\n".join(["Prices", *paragraphs, url, "Other news"])
        assert with_trailing_lines(tree, precise, recalled).split("\n") == [*paragraphs, url], language


def test_a_line_after_the_body_outside_its_container_is_not_taken() -> None:
    paragraphs, url = SHORT_POSTS_ENDING_IN_A_URL["en"]
    tree = parse_html(short_post_page(paragraphs, url))
    precise = "\n".join(paragraphs)
    next_story = "The ferry timetable changes on Monday, the port said in a statement today."
    assert with_trailing_lines(tree, precise, "\n".join([*paragraphs, next_story])) == precise


def test_a_sign_up_prompt_after_the_body_is_not_taken() -> None:
    # A prompt beside its link in a bare <div>, as a newsletter box sets it, is not a line of text.
    prompts = {"de": "Nichts mehr verpassen! - Newsletter abonnieren", "en": "Never miss a story - sign up now",
               "fr": "Ne manquez rien - abonnez-vous"}
    paragraphs, url = SHORT_POSTS_ENDING_IN_A_URL["en"]
    for language, prompt in prompts.items():
        words, link = prompt.rsplit(" - ", 1)
        box = f'<div style="font-weight:bold">{words} - <a href="/newsletter">{link}</a></div>'
        tree = parse_html(short_post_page(paragraphs, url, after=box))
        precise = "\n".join([*paragraphs, url])
        assert with_trailing_lines(tree, precise, "\n".join([precise, prompt])) == precise, language


def test_recall_that_does_not_hold_every_precise_line_adds_nothing() -> None:
    paragraphs, url = SHORT_POSTS_ENDING_IN_A_URL["de"]
    tree = parse_html(short_post_page(paragraphs, url))
    precise = "\n".join(paragraphs)
    assert with_trailing_lines(tree, precise, "\n".join([paragraphs[1], url])) == precise


def test_a_short_post_ending_in_a_url_keeps_it_end_to_end() -> None:
    for language, (paragraphs, url) in SHORT_POSTS_ENDING_IN_A_URL.items():
        body = extracted(short_post_page(paragraphs, url), URL).body
        assert body.split("\n")[-1] == url, language
        assert "ferry" not in body and "Fähre" not in body, language
