select coalesce(bool_or('lz4' = any(enumvals)), false) from pg_settings where name = 'default_toast_compression'
