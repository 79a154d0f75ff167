-- Stories syndicated across sources
-- Every story that appears on more than one site (reposts, verbatim copies), with how each copy
-- was matched to the original.
select o.source  as original_source,
       o.title   as original_title,
       c.source  as copy_source,
       c.title   as copy_title,
       c.match_method,
       round(c.match_similarity::numeric, 2) as similarity,
       c.published_at - o.published_at       as copied_after
from marts.story_articles c
join marts.articles o on o.story_id = c.story_id
where not c.is_original
order by o.published_at, c.published_at;
