-- Issue 12 items 3 and 4: a feed that answered with less than a whole feed is flagged, and a
-- run's loaded articles are counted by what the completeness checks watch.

alter table ops.feed_state add column last_flag text;
comment on column ops.feed_state.last_flag is
    'What was wrong with the last answer that was still used: truncated (the complete items were used). NULL: nothing.';
comment on column ops.failed_urls.reason is
    'http_<status>, timeout, dns_error, connection_refused, connection_lost, truncated, too_large, robots_denied, robots_unavailable, blocked_address, blocked_scheme, offsite_redirect, redirect_limit, retry_after, not_reached, unparseable, not_a_feed (a feed URL answered 200 with something else: a challenge page, an empty body, XML that is not RSS/Atom), empty_body (a page answered 200 with nothing), other';

alter table ops.crawl_runs
    add column articles_loaded         integer,
    add column articles_without_date   integer,
    add column articles_without_author integer;
comment on column ops.crawl_runs.articles_loaded is 'Pages of the run that loaded as articles (new, updated or unchanged).';
comment on column ops.crawl_runs.articles_without_date is 'Of those, articles with no publication date.';
comment on column ops.crawl_runs.articles_without_author is 'Of those, articles with no author.';
