/* catalog: the store functions for request types, their fields and portal settings. */
#ifndef PFORTE_STORE_CATALOG_H
#define PFORTE_STORE_CATALOG_H
#include "core/arena.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct RequestType {
    int64_t id;
    char *key;
    char *name_de, *name_en;
    char *description_de, *description_en;
    char *icon;
    int64_t position;
    bool active;
} RequestType;

typedef struct RequestField {
    int64_t id;
    int64_t type_id;
    char *key;
    char *kind;
    char *label_de, *label_en;
    char *help_de, *help_en;
    bool required;
    char *options; /* value|label_de|label_en lines */
    int64_t position;
} RequestField;

/* The columns of a request type (table alias t), in the order store_request_type_read reads
 * them from column 0; queries add their own columns after them. */
#define REQUEST_TYPE_COLUMNS                                                                   \
    "t.id, t.key, t.name_de, t.name_en, t.description_de, t.description_en, t.icon, "         \
    "t.position, t.active "
void store_request_type_read(DbStmt *st, Arena *a, RequestType *t);
/* Binds key, name_de, name_en, description_de, description_en and icon as parameters 1-6 (the
 * order of the insert and of the admin's update). */
void store_request_type_bind_texts(DbStmt *st, const RequestType *t);

/* The active types (or all of them) by position into *out (arena array); returns DB_OK with
 * *count set. */
DbResult store_request_types(Db *db, Arena *a, bool active_only, RequestType **out, int *count);
/* The request type with that key; t->id == 0 when there is none, or (active_only) when it
 * is not active. Strings in a. */
DbResult store_request_type_by_key(Db *db, Arena *a, const char *key, bool active_only,
                                   RequestType *t);
DbResult store_request_type_insert(Db *db, const RequestType *t, int64_t now, int64_t *id);
/* A new field (active); its id into *id when not NULL. */
DbResult store_request_field_insert(Db *db, const RequestField *f, int64_t *id);
/* Setting value copied into the arena, or NULL when unset (DB errors also give NULL). */
char *store_setting_get(Db *db, Arena *a, const char *name);
DbResult store_setting_set(Db *db, const char *name, const char *value);
/* True when the database holds no users and no request types (a fresh installation). */
DbResult store_is_empty(Db *db, bool *empty);

/* A trivial query proving the connection works (health checks). */
DbResult store_ping(Db *db);

#endif
