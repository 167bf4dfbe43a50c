-- 010: what the reports dashboard reads, kept cheap at 100,000s of requests.
-- Each request's first public reply of an agent and its first move into resolved/closed are
-- kept on the request itself (a cached aggregate), maintained by triggers on events - so
-- every writer (portal, desk, mail-in, imports) keeps them right without knowing about
-- reports - and filled once here from the existing history. "First" is the earliest time,
-- whatever order events arrive in. A comment counts when its author is an agent or admin at
-- the time it is written.
-- SQLite-specific: the CREATE TRIGGER syntax (PostgreSQL needs a plpgsql trigger function).
ALTER TABLE requests ADD COLUMN first_response_at INTEGER;
ALTER TABLE requests ADD COLUMN first_resolved_at INTEGER;

UPDATE requests SET
    first_response_at = (SELECT MIN(e.created_at) FROM events e JOIN users u ON u.id = e.actor_id
                         WHERE e.request_id = requests.id AND e.kind = 'comment'
                           AND e.internal = 0 AND u.role IN ('agent', 'admin')),
    first_resolved_at = (SELECT MIN(e.created_at) FROM events e
                         WHERE e.request_id = requests.id AND e.kind = 'status'
                           AND e.new_value IN ('resolved', 'closed')
                           AND e.old_value NOT IN ('resolved', 'closed'));

-- resolutions per day and the weekly medians read (time, created_at) straight from these
-- covering indexes
CREATE INDEX requests_first_response ON requests(first_response_at, created_at)
    WHERE first_response_at IS NOT NULL; -- partial: a new request adds no entry
CREATE INDEX requests_first_resolved ON requests(first_resolved_at, created_at)
    WHERE first_resolved_at IS NOT NULL;

CREATE TRIGGER events_first_response AFTER INSERT ON events
WHEN NEW.kind = 'comment' AND NEW.internal = 0
BEGIN
    UPDATE requests SET first_response_at = NEW.created_at
    WHERE id = NEW.request_id
      AND (first_response_at IS NULL OR first_response_at > NEW.created_at)
      AND EXISTS (SELECT 1 FROM users WHERE id = NEW.actor_id AND role IN ('agent', 'admin'));
END;

CREATE TRIGGER events_first_resolution AFTER INSERT ON events
WHEN NEW.kind = 'status' AND NEW.new_value IN ('resolved', 'closed')
     AND NEW.old_value NOT IN ('resolved', 'closed')
BEGIN
    UPDATE requests SET first_resolved_at = NEW.created_at
    WHERE id = NEW.request_id
      AND (first_resolved_at IS NULL OR first_resolved_at > NEW.created_at);
END;
