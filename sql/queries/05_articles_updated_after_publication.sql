-- Articles updated after publication
-- Stories whose page declares a modification after publication, or whose text we saw change
-- (version > 1), most-delayed update first.
select source, title, published_at, modified_at,
       modified_at - published_at as updated_after,
       version                    as versions_seen
from marts.articles
where modified_at > published_at or version > 1
order by updated_after desc nulls last, title
limit 10;
