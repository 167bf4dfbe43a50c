/* request_detail: the page of one request (GET /requests/{key}) - its fields, status,
 * people, files and activity, newest last - with the forms to comment, edit, share and
 * resolve. The action handlers (request_actions.c) render it again with their errors.
 * SECURITY: the page exists only through activity_page_load (request_open_for_viewer): 404
 * for anyone who may not see the request; Markdown is the only SafeHtml and comes from
 * markdown_render; internal events and files never reach a customer (the domain filters). */
#include "domain/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/activity.h"
#include "domain/markdown.h"
#include "portal/portal.h"
#include "portal/request_view.h"
#include "portal/web_session.h"
#include "web/page.h"
#include <string.h>

/* Shared with request_actions.c and activity_routes.c (portal.h belongs to the lead). */
void request_page_render(Request *req, Response *res, int status, View *state);
void portal_request_detail(Request *req, Response *res);

/* ?done= after an action: a fixed message, never text from the address. */
static const PageNotice DONE_MESSAGES[] = {
    {"comment", N_("Your comment has been added.")},
    {"saved", N_("Your changes have been saved.")},
    {"unchanged", N_("Nothing was changed.")},
    {"shared", N_("The request has been shared.")},
    {"unshared", N_("The person no longer takes part in this request.")},
    {"org_shared", N_("The request is now shared with your organization.")},
    {"org_unshared", N_("The request is no longer shared with your organization.")},
    {"resolved", N_("The request has been marked as resolved.")},
    {"reopened", N_("The request has been reopened.")},
};

/* ---- times ---- */

typedef struct RelativeUnit {
    int64_t seconds;
    const char *one, *many; /* msgids; many holds %{n} */
} RelativeUnit;

static const RelativeUnit RELATIVE_UNITS[] = {
    {60, N_("1 minute ago"), N_("%{n} minutes ago")},
    {3600, N_("1 hour ago"), N_("%{n} hours ago")},
    {86400, N_("yesterday"), N_("%{n} days ago")},
};

/* "5 minutes ago", "yesterday"; "" beyond 30 days (the date says more then). */
static const char *relative_time(Request *req, int64_t now, int64_t t)
{
    int64_t age = now - t;
    if (age < 60)
        return page_t(req, N_("just now"));
    if (age >= 30 * 86400)
        return "";
    const RelativeUnit *u = &RELATIVE_UNITS[age < 3600 ? 0 : age < 86400 ? 1 : 2];
    int64_t n = age / u->seconds;
    return n == 1 ? page_t(req, u->one) : page_tn(req, u->many, n);
}

/* {iso, abs, rel} for <time datetime data-local-time>: app.js shows abs in local time. */
void request_time_set(Request *req, View *v, const char *key, int64_t now, int64_t t)
{
    View *time = view_child(v, key);
    char iso[32];
    clock_format_iso(t, iso);
    view_set(time, "iso", iso);
    view_setf(time, "abs", "%.10s %.5s UTC", iso, iso + 11);
    view_set(time, "rel", relative_time(req, now, t));
}

/* ---- people ---- */

static const char *initials(Arena *a, const char *name, const char *email)
{
    const char *src = str_empty(name) ? email : name;
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    bool start = true;
    for (const unsigned char *p = (const unsigned char *)(src ? src : "?"); *p && b.len < 8; p++) {
        if (*p == ' ' || *p == '@' || *p == '.' || *p == '-') {
            start = true;
            if (*p == '@')
                break;
            continue;
        }
        if (start && (*p & 0xC0) != 0x80) {
            size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
            if (strnlen((const char *)p, len) == len && b.len < 4)
                buf_append(&b, p, len);
            start = false;
        }
    }
    return b.len ? str_trim(a, buf_cstr(&b)) : "?";
}

static void person_set(View *item, Request *req, int64_t id, const char *name, const char *email)
{
    view_set(item, "initials", initials(req->arena, name, email));
    view_setf(item, "avatar", "%d", (int)(id % 6 < 0 ? 0 : id % 6));
}

static const char *display_name(const char *name, const char *email)
{
    return str_empty(name) ? (str_empty(email) ? "?" : email) : name;
}

