/* desk_queues (domain): the queue definitions, URL parameters to a store filter, the keyset
 * cursors of the neighbouring pages, and the filter form's choices.
 * SECURITY: only staff viewers get past desk_queue_read's first line; the search text is
 * reduced to quoted FTS5 terms by request_list_match_expression (shared with the customer
 * list) and searches the same index, which holds no internal notes. */
#include "domain/desk_queues.h"
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/request_list.h"
#include "domain/search_index.h"
#include "store/catalog.h"
#include <stdint.h>
#include <string.h>

/* The queues in menu order; STORE_QUEUE_* in the same order. */
static const struct {
    const char *key;
    const char *name;
    const char *empty_title;
    const char *empty_text;
} QUEUES[STORE_QUEUE_COUNT] = {
    {"unassigned", N_("Unassigned"), N_("Nothing unassigned"),
     N_("Every open request has an agent. New requests appear here first.")},
    {"mine", N_("Assigned to me"), N_("Nothing assigned to you"),
     N_("Requests you take on appear here. Look in “Unassigned” for one to pick up.")},
    {"open", N_("All open"), N_("No open requests"),
     N_("Every request is resolved or closed. New requests appear here.")},
    {"waiting-customer", N_("Waiting for customer"), N_("Nobody to wait for"),
     N_("No request is waiting for a customer's reply.")},
    {"waiting-support", N_("Waiting for support"), N_("No customer is waiting"),
     N_("No customer is waiting for an answer from support right now.")},
    {"sla", N_("SLA at risk or breached"), N_("No target at risk"),
     N_("Every open request is within its SLA targets. Requests appear here when less than a "
        "fifth of a target (at most one business hour) is left, and stay while it is overdue.")},
    {"resolved", N_("Recently resolved"), N_("Nothing resolved recently"),
     N_("Requests resolved or closed in the last 7 days appear here.")},
};

static const char *const SORTS[STORE_QUEUE_SORT_COUNT] = {"updated", "oldest", "created",
                                                           "priority"};
static const char *const PRIORITIES[] = {"low", "medium", "high", "critical"};

const char *desk_priority_msgid(const char *priority)
{
    static const char *const NAMES[] = {N_("Low"), N_("Medium"), N_("High"), N_("Critical")};
    for (int i = 0; i < 4; i++)
        if (str_eq(priority, PRIORITIES[i]))
            return NAMES[i];
    return priority ? priority : "";
}

static bool parse_id(const char *s, int64_t *out)
{
    /* a positive decimal of at most 18 digits, no sign or leading zero */
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || s[0] == '0')
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool desk_queue_parse_cursor(const char *text, bool with_rank, int64_t *rank, int64_t *time,
                             int64_t *id)
{
    *rank = 0;
    if (str_empty(text))
        return false;
    if (!with_rank)
        return request_list_parse_cursor(text, time, id);
    const char *dot = strchr(text, '.');
    if (!dot || dot == text || dot - text > 1 || text[0] < '0' || text[0] > '9')
        return false;
    *rank = text[0] - '0';
    return request_list_parse_cursor(dot + 1, time, id);
}

static int index_of(const char *value, const char *const *allowed, int n)
{
    for (int i = 0; i < n; i++)
        if (str_eq(value, allowed[i]))
            return i;
    return -1;
}

static int queue_index(const char *key)
{
    for (int i = 0; i < STORE_QUEUE_COUNT; i++)
        if (str_eq(key, QUEUES[i].key))
            return i;
    return STORE_QUEUE_OPEN;
}

