xCREATE TABLE c (a int, b text);
COPY c (a, b) FROM stdin;
1	one;
2	two
\.
SELECT count(*) FROM c;
