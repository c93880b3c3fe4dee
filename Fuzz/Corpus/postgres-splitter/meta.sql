\set ON_ERROR_STOP on
SELECT 1;
\restrict abc
CREATE TABLE x (id int);
\unrestrict abc
