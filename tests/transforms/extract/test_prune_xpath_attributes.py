"""The default prune expression, asked of the id and class attributes, selects the elements the
element-by-element expression selected, once each and in page order."""

from __future__ import annotations

import lxml.etree
import lxml.html

from transforms.extract.tree_rules import DEFAULT_PRUNE_XPATHS

# The expression as it was written before: each element tested for its attributes.
ELEMENT_BY_ELEMENT = (
    '/descendant::*[@id="respond" or @id="comments" or (contains(@class, "comment-") and ('
    'contains(concat(" ", normalize-space(@class), " "), " comment-respond ")'
    ' or (self::form and contains(concat(" ", normalize-space(@class), " "), " comment-form "))))]'
)

PAGE = """<html><head><style id="comments">.x{}</style></head><body>
<article><p>Der Text des Beitrags.</p></article>
<div id="comments" class="comments-area comment-respond">
  <h3 class="comment-reply-title">Antworten</h3>
  <form class="  comment-form\tfull " action="/post"><p class="comment-respond">Feld</p></form>
  <div class="comment-form">kein Formular</div>
  <span id="respond">Antwort</span><i class="xcomment-respond">kein Token</i>
  <form id="respond" class="comment-form"></form>
  <ol class="comment-list"><li id="comment-2" class="comment-2 comment-respond">Eintrag</li></ol>
</div>
<div id="Respond">anders geschrieben</div><section class="Comment-respond">anders geschrieben</section>
</body></html>"""


def test_the_default_prune_expression_selects_what_the_element_by_element_one_did() -> None:
    tree = lxml.html.document_fromstring(PAGE)
    before = lxml.etree.XPath(ELEMENT_BY_ELEMENT)(tree)
    after = lxml.etree.XPath(DEFAULT_PRUNE_XPATHS[0])(tree)
    assert len(before) == 7
    assert len(after) == len(before) and all(a is b for a, b in zip(after, before))
