-- migrate:up transaction:false
CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
SELECT 3;
-- migrate:down nothing-to-undo
