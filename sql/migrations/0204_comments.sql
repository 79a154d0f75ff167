-- COMMENT ON the tables and columns of migrations 0001-0201 (marts are commented where they are
-- created). sql/README.md's data dictionary is generated from these comments.

comment on table ops.schema_migrations is 'Applied migration files (transforms/migrate.py): version, name, checksum.';
comment on column ops.schema_migrations.version is 'Number of the file sql/migrations/NNNN_name.sql.';
comment on column ops.schema_migrations.name is 'Name part of the file.';
comment on column ops.schema_migrations.checksum is 'sha256 of the file as applied; an edited applied file is refused.';
comment on column ops.schema_migrations.applied_at is 'When it was applied (UTC).';

comment on column ops.sources.source is 'Source slug (file name in scrapers/sources/), the key used everywhere.';
comment on column ops.sources.name is 'Human-readable source name.';
comment on column ops.sources.domains is 'Host names the source publishes on.';
comment on column ops.sources.language is 'The source''s main language (ISO 639-1).';
comment on column ops.sources.enabled is 'Whether the daily crawl fetches this source.';
comment on column ops.sources.updated_at is 'When this row was last written from the registry (UTC).';

comment on column ops.crawl_runs.crawl_run_id is 'The crawl''s id (also in its WARC file name).';
comment on column ops.crawl_runs.source is 'Source crawled.';
comment on column ops.crawl_runs.dag_run_id is 'Airflow run that started the crawl (NULL when run by hand).';
comment on column ops.crawl_runs.window_start is 'Start of the publication window crawled (inclusive, UTC).';
comment on column ops.crawl_runs.window_end is 'End of the window (exclusive, UTC).';
comment on column ops.crawl_runs.started_at is 'When the crawl process started (UTC).';
comment on column ops.crawl_runs.finished_at is 'When it finished (UTC).';
comment on column ops.crawl_runs.finish_reason is 'Scrapy''s finish reason (finished, closespider_timeout, shutdown, ...).';
comment on column ops.crawl_runs.status is 'captured (WARC archived), failed (see failure) or loaded (articles in core).';
comment on column ops.crawl_runs.failure is 'Why the run failed, for failed runs.';
comment on column ops.crawl_runs.warc_uri is 'Where the run''s WARC file is archived (path or fsspec URL).';
comment on column ops.crawl_runs.pages_fetched is 'Article pages captured.';
comment on column ops.crawl_runs.requests is 'HTTP requests made.';
comment on column ops.crawl_runs.stats is 'Scrapy and pipeline stats of the run (JSON).';
comment on column ops.crawl_runs.loaded_at is 'When its articles were loaded (UTC).';
comment on column ops.crawl_runs.articles_new is 'Articles loaded for the first time.';
comment on column ops.crawl_runs.articles_updated is 'Articles whose content changed.';
comment on column ops.crawl_runs.articles_unchanged is 'Articles seen again unchanged.';
comment on column ops.crawl_runs.pages_rejected is 'Pages not loaded as articles (reasons in raw.captures).';

comment on column raw.captures.capture_id is 'Capture id.';
comment on column raw.captures.crawl_run_id is 'Crawl run that fetched it.';
comment on column raw.captures.url is 'URL as requested.';
comment on column raw.captures.normalized_url is 'Normalized URL (the key of core.articles.url).';
comment on column raw.captures.kind is 'robots, feed, sitemap, page or other.';
comment on column raw.captures.status is 'HTTP status.';
comment on column raw.captures.content_type is 'Content-Type header.';
comment on column raw.captures.fetched_at is 'When the response was received (UTC).';
comment on column raw.captures.warc_uri is 'WARC file holding the record.';
comment on column raw.captures.warc_offset is 'Byte offset of the response record in that file.';
comment on column raw.captures.warc_length is 'Length of the record in bytes.';
comment on column raw.captures.payload_digest is 'WARC-Payload-Digest of the body.';
comment on column raw.captures.extraction_status is 'article, rejected or failed once extracted; NULL before.';
comment on column raw.captures.extraction_reason is 'Why it was rejected or failed (e.g. not_article:liveblog).';

comment on column core.articles.article_id is 'Article id.';
comment on column core.articles.url is 'Normalized URL: lower-case host, no fragment, no tracking parameters. Unique.';
comment on column core.articles.source is 'Source slug (core.sources).';
comment on column core.articles.canonical_url is 'Canonical URL the page declares.';
comment on column core.articles.title is 'Headline (NFC).';
comment on column core.articles.description is 'Standfirst / description.';
comment on column core.articles.body is 'Article text, paragraphs separated by newlines, boilerplate removed.';
comment on column core.articles.authors is 'Byline in page order, as captured (core.article_authors holds the same, normalized).';
comment on column core.articles.published_at is 'Publication time, UTC; NULL when missing or after the fetch.';
comment on column core.articles.modified_at is 'Modification time the page declares, UTC.';
comment on column core.articles.language is 'ISO 639-1 language code.';
comment on column core.articles.section is 'Site section.';
comment on column core.articles.tags is 'Tags in page order, as captured (core.article_tags holds the same, normalized).';
comment on column core.articles.image_url is 'Lead image URL.';
comment on column core.articles.original_source is 'Original source the page names (a repost''s "Original Source: ..."), as written.';
comment on column core.articles.word_count is 'Words in the body.';
comment on column core.articles.content_hash is 'sha256 hex of title, description, body, authors; a change makes a new version.';
comment on column core.articles.extractor is 'Extractor and its version (e.g. trafilatura 2.3.1 + news-pipeline 1).';
comment on column core.articles.flags is 'Extraction notes, e.g. published_at_in_future, published_at_missing.';
comment on column core.articles.version is 'Current version number (core.article_versions).';
comment on column core.articles.first_seen_at is 'Fetch time of the first capture (UTC).';
comment on column core.articles.last_seen_at is 'Fetch time of the latest capture (UTC).';
comment on column core.articles.last_fetched_at is 'Fetch time of the capture the current content comes from (UTC).';
comment on column core.articles.crawl_run_id is 'Run that loaded the current content.';
comment on column core.articles.search_document is 'Full-text search vector (title A, description B, body C) in the article''s language configuration; GIN-indexed.';

