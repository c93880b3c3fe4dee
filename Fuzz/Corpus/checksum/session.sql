xSET search_path TO app, public;
SELECT pg_catalog.set_config('search_path', '', false);
SET standard_conforming_strings = off;
SELECT 'a\\';b';
