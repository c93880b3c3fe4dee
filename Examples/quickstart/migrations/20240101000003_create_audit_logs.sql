-- migrate:up
CREATE TABLE audit_logs (
  id integer PRIMARY KEY,
  user_id integer REFERENCES users (id),
  action text NOT NULL,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP
);
-- A semicolon inside a string does not end the statement; a trigger body may hold several.
CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN
  INSERT INTO audit_logs (user_id, action) VALUES (new.id, 'user created; welcome');
END;

-- migrate:down
DROP TRIGGER users_audit;
DROP TABLE audit_logs;
