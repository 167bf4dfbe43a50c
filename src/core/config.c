/* config: defaults < config file < PFORTE_* environment < flags, all described by SETTINGS.
 * Secrets are never echoed; unknown keys are errors that name the key. */
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Config cfg;

#define S(n, t, fb, lo, hi, sec, h) {#n, t, offsetof(Config, n), fb, lo, hi, sec, h}
const Setting SETTINGS[] = {
    S(config_file, SETTING_STRING, "", 0, 0, false, "Config file with key = value lines"),
    S(listen, SETTING_STRING, "127.0.0.1:8080", 0, 0, false, "Address and port to serve HTTP on"),
    S(data, SETTING_STRING, "./var", 0, 0, false, "Data directory (database, Maildir)"),
    S(db, SETTING_STRING, "", 0, 0, true,
      "Database: a SQLite file path or postgres://...; default <data>/pforte.db"),
    S(base_url, SETTING_STRING, "", 0, 0, false,
      "Public URL used in mailed links; default http://<listen>"),
    S(threads, SETTING_INT, "0", 0, 256, false,
      "HTTP worker threads; 0 = the number of cores (SQLite, at least 2) or twice that "
      "(PostgreSQL)"),
    S(write_threads, SETTING_INT, "8", 0, 256, false,
      "Threads that create and change requests; they wait for the database's write turn and "
      "commit together, so more of them make bigger commits; 0 = the HTTP workers do it"),
    S(dev, SETTING_BOOL, "false", 0, 0, false, "Read templates, static files and translations "
                                               "from disk on every request"),
    S(demo, SETTING_BOOL, "false", 0, 0, false, "Fill an empty database with demo data"),
    S(log_level, SETTING_STRING, "info", 0, 0, false, "debug, info, warn or error"),
    S(portal_name, SETTING_STRING, "Supportportal", 0, 0, false, "Portal name in pages and mails until an admin sets one"),
    S(key_prefix, SETTING_STRING, "SUP", 0, 0, false, "Prefix of request keys (SUP-42)"),
    S(mail, SETTING_STRING, "maildir", 0, 0, true,
      "Mail transport: maildir (<data>/mail), smtp://user:pass@host:port or smtps://..."),
    S(mail_from, SETTING_STRING, "Supportportal <support@localhost>", 0, 0, false,
      "Sender of every mail"),
    S(max_header_bytes, SETTING_INT, "16384", 1024, 1048576, false,
      "Largest request head (431 above)"),
    S(max_url_bytes, SETTING_INT, "4096", 256, 65536, false, "Longest request URL (414 above)"),
    S(max_form_bytes, SETTING_INT, "1048576", 1024, 1073741824, false,
      "Largest form body without files (413 above)"),
    S(max_upload_bytes, SETTING_INT, "26214400", 1024, 1073741824, false,
      "Largest multipart body with files (413 above)"),
    S(connection_timeout, SETTING_INT, "30", 1, 3600, false,
      "Seconds a connection may stay idle before it is closed"),
    S(max_client_connections, SETTING_INT, "1000", 4, 100000, false,
      "Open client connections at most; further ones wait to be accepted until one closes"),
    S(trusted_proxies, SETTING_STRING, "", 0, 0, false,
      "Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client"),
    S(test_clock, SETTING_BOOL, "false", 0, 0, false,
      "Tests only: add the seconds in <data>/clock-offset to the clock"),
    S(session_idle_days, SETTING_INT, "14", 1, 3650, false, "Sessions end after this idle time"),
    S(session_max_days, SETTING_INT, "90", 1, 3650, false, "Sessions end after this lifetime"),
    S(verify_token_hours, SETTING_INT, "24", 1, 720, false, "Registration links expire after"),
    S(reset_token_minutes, SETTING_INT, "60", 5, 10080, false, "Reset links expire after"),
    S(argon2_ops, SETTING_INT, "2", 1, 20, false, "Argon2id passes (libsodium INTERACTIVE = 2)"),
    S(argon2_mem_kib, SETTING_INT, "65536", 8, 4194304, false,
      "Argon2id memory in KiB (libsodium INTERACTIVE = 65536)"),
    S(hash_concurrency, SETTING_INT, "0", 0, 256, false,
      "Password hashes computed at once; 0 = half the cores"),
    S(rate_login_account, SETTING_INT, "10", 1, 100000, false,
      "Failed logins per account per window"),
    S(rate_login_ip, SETTING_INT, "50", 1, 100000, false, "Login attempts per IP per window"),
    S(rate_login_window, SETTING_INT, "900", 10, 86400, false, "Login rate window in seconds"),
    S(rate_mail_address, SETTING_INT, "5", 1, 100000, false,
      "Registration/reset mails per address per window"),
    S(rate_mail_ip, SETTING_INT, "20", 1, 100000, false,
      "Registration/reset requests per IP per window"),
    S(rate_mail_window, SETTING_INT, "3600", 10, 86400, false, "Mail rate window in seconds"),
    S(outbox_poll_ms, SETTING_INT, "500", 10, 60000, false, "How often the mail worker looks"),
    S(mail_retry_hours, SETTING_INT, "48", 1, 720, false,
      "Failed deliveries are retried this long"),
    S(max_attachment_bytes, SETTING_INT, "10485760", 1024, 1073741824, false,
      "Largest attachment file"),
    S(max_request_attachment_bytes, SETTING_INT, "52428800", 1024, 10737418240, false,
      "Most attachment bytes on one request"),
    S(sla_poll_ms, SETTING_INT, "30000", 50, 3600000, false,
      "How often the SLA pass refreshes due times and sends reminders"),
    S(auto_close_days, SETTING_INT, "7", 1, 365, false,
      "Resolved requests close after this many days without a customer reply"),
    S(auto_close_check_seconds, SETTING_INT, "300", 1, 86400, false,
      "How often resolved requests are checked for closing"),
    S(mail_reply_address, SETTING_STRING, "", 0, 0, false,
      "Address replies by mail go to (plus-addressed per request); default the address of "
      "mail_from"),
    S(mail_in_max_bytes, SETTING_INT, "26214400", 1024, 1073741824, false,
      "Largest inbound mail mail-in and mail-poll accept (bigger ones are refused)"),
    S(mail_in_create_requests, SETTING_BOOL, "true", 0, 0, false,
      "A mail from a known customer that answers no request creates a new one"),
    S(mail_in_request_type, SETTING_STRING, "", 0, 0, false,
      "Request type (key) of requests created by mail; default the first active type"),
    S(rate_mail_in_sender, SETTING_INT, "60", 1, 100000, false,
      "Inbound mails filed per sender address per hour"),
    S(imap_url, SETTING_STRING, "", 0, 0, false,
      "Mailbox mail-poll reads, e.g. imaps://imap.example.com/INBOX"),
    S(imap_user, SETTING_STRING, "", 0, 0, false, "IMAP user name"),
    S(imap_password, SETTING_STRING, "", 0, 0, true, "IMAP password"),
    S(imap_max_messages, SETTING_INT, "100", 1, 100000, false,
      "Most messages mail-poll fetches in one run"),
    S(mail_poll_seconds, SETTING_INT, "0", 0, 86400, false,
      "serve polls the IMAP mailbox this often (seconds); 0 = only the mail-poll command"),
};
#undef S
const int SETTINGS_COUNT = (int)(sizeof SETTINGS / sizeof SETTINGS[0]);

