"""Byline rules on hand-written pages: labels, desk codes, non-standard meta, the site as author.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.harbour_story import BODY, extracted
from transforms.extract.bylines import _split_byline

URL = "https://www.harbour-news.example/2026/03/04/harbour-story"
HEAD = (
    '<meta property="og:type" content="article"><meta property="og:site_name" content="Harbour News">'
    '<script type="application/ld+json">'
    + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Breakwater to be rebuilt"})
    + "</script>"
)


def authors_of(head: str, before: str = "", after: str = "") -> tuple[str, ...]:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{HEAD}{head}</head>'
        f"<body><article><h1>Breakwater to be rebuilt</h1>{before}{BODY}{after}</article></body></html>"
    )
    result = extracted(html, URL)
    return result.authors


def test_desk_codes_keep_the_page_spelling() -> None:
    # A reference line under the text: "desk/initials;initials". Guessers re-case the codes
    # and split at the slash; the page's own text is the byline.
    reference = '<p class="article-reference">Radio 4, 15.4.2026; <span itemprop="author">hbn/kelo;mast</span></p>'
    assert authors_of("", after=reference) == ("hbn/kelo", "mast")


def test_a_label_alone_is_not_a_byline() -> None:
    byline = '<div class="authors-box"><span class="author-label">Autoren</span><a href="/autoren/jane-doe">Jane Doe</a></div>'
    assert authors_of("", before=byline) == ("Jane Doe",)


def test_label_spelling_of_both_genders_is_stripped() -> None:
    assert _split_byline("Autorin/Autor: Jane Doe") == ["Jane Doe"]
    assert _split_byline("Autoren Jane Doe und John Roe") == ["Jane Doe", "John Roe"]


def test_article_author_meta_names_the_agency() -> None:
    assert authors_of('<meta name="articleAuthor" content="Coastal Press Agency">') == ("Coastal Press Agency",)


def test_article_author_meta_gives_way_to_the_standard_author_tag() -> None:
    head = '<meta name="author" content="Jane Doe"><meta name="articleAuthor" content="Coastal Press Agency">'
    assert authors_of(head) == ("Jane Doe",)


def test_name_given_with_the_site_host_is_the_site_itself() -> None:
    # "Harbour Broadcasting (www.harbour-news.example)" in the author tag is the site as
    # author: a fallback that a named byline on the page replaces.
    head = '<meta name="author" content="Harbour Broadcasting (www.harbour-news.example)">'
    byline = '<p class="byline">By Jane Doe</p>'
    assert authors_of(head, before=byline) == ("Jane Doe",)
    assert authors_of(head) == ("Harbour Broadcasting",)


def test_bold_author_label_in_a_fact_box_marks_the_byline() -> None:
    # No class, no author link: a fact box lists "Date" and "Author" as bold labels, and the
    # author tag names only the site.
    head = '<meta name="author" content="Harbour Broadcasting (www.harbour-news.example)">'
    box = (
        '<ul class="facts"><li><strong>Datum</strong> 28.04.2026</li>'
        "<li><strong>Autorin/Autor</strong> Jane Doe</li></ul>"
    )
    assert authors_of(head, after=box) == ("Jane Doe",)


def test_bold_label_other_than_author_is_no_byline() -> None:
    box = '<ul class="facts"><li><strong>Fotos</strong> Jane Doe</li></ul>'
    assert authors_of("", after=box) == ()


def test_byline_labels_in_the_corpus_languages_are_not_part_of_the_name() -> None:
    for byline in ("View all posts by Jane Doe", "Von: Jane Doe", "vom Jane Doe", "Ein Beitrag von Jane Doe",
                   "Auteur Jane Doe", "Autore: Jane Doe", "door: Jane Doe", "Posts by Jane Doe"):
        assert _split_byline(byline) == ["Jane Doe"], byline


def test_template_labels_weekdays_dates_and_commenters_are_no_authors() -> None:
    for value in ("Name *", "Posted on", "Donnerstag", "4. November 2021", "12.03.2024", "Jane Doe sagt:", "John says:"):
        assert _split_byline(value) == [], value


def test_a_host_beside_a_name_is_a_link_not_an_author() -> None:
    assert _split_byline("Jane Doe, facebook.com/jane.doe") == ["Jane Doe"]
    assert _split_byline("Jane Doe, harbour.world") == ["Jane Doe"]
    # A host alone is what the page credits: kept.
    assert _split_byline("harbour-news.example") == ["harbour-news.example"]
    assert _split_byline("freeman1984") == ["freeman1984"]  # a user name with digits is a name


def test_a_comment_form_label_on_the_page_is_not_the_author() -> None:
    form_label = '<p class="comment-author"><label>Name *</label></p>'
    assert "Name *" not in authors_of('<meta name="author" content="Jane Doe">', after=form_label)


def test_the_site_name_credited_beside_a_byline_is_not_an_author() -> None:
    assert authors_of('<meta name="author" content="Jane Doe, Harbour News">') == ("Jane Doe",)
    assert authors_of('<meta name="author" content="Harbour News - Juan Pérez">') == ("Juan Pérez",)
    # A desk line joined with "and" names the publisher and the agencies together: one author.
    assert authors_of('<meta name="author" content="Harbour News and agencies">') == ("Harbour News and agencies",)


def test_the_site_or_a_host_listed_beside_a_person_is_dropped() -> None:
    head = '<meta name="author" content="Harbour News"><meta name="author" content="Raúl Espina">'
    assert authors_of(head) == ("Raúl Espina",)
    head = '<meta name="author" content="Ernst Lohoff"><meta name="author" content="harbour-news.example">'
    assert authors_of(head) == ("Ernst Lohoff",)


def test_a_handle_is_spelled_as_the_visible_byline_shows_it() -> None:
    head = ('<script type="application/ld+json">'
            + json.dumps({"@context": "https://schema.org", "@type": "Person", "name": "x"}) + "</script>")
    person = '<meta name="author" content="{}">'
    byline = '<div class="post-author">von Arian Schlichter</div>'
    assert authors_of(head + person.format("arianschlichter"), before=byline) == ("Arian Schlichter",)
    assert authors_of(person.format("edilson.la.rosa"), before='<span class="author">Edilson La Rosa</span>') == (
        "Edilson La Rosa",
    )
    # A first name only, the full name in a labelled line of the article.
    assert authors_of(person.format("Nils"), before="<p>Eine Kolumne von Nils Pickering</p>") == ("Nils Pickering",)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("<p><i>von Daniela Obermann</i></p>", "Daniela Obermann"),
        ("<p><em>Text von Christian Seidler \u00a0 \u00a0Illustration von Markus Rost</em></p>", "Christian Seidler"),
        ('<ul class="meta"><li>von Alexander Rosenthal 09.03.2022</li></ul>', "Alexander Rosenthal"),
        ("<p>por Raúl Espinoza 4 mayo, 2022</p>", "Raúl Espinoza"),
        ("<p>Par Jeanne de la Fontaine</p>", "Jeanne de la Fontaine"),
        ("<p><small>By Alice Walker-Smith</small></p>", "Alice Walker-Smith"),
    ],
)
def test_an_unmarked_line_with_a_byline_label_names_the_author(line: str, name: str) -> None:
    assert authors_of("", before=line) == (name,)


@pytest.mark.parametrize(
    "line",
    [
        "<p>by the harbour the boats were waiting</p>",
        "<p>Von der Leyen will die Ukraine in der EU</p>",
        '<nav><a href="/a">von Daniela Obermann</a></nav>',
    ],
)
def test_text_that_only_starts_like_a_byline_names_no_one(line: str) -> None:
    assert authors_of("", before=line) == ()


def test_labels_placeholders_and_hidden_addresses_are_no_names() -> None:
    assert _split_byline("Datum:") == []
    assert _split_byline("No Author") == []
    assert _split_byline("jane[at]harbour-news.example") == []


def test_an_initial_keeps_its_full_stop() -> None:
    assert _split_byline("By Nicolas Gutierrez C.") == ["Nicolas Gutierrez C."]
    assert _split_byline("R. R.") == ["R. R."]
    assert _split_byline("Jane Doe.") == ["Jane Doe"]


def test_an_unmarked_labelled_line_never_overrides_the_site_named_as_author() -> None:
    # A teaser's "Von …" line in a related box is not this article's byline.
    head = '<meta name="author" content="Harbour News">'
    assert authors_of(head, after="<p><span>Von Henrike Muller</span></p>") == ("Harbour News",)


def test_a_cms_default_account_is_no_author() -> None:
    assert _split_byline("admin") == []
    assert authors_of('<meta name="author" content="Administrator">', before='<span class="author">Von Tobias Kusche</span>') == (
        "Tobias Kusche",
    )


def test_the_word_opening_a_cut_away_date_is_not_part_of_the_name() -> None:
    # "Von R. R. am <a>07.08.2026</a>": the date is a link of its own, or went with the digits.
    assert _split_byline("Von R. R. am") == ["R. R."]
    assert _split_byline("Posted by Jane Doe on") == ["Jane Doe"]
    assert _split_byline("Harbour Desk vor") == ["Harbour Desk"]
    # A name's own particles stay, and a name is never reduced to nothing.
    assert _split_byline("Ingrid van") == ["Ingrid van"]
    assert _split_byline("am") == ["am"]
    assert _split_byline("Jane Am") == ["Jane Am"]


def test_a_byline_whose_date_is_a_link_of_its_own_names_only_the_author() -> None:
    byline = '<p class="meta">Von Jane Doe am <a href="/2026/03/04/">04.03.2026</a></p>'
    assert authors_of("", before=byline) == ("Jane Doe",)
