-- Analysts' multi-step work needs temporary tables: news_analyst gets TEMPORARY on the warehouse
-- database and nothing else (still no CREATE on any schema, no writes to permanent tables).
--
-- Times display in UTC whatever the server's own TimeZone: set on the warehouse database (every
-- session on it, the analysts' login roles included) and on both group roles. PostgreSQL applies
-- a role's settings only to sessions that log in as that very role, never to its members, so the
-- database setting is the one analysts' logins get; a login's own `alter role ... set timezone`
-- still wins over it, as PostgreSQL intends.
--
-- The database's name differs between installations and tests: composed with format(%I).

do $$
begin
    execute format('grant temporary on database %I to news_analyst', current_database());
    execute format('alter database %I set timezone = %L', current_database(), 'UTC');
end
$$;

-- Roles belong to the whole server: set only where missing, and let a concurrent migration of
-- another database win the race (its catalog update collides with ours: unique_violation on the
-- first write, "tuple concurrently updated" after). Changing a role takes CREATEROLE, as 0203
-- did; without it the database setting above still applies, and the warning says what to run.
do $$
declare
    group_role text;
begin
    foreach group_role in array array['news_analyst', 'news_loader'] loop
        if not exists (select from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
                       where r.rolname = group_role and s.setdatabase = 0
                         and 'TimeZone=UTC' = any(s.setconfig)) then
            begin
                execute format('alter role %I set timezone = %L', group_role, 'UTC');
            exception
                when unique_violation or internal_error then
                    null;  -- set at the same moment by a concurrent migration
                when insufficient_privilege then
                    raise warning 'could not set timezone on role %: run "alter role % set timezone = ''UTC''" as a role with CREATEROLE',
                        group_role, group_role;
            end;
        end if;
    end loop;
end
$$;

comment on role news_analyst is 'Reads core and marts, writes nothing, creates nothing but temporary tables, cannot read ops or raw. Grant it to analysts'' login roles.';
