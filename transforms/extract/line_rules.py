"""Line rules: the lines of trafilatura's text that are page furniture, and the rules that drop them.

``body_lines`` is the entry: link lists, the headline repeated at the top, the comment form,
the furniture below, and a repost's closing attribution (moved into ``original_source``).
Rules on the page's markup before trafilatura are in ``tree_rules``; whether a page is an
article at all is decided in ``not_article``.


trafilatura keeps whatever sits inside the article container: "Read more:" links to other
stories, photo credits, the byline and dateline repeated above the text, newsletter and
"follow us" boxes and agency credits below it. Each rule here is about the *shape* of such
a line (a label vocabulary in the languages we crawl, a date alone on a line, the page's
own headline or author names), never about one site, and each is limited to where that
furniture sits: labels anywhere, bylines and datelines at the top, sign-offs at the end.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from transforms.extract.page import compact, fold
from transforms.extract.trace import removed_by
from transforms.normalize import WORD_RE, clean_text, word_key

# A line that is only a label of page furniture ("Advertisement", "Read more", "Comments").
FURNITURE_LINE_RE = re.compile(
    r"^(?:advertisement|anzeige|werbung|publicité|passer la publicité|publicidad|pubblicità|reklame|reklama"
    r"|read more|read next|see more|more on this story|most read\b.{0,40}|don'?t miss|related(?: articles| stories)?"
    r"|comments?|\d+ comments?|tell us what you think\W*|article content|share(?: this)?(?: article)?"
    r"|lesen sie auch|mehr zum thema|auch interessant|czytaj (?:więcej|też|także)|à lire aussi|lire aussi"
    r"|leia também|lee también|leggi anche|les også|läs också|lees ook|читайте также)\W*$",
    re.IGNORECASE,
)
# A line opened by an advertising label and a separator ("*Werbung. This post advertises ...",
# "ANZEIGE - Going out tonight?"): an advertisement or its disclosure, short.
AD_LABEL_LINE_RE = re.compile(
    r"^\W{0,3}(?:werbung|anzeige|advertisement|sponsored(?: content| post)?|publicité|publicidad|pubblicità"
    r"|publicidade|reklame|advertentie)\s*[.:|–—-]\s*\S",
    re.IGNORECASE,
)
AD_LABEL_MAX_WORDS = 20
# A label then a link to another story: "Read more: ...", "ALSO READ: ...", "Related: ...".
RELATED_LINK_RE = re.compile(
    r"^(?:read (?:more|also|next)|also read|see (?:more|also)|related|recommended|more|watch|listen|mehr"
    r"|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|czytaj (?:więcej|też|także)|à lire aussi|lire aussi"
    r"|voir aussi|leia também|lee también|leer más|leggi anche|les også|läs också|lees ook|читайте также"
    r"|funda olunye udaba lapha)\s*[:|›»>]",
    re.IGNORECASE,
)
# The consent placeholder shown instead of an embedded post or video until the reader agrees
# to load it (GDPR): a label, an explanation and the consent sentence, never article text.
CONSENT_LINE_RE = re.compile(
    r"^(?:empfohlener (?:redaktioneller|externer) inhalt|link zum [\w-]+[- ]inhalt|externer inhalt"
    r"|an dieser stelle finden sie (?:einen|einen von unseren redakteuren ausgewählten,?) externen inhalt\b.*"
    r"|ich bin damit einverstanden, dass mir (?:der )?externe[rn]? inhalte? angezeigt (?:wird|werden)\b.*"
    r"|(?:this|the) (?:embedded )?content (?:is not available|cannot be displayed) (?:due to|because of) your"
    r" (?:privacy|cookie) (?:preferences|settings)\b.*"
    r"|to (?:view|display|see) this (?:content|embed|video|post),? (?:you need to|please) (?:consent|accept"
    r"|enable)\b.*)$",
    re.IGNORECASE,
)
# Longest related-link line: a label and one headline.
RELATED_LINK_MAX_WORDS = 30
# Photo and image credits: "Photo: Jane Doe/Reuters", "Bild: dpa", "Фото: ...", "© dpa-infocom".
CREDIT_LINE_RE = re.compile(
    r"^(?:(?:photo|photograph|image|picture|pictures|credit|foto|fotos|bild|bilder|фото|zdjęcie|kuva|imagen|immagine"
    r"|crédito|créditos|crediti)\s*(?:credits?)?\s*:"
    r"|fot\.\s|©|\(c\)\s)",
    re.IGNORECASE,
)
# The credit for the page's pictures as a whole ("Crédits photos : ...", "Image d'illustration :
# ..."), given once, apart from any caption: the line goes, the line above it is the story's.
PAGE_CREDIT_LINE_RE = re.compile(
    r"^(?:cr[ée]dits?\s+(?:photos?|images?|photographiques?)|(?:photo|image)\s+(?:d['’]illustration|illustrative)"
    r"|(?:photo|image|picture) credits)\s*:",
    re.IGNORECASE,
)
CREDIT_MAX_WORDS = 20
# Interface text that only a reader's browser or printer shows, never the story: the print
# edition's copyright notice, the e-mail/share widget's messages, a reading-time estimate.
INTERFACE_LINE_RE = re.compile(
    r"^(?:- )?(?:order reprints?|reprints?(?: (?:&|and) permissions)?|print(?: this)?(?: article| page)?"
    r"|this copy is for your personal,? non-commercial use only\b.*"
    r"|(?:an error has occurred|something went wrong)\W*(?:please )?try again(?: later)?"
    r"|this article has been sent to\b.*|.{0,40}story continues below(?: advertisement)?"
    r"|(?:dies ist eine|this is an?) (?:maschinelle|automatische|machine|automated) (?:übersetzung|translation)\b.*"
    r"|(?-i:[a-z]+[A-Z]\w*\s*:|true|false|null|undefined)"
    r"|copy link|link kopieren|copier le lien|copiar (?:el )?enlace|kopiuj link|कॉपी लिंक|分享让更多人看到|分享到"
    r"|(?:\d+\s*(?:min(?:ute)?s?|minuten?)\.?\s*(?:read|lesezeit|lesedauer|de lecture|de leitura|de lectura|di"
    r" lettura))"
    r"|(?:estimated )?(?:reading|read) time|lesezeit|lesedauer|temps de lecture|tempo de leitura|tiempo de lectura"
    r"|tempo di lettura|czas czytania|leestijd|lästid|lesetid)\W*"
    r"(?:(?:ca\.?|about|environ|circa)\s*)?(?:\d+\s*(?:min(?:ute)?s?|minuten?|minutos?|minuti|minuty|minutter)\b\.?)?\W*$",
    re.IGNORECASE,
)
# A link to another story or a media item marked by a capitalised tag in brackets at its
# end ("... [VIDEO]", "... [PICTURES]"): a teaser, never a sentence of the text.
TAGGED_TEASER_RE = re.compile(r"\S\s*\[[A-Z][A-Z -]{1,20}\]\W*$")
TAGGED_TEASER_MAX_WORDS = 30
# A web address after a short label ("Download: https://...", "More: https://... and
# https://..."): a link box, not a sentence. The label ends in a colon: a few words before an
# address without one are the text's own (a footnote "[1] https://...", a shell command, a line
# of code, an embedded post's words). A bare address may be the text's own reference
# ("www.theatre.example" under an event), so it goes only right after the print notice,
# whose source link it is.
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
URL_LINE_MAX_OTHER_WORDS = 5
LABEL_ENDS = (":", "：")
PRINT_NOTICE_RE = re.compile(r"^this copy is for your personal,? non-commercial use only\b", re.IGNORECASE)
# The notice a site shows to old browsers ("You are using a browser version with limited
# support for CSS..."), often broken over several lines; the lines up to the end of its
# sentence go with it.
BROWSER_NOTICE_RE = re.compile(
    r"\byou are using (?:a|an) (?:[\w-]+ ){0,3}browser\b|\byour (?:web )?browser (?:is (?:out of date|outdated|not"
    r" supported)|does not support)\b",
    re.IGNORECASE,
)
BROWSER_NOTICE_MAX_WORDS = 40
BROWSER_NOTICE_MAX_LINES = 5
# The timestamp of an update, anywhere ("Updated at 1:23 p.m.", "Aktualisiert: 12.03.2024").
UPDATED_LINE_RE = re.compile(
    r"^(?:last |zuletzt )?(?:updated|update|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt|oppdatert"
    r"|uppdaterad)\b",
    re.IGNORECASE,
)
# Subscription and newsletter promotions anywhere in the text: an imperative to sign up or
# subscribe, a price offer, an order form's "click here". Short, so a paragraph of the story
# that mentions a newsletter stays.
PROMO_RE = re.compile(
    r"^(?:sign up (?:for|to|now|here|today)\b|subscribe (?:now|today|here|to (?:our|the))\b|get (?:unlimited )?access"
    r" to\b.*\bfor\b"
    r"|(?:jetzt )?(?:\d+|zwei|vier) wochen (?:lang )?(?:kostenlos|gratis) (?:testen|lesen))",
    re.IGNORECASE,
)
PROMO_OFFER_RE = re.compile(
    r"\bfor as little as\b|\bclick here (?:for more information|to (?:subscribe|sign up|order|buy))"
    r"|\bdelivered (?:to|through) your (?:inbox|letterbox|letter box|door)\b"
    r"|\b(?:kostenlos|gratis) in (?:ihren|deinen) briefkasten\b|\btesten sie (?:[\w-]+ ){0,4}(?:wochen|tage|monate)\b",
    re.IGNORECASE,
)
PROMO_MAX_WORDS = 60
# A short box whose last sentence tells the reader to sign up for a newsletter ("Start your
# day with the Morning Brief. ... Sign up for the free daily newsletter."): a promotion
# wherever it stands; the story reports on newsletters, it does not end a paragraph telling
# its reader to subscribe.
PROMO_SIGNUP_TAIL_RE = re.compile(
    r"(?:^|[.!?…]\s+)(?:sign up|subscribe|register)(?: now| today| here)?\s+(?:for"
    r"|to)\b[^.!?]{0,80}\bnewsletters?\b[^.!?]{0,40}[.!?]?\W*$",
    re.IGNORECASE,
)
# The page's taxonomy: "Tags: ...", "Filed under: ...", "Categoria: Saúde", "- Etiketler :",
# at the start of a short line or after a separator in a metadata line ("05/10 - Posted by:
# X - Category: Y - Tags: z").
TAXONOMY_RE = re.compile(
    r"(?:^|[-|•·]\s)(?:- )?(?:filed under|tags?|tagged(?: with)?|categor(?:y|ies|ia|ias|ie)|kategorie[n]?|posted in"
    r"|schlagw(?:ö|o)rte?r?|etiketler|etiquetas|mots-clés|tagi|emneord|trefwoorden)\s*:",
    re.IGNORECASE,
)
TAXONOMY_MAX_WORDS = 20
# A newsroom's initials or agency alone on a line: "(dpa)", "(dmk)", "(AFP)".
INITIALS_LINE_RE = re.compile(r"^\(\s*[\w./ -]{1,15}\s*\)\W*$")
# A caption above a credit has no closing punctuation and is short.
CAPTION_MAX_WORDS = 30
_SENTENCE_END = (".", "!", "?", "…", '"', "»", "”", "“", "'", ")")

# Bylines above the text: "By A and B", "Von A", "Par A", and the same names alone.
BYLINE_LEAD_RE = re.compile(
    r"^(?:(?:written|reported|text|story)\s+)?(?:by|von|par|por|di|door|av|af|od|от|autor(?:in)?:|author:)\s+",
    re.IGNORECASE,
)
# A dateline alone on a line: a numeric date or a time, with at most a few words around it
# ("Stand: 22.04.2024, 06:00 Uhr", "05.08.2024, 20:59 Uhr", "2025年1月14日 01時28分").
DATE_TOKEN_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{4}年\d{1,2}月\d{1,2}日|\b\d{1,2}:\d{2}\b"
    r"|\b\d{1,2}\.? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}\b",
    re.IGNORECASE,
)
DATELINE_MAX_OTHER_WORDS = 6
# Furniture above the text sits in its first few lines.
TOP_LINES = 4
# Sign-offs below the text: newsletter and "follow us" boxes, contact lines, agency credits.
SIGNOFF_RE = re.compile(
    r"^(?:sign up\b|subscribe\b|get the latest\b|follow (?:us|him|her|them|\w+(?: \w+){0,3}) on\b"
    r"|(?:email|write to|contact|reach)\b.{0,60}(?:@|\bat\b)|have a tip\b|do you have a story\b"
    r"|copyright\b|all rights reserved|this copy is for your personal|our standards:"
    r"|(?:\(?reporting|additional reporting|writing|editing|compiled) by\b|.{0,80}\bcontributed to this report"
    r"|with (?:files|reporting|reports) from\b|mit agenturmaterial|if you enjoyed this article"
    r"|(?:wie )?hat ihnen dieser artikel gefallen|unabhängiger journalismus braucht|(?:\w+ )?newsletter\b"
    r"|thank you\W*$|(?:log|sign) in (?:or (?:create|register)|to (?:continue|read))\b|enjoy(?:ing|ed) (?:this|our)\b"
    r"|follow (?:[\w'’]+\W+){0,8}(?:on (?:facebook|twitter|instagram|youtube|linkedin|tiktok|threads|bluesky|google"
    r" news)|coverage\b)"
    r"|this (?:is a )?(?:breaking|developing) (?:news? )?(?:story|news)\b|this story (?:is developing|will be updated"
    r"|has been updated)"
    r"|(?:how to )?listen (?:to|on|back|again|live)\b"
    r"|(?:quellen?|sources?|fuentes?|fontes?|źródła|bronnen|kilder)\s*:?\s*$"
    r"|(?:redaktion|faktencheck|recherche|mitarbeit|übersetzung|schlussredaktion|grafik|illustrationen?|bearbeitung"
    r"|edited by|editing|fact-?check(?:ing)?|research|translation|translated by|graphics|design|produktion"
    r"|production)\s*:)",
    re.IGNORECASE,
)
# Sign-off phrases that close a longer line at the end (an author bio's "Follow him on
# Twitter", a letters desk's call for feedback).
SIGNOFF_ANYWHERE_RE = re.compile(
    r"\bfollow (?:us|him|her|them) on (?:twitter|facebook|instagram|x|bluesky|threads|linkedin|mastodon)\b"
    r"|\bwe(?:'|’)?d (?:like|love) to hear (?:from you|what you think)\b|\bcontributed (?:to )?this report\b"
    r"|\bsign up for (?:our|the) (?:[\w-]+ ){0,3}newsletters?\b|\b(?:lest|lesen sie) den original(?:artikel|beitrag)\b"
    r"|\bread the original (?:article|story)\b",
    re.IGNORECASE,
)
SIGNOFF_MAX_WORDS = 60
def _words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def drop_furniture(
    lines: list[str], title: str, authors: Iterable[str], site_names: Iterable[str] = ()
) -> list[str]:
    """The body lines without page furniture (see the module docstring for the rules)."""
    lines = removed_by("browser_notice", lines, _drop_browser_notice(lines))
    lines = removed_by("labels_and_credits", lines, _drop_labels_and_credits(lines))
    authors = tuple(authors)
    lines = removed_by("top_furniture", lines, _drop_top_furniture(lines, title, authors))
    lines = removed_by("headline_repeat", lines, _drop_headline_repeats(lines, title))
    lines = removed_by("signoffs", lines, _drop_signoffs(lines, authors))
    return removed_by("publisher_profile", lines, _drop_publisher_profile(lines, site_names))


# A company's own newsroom ends each press release with the company's profile: "About Acme",
# "Acme is a leading provider of ...", "Acme is headquartered in ...". Only the site's own
# name counts (a story's last line about another company is the story's), and only the
# self-description shape: "<Site> has reached out to ... for comment" is a sentence of the text.
PROFILE_MAX_LINES = 4
PROFILE_NAME_MAX_WORDS = 3
PROFILE_MIN_NAME_CHARS = 3
_PROFILE_OPENING_RE = re.compile(
    r"^(?:is|are)\s+(?:a|an|one of|the (?:world|leading|largest|global)|headquartered|based|listed)\b"
    r"|^(?:was|were)\s+(?:founded|established)\b|^,\s*(?:founded|established|headquartered|based)\b",
    re.IGNORECASE,
)


def _drop_publisher_profile(lines: list[str], site_names: Iterable[str]) -> list[str]:
    """Lines without the site's own profile at the end (its heading and lines naming it)."""
    names = {n for n in site_names if len(n) >= PROFILE_MIN_NAME_CHARS}
    if not names or not lines:
        return lines
    start = len(lines)
    opened = False
    for index in range(len(lines) - 1, max(0, len(lines) - PROFILE_MAX_LINES) - 1, -1):
        rest = _after_site_name(lines[index], names)
        if rest is None:
            break
        if rest == "" and _words(lines[index])[0].casefold() == "about":
            start, opened = index, True  # the "About Acme" heading: the block's first line
            break
        start, opened = index, opened or bool(_PROFILE_OPENING_RE.match(rest))
    return lines[:start] if opened and start > 0 else lines


