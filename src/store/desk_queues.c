/* desk_queues (store): SQL for the agents' queues. A queue is a literal WHERE clause (so the
 * planner can pick its index: migration 009); the desk's filters are switched off by binding
 * 0 or ''; sort order, direction and full text pick one of the literal variants. Pages go by
 * keyset ((rank,) time, id of the row next to the page), never OFFSET, so the last page costs
 * what the first does.
 * SECURITY: values are always bound; the varying parts are chosen among string literals. */
#include "store/desk_queues.h"
#include "core/str.h"
#include "store/requests.h"
#include <stdint.h>

int store_priority_rank(const char *priority)
{
    return str_eq(priority, "critical") ? 4
           : str_eq(priority, "high")   ? 3
           : str_eq(priority, "medium") ? 2
                                        : 1;
}

/* The generated column of migration 009 (the same order as store_priority_rank). */
#define RANK "r.priority_rank"

#define QUEUE_COLUMNS                                                                          \
    "SELECT r.id, r.number, r.summary, r.status, r.priority, t.key, t.name_de, t.name_en, "    \
    "r.reporter_id, u.name, u.email, COALESCE(o.name, ''), COALESCE(r.assignee_id, 0), "       \
    "COALESCE(g.name, ''), COALESCE(g.email, ''), r.created_at, r.updated_at "
#define QUEUE_JOINS                                                                            \
    "JOIN request_types t ON t.id = r.type_id JOIN users u ON u.id = r.reporter_id "           \
    "LEFT JOIN organizations o ON o.id = u.organization_id "                                   \
    "LEFT JOIN users g ON g.id = r.assignee_id "
#define FROM_LIST QUEUE_COLUMNS "FROM requests r " QUEUE_JOINS "WHERE "
/* 1 bind: the FTS5 query. The match set leads (FTS5 streams its rowids once); SQLite only. */
#define FROM_SEARCH                                                                            \
    QUEUE_COLUMNS "FROM request_search s CROSS JOIN requests r ON r.id = s.rowid " QUEUE_JOINS \
    "WHERE s.request_search MATCH ? AND "
/* PostgreSQL: the tsvector table (GIN index); 1 bind: the terms, one a line (see
 * store_search_terms_pg) */
#define FROM_PG_SEARCH                                                                         \
    QUEUE_COLUMNS "FROM request_search s JOIN requests r ON r.id = s.request_id " QUEUE_JOINS  \
    "WHERE s.document @@ (SELECT pforte_search_query(?)) AND "

/* The queues' membership; the "open" term is written exactly as in the partial index
 * requests_open_assignee (009), so SQLite may use it. */
#define OPEN_TERM "r.status NOT IN ('resolved', 'closed') "
#define W_UNASSIGNED OPEN_TERM "AND r.assignee_id IS NULL "
#define W_MINE OPEN_TERM "AND r.assignee_id = ? " /* (arg: the agent) */
#define W_OPEN OPEN_TERM
#define W_WAITING_CUSTOMER "r.status = 'waiting_customer' "
#define W_WAITING_SUPPORT "r.status = 'waiting_support' "
/* At risk or breached by now (arg); the SLA pass keeps sla_attention_at (008) current */
#define W_SLA OPEN_TERM "AND r.sla_attention_at <= ? "
/* Resolved or closed at or after the time (arg, bound twice in lists). Lists add
 * "updated_at >= the time" - implied, as resolving sets updated_at = resolved_at and later
 * changes only raise updated_at - so walking requests_updated starts at the time instead of
 * the oldest request. "|| ''" keeps SQLite (without ANALYZE statistics) from reading half the
 * table through requests_status instead of the few recent rows of requests_resolved_at. */
#define RESOLVED_SINCE "r.resolved_at >= ? AND r.status || '' IN ('resolved', 'closed') "
#define W_RECENTLY_RESOLVED "r.updated_at >= ? AND " RESOLVED_SINCE
/* binds each queue's WHERE takes in lists */
static const int QUEUE_ARGS[STORE_QUEUE_COUNT] = {0, 1, 0, 0, 0, 1, 2};

/* 7 binds: type x2, priority x2, assignee x3 */
#define FILTERS                                                                                \
    "AND (? = 0 OR r.type_id = ?) AND (? = '' OR r.priority = ?) "                             \
    "AND (? = 0 OR (? = -1 AND r.assignee_id IS NULL) OR r.assignee_id = ?) "
/* The organization filter is a variant of its own, not a bound switch: a company's requests
 * are few, so they are found through requests_reporter per member and sorted, instead of
 * walking the whole queue for them. 1 bind: the organization. */
#define ORG_FILTER "AND r.reporter_id IN (SELECT m.id FROM users m WHERE m.organization_id = ?) "

