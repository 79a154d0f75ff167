-- Articles per source per day
-- Stories and copies each source published per UTC day, for the 7 most recent days with articles
-- (use `day >= current_date - 7` for "the last week" on a live warehouse).
select day, source_name, articles, stories, copies, undated, words
from marts.daily_source_counts
where day > (select max(day) from marts.daily_source_counts) - 7
order by day desc, articles desc, source_name;
