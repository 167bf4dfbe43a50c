-- 007: replies by e-mail. Every Message-ID the portal sends about a request (so a reply's
-- In-Reply-To/References finds its request, and our own mail coming back is a loop), every
-- inbound message filed once (de-duplication by Message-ID) and a log of what became of
-- each inbound mail. Portable SQL (SQLite and PostgreSQL); the expression index on
-- lower(reply_token) works on both.
CREATE TABLE mail_sent_ids (
    message_id TEXT PRIMARY KEY,             -- with angle brackets, as sent
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX mail_sent_ids_request ON mail_sent_ids(request_id);

CREATE TABLE mail_in_seen (
    message_id TEXT PRIMARY KEY,             -- of an inbound mail that was filed
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    event_id INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE mail_in_log (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    message_id TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',         -- the From address, lowercased
    subject TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,                   -- comment, created, duplicate, unknown_sender,
                                             -- not_allowed, auto_reply, bounce, loop, bulk,
                                             -- closed, invalid, too_large, no_match
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    event_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_in_log_received ON mail_in_log(received_at);

CREATE INDEX requests_reply_token ON requests(lower(reply_token));
CREATE INDEX requests_message_id ON requests(message_id);
