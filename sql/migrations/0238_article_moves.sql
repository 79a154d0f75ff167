-- An article the site moves to a new URL (a slug changed with its headline, http to https): the old
-- URL answers a redirect to the new one. The capture keeps where the redirect came from, and the
-- load moves the article's row to the new URL instead of starting a second one
-- (transforms/load/run.py, settle_moves).
alter table raw.captures add column redirected_from text;
alter table core.articles add column former_urls text[] not null default '{}';
-- A page is seen under the URL a redirect to it came from too (scrapers/ledger.py, SEEN_SQL):
-- the same predicate as captures_settled_pages (0220).
create index captures_settled_redirects on raw.captures (redirected_from, fetched_at)
    where redirected_from is not null and kind = 'page' and status = 200
      and (extraction_status = 'article'
           or (extraction_status = 'rejected' and extraction_reason like 'not\_article:%'));

comment on column raw.captures.redirected_from is
    'The normalized URL the request was for, where the page was reached by a redirect (the first URL of the chain); NULL when fetched as listed.';
comment on column core.articles.former_urls is
    'URLs this article was loaded under before its site moved it: the old URL answered a redirect to this one and the article there had the same text or a near-duplicate of it. Oldest first; empty when never moved.';
