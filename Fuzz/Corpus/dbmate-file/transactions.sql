-- migrate:up transaction:false
BEGIN;
CREATE TABLE a (id int);
SAVEPOINT s; ROLLBACK TO SAVEPOINT s;
COMMIT;
START TRANSACTION ISOLATION LEVEL SERIALIZABLE; END;
-- migrate:down nothing-to-undo
