/* copy: moves an installation from SQLite to PostgreSQL (`pforte copy-db`). Reads every table
 * of the source in one read transaction (a consistent snapshot, also of a running server),
 * writes them into an empty, migrated target in one transaction, moves each identity past the
 * largest copied id, and then verifies: per table the row count and an order-independent
 * SHA-256 checksum over every value, read back from both databases. A table of the source
 * that this list does not know stops the copy before anything is written, so no table is
 * ever left behind silently (new migrations add their tables here). */
#include "store/copy.h"
#include "core/log.h"
#include "core/str.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* One table: the SELECT on each side (same columns in the same order), the INSERT on the
 * target, the column types (i integer, t text, b blob; upper case: may be NULL) and the
 * statement that moves the target's identity past the copied ids (NULL: no identity), and the
 * rows the PostgreSQL migrations put in the table themselves (SEEDED: NULLs when none): they
 * are deleted before the copy, since the source has its own (perhaps changed) copies.
 * Generated columns (requests.priority_rank) are never listed: the target computes them. */
typedef struct CopyTable {
    const char *name;
    const char *sqlite_select;
    const char *pg_select;
    const char *pg_insert;
    const char *types;
    const char *pg_identity;
    const char *pg_unseeded_select; /* the rows the migrations did not put there */
    const char *pg_seeded_delete;
} CopyTable;

#define SELECT_BOTH(cols, table) "SELECT " cols " FROM " table, "SELECT " cols " FROM " table
#define SEEDED(table, cond)                                                                    \
    "SELECT 1 FROM " table " WHERE NOT (" cond ")", "DELETE FROM " table " WHERE " cond
#define IDENTITY(table)                                                                        \
    "SELECT setval(pg_get_serial_sequence('" table "', 'id'), COALESCE(max(id), 0) + 1, "      \
    "false) FROM " table

