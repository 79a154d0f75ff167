"""Furniture lines inside the extracted text: interface messages, promotions, link boxes,
update stamps, headline repeats and end-of-story sign-offs.

Every line here is written for the test in the shapes news pages use; none is copied from a
real page. Each rule has a case it drops and a sentence of a story it must keep.
"""

from __future__ import annotations

from transforms.extract.line_rules import drop_furniture

TITLE = "Harbour works: The breakwater will be rebuilt before winter"
STORY = [
    "The harbour authority said on Monday that the old breakwater would be rebuilt before the winter storms arrive.",
    "Engineers found that the foundations had shifted by almost a metre since the last survey was carried out.",
    "Fishing crews have been asked to moor their boats in the northern basin while the work goes on.",
    "The council expects the repairs to cost more than four million euros, most of it from a regional fund.",
    "Residents will be able to follow the progress at a public meeting every month.",
]


def cleaned(lines: list[str], title: str = TITLE) -> list[str]:
    return drop_furniture(lines, title, ())


def test_print_view_block_and_share_widget_messages_are_dropped_anywhere() -> None:
    lines = [
        STORY[0],
        "- Order Reprints",
        "- Print Article",
        "This copy is for your personal, non-commercial use only. To order copies for colleagues visit the reprints"
        " desk.",
        "https://news.example/2026/03/04/harbour-story",
        STORY[1],
        STORY[2],
        "An error has occurred, please try again later.",
        "This article has been sent to",
        STORY[3],
    ]
    assert cleaned(lines) == [STORY[0], STORY[1], STORY[2], STORY[3]]


def test_a_bare_web_address_of_the_story_itself_is_kept() -> None:
    # The address of the venue under an event story is the text's own, not a print link.
    lines = [STORY[0], "https://harbour-museum.example", STORY[1]]
    assert cleaned(lines) == lines


def test_short_labelled_link_lines_are_dropped() -> None:
    lines = [
        STORY[0],
        "Download: https://pod.example/ep12",
        "More harbour news: https://news.example/harbour and https://social.example/harbour",
        STORY[1],
    ]
    assert cleaned(lines) == [STORY[0], STORY[1]]


def test_a_few_words_before_a_web_address_without_a_label_are_the_text_own() -> None:
    lines = [
        STORY[0],
        "[1] https://harbour-archive.example/reports/1998.html",
        "[2] https://harbour-archive.example/reports/2004.html (mirror: https://mirror.example/2004)",
        "$ git clone https://code.example/harbour/tides.git",
        'BASE = f"https://tides.example/api?port={port}"',
        "we. are. back. https://short.example/x1",
        STORY[1],
    ]
    assert cleaned(lines) == lines


def test_a_sentence_with_a_web_address_is_kept() -> None:
    line = "The full survey, which runs to two hundred pages, is published at https://harbour.example/survey for anyone to read."
    assert cleaned([STORY[0], line, STORY[1]]) == [STORY[0], line, STORY[1]]


def test_reading_time_lines_are_dropped_in_several_languages() -> None:
    for label in ("5 min read", "Reading time: 4 minutes", "Lesezeit: ca. 3 Minuten", "Tempo de leitura: 1 minuto",
                  "Temps de lecture : 2 min"):
        assert cleaned([label, *STORY[:3]]) == STORY[:3], label


def test_teasers_with_a_bracketed_capitalised_tag_are_dropped() -> None:
    lines = [
        STORY[0],
        "Ferry captain rescues swimmer off the pier [VIDEO]",
        "Storm damage along the coast in pictures [PICTURES]|",
        STORY[1],
    ]
    assert cleaned(lines) == [STORY[0], STORY[1]]


def test_a_sentence_with_a_bracketed_insertion_is_kept() -> None:
    line = "“They [the engineers] told us it would hold,” said one fisherman [sic]."
    assert cleaned([STORY[0], line, STORY[1]]) == [STORY[0], line, STORY[1]]


def test_update_stamps_are_dropped_anywhere() -> None:
    lines = [STORY[0], STORY[1], STORY[2], STORY[3], "Updated at 3:45 p.m.", STORY[4], "Aktualisiert: 04.03.2026, 14:10 Uhr"]
    assert cleaned(lines) == STORY