def _after_site_name(line: str, names: set[str]) -> str | None:
    """What follows the site's name opening ``line`` ("About" allowed before it), or None."""
    words = list(re.finditer(r"[\w&'’.-]+", line[:200]))
    offset = 1 if words and words[0].group().casefold() == "about" else 0
    for count in range(1, PROFILE_NAME_MAX_WORDS + 1):
        if offset + count > len(words):
            break
        name = " ".join(w.group() for w in words[offset : offset + count])
        name = compact(name.removesuffix("’s").removesuffix("'s"))
        if name in names:
            return line[words[offset + count - 1].end() :].strip()
    return None



# A headline is often a kicker and a main line ("Kenya: Nairobi from below", "Nationale
# Demo / Der Tag naht"); either part alone as the first line is the headline again. Lower
# down a part may be the text's own subheading ("What does it do?"), so it stays there.
# Parts shorter than this many words are too generic to be sure of.
HEADLINE_PART_MIN_WORDS = 3
# How much longer than the headline a line holding it and a kicker or site name may be.
HEADLINE_EXTRA_CHARS = 40
_HEADLINE_SPLIT_RE = re.compile(r"\s+[|/–—-]\s+|:\s+")


def _drop_headline_repeats(lines: list[str], title: str) -> list[str]:
    """Lines that are the headline again anywhere, or one part of it first.

    Pages repeat the headline in a sticky header, a share box or the print view's footer;
    the story itself never has the whole headline alone as a paragraph.
    """
    headline = word_key(title)
    if not headline:
        return lines
    parts = {
        part for part in (word_key(p) for p in _HEADLINE_SPLIT_RE.split(title))
        if len(part.split()) >= HEADLINE_PART_MIN_WORDS
    }
    kept = lines[1:] if lines and word_key(lines[0]) in parts | {headline} else lines[:]
    # A line shorter than the headline, or much longer, cannot be it: most lines are not
    # normalized to compare.
    longest = 2 * len(title) + HEADLINE_EXTRA_CHARS
    return [line for line in kept if not (len(headline) <= len(line) <= longest and word_key(line) == headline)]


