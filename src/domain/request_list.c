/* request_list (domain): the "Anfragen" overview - parameters to a store filter, the keyset
 * cursors of the neighbouring pages, type names in the viewer's language.
 * SECURITY: which requests a customer's list may hold is decided here from the viewer alone
 * (their id and organization), never from a parameter; the search text reaches FTS5 only as
 * quoted terms, so its operators and column filters cannot be used. */
#include "domain/request_list.h"
#include "core/buf.h"
#include "core/str.h"
#include "domain/admin.h"
#include "domain/catalog.h"
#include "domain/search_index.h"
#include "store/requests.h"
#include <stdint.h>
#include <string.h>

static bool is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

const char *request_list_match_expression(Arena *a, const char *text)
{
    if (str_empty(text))
        return NULL;
    Buf b;
    buf_init(&b, a);
    int terms = 0;
    const char *p = text;
    while (*p && terms < REQUEST_LIST_MAX_TERMS) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        bool searchable = false;
        for (const char *q = start; q < p && !searchable; q++)
            searchable = is_word_byte((unsigned char)*q);
        if (!searchable)
            continue;
        if (terms++)
            buf_putc(&b, ' ');
        buf_putc(&b, '"');
        for (const char *q = start; q < p; q++) {
            if (*q == '"')
                buf_putc(&b, '"'); /* FTS5 escapes a quote inside a string by doubling it */
            buf_putc(&b, *q);
        }
        buf_putc(&b, '"');
        char *term = arena_strndup(a, start, (size_t)(p - start));
        if (str_utf8_valid(term, strlen(term)) && str_utf8_len(term) >= 3)
            buf_putc(&b, '*');
    }
    return terms ? buf_cstr(&b) : NULL;
}

static bool parse_digits(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18)
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

bool request_list_parse_cursor(const char *text, int64_t *time, int64_t *id)
{
    if (str_empty(text))
        return false;
    const char *dot = strchr(text, '.');
    return dot && parse_digits(text, (size_t)(dot - text), time) &&
           parse_digits(dot + 1, strlen(dot + 1), id);
}

/* value when it is one of the allowed words, else the first (the default). */
static const char *pick(const char *value, const char *const *allowed, int n)
{
    for (int i = 0; i < n; i++)
        if (str_eq(value, allowed[i]))
            return allowed[i];
    return allowed[0];
}

const char *request_list_clean_query(Arena *a, const char *q)
{
    char *s = str_trim(a, q ? q : "");
    size_t n = strlen(s);
    if (!str_utf8_valid(s, n))
        return "";
    size_t points = 0, i = 0;
    for (; i < n; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80 && points++ == REQUEST_LIST_MAX_QUERY)
            break;
    }
    s[i] = '\0';
    return s;
}

static void read_params(Arena *a, const RequestListQuery *q, RequestListParams *p)
{
    static const char *const SCOPES[] = {"all", "mine", "shared"};
    static const char *const STATUSES[] = {"all", "open", "closed"};
    static const char *const SORTS[] = {"updated", "created"};
    p->scope = pick(q->scope, SCOPES, 3);
    p->status = pick(q->status, STATUSES, 3);
    p->sort = pick(q->sort, SORTS, 2);
    p->type = str_empty(q->type) || strlen(q->type) > 100 ? "" : q->type;
    p->q = request_list_clean_query(a, q->q);
    p->paged = !str_empty(q->after) || !str_empty(q->before);
}

static void filter_scope(RequestListFilter *f, const Viewer *viewer, const char *scope)
{
    f->user_id = viewer->user_id;
    f->organization_id = viewer->organization_id;
    if (str_eq(scope, "mine")) {
        f->reported = true;
    } else if (str_eq(scope, "shared")) {
        f->shared = true;
        f->shared_only_others = true;
    } else if (request_viewer_is_staff(viewer)) {
        f->everything = true; /* agents and admins see every request */
    } else {
        f->reported = true;
        f->shared = true;
    }
}

static const char *cursor_of(Arena *a, const RequestListItem *item, bool by_created)
{
    return arena_printf(a, "%lld.%lld",
                        (long long)(by_created ? item->created_at : item->updated_at),
                        (long long)item->id);
}

/* The names of the types a page shows, looked up once per type rather than once per row. */
typedef struct TypeNames {
    int count;
    struct {
        int64_t id;
        const char *key, *name;
    } seen[8];
} TypeNames;

