-- migrate:up
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  title VARCHAR(255) NOT NULL
);

-- migrate:down
DROP TABLE posts;
