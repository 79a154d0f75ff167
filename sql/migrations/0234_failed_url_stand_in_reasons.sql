-- Answers that look like success and are not the article: a redirect to a page that is not an
-- article (a consent or login wall, the home page), the site's 404 template served with 200, a
-- body of only whitespace, a document that is not HTML (a PDF, an image).

comment on column ops.failed_urls.reason is
    'http_<status>, timeout, dns_error, connection_refused, connection_lost, truncated, too_large, robots_denied, robots_unavailable, blocked_address, blocked_scheme, offsite_redirect, redirect_limit, retry_after, not_reached, unparseable, not_a_feed (a feed URL answered 200 with something else: a challenge page, an empty body, XML that is not RSS/Atom), empty_body (a page answered 200 with nothing or only whitespace), redirected_to_non_article (a page redirected on its own host to one that is not an article: a consent or login wall, the home page; retried), soft_404 (a page answered 200 with the page the host gives for URLs that do not exist; retried), not_html (a listed page is a PDF, an image or other non-HTML document; skipped, not retried), other';
