
CREATE INDEX users_email_index ON users (email);