def _drop_labels_and_credits(lines: list[str]) -> list[str]:
    """Furniture labels, related-story links and credits anywhere; a caption above a credit."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _is_furniture_line(line, lines[index - 1] if index else ""):
            continue
        if PAGE_CREDIT_LINE_RE.match(line) and len(_words(line)) <= CREDIT_MAX_WORDS:
            continue
        if CREDIT_LINE_RE.match(line) and len(_words(line)) <= CREDIT_MAX_WORDS:
            if kept and _is_caption(kept[-1]):
                kept.pop()
            continue
        kept.append(line)
    return kept


# Most lines are paragraphs of the story, far longer than any furniture line: the rules that
# search a whole line or count its words are not run on a line longer than this, which
# would hold more words than any of them allows (60, at a dozen characters a word).
FURNITURE_MAX_CHARS = 720


def _is_furniture_line(line: str, previous: str) -> bool:
    """The line is a furniture label, interface text, a promotion or a link box."""
    if (
        FURNITURE_LINE_RE.match(line)
        or INITIALS_LINE_RE.match(line)
        or CONSENT_LINE_RE.match(line)
        or INTERFACE_LINE_RE.match(line)
    ):
        return True
    if len(line) > FURNITURE_MAX_CHARS:
        return False
    if _is_link_line(line, previous) or _is_update_stamp(line):
        return True
    # Each shape first, the word count (the dearer test) only for a line that has one.
    return bool(
        (":" in line and TAXONOMY_RE.search(line) and len(_words(line)) <= TAXONOMY_MAX_WORDS)
        or ("]" in line and TAGGED_TEASER_RE.search(line) and len(_words(line)) <= TAGGED_TEASER_MAX_WORDS)
        or ((PROMO_RE.match(line) or PROMO_OFFER_RE.search(line)) and len(_words(line)) <= PROMO_MAX_WORDS)
        or ("ewsletter" in line and PROMO_SIGNUP_TAIL_RE.search(line) and len(_words(line)) <= PROMO_MAX_WORDS)
        or (RELATED_LINK_RE.match(line) and len(_words(line)) <= RELATED_LINK_MAX_WORDS)
        or (AD_LABEL_LINE_RE.match(line) and len(_words(line)) <= AD_LABEL_MAX_WORDS)
    )


def _drop_browser_notice(lines: list[str]) -> list[str]:
    """Lines without an old-browser notice and the lines its sentences run on to."""
    for start, line in enumerate(lines):
        if "rowser" in line and BROWSER_NOTICE_RE.search(line) and len(_words(line)) <= BROWSER_NOTICE_MAX_WORDS:
            end = start + 1
            last = min(len(lines), start + BROWSER_NOTICE_MAX_LINES)
            while end < last and not lines[end - 1].rstrip().endswith(_SENTENCE_END):
                end += 1
            return lines[:start] + lines[end:]
    return lines


def _is_link_line(line: str, previous: str) -> bool:
    """The line is web addresses with a short label, or a bare one below the print notice."""
    if "http" not in line:
        return False  # the common case, without running the pattern
    first = URL_RE.search(line)
    if first is None:
        return False
    label_words = len(_words(URL_RE.sub(" ", line)))
    if label_words == 0:
        return bool(PRINT_NOTICE_RE.match(previous))
    return label_words <= URL_LINE_MAX_OTHER_WORDS and line[: first.start()].rstrip().endswith(LABEL_ENDS)


def _is_update_stamp(line: str) -> bool:
    return bool(UPDATED_LINE_RE.match(line)) and _is_dateline(line)


def _is_caption(line: str) -> bool:
    return len(_words(line)) <= CAPTION_MAX_WORDS and not line.rstrip().endswith(_SENTENCE_END)


def _drop_top_furniture(lines: list[str], title: str, authors: tuple[str, ...]) -> list[str]:
    """The headline (with a kicker or site suffix), bylines and datelines among the first lines.

    The window counts lines of text kept, not furniture dropped: a video teaser, its duration
    and a "Stand:" dateline above the standfirst leave the byline below it still at the top.
    """
    kept: list[str] = []
    headline = word_key(title)
    for index, line in enumerate(lines):
        if len(kept) >= TOP_LINES:
            return kept + lines[index:]
        if not _is_top_furniture(line, headline, authors):
            kept.append(line)
    return kept




def _is_top_furniture(line: str, headline: str, authors: tuple[str, ...]) -> bool:
    # A line far longer than the headline is not normalized to compare (most lines).
    if headline and len(headline) <= len(line) <= 2 * (len(headline) + HEADLINE_EXTRA_CHARS):
        normalized = word_key(line)
        if normalized == headline or (
            headline in normalized
            and len(normalized) <= len(headline) + HEADLINE_EXTRA_CHARS
            and not line.endswith(_SENTENCE_END)
        ):
            return True  # the headline again, or with a kicker before or a site name after it
    if _is_byline(line, authors) or _is_named_byline(line):
        return True
    return _is_dateline(line)



# A byline whose names the metadata does not list: "Von Nina Muster", "By Jane Doe and John
# Roe", "Par Jean Dupont" - the lead word, then only capitalised name words and "and".
BYLINE_MAX_NAME_WORDS = 8
_NAME_WORD_RE = re.compile(r"^[^\W\d_][\w'’.-]*$")
_NAME_JOINERS = frozenset({"and", "und", "et", "y", "e", "og", "och", "en", "i", "&", ","})


def _is_named_byline(line: str) -> bool:
    """The line is a byline lead ("By", "Von") followed by names only."""
    lead = BYLINE_LEAD_RE.match(line)
    if not lead or line.rstrip().endswith((".", "!", "?", ":")):
        return False
    words = line[lead.end() :].replace(",", " , ").split()
    names = [w for w in words if w.casefold() not in _NAME_JOINERS]
    if not names or len(names) > BYLINE_MAX_NAME_WORDS:
        return False
    return all(_NAME_WORD_RE.match(w) and w[0].isupper() for w in names)


# Longest word a byline's length is checked against before its words are counted.
BYLINE_MAX_CHARS_PER_WORD = 25


def _is_byline(line: str, authors: tuple[str, ...]) -> bool:
    """The line names only the article's authors (with "By"/"Von" and "and" between)."""
    max_words = 4 * len(authors) + 4
    if not authors or len(line) > BYLINE_MAX_CHARS_PER_WORD * max_words:
        return False
    rest = f" {word_key(BYLINE_LEAD_RE.sub('', line))} "
    named = False
    for name in sorted((word_key(a) for a in authors), key=len, reverse=True):
        if name and f" {name} " in rest:
            rest, named = rest.replace(f" {name} ", "  "), True
    if not named:
        return False
    leftover = [w for w in rest.split() if w not in {"and", "und", "et", "y", "e", "og", "och", "en", "i"}]
    return len(leftover) <= 1 and len(_words(line)) <= max_words