comment on column core.article_versions.article_id is 'The article.';
comment on column core.article_versions.version is 'Version number, from 1.';
comment on column core.article_versions.content_hash is 'sha256 hex of this version''s title, description, body, authors.';
comment on column core.article_versions.title is 'Headline in this version.';
comment on column core.article_versions.description is 'Description in this version.';
comment on column core.article_versions.body is 'Body in this version.';
comment on column core.article_versions.authors is 'Byline in this version.';
comment on column core.article_versions.modified_at is 'Modification time declared in this version.';
comment on column core.article_versions.observed_at is 'Fetch time of the capture that first showed it (UTC).';
comment on column core.article_versions.crawl_run_id is 'Run that loaded it.';
comment on column core.article_versions.changed_fields is 'Fields changed from the previous version (empty for version 1).';

comment on table core.authors is 'Byline names, one row per distinct name (NFC).';
comment on column core.authors.author_id is 'Author id.';
comment on column core.authors.name is 'Name as published.';
comment on column core.authors.first_seen_at is 'When the name was first loaded (UTC).';

comment on table core.article_authors is 'Who wrote what, in byline order.';
comment on column core.article_authors.article_id is 'The article.';
comment on column core.article_authors.author_id is 'The author.';
comment on column core.article_authors.position is 'Place in the byline, from 1.';

comment on table core.tags is 'Tags / topics, one row per distinct name.';
comment on column core.tags.tag_id is 'Tag id.';
comment on column core.tags.name is 'Tag as published.';
comment on column core.tags.first_seen_at is 'When the tag was first loaded (UTC).';

comment on table core.article_tags is 'Tags of each article, in page order.';
comment on column core.article_tags.article_id is 'The article.';
comment on column core.article_tags.tag_id is 'The tag.';
comment on column core.article_tags.position is 'Place in the page''s tag list, from 1.';

comment on view core.sources is 'The configured sources (read-only view of ops.sources, written by the crawl from scrapers/sources/*.toml).';
comment on column core.sources.source is 'Source slug.';
comment on column core.sources.name is 'Source name.';
comment on column core.sources.domains is 'Host names the source publishes on.';
comment on column core.sources.language is 'Main language, ISO 639-1.';
comment on column core.sources.enabled is 'Whether the daily crawl fetches it.';
comment on column core.sources.updated_at is 'When the registry row was last written (UTC).';

comment on table core.article_fingerprints is 'MinHash signature of each article''s title and body (transforms/fingerprint.py).';
comment on column core.article_fingerprints.article_id is 'The article.';
comment on column core.article_fingerprints.content_hash is 'Content hash of the text fingerprinted (equal to the article''s while current).';
comment on column core.article_fingerprints.fingerprint_version is 'Recipe version (transforms.fingerprint.FINGERPRINT_VERSION).';
comment on column core.article_fingerprints.minhash is '64 one-permutation MinHash values over word 4-shingles.';
comment on column core.article_fingerprints.shingles is 'Distinct shingles in the text.';
comment on column core.article_fingerprints.computed_at is 'When it was computed (UTC).';

comment on table core.article_fingerprint_bands is 'LSH index: 16 bands of 4 MinHash values each; articles sharing a band are compared.';
comment on column core.article_fingerprint_bands.band is 'Band number, 0-15.';
comment on column core.article_fingerprint_bands.band_key is 'Hash of the band''s 4 values.';
comment on column core.article_fingerprint_bands.article_id is 'The article.';

comment on table core.article_matches is 'Pairs of articles found to be the same story: near-duplicate text, or a repost and the original it names.';
comment on column core.article_matches.article_id is 'The copy (repost) for original_source; the newer id of the pair for near_duplicate.';
comment on column core.article_matches.matched_article_id is 'The original for original_source; the older id for near_duplicate.';
comment on column core.article_matches.method is 'near_duplicate or original_source.';
comment on column core.article_matches.similarity is 'Estimated shingle Jaccard (near_duplicate) or lexeme Jaccard (original_source), 0..1.';
comment on column core.article_matches.matched_at is 'When the match was made (UTC).';

comment on table core.article_clusters is 'The story each article belongs to: connected components of core.article_matches, kept by the loader.';
comment on column core.article_clusters.article_id is 'The article.';
comment on column core.article_clusters.story_id is 'The story''s original: the article that names no original source, earliest published, then first seen.';
comment on column core.article_clusters.updated_at is 'When the assignment last changed (UTC).';
