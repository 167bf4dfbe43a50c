-- 004: (1) request_access - one row per (request, user who may see it as a customer), kept
-- up to date by triggers, so the "Anfragen" list of a customer is one index range scan in
-- the order it shows instead of a merge of three streams (created, participant, organization).
-- (2) outbox_bodies - the message bytes move out of the outbox row, so claiming and marking a
-- mail rewrites a small row instead of the whole message (SQLite rewrites a row's overflow
-- pages on every UPDATE).

CREATE TABLE request_access (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reported INTEGER NOT NULL DEFAULT 0,      -- the user created the request
    participant INTEGER NOT NULL DEFAULT 0,   -- the user was added as a participant
    organization INTEGER NOT NULL DEFAULT 0,  -- shared with the user's organization
    updated_at INTEGER NOT NULL,              -- copies of the request's sort keys
    created_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, user_id)
) WITHOUT ROWID;
CREATE INDEX request_access_updated ON request_access(user_id, updated_at, request_id);
CREATE INDEX request_access_created ON request_access(user_id, created_at, request_id);
CREATE INDEX users_organization ON users(organization_id);

-- the organization branch of the old list read this one; request_access replaces it
DROP INDEX requests_org_created;

INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
    SELECT id, reporter_id, 1, updated_at, created_at FROM requests;
INSERT INTO request_access (request_id, user_id, participant, updated_at, created_at)
    SELECT r.id, p.user_id, 1, r.updated_at, r.created_at
    FROM participants p JOIN requests r ON r.id = p.request_id WHERE true
    ON CONFLICT (request_id, user_id) DO UPDATE SET participant = 1;
INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
    SELECT r.id, u.id, 1, r.updated_at, r.created_at
    FROM requests r JOIN users u ON u.organization_id = r.organization_id WHERE true
    ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;

-- a new request: its reporter, and the reporter's organization when shared at once
CREATE TRIGGER request_access_request_created AFTER INSERT ON requests BEGIN
    INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
        VALUES (NEW.id, NEW.reporter_id, 1, NEW.updated_at, NEW.created_at)
        ON CONFLICT (request_id, user_id) DO UPDATE SET reported = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT NEW.id, u.id, 1, NEW.updated_at, NEW.created_at FROM users u
        WHERE NEW.organization_id IS NOT NULL AND u.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
END;

CREATE TRIGGER request_access_request_touched AFTER UPDATE OF updated_at, created_at ON requests
WHEN NEW.updated_at <> OLD.updated_at OR NEW.created_at <> OLD.created_at BEGIN
    UPDATE request_access SET updated_at = NEW.updated_at, created_at = NEW.created_at
        WHERE request_id = NEW.id;
END;

CREATE TRIGGER request_access_request_reporter AFTER UPDATE OF reporter_id ON requests
WHEN NEW.reporter_id <> OLD.reporter_id BEGIN
    UPDATE request_access SET reported = 0 WHERE request_id = NEW.id AND user_id = OLD.reporter_id;
    INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
        VALUES (NEW.id, NEW.reporter_id, 1, NEW.updated_at, NEW.created_at)
        ON CONFLICT (request_id, user_id) DO UPDATE SET reported = 1;
    DELETE FROM request_access WHERE request_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
END;

CREATE TRIGGER request_access_request_shared AFTER UPDATE OF organization_id ON requests
WHEN NEW.organization_id IS NOT OLD.organization_id BEGIN
    UPDATE request_access SET organization = 0 WHERE request_id = NEW.id AND organization = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT NEW.id, u.id, 1, NEW.updated_at, NEW.created_at FROM users u
        WHERE NEW.organization_id IS NOT NULL AND u.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    DELETE FROM request_access WHERE request_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
END;

CREATE TRIGGER request_access_participant_added AFTER INSERT ON participants BEGIN
    INSERT INTO request_access (request_id, user_id, participant, updated_at, created_at)
        SELECT r.id, NEW.user_id, 1, r.updated_at, r.created_at FROM requests r
        WHERE r.id = NEW.request_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET participant = 1;
END;

CREATE TRIGGER request_access_participant_removed AFTER DELETE ON participants BEGIN
    UPDATE request_access SET participant = 0
        WHERE request_id = OLD.request_id AND user_id = OLD.user_id;
    DELETE FROM request_access WHERE request_id = OLD.request_id AND user_id = OLD.user_id
        AND reported = 0 AND participant = 0 AND organization = 0;
END;

-- a customer joins, leaves or changes organization: the organization's shared requests follow
CREATE TRIGGER request_access_member_added AFTER INSERT ON users
WHEN NEW.organization_id IS NOT NULL BEGIN
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT r.id, NEW.id, 1, r.updated_at, r.created_at FROM requests r
        WHERE r.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
END;

CREATE TRIGGER request_access_member_changed AFTER UPDATE OF organization_id ON users
WHEN NEW.organization_id IS NOT OLD.organization_id BEGIN
    UPDATE request_access SET organization = 0 WHERE user_id = NEW.id AND organization = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT r.id, NEW.id, 1, r.updated_at, r.created_at FROM requests r
        WHERE NEW.organization_id IS NOT NULL AND r.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    DELETE FROM request_access WHERE user_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
END;

-- (2) the outbox's message bytes, written once
CREATE TABLE outbox_bodies (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    message BLOB NOT NULL                    -- RFC 5322 bytes, CRLF line ends
);
INSERT INTO outbox_bodies (outbox_id, message) SELECT id, message FROM outbox;
ALTER TABLE outbox DROP COLUMN message;
