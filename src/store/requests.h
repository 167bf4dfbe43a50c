/* requests (store): SQL for requests - the type and fields of a form, request numbers, the
 * request row with its field values, participants and search row, loading one request and
 * the keyset-paged "Anfragen" list. (Participants, events and organization names: see
 * store/activity.h.) Decides nothing about who may see what: the domain
 * (domain/requests.c) does, and passes the viewer's ids in. */
#ifndef PFORTE_STORE_REQUESTS_H
#define PFORTE_STORE_REQUESTS_H
#include "core/arena.h"
#include "store/catalog.h"
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* One request as stored, with its type's and reporter's names. */
typedef struct RequestRow {
    int64_t id;
    int64_t number;
    int64_t type_id;
    char *type_key;
    char *type_name_de, *type_name_en;
    int64_t reporter_id;
    char *reporter_name;
    char *reporter_email;
    int64_t organization_id; /* 0 = not shared with an organization */
    char *organization_name; /* "" when not shared */
    char *summary;
    char *description;
    char *status;
    char *priority;
    int64_t assignee_id; /* 0 = nobody */
    char *reply_token;
    char *message_id;
    int64_t created_at;
    int64_t updated_at;
    int64_t version;
} RequestRow;

/* What a new request row holds (the creating transaction fills the rest). */
typedef struct NewRequestRow {
    int64_t number;
    int64_t type_id;
    int64_t reporter_id;
    int64_t organization_id; /* 0 = not shared */
    const char *summary;
    const char *description;
    const char *status;       /* NULL = "open" */
    const char *submit_token; /* NULL = none (imports, seeding) */
    const char *reply_token;
    const char *message_id;
    int64_t created_at;
    int64_t updated_at;
} NewRequestRow;

/* ---- forms ---- */

/* The fields of a type by position into *out (arena array). */
/* The columns of a field definition (table alias f), in the order store_request_field_read
 * reads them from column 0; queries add their own columns after them. */
#define REQUEST_FIELD_COLUMNS                                                                  \
    "f.id, f.type_id, f.key, f.kind, f.label_de, f.label_en, f.help_de, f.help_en, "          \
    "f.required, f.options, f.position "
void store_request_field_read(DbStmt *st, Arena *a, RequestField *f);

DbResult store_request_fields_of_type(Db *db, Arena *a, int64_t type_id, RequestField **out,
                                      int *count);

/* ---- creating (call inside the caller's transaction) ---- */

/* Allocates the next request number (the counter row is locked until the transaction ends,
 * so concurrent creators get distinct numbers). */
DbResult store_request_number_next(Db *db, int64_t *number);
/* Reserves count numbers at once; *first receives the first of them (seeding, imports). */
DbResult store_request_number_reserve(Db *db, int64_t count, int64_t *first);
/* The request created with this submit token: *number and *reporter_id, both 0 when none. */
DbResult store_request_by_submit_token(Db *db, const char *submit_token, int64_t *number,
                                       int64_t *reporter_id);
/* Inserts the row and its access rows (the reporter's, and the organization members' when
 * it is shared); *id receives its id. DB_CONFLICT when the number or the submit token is
 * taken. Call inside a transaction. */
DbResult store_request_insert(Db *db, const NewRequestRow *r, int64_t *id);
DbResult store_request_value_insert(Db *db, int64_t request_id, int64_t field_id,
                                    const char *value);
/* The full-text row of a request (rowid = request id; body = description). */
DbResult store_request_search_insert(Db *db, int64_t request_id, const char *summary,
                                     const char *body);

/* ---- reading ---- */

/* The request with that number; r->id == 0 when there is none. Strings in a. */
DbResult store_request_by_number(Db *db, Arena *a, int64_t number, RequestRow *r);
/* Whether user_id is a participant of the request. */
DbResult store_request_is_participant(Db *db, int64_t request_id, int64_t user_id, bool *yes);

/* ---- the list ---- */

typedef enum { LIST_STATUS_ALL = 0, LIST_STATUS_OPEN = 1, LIST_STATUS_CLOSED = 2 } ListStatus;

/* One page of the list: which requests, in which order, from where. The store takes the ids
 * as given; the domain decides them from the viewer. */
typedef struct RequestListFilter {
    bool everything;      /* all requests (agents, scope "all"); the flags below are ignored */
    int64_t user_id;      /* the viewer */
    int64_t organization_id; /* the viewer's organization, 0 = none */
    bool reported;        /* include requests user_id created */
    bool shared;          /* include requests shared with user_id (participant, organization) */
    bool shared_only_others; /* shared ones only when someone else created them */
    ListStatus status;
    int64_t type_id;      /* 0 = any type */
    const char *match;    /* FTS5 query expression, NULL = no full-text filter */
    bool by_created;      /* order by created_at instead of updated_at (newest first) */
    bool backward;        /* rows before the cursor (the previous page), oldest first */
    int64_t cursor_time;  /* keyset: the page starts after (time, id); INT64_MAX = first */
    int64_t cursor_id;
    int limit;
} RequestListFilter;

typedef struct RequestListRow {
    int64_t id;
    int64_t number;
    int64_t type_id; /* its names come from the catalog (domain) */
    int64_t reporter_id;
    char *reporter_name;
    char *reporter_email;
    char *summary;
    char *status;
    int64_t created_at;
    int64_t updated_at;
} RequestListRow;

/* Up to f->limit rows into *rows (arena array) in the filter's order (newest first; with
 * backward, nearest the cursor first as well). The full-text part (f->match) is SQLite FTS5
 * syntax; the PostgreSQL backend replaces that query with its own. */
DbResult store_request_list(Db *db, Arena *a, const RequestListFilter *f, RequestListRow **rows,
                            int *count);

/* The FTS5 expression the domain builds ("a" "b c"* : quoted terms, "" inside for a quote,
 * * for a prefix) as the line form PostgreSQL's pforte_search_query takes (migrations/postgres/
 * 002): one term a line, each starting with '*' (prefix) or ' ', then the term. For the
 * store's own PostgreSQL search queries. */
const char *store_search_terms_pg(Arena *a, const char *fts);

#endif
