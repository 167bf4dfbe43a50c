-- 005: the agents' desk on one request - canned responses ("Textbausteine"), who has a request
-- open (presence), and the index the auto-close pass looks up resolved requests by.
-- Plain SQL that PostgreSQL runs as well (INTEGER ids there become BIGSERIAL in its port).
CREATE TABLE canned_responses (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,                  -- Markdown with {{customer_name}}-style placeholders
    lang TEXT NOT NULL DEFAULT 'de' CHECK (lang IN ('de', 'en')), -- one language per response
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_responses_lang ON canned_responses(lang, title);

-- One row per agent and request: when they last had its desk page open.
CREATE TABLE request_views (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX request_views_seen ON request_views(request_id, seen_at);

CREATE INDEX requests_resolved_at ON requests(status, resolved_at);
