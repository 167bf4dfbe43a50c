-- 002: requests, their field values, participants, activity events, attachments and search.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,          -- the 42 of SUP-42
    type_id INTEGER NOT NULL REFERENCES request_types(id),
    reporter_id INTEGER NOT NULL REFERENCES users(id),
    organization_id INTEGER REFERENCES organizations(id), -- shared with this organization
    summary TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress',
        'waiting_customer', 'waiting_support', 'resolved', 'closed')),
    priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high',
        'critical')),
    assignee_id INTEGER REFERENCES users(id),
    submit_token TEXT UNIQUE,                -- idempotency key of the creating form
    reply_token TEXT NOT NULL,               -- for replies by mail
    message_id TEXT NOT NULL DEFAULT '',     -- Message-ID of the first mail, for threading
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX requests_reporter ON requests(reporter_id, updated_at, id);
CREATE INDEX requests_org ON requests(organization_id, updated_at, id);
CREATE INDEX requests_updated ON requests(updated_at, id);
CREATE INDEX requests_status ON requests(status, updated_at);

CREATE TABLE request_values (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL REFERENCES request_fields(id),
    value TEXT NOT NULL,
    PRIMARY KEY (request_id, field_id)
);

CREATE TABLE participants (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    added_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX participants_user ON participants(user_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    actor_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL,                      -- created, comment, note, status, field, share,
                                             -- unshare, attachment, assign, priority
    body TEXT NOT NULL DEFAULT '',           -- comment Markdown
    field TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT '',
    internal INTEGER NOT NULL DEFAULT 0,     -- internal notes: agents only
    message_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX events_request ON events(request_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    event_id INTEGER REFERENCES events(id),
    uploader_id INTEGER REFERENCES users(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    internal INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_request ON attachments(request_id);

-- full-text search over summary, description and public comments
CREATE VIRTUAL TABLE request_search USING fts5(summary, body, tokenize = 'unicode61 remove_diacritics 2');
