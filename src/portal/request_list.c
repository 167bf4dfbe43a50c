/* request_list: the "Anfragen" overview (GET /requests) - every request the signed-in user
 * created or that is shared with them, with filters in the URL (bookmarkable), keyset
 * pages, and helpful empty states.
 * SECURITY: signed-in users only; which requests appear is decided in the domain
 * (request_list.c) from the session's user, never from a parameter. */
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/catalog.h"
#include "domain/request_list.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "web/list_page.h"
#include "web/page.h"
#include <string.h>

void portal_request_list(Request *req, Response *res);

const char *portal_relative_time(Request *req, int64_t t, int64_t now)
{
    static const struct {
        int64_t unit, limit;
        const char *one, *many;
    } UNITS[] = {
        {60, 3600, N_("1 minute ago"), N_("%{n} minutes ago")},
        {3600, 86400, N_("1 hour ago"), N_("%{n} hours ago")},
        {86400, 30 * 86400, N_("1 day ago"), N_("%{n} days ago")},
    };
    int64_t d = now > t ? now - t : 0;
    if (d < 60)
        return page_t(req, "just now");
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if (d >= UNITS[i].limit)
            continue;
        int64_t n = d / UNITS[i].unit;
        return n == 1 ? page_t(req, UNITS[i].one) : page_tn(req, UNITS[i].many, n);
    }
    return NULL;
}

/* "2026-03-31T14:05:09Z" -> "2026-03-31 14:05 UTC" */
static const char *absolute_from_iso(Request *req, const char iso[32])
{
    char *out = arena_strndup(req->arena, iso, 20);
    if (strlen(iso) != 20)
        return out;
    out[10] = ' ';
    memcpy(out + 16, " UTC", 4);
    return out;
}

const char *portal_absolute_time(Request *req, int64_t t)
{
    char iso[32];
    clock_format_iso(t, iso);
    return absolute_from_iso(req, iso);
}

/* "scope=mine&status=open&" - the non-default filters, for links that keep them. */
static const char *filter_query(Request *req, const RequestListParams *p)
{
    const char *names[] = {"scope", "status", "type", "q", "sort"};
    const char *values[] = {p->scope, p->status, p->type, p->q, p->sort};
    const char *defaults[] = {"all", "all", "", "", "updated"};
    return list_page_query(req->arena, 5, names, values, defaults);
}

static void add_filters(Request *req, View *v, const RequestListParams *p, bool staff,
                        const TypeCard *cards, int card_count)
{
    list_page_choice(v, "scopes", "all",
                     page_t(req, staff ? N_("All requests") : N_("Mine and shared with me")),
                     p->scope);
    list_page_choice(v, "scopes", "mine", page_t(req, "Created by me"), p->scope);
    list_page_choice(v, "scopes", "shared", page_t(req, "Shared with me"), p->scope);
    list_page_choice(v, "statuses", "all", page_t(req, "Any status"), p->status);
    list_page_choice(v, "statuses", "open", page_t(req, "Not yet resolved"), p->status);
    list_page_choice(v, "statuses", "closed", page_t(req, "Resolved or closed"), p->status);
    list_page_choice(v, "types", "", page_t(req, "All types"), p->type);
    for (int i = 0; i < card_count; i++)
        list_page_choice(v, "types", cards[i].key, cards[i].name, p->type);
    list_page_choice(v, "sorts", "updated", page_t(req, "Last update"), p->sort);
    list_page_choice(v, "sorts", "created", page_t(req, "Date created"), p->sort);
    view_set(v, "q", p->q);
}

/* The texts a page repeats row after row, computed once per distinct value. */
typedef struct RowTexts {
    int statuses;
    const char *status[8], *status_label[8];
    int64_t minutes; /* portal_relative_time depends on the age in whole minutes only */
    const char *relative;
} RowTexts;

