/* request_page: the agents' page of one request - everything the customer's page shows plus
 * internal notes, the customer with their organization and other requests, who else has the
 * request open, and the forms for reply/note, status, assignment and priority.
 * SECURITY: desk_require_agent first (customers 404); the page exists only through
 * desk_page_load; every form carries the page's stamp (version and newest event) so a save on
 * a stale page is refused, not merged. */
#include "core/buf.h"
#include "core/clock.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/desk_request.h"
#include "domain/sla_service.h"
#include "domain/workflow.h"
#include "portal/portal.h"
#include "portal/request_view.h"
#include "web/page.h"
#include <string.h>

#define CONFLICT_EXCERPT_BYTES 160 /* of a newer comment, in the "what changed" list */

/* ?done= after an action: a fixed message, never text from the address. */
static const PageNotice DONE_MESSAGES[] = {
    {"reply", N_("Your reply has been sent to the customer.")},
    {"note", N_("Your internal note has been saved. Customers do not see it.")},
    {"status", N_("The status has been changed.")},
    {"assigned", N_("The assignment has been changed.")},
    {"priority", N_("The priority has been changed.")},
    {"unchanged", N_("Nothing was changed.")},
};

static const char *display_name(const char *name, const char *email)
{
    return str_empty(name) ? (str_empty(email) ? "?" : email) : name;
}

/* "2 minutes ago" for the presence lines: the rel text of request_time_set. */
static const char *ago(Request *req, int64_t now, int64_t t)
{
    View *tmp = view_new(req->arena);
    request_time_set(req, tmp, "t", now, t);
    const char *rel = view_get_text(view_get_child(tmp, "t"), "rel");
    return rel ? rel : "";
}

static void presence_set(Request *req, View *v, const DeskExtras *x, int64_t now)
{
    for (int i = 0; i < x->viewer_count; i++) {
        View *item = view_list_add(v, "viewers");
        view_set(item, "name", display_name(x->viewers[i].name, x->viewers[i].email));
    }
    view_set_bool(v, "has_viewers", x->viewer_count > 0);
    if (x->recent_reply.user_id) {
        View *rr = view_child(v, "recent_reply");
        view_set(rr, "name", display_name(x->recent_reply.name, x->recent_reply.email));
        view_set(rr, "ago", ago(req, now, x->recent_reply.seen_at));
        view_set_bool(rr, "internal", x->recent_reply_internal);
        view_set_bool(v, "has_recent_reply", true);
    }
    view_set_bool(v, "has_presence", x->viewer_count > 0 || x->recent_reply.user_id);
}

static void customer_set(Request *req, View *v, const RequestPage *p, const DeskExtras *x,
                         int64_t now)
{
    View *c = view_child(v, "customer");
    const RequestView *r = &p->request;
    view_set(c, "name", display_name(r->reporter_name, r->reporter_email));
    view_set(c, "email", r->reporter_email ? r->reporter_email : "");
    view_set(c, "lang", str_eq(x->reporter.lang, "en") ? "English" : "Deutsch");
    view_set(c, "organization", p->reporter_organization_name);
    view_set_bool(c, "has_organization", !str_empty(p->reporter_organization_name));
    for (int i = 0; i < x->other_count; i++) {
        const OtherRequestRow *o = &x->others[i];
        View *item = view_list_add(v, "other_requests");
        const char *key = request_format_key(req->arena, o->number);
        view_set(item, "key", key);
        view_set(item, "summary", o->summary);
        view_set(item, "status", o->status);
        view_set(item, "status_label", page_t(req, request_status_msgid(o->status)));
        view_set(item, "reporter", display_name(o->reporter_name, o->reporter_email));
        view_set_bool(item, "other_reporter", !o->same_reporter);
        request_time_set(req, item, "created", now, o->created_at);
    }
    view_set_bool(v, "has_other_requests", x->other_count > 0);
}

/* The request's two SLA clocks (time left or overdue, due time in the calendar's zone). */
static void sla_set(Request *req, View *v, Db *db, int64_t request_id, int64_t now)
{
    SlaConfig sla;
    SlaResult r;
    bool found = false;
    if (sla_config_load(db, req->arena, &sla) != DB_OK ||
        sla_request_state(db, req->arena, &sla, request_id, now, &r, &found, NULL) != DB_OK ||
        !found)
        return;
    const SlaClock *clocks[] = {&r.first_response, &r.resolution};
    const char *labels[] = {N_("First response"), N_("Resolution")};
    bool any = false;
    for (int i = 0; i < 2; i++) {
        if (clocks[i]->state == SLA_NONE)
            continue;
        any = true;
        View *c = view_list_add(v, "sla_clocks");
        view_set(c, "label", page_t(req, labels[i]));
        view_set(c, "text", sla_clock_text(req->arena, req->lang, clocks[i]));
        view_set(c, "state", sla_state_key(clocks[i]->state));
        view_set_bool(c, "risk", clocks[i]->at_risk);
        bool open = clocks[i]->state == SLA_RUNNING ||
                    (clocks[i]->state == SLA_BREACHED && !clocks[i]->done_at);
        if (open && clocks[i]->due_at)
            view_set(c, "due", sla_time_text(req->arena, req->lang, &sla, clocks[i]->due_at));
    }
    view_set_bool(v, "has_sla", any);
}

