-- 013: PostgreSQL form of sqlite/013_list_columns_in_access.sql (see there): request_access
-- carries the request's list columns, the list's index includes them (an index-only scan
-- where the visibility map allows), a new row gets them in a BEFORE trigger, a changed
-- request updates them in all its rows.
ALTER TABLE request_access ADD COLUMN number BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN type_id BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reporter_id BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN status TEXT NOT NULL DEFAULT 'open',
    ADD COLUMN summary TEXT NOT NULL DEFAULT '';
UPDATE request_access a SET number = r.number, type_id = r.type_id,
    reporter_id = r.reporter_id, status = r.status, summary = r.summary
    FROM requests r WHERE r.id = a.request_id;
DROP INDEX request_access_updated;
CREATE INDEX request_access_list ON request_access(user_id, updated_at, request_id)
    INCLUDE (reported, number, type_id, reporter_id, status, created_at, summary);

CREATE FUNCTION request_access_listed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.number, r.type_id, r.reporter_id, r.status, r.summary
        INTO NEW.number, NEW.type_id, NEW.reporter_id, NEW.status, NEW.summary
        FROM requests r WHERE r.id = NEW.request_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER request_access_listed BEFORE INSERT ON request_access
    FOR EACH ROW EXECUTE FUNCTION request_access_listed();

CREATE OR REPLACE FUNCTION request_access_request_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET updated_at = NEW.updated_at, created_at = NEW.created_at,
        number = NEW.number, type_id = NEW.type_id, reporter_id = NEW.reporter_id,
        status = NEW.status, summary = NEW.summary
        WHERE request_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER request_access_request_touched ON requests;
CREATE TRIGGER request_access_request_touched AFTER UPDATE OF updated_at, created_at, number,
    type_id, reporter_id, status, summary ON requests
    FOR EACH ROW
    WHEN (NEW.updated_at <> OLD.updated_at OR NEW.created_at <> OLD.created_at
          OR NEW.number <> OLD.number OR NEW.type_id <> OLD.type_id
          OR NEW.reporter_id <> OLD.reporter_id OR NEW.status <> OLD.status
          OR NEW.summary <> OLD.summary)
    EXECUTE FUNCTION request_access_request_touched();
