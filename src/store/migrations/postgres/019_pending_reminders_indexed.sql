-- 019: PostgreSQL form of sqlite/019_pending_reminders_indexed.sql (see there): a clock's
-- warn time is kept only until its reminder is claimed, and the SLA pass reads the two warn
-- times through indexes that hold only the rows that have one.
UPDATE requests SET sla_first_response_warn_at = NULL
    WHERE sla_first_response_warn_at IS NOT NULL AND EXISTS (SELECT 1 FROM sla_reminders m
        WHERE m.request_id = requests.id AND m.target = 'first_response');
UPDATE requests SET sla_resolution_warn_at = NULL
    WHERE sla_resolution_warn_at IS NOT NULL AND EXISTS (SELECT 1 FROM sla_reminders m
        WHERE m.request_id = requests.id AND m.target = 'resolution');
CREATE INDEX requests_first_response_warn ON requests(sla_first_response_warn_at)
    WHERE sla_first_response_warn_at IS NOT NULL;
CREATE INDEX requests_resolution_warn ON requests(sla_resolution_warn_at)
    WHERE sla_resolution_warn_at IS NOT NULL;
