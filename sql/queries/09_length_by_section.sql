-- Story length by section
-- How long each section's stories are: count, median and longest word count.
select coalesce(section, '(none)') as section,
       count(*) as stories,
       percentile_cont(0.5) within group (order by word_count)::integer as median_words,
       max(word_count) as longest
from marts.articles
group by 1
order by stories desc, section;
