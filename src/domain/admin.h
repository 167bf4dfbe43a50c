/* admin (domain): every rule of the admin pages - request types and their fields, users and
 * roles, organizations, portal settings, the outbox and the audit log. No HTTP here: callers
 * pass plain inputs and an AdminContext and get a result plus per-field messages (English
 * msgids the page translates). Every change is one transaction that also writes its audit
 * entry, with the acting admin as actor.
 * SECURITY: callers have checked that the actor is an admin; the last active admin can be
 * neither demoted nor disabled; disabling an account ends its sessions in the same
 * transaction; uploaded logos are accepted by their bytes (PNG, JPEG, WebP - never SVG). */
#ifndef PFORTE_DOMAIN_ADMIN_H
#define PFORTE_DOMAIN_ADMIN_H
#include "core/arena.h"
#include "core/config.h"
#include "store/admin.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

#define ADMIN_MAX_ERRORS 32
#define ADMIN_PAGE_SIZE 50
#define ADMIN_MAX_KEY 40            /* type and field keys: a-z, 0-9, '-', '_' */
#define ADMIN_MAX_NAME 120          /* names and labels, code points */
#define ADMIN_MAX_DESCRIPTION 1000  /* descriptions and help texts */
#define ADMIN_MAX_OPTIONS 100       /* options of one select */
#define ADMIN_MAX_OPTION 200        /* code points of one option line */
#define ADMIN_MAX_WELCOME 4000      /* welcome text per language */
#define ADMIN_MAX_PORTAL_NAME 80
#define ADMIN_MAX_PREFIX 10
#define ADMIN_MAX_LOGO_BYTES (512 * 1024)

typedef enum {
    ADMIN_OK = 0,
    ADMIN_INVALID,     /* see AdminErrors */
    ADMIN_NOT_FOUND,   /* 404 */
    ADMIN_REFUSED,     /* a rule forbids it; the message is in AdminErrors (shown as 409) */
    ADMIN_UNAVAILABLE, /* 503 */
    ADMIN_ERROR,       /* 500 */
} AdminResult;

typedef struct AdminError {
    const char *field;  /* form field, "" for the whole form */
    const char *msgid;  /* English msgid; %{value} is replaced by detail */
    const char *detail; /* may be NULL */
} AdminError;

typedef struct AdminErrors {
    AdminError items[ADMIN_MAX_ERRORS];
    int count;
} AdminErrors;

typedef struct AdminContext {
    Db *db;
    Arena *arena;
    int64_t actor_id;
    const char *actor_email;
    const char *ip;
    const char *lang;
    int64_t now;
} AdminContext;

void admin_error(AdminErrors *e, const char *field, const char *msgid, const char *detail);
/* Lowercased "%text%" for LIKE with '\' escaping % and _; NULL for empty text. */
const char *admin_like_pattern(Arena *a, const char *text);

/* ---- settings (admin_settings.c) ---- */

/* The settings in effect for the calling thread: cfg with the values an admin saved in the
 * settings table on top, refreshed with the catalog (at most CATALOG_MAX_AGE_MS old, on every
 * instance). Use the values at once, never past the current request. Never NULL. */
const Config *settings_now(void);
/* The rows that may override a config setting - overridable names, non-empty, numbers within
 * the setting's range - into *out (arena array, values shared with rows); the others are
 * logged and left out. Returns the count. */
int settings_filter_rows(Arena *a, const SettingRow *rows, int count, SettingRow **out);
/* Puts the overridable rows onto *c (strings copied into a, or shared when a is NULL); a
 * value that is not overridable or not within the setting's range is ignored. */
void settings_apply_rows(Config *c, Arena *a, const SettingRow *rows, int count);
/* True when prefix is the current key prefix, the config file's, or one used before. */
bool settings_key_prefix_known(const char *prefix, size_t n);

