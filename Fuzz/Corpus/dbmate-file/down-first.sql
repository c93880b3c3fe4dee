-- migrate:down
DROP TABLE b;
--migrate:up  transaction:own
CREATE TABLE b (id int);