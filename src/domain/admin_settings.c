/* admin_settings (domain): the portal settings an admin changes at runtime, how they override
 * the config file's values (settings_now), the logo, the test mail and retrying mail.
 * The settings table holds the admin's values under the config file's key names; every
 * instance reads them through its catalog snapshot, so a change shows everywhere within
 * CATALOG_MAX_AGE_MS without a restart. A value the admin never saved is not stored, so the
 * config file (or environment, or flag) stays in effect for it.
 * SECURITY: the mail URL's password is never shown back (masked in the form, kept when the
 * masked text comes back); the logo is accepted by its bytes only (no SVG: it can carry
 * script). */
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/admin.h"
#include "domain/catalog.h"
#include "mail/compose.h"
#include "mail/mail.h"
#include "mail/message.h"
#include "store/accounts.h"
#include "store/catalog.h"
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define MASK "********"

void admin_error(AdminErrors *e, const char *field, const char *msgid, const char *detail)
{
    if (e->count < ADMIN_MAX_ERRORS)
        e->items[e->count++] = (AdminError){field, msgid, detail};
}

const char *admin_like_pattern(Arena *a, const char *text)
{
    char *t = str_trim(a, text ? text : "");
    if (!*t)
        return NULL;
    Buf b;
    buf_init(&b, a);
    buf_putc(&b, '%');
    for (const char *p = str_lower(a, t); *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '%');
    return buf_cstr(&b);
}

/* ---- the settings in effect ---- */

/* Config keys an admin may override from the settings table. */
static const char *const OVERRIDABLE[] = {
    "portal_name",        "key_prefix",         "base_url",
    "mail_from",          "mail",               "max_attachment_bytes",
    "max_request_attachment_bytes", "rate_login_account", "rate_login_ip",
    "rate_login_window",  "rate_mail_address",  "rate_mail_ip",
    "rate_mail_window",   NULL,
};

static const Setting *setting_named(const char *name)
{
    for (int i = 0; i < SETTINGS_COUNT; i++)
        if (str_eq(SETTINGS[i].name, name))
            return &SETTINGS[i];
    return NULL;
}

/* The setting row r may override, or NULL; *value receives a number setting's value. */
static const Setting *override_of(const SettingRow *r, int64_t *value)
{
    bool allowed = false;
    for (int k = 0; OVERRIDABLE[k] && !allowed; k++)
        allowed = str_eq(OVERRIDABLE[k], r->name);
    const Setting *s = allowed ? setting_named(r->name) : NULL;
    if (!s || str_empty(r->value))
        return NULL;
    if (s->type == SETTING_INT &&
        !(str_to_int64(r->value, value) && *value >= s->min && *value <= s->max))
        return NULL;
    return s->type == SETTING_BOOL ? NULL : s;
}

int settings_filter_rows(Arena *a, const SettingRow *rows, int count, SettingRow **out)
{
    *out = arena_alloc(a, sizeof **out * (size_t)(count ? count : 1));
    int n = 0;
    for (int i = 0; i < count; i++) {
        int64_t v;
        if (override_of(&rows[i], &v))
            (*out)[n++] = rows[i];
        else if (setting_named(rows[i].name))
            log_warn("event=setting_ignored name=%s", rows[i].name);
    }
    return n;
}

void settings_apply_rows(Config *c, Arena *a, const SettingRow *rows, int count)
{
    for (int i = 0; i < count; i++) {
        int64_t v = 0;
        const Setting *s = override_of(&rows[i], &v);
        if (!s)
            continue;
        char *field = (char *)c + s->offset;
        if (s->type == SETTING_STRING)
            *(char **)field = a ? arena_strdup(a, rows[i].value) : (char *)rows[i].value;
        else
            *(int64_t *)field = v;
    }
}

/* The database is configured (not so in unit tests of modules that never open one). */
static bool database_configured(void)
{
    return !str_empty(cfg.db) || !str_empty(cfg.data);
}

const Config *settings_now(void)
{
    /* computed once per catalog snapshot of this thread (hot paths call it per row) */
    static _Thread_local Config effective, base;
    static _Thread_local uint64_t effective_generation;
    static _Thread_local bool effective_valid;
    const Catalog *c = database_configured() ? catalog_current(db_thread()) : NULL;
    if (c && effective_valid && c->generation == effective_generation &&
        memcmp(&base, &cfg, sizeof cfg) == 0) /* cfg itself changes in tests */
        return &effective;
    base = cfg;
    effective = cfg;
    effective_valid = false;
    if (c) {
        settings_apply_rows(&effective, NULL, c->overrides, c->override_count);
        effective_generation = c->generation;
        effective_valid = true;
    }
    return &effective;
}

