/* admin (store): SQL behind the admin pages - request types and fields as the editor sees them
 * (inactive ones too), user search, organizations and members, the outbox list, the audit log
 * and the portal's uploaded files. The audit log is only ever appended to here: there is no
 * function that changes or deletes an entry. */
#ifndef PFORTE_STORE_ADMIN_H
#define PFORTE_STORE_ADMIN_H
#include "core/arena.h"
#include "store/catalog.h"
#include "store/db.h"
#include "store/outbox.h"
#include "store/users.h"
#include <stdbool.h>
#include <stdint.h>

/* ---- request types and fields ---- */

/* Every type by position, with the number of requests of each in *uses (arena array). */
DbResult store_admin_types(Db *db, Arena *a, RequestType **out, int64_t **uses, int *count);
/* t->id == 0 when none. */
DbResult store_admin_type_by_id(Db *db, Arena *a, int64_t id, RequestType *t);
/* Updates key, names, descriptions, icon and active. DB_CONFLICT when the key is taken. */
DbResult store_admin_type_update(Db *db, const RequestType *t);
DbResult store_admin_type_set_active(Db *db, int64_t id, bool active);
DbResult store_admin_type_set_position(Db *db, int64_t id, int64_t position);
DbResult store_admin_type_next_position(Db *db, int64_t *position);
DbResult store_admin_type_uses(Db *db, int64_t id, int64_t *count);
/* Deletes a type and its fields; the caller checked it has no requests. */
DbResult store_admin_type_delete(Db *db, int64_t id);

/* A field of the editor: the definition plus active and the number of stored values. */
typedef struct AdminField {
    RequestField def;
    bool active;
    int64_t value_count;
} AdminField;
/* Every field of a type by position, inactive ones too. */
DbResult store_admin_fields(Db *db, Arena *a, int64_t type_id, AdminField **out, int *count);
DbResult store_admin_field_by_id(Db *db, Arena *a, int64_t id, AdminField *f);
/* Updates labels, help, required, options, kind and key. */
DbResult store_admin_field_update(Db *db, const RequestField *f);
DbResult store_admin_field_set_active(Db *db, int64_t id, bool active);
DbResult store_admin_field_set_position(Db *db, int64_t id, int64_t position);
DbResult store_admin_field_next_position(Db *db, int64_t type_id, int64_t *position);
/* Deletes a field that holds no values (the caller checked). */
DbResult store_admin_field_delete(Db *db, int64_t id);

/* ---- users ---- */

typedef struct UserRow {
    User user;
    const char *organization; /* "" when none */
    int64_t request_count;    /* requests they reported */
    bool pending;             /* no password yet: registration or invitation unfinished */
} UserRow;
/* Users matching text (in e-mail or name; NULL = all) and role (NULL = all), by e-mail after
 * `after_email` ("" for the first page), at most limit rows. */
DbResult store_admin_users(Db *db, Arena *a, const char *text, const char *role,
                           const char *after_email, int limit, UserRow **out, int *count);
/* Admins that are not disabled. */
DbResult store_admin_count_active_admins(Db *db, int64_t *count);

typedef struct UserRequestRow {
    int64_t number; /* the 42 of SUP-42; the caller adds the prefix */
    const char *summary;
    const char *status;
    int64_t created_at;
    int64_t updated_at;
} UserRequestRow;
/* Requests the user reported, newest first (at most limit). */
DbResult store_admin_user_requests(Db *db, Arena *a, int64_t user_id, int limit,
                                   UserRequestRow **out, int *count);
DbResult store_admin_user_set_organization(Db *db, int64_t user_id, int64_t organization_id,
                                           int64_t now);

typedef struct PendingRegistration {
    const char *email;
    int64_t requested_at; /* newest registration link */
} PendingRegistration;
/* Addresses that asked for a registration link since `since` but have no account yet, newest
 * first, at most limit. */
DbResult store_admin_pending_registrations(Db *db, Arena *a, int64_t since, int limit,
                                           PendingRegistration **out, int *count);

/* ---- organizations ---- */

typedef struct Organization {
    int64_t id;
    const char *name;
    const char *email_domain; /* "" when none */
    int64_t member_count;
    int64_t created_at;
} Organization;
DbResult store_admin_organizations(Db *db, Arena *a, Organization **out, int *count);
/* o->id == 0 when none. */
DbResult store_admin_organization(Db *db, Arena *a, int64_t id, Organization *o);
/* DB_CONFLICT when the name is taken. */
DbResult store_admin_organization_update(Db *db, int64_t id, const char *name,
                                         const char *email_domain);
/* Members by e-mail. */
DbResult store_admin_organization_members(Db *db, Arena *a, int64_t id, User **out, int *count);

/* ---- outbox ---- */

/* Rows in state (NULL = all; "retrying" = queued with at least one attempt), newest first,
 * with id < before_id (0 = from the newest), at most limit. */
DbResult store_admin_outbox(Db *db, Arena *a, const char *state, int64_t before_id, int limit,
                            OutboxItem **out, int *count);
/* Makes a failed or retrying row due now; *changed false when it is sent, sending or absent. */
DbResult store_admin_outbox_retry(Db *db, int64_t id, int64_t now, bool *changed);
/* The newest outbox row for recipient (0 when none); call in the queuing transaction. */
DbResult store_admin_outbox_last_id(Db *db, const char *recipient, int64_t *id);
DbResult store_admin_outbox_by_id(Db *db, Arena *a, int64_t id, OutboxItem *out);

/* ---- audit log ---- */

typedef struct AuditEntry {
    int64_t id;
    int64_t at;
    int64_t actor_id;
    const char *actor; /* e-mail of the actor, "" for the system or a visitor */
    const char *action;
    const char *subject;
    const char *detail;
    const char *ip;
} AuditEntry;
/* Entries matching actor (part of the actor's e-mail; NULL = any), action (exact; NULL = any)
 * and text (part of subject or detail; NULL = any), newest first, id < before_id (0 = from
 * the newest), at most limit. */
DbResult store_admin_audit(Db *db, Arena *a, const char *actor, const char *action,
                           const char *text, int64_t before_id, int limit, AuditEntry **out,
                           int *count);

/* ---- settings and files ---- */

typedef struct SettingRow {
    const char *name;
    const char *value;
} SettingRow;
/* Every row of the settings table. */
DbResult store_settings_all(Db *db, Arena *a, SettingRow **out, int *count);
DbResult store_setting_delete(Db *db, const char *name);

typedef struct PortalFile {
    const char *content_type;
    const unsigned char *data;
    size_t size;
    const char *sha256;
} PortalFile;
/* f->data == NULL when there is no such file. */
DbResult store_portal_file_get(Db *db, Arena *a, const char *name, PortalFile *f);
DbResult store_portal_file_put(Db *db, const char *name, const PortalFile *f, int64_t now);
DbResult store_portal_file_delete(Db *db, const char *name);

#endif
