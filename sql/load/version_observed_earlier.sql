-- A version's content was already there at an older capture: it was first observed then.
update core.article_versions set observed_at = %(observed_at)s
where article_id = %(article_id)s and version = %(version)s and observed_at > %(observed_at)s
