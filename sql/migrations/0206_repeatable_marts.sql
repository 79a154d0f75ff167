-- The marts are defined by the repeatable files in sql/marts/ from now on (common/migrate.py
-- recreates them whenever a file changes); their bookkeeping table is created by the runner,
-- like ops.schema_migrations, and is the migrating role's alone: the loader may not write it.

revoke insert, update, delete on ops.schema_repeatables from news_loader;

comment on table ops.schema_repeatables is 'Repeatable SQL files (sql/marts/*.sql) as last applied; a changed file recreates the marts.';
comment on column ops.schema_repeatables.name is 'File name without .sql: the object it defines in schema marts.';
comment on column ops.schema_repeatables.checksum is 'sha256 of the file as applied.';
comment on column ops.schema_repeatables.applied_at is 'When it was applied (UTC).';