def test_a_sentence_opening_with_updated_is_kept() -> None:
    line = "Updated plans for the breakwater were shown to the council at 10:30 on Monday, and most members liked them a lot."
    assert cleaned([*STORY[:4], line]) == [*STORY[:4], line]


def test_subscription_and_newsletter_promotions_are_dropped_anywhere() -> None:
    lines = [
        "Sign up for our morning briefing, the coast's news in five minutes.",
        *STORY[:2],
        "Get access to the Harbour Gazette's premium stories for as little as 3 euros a month.",
        *STORY[2:4],
        "Get Coastal Monthly delivered through your letterbox every month. Click here for more information.",
        "2 Wochen kostenlos testen",
        STORY[4],
    ]
    assert cleaned(lines) == STORY


def test_a_story_about_sign_ups_is_kept() -> None:
    line = "More than two thousand residents signed up for the consultation, which the council said was a record."
    assert cleaned([STORY[0], line, STORY[1]]) == [STORY[0], line, STORY[1]]


def test_the_whole_headline_again_is_dropped_anywhere_a_part_of_it_only_first() -> None:
    lines = [
        "The breakwater will be rebuilt before winter",  # the main part of the headline, first
        *STORY[:3],
        "Harbour works: The breakwater will be rebuilt before winter",  # the sticky header's copy
        STORY[3],
    ]
    assert cleaned(lines) == STORY[:4]


def test_a_subheading_that_is_part_of_the_headline_is_kept_below_the_first_line() -> None:
    title = "Harbour works: What will the breakwater cost?"
    lines = [*STORY[:2], "What will the breakwater cost?", *STORY[2:4]]
    assert cleaned(lines, title) == lines


def test_end_of_story_sign_offs_are_dropped() -> None:
    lines = [
        *STORY,
        "Follow the Harbour Gazette's opinion desk on Facebook, Instagram and Bluesky.",
        "This is a breaking news story - more to follow.",
        "Enjoying our latest stories?",
        "Log in or create an account to continue",
        "Thank you",
    ]
    assert cleaned(lines) == STORY


def test_sign_off_shapes_inside_the_story_are_kept() -> None:
    lines = [STORY[0], "Thank you", "Follow the money, the mayor said on Monday.", *STORY[1:]]
    assert cleaned(lines) == lines


def test_taxonomy_lines_are_dropped_anywhere() -> None:
    lines = [
        "04/03/2026 - Posted by: Jane Doe - Category: Coast - Tags: harbour",
        *STORY[:3],
        "Filed under: Harbour, Council |",
        "- Etiketler :",
        *STORY[3:],
    ]
    assert cleaned(lines) == STORY


def test_a_sentence_naming_a_category_is_kept() -> None:
    line = "The breakwater falls in the council's highest category: works that cannot wait for another winter."
    assert cleaned([STORY[0], line, STORY[1]]) == [STORY[0], line, STORY[1]]


def test_end_sign_offs_in_a_longer_line_and_credits_are_dropped() -> None:
    lines = [
        *STORY,
        "Jane Doe's book about lighthouses, \u201cThe Last Keepers\u201d, is out now. Follow her on Twitter @janedoe.",
        "The Gazette publishes letters from readers. We\u2019d like to hear what you think about this story.",
        "Redaktion: Nina Muster, Faktencheck: Paul Beispiel",
        "How to listen to the Harbour Podcast",
    ]
    assert cleaned(lines) == STORY


def test_the_byline_again_below_the_text_is_dropped() -> None:
    assert drop_furniture([*STORY, "Jane Doe"], TITLE, ("Jane Doe",)) == STORY


def test_a_sign_off_box_goes_with_its_short_lines() -> None:
    lines = [
        *STORY,
        "Sources:",
        "- Harbour authority, survey of 2026",
        "- Interviews with fishing crews",
    ]
    assert cleaned(lines) == STORY
    # Short lines above the last sign-off only go with a sign-off box; a closing sentence stays.
    assert cleaned([*STORY, "The work starts in May.", "Harbour Podcast"]) == [*STORY, "The work starts in May.", "Harbour Podcast"]


