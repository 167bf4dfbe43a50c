-- 009: what the agents' queues (/desk) read. In the default order (last update) a page - first
-- or last - reads about a page of index entries, and every count reads index entries only
-- (covering):
--   unassigned and mine: partial indexes over open requests by assignee (NULL = unassigned);
--     the first one also counts "all open" (its whole length); id before status keeps the
--     order (updated_at, id) of the keyset, status makes the counts covering;
--   waiting for customer / support: requests_status (002) and two more by status;
--   all open: requests_updated / requests_created (002, 003) and the rank index, filtered;
--   recently resolved: by resolved_at (a few days' worth, sorted in memory).
-- Sorting a queue by creation or priority sorts that queue's rows in memory: every index on
-- requests costs each new request and each update a write, so only the default order and the
-- counts have indexes of their own.
-- priority_rank orders priorities (critical 4, high 3, medium 2, low 1) for the priority sort
-- and its keyset. SQLite-specific: a VIRTUAL generated column (PostgreSQL: GENERATED ALWAYS
-- AS (...) STORED). Partial indexes: the same syntax in both.
ALTER TABLE requests ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS (CASE priority
    WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) VIRTUAL;
CREATE INDEX requests_open_assignee ON requests(assignee_id, updated_at, id, status)
    WHERE status NOT IN ('resolved', 'closed');
-- "recently resolved" reads requests_resolved_at (status, resolved_at) from 005
CREATE INDEX IF NOT EXISTS users_organization ON users(organization_id); -- also in 004
