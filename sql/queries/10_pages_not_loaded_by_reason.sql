-- Pages not loaded as articles, by reason
-- What each source's crawls captured but did not load, and why (liveblogs, videos, pages the load
-- quarantined, extraction failures), per fetch day; is_loaded_now counts the URLs a later capture
-- loaded after all.
select day, source, reason, count(*) as pages, count(*) filter (where is_loaded_now) as loaded_later
from marts.rejected_pages
group by day, source, reason
order by day desc, source, pages desc, reason;