/* ---- files ---- */

/* A file name as one URL path segment (unreserved characters kept, the rest %XX). */
static const char *path_segment(Arena *a, const char *name)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return buf_cstr(&b);
}

static void file_set(Request *req, View *item, const RequestView *r, const AttachmentRow *f)
{
    const char *url = arena_printf(req->arena, "/requests/%s/attachments/%lld/%s", r->key,
                                   (long long)f->id, path_segment(req->arena, f->filename));
    bool image = attachment_is_inline_image(f->content_type);
    view_set(item, "name", f->filename);
    view_set(item, "url", url);
    view_set(item, "size", attachment_format_size(req->arena, req->lang, f->size));
    view_set_bool(item, "is_image", image);
    view_set_bool(item, "internal", f->internal);
    view_set(item, "thumb_url", image ? arena_printf(req->arena, "%s?inline=1", url) : "");
}

/* ---- the timeline ---- */

/* One field change of an edit: "“Version”: 5.2 -> 5.3" (long texts as before/after). */
static void change_add(View *entry, const TimelineEntry *t)
{
    View *item = view_list_add(entry, "changes");
    view_set(item, "field", t->field_label);
    view_set(item, "old_value", t->old_display);
    view_set(item, "new_value", t->new_display);
    view_set_bool(item, "old_empty", str_empty(t->old_display));
    view_set_bool(item, "new_empty", str_empty(t->new_display));
    view_set_bool(item, "multiline", t->multiline);
}

static bool is_field_kind(const char *kind)
{
    return str_eq(kind, "field") || str_eq(kind, "assign") || str_eq(kind, "priority");
}

/* An edit saves several fields at once: their events become one entry. */
static bool same_edit(const EventRow *a, const EventRow *b)
{
    return a && is_field_kind(a->kind) && is_field_kind(b->kind) && a->actor_id == b->actor_id &&
           b->created_at - a->created_at <= 2;
}

static void entry_status(Request *req, View *item, const EventRow *e)
{
    view_set(item, "old_status", e->old_value);
    view_set(item, "new_status", e->new_value);
    view_set(item, "old_label", page_t(req, request_status_msgid(e->old_value)));
    view_set(item, "new_label", page_t(req, request_status_msgid(e->new_value)));
}

/* A shared-with address as people know it: the name of that person when they have one. */
static const char *share_target(const RequestPage *p, const char *email)
{
    for (int i = 0; i < p->people_count; i++)
        if (str_eq_nocase(p->people[i].email, email) && !str_empty(p->people[i].name))
            return p->people[i].name;
    return email;
}

static void entry_set(Request *req, View *item, const RequestPage *p, const TimelineEntry *t,
                      int64_t viewer_id, int64_t now)
{
    const EventRow *e = t->event;
    const char *kind = e->kind;
    bool comment = str_eq(kind, "comment") || str_eq(kind, "note");
    view_setf(item, "id", "%lld", (long long)e->id);
    view_set(item, "kind", kind);
    view_set(item, "actor",
             e->actor_id ? display_name(e->actor_name, e->actor_email)
                         : page_t(req, N_("Support team")));
    person_set(item, req, e->actor_id, e->actor_name, e->actor_email);
    view_set_bool(item, "own", e->actor_id && e->actor_id == viewer_id);
    view_set_bool(item, "is_staff", e->actor_id && !str_eq(e->actor_role, "customer"));
    view_set_bool(item, "internal", e->internal);
    view_set_bool(item, "is_note", str_eq(kind, "note"));
    view_set_bool(item, "staff_mode", p->viewer_is_agent);
    view_set_bool(item, "is_comment", comment);
    view_set_bool(item, "is_created", str_eq(kind, "created"));
    view_set_bool(item, "is_status", str_eq(kind, "status"));
    view_set_bool(item, "is_field", is_field_kind(kind));
    view_set_bool(item, "is_handling", str_eq(kind, "assign") || str_eq(kind, "priority"));
    bool org = str_eq(e->field, "organization");
    view_set_bool(item, "is_share", str_eq(kind, "share") && !org);
    view_set_bool(item, "is_share_org", str_eq(kind, "share") && org);
    view_set_bool(item, "is_unshare_org", str_eq(kind, "unshare") && org);
    bool left = str_eq(kind, "unshare") && !org && str_eq_nocase(e->old_value, e->actor_email);
    view_set_bool(item, "is_unshare", str_eq(kind, "unshare") && !org && !left);
    view_set_bool(item, "is_left", left);
    view_set_bool(item, "is_attachment", str_eq(kind, "attachment"));
    view_set(item, "target", share_target(p, str_eq(kind, "share") ? e->new_value : e->old_value));
    request_time_set(req, item, "time", now, e->created_at);
    const char *html = comment ? markdown_render(req->arena, e->body, strlen(e->body)) : "";
    view_set_html(item, "body_html", html);
    view_set_bool(item, "has_body", *html != '\0');
    if (str_eq(kind, "status"))
        entry_status(req, item, e);
    if (is_field_kind(kind))
        change_add(item, t);
    for (int i = 0; i < t->file_count; i++)
        file_set(req, view_list_add(item, "files"), &p->request, t->files[i]);
    view_set_bool(item, "has_files", t->file_count > 0);
}

