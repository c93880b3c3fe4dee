-- a comment; with a semicolon
/* block /* nested */ still; */ SELECT 1;
SELECT 2 -- trailing
;
