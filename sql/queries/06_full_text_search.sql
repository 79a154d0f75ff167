-- Full-text search
-- Stories about cocoa or the export levy, best match first: web-search syntax ("a phrase", -word,
-- or), stemming in each article's language, one row per story (copies folded, counted in copies).
select source, published_at, title, copies, round(rank::numeric, 3) as rank, snippet
from marts.search_articles('cocoa or "export levy"', since => '2026-11-01');