/* ---- fields and the edit form ---- */

/* The submitted values of form field name, joined by "\n" (for re-showing a form). */
static const char *submitted(Request *req, const char *name, bool *present)
{
    Buf b;
    buf_init(&b, req->arena);
    buf_puts(&b, "");
    *present = false;
    for (const Param *p = req->form; p; p = p->next)
        if (str_eq(p->name, name)) {
            if (*present && p->value && *p->value)
                buf_putc(&b, '\n');
            buf_puts(&b, p->value ? p->value : "");
            *present = true;
        }
    return buf_cstr(&b);
}

static bool in_lines(const char *lines, const char *value)
{
    size_t n = strlen(value);
    for (const char *p = lines; *p;) {
        size_t len = strcspn(p, "\n");
        if (len == n && strncmp(p, value, n) == 0)
            return true;
        p += len + (p[len] != '\0');
    }
    return false;
}

static void edit_field_set(Request *req, View *item, const FieldShown *f, bool use_form,
                           View *state)
{
    const char *name = arena_printf(req->arena, "f_%s", f->key);
    bool present = false;
    const char *value = use_form ? submitted(req, name, &present) : f->value;
    if (!present)
        value = f->value;
    const char *kind = f->kind;
    bool input = str_eq(kind, "text") || str_eq(kind, "email") || str_eq(kind, "number") ||
                 str_eq(kind, "date");
    view_set(item, "name", name);
    view_set(item, "label", f->label);
    view_set(item, "help", f->help);
    view_set(item, "value", value);
    view_set_bool(item, "required", f->required);
    view_set_bool(item, "is_input", input);
    view_set(item, "input_type", str_eq(kind, "number") ? "text" : kind);
    view_set(item, "inputmode", str_eq(kind, "number") ? "numeric" : "");
    view_set_bool(item, "is_textarea", str_eq(kind, "textarea"));
    view_set_bool(item, "is_select", str_eq(kind, "select"));
    view_set_bool(item, "is_multiselect", str_eq(kind, "multiselect"));
    view_set_bool(item, "is_checkbox", str_eq(kind, "checkbox"));
    view_set_bool(item, "checked", str_eq(value, "1") || in_lines(value, "1"));
    view_set_bool(item, "no_value", str_empty(value));
    const char *error = view_get_text(state, arena_printf(req->arena, "error_%s", name));
    view_set(item, "error", error ? error : "");
    for (int i = 0; i < f->option_count; i++) {
        View *o = view_list_add(item, "options");
        view_set(o, "value", f->options[i].value);
        view_set(o, "label", f->options[i].label);
        bool selected = str_eq(kind, "select") ? str_eq(value, f->options[i].value)
                                               : in_lines(value, f->options[i].value) ||
                                                     (!present && f->options[i].selected);
        view_set_bool(o, "selected", selected);
    }
}

