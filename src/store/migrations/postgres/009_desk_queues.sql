-- 009: what the agents' queues (/desk) read - PostgreSQL form of sqlite/009_desk_queues.sql
-- (see there). priority_rank is a STORED generated column here (SQLite: VIRTUAL); copy-db
-- never writes it (it lists the columns it copies).
ALTER TABLE requests ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS (CASE priority
    WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) STORED;
CREATE INDEX requests_open_assignee ON requests(assignee_id, updated_at, id, status)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX IF NOT EXISTS users_organization ON users(organization_id); -- also in 004
