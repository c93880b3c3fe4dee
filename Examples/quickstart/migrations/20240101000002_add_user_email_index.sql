-- migrate:up
CREATE UNIQUE INDEX users_email_index ON users (email);

-- migrate:down
DROP INDEX users_email_index;