static void controls_set(Request *req, View *v, const RequestPage *p, const DeskExtras *x,
                         int64_t viewer_id, const DeskFormState *st)
{
    const RequestView *r = &p->request;
    view_setf(v, "version", "%lld", (long long)x->stamp.version);
    view_setf(v, "seen", "%lld", (long long)x->stamp.last_event_id);
    view_set(v, "priority", r->priority);
    view_set(v, "priority_label", page_t(req, workflow_priority_msgid(r->priority)));
    for (int i = 0; i < WORKFLOW_PRIORITY_COUNT; i++) {
        View *o = view_list_add(v, "priorities");
        view_set(o, "value", WORKFLOW_PRIORITIES[i]);
        view_set(o, "label", page_t(req, workflow_priority_msgid(WORKFLOW_PRIORITIES[i])));
        view_set_bool(o, "selected", str_eq(WORKFLOW_PRIORITIES[i], r->priority));
    }
    const char *next[WORKFLOW_STATUS_COUNT];
    int n = workflow_next_statuses(r->status, next);
    const char *reply_status = st && st->set_status ? st->set_status : "";
    for (int i = 0; i < n; i++) {
        View *o = view_list_add(v, "next_statuses");
        view_set(o, "value", next[i]);
        view_set(o, "label", page_t(req, request_status_msgid(next[i])));
        view_set_bool(o, "selected", str_eq(next[i], reply_status));
        view_set_bool(o, "wanted", st && str_eq(next[i], st->wanted_status));
    }
    view_set_bool(v, "has_next_statuses", n > 0);
    view_set(v, "current_status", page_t(req, request_status_msgid(r->status)));
    view_set(v, "assignee_name", x->assignee_name);
    view_set_bool(v, "assigned", r->assignee_id != 0);
    view_set_bool(v, "assigned_to_me", r->assignee_id == viewer_id);
    view_setf(v, "my_id", "%lld", (long long)viewer_id);
    for (int i = 0; i < x->staff_count; i++) {
        View *o = view_list_add(v, "staff");
        view_setf(o, "id", "%lld", (long long)x->staff[i].id);
        view_set(o, "name", display_name(x->staff[i].name, x->staff[i].email));
        view_set_bool(o, "selected", x->staff[i].id == r->assignee_id);
    }
}

static void canned_set(Request *req, View *v, ActivityContext *c, const char *key)
{
    CannedRow *rows;
    int count;
    if (canned_list(c, &rows, &count) != REQUEST_OK)
        count = 0;
    for (int i = 0; i < count; i++) {
        const char *text = "";
        if (canned_expand(c, key, rows[i].id, &text) != REQUEST_OK)
            continue;
        View *o = view_list_add(v, "canned");
        view_setf(o, "id", "%lld", (long long)rows[i].id);
        view_set(o, "title", rows[i].title);
        view_set(o, "lang", str_eq(rows[i].lang, "en") ? "EN" : "DE");
        view_set(o, "text", text);
    }
    view_set_bool(v, "has_canned", view_list_count(v, "canned") > 0);
}

/* A short "what exactly" for a conflict line: the start of a comment, old -> new otherwise. */
static const char *conflict_detail(Request *req, const EventRow *e)
{
    if (str_eq(e->kind, "comment") || str_eq(e->kind, "note")) {
        size_t n = strlen(e->body);
        if (n <= CONFLICT_EXCERPT_BYTES)
            return e->body;
        n = CONFLICT_EXCERPT_BYTES;
        while (n > 0 && ((unsigned char)e->body[n] & 0xC0) == 0x80)
            n--;
        return arena_printf(req->arena, "%.*s …", (int)n, e->body);
    }
    if (str_eq(e->kind, "status"))
        return arena_printf(req->arena, "%s → %s", page_t(req, request_status_msgid(e->old_value)),
                            page_t(req, request_status_msgid(e->new_value)));
    if (str_eq(e->kind, "priority"))
        return arena_printf(req->arena, "%s → %s",
                            page_t(req, workflow_priority_msgid(e->old_value)),
                            page_t(req, workflow_priority_msgid(e->new_value)));
    if (str_eq(e->kind, "assign"))
        return arena_printf(req->arena, "%s → %s",
                            str_empty(e->old_value) ? page_t(req, N_("Nobody")) : e->old_value,
                            str_empty(e->new_value) ? page_t(req, N_("Nobody")) : e->new_value);
    return "";
}

