create table core.articles (
    article_id       bigint generated always as identity primary key,
    url              text not null unique,
    source           text not null references ops.sources (source),
    canonical_url    text,
    title            text not null check (title <> ''),
    description      text,
    body             text not null,
    authors          text[] not null default '{}',
    published_at     timestamptz,
    modified_at      timestamptz,
    language         text check (language ~ '^[a-z]{2}$'),
    section          text,
    tags             text[] not null default '{}',
    image_url        text,
    original_source  text,
    word_count       integer not null check (word_count >= 0),
    content_hash     text not null check (content_hash ~ '^[0-9a-f]{64}$'),
    extractor        text not null,
    flags            text[] not null default '{}',
    version          integer not null default 1 check (version >= 1),
    first_seen_at    timestamptz not null,
    last_seen_at     timestamptz not null,
    last_fetched_at  timestamptz not null,
    crawl_run_id     uuid not null references ops.crawl_runs (crawl_run_id)
);
create index articles_source_published on core.articles (source, published_at desc);
create index articles_published on core.articles (published_at desc);
comment on table core.articles is 'One row per normalized article URL: its current content.';

create table core.article_versions (
    article_id    bigint not null references core.articles (article_id) on delete cascade,
    version       integer not null check (version >= 1),
    content_hash  text not null,
    title         text not null,
    description   text,
    body          text not null,
    authors       text[] not null,
    modified_at   timestamptz,
    observed_at   timestamptz not null,
    crawl_run_id  uuid not null references ops.crawl_runs (crawl_run_id),
    primary key (article_id, version)
);
comment on table core.article_versions is 'A row each time an article''s content hash changed (version 1 is the first capture).';
