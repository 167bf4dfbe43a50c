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
