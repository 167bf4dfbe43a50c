-- 008: SLAs - PostgreSQL form of sqlite/008_sla.sql (conventions: ../README).
INSERT INTO settings (name, value) VALUES ('sla_time_zone', 'Europe/Berlin');

CREATE TABLE sla_hours (
    weekday INTEGER PRIMARY KEY CHECK (weekday BETWEEN 1 AND 7),
    open_minute INTEGER NOT NULL CHECK (open_minute BETWEEN 0 AND 1440),
    close_minute INTEGER NOT NULL CHECK (close_minute BETWEEN 0 AND 1440)
);
INSERT INTO sla_hours (weekday, open_minute, close_minute) VALUES
    (1, 480, 1020), (2, 480, 1020), (3, 480, 1020), (4, 480, 1020), (5, 480, 1020),
    (6, 0, 0), (7, 0, 0);

CREATE TABLE sla_holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sla_targets (
    priority TEXT PRIMARY KEY CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    first_response_minutes BIGINT NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes BIGINT NOT NULL CHECK (resolution_minutes > 0)
);
INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes) VALUES
    ('critical', 60, 480), ('high', 240, 1080), ('medium', 480, 2700), ('low', 1080, 5400);

ALTER TABLE requests ADD COLUMN sla_first_response_due_at BIGINT;
ALTER TABLE requests ADD COLUMN sla_resolution_due_at BIGINT;
ALTER TABLE requests ADD COLUMN sla_first_response_warn_at BIGINT;
ALTER TABLE requests ADD COLUMN sla_resolution_warn_at BIGINT;
ALTER TABLE requests ADD COLUMN sla_attention_at BIGINT;
ALTER TABLE requests ADD COLUMN sla_updated_at BIGINT NOT NULL DEFAULT -1;
CREATE INDEX requests_sla_attention ON requests(sla_attention_at);
CREATE INDEX requests_sla_stale ON requests(sla_updated_at, updated_at);

CREATE TABLE sla_reminders (
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    target TEXT NOT NULL CHECK (target IN ('first_response', 'resolution')),
    due_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, target)
);
