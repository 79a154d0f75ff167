"""Title rules on hand-written pages: the site's name and slogan around a headline, the site's
logo set in an <h1>, pages without a declared headline, the headline's own dashes and quotes.

Pages are written here in the shapes blogs and news sites use, in several languages; none is
copied from a real site.
"""

from __future__ import annotations

from html import escape

import pytest

from tests.fixtures.harbour_story import BODY, extracted

URL = "https://www.seeblick.example/2026/03/04/hafen"


def page(head: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}<article>{BODY}</article></body></html>"
    )


def title_of(head: str, body: str = "", url: str = URL) -> str:
    return extracted(page(head, body), url).title


def og(title: str, site: str | None = None) -> str:
    tags = f'<meta property="og:type" content="article"><meta property="og:title" content="{escape(title)}">'
    return tags + (f'<meta property="og:site_name" content="{escape(site)}">' if site else "")


@pytest.mark.parametrize(
    ("declared", "site"),
    [
        # The site's name followed by its slogan.
        ("Hafenmauer wird neu gebaut | seeblick.example | Dein Magazin vom See", None),
        # A site name that holds a separator itself.
        ("Hafenmauer wird neu gebaut - Seeblick - Nachrichten vom See", "Seeblick - Nachrichten vom See"),
        # Separators seen only before a site's name; decoration after it.
        ("Hafenmauer wird neu gebaut » ★★★ - Seeblick", "★★★ - Seeblick"),
        ("Hafenmauer wird neu gebaut • Seeblick", "Seeblick"),
        ("Seeblick|Hafenmauer wird neu gebaut", "Seeblick"),
    ],
)
def test_the_site_name_and_what_follows_it_are_cut(declared: str, site: str | None) -> None:
    assert title_of(og(declared, site)) == "Hafenmauer wird neu gebaut"


def test_a_hyphen_inside_the_headline_stays() -> None:
    assert title_of(og("Hafen - Mauer - Streit geht weiter", "Seeblick")) == "Hafen - Mauer - Streit geht weiter"


def test_a_logo_h1_linking_home_is_no_headline_and_names_the_site() -> None:
    logo = '<h1 class="site-title"><a href="https://www.seeblick.example/" rel="home">Blog vom See</a></h1>'
    # Old blog themes: the site in the <h1>, the post's title in an <h2> and in the <title>.
    html_title = "<title>Blog vom See » Archiv » Die Hafenmauer wird neu gebaut</title>"
    assert title_of(html_title, logo + "<h2>Die Hafenmauer wird neu gebaut</h2>") == "Die Hafenmauer wird neu gebaut"
    # No heading repeats it: the <title> without the logo's name and the slogan after it.
    html_title = "<title>Die Hafenmauer wird neu gebaut : Blog vom See | Seit 2005</title>"
    assert title_of(html_title, logo) == "Die Hafenmauer wird neu gebaut"


def test_a_logo_in_an_archived_page_links_to_the_archived_home_page() -> None:
    url = "https://web.archive.example/web/20140226/http://www.lakeside.example/2013/08/07/harbour/"
    logo = '<h1><a href="https://web.archive.example/web/20140226/http://www.lakeside.example/">Lakeside Talks</a></h1>'
    assert title_of("<title>Lakeside Talks | The harbour wall will be rebuilt</title>", logo, url) == (
        "The harbour wall will be rebuilt"
    )


def test_an_h1_that_links_to_an_article_is_a_headline() -> None:
    h1 = '<h1><a href="/2026/03/04/hafen">Hafenmauer wird neu gebaut</a></h1>'
    assert title_of("<title>Seeblick</title>", h1) == "Hafenmauer wird neu gebaut"


def test_a_site_wide_og_title_is_no_headline() -> None:
    head = og("Seeblick – Nachrichten vom See", "Seeblick – Nachrichten vom See")
    assert title_of(head, "<h1>La digue du port sera reconstruite</h1>") == "La digue du port sera reconstruite"


def test_without_a_declared_headline_the_heading_the_title_names_wins() -> None:
    # Several <h1>s (navigation, the listing's name, the story): the one the <title> names.
    body = "<h1>Navigation</h1><h1>Pressemitteilungen</h1><h1>Norddeutschland findet seine Meister</h1>"
    head = "<title>Norddeutschland findet seine Meister - Landesverband e.V.</title>"
    assert title_of(head, body) == "Norddeutschland findet seine Meister"


def test_a_listing_name_in_og_title_gives_way_to_the_title_the_h1_shows() -> None:
    head = og("Medienmitteilungen", "Kanton") + "<title>Impfen ist bis Ende Februar überall möglich</title>"
    h1 = "<h1><span>Medienmitteilung der Direktion<style>.x{color:red}</style></span>: Impfen ist bis Ende Februar überall möglich</h1>"
    assert title_of(head, h1) == "Impfen ist bis Ende Februar überall möglich"


