"""Bylines are read outside navigations, footers and asides: what those hold is passed by
whole (a site's menu may hold most of a page), with the same bylines found as before."""

from __future__ import annotations

from transforms.extract.page import parse_html, read_page

MENU = "".join(
    f'<li class="menu-item"><a href="/team/{i}" class="author-link">Redaktion {i}</a>'
    f'<ul><li><span>von Ressort {i}</span></li></ul></li>'
    for i in range(30)
)


def _page(article: str) -> str:
    return (
        f'<html><body><nav class="mega"><ul>{MENU}</ul></nav>'
        f"<main>{article}</main>"
        '<footer><p class="byline">Impressum</p><p>von Fußzeile Verlag</p></footer></body></html>'
    )


def test_bylines_inside_a_menu_and_a_footer_are_not_read() -> None:
    page = read_page(parse_html(_page(
        '<h1>Hafen wird ausgebaut</h1><span class="byline">Anna Berg</span><p>von Jonas Weber</p>'
        "<p>Der Hafen wird in den kommenden zwei Jahren ausgebaut.</p>"
    )), "https://example.org/hafen")
    assert page.visible_bylines == ("Anna Berg",)
    assert page.labelled_bylines == ("Jonas Weber",)


def test_a_marked_menu_itself_is_read_and_a_wrapper_around_a_menu_is_not() -> None:
    # A navigation classed as a byline is itself read (only what such elements hold is not);
    # an element classed as one around a navigation holding a byline element is a wrapper.
    page = read_page(parse_html(
        '<html><body><nav class="author-nav">Lena Sommer</nav>'
        '<div class="author-box"><nav><a class="author-link" href="/a">Tom Wolf</a></nav></div>'
        "</body></html>"
    ), "https://example.org/x")
    assert page.visible_bylines == ("Lena Sommer",)