# A dateline (dates and a few words) is never longer than this; longer lines are not searched.
DATELINE_MAX_CHARS = 200


def _is_dateline(line: str) -> bool:
    if len(line) > DATELINE_MAX_CHARS or not DATE_TOKEN_RE.search(line):
        return False
    other = _words(DATE_TOKEN_RE.sub(" ", line))
    return len([w for w in other if not w.isdigit()]) <= DATELINE_MAX_OTHER_WORDS


# A sign-off box at the end holds short lines that are not sign-offs by themselves: the
# items under "Sources:", the selling points under a log-in prompt. Up to this many such
# lines may stand below a sign-off and go with it.
TAIL_FRAGMENTS_MAX = 4
TAIL_FRAGMENT_MAX_WORDS = 15


def _drop_signoffs(lines: list[str], authors: tuple[str, ...] = ()) -> list[str]:
    """Lines at the end that are sign-offs (with the short lines of their box), up to the
    last line of text. The byline again below the text is a sign-off too."""
    cut = index = len(lines)
    while index > 1:
        line = lines[index - 1]
        if _is_signoff(line) or _is_byline(line, authors) or _is_author_bio(line, authors):
            index -= 1
            cut = index
        elif cut - index < TAIL_FRAGMENTS_MAX and _is_fragment(line):
            index -= 1
        else:
            break
    return lines[:cut]