static bool prefix_in_list(const char *list, const char *prefix, size_t n)
{
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncasecmp(p, prefix, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

bool settings_key_prefix_known(const char *prefix, size_t n)
{
    const char *start = cfg.key_prefix;
    if (start && strlen(start) == n && strncasecmp(start, prefix, n) == 0)
        return true;
    const char *now = settings_now()->key_prefix;
    if (now && strlen(now) == n && strncasecmp(now, prefix, n) == 0)
        return true;
    const Catalog *c = database_configured() ? catalog_current(db_thread()) : NULL;
    return c && prefix_in_list(c->old_prefixes, prefix, n);
}

/* ---- the form ---- */

/* "smtp://user:secret@host" -> "smtp://user:********@host" */
static const char *mail_masked(Arena *a, const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strrchr(url, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (!at || !colon || colon > at)
        return url;
    return arena_printf(a, "%.*s" MASK "%s", (int)(colon + 1 - url), url, at);
}

static const char *int_text(Arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}

void admin_settings_load(Arena *a, SettingsForm *f)
{
    const Catalog *c = catalog_current(db_thread());
    const Config *s = settings_now();
    f->portal_name = arena_strdup(a, s->portal_name);
    f->welcome_de = arena_strdup(a, c ? c->welcome[0] : "");
    f->welcome_en = arena_strdup(a, c ? c->welcome[1] : "");
    f->accent_color = arena_strdup(a, c ? c->accent : "");
    f->key_prefix = arena_strdup(a, s->key_prefix);
    f->base_url = arena_strdup(a, s->base_url ? s->base_url : "");
    f->mail_from = arena_strdup(a, s->mail_from);
    f->mail = mail_masked(a, arena_strdup(a, s->mail));
    f->max_attachment_mb = int_text(a, s->max_attachment_bytes / (1024 * 1024));
    f->max_request_attachment_mb = int_text(a, s->max_request_attachment_bytes / (1024 * 1024));
    f->rate_login_account = int_text(a, s->rate_login_account);
    f->rate_login_ip = int_text(a, s->rate_login_ip);
    f->rate_login_window = int_text(a, s->rate_login_window);
    f->rate_mail_address = int_text(a, s->rate_mail_address);
    f->rate_mail_ip = int_text(a, s->rate_mail_ip);
    f->rate_mail_window = int_text(a, s->rate_mail_window);
}

static bool has_control(const char *s, bool allow_newlines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(allow_newlines && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
            *p == 0x7f)
            return true;
    return false;
}

/* Trimmed text, checked for length (code points) and control characters; NULL after adding
 * an error. */
static const char *check_text(Arena *a, AdminErrors *e, const char *field, const char *value,
                              size_t max, bool required, bool multiline)
{
    const char *t = str_trim(a, value ? value : "");
    if (!str_utf8_valid(t, strlen(t))) {
        admin_error(e, field, N_("This text contains invalid characters."), NULL);
        return NULL;
    }
    if (required && !*t) {
        admin_error(e, field, N_("Please fill in this field."), NULL);
        return NULL;
    }
    if (str_utf8_len(t) > max) {
        admin_error(e, field, N_("At most %{value} characters, please."), int_text(a, (int64_t)max));
        return NULL;
    }
    if (has_control(t, multiline)) {
        admin_error(e, field, N_("This text contains invalid characters."), NULL);
        return NULL;
    }
    return t;
}

static bool check_int(Arena *a, AdminErrors *e, const char *field, const char *value,
                      int64_t min, int64_t max, int64_t *out)
{
    const char *t = str_trim(a, value ? value : "");
    if (!str_to_int64(t, out)) {
        admin_error(e, field, N_("Please enter a whole number."), NULL);
        return false;
    }
    if (*out < min || *out > max) {
        admin_error(e, field, N_("Please enter a number from %{value}."),
                    arena_printf(a, "%lld–%lld", (long long)min, (long long)max));
        return false;
    }
    return true;
}

static bool accent_valid(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

static bool prefix_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > ADMIN_MAX_PREFIX || s[0] < 'A' || s[0] > 'Z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static bool base_url_valid(const char *s)
{
    const char *host;
    if (str_starts_with(s, "https://"))
        host = s + 8;
    else if (str_starts_with(s, "http://"))
        host = s + 7;
    else
        return false;
    if (!*host || *host == '/' || *host == ':' || strlen(s) > 500)
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '<' ||
            *p == '>' || *p == '\\' || *p == '@' || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

/* "maildir" or smtp(s)://[user[:password]@]host[:port] */
static bool mail_url_valid(const char *s)
{
    if (str_eq(s, "maildir"))
        return true;
    const char *rest;
    if (str_starts_with(s, "smtps://"))
        rest = s + 8;
    else if (str_starts_with(s, "smtp://"))
        rest = s + 7;
    else
        return false;
    const char *at = strrchr(rest, '@');
    const char *host = at ? at + 1 : rest;
    if (!*host || *host == ':' || *host == '/' || strlen(s) > 1000)
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f)
            return false;
    return true;
}

typedef struct Change {
    const char *name;
    const char *value; /* NULL: leave as it is */
} Change;

/* Commits the caller's transaction (r is how it went so far) and on success runs after
 * (catalog_invalidate, outbox_worker_wake); rolls back on failure. */
static AdminResult commit_then(Db *db, DbResult r, void (*after)(void))
{
    if (r == DB_OK)
        r = db_commit(db);
    if (r != DB_OK) {
        db_rollback(db);
        return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    }
    after();
    return ADMIN_OK;
}

static void change(Change *list, int *n, const char *name, const char *value)
{
    list[(*n)++] = (Change){name, value};
}

AdminResult admin_settings_save(AdminContext *c, const SettingsForm *f, AdminErrors *e)
{
    Arena *a = c->arena;
    SettingsForm now;
    admin_settings_load(a, &now);
    const Config *s = settings_now();
    Change list[24];
    int n = 0;
    const char *v;
    if ((v = check_text(a, e, "portal_name", f->portal_name, ADMIN_MAX_PORTAL_NAME, true, false)))
        change(list, &n, "portal_name", v);
    if ((v = check_text(a, e, "welcome_de", f->welcome_de, ADMIN_MAX_WELCOME, false, true)))
        change(list, &n, "welcome_de", v);
    if ((v = check_text(a, e, "welcome_en", f->welcome_en, ADMIN_MAX_WELCOME, false, true)))
        change(list, &n, "welcome_en", v);
    v = str_lower(a, str_trim(a, f->accent_color ? f->accent_color : ""));
    if (*v && !accent_valid(v))
        admin_error(e, "accent_color",
                    N_("Please enter a colour as # and six hex digits, for example #1d5fc4."),
                    NULL);
    else
        change(list, &n, "accent_color", v);
    v = str_trim(a, f->key_prefix ? f->key_prefix : "");
    if (!prefix_valid(v))
        admin_error(e, "key_prefix",
                    N_("The prefix needs 1 to 10 capital letters or digits, starting with a "
                       "letter (for example SUP)."),
                    NULL);
    else
        change(list, &n, "key_prefix", v);
    v = str_trim(a, f->base_url ? f->base_url : "");
    while (*v && v[strlen(v) - 1] == '/')
        v = arena_strndup(a, v, strlen(v) - 1);
    if (*v && !base_url_valid(v))
        admin_error(e, "base_url",
                    N_("Please enter an address starting with https:// or http://, without "
                       "query or fragment."),
                    NULL);
    else
        change(list, &n, "base_url", v);
    v = str_trim(a, f->mail_from ? f->mail_from : "");
    const char *sender_name, *sender_addr;
    if (!mail_mailbox_parse(a, v, &sender_name, &sender_addr) || !strchr(sender_addr, '@'))
        admin_error(e, "mail_from",
                    N_("Please enter a sender like Support <support@example.com>."), NULL);
    else
        change(list, &n, "mail_from", v);
    v = str_trim(a, f->mail ? f->mail : "");
    if (str_eq(v, now.mail))
        v = s->mail; /* the masked text came back: keep the stored password */
    if (!mail_url_valid(v))
        admin_error(e, "mail",
                    N_("Please enter maildir or an address like "
                       "smtp://user:password@mail.example.com:587."),
                    NULL);
    else
        change(list, &n, "mail", v);
    int64_t file_mb = 0, total_mb = 0, x;
    int64_t upload_mb = cfg.max_upload_bytes / (1024 * 1024);
    if (upload_mb < 1)
        upload_mb = 1;
    if (check_int(a, e, "max_attachment_mb", f->max_attachment_mb, 1, upload_mb, &file_mb))
        change(list, &n, "max_attachment_bytes", int_text(a, file_mb * 1024 * 1024));
    if (check_int(a, e, "max_request_attachment_mb", f->max_request_attachment_mb, 1, 10240,
                  &total_mb)) {
        if (file_mb && total_mb < file_mb)
            admin_error(e, "max_request_attachment_mb",
                        N_("The limit per request must be at least the limit per file."), NULL);
        else
            change(list, &n, "max_request_attachment_bytes",
                   int_text(a, total_mb * 1024 * 1024));
    }
    static const char *const RATES[] = {"rate_login_account", "rate_login_ip",
                                        "rate_login_window",  "rate_mail_address",
                                        "rate_mail_ip",       "rate_mail_window"};
    const char *rate_values[] = {f->rate_login_account, f->rate_login_ip, f->rate_login_window,
                                 f->rate_mail_address,  f->rate_mail_ip,  f->rate_mail_window};
    for (int i = 0; i < 6; i++) {
        const Setting *def = setting_named(RATES[i]);
        if (check_int(a, e, RATES[i], rate_values[i], def->min, def->max, &x))
            change(list, &n, RATES[i], int_text(a, x));
    }
    if (e->count)
        return ADMIN_INVALID;
    const char *old_prefix = s->key_prefix;
    const Catalog *cat = catalog_current(c->db);
    const char *history = cat ? cat->old_prefixes : "";
    DbResult r = db_begin(c->db);
    for (int i = 0; r == DB_OK && i < n; i++) {
        char *stored = store_setting_get(c->db, a, list[i].name);
        if (str_eq(stored ? stored : "", list[i].value))
            continue;
        r = store_setting_set(c->db, list[i].name, list[i].value);
        bool secret = str_eq(list[i].name, "mail");
        if (r == DB_OK)
            r = store_audit(c->db, c->actor_id, "setting_change", list[i].name,
                            secret ? mail_masked(a, list[i].value) : list[i].value, c->ip,
                            c->now);
        if (r == DB_OK && str_eq(list[i].name, "key_prefix") && !str_eq(old_prefix, list[i].value) &&
            !prefix_in_list(history, old_prefix, strlen(old_prefix)))
            r = store_setting_set(c->db, "key_prefix_history",
                                  *history ? arena_printf(a, "%s,%s", history, old_prefix)
                                           : old_prefix);
    }
    return commit_then(c->db, r, catalog_invalidate);
}

/* ---- logo ---- */

static const char *image_type(const unsigned char *d, size_t n)
{
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return "image/jpeg";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return "image/webp";
    return NULL;
}

AdminResult admin_logo_set(AdminContext *c, const unsigned char *data, size_t size,
                           AdminErrors *e)
{
    if (!data || size == 0) {
        admin_error(e, "logo", N_("Please choose an image file."), NULL);
        return ADMIN_INVALID;
    }
    if (size > ADMIN_MAX_LOGO_BYTES) {
        admin_error(e, "logo", N_("The logo may be at most %{value}."), "512 KB");
        return ADMIN_INVALID;
    }
    const char *type = image_type(data, size);
    if (!type) {
        admin_error(e, "logo", N_("The logo must be a PNG, JPEG or WebP image."), NULL);
        return ADMIN_INVALID;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, size);
    PortalFile f = {type, data, size, str_hex(c->arena, digest, sizeof digest)};
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_portal_file_put(c->db, "logo", &f, c->now);
    if (r == DB_OK)
        r = store_setting_set(c->db, "logo_sha256", f.sha256);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "logo_upload", type,
                        arena_printf(c->arena, "%zu bytes", size), c->ip, c->now);
    return commit_then(c->db, r, catalog_invalidate);
}

AdminResult admin_logo_remove(AdminContext *c)
{
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_portal_file_delete(c->db, "logo");
    if (r == DB_OK)
        r = store_setting_delete(c->db, "logo_sha256");
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "logo_remove", "", "", c->ip, c->now);
    return commit_then(c->db, r, catalog_invalidate);
}

/* ---- mail ---- */

AdminResult admin_test_mail(AdminContext *c, int64_t *outbox_id)
{
    const Config *s = settings_now();
    const char *portal = arena_strdup(c->arena, s->portal_name);
    MailContent content = {
        .subject = N_("Test mail from %{portal_name}"),
        .before = {N_("This is a test mail sent from the portal settings."),
                   N_("If you can read it, the mail settings work.")},
    };
    MailVar vars[] = {{"portal_name", portal}};
    MailMessage msg = {0};
    if (!mail_compose(c->arena, &content, vars, 1, c->lang, &msg))
        return ADMIN_ERROR;
    msg.to = c->actor_email;
    DbResult r = db_begin(c->db);
    if (r == DB_OK && !mail_queue(c->db, c->arena, &msg, c->now))
        r = DB_ERROR;
    if (r == DB_OK)
        r = store_admin_outbox_last_id(c->db, c->actor_email, outbox_id);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "test_mail", c->actor_email, "", c->ip, c->now);
    return commit_then(c->db, r, outbox_worker_wake);
}

AdminResult admin_outbox_retry(AdminContext *c, int64_t id, AdminErrors *e)
{
    OutboxItem it;
    bool changed = false;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_outbox_by_id(c->db, c->arena, id, &it);
    if (r == DB_OK && !it.id) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    if (r == DB_OK)
        r = store_admin_outbox_retry(c->db, id, c->now, &changed);
    if (r == DB_OK && !changed) {
        db_rollback(c->db);
        admin_error(e, "", N_("This mail is not waiting for a retry."), NULL);
        return ADMIN_REFUSED;
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "mail_retry", it.recipient, it.subject, c->ip,
                        c->now);
    return commit_then(c->db, r, outbox_worker_wake);
}