/* What changed since the agent's page: one line per newer event. */
static void conflict_set(Request *req, View *v, const DeskConflict *conflict, int64_t now)
{
    view_set_bool(v, "conflict", true);
    for (int i = 0; i < conflict->count; i++) {
        const EventRow *e = &conflict->events[i];
        View *item = view_list_add(v, "conflict_events");
        view_set(item, "actor",
                 e->actor_id ? display_name(e->actor_name, e->actor_email)
                             : page_t(req, N_("Support team")));
        const char *what = N_("changed the request");
        if (str_eq(e->kind, "comment"))
            what = N_("wrote a comment");
        else if (str_eq(e->kind, "note"))
            what = N_("wrote an internal note");
        else if (str_eq(e->kind, "status"))
            what = N_("changed the status");
        else if (str_eq(e->kind, "assign"))
            what = N_("changed the assignment");
        else if (str_eq(e->kind, "priority"))
            what = N_("changed the priority");
        else if (str_eq(e->kind, "field"))
            what = N_("edited the details");
        else if (str_eq(e->kind, "attachment"))
            what = N_("attached a file");
        view_set(item, "what", page_t(req, what));
        view_set(item, "detail", conflict_detail(req, e));
        view_setf(item, "id", "%lld", (long long)e->id);
        request_time_set(req, item, "time", now, e->created_at);
    }
    view_set_bool(v, "has_conflict_events", conflict->count > 0);
}

static void state_set(Request *req, View *v, const DeskFormState *st, const RequestView *r,
                      int64_t now)
{
    view_set(v, "reply_body", st && st->body ? st->body : "");
    view_set_bool(v, "mode_internal", st && st->internal);
    if (!st)
        return;
    view_set(v, "body_error", st->body_error ? st->body_error : "");
    view_set(v, "files_error", st->files_error ? st->files_error : "");
    view_set(v, "assign_error", st->assign_error ? st->assign_error : "");
    view_set(v, "priority_error", st->priority_error ? st->priority_error : "");
    if (st->status_error) {
        view_set(v, "status_error", st->status_error);
        view_set(v, "status_from", page_t(req, request_status_msgid(r->status)));
        view_set(v, "status_to", page_t(req, request_status_msgid(st->wanted_status)));
        const char *next[WORKFLOW_STATUS_COUNT];
        int n = workflow_next_statuses(r->status, next);
        Buf b;
        buf_init(&b, req->arena);
        buf_puts(&b, "");
        for (int i = 0; i < n; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", page_t(req, request_status_msgid(next[i])));
        view_set(v, "status_allowed", buf_cstr(&b));
        view_set_bool(v, "status_not_allowed", workflow_status_known(st->wanted_status));
    }
    if (st->notice)
        view_set(v, "notice", st->notice);
    if (st->conflict)
        conflict_set(req, v, st->conflict, now);
    if (st->focus)
        view_set_bool(v, arena_printf(req->arena, "focus_%s", st->focus), true);
}

void desk_request_render(Request *req, Response *res, int status, const DeskFormState *st)
{
    SignedIn *s = desk_require_agent(req, res);
    if (!s)
        return;
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    viewer.lang = req->lang;
    ActivityContext c = {db_thread(), req->arena, &viewer, req->client_ip, clock_now()};
    if (!c.db) {
        portal_error_page(req, res, 503);
        return;
    }
    RequestPage p;
    DeskExtras x;
    const char *key = request_param(req, "key");
    RequestResult rr = desk_page_load(&c, key, &p, &x);
    if (rr != REQUEST_OK) {
        portal_error_page(req, res,
                          rr == REQUEST_NOT_FOUND     ? 404
                          : rr == REQUEST_UNAVAILABLE ? 503
                                                      : 500);
        return;
    }
    View *v = desk_view(req, arena_printf(req->arena, "%s: %s", p.request.key, p.request.summary),
                        "queues");
    request_head_set(req, v, &p, c.now);
    request_view_fill(req, v, &p, viewer.user_id, c.now, view_new(req->arena));
    presence_set(req, v, &x, c.now);
    customer_set(req, v, &p, &x, c.now);
    controls_set(req, v, &p, &x, viewer.user_id, st);
    sla_set(req, v, c.db, p.request.id, c.now);
    canned_set(req, v, &c, p.request.key);
    state_set(req, v, st, &p.request, c.now);
    const char *done =
        page_done_notice(req, DONE_MESSAGES, sizeof DONE_MESSAGES / sizeof DONE_MESSAGES[0]);
    if (done && str_empty(view_get_text(v, "notice")))
        view_set(v, "notice", done);
    view_set_bool(v, "closed", p.closed);
    if (status != 200)
        response_header(res, req, "Cache-Control", "no-store");
    page_render(req, res, status, "desk/request", v);
}

void desk_request_page(Request *req, Response *res)
{
    desk_request_render(req, res, 200, NULL);
}
