-- Issue 13 point 10: conditional GET on successive daily runs. A full answer keeps what its listing
-- held for later windows, so a 304 (the listing unchanged) hides nothing; and each feed counts the
-- downloads 304s saved.

alter table ops.feed_state
    add column validators_pending jsonb,
    add column not_modified_count integer not null default 0;
comment on column ops.feed_state.validators_pending is
    'What the answer that stored the validators listed for later windows: article URLs dated after that run''s window and child sitemaps, as [{"url", "published", "kind": "page"|"sitemap"}]. A run whose window starts no earlier sends the validators; on a 304 it follows these as if the feed had listed them. NULL: not recorded (validators then only sent to runs inside the stored window).';
comment on column ops.feed_state.validators_window_start is
    'Window of the run that stored the validators. They are sent by runs whose window starts no earlier (with validators_pending), or lies inside it: an earlier window would lose items that run skipped as too old.';
comment on column ops.feed_state.not_modified_count is
    'How many fetches of this feed or sitemap were answered 304 Not Modified: downloads conditional GET saved.';
