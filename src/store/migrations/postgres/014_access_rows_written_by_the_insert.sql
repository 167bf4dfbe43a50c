-- 014: PostgreSQL form of sqlite/014_access_rows_written_by_the_insert.sql (see there): a new
-- request's access rows come from store_request_insert with their list columns; the trigger
-- that fills those columns runs only for rows that arrive without them.
DROP TRIGGER request_access_request_created ON requests;
DROP FUNCTION request_access_request_created();
DROP TRIGGER request_access_listed ON request_access;
CREATE TRIGGER request_access_listed BEFORE INSERT ON request_access
    FOR EACH ROW WHEN (NEW.number = 0) EXECUTE FUNCTION request_access_listed();