static void type_name(Db *db, Arena *a, TypeNames *names, int64_t id, const char *lang,
                      const char **key, const char **name)
{
    for (int i = 0; i < names->count; i++)
        if (names->seen[i].id == id) {
            *key = names->seen[i].key;
            *name = names->seen[i].name;
            return;
        }
    catalog_type_name(db, a, id, lang, key, name);
    if (names->count < (int)(sizeof names->seen / sizeof names->seen[0])) {
        names->seen[names->count].id = id;
        names->seen[names->count].key = *key;
        names->seen[names->count].name = *name;
        names->count++;
    }
}

static void item_from_row(Db *db, Arena *a, RequestListItem *item, const RequestListRow *row,
                          const Viewer *viewer, const char *lang, const char *prefix,
                          TypeNames *names)
{
    item->id = row->id;
    item->key = request_format_key_prefixed(a, prefix, row->number);
    item->summary = row->summary;
    type_name(db, a, names, row->type_id, lang, &item->type_key, &item->type_name);
    item->status = row->status;
    item->reporter_id = row->reporter_id;
    item->reporter_name = str_empty(row->reporter_name) ? row->reporter_email : row->reporter_name;
    item->reported_by_viewer = row->reporter_id == viewer->user_id;
    item->created_at = row->created_at;
    item->updated_at = row->updated_at;
}

/* Runs the filter and copies up to a page of rows into out (reversing a backward read). */
static DbResult read_page(Db *db, Arena *a, const RequestListFilter *f, const Viewer *viewer,
                          const char *lang, RequestListPage *out, bool *more)
{
    RequestListRow *rows;
    int count;
    DbResult r = store_request_list(db, a, f, &rows, &count);
    if (r != DB_OK)
        return r;
    *more = count > REQUEST_LIST_PAGE_SIZE;
    if (*more)
        count = REQUEST_LIST_PAGE_SIZE;
    out->items = arena_alloc(a, sizeof *out->items * (size_t)(count ? count : 1));
    out->count = count;
    const char *prefix = arena_strdup(a, settings_now()->key_prefix);
    TypeNames names = {0};
    for (int i = 0; i < count; i++) {
        int at = f->backward ? count - 1 - i : i;
        item_from_row(db, a, &out->items[at], &rows[i], viewer, lang, prefix, &names);
    }
    return DB_OK;
}

RequestResult request_list_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *lang,
                                      const RequestListQuery *query, RequestListPage *out)
{
    memset(out, 0, sizeof *out);
    RequestListParams *p = &out->params;
    read_params(a, query, p);
    RequestListFilter f = {0};
    filter_scope(&f, viewer, p->scope);
    f.status = str_eq(p->status, "open")     ? LIST_STATUS_OPEN
               : str_eq(p->status, "closed") ? LIST_STATUS_CLOSED
                                             : LIST_STATUS_ALL;
    if (*p->type) {
        RequestType t;
        DbResult r = store_request_type_by_key(db, a, p->type, false, &t);
        if (r != DB_OK)
            return request_db_failure(r);
        f.type_id = t.id;
        if (!t.id)
            p->type = ""; /* an unknown type filters nothing */
    }
    f.match = request_list_match_expression(a, p->q);
    if (!str_empty(f.match))
        search_index_catch_up(db);
    f.by_created = str_eq(p->sort, "created");
    f.limit = REQUEST_LIST_PAGE_SIZE + 1;
    p->filtered = !str_eq(p->scope, "all") || !str_eq(p->status, "all") || *p->type || *p->q;

    bool after = request_list_parse_cursor(query->after, &f.cursor_time, &f.cursor_id);
    bool before = !after && request_list_parse_cursor(query->before, &f.cursor_time,
                                                      &f.cursor_id);
    f.backward = before;
    if (!after && !before) {
        f.cursor_time = INT64_MAX;
        f.cursor_id = INT64_MAX;
    }
    bool more = false;
    DbResult r = read_page(db, a, &f, viewer, lang, out, &more);
    if (r == DB_OK && before && !more) {
        /* fewer than a page before the cursor: that is the first page - show it whole */
        f.backward = false;
        f.cursor_time = INT64_MAX;
        f.cursor_id = INT64_MAX;
        after = before = false;
        r = read_page(db, a, &f, viewer, lang, out, &more);
    }
    if (r != DB_OK)
        return request_db_failure(r);
    if (out->count > 0) {
        const RequestListItem *first = &out->items[0], *last = &out->items[out->count - 1];
        bool has_next = before || more;
        bool has_prev = after || (before && more);
        out->next_cursor = has_next ? cursor_of(a, last, f.by_created) : NULL;
        out->prev_cursor = has_prev ? cursor_of(a, first, f.by_created) : NULL;
    }
    return REQUEST_OK;
}
