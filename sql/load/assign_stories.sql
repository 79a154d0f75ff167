-- Each article's story (execute_values fills VALUES with (article_id, story_id) pairs); rows whose
-- story did not change are left alone.
insert into core.article_clusters as c (article_id, story_id, updated_at) values %s
on conflict (article_id) do update set story_id = excluded.story_id, updated_at = excluded.updated_at
where c.story_id <> excluded.story_id
