/* queue_routes: the agents' queues (GET /desk, /desk?queue=...) - the queue menu with live
 * counts, the chosen queue as a table of requests (cards on narrow screens), filters, sort
 * and keyset pages in the URL (bookmarkable), and an empty state per queue.
 * SECURITY: agents and admins only (desk_require_agent: customers 404, visitors to the
 * login); the domain checks the role again before reading anything. */
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/desk.h"
#include "domain/sla_service.h"
#include "domain/catalog.h"
#include "domain/desk_queues.h"
#include "portal/portal.h"
#include "web/list_page.h"
#include "web/page.h"
#include <string.h>

/* "queue=mine&type=idea&" - the queue and the non-default filters, for links that keep
 * them; with_queue false leaves the queue out (the menu adds its own). */
static const char *filter_query(Request *req, const DeskQueueParams *p, bool with_queue)
{
    const char *names[] = {"queue", "type", "priority", "org", "assignee", "q", "sort"};
    const char *values[] = {p->queue, p->type, p->priority, p->org, p->assignee, p->q, p->sort};
    const char *defaults[] = {"open", "", "", "", "", "", "updated"};
    int skip = with_queue ? 0 : 1;
    return list_page_query(req->arena, 7 - skip, names + skip, values + skip, defaults + skip);
}

/* /desk?QUERY without the trailing '&' (or /desk when QUERY is empty). */
static const char *desk_url(Request *req, const char *query)
{
    return list_page_url(req->arena, "/desk", query);
}

/* "1 request" / "12 requests" in the page's language. */
static const char *count_text(Request *req, int64_t n)
{
    return n == 1 ? page_t(req, "1 request") : page_tn(req, "%{n} requests", n);
}

static void add_menu(Request *req, View *v, const DeskQueuePage *page)
{
    /* the menu keeps sort and filters but starts each queue on its first page */
    DeskQueueParams p = page->params;
    const char *rest = filter_query(req, &p, false);
    for (int i = 0; i < page->queue_count; i++) {
        const DeskQueueInfo *q = &page->queues[i];
        View *item = view_list_add(v, "queues");
        view_set(item, "key", q->key);
        view_set(item, "name", page_t(req, q->name));
        view_set_int(item, "count", q->count);
        view_set(item, "url", desk_url(req, str_eq(q->key, "open")
                                                ? rest
                                                : arena_printf(req->arena, "queue=%s&%s",
                                                               q->key, rest)));
        view_set_bool(item, "current", i == page->current);
        view_set_bool(item, "empty", q->count == 0);
    }
    const DeskQueueInfo *cur = &page->queues[page->current];
    view_set(v, "queue_name", page_t(req, cur->name));
    view_set(v, "queue_key", cur->key);
    view_set(v, "queue_count_text", count_text(req, cur->count));
    view_set(v, "empty_title", page_t(req, cur->empty_title));
    view_set(v, "empty_text", page_t(req, cur->empty_text));
    view_set_bool(v, "empty_mine", str_eq(cur->key, "mine"));
}

static void add_filters(Request *req, View *v, const DeskQueuePage *page, const TypeCard *cards,
                        int card_count)
{
    const DeskQueueParams *p = &page->params;
    list_page_choice(v, "types", "", page_t(req, "All types"), p->type);
    for (int i = 0; i < card_count; i++)
        list_page_choice(v, "types", cards[i].key, cards[i].name, p->type);
    static const char *const PRIORITIES[] = {"critical", "high", "medium", "low"};
    list_page_choice(v, "priorities", "", page_t(req, "Any priority"), p->priority);
    for (int i = 0; i < 4; i++)
        list_page_choice(v, "priorities", PRIORITIES[i],
                         page_t(req, desk_priority_msgid(PRIORITIES[i])), p->priority);
    list_page_choice(v, "organizations", "", page_t(req, "Any organization"), p->org);
    for (int i = 0; i < page->organization_count; i++)
        list_page_choice(v, "organizations",
                         arena_printf(req->arena, "%lld", (long long)page->organizations[i].id),
                         page->organizations[i].name, p->org);
    list_page_choice(v, "assignees", "", page_t(req, "Anyone"), p->assignee);
    list_page_choice(v, "assignees", "none", page_t(req, "Nobody (unassigned)"), p->assignee);
    for (int i = 0; i < page->agent_count; i++)
        list_page_choice(v, "assignees",
                         arena_printf(req->arena, "%lld", (long long)page->agents[i].id),
                         page->agents[i].name, p->assignee);
    list_page_choice(v, "sorts", "updated", page_t(req, "Last update, newest first"), p->sort);
    list_page_choice(v, "sorts", "oldest", page_t(req, "Last update, oldest first"), p->sort);
    list_page_choice(v, "sorts", "created", page_t(req, "Date created, newest first"), p->sort);
    list_page_choice(v, "sorts", "priority", page_t(req, "Priority, highest first"), p->sort);
    view_set(v, "q", p->q);
    view_set_bool(v, "filtered", p->filtered);
    view_set_bool(v, "filters_open", p->filtered || !str_eq(p->sort, "updated"));
    DeskQueueParams plain = {.queue = p->queue, .type = "", .priority = "", .org = "",
                             .assignee = "", .q = "", .sort = "updated"};
    view_set(v, "reset_url", desk_url(req, filter_query(req, &plain, true)));
}

