"""extract_article on hand-written pages in real page structures."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fixtures import FIXTURES as FIXTURES_ROOT
from tests.fixtures import PROJECT_ROOT, SHARED
from transforms.article import Article, Rejected
from transforms.extract.decoding import decode_html
from transforms.extract.extractor import (
    EXTRACTOR,
    MIN_BODY_WORDS,
    ExtractionHints,
    extract_article,
)
from transforms.extract.language import find_language
from transforms.extract.page import parse_html, read_page
from transforms.normalize import content_hash, word_count

FIXTURES = FIXTURES_ROOT / "extract"
FETCHED_AT = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
AJ_URL = "https://www.aljazeera.com/news/2026/3/4/harbour-town-votes-to-keep-its-wooden-lighthouse"
# What the Al Jazeera source config is expected to pass: the in-body boilerplate blocks.
AJ_HINTS = ExtractionHints(
    prune_xpaths=(
        '//section[contains(concat(" ", normalize-space(@class), " "), " more-on ")]',
        '//div[contains(concat(" ", normalize-space(@class), " "), " container--ads ")]',
    )
)
PARAGRAPH = (
    "The regional council met on Monday to discuss the repair of the old stone bridge, "
    "which has been closed to traffic since the floods damaged its foundations last year."
)


def extract(html: str, url: str = "https://news.example/2026/3/4/story", **kwargs: object) -> Article | Rejected:
    kwargs.setdefault("fetched_at", FETCHED_AT)
    return extract_article(html, url, source="test", **kwargs)  # type: ignore[arg-type]


def fixture(name: str, url: str, **kwargs: object) -> Article | Rejected:
    html = decode_html((FIXTURES / name).read_bytes(), None)
    return extract(html, url, **kwargs)


def article(html: str, url: str = "https://news.example/2026/3/4/story", **kwargs: object) -> Article:
    result = extract(html, url, **kwargs)
    assert isinstance(result, Article), result
    return result


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def paragraphs(n: int = 3) -> str:
    return "".join(f"<p>{PARAGRAPH} Paragraph {i}.</p>" for i in range(n))


def jsonld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# --- the Al Jazeera-shaped article --------------------------------------------------------


@pytest.fixture(scope="module")
def aj() -> Article:
    result = fixture("aljazeera_article.html", AJ_URL + "?traffic_source=rss#x", hints=AJ_HINTS)
    assert isinstance(result, Article), result
    return result


def test_aj_url_and_canonical_are_normalized(aj: Article) -> None:
    assert aj.url == AJ_URL
    assert aj.canonical_url == AJ_URL


def test_aj_title_is_the_headline_without_site_suffix(aj: Article) -> None:
    assert aj.title == "Harbour town votes to keep its wooden lighthouse"


def test_aj_authors_from_json_ld_not_the_visible_byline(aj: Article) -> None:
    assert aj.authors == ("Mira Castellanos",)


def test_aj_dates_from_json_ld_in_utc(aj: Article) -> None:
    assert aj.published_at == datetime(2026, 3, 4, 9, 15, tzinfo=UTC)
    assert aj.modified_at == datetime(2026, 3, 4, 11, 2, 30, tzinfo=UTC)
    assert aj.flags == ()


def test_aj_metadata_fields(aj: Article) -> None:
    assert aj.description == "Residents backed a plan to repair the 1890s tower rather than replace it with a steel mast."
    assert aj.language == "en"
    assert aj.section == "News"  # breadcrumb position 1, though listed second
    assert aj.tags == ("Heritage", "Tourism", "Local Politics", "News", "Europe", "Portugal")
    assert aj.image_url == "https://www.aljazeera.com/wp-content/uploads/2026/03/lighthouse.jpg?resize=1200%2C630"
    assert aj.source == "test" and aj.fetched_at == FETCHED_AT
    assert aj.extractor == EXTRACTOR and EXTRACTOR.startswith("trafilatura 2.3.1 + news ")


def test_aj_body_is_the_story_only(aj: Article) -> None:
    lines = aj.body.split("\n")
    assert lines[0].startswith("Voters in the fishing town of Porto Calmo")
    assert lines[-1].startswith("The town hopes the project")
    assert "What happens next" in lines
    for boilerplate in ("Recommended Stories", "Old ferries", "Advertisement", "Published On", "By ", "Residents backed"):
        assert boilerplate not in aj.body
    assert "\n\n" not in aj.body
    assert len(lines) == 7


def test_aj_counts_and_hash_match_the_fields(aj: Article) -> None:
    assert aj.word_count == word_count(aj.body) > MIN_BODY_WORDS
    assert aj.content_hash == content_hash(aj.title, aj.description, aj.body, aj.authors)


def test_aj_boilerplate_also_dropped_without_hints() -> None:
    result = fixture("aljazeera_article.html", AJ_URL)
    assert isinstance(result, Article)
    assert "Recommended Stories" not in result.body and "Advertisement" not in result.body


def test_prune_xpaths_remove_content_and_keep_following_text() -> None:
    aside = "<p>The ferry strike cut the island off for a week last winter, and the council was blamed.</p>"
    html = page(body=f"<article>{paragraphs(2)}<div class='box7'>{aside}</div><p>Closing paragraph stays in.</p></article>")
    assert "ferry strike" in article(html).body
    pruned = article(html, hints=ExtractionHints(prune_xpaths=("//div[@class='box7']",)))
    assert "ferry strike" not in pruned.body
    assert pruned.body.endswith("Closing paragraph stays in.")


# --- rejections ---------------------------------------------------------------------------


def test_liveblog_fixture_rejected() -> None:
    result = fixture("liveblog.html", "https://www.aljazeera.com/news/liveblog/2026/3/4/live-river-summit")
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def test_a_short_liveblog_detected_by_json_ld_alone() -> None:
    html = page(jsonld({"@context": "https://schema.org", "@graph": [{"@type": "LiveBlogPosting", "headline": "x"}]}), paragraphs())
    assert extract(html).reason == "not_article:liveblog"  # type: ignore[union-attr]


def test_liveblog_detected_by_url_alone() -> None:
    html = page('<meta property="og:type" content="article">', paragraphs())
    result = extract(html, "https://www.aljazeera.com/news/liveblog/2026/3/4/live-x")
    assert isinstance(result, Rejected) and result.reason == "not_article:liveblog"


def test_video_fixture_rejected() -> None:
    result = fixture("video.html", "https://www.aljazeera.com/video/newsfeed/2026/3/4/hail")
    assert isinstance(result, Rejected) and result.reason == "not_article:video"


def test_article_with_embedded_video_is_still_an_article() -> None:
    head = jsonld({"@type": "NewsArticle", "headline": "H"}) + jsonld({"@type": "VideoObject", "name": "v"})
    assert isinstance(extract(page(head, f"<article>{paragraphs()}</article>")), Article)


def test_near_empty_page_with_a_player_is_video_not_empty_body() -> None:
    html = page('<meta property="og:type" content="article">', '<h1>Clip</h1><video src="x.mp4"></video><p>Watch the clip.</p>')
    result = extract(html)
    assert isinstance(result, Rejected) and result.reason == "not_article:video"


def test_section_front_rejected() -> None:
    cards = "".join(f'<li><a href="/news/2026/3/{i}/story-{i}">Story number {i} headline</a></li>' for i in range(40))
    html = page(jsonld({"@type": "CollectionPage", "name": "News"}) + '<meta property="og:type" content="website">', f"<ul>{cards}</ul>")
    result = extract(html, "https://news.example/news/")
    assert isinstance(result, Rejected) and result.reason == "not_article:section_page"


def test_short_post_on_link_heavy_page_without_markup_is_not_a_section() -> None:
    nav = "".join(f'<a href="/c/{i}">Category {i}</a> ' for i in range(60))
    result = extract(page(body=f"<nav>{nav}</nav><article>{paragraphs(2)}</article>"))
    assert isinstance(result, Article)


def test_paywall_teaser_rejected_but_full_paywalled_text_kept() -> None:
    head = jsonld({"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": False})
    teaser = extract(page(head, f"<article>{paragraphs(2)}</article>"))
    assert isinstance(teaser, Rejected) and teaser.reason == "not_article:paywall"
    full = extract(page(head, f"<article>{paragraphs(8)}</article>"))
    assert isinstance(full, Article)


def test_free_article_with_short_body_is_not_paywall() -> None:
    head = jsonld({"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": True})
    assert isinstance(extract(page(head, f"<article>{paragraphs(2)}</article>")), Article)


def test_body_under_minimum_is_empty_body() -> None:
    result = extract(page('<meta property="og:type" content="article">', "<article><p>Only a few words here.</p></article>"))
    assert isinstance(result, Rejected) and result.reason == "empty_body"
    assert str(MIN_BODY_WORDS) in result.detail


@pytest.mark.parametrize("html", ["", "   ", "<html/>", "<html><body></body></html>", "\x00\x00", "<<<>>>"])
def test_nothing_to_extract_is_rejected_not_raised(html: str) -> None:
    result = extract(html)
    assert isinstance(result, Rejected)
    assert result.reason in {"unparseable", "empty_body"}


# --- bad input ------------------------------------------------------------


def test_windows_1256_without_charset() -> None:
    result = fixture("windows1256_no_charset.html", "https://ar.example/bridge")
    assert isinstance(result, Article)
    assert result.title == "افتتاح جسر جديد فوق النهر"
    assert result.body.startswith("افتتحت السلطات المحلية")
    assert "\ufffd" not in result.title + result.body
    assert result.language == "ar"
    assert result.published_at == datetime(2026, 3, 4, 4, 0, tzinfo=UTC)


def test_malformed_html_extracted() -> None:
    result = fixture("malformed.html", "https://news.example/broken")
    assert isinstance(result, Article)
    assert result.title == "Broken page"
    assert "Storm damage closed the coast road" in result.body
    assert "boil drinking water" in result.body


def test_nul_control_chars_and_lone_surrogates_never_reach_the_record() -> None:
    dirty = PARAGRAPH.replace("council", "coun\x00cil\ud800\x1b")
    result = article(page("<title>Bad\x00 title\udfff</title>", f"<article><p>{dirty}</p>{paragraphs(2)}</article>"))
    text = json.dumps(asdict(result), default=str, ensure_ascii=False)
    assert "\x00" not in text and "\x1b" not in text
    assert "regional council met" in result.body
    assert result.title == "Bad title"
    result.body.encode("utf-8")  # no lone surrogates left


def test_xml_declaration_in_a_str_does_not_break_parsing() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>' + page('<meta property="og:type" content="article">', f"<article>{paragraphs()}</article>")
    assert isinstance(extract(html), Article)


def test_deep_nesting_within_parser_limit_is_extracted_in_full() -> None:
    inner = f"<p>{PARAGRAPH} Deepest paragraph.</p>"
    html = page("<title>Deep</title>", "<div>" * 300 + inner + paragraphs(2) + "</div>" * 300)
    result = article(html)
    assert "Deepest paragraph." in result.body


def test_nesting_past_parser_limit_is_rejected_not_silently_short() -> None:
    html = page("<title>Deep</title>", paragraphs(2) + "<div>" * 3000 + f"<p>{PARAGRAPH}</p>" + "</div>" * 3000)
    result = extract(html)
    assert isinstance(result, Rejected) and result.reason == "unparseable"
    assert "nested" in result.detail


# --- dates --------------------------------------------------------------------


def test_future_published_date_dropped_with_flag() -> None:
    result = fixture("future_date.html", "https://news.example/budget")
    assert isinstance(result, Article)
    assert result.published_at is None
    assert "published_at_in_future" in result.flags
    assert result.modified_at == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


def test_only_updated_date_never_becomes_published() -> None:
    head = '<meta property="og:type" content="article"><meta property="article:modified_time" content="2026-03-01T10:00:00Z">'
    result = article(page(head, f"<article><p>Updated 1 March 2026</p>{paragraphs()}</article>"))
    assert result.published_at is None and "published_at_missing" in result.flags
    assert result.modified_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def test_naive_meta_dates_use_the_source_time_zone() -> None:
    head = '<meta property="og:type" content="article"><meta name="publishedDate" content="2026-03-04T09:15:00">'
    html = page(head, f"<article>{paragraphs()}</article>")
    assert article(html).published_at == datetime(2026, 3, 4, 9, 15, tzinfo=UTC)
    doha = article(html, hints=ExtractionHints(naive_timezone="Asia/Qatar"))
    assert doha.published_at == datetime(2026, 3, 4, 6, 15, tzinfo=UTC)


def test_offset_dates_keep_the_page_offset_and_json_ld_preferred() -> None:
    result = fixture("multi_author.html", "https://coastal.example/port-strike")
    assert isinstance(result, Article)
    assert result.published_at == datetime(2026, 3, 4, 11, 5, tzinfo=UTC)  # the same instant
    assert result.published_at.isoformat() == "2026-03-04T14:05:00+03:00"  # the page's own day and offset


def test_naive_fetched_at_taken_as_utc() -> None:
    head = '<meta property="og:type" content="article"><meta property="article:published_time" content="2026-03-06T11:00:00Z">'
    result = article(page(head, f"<article>{paragraphs()}</article>"), fetched_at=datetime(2026, 3, 6, 12, 0))
    assert result.published_at == datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
    assert result.fetched_at.tzinfo is UTC


# --- authors, language, tags ----------------------------------------------------------------


def test_multi_author_json_ld_split_in_order() -> None:
    result = fixture("multi_author.html", "https://coastal.example/port-strike")
    assert isinstance(result, Article)
    assert result.authors == ("Ana Duarte", "Li Wei", "Tomás Ruiz", "Reuters and Associated Press")
    assert result.language == "en"  # JSON-LD inLanguage en-GB, no <html lang>
    assert result.section == "Business"
    assert result.tags == ("Ports", "Labour Rights")
    assert result.title == "Port strike enters second week"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("By A. Smith, B. Jones and C. Brown", ("A. Smith", "B. Jones", "C. Brown")),
        ("Written by Jane Doe & John Roe", ("Jane Doe", "John Roe")),
        ("https://facebook.com/janedoe", ()),
    ],
)
def test_meta_author_bylines(byline: str, expected: tuple[str, ...]) -> None:
    head = f'<meta property="og:type" content="article"><meta name="author" content="{byline}">'
    assert article(page(head, f"<article>{paragraphs()}</article>")).authors == expected


def test_html_lang_region_reduced_and_source_default_used_last() -> None:
    body = f"<article>{paragraphs()}</article>"
    assert article(page(body=body, lang="pt-BR")).language == "pt"
    no_lang = page(body=body).replace(' lang="en"', "")
    assert article(no_lang).language == "en"  # no markup: from the text
    assert article(no_lang, hints=ExtractionHints(language="de")).language == "en"  # the text outranks the source default
    short = page(body=f"<article><p>{PARAGRAPH[:60]}</p></article>").replace(' lang="en"', "")
    assert find_language(read_page(parse_html(short), "https://x.example/"), "de", "Too short to tell.") == "de"


def test_title_site_suffix_stripped_from_title_tag() -> None:
    head = '<title>Bridge to reopen in May | Valley Herald</title><meta property="og:site_name" content="Valley Herald">'
    assert article(page(head, f"<article>{paragraphs()}</article>")).title == "Bridge to reopen in May"


# --- repost -------------------------------------------------------------------------------


def test_wordpress_repost() -> None:
    result = fixture("wordpress_repost.html", "https://blog.example/2026/03/05/mountain-villages-share-a-single-bus-route/")
    assert isinstance(result, Article)
    assert result.title == "Mountain Villages Share a Single Bus Route"
    assert result.original_source == "www.aljazeera.com"
    assert result.body.split("\n")[-1].startswith("Local councils have asked")
    for leaked in ("Original Source", "Leave a Reply", "Your email address", "Required fields", "Post Comment", "Recent Posts"):
        assert leaked not in result.body
    assert result.authors == ("Sam Okafor",)
    assert result.published_at == datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
    assert result.section == "World News"
    assert result.tags == ("Transport", "Rural Life")


def test_unmarked_comment_form_text_cut_from_body() -> None:
    body = (
        f"<article>{paragraphs()}<p>Source: Example Wire</p><h3>Leave a Reply</h3>"
        "<p>Your email address will not be published. Required fields are marked *</p></article>"
    )
    result = article(page('<meta property="og:type" content="article">', body))
    assert result.original_source == "Example Wire"
    assert "Leave a Reply" not in result.body and "Your email" not in result.body
    assert result.body.endswith("Paragraph 2.")


def test_self_attribution_leaves_body_but_names_no_original() -> None:
    head = '<meta property="og:type" content="article"><meta property="og:site_name" content="Al Jazeera">'
    result = article(page(head, f"<article>{paragraphs()}<p>Source: Al Jazeera and news agencies</p></article>"), AJ_URL)
    assert result.original_source is None
    assert "news agencies" not in result.body


def test_source_line_in_the_middle_stays() -> None:
    body = f"<article><p>{PARAGRAPH}</p><p>Source: a person close to the talks</p>{paragraphs(2)}</article>"
    result = article(page('<meta property="og:type" content="article">', body))
    assert result.original_source is None
    assert "Source: a person close to the talks" in result.body


# --- determinism and configuration ------------------------------------------------------


def test_same_input_twice_gives_identical_output() -> None:
    html = (FIXTURES / "aljazeera_article.html").read_text(encoding="utf-8")
    first = extract(html, AJ_URL, hints=AJ_HINTS)
    extract(page(body=paragraphs()), "https://other.example/a")  # unrelated page in between
    second = extract(html, AJ_URL, hints=AJ_HINTS)
    assert first == second


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prune_xpaths": ("//div[",)}, "prune_xpaths"),
        ({"naive_timezone": "Mars/Olympus"}, "naive_timezone"),
        ({"language": "English"}, "language"),
    ],
)
def test_bad_hints_fail_when_built_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ExtractionHints(**kwargs)  # type: ignore[arg-type]


# --- the real Al Jazeera capture -------------------------------------------------------------


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text)
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def shingle_f1(predicted: str, expected: str) -> float:
    """Word 4-gram F1, as ../shared/corpus/README.md scores bodies (one page)."""
    got, want = _shingles(predicted), _shingles(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def test_shingle_f1_metric() -> None:
    assert shingle_f1("a b c d e", "a b c d e") == 1.0
    assert shingle_f1("a b c d", "w x y z") == 0.0
    assert 0 < shingle_f1("a b c d e f", "a b c d x y") < 1


@pytest.mark.skipif(not (SHARED / "corpus" / "aljazeera").is_dir(), reason=f"shared corpus not present at {SHARED}")
def test_real_aljazeera_capture_matches_expected() -> None:
    corpus = SHARED / "corpus" / "aljazeera"
    case = json.loads((corpus / "cases.jsonl").read_text(encoding="utf-8").splitlines()[0])
    html = decode_html(gzip.decompress((corpus / "pages" / case["file"]).read_bytes()), "text/html")
    result = extract_article(html, case["url"], source="aljazeera", fetched_at=datetime(2026, 9, 11, tzinfo=UTC), hints=AJ_HINTS)
    expected = case["expected"]
    assert isinstance(result, Article), result
    assert result.title == expected["title"]
    assert sorted(a.casefold() for a in result.authors) == sorted(a.casefold() for a in expected["authors"])
    assert result.published_at == datetime.fromisoformat(expected["published_at"])
    assert shingle_f1(result.body, expected["body"]) >= 0.99


# --- the demo sample site (demo/site, written for the offline demo) -------------------------

DEMO_SITE = PROJECT_ROOT / "demo" / "site"
DEMO_PAGES = sorted(DEMO_SITE.rglob("*.html")) if DEMO_SITE.is_dir() else []
DEMO_REJECTED = {"liveblog": "not_article:liveblog", "video": "not_article:video"}
DEMO_LEAKS = ("Recommended Stories", "Advertisement", "Video Duration", "Leave a Reply", "Recent Posts", "Your email address")


@pytest.mark.skipif(not DEMO_PAGES, reason="demo/site not present")
@pytest.mark.parametrize("path", DEMO_PAGES, ids=lambda p: p.stem[:40])
def test_demo_site_page(path: Path) -> None:
    url = "https://" + str(path.relative_to(DEMO_SITE)).removesuffix(".html")
    result = extract_article(decode_html(path.read_bytes(), None), url, source="demo", fetched_at=datetime(2026, 11, 20, 1, tzinfo=UTC))
    expected_rejection = next((r for part, r in DEMO_REJECTED.items() if f"/{part}/" in url), None)
    if expected_rejection:
        assert isinstance(result, Rejected) and result.reason == expected_rejection
        return
    assert isinstance(result, Article), result
    assert result.title and " | " not in result.title and result.authors
    assert result.published_at is not None and result.flags == ()
    assert not [leak for leak in DEMO_LEAKS if leak in result.body]


def test_unparseable_url_does_not_stop_extraction() -> None:
    result = extract(page(body=f"<article>{paragraphs()}</article>"), "http://[broken")
    assert isinstance(result, Article) and result.url == "http://[broken"
