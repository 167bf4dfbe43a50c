-- 018: PostgreSQL form of sqlite/018_checks_without_in_lists.sql. PostgreSQL tests an IN
-- list of constants as one array comparison, so its CHECK constraints stay as they are; this
-- file keeps the schema versions of both backends equal (copy-db compares them).
SELECT 1;