/* The SLA clocks of the page's rows, or NULL without SLA data (settings unreadable: the rows
 * simply show none). */
static const SlaResult *read_sla(Request *req, const DeskQueuePage *page)
{
    Db *db = db_thread();
    SlaConfig sla;
    if (page->count == 0 || !db || sla_config_load(db, req->arena, &sla) != DB_OK)
        return NULL;
    int64_t *ids = arena_alloc(req->arena, sizeof *ids * (size_t)page->count);
    SlaResult *results = arena_alloc(req->arena, sizeof *results * (size_t)page->count);
    for (int i = 0; i < page->count; i++)
        ids[i] = page->items[i].id;
    if (sla_states_for_requests(db, req->arena, &sla, ids, page->count, clock_now(),
                                results) != DB_OK)
        return NULL;
    return results;
}

/* The row's next SLA clock: the first response until it is answered, then the resolution. */
static void add_sla(Request *req, View *item, const SlaResult *r)
{
    bool first_open = r->first_response.state == SLA_RUNNING ||
                      r->first_response.state == SLA_PAUSED ||
                      (r->first_response.state == SLA_BREACHED && !r->first_response.done_at);
    const SlaClock *c = first_open ? &r->first_response : &r->resolution;
    if (c->state == SLA_NONE || c->state == SLA_MET)
        return;
    view_set_bool(item, "has_sla", true);
    view_set(item, "sla_label", page_t(req, first_open ? N_("First response") : N_("Resolution")));
    view_set(item, "sla_text", sla_clock_text(req->arena, req->lang, c));
    view_set(item, "sla_state", sla_state_key(c->state));
    view_set_bool(item, "sla_risk", c->at_risk);
}

static void add_items(Request *req, View *v, const DeskQueuePage *page, const SlaResult *sla)
{
    int64_t now = clock_now();
    bool by_created = str_eq(page->params.sort, "created");
    view_set(v, "when_heading", page_t(req, by_created ? N_("Created") : N_("Last update")));
    for (int i = 0; i < page->count; i++) {
        const DeskQueueItem *it = &page->items[i];
        View *item = view_list_add(v, "items");
        int64_t when = by_created ? it->created_at : it->updated_at;
        char iso[32];
        clock_format_iso(when, iso);
        view_set(item, "key", it->key);
        view_set(item, "summary", it->summary);
        view_set(item, "type_name", it->type_name);
        view_set(item, "status", it->status);
        view_set(item, "status_label", page_t(req, request_status_msgid(it->status)));
        view_set(item, "priority", it->priority);
        view_set(item, "priority_label", page_t(req, desk_priority_msgid(it->priority)));
        view_set(item, "customer", it->customer);
        view_set(item, "customer_email", it->customer_email);
        view_set(item, "organization", it->organization);
        view_set(item, "assignee", it->assignee);
        view_set_bool(item, "assigned_to_me", it->assigned_to_viewer);
        view_set(item, "when_iso", iso);
        view_set(item, "when_text", portal_absolute_time(req, when));
        const char *relative = portal_relative_time(req, when, now);
        view_set(item, "when_relative", relative ? relative : "");
        if (sla)
            add_sla(req, item, &sla[i]);
    }
}

static void add_pager(Request *req, View *v, const DeskQueuePage *page)
{
    list_page_pager(req->arena, v, "/desk", filter_query(req, &page->params, true),
                    page->next_cursor, page->prev_cursor, page->params.paged);
}

static void desk_queues(Request *req, Response *res)
{
    SignedIn *s = desk_require_agent(req, res);
    if (!s)
        return;
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return;
    }
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    DeskQueueQuery q = {request_query(req, "queue"),    request_query(req, "sort"),
                        request_query(req, "type"),     request_query(req, "priority"),
                        request_query(req, "org"),      request_query(req, "assignee"),
                        request_query(req, "q"),        request_query(req, "after"),
                        request_query(req, "before")};
    DeskQueuePage page;
    RequestResult r = desk_queue_read(db, req->arena, &viewer, req->lang, &q, &page);
    TypeCard *cards = NULL;
    int card_count = 0;
    if (r == REQUEST_OK &&
        catalog_type_cards(db, req->arena, req->lang, &cards, &card_count) != DB_OK)
        r = REQUEST_UNAVAILABLE;
    if (r != REQUEST_OK) {
        portal_error_page(req, res, r == REQUEST_NOT_FOUND     ? 404
                                    : r == REQUEST_UNAVAILABLE ? 503
                                                               : 500);
        return;
    }
    const char *name = page_t(req, page.queues[page.current].name);
    View *v = desk_view(req, name, "queues");
    add_menu(req, v, &page);
    add_filters(req, v, &page, cards, card_count);
    add_items(req, v, &page, read_sla(req, &page));
    add_pager(req, v, &page);
    view_set_bool(v, "has_items", page.count > 0);
    bool queue_empty = page.count == 0 && !page.params.filtered && !page.params.paged;
    view_set_bool(v, "queue_empty", queue_empty);
    view_set_bool(v, "no_matches", page.count == 0 && !queue_empty);
    page_render(req, res, 200, "desk/queues", v);
}

const Route QUEUE_ROUTES[] = {
    {"GET", "/desk", desk_queues},
    {0},
};
