insert into core.authors (name, first_seen_at)
select n.name, min(a.first_seen_at)
from changed_articles c
join core.articles a on a.article_id = c.article_id
cross join lateral unnest(a.authors) as n (name)
group by n.name
order by n.name  -- a stable lock order between concurrent loads
on conflict (name) do nothing;

delete from core.article_authors where article_id in (select article_id from changed_articles);
insert into core.article_authors (article_id, author_id, position)
select article_id, author_id, row_number() over (partition by article_id order by first_position)
from (
    select c.article_id, w.author_id, min(n.position) as first_position
    from changed_articles c
    join core.articles a on a.article_id = c.article_id
    cross join lateral unnest(a.authors) with ordinality as n (name, position)
    join core.authors w on w.name = n.name
    group by c.article_id, w.author_id
) distinct_authors;

insert into core.tags (name, first_seen_at)
select n.name, min(a.first_seen_at)
from changed_articles c
join core.articles a on a.article_id = c.article_id
cross join lateral unnest(a.tags) as n (name)
group by n.name
order by n.name
on conflict (name) do nothing;

delete from core.article_tags where article_id in (select article_id from changed_articles);
insert into core.article_tags (article_id, tag_id, position)
select article_id, tag_id, row_number() over (partition by article_id order by first_position)
from (
    select c.article_id, t.tag_id, min(n.position) as first_position
    from changed_articles c
    join core.articles a on a.article_id = c.article_id
    cross join lateral unnest(a.tags) with ordinality as n (name, position)
    join core.tags t on t.name = n.name
    group by c.article_id, t.tag_id
) distinct_tags;
