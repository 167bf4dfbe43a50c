-- 019: the SLA pass looked for reminders to send by reading every open request whose
-- attention time had passed and checking its reminder rows - also the ones reminded long ago,
-- which stay overdue until they are resolved (18,688 rows every 30 s with 100,000 requests).
-- A clock's warn time is now kept only until its reminder is claimed, and the pass reads the
-- two warn times through indexes that hold only the rows that have one.
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
