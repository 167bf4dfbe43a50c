-- 003: request numbers from one counter row (allocated inside the creating transaction: the
-- row lock makes concurrent creators on any number of instances take turns), and the indexes
-- the "Anfragen" list pages through by creation time. PostgreSQL form of
-- sqlite/003_request_numbers.sql.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value)
    SELECT 'request_number', COALESCE(MAX(number), 0) FROM requests;

CREATE INDEX requests_reporter_created ON requests(reporter_id, created_at, id);
CREATE INDEX requests_org_created ON requests(organization_id, created_at, id);
CREATE INDEX requests_created ON requests(created_at, id);