/* The settings form as text, one entry per field name (see admin_settings.c SETTING_FIELDS). */
typedef struct SettingsForm {
    const char *portal_name, *welcome_de, *welcome_en, *accent_color, *key_prefix, *base_url,
        *mail_from, *mail, *max_attachment_mb, *max_request_attachment_mb, *rate_login_account,
        *rate_login_ip, *rate_login_window, *rate_mail_address, *rate_mail_ip,
        *rate_mail_window;
} SettingsForm;
/* The form as the admin sees it now (the mail URL with its password masked). */
void admin_settings_load(Arena *a, SettingsForm *f);
/* Validates every field and saves the changed ones (audit entry per change). */
AdminResult admin_settings_save(AdminContext *c, const SettingsForm *f, AdminErrors *e);
/* Checks the bytes (PNG, JPEG or WebP, at most ADMIN_MAX_LOGO_BYTES) and stores the logo. */
AdminResult admin_logo_set(AdminContext *c, const unsigned char *data, size_t size,
                           AdminErrors *e);
AdminResult admin_logo_remove(AdminContext *c);
/* Queues a test mail to the actor; *outbox_id receives its outbox row. */
AdminResult admin_test_mail(AdminContext *c, int64_t *outbox_id);
/* Makes a failed or retrying mail due now. ADMIN_REFUSED when it is sent or being sent. */
AdminResult admin_outbox_retry(AdminContext *c, int64_t id, AdminErrors *e);

/* ---- request types (admin_types.c) ---- */

typedef struct TypeForm {
    const char *key, *name_de, *name_en, *description_de, *description_en, *icon;
    bool active;
} TypeForm;
typedef struct FieldForm {
    const char *key, *kind, *label_de, *label_en, *help_de, *help_en, *options;
    bool required;
} FieldForm;
/* The icon names of static/icons.svg an admin may choose, NULL-terminated. */
extern const char *const ADMIN_TYPE_ICONS[];
/* The field kinds the customer form supports, NULL-terminated. */
extern const char *const ADMIN_FIELD_KINDS[];
/* id 0 creates (*id receives the new id). */
AdminResult admin_type_save(AdminContext *c, int64_t id, const TypeForm *f, int64_t *new_id,
                            AdminErrors *e);
AdminResult admin_type_set_active(AdminContext *c, int64_t id, bool active);
/* Moves a type one place up (-1) or down (+1). */
AdminResult admin_type_move(AdminContext *c, int64_t id, int direction);
/* ADMIN_REFUSED (with the message) when requests of the type exist. */
AdminResult admin_type_delete(AdminContext *c, int64_t id, AdminErrors *e);
/* field_id 0 adds a field to type_id. */
AdminResult admin_field_save(AdminContext *c, int64_t type_id, int64_t field_id,
                             const FieldForm *f, AdminErrors *e);
AdminResult admin_field_move(AdminContext *c, int64_t field_id, int direction);
AdminResult admin_field_set_active(AdminContext *c, int64_t field_id, bool active);
/* A field without values is deleted; one with values is switched off (*kept true) so old
 * requests keep showing them. */
AdminResult admin_field_remove(AdminContext *c, int64_t field_id, bool *kept);

/* ---- users and organizations (admin_users.c) ---- */

/* Invites an agent (or admin): creates the account without password and mails a link to set
 * name and password. */
AdminResult admin_user_invite(AdminContext *c, const char *email, const char *name,
                              const char *role, AdminErrors *e);
/* ADMIN_REFUSED when it would leave no active admin. */
AdminResult admin_user_set_role(AdminContext *c, int64_t user_id, const char *role,
                                AdminErrors *e);
/* Disabling ends every session of the account at once; ADMIN_REFUSED for the last admin. */
AdminResult admin_user_set_disabled(AdminContext *c, int64_t user_id, bool disabled,
                                    AdminErrors *e);
/* Sends a new registration link to an account that has no password yet. */
AdminResult admin_user_resend(AdminContext *c, int64_t user_id, AdminErrors *e);
/* Unfinished registrations shown to admins: the last ADMIN_PENDING_DAYS days. */
#define ADMIN_PENDING_DAYS 30
/* Sends a new registration link to an address with an unfinished registration (the address
 * limits of "Link senden" apply: ADMIN_REFUSED with a message when exceeded). */
AdminResult admin_registration_resend(AdminContext *c, const char *email, AdminErrors *e);
AdminResult admin_org_save(AdminContext *c, int64_t id, const char *name,
                           const char *email_domain, int64_t *new_id, AdminErrors *e);
AdminResult admin_org_add_member(AdminContext *c, int64_t org_id, const char *email,
                                 AdminErrors *e);
AdminResult admin_org_remove_member(AdminContext *c, int64_t org_id, int64_t user_id);

#endif
