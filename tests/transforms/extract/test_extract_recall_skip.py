"""The recall-mode run over the article's container is made only where it can add something:
a sentence-shaped block of the container that precision's text lacks (transforms.extract.body)."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

import transforms.extract.body as body
from tests.fixtures.harbour_story import SENTENCES, extracted

URL = "https://harbour.example/news/2026/03/05/breakwater"


def _container(inner: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<div class='story'>{inner}</div>")


def test_a_container_whose_sentences_precision_all_kept_needs_no_recall_run() -> None:
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    furniture = "<ul><li><a href='/'>Home</a></li><li>Share this story</li></ul><figcaption>The breakwater</figcaption>"
    assert not body._may_hold_dropped_sentences(_container(paragraphs + furniture), "\n".join(SENTENCES))


def test_a_sentence_emphasised_inside_a_kept_paragraph_needs_no_recall_run() -> None:
    # Trafilatura returns the paragraph as one line, the emphasised sentence inside it.
    lead = f"{SENTENCES[0]} <em>{SENTENCES[1]}</em>"
    paragraphs = f"<p>{lead}</p>" + "".join(f"<p>{s}</p>" for s in SENTENCES[2:])
    text = "\n".join([f"{SENTENCES[0]} {SENTENCES[1]}", *SENTENCES[2:]])
    assert not body._may_hold_dropped_sentences(_container(paragraphs), text)
    # Dropped with its paragraph, the sentence still calls for the run.
    assert body._may_hold_dropped_sentences(_container(paragraphs), "\n".join(SENTENCES[2:]))


@pytest.mark.parametrize("missing", [
    f"<p>{SENTENCES[5]}</p>",  # a paragraph precision dropped
    f"<div>{SENTENCES[5]}</div>",  # running text straight in a <div>
    f"<blockquote><span>{SENTENCES[5]}</span></blockquote>",
])
def test_a_sentence_precision_lacks_calls_for_the_recall_run(missing: str) -> None:
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES[:5])
    assert body._may_hold_dropped_sentences(_container(paragraphs + missing), "\n".join(SENTENCES[:5]))


def test_a_whole_article_is_extracted_with_one_trafilatura_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[bool] = []
    real = body._trafilatura_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(kwargs["favor_precision"])
        return real(*args, **kwargs)

    monkeypatch.setattr(body, "_trafilatura_document", counted)
    page = ("<html lang='en'><head><title>Breakwater to be rebuilt</title></head><body><nav><a href='/'>Home</a></nav>"
            "<article><h1>Breakwater to be rebuilt</h1><div class='story'>"
            + "".join(f"<p>{s}</p>" for s in SENTENCES * 2) + "</div></article></body></html>")
    article = extracted(page, URL)
    assert all(s in article.body for s in SENTENCES)
    assert runs == [True]  # precision only: the recall run had nothing to add
