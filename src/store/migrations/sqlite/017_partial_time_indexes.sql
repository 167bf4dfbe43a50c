-- 017: a new request has neither resolved_at nor sla_attention_at (the SLA pass sets the
-- latter after the commit), so their indexes only need the rows that have one: creating a
-- request then writes two B-trees fewer inside the writer's turn. Every query that reads
-- them compares the column (resolved_at <= ?, >= ?; sla_attention_at <= ?), which implies
-- IS NOT NULL, so SQLite and PostgreSQL still use them.
DROP INDEX requests_resolved_at;
CREATE INDEX requests_resolved_at ON requests(status, resolved_at) WHERE resolved_at IS NOT NULL;
DROP INDEX requests_sla_attention;
CREATE INDEX requests_sla_attention ON requests(sla_attention_at)
    WHERE sla_attention_at IS NOT NULL;
