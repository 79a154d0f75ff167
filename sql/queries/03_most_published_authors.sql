-- Most-published authors
-- Byline names by articles published, with how many were originals (not copies of another story).
select author, articles, original_articles, sources,
       first_published_at::date as first_day, last_published_at::date as last_day
from marts.authors
order by articles desc, author
limit 10;