@pytest.mark.parametrize(
    ("declared", "shown"),
    [
        ("Von der Leyen holt die Ukraine in die EU - Österreich zahlt", "Von der Leyen holt die Ukraine in die EU – Österreich zahlt"),
        ("Energy Rising - 33 days of yoga", "Energy Rising — 33 days of yoga"),
    ],
)
def test_the_headline_keeps_the_dashes_the_page_sets(declared: str, shown: str) -> None:
    assert title_of(og(declared, "Seeblick"), f"<h1>{shown}</h1>") == shown


def test_a_meta_title_cut_at_an_unescaped_quote_is_completed() -> None:
    head = ('<meta property="og:title" content="Senador califica a Biden de "incapacitado"">'
            '<title>Senador califica a Biden de "incapacitado"</title>')
    assert title_of(head) == 'Senador califica a Biden de "incapacitado"'


def test_a_quote_in_a_heading_does_not_extend_a_complete_title() -> None:
    head = og("Neue Präsidentin gewählt", "Seeblick")
    assert title_of(head, '<h2>Neue Präsidentin gewählt "Reformen jetzt"</h2>') == "Neue Präsidentin gewählt"


def test_without_an_h1_the_h2_shows_the_headline_without_its_affix() -> None:
    assert title_of(og("Der historische Purzelbaum (2021/5)", "Seeblick"), "<h2>Der historische Purzelbaum</h2>") == (
        "Der historische Purzelbaum"
    )


def test_a_heading_with_a_kicker_element_lends_its_dashes() -> None:
    h1 = '<h1><span class="roofline">Immobilienkrise </span>Die Firma Signa ist in Sorge – Finanzdaten und Berater</h1>'
    assert title_of(og("Die Firma Signa ist in Sorge - Finanzdaten und Berater", "Seeblick"), h1) == "Die Firma Signa ist in Sorge – Finanzdaten und Berater"


def test_a_title_shortened_for_sharing_is_completed_by_the_h1() -> None:
    head = og("Ultium Cells erhöht Gigafactory-Kapazität", "Seeblick")
    assert title_of(head, "<h1>Ultium Cells erhöht Gigafactory-Kapazität in Tennessee</h1>") == (
        "Ultium Cells erhöht Gigafactory-Kapazität in Tennessee"
    )
    # A longer tail behind a separator is an affix, not the same sentence going on.
    head = og("Harbour wall to be rebuilt", "Seeblick")
    assert title_of(head, "<h1>Harbour wall to be rebuilt, the council said on Monday after a long debate</h1>") == (
        "Harbour wall to be rebuilt"
    )


def test_without_an_h1_the_html_title_wins_over_a_sidebar_h2() -> None:
    assert title_of("<title>Auf den Spuren von Rafael Nadal</title>", "<h2>Ansprechpartner</h2>") == (
        "Auf den Spuren von Rafael Nadal"
    )


def test_a_date_before_the_headline_is_a_dateline() -> None:
    assert title_of(og("23.01.2022 - Wierer darf beim Abschluss noch jubeln - Biathlon", "Biathlon")) == (
        "Wierer darf beim Abschluss noch jubeln"
    )


def test_a_section_set_as_a_heading_of_its_own_is_no_part_of_the_headline() -> None:
    head = '<meta name="title" content="Fachmeldungen - Verkündung des Tabaksteuergesetzes">'
    body = "<h1>Fachmeldungen</h1><h1>Verkündung des Tabaksteuergesetzes</h1>"
    assert title_of(head, body) == "Verkündung des Tabaksteuergesetzes"
    # The same kicker shown only as part of the headline stays.
    assert title_of(head, "<h1>Fachmeldungen - Verkündung des Tabaksteuergesetzes</h1>") == (
        "Fachmeldungen - Verkündung des Tabaksteuergesetzes"
    )


@pytest.mark.parametrize(
    ("sharing", "shown"),
    [
        ("Wärmepumpe im Altbau - Wann es sich lohnt", "Eignet sich eine Wärmepumpe im Altbau?"),
        ("What we learned from the interview", "The royal split and family struggles: 11 things we learned"),
        ("Interview avec l'autrice sur son roman", "L'autrice parle de son nouveau roman"),
    ],
)
def test_the_h1_wins_over_an_og_title_that_opens_differently(sharing: str, shown: str) -> None:
    assert title_of(og(sharing, "Seeblick"), f"<h1>{shown}</h1>") == shown


def test_a_declared_headline_or_a_shared_opening_keeps_og_title() -> None:
    jsonld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
              '"headline": "Wärmepumpe im Altbau - Wann es sich lohnt"}</script>')
    head = og("Wärmepumpe im Altbau - Wann es sich lohnt", "Seeblick")
    assert title_of(head + jsonld, "<h1>Eignet sich eine Wärmepumpe im Altbau?</h1>") == "Wärmepumpe im Altbau - Wann es sich lohnt"
    # An edit after publication changes a few words, not the opening: og:title stays.
    head = og("Waffenlieferungen an Israel: Verfassungsbeschwerde eingelegt", "Seeblick")
    assert title_of(head, "<h1>Waffenlieferungen an Israel: Kläger legt Beschwerde ein</h1>") == (
        "Waffenlieferungen an Israel: Verfassungsbeschwerde eingelegt"
    )