# An author's note below the text names the author among its first words ("Jane Doe is a
# reporter covering...", "Correspondent Jane Doe writes from..."); a full name of two words
# at least, so that a surname alone in the story's last quote is not taken for one.
AUTHOR_BIO_NAME_WITHIN_WORDS = 3
AUTHOR_BIO_MAX_WORDS = 80


def _is_author_bio(line: str, authors: tuple[str, ...]) -> bool:
    if not authors or len(line) > AUTHOR_BIO_MAX_WORDS * BYLINE_MAX_CHARS_PER_WORD:
        return False
    words = [w.casefold() for w in _words(line)]
    if len(words) > AUTHOR_BIO_MAX_WORDS:
        return False
    for author in authors:
        name = [w.casefold() for w in _words(author)]
        if len(name) < 2:
            continue
        for start in range(min(AUTHOR_BIO_NAME_WITHIN_WORDS, len(words) - len(name) + 1)):
            if words[start : start + len(name)] == name:
                return True
    return False


def _is_fragment(line: str) -> bool:
    return len(_words(line)) <= TAIL_FRAGMENT_MAX_WORDS and not line.rstrip().endswith(_SENTENCE_END)


def _is_signoff(line: str) -> bool:
    return (SIGNOFF_RE.match(line) is not None or SIGNOFF_ANYWHERE_RE.search(line) is not None) and len(
        _words(line)
    ) <= SIGNOFF_MAX_WORDS


