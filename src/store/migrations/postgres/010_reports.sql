-- 010: what the reports dashboard reads - PostgreSQL form of sqlite/010_reports.sql (see
-- there): each request's first public reply of an agent and first move into resolved/closed,
-- kept on the request by a trigger on events (every writer keeps them right), filled once
-- from the history, read through covering indexes.
ALTER TABLE requests ADD COLUMN first_response_at BIGINT;
ALTER TABLE requests ADD COLUMN first_resolved_at BIGINT;

UPDATE requests SET
    first_response_at = (SELECT MIN(e.created_at) FROM events e JOIN users u ON u.id = e.actor_id
                         WHERE e.request_id = requests.id AND e.kind = 'comment'
                           AND e.internal = 0 AND u.role IN ('agent', 'admin')),
    first_resolved_at = (SELECT MIN(e.created_at) FROM events e
                         WHERE e.request_id = requests.id AND e.kind = 'status'
                           AND e.new_value IN ('resolved', 'closed')
                           AND e.old_value NOT IN ('resolved', 'closed'));

CREATE INDEX requests_first_response ON requests(first_response_at, created_at)
    WHERE first_response_at IS NOT NULL; -- partial: a new request adds no entry
CREATE INDEX requests_first_resolved ON requests(first_resolved_at, created_at)
    WHERE first_resolved_at IS NOT NULL;

CREATE FUNCTION events_first_times() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'comment' AND NEW.internal = 0 THEN
        UPDATE requests SET first_response_at = NEW.created_at
        WHERE id = NEW.request_id
          AND (first_response_at IS NULL OR first_response_at > NEW.created_at)
          AND EXISTS (SELECT 1 FROM users WHERE id = NEW.actor_id AND role IN ('agent', 'admin'));
    ELSIF NEW.kind = 'status' AND NEW.new_value IN ('resolved', 'closed')
          AND NEW.old_value NOT IN ('resolved', 'closed') THEN
        UPDATE requests SET first_resolved_at = NEW.created_at
        WHERE id = NEW.request_id
          AND (first_resolved_at IS NULL OR first_resolved_at > NEW.created_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_first_times AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_first_times();
