.bail on
CREATE TABLE a (x);
.mode csv
INSERT INTO a VALUES ('x;y');
