SELECT [weird;name], `back;tick`, "dq;", 'sq;' FROM a; -- c
/* not /* nested */ SELECT 2;
