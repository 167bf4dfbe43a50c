/* admin_log_pages: /desk/admin/outbox (every outgoing mail with its state, filter by state,
 * "Jetzt erneut senden" for failed and retrying ones) and /desk/admin/audit (who did what
 * when, searchable, paged). The audit log is read-only here: no route changes an entry. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "web/page.h"
#include <string.h>

static const char *const STATES[] = {"queued", "sending", "retrying", "sent", "failed"};

/* The state a person understands: a queued row that failed before is "retrying". */
static const char *outbox_state(const OutboxItem *it)
{
    return str_eq(it->state, "queued") && it->attempts > 0 ? "retrying" : it->state;
}

static const char *state_label(Request *req, const char *state)
{
    return page_t(req, str_eq(state, "queued")     ? N_("Queued")
                       : str_eq(state, "sending")  ? N_("Sending")
                       : str_eq(state, "retrying") ? N_("Retrying")
                       : str_eq(state, "sent")     ? N_("Sent")
                                                   : N_("Failed"));
}

void admin_outbox_list(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    const char *state = request_query(req, "state");
    bool known = false;
    for (size_t i = 0; i < sizeof STATES / sizeof STATES[0]; i++)
        known = known || str_eq(state, STATES[i]);
    if (!known)
        state = NULL;
    int64_t before = 0;
    if (!str_to_int64(request_query(req, "before"), &before) || before < 0)
        before = 0;
    OutboxItem *items;
    int count;
    if (store_admin_outbox(c.db, req->arena, state, before, ADMIN_PAGE_SIZE + 1, &items,
                           &count) != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, page_t(req, "Outgoing mail"), "outbox");
    View *f = view_list_add(v, "filters");
    view_set(f, "label", page_t(req, "All"));
    view_set(f, "url", "/desk/admin/outbox");
    view_set_bool(f, "current", !state);
    for (size_t i = 0; i < sizeof STATES / sizeof STATES[0]; i++) {
        f = view_list_add(v, "filters");
        view_set(f, "label", state_label(req, STATES[i]));
        view_set(f, "url", arena_printf(req->arena, "/desk/admin/outbox?state=%s", STATES[i]));
        view_set_bool(f, "current", str_eq(state, STATES[i]));
    }
    int shown = count > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : count;
    for (int i = 0; i < shown; i++) {
        const char *s = outbox_state(&items[i]);
        View *item = view_list_add(v, "mails");
        view_setf(item, "id", "%lld", (long long)items[i].id);
        view_set(item, "recipient", items[i].recipient);
        view_set(item, "subject", items[i].subject);
        view_set(item, "state", s);
        view_set(item, "state_label", state_label(req, s));
        view_set(item, "created", admin_time(req, items[i].created_at));
        view_set(item, "sent", items[i].sent_at ? admin_time(req, items[i].sent_at) : "");
        view_set_int(item, "attempts", items[i].attempts);
        view_set(item, "error", items[i].last_error);
        view_set(item, "next_attempt",
                 str_eq(s, "retrying") ? admin_time(req, items[i].next_attempt_at) : "");
        view_set_bool(item, "can_retry", str_eq(s, "retrying") || str_eq(s, "failed"));
    }
    view_set_bool(v, "has_mails", shown > 0);
    if (count > ADMIN_PAGE_SIZE)
        view_set(v, "next_url", arena_printf(req->arena, "/desk/admin/outbox?state=%s&before=%lld",
                                             state ? state : "",
                                             (long long)items[shown - 1].id));
    if (before)
        view_set(v, "first_url", arena_printf(req->arena, "/desk/admin/outbox?state=%s",
                                              state ? state : ""));
    page_render(req, res, 200, "desk/admin_outbox", v);
}

void admin_outbox_retry_now(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    AdminErrors e = {0};
    AdminResult r = admin_outbox_retry(&c, admin_param_id(req, "id"), &e);
    if (r == ADMIN_REFUSED) {
        View *v = admin_view(req, page_t(req, "Outgoing mail"), "outbox");
        admin_errors_view(req, v, &e);
        view_set_bool(v, "refused", true);
        page_render(req, res, 409, "desk/admin_outbox", v);
    } else if (r != ADMIN_OK) {
        admin_fail(req, res, r);
    } else {
        admin_done(req, res, "/desk/admin/outbox", "admin_mail_queued");
    }
}

void admin_audit_list(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    const char *actor = request_query(req, "actor"), *action = request_query(req, "action");
    const char *q = request_query(req, "q");
    int64_t before = 0;
    if (!str_to_int64(request_query(req, "before"), &before) || before < 0)
        before = 0;
    const char *action_filter = str_empty(action) ? NULL : str_trim(req->arena, action);
    AuditEntry *entries;
    int count;
    if (store_admin_audit(c.db, req->arena, admin_like_pattern(req->arena, actor), action_filter,
                          admin_like_pattern(req->arena, q), before, ADMIN_PAGE_SIZE + 1,
                          &entries, &count) != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, page_t(req, "Audit log"), "audit");
    view_set(v, "actor", actor ? actor : "");
    view_set(v, "action", action ? action : "");
    view_set(v, "q", q ? q : "");
    int shown = count > ADMIN_PAGE_SIZE ? ADMIN_PAGE_SIZE : count;
    for (int i = 0; i < shown; i++) {
        View *item = view_list_add(v, "entries");
        view_set(item, "at", admin_time(req, entries[i].at));
        view_set(item, "actor", str_empty(entries[i].actor) ? "–" : entries[i].actor);
        view_setf(item, "actor_id", "%lld", (long long)entries[i].actor_id);
        view_set_bool(item, "has_actor", entries[i].actor_id > 0);
        view_set(item, "action", entries[i].action);
        view_set(item, "subject", entries[i].subject);
        view_set(item, "detail", entries[i].detail);
        view_set(item, "ip", entries[i].ip);
    }
    view_set_bool(v, "has_entries", shown > 0);
    const char *query = arena_printf(req->arena, "actor=%s&action=%s&q=%s",
                                     str_url_encode(req->arena, actor ? actor : ""),
                                     str_url_encode(req->arena, action ? action : ""),
                                     str_url_encode(req->arena, q ? q : ""));
    if (count > ADMIN_PAGE_SIZE)
        view_set(v, "next_url", arena_printf(req->arena, "/desk/admin/audit?%s&before=%lld", query,
                                             (long long)entries[shown - 1].id));
    if (before)
        view_set(v, "first_url", arena_printf(req->arena, "/desk/admin/audit?%s", query));
    page_render(req, res, 200, "desk/admin_audit", v);
}
