-- 012: fewer index entries per new or changed request (each is a write on every create).
-- Only requests shared with an organization need an entry by organization (the trigger that
-- gives a new member the organization's requests reads it); the SLA pass looks for requests
-- whose due times are stale, which a partial index holds exactly (the old full index still
-- had to be walked whole for "sla_updated_at <> updated_at").
DROP INDEX requests_org;
CREATE INDEX requests_org ON requests(organization_id, updated_at, id)
    WHERE organization_id IS NOT NULL;
DROP INDEX requests_sla_stale;
CREATE INDEX requests_sla_stale ON requests(id) WHERE sla_updated_at <> updated_at;

-- PostgreSQL only: the customer list filters on `reported` while it walks these indexes. With
-- the column in the index the walk is index-only, and the generic plan of the prepared list
-- statement (chosen after five executions, from average statistics that know nothing of a
-- customer with thousands of requests) keeps the ordered backward scan that stops after a
-- page, instead of a bitmap scan of all the customer's rows and a sort (measured with 20,000
-- requests, 2,000 of one customer: 25 ms -> 0.3 ms).
DROP INDEX request_access_updated;
CREATE INDEX request_access_updated ON request_access(user_id, updated_at, request_id)
    INCLUDE (reported);
DROP INDEX request_access_created;
CREATE INDEX request_access_created ON request_access(user_id, created_at, request_id)
    INCLUDE (reported);
