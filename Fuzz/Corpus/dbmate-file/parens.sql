-- migrate:up transaction:false
CREATE TABLE p (c int CHECK (c > (SELECT 1)));
CREATE RULE r AS ON INSERT TO p DO ALSO (NOTIFY p; NOTIFY q);
-- migrate:down nothing-to-undo