/* Reads the query into params and the store filter (all but the cursor). */
static RequestResult read_params(Db *db, Arena *a, const Viewer *viewer, int64_t now,
                                 int64_t since, const DeskQueueQuery *q, DeskQueueParams *p,
                                 QueueFilter *f)
{
    int queue = queue_index(q->queue);
    p->queue = QUEUES[queue].key;
    f->queue = (StoreQueue)queue;
    if (f->queue == STORE_QUEUE_MINE)
        f->queue_arg = viewer->user_id;
    else if (f->queue == STORE_QUEUE_SLA)
        f->queue_arg = now;
    else if (f->queue == STORE_QUEUE_RECENTLY_RESOLVED)
        f->queue_arg = since;
    int sort = index_of(q->sort, SORTS, STORE_QUEUE_SORT_COUNT);
    f->sort = sort < 0 ? STORE_QUEUE_SORT_UPDATED : (StoreQueueSort)sort;
    p->sort = SORTS[f->sort];
    int priority = index_of(q->priority, PRIORITIES, 4);
    p->priority = priority < 0 ? "" : PRIORITIES[priority];
    f->priority = p->priority;
    p->org = parse_id(q->org, &f->organization_id) ? q->org : "";
    if (str_eq(q->assignee, "none")) {
        p->assignee = "none";
        f->assignee_id = -1;
    } else {
        p->assignee = parse_id(q->assignee, &f->assignee_id) ? q->assignee : "";
    }
    p->type = "";
    if (!str_empty(q->type) && strlen(q->type) <= 100) {
        RequestType t;
        DbResult r = store_request_type_by_key(db, a, q->type, false, &t);
        if (r != DB_OK)
            return request_db_failure(r);
        f->type_id = t.id;
        p->type = t.id ? q->type : ""; /* an unknown type filters nothing */
    }
    p->q = request_list_clean_query(a, q->q);
    f->match = request_list_match_expression(a, p->q);
    p->filtered = *p->type || *p->priority || *p->org || *p->assignee || *p->q;
    p->paged = !str_empty(q->after) || !str_empty(q->before);
    f->limit = DESK_QUEUE_PAGE_SIZE + 1;
    return REQUEST_OK;
}

static bool sort_ascending(StoreQueueSort sort)
{
    return sort == STORE_QUEUE_SORT_OLDEST;
}

/* The first page: a cursor beyond every row in the sort's direction. */
static void cursor_start(QueueFilter *f)
{
    int64_t edge = sort_ascending(f->sort) ? INT64_MIN : INT64_MAX;
    f->backward = false;
    f->cursor_rank = edge;
    f->cursor_time = edge;
    f->cursor_id = edge;
}

static const char *cursor_of(Arena *a, const DeskQueueItem *item, StoreQueueSort sort)
{
    if (sort == STORE_QUEUE_SORT_PRIORITY)
        return arena_printf(a, "%d.%lld.%lld", store_priority_rank(item->priority),
                            (long long)item->updated_at, (long long)item->id);
    int64_t t = sort == STORE_QUEUE_SORT_CREATED ? item->created_at : item->updated_at;
    return arena_printf(a, "%lld.%lld", (long long)t, (long long)item->id);
}

static void item_from_row(Arena *a, DeskQueueItem *item, const QueueRow *row,
                          const Viewer *viewer, const char *lang)
{
    item->id = row->id;
    item->key = request_format_key(a, row->number);
    item->summary = row->summary;
    item->status = row->status;
    item->priority = row->priority;
    item->type_name = str_eq(lang, "en") ? row->type_name_en : row->type_name_de;
    item->customer = str_empty(row->reporter_name) ? row->reporter_email : row->reporter_name;
    item->customer_email = row->reporter_email;
    item->organization = row->organization_name;
    item->assignee = !row->assignee_id               ? ""
                     : str_empty(row->assignee_name) ? row->assignee_email
                                                     : row->assignee_name;
    item->assigned_to_viewer = row->assignee_id && row->assignee_id == viewer->user_id;
    item->created_at = row->created_at;
    item->updated_at = row->updated_at;
}

/* Runs the filter and copies up to a page of rows into out (reversing a backward read). */
static DbResult read_page(Db *db, Arena *a, const QueueFilter *f, const Viewer *viewer,
                          const char *lang, DeskQueuePage *out, bool *more)
{
    QueueRow *rows;
    int count;
    DbResult r = store_queue_page(db, a, f, &rows, &count);
    if (r != DB_OK)
        return r;
    *more = count > DESK_QUEUE_PAGE_SIZE;
    if (*more)
        count = DESK_QUEUE_PAGE_SIZE;
    out->items = arena_alloc(a, sizeof *out->items * (size_t)(count ? count : 1));
    out->count = count;
    for (int i = 0; i < count; i++) {
        int at = f->backward ? count - 1 - i : i;
        item_from_row(a, &out->items[at], &rows[i], viewer, lang);
    }
    return DB_OK;
}

