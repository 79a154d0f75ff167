-- Roles (FAULTS.md 31): news_loader writes ops/raw/core; news_analyst reads core and marts only,
-- cannot write, cannot create anything, cannot read ops or raw; the same holds for tables created
-- later, through default privileges.
--
-- Both are group roles (NOLOGIN): grant them to login roles, e.g.
--   create role alice login password '...' in role news_analyst;
-- Roles belong to the whole server, so this file creates them only when missing, and tolerates a
-- concurrent migration of another database creating them at the same moment. The migrating role
-- needs CREATEROLE the first time (the local cluster's "news" has it). Default privileges apply
-- to objects created by the role that runs the migrations: keep running them as that role.

do $$
declare
    wanted text;
begin
    foreach wanted in array array['news_loader', 'news_analyst'] loop
        if not exists (select from pg_roles where rolname = wanted) then
            begin
                execute format('create role %I nologin', wanted);
            exception when duplicate_object or unique_violation then
                null;  -- created by a concurrent migration of another database
            end;
        end if;
    end loop;
end
$$;

-- Nothing for anyone by default: not the schemas, not temporary tables (analysts get no DDL at
-- all, temporary tables included; the loader needs them for COPY staging).
revoke all on schema ops, raw, core, marts from public;
revoke create on schema public from public;
do $$
begin
    execute format('revoke temporary, create on database %I from public', current_database());
    execute format('grant connect on database %I to news_loader, news_analyst', current_database());
    execute format('grant temporary on database %I to news_loader', current_database());
end
$$;

-- The loader.
grant usage on schema ops, raw, core, marts to news_loader;
grant select, insert, update, delete on all tables in schema ops, raw, core to news_loader;
grant usage, select on all sequences in schema ops, raw, core to news_loader;
grant select on all tables in schema marts to news_loader;
revoke insert, update, delete on ops.schema_migrations from news_loader;
alter default privileges in schema ops, raw, core grant select, insert, update, delete on tables to news_loader;
alter default privileges in schema ops, raw, core grant usage, select on sequences to news_loader;
alter default privileges in schema marts grant select on tables to news_loader;

-- The analyst.
grant usage on schema core, marts to news_analyst;
grant select on all tables in schema core, marts to news_analyst;
alter default privileges in schema core, marts grant select on tables to news_analyst;
-- Functions are executable by everyone by default; the analyst's search needs nothing more.

comment on role news_loader is 'Writes the warehouse (ops, raw, core): the pipeline''s tasks. Grant it to the loader''s login role.';
comment on role news_analyst is 'Reads core and marts, writes nothing, creates nothing, cannot read ops or raw. Grant it to analysts'' login roles.';
