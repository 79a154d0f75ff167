-- Most covered tags
-- The tags on most stories over the 7 most recent days, with the sources using them.
select tag, count(*) as stories, array_agg(distinct source order by source) as sources
from marts.articles
cross join lateral unnest(tags) as tag
where published_at > (select max(published_at) from marts.articles) - interval '7 days'
group by tag
order by stories desc, tag
limit 10;
