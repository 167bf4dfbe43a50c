/* config: the one table of every setting. Sources, lowest first: built-in default, config
 * file (key = value), PFORTE_* environment, command-line flag. Unknown keys are errors. */
#ifndef PFORTE_CORE_CONFIG_H
#define PFORTE_CORE_CONFIG_H
#include "core/buf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct Config {
    char *config_file;
    char *listen;
    char *data;
    char *db;
    char *base_url;
    int64_t threads;
    int64_t write_threads;
    bool dev;
    bool demo;
    char *log_level;
    char *portal_name;
    char *key_prefix;
    char *mail;
    char *mail_from;
    int64_t max_header_bytes;
    int64_t max_url_bytes;
    int64_t max_form_bytes;
    int64_t max_upload_bytes;
    int64_t connection_timeout;
    int64_t max_client_connections;
    char *trusted_proxies;
    bool test_clock;
    int64_t session_idle_days;
    int64_t session_max_days;
    int64_t verify_token_hours;
    int64_t reset_token_minutes;
    int64_t argon2_ops;
    int64_t argon2_mem_kib;
    int64_t hash_concurrency;
    int64_t rate_login_account;
    int64_t rate_login_ip;
    int64_t rate_login_window;
    int64_t rate_mail_address;
    int64_t rate_mail_ip;
    int64_t rate_mail_window;
    int64_t outbox_poll_ms;
    int64_t mail_retry_hours;
    int64_t max_attachment_bytes;
    int64_t max_request_attachment_bytes;
    int64_t sla_poll_ms;
    int64_t auto_close_days;
    int64_t auto_close_check_seconds;
    char *mail_reply_address;
    int64_t mail_in_max_bytes;
    bool mail_in_create_requests;
    char *mail_in_request_type;
    int64_t rate_mail_in_sender;
    char *imap_url;
    char *imap_user;
    char *imap_password;
    int64_t imap_max_messages;
    int64_t mail_poll_seconds;
} Config;

typedef enum { SETTING_STRING, SETTING_INT, SETTING_BOOL } SettingType;

typedef struct Setting {
    const char *name;     /* file key; flag is --name-with-dashes; env is PFORTE_NAME */
    SettingType type;
    size_t offset;        /* into Config */
    const char *fallback; /* default as text */
    int64_t min, max;     /* for SETTING_INT */
    bool secret;          /* never printed */
    const char *help;
} Setting;

extern Config cfg;    /* the process's configuration, read-only after start-up */
extern const Setting SETTINGS[];
extern const int SETTINGS_COUNT;

/* Fills *out from defaults, the config file (--config or PFORTE_CONFIG), the environment and
 * argv[from..argc). Words that are not flags are collected in order into positional[] (up to
 * max_positional; *npositional receives the count). Returns false with a message in err. */
bool config_load(Config *out, int argc, char **argv, int from, char **positional,
                 int max_positional, int *npositional, Buf *err);
/* Command-specific flags that are not settings (e.g. `admin user add --email E`): names
 * without dashes, ended by NULL; values land in the same index of values (NULL if absent). */
void config_allow_extra_flags(const char *const *names, const char **values);
/* Releases the strings of a Config that config_load filled (not the process's cfg). */
void config_free(Config *c);
/* Sets one setting from text; false with a message naming the key when invalid. */
bool config_set(Config *c, const char *name, const char *value, Buf *err);
/* Writes the Markdown option table used in the README. */
void config_write_markdown(Buf *out);
/* The database URL in effect: --db, or <data>/pforte.db. Heap string owned by cfg. */
const char *config_db_url(const Config *c);
/* The public base URL without a trailing slash: --base-url, or http://<listen>. */
const char *config_base_url(const Config *c);

#endif
