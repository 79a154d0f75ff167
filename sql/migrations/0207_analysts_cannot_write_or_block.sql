-- Analysts write nothing and cannot stall the pipeline (issue 12 item 13).
--
-- 1. Loads serialise on a row of ops.load_locks (select ... for update), not on an advisory lock:
--    any role can take any advisory lock key, so an analyst holding the loader's key stalled every
--    load; a row lock needs UPDATE on the table, and analysts cannot even see schema ops.
create table ops.load_locks (
    name text primary key,
    description text not null
);
insert into ops.load_locks (name, description) values
    ('story_assignment', 'held by a load from near-duplicate matching to the end of its transaction: '
                         'what one load decides about stories depends on what another is deciding');
comment on table ops.load_locks is
    'Rows the loader locks (select ... for update) to serialise steps between concurrent loads; '
    'only roles that may update ops tables can take them.';
revoke all on ops.load_locks from public;
grant select, update on ops.load_locks to news_loader;

-- 2. Large objects: every role may create and write them by default, analysts included. Revoking
--    needs the functions' owner (the bootstrap superuser): done here when the migrating role may,
--    else the same statements are in sql/superuser/revoke_large_objects.sql for a DBA to run.
do $$
begin
    if (select rolsuper from pg_roles where rolname = current_user)
       or pg_has_role(current_user, (select proowner from pg_proc where oid = 'pg_catalog.lo_create(oid)'::regprocedure), 'usage') then
        revoke execute on function
            pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid), pg_catalog.lo_from_bytea(oid, bytea),
            pg_catalog.lo_open(oid, integer), pg_catalog.lowrite(integer, bytea), pg_catalog.lo_put(oid, bigint, bytea),
            pg_catalog.lo_truncate(integer, integer), pg_catalog.lo_truncate64(integer, bigint),
            pg_catalog.lo_unlink(oid)
        from public;
    elsif has_function_privilege('public', 'pg_catalog.lo_from_bytea(oid, bytea)', 'execute') then
        raise warning 'every role, analysts included, can still create large objects in this database: '
                      'a superuser should run sql/superuser/revoke_large_objects.sql in it';
    end if;
end
$$;
