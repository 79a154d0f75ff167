"""trafilatura's metadata guesses, for the fields the pipeline reads from them.

The pipeline takes a page's metadata from its structured data first and falls back on what
trafilatura's metadata pass (``trafilatura.metadata.extract_metadata``) guesses: the title,
description, author and image, and the date htmldate finds where nothing else on the page
dates it (``metadata.find_title``, ``find_description``, ``find_image_url``,
``bylines.find_authors``, ``dates.find_dates``). That pass also searches the page for
categories, tags, a licence and the site's name, which the pipeline never reads: about a tenth
of plain trafilatura's whole cost a page. ``guessed_metadata`` finds the fields the pipeline
reads with trafilatura's own finders, in the order and with the precedence its pass uses, and
leaves the others unset; the date only where it is asked for.

trafilatura's finders only read the tree (htmldate and the author finder work on copies).
"""

from __future__ import annotations

import logging
from typing import Any

import lxml.html
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title, extract_url
from trafilatura.settings import Document

from transforms.extract.date_search import searched_date

logger = logging.getLogger(__name__)

# The fields ``guessed_metadata`` sets as trafilatura's metadata pass does.
GUESSED_FIELDS = ("title", "author", "url", "description", "image", "date", "filedate")


def guessed_metadata(
    tree: lxml.html.HtmlElement, url: str, date_params: dict[str, Any], *, with_date: bool
) -> Document:
    """trafilatura's metadata guesses for ``GUESSED_FIELDS`` (``date`` None unless ``with_date``),
    as ``extract_metadata(tree, url, date_params)`` makes them; other fields unset."""
    metadata = examine_meta(tree)
    # A one-word author meta is a handle or a site name, not a person (trafilatura's rule).
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as exc:  # trafilatura's JSON-LD reader has bugs; its own pass goes on without it
        logger.warning("error in JSON metadata extraction: %s", exc)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    metadata.date = searched_date(tree, **{**date_params, "url": metadata.url}) if with_date else None
    metadata.filedate = date_params.get("max_date")
    # Left unset: what examine_meta and the JSON-LD reader found besides (site name, categories,
    # tags) is what the pass would have gone on searching for.
    for name in type(metadata).__slots__:
        if name not in GUESSED_FIELDS:
            setattr(metadata, name, None)
    metadata.clean_and_trim()
    return metadata