# Lines of a comment form that survive as text when the form is not marked up as one.
COMMENT_FORM_LINE_RE = re.compile(
    r"^(?:your email address will not be published\b.*"
    r"|required fields are marked\b.*"
    r"|save my name, email,? and website\b.*"
    r"|cancel reply|post comment|submit comment"
    r"|you must be logged in to post a comment\.?"
    # comment-system prompts (hosted comment widgets render them inside the article container)
    r"|you must confirm your public display name before commenting"
    r"|please logout and then login again, you will then be prompted to enter your display name\.?)$",
    re.IGNORECASE,
)
# A comment-section heading: it and everything after it is not article text.
COMMENT_HEADING_RE = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|join the discussion)\b.{0,40}$",
    re.IGNORECASE,
)
# A repost's attribution line, moved out of the body into ``original_source``.
ORIGINAL_SOURCE_RE = re.compile(
    r"^(?:original(?:ly)?\s+(?:source|published\s+(?:on|at|by|in))|source|via|quelle|fuente|fonte|źródło)\s*[:：]\s*"
    r"(?P<source>\S.{0,150}?)\.?$",
    re.IGNORECASE,
)

# Site names shorter than this ("bbc" is the shortest we know) match too much by prefix.
MIN_SITE_NAME_CHARS = 3


