-- migrate:up
CREATE TABLE users (
  id integer PRIMARY KEY,
  email varchar(255) NOT NULL
);

-- migrate:down
DROP TABLE users;
