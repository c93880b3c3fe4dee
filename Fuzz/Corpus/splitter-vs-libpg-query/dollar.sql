CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
CREATE FUNCTION g() RETURNS text AS $body$ select 'a;b' $body$ LANGUAGE sql;