static DbResult read_items(Db *db, Arena *a, const Viewer *viewer, const char *lang,
                           const DeskQueueQuery *query, QueueFilter *f, DeskQueuePage *out)
{
    bool with_rank = f->sort == STORE_QUEUE_SORT_PRIORITY;
    bool after = desk_queue_parse_cursor(query->after, with_rank, &f->cursor_rank,
                                         &f->cursor_time, &f->cursor_id);
    bool before = !after && desk_queue_parse_cursor(query->before, with_rank, &f->cursor_rank,
                                                    &f->cursor_time, &f->cursor_id);
    if (!after && !before)
        cursor_start(f);
    f->backward = before;
    bool more = false;
    DbResult r = read_page(db, a, f, viewer, lang, out, &more);
    if (r == DB_OK && before && !more) {
        /* fewer than a page before the cursor: that is the first page - show it whole */
        cursor_start(f);
        after = before = false;
        r = read_page(db, a, f, viewer, lang, out, &more);
    }
    if (r != DB_OK || out->count == 0)
        return r;
    const DeskQueueItem *first = &out->items[0], *last = &out->items[out->count - 1];
    bool has_next = before || more;
    bool has_prev = after || (before && more);
    out->next_cursor = has_next ? cursor_of(a, last, f->sort) : NULL;
    out->prev_cursor = has_prev ? cursor_of(a, first, f->sort) : NULL;
    return DB_OK;
}

/* An organization id that names no organization (deleted, or made up) filters nothing, like
 * an unknown type - so the form can show what is applied. Beyond the choices' limit the id
 * cannot be checked and stays. */
static void forget_unknown_organization(DeskQueuePage *out, QueueFilter *f)
{
    DeskQueueParams *p = &out->params;
    if (!f->organization_id || out->organization_count >= DESK_QUEUE_MAX_ORGANIZATIONS)
        return;
    for (int i = 0; i < out->organization_count; i++)
        if (out->organizations[i].id == f->organization_id)
            return;
    f->organization_id = 0;
    p->org = "";
    p->filtered = *p->type || *p->priority || *p->assignee || *p->q;
}

RequestResult desk_queue_read(Db *db, Arena *a, const Viewer *viewer, const char *lang,
                              const DeskQueueQuery *query, DeskQueuePage *out)
{
    memset(out, 0, sizeof *out);
    if (!request_viewer_is_staff(viewer))
        return REQUEST_NOT_FOUND;
    if (!str_empty(request_list_clean_query(a, query->q)))
        search_index_catch_up(db); /* before the snapshot, which must see its rows */
    if (db_read_begin(db) != DB_OK)
        return REQUEST_UNAVAILABLE;
    QueueFilter f = {0};
    int64_t now = clock_now();
    int64_t since = now - DESK_QUEUE_RECENT_DAYS * 86400LL;
    RequestResult result = read_params(db, a, viewer, now, since, query, &out->params, &f);
    if (result != REQUEST_OK)
        goto done;
    int64_t counts[STORE_QUEUE_COUNT];
    DbResult r = store_queue_counts(db, viewer->user_id, now, since, counts);
    if (r == DB_OK)
        r = store_queue_agents(db, a, &out->agents, &out->agent_count);
    if (r == DB_OK)
        r = store_queue_organizations(db, a, DESK_QUEUE_MAX_ORGANIZATIONS, &out->organizations,
                                      &out->organization_count);
    if (r == DB_OK)
        forget_unknown_organization(out, &f);
    if (r == DB_OK)
        r = read_items(db, a, viewer, lang, query, &f, out);
    if (r != DB_OK) {
        result = request_db_failure(r);
        goto done;
    }
    out->queue_count = STORE_QUEUE_COUNT;
    out->current = (int)f.queue;
    for (int i = 0; i < STORE_QUEUE_COUNT; i++) {
        out->queues[i].key = QUEUES[i].key;
        out->queues[i].name = QUEUES[i].name;
        out->queues[i].empty_title = QUEUES[i].empty_title;
        out->queues[i].empty_text = QUEUES[i].empty_text;
        out->queues[i].count = counts[i];
    }
done:
    db_read_end(db);
    return result;
}
