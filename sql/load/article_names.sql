-- The names an article lists (its authors, or its tags) into their own table, and the article's
-- links to them in the order the article gives them; the same statement serves both lists.
insert into core.{{names_table}} (name, first_seen_at)
select n.name, min(a.first_seen_at)
from changed_articles c
join core.articles a on a.article_id = c.article_id
cross join lateral unnest(a.{{names_table}}) as n (name)
group by n.name
order by n.name  -- a stable lock order between concurrent loads
on conflict (name) do nothing;

delete from core.{{links_table}} where article_id in (select article_id from changed_articles);
insert into core.{{links_table}} (article_id, {{name_id}}, position)
select article_id, {{name_id}}, row_number() over (partition by article_id order by first_position)
from (
    select c.article_id, w.{{name_id}}, min(n.position) as first_position
    from changed_articles c
    join core.articles a on a.article_id = c.article_id
    cross join lateral unnest(a.{{names_table}}) with ordinality as n (name, position)
    join core.{{names_table}} w on w.name = n.name
    group by c.article_id, w.{{name_id}}
) distinct_names;