static const Setting *setting_find(const char *name, size_t n)
{
    for (int i = 0; i < SETTINGS_COUNT; i++)
        if (strlen(SETTINGS[i].name) == n && strncmp(SETTINGS[i].name, name, n) == 0)
            return &SETTINGS[i];
    return NULL;
}

static bool setting_apply(Config *c, const Setting *s, const char *value, Buf *err)
{
    char *field = (char *)c + s->offset;
    switch (s->type) {
    case SETTING_STRING: {
        char **slot = (char **)field;
        free(*slot);
        *slot = xstrdup(value);
        return true;
    }
    case SETTING_INT: {
        int64_t v;
        if (!str_to_int64(value, &v)) {
            buf_printf(err, "setting %s: \"%s\" is not a whole number", s->name,
                       s->secret ? "***" : value);
            return false;
        }
        if (v < s->min || v > s->max) {
            buf_printf(err, "setting %s: %lld is outside %lld..%lld", s->name, (long long)v,
                       (long long)s->min, (long long)s->max);
            return false;
        }
        *(int64_t *)field = v;
        return true;
    }
    case SETTING_BOOL:
        if (str_eq(value, "true") || str_eq(value, "1") || str_eq(value, "yes") ||
            str_eq(value, "on")) {
            *(bool *)field = true;
        } else if (str_eq(value, "false") || str_eq(value, "0") || str_eq(value, "no") ||
                   str_eq(value, "off")) {
            *(bool *)field = false;
        } else {
            buf_printf(err, "setting %s: \"%s\" is not true or false", s->name, value);
            return false;
        }
        return true;
    }
    return false;
}