def body_lines(
    text: str,
    repeats: Iterable[str | None],
    site_names: set[str],
    lede: str | None = None,
    authors: Iterable[str] = (),
    linked_items: Container[str] = frozenset(),
) -> tuple[list[str], str | None]:
    """Clean body paragraphs, and the original source a repost's last line names.

    ``repeats`` (the headline) are dropped from the top, where extractors repeat them from
    the page header; ``lede``, the standfirst shown above the body, leads it when missing.
    A source line naming the site itself ("Source: Al Jazeera and news agencies" on Al
    Jazeera) is attribution, not syndication: it leaves the body but names no original.
    """
    lines = [line for line in (clean_text(raw) for raw in text.split("\n")) if line]
    lines = removed_by("link_list", lines, drop_link_lists(lines, linked_items))
    lines = removed_by("leading_repeat", lines, _drop_leading_repeats(lines, repeats))
    if lede and word_key(lede) not in word_key("\n".join(lines[:3])):
        lines.insert(0, lede)
    title = next((r for r in repeats if r), "")
    # The comment form goes first: furniture at the end of the story sits above it.
    lines = removed_by("comment_form", lines, _drop_comment_form(lines))
    lines = drop_furniture(lines, title, authors, site_names)
    original_source = None
    if lines and (match := ORIGINAL_SOURCE_RE.match(lines[-1])):
        named = match.group("source").strip()
        original_source = None if _names_site(named, site_names) else named
        lines = removed_by("original_source_line", lines, _drop_comment_form(lines[:-1]))
    return lines, original_source


