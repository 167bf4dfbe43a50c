/* requests (store): SQL for creating, loading and listing requests. The list pages by keyset
 * ((time, id) of the last row shown), never by OFFSET, so the last page costs what the first
 * does. SECURITY: values are always bound; the varying parts of the list query (order,
 * direction, full text) are chosen among string literals, never built from input. */
#include "store/requests.h"
#include <stdint.h>
#include <string.h>

/* ---- forms ---- */

void store_request_field_read(DbStmt *st, Arena *a, RequestField *f)
{
    f->id = db_col_int(st, 0);
    f->type_id = db_col_int(st, 1);
    f->key = db_col_text(st, 2, a);
    f->kind = db_col_text(st, 3, a);
    f->label_de = db_col_text(st, 4, a);
    f->label_en = db_col_text(st, 5, a);
    f->help_de = db_col_text(st, 6, a);
    f->help_en = db_col_text(st, 7, a);
    f->required = db_col_int(st, 8) != 0;
    f->options = db_col_text(st, 9, a);
    f->position = db_col_int(st, 10);
}

DbResult store_request_fields_of_type(Db *db, Arena *a, int64_t type_id, RequestField **out,
                                      int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT " REQUEST_FIELD_COLUMNS "FROM request_fields f "
                                "WHERE f.type_id = ? AND f.active = 1 ORDER BY f.position, f.id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, type_id);
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        store_request_field_read(st, a, &(*out)[(*count)++]);
    }
    db_done(st);
    return r;
}

/* ---- creating ---- */

/* Inside the caller's transaction. SQLite collects RETURNING rows in a temporary b-tree at
 * every execution, so there the new value is read by a second statement (the transaction
 * holds the write lock); PostgreSQL returns it with the UPDATE. */
DbResult store_request_number_reserve(Db *db, int64_t count, int64_t *first)
{
    DbStmt *st;
    if (db_kind(db) == DB_SQLITE) {
        st = db_prepare(db, "UPDATE counters SET value = value + ? WHERE name = 'request_number'");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, count);
        DbResult r = db_run(st);
        if (r != DB_OK)
            return r;
        st = db_prepare(db, "SELECT value FROM counters WHERE name = 'request_number'");
    } else {
        st = db_prepare(db, "UPDATE counters SET value = value + ? "
                            "WHERE name = 'request_number' RETURNING value");
        if (st)
            db_bind_int(st, 1, count);
    }
    if (!st)
        return DB_ERROR;
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *first = db_col_int(st, 0) - count + 1;
        r = db_step(st);
    } else if (r == DB_OK) {
        r = DB_ERROR; /* the counter row is missing: migration 003 creates it */
    }
    db_done(st);
    return r;
}

DbResult store_request_number_next(Db *db, int64_t *number)
{
    return store_request_number_reserve(db, 1, number);
}