void config_free(Config *c)
{
    for (int i = 0; i < SETTINGS_COUNT; i++) {
        if (SETTINGS[i].type == SETTING_STRING) {
            char **slot = (char **)((char *)c + SETTINGS[i].offset);
            free(*slot);
            *slot = NULL;
        }
    }
}

bool config_set(Config *c, const char *name, const char *value, Buf *err)
{
    const Setting *s = setting_find(name, strlen(name));
    if (!s) {
        buf_printf(err, "unknown setting \"%s\"", name);
        return false;
    }
    return setting_apply(c, s, value, err);
}

static bool config_read_file(Config *c, const char *path, Buf *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        buf_printf(err, "config file %s: %s", path, strerror(errno));
        return false;
    }
    char line[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '#' || *p == '\0')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            buf_printf(err, "config file %s:%d: expected key = value", path, lineno);
            ok = false;
            break;
        }
        char *kend = eq;
        while (kend > p && isspace((unsigned char)kend[-1]))
            kend--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        size_t vn = strlen(v);
        while (vn && isspace((unsigned char)v[vn - 1]))
            v[--vn] = '\0';
        const Setting *s = setting_find(p, (size_t)(kend - p));
        if (!s || s->offset == offsetof(Config, config_file)) {
            buf_printf(err, "config file %s:%d: unknown setting \"%.*s\"", path, lineno,
                       (int)(kend - p), p);
            ok = false;
            break;
        }
        if (!setting_apply(c, s, v, err)) {
            buf_printf(err, " (config file %s:%d)", path, lineno);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

static void env_name(const char *name, char *out, size_t n)
{
    size_t j = (size_t)snprintf(out, n, "PFORTE_");
    for (const char *p = name; *p && j + 1 < n; p++)
        out[j++] = (char)toupper((unsigned char)*p);
    out[j] = '\0';
}

/* Matches "--flag-name" or "--flag-name=value" against a setting; dashes map to '_'. */
static const Setting *flag_find(const char *arg, const char **inline_value)
{
    char name[128];
    size_t j = 0;
    const char *p = arg + 2;
    *inline_value = NULL;
    for (; *p && *p != '=' && j + 1 < sizeof name; p++)
        name[j++] = *p == '-' ? '_' : *p;
    name[j] = '\0';
    if (*p == '=')
        *inline_value = p + 1;
    if (str_eq(name, "config"))
        return setting_find("config_file", 11);
    return setting_find(name, j);
}

static const char *const *extra_names;
static const char **extra_values;

void config_allow_extra_flags(const char *const *names, const char **values)
{
    extra_names = names;
    extra_values = values;
}

/* Index of an extra flag "--name" / "--name=value", or -1. */
static int extra_find(const char *arg, const char **inline_value)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    for (int i = 0; extra_names && extra_names[i]; i++) {
        if (strlen(extra_names[i]) == n && strncmp(extra_names[i], name, n) == 0) {
            *inline_value = eq ? eq + 1 : NULL;
            return i;
        }
    }
    return -1;
}

