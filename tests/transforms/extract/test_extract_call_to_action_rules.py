"""Call-to-action boxes (donation appeals, newsletter, podcast and app promotions) found by their
shape in any language: a short box named for a promotion, with a link, button or form to act on.

Pages are written here in the shapes news sites use; none is copied from a real site.
"""

from __future__ import annotations

import lxml.html
import pytest

from tests.fixtures.harbour_story import SENTENCES, extracted, story_page
from transforms.extract.body import without_call_to_action_boxes

URL = "https://news.example/2026/03/04/harbour-story"

# (box markup, a phrase of it) in the languages of the corpus; the texts are invented.
BOXES = {
    "de-donation": (
        '<div class="spendenaufruf"><p>Unabhängiger Journalismus kostet Geld. Unterstützen Sie unsere Arbeit '
        'mit einem kleinen Beitrag. Schon fünf Euro im Monat helfen uns, auch morgen unabhängig über die Stadt zu berichten.</p><a class="knopf" href="https://spenden.example/">Jetzt unterstützen</a></div>',
        "Unabhängiger Journalismus kostet Geld",
    ),
    "fr-subscription": (
        '<div class="bloc-abonnement"><p>Recevez chaque matin l\'essentiel de l\'actualité et soutenez une '
        'rédaction indépendante. Pour quelques euros par mois, vous nous aidez à enquêter sur ce qui se passe dans votre ville.</p><a href="/offre">Je m\'abonne</a></div>',
        "Recevez chaque matin",
    ),
    "es-podcast": (
        '<div class="podcast-caja"><p>Escuche nuestro pódcast diario con las noticias más importantes del '
        'día. Cada mañana, en veinte minutos, nuestros periodistas le cuentan lo que ha pasado en su ciudad.</p><a href="https://podcasts.example/show">Escuchar ahora</a></div>',
        "Escuche nuestro pódcast diario",
    ),
    "it-app": (
        '<div class="promo-app"><p>Porta con te le notizie della città anche quando sei senza connessione. Con l\'app ricevi gli avvisi sulle notizie importanti e puoi salvare gli articoli per dopo.</p>'
        '<a href="https://apps.example/news">Scopri di più</a></div>',
        "Porta con te le notizie",
    ),
    "pt-subscribe": (
        '<div class="cta-assinatura"><p>Tenha acesso ilimitado a todas as reportagens e apoie o jornalismo '
        'local. Com poucos euros por mês, ajuda a nossa redação a investigar o que acontece na sua cidade.</p><a href="/planos">Quero apoiar</a></div>',
        "Tenha acesso ilimitado",
    ),
    "nl-donate": (
        '<div class="donatie-blok"><p>Steun onafhankelijke journalistiek en word vandaag nog lid van onze '
        'vereniging. Met een paar euro per maand helpt u ons om ook morgen over uw stad te schrijven.</p><a href="/lid-worden">Word lid</a></div>',
        "Steun onafhankelijke journalistiek",
    ),
    "en-support": (
        '<div class="support-us"><p>Our journalism is free to read because readers like you pay for it. Will '
        'you help? Even a small amount each month keeps our reporters in the council chamber and the courts.</p><a href="https://support.example/contribute">Yes, I will</a></div>',
        "Our journalism is free to read",
    ),
}


@pytest.mark.parametrize("where", ["between", "end"])
@pytest.mark.parametrize("name", sorted(BOXES))
def test_a_call_to_action_box_leaves_the_body(name: str, where: str) -> None:
    box, phrase = BOXES[name]
    body = extracted(story_page(box, where), URL).body
    assert phrase not in body
    assert all(s in body for s in SENTENCES)


def test_a_long_box_named_promo_is_text_not_a_box() -> None:
    long_text = " ".join(SENTENCES) * 2
    tree = lxml.html.document_fromstring(
        f'<html><body><div class="promo"><p>{long_text}</p><a href="/more">More</a></div></body></html>'
    )
    assert without_call_to_action_boxes(tree, long_text) == long_text


def test_a_box_without_anything_to_act_on_stays() -> None:
    line = "Unabhängiger Journalismus kostet Geld, schreibt der Verband in seinem Bericht."
    tree = lxml.html.document_fromstring(f'<html><body><div class="spendenbericht"><p>{line}</p></div></body></html>')
    assert without_call_to_action_boxes(tree, line) == line


def test_a_box_named_for_nothing_promotional_stays() -> None:
    line = "Read the council's full decision on the breakwater on its website."
    tree = lxml.html.document_fromstring(
        f'<html><body><div class="note"><p>{line}</p><a href="https://council.example">Decision</a></div></body></html>'
    )
    assert without_call_to_action_boxes(tree, line) == line


# (box with a heading, the heading); the texts are invented.
HEADED_BOXES = {
    "en": ('<div class="newsletter-form__container"><h2 class="newsletter-form__header">Harbour Weekly</h2>'
           "<p>Sign up to get the best stories of the week in your inbox.</p>"
           '<form action="/signup"><input type="email"><button>Sign me up</button></form></div>', "Harbour Weekly"),
    "de": ('<div class="abo-promo"><h3>Schon gewusst?</h3><p>Mit dem Digitalabo lesen Sie alle Artikel ohne'
           ' Werbung.</p><a href="/abo">Jetzt abonnieren</a></div>', "Schon gewusst?"),
    "fr": ('<aside class="bloc-newsletter"><h4>La lettre du port</h4><p>Chaque vendredi, les nouvelles du port dans'
           ' votre boîte.</p><a href="/newsletter">Je m\'inscris</a></aside>', "La lettre du port"),
}


@pytest.mark.parametrize("name", sorted(HEADED_BOXES))
def test_a_call_to_action_box_s_heading_leaves_with_it(name: str) -> None:
    """The heading is too short to be matched inside the box's text: it is matched as a heading."""
    box, heading = HEADED_BOXES[name]
    tree = lxml.html.document_fromstring(story_page(box, "between"))
    text = "\n".join([*SENTENCES[:3], heading, *SENTENCES[3:]])
    assert without_call_to_action_boxes(tree, text).split("\n") == SENTENCES


def test_a_heading_of_the_story_that_a_box_also_shows_as_text_stays() -> None:
    """Only a heading inside the box counts: a story's subheading a box mentions stays."""
    box = '<div class="promo"><p>More on Harbour works: read our series.</p><a href="/series">Read</a></div>'
    tree = lxml.html.document_fromstring(story_page(box, "end").replace("<p>", "<h2>Harbour works</h2><p>", 1))
    text = "\n".join(["Harbour works", *SENTENCES])
    assert without_call_to_action_boxes(tree, text) == text