static void fields_set(Request *req, View *v, const RequestPage *p, View *state)
{
    bool use_form = view_get_bool(state, "edit_submitted");
    int shown = 0;
    for (int i = 0; i < p->field_count; i++) {
        const FieldShown *f = &p->fields[i];
        if (!f->editable)
            continue; /* attachment fields: their files are in the activity */
        edit_field_set(req, view_list_add(v, "edit_fields"), f, use_form, state);
        if (str_empty(f->display))
            continue; /* empty fields only take room; the edit form has them all */
        View *item = view_list_add(v, "fields");
        view_set(item, "label", f->label);
        view_set(item, "display", f->display);
        bool long_text = str_eq(f->kind, "textarea");
        view_set_html(item, "html",
                      long_text ? markdown_render(req->arena, f->value, strlen(f->value)) : "");
        view_set_bool(item, "long_text", long_text);
        shown++;
    }
    view_set_bool(v, "has_fields", shown > 0);
    const RequestView *r = &p->request;
    bool present = false;
    const char *summary = use_form ? submitted(req, "summary", &present) : r->summary;
    view_set(v, "summary_value", present || !use_form ? summary : r->summary);
    const char *description = use_form ? submitted(req, "description", &present) : "";
    view_set(v, "description_value", use_form && present ? description : r->description);
    view_set(v, "summary_label", p->summary_label);
    view_set(v, "description_label", p->description_label);
    view_setf(v, "version", "%lld", (long long)r->version);
}

/* ---- people and organization ---- */

static void people_set(Request *req, View *v, const RequestPage *p, int64_t viewer_id)
{
    for (int i = 0; i < p->people_count; i++) {
        const RequestPerson *person = &p->people[i];
        bool duplicate = false;
        for (int j = 0; j < i; j++)
            duplicate = duplicate || p->people[j].user_id == person->user_id;
        if (duplicate)
            continue;
        View *item = view_list_add(v, "people");
        view_setf(item, "user_id", "%lld", (long long)person->user_id);
        view_set(item, "display", display_name(person->name, person->email));
        view_set(item, "email", person->email);
        view_set_bool(item, "show_email", !str_empty(person->name));
        view_set_bool(item, "reporter", person->reporter);
        view_set_bool(item, "invited", !person->has_password && !person->disabled);
        view_set_bool(item, "self", person->user_id == viewer_id);
        view_set_bool(item, "can_remove",
                      !person->reporter && (person->added_by == viewer_id ||
                                            person->user_id == viewer_id || p->viewer_is_agent));
        person_set(item, req, person->user_id, person->name, person->email);
    }
    const RequestView *r = &p->request;
    bool can_share_org = p->viewer_is_reporter || p->viewer_is_agent;
    view_set_bool(v, "org_shared", r->organization_id != 0);
    view_set(v, "org_name",
             r->organization_id ? r->organization_name : p->reporter_organization_name);
    view_set_bool(v, "can_share_org",
                  can_share_org && (r->organization_id != 0 || p->reporter_organization_id != 0));
    view_set_bool(v, "has_org", r->organization_id != 0 || p->reporter_organization_id != 0);
}

/* ---- the page ---- */

void request_head_set(Request *req, View *v, const RequestPage *p, int64_t now)
{
    const RequestView *r = &p->request;
    View *rv = view_child(v, "request");
    view_set(rv, "key", r->key);
    view_set(rv, "summary", r->summary);
    view_set(rv, "type_name", r->type_name);
    view_set(rv, "status", r->status);
    view_set(rv, "status_label", page_t(req, request_status_msgid(r->status)));
    view_set(rv, "reporter", display_name(r->reporter_name, r->reporter_email));
    request_time_set(req, rv, "created", now, r->created_at);
    request_time_set(req, rv, "updated", now, r->updated_at);
    const char *description = r->description ? r->description : "";
    view_set_html(v, "description_html",
                  markdown_render(req->arena, description, strlen(description)));
    view_set_bool(v, "has_description", !str_empty(description));
    view_set_bool(v, "closed", p->closed);
    view_set_bool(v, "can_edit", !p->closed);
    view_set_bool(v, "can_resolve", p->can_resolve);
    view_set_bool(v, "can_reopen", p->can_reopen);
    view_set_bool(v, "is_resolved", str_eq(r->status, REQUEST_STATUS_RESOLVED));
    view_set(v, "file_max",
             attachment_format_size(req->arena, req->lang, settings_now()->max_attachment_bytes));
}

