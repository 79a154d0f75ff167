-- Which compared columns of these versions differ from the version before each (none for version 1).
update core.article_versions u
set changed_fields = coalesce((
    select array_remove(array[
               {{changed_field_tests}}], null)
    from core.article_versions p
    where p.article_id = u.article_id and p.version = u.version - 1), '{}')
where u.article_id = %(article_id)s and u.version = any(%(versions)s)
