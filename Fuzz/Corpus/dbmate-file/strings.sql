-- migrate:up transaction:false
INSERT INTO t VALUES ('it''s; fine', E'\\n;', U&'d\\0061t;a', "quoted;ident");
SELECT $1;
-- migrate:down nothing-to-undo