DbResult store_request_by_submit_token(Db *db, const char *submit_token, int64_t *number,
                                       int64_t *reporter_id)
{
    *number = 0;
    *reporter_id = 0;
    DbStmt *st = db_prepare(db, "SELECT number, reporter_id FROM requests WHERE submit_token = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, submit_token);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *number = db_col_int(st, 0);
        *reporter_id = db_col_int(st, 1);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

/* Binds what every access row of the new request holds as parameters 1-8: its id,
 * updated_at, created_at, number, type_id, reporter_id, status, summary. */
static void bind_access_columns(DbStmt *st, const NewRequestRow *n, int64_t id)
{
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, n->updated_at);
    db_bind_int(st, 3, n->created_at);
    db_bind_int(st, 4, n->number);
    db_bind_int(st, 5, n->type_id);
    db_bind_int(st, 6, n->reporter_id);
    db_bind_text(st, 7, n->status ? n->status : "open");
    db_bind_text(st, 8, n->summary);
}

/* The new request's access rows (migration 014): its reporter's, and one for each member of
 * the organization it is shared with, each with the list columns. */
static DbResult access_rows_insert(Db *db, const NewRequestRow *n, int64_t id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO request_access (request_id, updated_at, "
                                "created_at, number, type_id, reporter_id, status, summary, "
                                "user_id, reported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
    if (!st)
        return DB_ERROR;
    bind_access_columns(st, n, id);
    db_bind_int(st, 9, n->reporter_id);
    DbResult r = db_run(st);
    if (r != DB_OK || !n->organization_id)
        return r;
    st = db_prepare(db, "INSERT INTO request_access (request_id, updated_at, created_at, "
                        "number, type_id, reporter_id, status, summary, user_id, organization) "
                        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, u.id, 1 FROM users u "
                        "WHERE u.organization_id = ? "
                        "ON CONFLICT (request_id, user_id) DO UPDATE SET organization = 1");
    if (!st)
        return DB_ERROR;
    bind_access_columns(st, n, id);
    db_bind_int(st, 9, n->organization_id);
    return db_run(st);
}

DbResult store_request_insert(Db *db, const NewRequestRow *n, int64_t *id)
{
    DbStmt *st = db_prepare(db, "INSERT INTO requests (number, type_id, reporter_id, "
                                "organization_id, summary, description, status, submit_token, "
                                "reply_token, message_id, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, n->number);
    db_bind_int(st, 2, n->type_id);
    db_bind_int(st, 3, n->reporter_id);
    if (n->organization_id)
        db_bind_int(st, 4, n->organization_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, n->summary);
    db_bind_text(st, 6, n->description ? n->description : "");
    db_bind_text(st, 7, n->status ? n->status : "open");
    db_bind_text(st, 8, n->submit_token);
    db_bind_text(st, 9, n->reply_token);
    db_bind_text(st, 10, n->message_id ? n->message_id : "");
    db_bind_int(st, 11, n->created_at);
    db_bind_int(st, 12, n->updated_at);
    DbResult r = db_run_int(st, id);
    if (r == DB_OK)
        r = access_rows_insert(db, n, *id);
    return r;
}

DbResult store_request_value_insert(Db *db, int64_t request_id, int64_t field_id,
                                    const char *value)
{
    DbStmt *st = db_prepare(db, "INSERT INTO request_values (request_id, field_id, value) "
                                "VALUES (?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, field_id);
    db_bind_text(st, 3, value);
    return db_run(st);
}

DbResult store_request_search_insert(Db *db, int64_t request_id, const char *summary,
                                     const char *body)
{
    if (db_kind(db) != DB_POSTGRES)
        return DB_OK; /* SQLite: store_search_catch_up indexes new requests in batches */
    DbStmt *st = db_prepare(db, "INSERT INTO request_search (request_id, summary, body) "
                                "VALUES (?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_text(st, 2, summary);
    db_bind_text(st, 3, body ? body : "");
    return db_run(st);
}

/* ---- reading ---- */

DbResult store_request_by_number(Db *db, Arena *a, int64_t number, RequestRow *out)
{
    *out = (RequestRow){0};
    DbStmt *st = db_prepare(
        db, "SELECT r.id, r.number, r.type_id, t.key, t.name_de, t.name_en, r.reporter_id, "
            "u.name, u.email, COALESCE(r.organization_id, 0), COALESCE(o.name, ''), r.summary, "
            "r.description, r.status, r.priority, COALESCE(r.assignee_id, 0), r.reply_token, "
            "r.message_id, r.created_at, r.updated_at, r.version "
            "FROM requests r JOIN request_types t ON t.id = r.type_id "
            "JOIN users u ON u.id = r.reporter_id "
            "LEFT JOIN organizations o ON o.id = r.organization_id WHERE r.number = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, number);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        out->id = db_col_int(st, 0);
        out->number = db_col_int(st, 1);
        out->type_id = db_col_int(st, 2);
        out->type_key = db_col_text(st, 3, a);
        out->type_name_de = db_col_text(st, 4, a);
        out->type_name_en = db_col_text(st, 5, a);
        out->reporter_id = db_col_int(st, 6);
        out->reporter_name = db_col_text(st, 7, a);
        out->reporter_email = db_col_text(st, 8, a);
        out->organization_id = db_col_int(st, 9);
        out->organization_name = db_col_text(st, 10, a);
        out->summary = db_col_text(st, 11, a);
        out->description = db_col_text(st, 12, a);
        out->status = db_col_text(st, 13, a);
        out->priority = db_col_text(st, 14, a);
        out->assignee_id = db_col_int(st, 15);
        out->reply_token = db_col_text(st, 16, a);
        out->message_id = db_col_text(st, 17, a);
        out->created_at = db_col_int(st, 18);
        out->updated_at = db_col_int(st, 19);
        out->version = db_col_int(st, 20);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

DbResult store_request_is_participant(Db *db, int64_t request_id, int64_t user_id, bool *yes)
{
    *yes = false;
    DbStmt *st = db_prepare(db, "SELECT 1 FROM participants WHERE request_id = ? AND user_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, request_id);
    db_bind_int(st, 2, user_id);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        *yes = true;
        r = DB_OK;
    }
    db_done(st);
    return r;
}

/* ---- the list ----
 * A customer's requests come from request_access (migration 004: one row per request and
 * user who may see it, kept by triggers and, for a new request, by store_request_insert;
 * 013: with the request's list columns), read along its (user, time, request) index in the
 * order the page shows - the first page and the last cost the same (keyset, no OFFSET).
 * "Created by me" reads the requests' own reporter index instead, so a member of a big
 * organization does not scan its shared requests to find their own. Agents' "everything"
 * reads the requests table's time indexes. Status and type filters are switched off by
 * binding 0; the order and the direction pick one of the literal variants.
 *
 * With full text the match set leads instead: FTS5 streams the matching rowids once and each
 * is probed against the viewer's visible ids - "+s.rowid" keeps SQLite from handing that IN
 * list to FTS5 as one MATCH per visible id, which costs milliseconds each. These variants
 * are SQLite-only (FTS5); PostgreSQL brings its own. */

#define LIST_COLUMNS                                                                           \
    "SELECT r.id, r.number, r.type_id, r.reporter_id, u.name, u.email, "                       \
    "r.summary, r.status, r.created_at, r.updated_at "
#define LIST_JOINS "JOIN users u ON u.id = r.reporter_id "

/* 5 binds: status mode x3, type id x2 */
#define LIST_FILTERS(x)                                                                        \
    "(? = 0 OR (? = 1 AND " x ".status NOT IN ('resolved', 'closed')) OR "                     \
    "(? = 2 AND " x ".status IN ('resolved', 'closed'))) AND (? = 0 OR " x ".type_id = ?) "

/* The page: the cursor (2 binds: time, id) and the order with its limit (1 bind) */
#define LIST_CURSOR(x, ID, COL, CMP) "(" x "." COL ", " x "." ID ") " CMP " (?, ?) "
#define LIST_ORDER_BY(x, ID, COL, DIR)                                                         \
    "ORDER BY " x "." COL " " DIR ", " x "." ID " " DIR " LIMIT ?"
#define LIST_PAGE(x, ID, COL, CMP, DIR)                                                        \
    "AND " LIST_CURSOR(x, ID, COL, CMP) LIST_ORDER_BY(x, ID, COL, DIR)

/* The same columns from request_access alone (migration 013 copies the list columns into it):
 * the reporter's name only for rows the viewer did not report, where the list shows it. */
#define ACCESS_COLUMNS                                                                         \
    "SELECT a.request_id, a.number, a.type_id, a.reporter_id, "                                \
    "CASE WHEN a.reported <> 0 THEN NULL ELSE "                                                \
    "(SELECT u.name FROM users u WHERE u.id = a.reporter_id) END, "                            \
    "CASE WHEN a.reported <> 0 THEN NULL ELSE "                                                \
    "(SELECT u.email FROM users u WHERE u.id = a.reporter_id) END, "                           \
    "a.summary, a.status, a.created_at, a.updated_at "

/* 1 bind each: the user */
#define ACCESS_OF_USER ACCESS_COLUMNS "FROM request_access a WHERE a.user_id = ? "
#define MINE_OF_USER LIST_COLUMNS "FROM requests r " LIST_JOINS "WHERE r.reporter_id = ? "

/* binds: user, others-only flag; filters; page */
#define LIST_ACCESS(COL, CMP, DIR)                                                             \
    ACCESS_OF_USER "AND (? = 0 OR a.reported = 0) AND " LIST_FILTERS("a")                      \
    LIST_PAGE("a", "request_id", COL, CMP, DIR)
/* binds: user; filters; page */
#define LIST_MINE(COL, CMP, DIR)                                                               \
    MINE_OF_USER "AND " LIST_FILTERS("r") LIST_PAGE("r", "id", COL, CMP, DIR)
/* binds: filters; page */
#define LIST_EVERYTHING(COL, CMP, DIR)                                                         \
    LIST_COLUMNS "FROM requests r " LIST_JOINS "WHERE " LIST_FILTERS("r")                      \
    LIST_PAGE("r", "id", COL, CMP, DIR)

/* The same three without the filters - the list as it first opens (every status and type)
 * - and, for the first page, without the cursor: SQLite tests each term for every row it
 * reads, which was about a third of the list query's work per row. binds: [user]; [page
 * cursor]; limit */
#define PLAIN_ACCESS_FIRST(COL, CMP, DIR) ACCESS_OF_USER LIST_ORDER_BY("a", "request_id", COL, DIR)
#define PLAIN_ACCESS_CURSOR(COL, CMP, DIR)                                                     \
    ACCESS_OF_USER LIST_PAGE("a", "request_id", COL, CMP, DIR)
#define PLAIN_MINE_FIRST(COL, CMP, DIR) MINE_OF_USER LIST_ORDER_BY("r", "id", COL, DIR)
#define PLAIN_MINE_CURSOR(COL, CMP, DIR) MINE_OF_USER LIST_PAGE("r", "id", COL, CMP, DIR)
#define PLAIN_EVERYTHING_FIRST(COL, CMP, DIR)                                                  \
    LIST_COLUMNS "FROM requests r " LIST_JOINS LIST_ORDER_BY("r", "id", COL, DIR)
#define PLAIN_EVERYTHING_CURSOR(COL, CMP, DIR)                                                 \
    LIST_COLUMNS "FROM requests r " LIST_JOINS "WHERE "                                        \
    LIST_CURSOR("r", "id", COL, CMP) LIST_ORDER_BY("r", "id", COL, DIR)

/* 1 bind: the FTS5 query */
#define SEARCH_FROM                                                                            \
    LIST_COLUMNS "FROM request_search s CROSS JOIN requests r ON r.id = s.rowid " LIST_JOINS   \
    "WHERE s.request_search MATCH ? "
/* binds: user, mine-only flag, others-only flag */
#define SEARCH_VISIBLE_IDS                                                                     \
    "AND +s.rowid IN (SELECT a.request_id FROM request_access a WHERE a.user_id = ? "          \
    "AND (? = 0 OR a.reported = 1) AND (? = 0 OR a.reported = 0)) "
#define SEARCH_VISIBLE(COL, CMP, DIR)                                                          \
    SEARCH_FROM SEARCH_VISIBLE_IDS "AND " LIST_FILTERS("r") LIST_PAGE("r", "id", COL, CMP, DIR)
#define SEARCH_EVERYTHING(COL, CMP, DIR)                                                       \
    SEARCH_FROM "AND " LIST_FILTERS("r") LIST_PAGE("r", "id", COL, CMP, DIR)

/* PostgreSQL: the same query shape over the tsvector table (GIN index); 1 bind: the terms,
 * one a line (see pforte_search_query in migrations/postgres/002). */
#define PG_SEARCH_FROM                                                                         \
    LIST_COLUMNS "FROM request_search s JOIN requests r ON r.id = s.request_id " LIST_JOINS    \
    "WHERE s.document @@ (SELECT pforte_search_query(?)) "
/* binds: user, mine-only flag, others-only flag (as SEARCH_VISIBLE_IDS) */
#define PG_SEARCH_VISIBLE_IDS                                                                  \
    "AND s.request_id IN (SELECT a.request_id FROM request_access a WHERE a.user_id = ? "      \
    "AND (? = 0 OR a.reported = 1) AND (? = 0 OR a.reported = 0)) "
#define PG_SEARCH_VISIBLE(COL, CMP, DIR)                                                       \
    PG_SEARCH_FROM PG_SEARCH_VISIBLE_IDS "AND " LIST_FILTERS("r")                              \
    LIST_PAGE("r", "id", COL, CMP, DIR)
#define PG_SEARCH_EVERYTHING(COL, CMP, DIR)                                                    \
    PG_SEARCH_FROM "AND " LIST_FILTERS("r") LIST_PAGE("r", "id", COL, CMP, DIR)

const char *store_search_terms_pg(Arena *a, const char *fts)
{
    size_t n = strlen(fts);
    char *out = arena_alloc(a, n + 2);
    size_t o = 0;
    const char *p = fts;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p != '"')
            break;
        p++;
        size_t mark = o++;
        while (*p) {
            if (*p == '"' && p[1] == '"') {
                out[o++] = '"';
                p += 2;
            } else if (*p == '"') {
                p++;
                break;
            } else {
                out[o++] = *p++;
            }
        }
        out[mark] = *p == '*' ? '*' : ' ';
        if (*p == '*')
            p++;
        out[o++] = '\n';
    }
    out[o] = '\0';
    return out;
}

#define LIST_ORDERS(V)                                                                         \
    {V("updated_at", "<", "DESC"), V("updated_at", ">", "ASC"), V("created_at", "<", "DESC"),  \
     V("created_at", ">", "ASC")}

typedef enum { LIST_KIND_ACCESS, LIST_KIND_MINE, LIST_KIND_SEARCH, LIST_KIND_EVERYTHING,
               LIST_KIND_SEARCH_EVERYTHING, LIST_KIND_PG_SEARCH, LIST_KIND_PG_SEARCH_EVERYTHING,
               LIST_KIND_COUNT } ListKind;

/* [kind][by_created * 2 + backward] */
static const char *const LIST_SQL[LIST_KIND_COUNT][4] = {
    LIST_ORDERS(LIST_ACCESS),     LIST_ORDERS(LIST_MINE),        LIST_ORDERS(SEARCH_VISIBLE),
    LIST_ORDERS(LIST_EVERYTHING), LIST_ORDERS(SEARCH_EVERYTHING), LIST_ORDERS(PG_SEARCH_VISIBLE),
    LIST_ORDERS(PG_SEARCH_EVERYTHING),
};

/* The unfiltered variants of the first three kinds: [kind][has cursor][order] */
static const char *const PLAIN_SQL[LIST_KIND_SEARCH][2][4] = {
    {LIST_ORDERS(PLAIN_ACCESS_FIRST), LIST_ORDERS(PLAIN_ACCESS_CURSOR)},
    {LIST_ORDERS(PLAIN_MINE_FIRST), LIST_ORDERS(PLAIN_MINE_CURSOR)},
};
static const char *const PLAIN_EVERYTHING_SQL[2][4] = {LIST_ORDERS(PLAIN_EVERYTHING_FIRST),
                                                       LIST_ORDERS(PLAIN_EVERYTHING_CURSOR)};

typedef struct Binder {
    DbStmt *st;
    int next;
} Binder;

static void bind_int(Binder *b, int64_t v)
{
    db_bind_int(b->st, ++b->next, v);
}

static ListKind list_kind(const RequestListFilter *f, bool postgres)
{
    if (f->everything && f->match)
        return postgres ? LIST_KIND_PG_SEARCH_EVERYTHING : LIST_KIND_SEARCH_EVERYTHING;
    if (f->everything)
        return LIST_KIND_EVERYTHING;
    if (f->match)
        return postgres ? LIST_KIND_PG_SEARCH : LIST_KIND_SEARCH;
    return f->shared ? LIST_KIND_ACCESS : LIST_KIND_MINE;
}

static bool others_only(const RequestListFilter *f)
{
    return f->shared && (f->shared_only_others || !f->reported);
}

/* The unfiltered statement for f (PLAIN_SQL), or NULL when f filters by status, type, text
 * or "shared by others only"; *cursor tells whether it has the cursor terms. */
static const char *plain_sql(const RequestListFilter *f, ListKind kind, int order, bool *cursor)
{
    if (f->status != LIST_STATUS_ALL || f->type_id != 0 ||
        (kind == LIST_KIND_ACCESS && others_only(f)))
        return NULL;
    *cursor = f->backward || f->cursor_time != INT64_MAX || f->cursor_id != INT64_MAX;
    if (kind == LIST_KIND_EVERYTHING)
        return PLAIN_EVERYTHING_SQL[*cursor][order];
    if (kind == LIST_KIND_ACCESS || kind == LIST_KIND_MINE)
        return PLAIN_SQL[kind][*cursor][order];
    return NULL;
}

/* match: the full-text terms in the backend's form (f->match, or its PostgreSQL lines) */
static void bind_list(Binder *b, const RequestListFilter *f, ListKind kind, const char *match)
{
    bool search = kind == LIST_KIND_SEARCH || kind == LIST_KIND_PG_SEARCH;
    if (match)
        db_bind_text(b->st, ++b->next, match);
    if (kind == LIST_KIND_ACCESS || kind == LIST_KIND_MINE || search)
        bind_int(b, f->user_id);
    if (search)
        bind_int(b, f->reported && !f->shared);
    if (kind == LIST_KIND_ACCESS || search)
        bind_int(b, others_only(f));
    for (int i = 0; i < 3; i++)
        bind_int(b, (int64_t)f->status);
    bind_int(b, f->type_id);
    bind_int(b, f->type_id);
    bind_int(b, f->cursor_time);
    bind_int(b, f->cursor_id);
    bind_int(b, f->limit);
}

DbResult store_request_list(Db *db, Arena *a, const RequestListFilter *f, RequestListRow **rows,
                            int *count)
{
    *rows = NULL;
    *count = 0;
    int order = (f->by_created ? 2 : 0) + (f->backward ? 1 : 0);
    bool postgres = db_kind(db) == DB_POSTGRES;
    ListKind kind = list_kind(f, postgres);
    bool cursor = false;
    const char *plain = plain_sql(f, kind, order, &cursor);
    DbStmt *st = db_prepare(db, plain ? plain : LIST_SQL[kind][order]);
    if (!st)
        return DB_ERROR;
    Binder b = {st, 0};
    if (plain) {
        if (kind != LIST_KIND_EVERYTHING)
            bind_int(&b, f->user_id);
        if (cursor) {
            bind_int(&b, f->cursor_time);
            bind_int(&b, f->cursor_id);
        }
        bind_int(&b, f->limit);
    } else {
        bind_list(&b, f, kind,
                  f->match && postgres ? store_search_terms_pg(a, f->match) : f->match);
    }
    int cap = f->limit > 0 ? f->limit : 1;
    *rows = arena_alloc(a, sizeof(RequestListRow) * (size_t)cap);
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*count == cap)
            continue; /* cannot happen: the SQL has LIMIT */
        RequestListRow *row = &(*rows)[(*count)++];
        row->id = db_col_int(st, 0);
        row->number = db_col_int(st, 1);
        row->type_id = db_col_int(st, 2);
        row->reporter_id = db_col_int(st, 3);
        row->reporter_name = db_col_text(st, 4, a);
        row->reporter_email = db_col_text(st, 5, a);
        row->summary = db_col_text(st, 6, a);
        row->status = db_col_text(st, 7, a);
        row->created_at = db_col_int(st, 8);
        row->updated_at = db_col_int(st, 9);
    }
    db_done(st);
    return r;
}
