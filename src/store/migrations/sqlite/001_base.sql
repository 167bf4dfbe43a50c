-- 001: accounts, sessions, tokens, rate limits, request types, settings, outbox, audit log.
-- Times are integer Unix seconds; booleans 0/1.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    email_domain TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,          -- trimmed, compared lowercased
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,                   -- NULL until the registration is finished
    role TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'agent', 'admin')),
    lang TEXT NOT NULL DEFAULT 'de',
    organization_id INTEGER REFERENCES organizations(id),
    notify INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the cookie value
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_secret TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE email_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,               -- 'register', 'reset', 'invite', 'setup'
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    data TEXT NOT NULL DEFAULT '',       -- e.g. where to go after registration
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX email_tokens_email ON email_tokens(email, purpose);

CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,                -- e.g. 'login-ip:127.0.0.1'
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE request_types (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name_de TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_de TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT 'question',
    position INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE request_fields (
    id INTEGER PRIMARY KEY,
    type_id INTEGER NOT NULL REFERENCES request_types(id),
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'textarea', 'email', 'number', 'date', 'select',
                                       'multiselect', 'checkbox', 'attachments')),
    label_de TEXT NOT NULL,
    label_en TEXT NOT NULL,
    help_de TEXT NOT NULL DEFAULT '',
    help_en TEXT NOT NULL DEFAULT '',
    required INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '',    -- one option a line: value|label_de|label_en
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type_id, key)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,               -- for the admin list; the message is complete below
    message BLOB NOT NULL,               -- RFC 5322 bytes, CRLF line ends
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