bool config_load(Config *out, int argc, char **argv, int from, char **positional,
                 int max_positional, int *npositional, Buf *err)
{
    for (int i = 0; i < SETTINGS_COUNT; i++)
        if (!setting_apply(out, &SETTINGS[i], SETTINGS[i].fallback, err))
            return false;
    /* the config file comes first, from the flag or the environment */
    const char *file = getenv("PFORTE_CONFIG");
    for (int i = from; i < argc; i++) {
        if (str_starts_with(argv[i], "--config=")) {
            file = argv[i] + 9;
        } else if (str_eq(argv[i], "--config")) {
            if (i + 1 >= argc) {
                buf_puts(err, "--config needs a file name");
                return false;
            }
            file = argv[i + 1];
        }
    }
    if (!str_empty(file)) {
        setting_apply(out, setting_find("config_file", 11), file, err);
        if (!config_read_file(out, file, err))
            return false;
    }
    for (int i = 0; i < SETTINGS_COUNT; i++) {
        char name[160];
        env_name(SETTINGS[i].name, name, sizeof name);
        const char *v = getenv(name);
        if (v && SETTINGS[i].offset != offsetof(Config, config_file) &&
            !setting_apply(out, &SETTINGS[i], v, err)) {
            buf_printf(err, " (environment %s)", name);
            return false;
        }
    }
    *npositional = 0;
    for (int i = from; i < argc; i++) {
        const char *arg = argv[i];
        if (!str_starts_with(arg, "--")) {
            if (*npositional >= max_positional) {
                buf_printf(err, "unexpected argument \"%s\"", arg);
                return false;
            }
            positional[(*npositional)++] = argv[i];
            continue;
        }
        const char *value;
        int extra = extra_find(arg, &value);
        if (extra >= 0) {
            if (!value && i + 1 >= argc) {
                buf_printf(err, "option %s needs a value", arg);
                return false;
            }
            extra_values[extra] = value ? value : argv[++i];
            continue;
        }
        const Setting *s = flag_find(arg, &value);
        if (!s) {
            buf_printf(err, "unknown option \"%s\"", arg);
            return false;
        }
        if (!value) {
            if (s->type == SETTING_BOOL) {
                value = "true";
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                buf_printf(err, "option %s needs a value", arg);
                return false;
            }
        }
        if (s->offset == offsetof(Config, config_file))
            continue; /* already read */
        if (!setting_apply(out, s, value, err))
            return false;
    }
    if (!log_level_valid(out->log_level)) {
        buf_printf(err, "setting log_level: \"%s\" is not debug, info, warn or error",
                   out->log_level);
        return false;
    }
    return true;
}

void config_write_markdown(Buf *out)
{
    buf_puts(out, "| flag | environment | config file key | default | meaning |\n");
    buf_puts(out, "|---|---|---|---|---|\n");
    for (int i = 0; i < SETTINGS_COUNT; i++) {
        const Setting *s = &SETTINGS[i];
        char env[160];
        env_name(s->name, env, sizeof env);
        buf_puts(out, "| `--");
        if (s->offset == offsetof(Config, config_file)) {
            buf_puts(out, "config");
            env_name("config", env, sizeof env);
        } else {
            for (const char *p = s->name; *p; p++)
                buf_putc(out, *p == '_' ? '-' : *p);
        }
        buf_printf(out, "` | `%s` | %s | %s | %s |\n", env,
                   s->offset == offsetof(Config, config_file) ? "-" : s->name,
                   str_empty(s->fallback) ? "-" : s->fallback, s->help);
    }
}

const char *config_db_url(const Config *c)
{
    static _Thread_local char path[4096];
    if (!str_empty(c->db))
        return c->db;
    snprintf(path, sizeof path, "%s/pforte.db", c->data);
    return path;
}

const char *config_base_url(const Config *c)
{
    static _Thread_local char url[1024];
    if (!str_empty(c->base_url)) {
        size_t n = strlen(c->base_url);
        while (n && c->base_url[n - 1] == '/')
            n--;
        snprintf(url, sizeof url, "%.*s", (int)n, c->base_url);
    } else {
        snprintf(url, sizeof url, "http://%s", c->listen);
    }
    return url;
}
