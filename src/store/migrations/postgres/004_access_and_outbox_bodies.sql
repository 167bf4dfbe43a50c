-- 004: request_access and outbox_bodies - PostgreSQL form of sqlite/004_access_and_outbox_bodies.sql
-- (see there). SQLite's triggers become plpgsql trigger functions with the same behaviour;
-- each function does what the SQLite trigger of the same name does (the WHEN clauses are the
-- triggers' WHEN conditions here too).
CREATE TABLE request_access (
    request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reported INTEGER NOT NULL DEFAULT 0,
    participant INTEGER NOT NULL DEFAULT 0,
    organization INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX request_access_updated ON request_access(user_id, updated_at, request_id);
CREATE INDEX request_access_created ON request_access(user_id, created_at, request_id);
CREATE INDEX users_organization ON users(organization_id);

DROP INDEX requests_org_created;

INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
    SELECT id, reporter_id, 1, updated_at, created_at FROM requests;
INSERT INTO request_access (request_id, user_id, participant, updated_at, created_at)
    SELECT r.id, p.user_id, 1, r.updated_at, r.created_at
    FROM participants p JOIN requests r ON r.id = p.request_id
    ON CONFLICT (request_id, user_id) DO UPDATE SET participant = 1;
INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
    SELECT r.id, u.id, 1, r.updated_at, r.created_at
    FROM requests r JOIN users u ON u.organization_id = r.organization_id
    ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;

-- a new request: its reporter, and the reporter's organization when shared at once
CREATE FUNCTION request_access_request_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
        VALUES (NEW.id, NEW.reporter_id, 1, NEW.updated_at, NEW.created_at)
        ON CONFLICT (request_id, user_id) DO UPDATE SET reported = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT NEW.id, u.id, 1, NEW.updated_at, NEW.created_at FROM users u
        WHERE NEW.organization_id IS NOT NULL AND u.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_request_created AFTER INSERT ON requests
    FOR EACH ROW EXECUTE FUNCTION request_access_request_created();

CREATE FUNCTION request_access_request_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET updated_at = NEW.updated_at, created_at = NEW.created_at
        WHERE request_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_request_touched AFTER UPDATE OF updated_at, created_at ON requests
    FOR EACH ROW
    WHEN (NEW.updated_at <> OLD.updated_at OR NEW.created_at <> OLD.created_at)
    EXECUTE FUNCTION request_access_request_touched();

CREATE FUNCTION request_access_request_reporter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET reported = 0 WHERE request_id = NEW.id AND user_id = OLD.reporter_id;
    INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
        VALUES (NEW.id, NEW.reporter_id, 1, NEW.updated_at, NEW.created_at)
        ON CONFLICT (request_id, user_id) DO UPDATE SET reported = 1;
    DELETE FROM request_access WHERE request_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_request_reporter AFTER UPDATE OF reporter_id ON requests
    FOR EACH ROW WHEN (NEW.reporter_id <> OLD.reporter_id)
    EXECUTE FUNCTION request_access_request_reporter();

CREATE FUNCTION request_access_request_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET organization = 0 WHERE request_id = NEW.id AND organization = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT NEW.id, u.id, 1, NEW.updated_at, NEW.created_at FROM users u
        WHERE NEW.organization_id IS NOT NULL AND u.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    DELETE FROM request_access WHERE request_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_request_shared AFTER UPDATE OF organization_id ON requests
    FOR EACH ROW WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id)
    EXECUTE FUNCTION request_access_request_shared();

CREATE FUNCTION request_access_participant_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_access (request_id, user_id, participant, updated_at, created_at)
        SELECT r.id, NEW.user_id, 1, r.updated_at, r.created_at FROM requests r
        WHERE r.id = NEW.request_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET participant = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_participant_added AFTER INSERT ON participants
    FOR EACH ROW EXECUTE FUNCTION request_access_participant_added();

CREATE FUNCTION request_access_participant_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET participant = 0
        WHERE request_id = OLD.request_id AND user_id = OLD.user_id;
    DELETE FROM request_access WHERE request_id = OLD.request_id AND user_id = OLD.user_id
        AND reported = 0 AND participant = 0 AND organization = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_participant_removed AFTER DELETE ON participants
    FOR EACH ROW EXECUTE FUNCTION request_access_participant_removed();

-- a customer joins, leaves or changes organization: the organization's shared requests follow
CREATE FUNCTION request_access_member_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT r.id, NEW.id, 1, r.updated_at, r.created_at FROM requests r
        WHERE r.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_member_added AFTER INSERT ON users
    FOR EACH ROW WHEN (NEW.organization_id IS NOT NULL)
    EXECUTE FUNCTION request_access_member_added();

CREATE FUNCTION request_access_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_access SET organization = 0 WHERE user_id = NEW.id AND organization = 1;
    INSERT INTO request_access (request_id, user_id, organization, updated_at, created_at)
        SELECT r.id, NEW.id, 1, r.updated_at, r.created_at FROM requests r
        WHERE NEW.organization_id IS NOT NULL AND r.organization_id = NEW.organization_id
        ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1;
    DELETE FROM request_access WHERE user_id = NEW.id AND reported = 0 AND participant = 0
        AND organization = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_access_member_changed AFTER UPDATE OF organization_id ON users
    FOR EACH ROW WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id)
    EXECUTE FUNCTION request_access_member_changed();

-- (2) the outbox's message bytes, written once
CREATE TABLE outbox_bodies (
    outbox_id BIGINT PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    message BYTEA NOT NULL
);
INSERT INTO outbox_bodies (outbox_id, message) SELECT id, message FROM outbox;
ALTER TABLE outbox DROP COLUMN message;