def test_an_old_browser_notice_is_dropped_with_the_lines_it_runs_on_to() -> None:
    lines = [
        "Thanks for visiting. You are using a browser version with limited support for CSS. To get",
        "the best experience, please use a newer browser (or turn off compatibility mode in",
        "your settings).",
        *STORY,
    ]
    assert cleaned(lines) == STORY


def test_share_widget_labels_are_dropped() -> None:
    assert cleaned([STORY[0], "- Copy link", STORY[1], "Story continues below advertisement", STORY[2]]) == STORY[:3]


def test_trial_offers_and_translation_notices_are_dropped() -> None:
    lines = [
        "This is a machine translation of a story by our colleagues abroad. An editor checked it.",
        *STORY[:3],
        "Lesen Sie mit: Testen Sie zwei Wochen lang die gedruckte Zeitung, kostenlos in Ihren Briefkasten.",
        *STORY[3:],
    ]
    assert cleaned(lines) == STORY


def test_leaked_page_settings_are_dropped_but_a_capitalised_label_is_kept() -> None:
    lines = [*STORY[:4], "- showPaywall:", "- false", "- isSubscriber:", "- true", "Sources:", "- Harbour authority survey"]
    assert cleaned(lines) == STORY[:4]
    assert cleaned([STORY[0], "Reaction:", STORY[1]]) == [STORY[0], "Reaction:", STORY[1]]


def test_an_author_note_below_the_text_is_dropped() -> None:
    lines = [
        *STORY,
        "Correspondent Jane Doe covers the coast for the Gazette and lives in the old town by the harbour.",
    ]
    assert drop_furniture(lines, TITLE, ("Jane Doe",)) == STORY
    # The author's surname in the story's last quote is not a note about the author.
    quote = "Doe said the works would be finished long before the first storms of the winter arrive."
    assert drop_furniture([*STORY, quote], TITLE, ("Jane Doe",)) == [*STORY, quote]


def test_photo_credits_in_more_languages_are_dropped_with_the_caption_above() -> None:
    for caption, credit in [
        ("Die Mole im Winter", "Fot. Anna Przykład / Agencja Portowa"),
        ("El rompeolas al amanecer", "Imagen: Puerto de Ejemplo"),
        ("Il molo del porto vecchio", "Immagine: Archivio del Porto"),
        ("O quebra-mar visto do norte", "Crédito: Câmara Municipal"),
    ]:
        assert cleaned([*STORY[:2], caption, credit, *STORY[2:]]) == STORY, credit


def test_a_credit_for_the_page_s_pictures_goes_alone() -> None:
    """A credit for all the page's pictures stands apart from any caption: the line above it,
    the story's last, stays."""
    closing = "Without independent research there is no future"
    for credit in [
        "Crédits photos : Agence Exemple",
        "Image d'illustration : Le port de Brest, licence Creative Commons",
        "Image illustrative : Lego figures by A. Builder, licence Creative Commons",
        "Photo credits: Harbour Authority",
    ]:
        assert cleaned([*STORY, closing, credit]) == [*STORY, closing], credit


def test_a_sentence_about_photo_credits_is_kept() -> None:
    line = "Crédits photos et droits d'auteur font débat au conseil municipal depuis la parution du rapport."
    assert cleaned([*STORY, line]) == [*STORY, line]


def test_lines_opened_by_an_advertising_label_are_dropped() -> None:
    for line in [
        "*Werbung. Dieser Beitrag enthält Werbung für einen Hafenausstatter.",
        "ANZEIGE - Heute Abend ausgehen? Wie wäre es mit dem Fischrestaurant am Kai:",
        "Advertisement: Book your harbour cruise today and save ten percent.",
        "Publicité – Découvrez nos croisières dans la rade.",
        "Publicidad | Reserve su paseo en barco por el puerto.",
    ]:
        assert cleaned([*STORY[:2], line, *STORY[2:]]) == STORY, line


def test_a_sentence_about_advertising_is_kept() -> None:
    for line in [
        "Werbung ist für die Hafenbetriebe seit Jahren die wichtigste Einnahmequelle, sagte der Sprecher.",
        "Advertisements for the new ferry line appeared across the city this week, the council said.",
    ]:
        assert cleaned([*STORY, line]) == [*STORY, line], line
