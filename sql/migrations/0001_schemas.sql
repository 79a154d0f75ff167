-- The warehouse's four layers (DESIGN.md "Warehouse").
create schema if not exists ops;
create schema if not exists raw;
create schema if not exists core;
create schema if not exists marts;

comment on schema ops is 'Operations: sources, crawl runs and their stats, failed-URL ledger, feed state.';
comment on schema raw is 'Raw layer: the capture index pointing into WARC files (every fetched response).';
comment on schema core is 'Normalized articles, their versions, authors and tags.';
comment on schema marts is 'Stable, documented views for analysts.';
