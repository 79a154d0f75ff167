-- A topic's coverage over time
-- Stories per day tagged "Climate Crisis" or mentioning climate in their text, and their share of
-- all stories that day. Copies are folded, so a reposted story counts once.
with topic as (
    select story_id
    from marts.articles
    where 'Climate Crisis' = any (tags)
    union
    select story_id
    from marts.search_articles('climate', max_results => 1000)
)
select (a.published_at at time zone 'UTC')::date                     as day,
       count(*) filter (where t.story_id is not null)                as topic_stories,
       count(*)                                                      as all_stories,
       round(100.0 * count(*) filter (where t.story_id is not null) / count(*), 1) as percent
from marts.articles a
left join topic t on t.story_id = a.story_id
where a.published_at is not null
group by 1
order by 1;