/* Copies what an action left for the page (kept input, messages, flags). */
static void state_copy(View *v, View *state)
{
    static const char *const TEXTS[] = {"comment",       "comment_error",     "files_error",
                                        "share_email",   "share_error",       "edit_error",
                                        "error_summary", "error_description", "notice"};
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
        const char *text = view_get_text(state, TEXTS[i]);
        view_set(v, TEXTS[i], text ? text : "");
    }
    view_set_bool(v, "conflict", view_get_bool(state, "conflict"));
    view_set_bool(v, "edit_open", view_get_bool(state, "edit_open"));
    view_set_bool(v, "has_edit_errors", view_get_bool(state, "has_edit_errors"));
    /* app.js focuses #form-errors: the first problem of the one form that was sent */
    bool comment_error = !str_empty(view_get_text(state, "comment_error"));
    view_set_bool(v, "focus_comment", comment_error);
    view_set_bool(v, "focus_files",
                  !comment_error && !str_empty(view_get_text(state, "files_error")));
}

void request_view_fill(Request *req, View *v, const RequestPage *p, int64_t viewer_id, int64_t now,
                       View *state)
{
    fields_set(req, v, p, state);
    View *entry = NULL;
    const EventRow *previous = NULL;
    for (int i = 0; i < p->entry_count; i++) {
        const EventRow *e = p->entries[i].event;
        if (same_edit(previous, e)) {
            change_add(entry, &p->entries[i]);
            continue;
        }
        entry = view_list_add(v, "entries");
        entry_set(req, entry, p, &p->entries[i], viewer_id, now);
        previous = e;
    }
    people_set(req, v, p, viewer_id);
    for (int i = 0; i < p->file_count; i++)
        file_set(req, view_list_add(v, "all_files"), &p->request, &p->files[i]);
    view_set_bool(v, "has_all_files", p->file_count > 0);
}

static Viewer page_viewer(Request *req, SignedIn *s)
{
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    viewer.lang = req->lang;
    return viewer;
}

void request_page_render(Request *req, Response *res, int status, View *state)
{
    SignedIn *s = web_user(req);
    if (!s) {
        portal_error_page(req, res, 404);
        return;
    }
    Viewer viewer = page_viewer(req, s);
    ActivityContext c = {db_thread(), req->arena, &viewer, req->client_ip, clock_now()};
    if (!c.db) {
        portal_error_page(req, res, 503);
        return;
    }
    RequestPage p;
    RequestResult rr = activity_page_load(&c, request_param(req, "key"), &p);
    if (rr != REQUEST_OK) {
        portal_error_page(req, res,
                          rr == REQUEST_NOT_FOUND     ? 404
                          : rr == REQUEST_UNAVAILABLE ? 503
                                                      : 500);
        return;
    }
    if (!state)
        state = view_new(req->arena);
    View *v = page_view(req, arena_printf(req->arena, "%s: %s", p.request.key, p.request.summary));
    request_head_set(req, v, &p, c.now);
    state_copy(v, state);
    if (str_eq(request_query(req, "created"), "1")) {
        view_set_bool(v, "created", true);
        view_set(v, "created_key", p.request.key);
    }
    const char *done =
        page_done_notice(req, DONE_MESSAGES, sizeof DONE_MESSAGES / sizeof DONE_MESSAGES[0]);
    if (done && str_empty(view_get_text(v, "notice")))
        view_set(v, "notice", done);
    request_view_fill(req, v, &p, viewer.user_id, c.now, state);
    if (status != 200)
        response_header(res, req, "Cache-Control", "no-store");
    page_render(req, res, status, "request_detail", v);
}

void portal_request_detail(Request *req, Response *res)
{
    if (!web_require_login(req, res))
        return;
    request_page_render(req, res, 200, NULL);
}