static const char *status_label(Request *req, RowTexts *t, const char *status)
{
    for (int i = 0; i < t->statuses; i++)
        if (str_eq(t->status[i], status))
            return t->status_label[i];
    const char *label = page_t(req, request_status_msgid(status));
    if (t->statuses < (int)(sizeof t->status / sizeof t->status[0])) {
        t->status[t->statuses] = status;
        t->status_label[t->statuses++] = label;
    }
    return label;
}

static const char *relative_time(Request *req, RowTexts *t, int64_t when, int64_t now)
{
    int64_t minutes = (now > when ? now - when : 0) / 60;
    if (minutes != t->minutes) {
        t->minutes = minutes;
        t->relative = portal_relative_time(req, when, now);
    }
    return t->relative;
}

static void add_items(Request *req, View *v, const RequestListPage *page)
{
    int64_t now = clock_now();
    bool by_created = str_eq(page->params.sort, "created");
    const char *when_label = page_t(req, by_created ? N_("created") : N_("updated"));
    RowTexts texts = {.minutes = -1};
    for (int i = 0; i < page->count; i++) {
        const RequestListItem *it = &page->items[i];
        int64_t when = by_created ? it->created_at : it->updated_at;
        char iso[32];
        clock_format_iso(when, iso);
        const char *when_iso = arena_strdup(req->arena, iso);
        /* by reference: the page's texts live in the request's arena like the view */
        const ViewField fields[] = {
            {"key", it->key},
            {"summary", it->summary},
            {"type_name", it->type_name},
            {"status", it->status},
            {"status_label", status_label(req, &texts, it->status)},
            {"reporter", it->reported_by_viewer ? "" : it->reporter_name},
            {"when_label", when_label},
            {"when_iso", when_iso},
            {"when_text", absolute_from_iso(req, iso)},
            {"when_relative", relative_time(req, &texts, when, now)},
        };
        view_list_add_refs(v, "items", fields, (int)(sizeof fields / sizeof fields[0]));
    }
}

static void add_pager(Request *req, View *v, const RequestListPage *page)
{
    list_page_pager(req->arena, v, "/requests", filter_query(req, &page->params),
                    page->next_cursor, page->prev_cursor, page->params.paged);
}

void portal_request_list(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    if (!s)
        return;
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    RequestListQuery q = {request_query(req, "scope"), request_query(req, "status"),
                          request_query(req, "type"),  request_query(req, "q"),
                          request_query(req, "sort"),  request_query(req, "after"),
                          request_query(req, "before")};
    RequestListPage page;
    RequestResult r = request_list_for_viewer(db, req->arena, &viewer, req->lang, &q, &page);

    TypeCard *cards = NULL;
    int card_count = 0;
    if (r == REQUEST_OK && catalog_type_cards(db, req->arena, req->lang, &cards, &card_count) != DB_OK)
        r = REQUEST_UNAVAILABLE;
    if (r != REQUEST_OK) {
        portal_error_page(req, res, r == REQUEST_UNAVAILABLE ? 503 : 500);
        return;
    }
    View *v = page_view(req, page_t(req, "Requests"));
    bool staff = request_viewer_is_staff(&viewer);
    add_filters(req, v, &page.params, staff, cards, card_count);
    view_set_bool(v, "staff", staff);
    view_set_bool(v, "filtered", page.params.filtered);
    view_set_bool(v, "filters_open", page.params.filtered || !str_eq(page.params.sort, "updated"));
    view_set_bool(v, "has_items", page.count > 0);
    add_items(req, v, &page);
    add_pager(req, v, &page);
    bool nothing_yet = page.count == 0 && !page.params.filtered && !page.params.paged;
    view_set_bool(v, "nothing_yet", nothing_yet);
    view_set_bool(v, "no_matches", page.count == 0 && !nothing_yet);
    for (int i = 0; nothing_yet && i < card_count; i++) {
        View *card = view_list_add(v, "new_types");
        view_set(card, "key", cards[i].key);
        view_set(card, "name", cards[i].name);
        view_set(card, "icon", cards[i].icon);
    }
    page_render(req, res, 200, "request_list", v);
}