/* In the order foreign keys need. */
static const CopyTable TABLES[] = {
    {"settings", SELECT_BOTH("name, value", "settings"),
     "INSERT INTO settings (name, value) VALUES (?, ?)", "tt", NULL, SEEDED("settings", "name = 'sla_time_zone'")},
    {"portal_files", SELECT_BOTH("name, content_type, data, sha256, updated_at", "portal_files"),
     "INSERT INTO portal_files (name, content_type, data, sha256, updated_at) VALUES (?, ?, ?, ?, ?)", "ttbti", NULL},
    {"organizations", SELECT_BOTH("id, name, email_domain, created_at", "organizations"),
     "INSERT INTO organizations (id, name, email_domain, created_at) VALUES (?, ?, ?, ?)", "itTi", IDENTITY("organizations")},
    {"users", SELECT_BOTH("id, email, name, password_hash, role, lang, organization_id, notify, disabled, created_at, updated_at", "users"),
     "INSERT INTO users (id, email, name, password_hash, role, lang, organization_id, notify, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ittTttIiiii", IDENTITY("users")},
    {"sessions", SELECT_BOTH("id, token_hash, user_id, csrf_secret, user_agent, ip, created_at, last_seen_at", "sessions"),
     "INSERT INTO sessions (id, token_hash, user_id, csrf_secret, user_agent, ip, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "itittiii", IDENTITY("sessions")},
    {"email_tokens", SELECT_BOTH("id, token_hash, purpose, email, user_id, data, created_at, expires_at, used_at", "email_tokens"),
     "INSERT INTO email_tokens (id, token_hash, purpose, email, user_id, data, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "itttItiiI", IDENTITY("email_tokens")},
    {"rate_limits", SELECT_BOTH("bucket, window_start, count", "rate_limits"),
     "INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, ?)", "tii", NULL},
    {"request_types", SELECT_BOTH("id, key, name_de, name_en, description_de, description_en, icon, position, active, created_at", "request_types"),
     "INSERT INTO request_types (id, key, name_de, name_en, description_de, description_en, icon, position, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ittttttiii", IDENTITY("request_types")},
    {"request_fields", SELECT_BOTH("id, type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position, active", "request_fields"),
     "INSERT INTO request_fields (id, type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iittttttitii", IDENTITY("request_fields")},
    {"outbox", SELECT_BOTH("id, recipient, subject, state, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, compose, request_number", "outbox"),
     "INSERT INTO outbox (id, recipient, subject, state, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, compose, request_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "itttiiitiIti", IDENTITY("outbox")},
    {"outbox_bodies", SELECT_BOTH("outbox_id, message", "outbox_bodies"),
     "INSERT INTO outbox_bodies (outbox_id, message) VALUES (?, ?)", "ib", NULL},
    {"audit_log", SELECT_BOTH("id, at, actor_id, action, subject, detail, ip", "audit_log"),
     "INSERT INTO audit_log (id, at, actor_id, action, subject, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)", "iiItttt", IDENTITY("audit_log")},
    {"canned_responses", SELECT_BOTH("id, title, body, lang, created_by, created_at, updated_at", "canned_responses"),
     "INSERT INTO canned_responses (id, title, body, lang, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "itttIii", IDENTITY("canned_responses")},
    {"requests", SELECT_BOTH("id, number, type_id, reporter_id, organization_id, summary, description, status, priority, assignee_id, submit_token, reply_token, message_id, created_at, updated_at, resolved_at, version, sla_first_response_due_at, sla_resolution_due_at, sla_first_response_warn_at, sla_resolution_warn_at, sla_attention_at, sla_updated_at, first_response_at, first_resolved_at, sla_first_response_met, sla_resolution_met", "requests"),
     "INSERT INTO requests (id, number, type_id, reporter_id, organization_id, summary, description, status, priority, assignee_id, submit_token, reply_token, message_id, created_at, updated_at, resolved_at, version, sla_first_response_due_at, sla_resolution_due_at, sla_first_response_warn_at, sla_resolution_warn_at, sla_attention_at, sla_updated_at, first_response_at, first_resolved_at, sla_first_response_met, sla_resolution_met) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiiiIttttITttiiIiIIIIIiIIII", IDENTITY("requests")},
    {"request_values", SELECT_BOTH("request_id, field_id, value", "request_values"),
     "INSERT INTO request_values (request_id, field_id, value) VALUES (?, ?, ?)", "iit", NULL},
    {"participants", SELECT_BOTH("request_id, user_id, added_by, created_at", "participants"),
     "INSERT INTO participants (request_id, user_id, added_by, created_at) VALUES (?, ?, ?, ?)", "iiIi", NULL},
    {"request_access", SELECT_BOTH("request_id, user_id, reported, participant, organization, updated_at, created_at, number, type_id, reporter_id, status, summary", "request_access"),
     "INSERT INTO request_access (request_id, user_id, reported, participant, organization, updated_at, created_at, number, type_id, reporter_id, status, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiiiiiiiiitt", NULL},
    {"request_views", SELECT_BOTH("request_id, user_id, seen_at", "request_views"),
     "INSERT INTO request_views (request_id, user_id, seen_at) VALUES (?, ?, ?)", "iii", NULL},
    {"events", SELECT_BOTH("id, request_id, actor_id, kind, body, field, old_value, new_value, internal, message_id, created_at", "events"),
     "INSERT INTO events (id, request_id, actor_id, kind, body, field, old_value, new_value, internal, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiItttttiti", IDENTITY("events")},
    {"attachments", SELECT_BOTH("id, request_id, event_id, uploader_id, filename, content_type, size, sha256, data, internal, created_at", "attachments"),
     "INSERT INTO attachments (id, request_id, event_id, uploader_id, filename, content_type, size, sha256, data, internal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiIIttitbii", IDENTITY("attachments")},
    {"counters", SELECT_BOTH("name, value", "counters"),
     "INSERT INTO counters (name, value) VALUES (?, ?)", "ti", NULL, SEEDED("counters", "true")},
    {"mail_sent_ids", SELECT_BOTH("message_id, request_id, created_at", "mail_sent_ids"),
     "INSERT INTO mail_sent_ids (message_id, request_id, created_at) VALUES (?, ?, ?)", "tii", NULL},
    {"mail_in_seen", SELECT_BOTH("message_id, request_id, event_id, created_at", "mail_in_seen"),
     "INSERT INTO mail_in_seen (message_id, request_id, event_id, created_at) VALUES (?, ?, ?, ?)", "tIIi", NULL},
    {"mail_in_log", SELECT_BOTH("id, received_at, message_id, sender, subject, outcome, request_id, event_id, detail", "mail_in_log"),
     "INSERT INTO mail_in_log (id, received_at, message_id, sender, subject, outcome, request_id, event_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "iittttIIt", IDENTITY("mail_in_log")},
    {"sla_hours", SELECT_BOTH("weekday, open_minute, close_minute", "sla_hours"),
     "INSERT INTO sla_hours (weekday, open_minute, close_minute) VALUES (?, ?, ?)", "iii", NULL, SEEDED("sla_hours", "true")},
    {"sla_holidays", SELECT_BOTH("day, name", "sla_holidays"),
     "INSERT INTO sla_holidays (day, name) VALUES (?, ?)", "tt", NULL},
    {"sla_targets", SELECT_BOTH("priority, first_response_minutes, resolution_minutes", "sla_targets"),
     "INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes) VALUES (?, ?, ?)", "tii", NULL, SEEDED("sla_targets", "true")},
    {"sla_reminders", SELECT_BOTH("request_id, target, due_at, sent_at", "sla_reminders"),
     "INSERT INTO sla_reminders (request_id, target, due_at, sent_at) VALUES (?, ?, ?, ?)", "itii", NULL},
    /* the search index: FTS5's rowid is the request id */
    {"request_search", "SELECT rowid, summary, body FROM request_search",
     "SELECT request_id, summary, body FROM request_search",
     "INSERT INTO request_search (request_id, summary, body) VALUES (?, ?, ?)", "itt", NULL},
};
#define TABLE_COUNT (sizeof TABLES / sizeof TABLES[0])

/* Adds a 32-byte digest to a 256-bit little-endian sum: the same rows in any order give the
 * same sum. */
static void sum_add(unsigned char sum[32], const unsigned char digest[32])
{
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)sum[i] + digest[i];
        sum[i] = (unsigned char)carry;
        carry >>= 8;
    }
}

static void hash_u64(crypto_hash_sha256_state *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    crypto_hash_sha256_update(h, b, sizeof b);
}

/* Hashes the current row: per column a tag, then the integer or the length and bytes. */
static void row_digest(DbStmt *st, const char *types, unsigned char digest[32])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (int c = 0; types[c]; c++) {
        unsigned char tag = db_col_is_null(st, c) ? 'N' : (unsigned char)(types[c] | 0x20);
        crypto_hash_sha256_update(&h, &tag, 1);
        if (tag == 'N')
            continue;
        if (tag == 'i') {
            hash_u64(&h, (uint64_t)db_col_int(st, c));
            continue;
        }
        size_t n = 0;
        const void *p = db_col_blob(st, c, &n);
        hash_u64(&h, n);
        if (n)
            crypto_hash_sha256_update(&h, p, n);
    }
    crypto_hash_sha256_final(&h, digest);
}

static DbResult table_check(Db *db, const CopyTable *t, CopyTableResult *out, bool target)
{
    DbStmt *st = db_prepare(db, target ? t->pg_select : t->sqlite_select);
    if (!st)
        return DB_ERROR;
    int64_t *rows = target ? &out->rows_to : &out->rows_from;
    unsigned char *sum = target ? out->sum_to : out->sum_from;
    *rows = 0;
    memset(sum, 0, 32);
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        unsigned char digest[32];
        row_digest(st, t->types, digest);
        sum_add(sum, digest);
        (*rows)++;
    }
    db_done(st);
    return r;
}

/* Copies one table's rows; the scratch arena holds one row's text at a time. */
static DbResult table_copy(Db *from, Db *to, const CopyTable *t, Arena *scratch)
{
    DbStmt *src = db_prepare(from, t->sqlite_select);
    if (!src)
        return DB_ERROR;
    DbResult r;
    while ((r = db_step(src)) == DB_ROW) {
        DbStmt *dst = db_prepare(to, t->pg_insert);
        if (!dst) {
            r = DB_ERROR;
            break;
        }
        arena_reset(scratch);
        for (int c = 0; t->types[c]; c++) {
            char type = (char)(t->types[c] | 0x20);
            if (db_col_is_null(src, c))
                db_bind_null(dst, c + 1);
            else if (type == 'i')
                db_bind_int(dst, c + 1, db_col_int(src, c));
            else if (type == 't')
                db_bind_text(dst, c + 1, db_col_text(src, c, scratch));
            else {
                size_t n = 0;
                const void *p = db_col_blob(src, c, &n);
                db_bind_blob(dst, c + 1, p, n);
            }
        }
        r = db_run(dst);
        if (r != DB_OK) {
            log_error("event=copy_failed table=%s", t->name);
            break;
        }
    }
    db_done(src);
    return r;
}

/* Every table of the source must be one this file copies. */
static bool source_tables_known(Db *from, Arena *a, CopyReport *report)
{
    DbStmt *st = db_prepare(from, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite%' "
                                  "AND name NOT LIKE 'request_search%' "
                                  "AND name <> 'schema_migrations' ORDER BY name");
    if (!st)
        return false;
    bool ok = true;
    while (db_step(st) == DB_ROW) {
        const char *name = db_col_text(st, 0, a);
        bool known = false;
        for (size_t i = 0; i < TABLE_COUNT && !known; i++)
            known = str_eq(TABLES[i].name, name);
        if (!known && ok) {
            snprintf(report->error, sizeof report->error,
                     "the SQLite database has the table %s, which copy-db does not know", name);
            ok = false;
        }
    }
    db_done(st);
    return ok;
}

/* The target must hold nothing yet (its migrations' own counter row aside). */
static bool target_empty(Db *to, CopyReport *report)
{
    for (size_t i = 0; i < TABLE_COUNT; i++) {
        const CopyTable *t = &TABLES[i];
        DbStmt *st = db_prepare(to, t->pg_unseeded_select ? t->pg_unseeded_select : t->pg_select);
        DbResult r = st ? db_step(st) : DB_ERROR;
        db_done(st);
        if (r != DB_OK) {
            snprintf(report->error, sizeof report->error,
                     r == DB_ROW ? "the PostgreSQL database is not empty (table %s has rows)"
                                 : "the PostgreSQL table %s cannot be read",
                     t->name);
            return false;
        }
    }
    return true;
}

/* The tables whose triggers (request_access, the reports' first times) would write while
 * the copy inserts: they are off inside the copy's transaction (the target's owner runs it),
 * as the source's rows already hold what the triggers computed there. */
static const char *const TRIGGERS_OFF[] = {
    "ALTER TABLE users DISABLE TRIGGER USER", "ALTER TABLE requests DISABLE TRIGGER USER",
    "ALTER TABLE participants DISABLE TRIGGER USER", "ALTER TABLE events DISABLE TRIGGER USER",
    "ALTER TABLE request_access DISABLE TRIGGER USER"};
static const char *const TRIGGERS_ON[] = {
    "ALTER TABLE users ENABLE TRIGGER USER", "ALTER TABLE requests ENABLE TRIGGER USER",
    "ALTER TABLE participants ENABLE TRIGGER USER", "ALTER TABLE events ENABLE TRIGGER USER",
    "ALTER TABLE request_access ENABLE TRIGGER USER"};
#define TRIGGER_TABLE_COUNT (sizeof TRIGGERS_OFF / sizeof TRIGGERS_OFF[0])

static DbResult triggers_set(Db *to, bool enable)
{
    DbResult r = DB_OK;
    for (size_t i = 0; r == DB_OK && i < TRIGGER_TABLE_COUNT; i++)
        r = db_run(db_prepare(to, enable ? TRIGGERS_ON[i] : TRIGGERS_OFF[i]));
    return r;
}

static DbResult copy_all(Db *from, Db *to, Arena *scratch, CopyReport *report)
{
    DbResult r = db_begin(to);
    for (size_t i = 0; r == DB_OK && i < TABLE_COUNT; i++)
        if (TABLES[i].pg_seeded_delete)
            r = db_run(db_prepare(to, TABLES[i].pg_seeded_delete));
    if (r == DB_OK)
        r = triggers_set(to, false);
    for (size_t i = 0; r == DB_OK && i < TABLE_COUNT; i++) {
        r = table_copy(from, to, &TABLES[i], scratch);
        if (r != DB_OK)
            snprintf(report->error, sizeof report->error, "copying the table %s failed",
                     TABLES[i].name);
    }
    for (size_t i = 0; r == DB_OK && i < TABLE_COUNT; i++)
        if (TABLES[i].pg_identity)
            r = db_run(db_prepare(to, TABLES[i].pg_identity));
    if (r == DB_OK)
        r = triggers_set(to, true);
    if (r == DB_OK)
        r = db_commit(to);
    if (r != DB_OK) {
        db_rollback(to);
        if (!report->error[0])
            snprintf(report->error, sizeof report->error, "writing to PostgreSQL failed");
    }
    return r;
}

bool store_copy_to_postgres(Db *from, Db *to, Arena *a, CopyReport *report)
{
    memset(report, 0, sizeof *report);
    if (db_kind(from) != DB_SQLITE || db_kind(to) != DB_POSTGRES) {
        snprintf(report->error, sizeof report->error,
                 "copy-db copies from a SQLite file to a postgres:// database");
        return false;
    }
    int version_from = db_schema_version(from), version_to = db_schema_version(to);
    if (version_from != version_to) {
        snprintf(report->error, sizeof report->error,
                 "schema versions differ (SQLite %d, PostgreSQL %d): this build has no "
                 "PostgreSQL form of every SQLite migration",
                 version_from, version_to);
        return false;
    }
    Arena scratch;
    arena_init(&scratch, 64 * 1024);
    bool ok = false;
    /* one snapshot of the source for the copy and the check */
    if (db_read_begin(from) != DB_OK) {
        snprintf(report->error, sizeof report->error, "the SQLite database cannot be read");
        goto done;
    }
    if (!source_tables_known(from, a, report) || !target_empty(to, report))
        goto done;
    if (copy_all(from, to, &scratch, report) != DB_OK)
        goto done;
    ok = true;
    report->table_count = (int)TABLE_COUNT;
    for (size_t i = 0; i < TABLE_COUNT; i++) {
        CopyTableResult *t = &report->tables[i];
        t->name = TABLES[i].name;
        if (table_check(from, &TABLES[i], t, false) != DB_OK ||
            table_check(to, &TABLES[i], t, true) != DB_OK) {
            snprintf(report->error, sizeof report->error, "the table %s could not be checked",
                     t->name);
            ok = false;
            break;
        }
        t->same = t->rows_from == t->rows_to && memcmp(t->sum_from, t->sum_to, 32) == 0;
        if (!t->same && ok) {
            snprintf(report->error, sizeof report->error,
                     "the copy of the table %s differs from the original", t->name);
            ok = false;
        }
    }
done:
    db_read_end(from);
    arena_free(&scratch);
    return ok;
}
