-- 006: what the admin pages need.
-- A field an admin removes while requests hold values for it is only switched off (active = 0):
-- new forms leave it out, old requests keep showing their values.
ALTER TABLE request_fields ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Files an admin uploads for the portal's look (the logo), served from the database so every
-- instance serves the same bytes.
CREATE TABLE portal_files (
    name TEXT PRIMARY KEY,                -- 'logo'
    content_type TEXT NOT NULL,           -- image/png, image/jpeg or image/webp (checked by bytes)
    data BYTEA NOT NULL,
    sha256 TEXT NOT NULL,                 -- hex; names the cacheable URL /portal/logo?v=...
    updated_at BIGINT NOT NULL
);

-- The audit log is searched by actor and action and paged newest first.
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
CREATE INDEX audit_log_action ON audit_log(action, at);
CREATE INDEX users_role ON users(role, email);
