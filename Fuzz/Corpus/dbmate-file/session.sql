-- migrate:up transaction:false
SET search_path TO app, public;
SELECT pg_catalog.set_config('search_path', '', false);
SET standard_conforming_strings = off;
SELECT 'a\\';b';
-- migrate:down nothing-to-undo
