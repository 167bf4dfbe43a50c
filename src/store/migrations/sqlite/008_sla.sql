-- 008: SLAs - the working-hours calendar (time zone in settings, hours per weekday, holidays),
-- targets per priority, the computed due times on each request (so queues can filter and sort
-- in SQL) and the reminder mails already sent (one per request and target, across instances).
INSERT INTO settings (name, value) VALUES ('sla_time_zone', 'Europe/Berlin');

CREATE TABLE sla_hours (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    open_minute INTEGER NOT NULL CHECK (open_minute BETWEEN 0 AND 1440),
    close_minute INTEGER NOT NULL CHECK (close_minute BETWEEN 0 AND 1440) -- equal: day off
);
INSERT INTO sla_hours (weekday, open_minute, close_minute) VALUES
    (1, 480, 1020), (2, 480, 1020), (3, 480, 1020), (4, 480, 1020), (5, 480, 1020),
    (6, 0, 0), (7, 0, 0);

CREATE TABLE sla_holidays (
    day TEXT PRIMARY KEY,                -- local date YYYY-MM-DD
    name TEXT NOT NULL DEFAULT ''
);

-- business minutes; a business day of the default calendar is 9 hours
CREATE TABLE sla_targets (
    priority TEXT PRIMARY KEY CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0)
);
INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes) VALUES
    ('critical', 60, 480), ('high', 240, 1080), ('medium', 480, 2700), ('low', 1080, 5400);

-- Computed by the SLA pass from the request's history (domain/sla_service.c). NULL = unknown
-- or not applicable (paused, done, no target). sla_attention_at: from then on the request is
-- "at risk or breached" (queue condition: sla_attention_at <= now). sla_updated_at: the
-- requests.updated_at the columns were computed from; -1 = compute again.
ALTER TABLE requests ADD COLUMN sla_first_response_due_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_resolution_due_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_first_response_warn_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_resolution_warn_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_attention_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_updated_at INTEGER NOT NULL DEFAULT -1;
CREATE INDEX requests_sla_attention ON requests(sla_attention_at);
CREATE INDEX requests_sla_stale ON requests(sla_updated_at, updated_at);

CREATE TABLE sla_reminders (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    target TEXT NOT NULL CHECK (target IN ('first_response', 'resolution')),
    due_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, target)
);
