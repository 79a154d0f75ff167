-- Versions from %(from)s on move up one, to make room for an earlier one. Two steps: the primary
-- key is checked row by row, so the rows first go out of the way.
update core.article_versions set version = version + 1000000
where article_id = %(article_id)s and version >= %(from)s;
update core.article_versions set version = version - 999999
where article_id = %(article_id)s and version > 1000000