# A list whose every item is mostly a link is a list of other pages ("More stories", topic
# lists, "Read next" boxes), not article text; article lists (facts, steps, quotes) are text
# with an occasional link. One item alone may be a single recommended source: two at least.
# Such a box sits beside the story: where the lists are all the text there is, they are the
# post itself (a blog's link roundup, a reading list), and stay.
LINK_LIST_MIN_ITEMS = 2
_LIST_ITEM_PREFIX = "- "


def drop_link_lists(lines: list[str], linked_items: Container[str]) -> list[str]:
    """``lines`` without runs of list items that are all links to other pages in the markup."""
    kept: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and lines[end].startswith(_LIST_ITEM_PREFIX):
            end += 1
        if end == index:
            kept.append(lines[index])
            index += 1
            continue
        run = lines[index:end]
        is_link_list = len(run) >= LINK_LIST_MIN_ITEMS and all(
            word_key(line[len(_LIST_ITEM_PREFIX) :]) in linked_items for line in run
        )
        if not is_link_list:
            kept.extend(run)
        index = end
    return kept if kept else lines


def _names_site(text: str, site_names: set[str]) -> bool:
    """True when ``text`` starts with one of the site's own names."""
    compacted = compact(text)
    return any(compacted.startswith(name) for name in site_names if len(name) >= MIN_SITE_NAME_CHARS)


def _drop_leading_repeats(lines: list[str], repeats: Iterable[str | None]) -> list[str]:
    """Lines without a leading title/standfirst that the extractor repeated from the header."""
    seen = {fold(r) for r in repeats if r}
    start = 0
    while start < min(len(lines), len(seen)) and fold(lines[start]) in seen:
        start += 1
    return lines[start:]


def _drop_comment_form(lines: list[str]) -> list[str]:
    """Lines up to a comment-section heading, without comment-form boilerplate."""
    kept: list[str] = []
    for line in lines:
        if COMMENT_HEADING_RE.match(line):
            break
        if not COMMENT_FORM_LINE_RE.match(line):
            kept.append(line)
    return kept