/* 3 binds: cursor time, cursor id, limit */
#define PAGE2(COL, CMP, DIR)                                                                   \
    "AND (r." COL ", r.id) " CMP " (?, ?) ORDER BY r." COL " " DIR ", r.id " DIR " LIMIT ?"
/* 4 binds: cursor rank, time, id, limit */
#define PAGE3(CMP, DIR)                                                                        \
    "AND (" RANK ", r.updated_at, r.id) " CMP " (?, ?, ?) ORDER BY " RANK " " DIR              \
    ", r.updated_at " DIR ", r.id " DIR " LIMIT ?"

/* index: sort * 2 + backward */
#define VARIANTS(FROM, W, F)                                                                   \
    FROM W F PAGE2("updated_at", "<", "DESC"), FROM W F PAGE2("updated_at", ">", "ASC"),       \
        FROM W F PAGE2("updated_at", ">", "ASC"), FROM W F PAGE2("updated_at", "<", "DESC"),   \
        FROM W F PAGE2("created_at", "<", "DESC"), FROM W F PAGE2("created_at", ">", "ASC"),   \
        FROM W F PAGE3("<", "DESC"), FROM W F PAGE3(">", "ASC")
#define QUEUE_VARIANTS(W, W_ORG)                                                               \
    {VARIANTS(FROM_LIST, W, FILTERS), VARIANTS(FROM_SEARCH, W, FILTERS),                       \
     VARIANTS(FROM_PG_SEARCH, W, FILTERS), VARIANTS(FROM_LIST, W_ORG, FILTERS ORG_FILTER),     \
     VARIANTS(FROM_SEARCH, W_ORG, FILTERS ORG_FILTER),                                         \
     VARIANTS(FROM_PG_SEARCH, W_ORG, FILTERS ORG_FILTER)}

/* With the organization filter the company's requests lead: the same queues written so that
 * their own indexes are not used ("+" on a number, "|| ''" on text - both dialects), else
 * SQLite without statistics walks the whole queue probing each row for the company (measured
 * with 100,000 requests: ~25-45 ms for a company without a match, ~50 us this way). */
#define W_UNASSIGNED_ORG OPEN_TERM "AND +r.assignee_id IS NULL "
#define W_MINE_ORG OPEN_TERM "AND +r.assignee_id = ? "
#define W_WAITING_CUSTOMER_ORG "r.status || '' = 'waiting_customer' "
#define W_WAITING_SUPPORT_ORG "r.status || '' = 'waiting_support' "
#define W_SLA_ORG OPEN_TERM "AND +r.sla_attention_at <= ? "

/* [queue][organization * 24 + search * 8 + sort * 2 + backward]; search: 0 none, 1 FTS5
 * (SQLite), 2 tsquery (PostgreSQL) */
static const char *const QUEUE_SQL[STORE_QUEUE_COUNT][48] = {
    QUEUE_VARIANTS(W_UNASSIGNED, W_UNASSIGNED_ORG),
    QUEUE_VARIANTS(W_MINE, W_MINE_ORG),
    QUEUE_VARIANTS(W_OPEN, W_OPEN),
    QUEUE_VARIANTS(W_WAITING_CUSTOMER, W_WAITING_CUSTOMER_ORG),
    QUEUE_VARIANTS(W_WAITING_SUPPORT, W_WAITING_SUPPORT_ORG),
    QUEUE_VARIANTS(W_SLA, W_SLA_ORG),
    QUEUE_VARIANTS(W_RECENTLY_RESOLVED, W_RECENTLY_RESOLVED),
};

#define COUNT_OF(W) "(SELECT count(*) FROM requests r WHERE " W ")"
/* binds: mine's agent, now (SLA), recently resolved's time */
static const char QUEUE_COUNTS[] =
    "SELECT " COUNT_OF(W_UNASSIGNED) ", " COUNT_OF(W_MINE) ", " COUNT_OF(W_OPEN) ", " COUNT_OF(
        W_WAITING_CUSTOMER) ", " COUNT_OF(W_WAITING_SUPPORT) ", " COUNT_OF(W_SLA) ", " COUNT_OF(
        RESOLVED_SINCE);

typedef struct Binder {
    DbStmt *st;
    int next;
} Binder;

static void bind_int(Binder *b, int64_t v)
{
    db_bind_int(b->st, ++b->next, v);
}

static void bind_text(Binder *b, const char *v)
{
    db_bind_text(b->st, ++b->next, v);
}

