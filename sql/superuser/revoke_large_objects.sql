-- Run as a superuser (or the owner of pg_catalog's functions) in the warehouse database and in
-- template1 (databases created later copy its privileges). Every role may create and write large
-- objects by default; the pipeline uses none, and an analyst must write nothing.
-- Migration 0207 does the same when the migrating role may; tools/pg.sh runs this file on the
-- local cluster. On a configured server, a DBA runs it once: psql -d <warehouse> -f this file.
-- Server-side lo_import/lo_export are superuser-only already.
revoke execute on function
    pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid), pg_catalog.lo_from_bytea(oid, bytea),
    pg_catalog.lo_open(oid, integer), pg_catalog.lowrite(integer, bytea), pg_catalog.lo_put(oid, bigint, bytea),
    pg_catalog.lo_truncate(integer, integer), pg_catalog.lo_truncate64(integer, bigint),
    pg_catalog.lo_unlink(oid)
from public;