/* match: the full-text terms in the backend's form (f->match, or its PostgreSQL lines) */
static void bind_filter(Binder *b, const QueueFilter *f, const char *match)
{
    if (match)
        bind_text(b, match);
    for (int i = 0; i < QUEUE_ARGS[f->queue]; i++)
        bind_int(b, f->queue_arg);
    const char *priority = f->priority ? f->priority : "";
    bind_int(b, f->type_id);
    bind_int(b, f->type_id);
    bind_text(b, priority);
    bind_text(b, priority);
    bind_int(b, f->assignee_id);
    bind_int(b, f->assignee_id);
    bind_int(b, f->assignee_id);
    if (f->organization_id)
        bind_int(b, f->organization_id);
    if (f->sort == STORE_QUEUE_SORT_PRIORITY)
        bind_int(b, f->cursor_rank);
    bind_int(b, f->cursor_time);
    bind_int(b, f->cursor_id);
    bind_int(b, f->limit);
}

static void read_row(DbStmt *st, Arena *a, QueueRow *row)
{
    row->id = db_col_int(st, 0);
    row->number = db_col_int(st, 1);
    row->summary = db_col_text(st, 2, a);
    row->status = db_col_text(st, 3, a);
    row->priority = db_col_text(st, 4, a);
    row->type_key = db_col_text(st, 5, a);
    row->type_name_de = db_col_text(st, 6, a);
    row->type_name_en = db_col_text(st, 7, a);
    row->reporter_id = db_col_int(st, 8);
    row->reporter_name = db_col_text(st, 9, a);
    row->reporter_email = db_col_text(st, 10, a);
    row->organization_name = db_col_text(st, 11, a);
    row->assignee_id = db_col_int(st, 12);
    row->assignee_name = db_col_text(st, 13, a);
    row->assignee_email = db_col_text(st, 14, a);
    row->created_at = db_col_int(st, 15);
    row->updated_at = db_col_int(st, 16);
}

DbResult store_queue_page(Db *db, Arena *a, const QueueFilter *f, QueueRow **rows, int *count)
{
    *rows = NULL;
    *count = 0;
    if (f->queue < 0 || f->queue >= STORE_QUEUE_COUNT || f->sort < 0 ||
        f->sort >= STORE_QUEUE_SORT_COUNT || f->limit <= 0)
        return DB_ERROR;
    bool postgres = db_kind(db) == DB_POSTGRES;
    int search = !f->match ? 0 : postgres ? 2 : 1;
    int variant = (f->organization_id ? 24 : 0) + search * 8 + (int)f->sort * 2 +
                  (f->backward ? 1 : 0);
    DbStmt *st = db_prepare(db, QUEUE_SQL[f->queue][variant]);
    if (!st)
        return DB_ERROR;
    Binder b = {st, 0};
    bind_filter(&b, f, postgres && f->match ? store_search_terms_pg(a, f->match) : f->match);
    *rows = arena_alloc(a, sizeof(QueueRow) * (size_t)f->limit);
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*count == f->limit)
            continue; /* cannot happen: the SQL has LIMIT */
        read_row(st, a, &(*rows)[(*count)++]);
    }
    db_done(st);
    return r;
}

DbResult store_queue_counts(Db *db, int64_t agent_id, int64_t now, int64_t resolved_since,
                            int64_t *counts)
{
    for (int i = 0; i < STORE_QUEUE_COUNT; i++)
        counts[i] = 0;
    DbStmt *st = db_prepare(db, QUEUE_COUNTS);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, agent_id);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, resolved_since);
    DbResult r = db_step(st);
    if (r == DB_ROW) {
        for (int i = 0; i < STORE_QUEUE_COUNT; i++)
            counts[i] = db_col_int(st, i);
        r = DB_OK;
    }
    db_done(st);
    return r;
}

static DbResult read_choices(DbStmt *st, Arena *a, QueueChoice **out, int *count)
{
    int cap = 0;
    DbResult r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow_array(a, *out, *count, &cap, sizeof **out);
        QueueChoice *c = &(*out)[(*count)++];
        c->id = db_col_int(st, 0);
        c->name = db_col_text(st, 1, a);
    }
    db_done(st);
    return r;
}

DbResult store_queue_agents(Db *db, Arena *a, QueueChoice **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id, CASE WHEN name = '' THEN email ELSE name END AS n "
                                "FROM users WHERE role IN ('agent', 'admin') AND disabled = 0 "
                                "ORDER BY lower(CASE WHEN name = '' THEN email ELSE name END), id");
    if (!st)
        return DB_ERROR;
    return read_choices(st, a, out, count);
}

DbResult store_queue_organizations(Db *db, Arena *a, int limit, QueueChoice **out, int *count)
{
    *out = NULL;
    *count = 0;
    DbStmt *st = db_prepare(db, "SELECT id, name FROM organizations ORDER BY lower(name), id "
                                "LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, limit);
    return read_choices(st, a, out, count);
}
