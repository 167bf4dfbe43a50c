/* activity: what happens on one request's page - what a viewer sees of it and the changes
 * they make (comment, edit, share, resolve). One transaction per action, holding its events,
 * the search-index refresh and the mails (outbox).
 * SECURITY: every entry point opens the request with request_open_for_viewer first; actions
 * a viewer may not take are REQUEST_NOT_FOUND like requests they may not see; customers get
 * neither internal events nor internal files. */
#include "domain/activity.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/notify.h"
#include "domain/ratelimit.h"
#include "domain/workflow.h"
#include "mail/message.h"
#include "store/accounts.h"
#include "core/i18n.h"
#include <string.h>

/* ---- small helpers ---- */

static bool lang_de(const Viewer *v)
{
    return !str_eq(v->lang, "en");
}

static RequestResult from_db(DbResult r)
{
    return r == DB_OK ? REQUEST_OK : r == DB_BUSY ? REQUEST_UNAVAILABLE : REQUEST_ERROR;
}

/* Commits when r is DB_OK, else rolls back; the request result for it. */
static RequestResult finish(ActivityContext *c, DbResult r)
{
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r != DB_OK)
        db_rollback(c->db);
    return from_db(r);
}

/* ---- field values ---- */

/* One "value|label_de|label_en" line of a field's options. */
typedef struct OptionLine {
    const char *value, *label_de, *label_en;
} OptionLine;

/* Parses f's options into *out (arena array); returns how many. */
static int options_parse(Arena *a, const RequestField *f, OptionLine **out)
{
    int count = 0, cap = 0;
    *out = NULL;
    const char *p = f->options ? f->options : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = arena_strndup(a, p, n);
        p += n + (p[n] == '\n');
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        if (!*line)
            continue;
        char *bar1 = strchr(line, '|');
        char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        *out = arena_grow_array(a, *out, count, &cap, sizeof **out);
        OptionLine *o = &(*out)[count++];
        if (bar1)
            *bar1 = '\0';
        if (bar2)
            *bar2 = '\0';
        o->value = line;
        o->label_de = bar1 ? bar1 + 1 : line;
        o->label_en = bar2 ? bar2 + 1 : o->label_de;
    }
    return count;
}

const char *activity_option_label(Arena *a, const RequestField *f, const char *lang,
                                  const char *value)
{
    OptionLine *opts;
    int n = options_parse(a, f, &opts);
    for (int i = 0; i < n; i++)
        if (str_eq(opts[i].value, value))
            return str_eq(lang, "en") ? opts[i].label_en : opts[i].label_de;
    return value ? value : "";
}

/* Multiselect values are stored one a line (as request_create writes them); commas are
 * read too. */
static bool value_in_list(const char *list, const char *value)
{
    size_t n = strlen(value);
    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, ",\n");
        if (len == n && strncmp(p, value, n) == 0)
            return true;
        p += len + (p[len] != '\0');
    }
    return false;
}

static const char *display_date(Arena *a, const char *lang, const char *v)
{
    if (strlen(v) == 10 && v[4] == '-' && v[7] == '-' && !str_eq(lang, "en"))
        return arena_printf(a, "%.2s.%.2s.%.4s", v + 8, v + 5, v);
    return v;
}

const char *activity_value_display(Arena *a, const RequestField *f, const char *lang,
                                   const char *value)
{
    if (str_empty(value))
        return "";
    if (str_eq(f->kind, "select"))
        return activity_option_label(a, f, lang, value);
    if (str_eq(f->kind, "multiselect")) {
        OptionLine *opts;
        int n = options_parse(a, f, &opts);
        Buf b;
        buf_init(&b, a);
        buf_puts(&b, "");
        for (int i = 0; i < n; i++)
            if (value_in_list(value, opts[i].value))
                buf_printf(&b, "%s%s", b.len ? ", " : "",
                           str_eq(lang, "en") ? opts[i].label_en : opts[i].label_de);
        return b.len ? buf_cstr(&b) : value;
    }
    if (str_eq(f->kind, "checkbox"))
        return str_eq(value, "1") ? i18n_get(lang, N_("Yes")) : i18n_get(lang, N_("No"));
    if (str_eq(f->kind, "date"))
        return display_date(a, lang, value);
    return value;
}

static const char *field_label(const RequestField *f, const Viewer *v)
{
    return lang_de(v) ? f->label_de : f->label_en;
}

static bool field_is_text_column(const char *key)
{
    return str_eq(key, "summary") || str_eq(key, "description");
}

static void field_shown_fill(ActivityContext *c, const FieldValue *fv, FieldShown *s)
{
    const RequestField *f = &fv->field;
    const char *lang = lang_de(c->viewer) ? "de" : "en";
    s->field = f;
    s->key = f->key;
    s->kind = f->kind;
    s->label = field_label(f, c->viewer);
    s->help = lang_de(c->viewer) ? f->help_de : f->help_en;
    s->value = fv->value ? fv->value : "";
    s->display = activity_value_display(c->arena, f, lang, s->value);
    s->editable = !str_eq(f->kind, "attachments");
    s->required = f->required;
    if (str_eq(f->kind, "select") || str_eq(f->kind, "multiselect")) {
        OptionLine *opts;
        int n = options_parse(c->arena, f, &opts);
        s->options = arena_alloc(c->arena, sizeof *s->options * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            s->options[i].value = opts[i].value;
            s->options[i].label = lang_de(c->viewer) ? opts[i].label_de : opts[i].label_en;
            s->options[i].selected = str_eq(f->kind, "select")
                                         ? str_eq(s->value, opts[i].value)
                                         : value_in_list(s->value, opts[i].value);
        }
        s->option_count = n;
    }
}

/* ---- loading the page ---- */

static const AttachmentRow **files_of_event(Arena *a, AttachmentRow *files, int count,
                                            int64_t event_id, int *n)
{
    const AttachmentRow **out = arena_alloc(a, sizeof *out * (size_t)(count ? count : 1));
    *n = 0;
    for (int i = 0; i < count; i++)
        if (files[i].event_id == event_id)
            out[(*n)++] = &files[i];
    return out;
}

static void timeline_field_labels(ActivityContext *c, RequestPage *p, TimelineEntry *t,
                                  const FieldValue *values, int value_count)
{
    const EventRow *e = t->event;
    const char *lang = lang_de(c->viewer) ? "de" : "en";
    t->old_display = e->old_value;
    t->new_display = e->new_value;
    t->field_label = e->field;
    if (str_eq(e->kind, "priority")) { /* agents only: keys shown as their names */
        t->field_label = i18n_get(lang, N_("Priority"));
        t->old_display = i18n_get(lang, workflow_priority_msgid(e->old_value));
        t->new_display = i18n_get(lang, workflow_priority_msgid(e->new_value));
        return;
    }
    if (str_eq(e->kind, "assign")) { /* agents only: the names as they were then */
        t->field_label = i18n_get(lang, N_("Assignee"));
        if (str_empty(e->old_value))
            t->old_display = i18n_get(lang, N_("Nobody"));
        if (str_empty(e->new_value))
            t->new_display = i18n_get(lang, N_("Nobody"));
        return;
    }
    if (str_eq(e->field, "summary")) {
        t->field_label = p->summary_label;
        return;
    }
    if (str_eq(e->field, "description")) {
        t->field_label = p->description_label;
        t->multiline = true;
        return;
    }
    for (int i = 0; i < value_count; i++) {
        const RequestField *f = &values[i].field;
        if (str_eq(f->key, e->field)) {
            t->field_label = field_label(f, c->viewer);
            t->old_display = activity_value_display(c->arena, f, lang, e->old_value);
            t->new_display = activity_value_display(c->arena, f, lang, e->new_value);
            t->multiline = str_eq(f->kind, "textarea");
        }
    }
}

static void page_build_timeline(ActivityContext *c, RequestPage *p, EventRow *events,
                                int event_count, const FieldValue *values, int value_count)
{
    bool has_created = false;
    for (int i = 0; i < event_count; i++)
        has_created = has_created || str_eq(events[i].kind, "created");
    p->entries = arena_alloc(c->arena, sizeof *p->entries * (size_t)(event_count + 1));
    if (!has_created) { /* requests made before the creation event existed */
        EventRow *e = arena_alloc(c->arena, sizeof *e);
        e->kind = "created";
        e->actor_id = p->request.reporter_id;
        e->actor_name = p->request.reporter_name ? p->request.reporter_name : "";
        e->actor_email = p->request.reporter_email ? p->request.reporter_email : "";
        e->actor_role = "customer";
        e->body = e->field = e->old_value = e->new_value = "";
        e->created_at = p->request.created_at;
        p->entries[p->entry_count++].event = e;
    }
    for (int i = 0; i < event_count; i++) {
        const char *kind = events[i].kind;
        /* agents' housekeeping is not the customer's business */
        if (!p->viewer_is_agent && (str_eq(kind, "assign") || str_eq(kind, "priority")))
            continue;
        TimelineEntry *t = &p->entries[p->entry_count++];
        t->event = &events[i];
        t->files = files_of_event(c->arena, p->files, p->file_count, events[i].id, &t->file_count);
        if (str_eq(kind, "field") || str_eq(kind, "assign") || str_eq(kind, "priority"))
            timeline_field_labels(c, p, t, values, value_count);
    }
}

static DbResult page_load_organization(ActivityContext *c, RequestPage *p)
{
    User reporter;
    p->reporter_organization_name = "";
    DbResult r = store_user_by_id(c->db, c->arena, p->request.reporter_id, &reporter);
    if (r != DB_OK || !reporter.id || !reporter.organization_id)
        return r;
    p->reporter_organization_id = reporter.organization_id;
    char *name = "";
    r = store_organization_name(c->db, c->arena, reporter.organization_id, &name);
    p->reporter_organization_name = name;
    return r;
}

RequestResult activity_page_load(ActivityContext *c, const char *key, RequestPage *out)
{
    memset(out, 0, sizeof *out);
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &out->request);
    if (rr != REQUEST_OK)
        return rr;
    RequestPage *p = out;
    const RequestView *req = &p->request;
    p->viewer_is_agent = request_viewer_is_staff(c->viewer);
    p->viewer_is_reporter = req->reporter_id == c->viewer->user_id;
    p->closed = str_eq(req->status, REQUEST_STATUS_CLOSED);
    p->can_resolve = !p->closed && !str_eq(req->status, REQUEST_STATUS_RESOLVED);
    p->can_reopen = str_eq(req->status, REQUEST_STATUS_RESOLVED);
    p->summary_label = i18n_get(c->viewer->lang, N_("Summary"));
    p->description_label = i18n_get(c->viewer->lang, N_("Description"));

    FieldValue *values = NULL;
    EventRow *events = NULL;
    int value_count = 0, event_count = 0;
    DbResult r =
        store_request_field_values(c->db, c->arena, req->id, req->type_id, &values, &value_count);
    if (r == DB_OK)
        r = store_event_list(c->db, c->arena, req->id, p->viewer_is_agent, &events, &event_count);
    if (r == DB_OK)
        r = store_attachment_list(c->db, c->arena, req->id, p->viewer_is_agent, &p->files,
                                  &p->file_count);
    if (r == DB_OK)
        r = store_request_people(c->db, c->arena, req->id, &p->people, &p->people_count);
    if (r == DB_OK)
        r = page_load_organization(c, p);
    if (r != DB_OK)
        return from_db(r);

    p->fields = arena_alloc(c->arena, sizeof *p->fields * (size_t)(value_count + 1));
    for (int i = 0; i < value_count; i++) {
        const RequestField *f = &values[i].field;
        if (str_eq(f->key, "summary"))
            p->summary_label = field_label(f, c->viewer);
        else if (str_eq(f->key, "description"))
            p->description_label = field_label(f, c->viewer);
        else
            field_shown_fill(c, &values[i], &p->fields[p->field_count++]);
    }
    page_build_timeline(c, p, events, event_count, values, value_count);
    return REQUEST_OK;
}

/* ---- comment ---- */

/* Trims text, turns CRLF into LF and checks it; NULL with an error when unacceptable. */
static const char *text_clean(Arena *a, const char *input, bool multiline, size_t max_points)
{
    char *t = str_trim(a, input ? input : "");
    char *w = t;
    for (const char *r = t; *r; r++) {
        if (*r == '\r' && r[1] == '\n')
            continue;
        *w++ = (!multiline && (*r == '\r' || *r == '\n' || *r == '\t')) ? ' '
               : (*r == '\r')                                           ? '\n'
                                                                        : *r;
    }
    *w = '\0';
    if (!str_utf8_valid(t, strlen(t)) || str_utf8_len(t) > max_points)
        return NULL;
    return t;
}

RequestResult activity_comment(ActivityContext *c, const char *key, const char *body,
                               const NewAttachment *files, int file_count, FieldErrors *errors,
                               int64_t *event_id)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    *event_id = 0;
    const char *text = text_clean(c->arena, body, true, ACTIVITY_MAX_TEXT);
    if (str_eq(r.status, REQUEST_STATUS_CLOSED))
        account_error(errors, "body",
                      N_("This request is closed. For a new concern, please "
                         "create a new request."));
    else if (!text)
        account_error(errors, "body", N_("Please write at most 50,000 characters."));
    else if (!*text && file_count == 0)
        account_error(errors, "body", N_("Please write a comment or attach a file."));
    int64_t existing = 0;
    DbResult db = store_attachment_total(c->db, r.id, &existing);
    if (db != DB_OK)
        return from_db(db);
    const char *file_problem = attachments_check(files, file_count, existing);
    if (file_problem)
        account_error(errors, "files", file_problem);
    if (errors->count)
        return REQUEST_INVALID;

    bool agent = request_viewer_is_staff(c->viewer);
    db = db_begin(c->db);
    if (db == DB_OK)
        db = store_event_insert(c->db, r.id, c->viewer->user_id, "comment", text, "", "", "", false,
                                c->now, event_id);
    if (db == DB_OK)
        db = attachments_store(c->db, c->arena, r.id, *event_id, c->viewer->user_id, files,
                               file_count, false, c->now);
    const char *status_after = r.status;
    if (db == DB_OK) /* waiting for the customer -> for support; open -> in progress */
        db = workflow_after_comment(c->db, &r, c->viewer->user_id, agent, c->now, &status_after);
    if (db == DB_OK)
        db = store_request_touch(c->db, r.id, c->now);
    if (db == DB_OK)
        db = store_request_search_refresh(c->db, r.id);
    if (db == DB_OK) {
        const char **names = arena_alloc(c->arena, sizeof *names * (size_t)(file_count + 1));
        for (int i = 0; i < file_count; i++)
            names[i] = attachment_sanitize_name(c->arena, files[i].filename);
        NotifyChange change = {NOTIFY_COMMENT, *event_id, text, names, file_count, NULL, NULL, 0};
        db = notify_request_change(c->db, c->arena, &r, c->viewer, &change, c->now);
    }
    return finish(c, db);
}

/* ---- edit ---- */

typedef struct Change {
    const char *key;
    int64_t field_id; /* 0 for summary and description */
    const char *old_value, *new_value;
} Change;

/* The submitted values of key, in order; *n receives how many (0 = not on the form). */
static const char **inputs_for(Arena *a, const EditInput *inputs, int count, const char *key,
                               int *n)
{
    const char **out = arena_alloc(a, sizeof *out * (size_t)(count + 1));
    *n = 0;
    for (int i = 0; i < count; i++)
        if (str_eq(inputs[i].key, key))
            out[(*n)++] = inputs[i].value ? inputs[i].value : "";
    return out;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* YYYY-MM-DD of a real calendar day (what <input type=date> sends). */
static bool date_valid(const char *v)
{
    if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return false;
    int y = digits(v, 4), m = digits(v + 5, 2), d = digits(v + 8, 2);
    static const int DAYS[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > DAYS[m - 1])
        return false;
    return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* The multiselect values in option order, one a line; false when one is unknown. */
static bool multiselect_join(Arena *a, const RequestField *f, const char *const *vals, int n,
                             const char **out)
{
    OptionLine *opts;
    int count = options_parse(a, f, &opts);
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        bool known = str_empty(vals[i]);
        for (int j = 0; j < count && !known; j++)
            known = str_eq(vals[i], opts[j].value);
        if (!known)
            return false;
    }
    for (int j = 0; j < count; j++)
        for (int i = 0; i < n; i++)
            if (str_eq(vals[i], opts[j].value)) {
                buf_printf(&b, "%s%s", b.len ? "\n" : "", opts[j].value);
                break;
            }
    *out = buf_cstr(&b);
    return true;
}

static bool option_exists(Arena *a, const RequestField *f, const char *value)
{
    OptionLine *opts;
    int count = options_parse(a, f, &opts);
    for (int i = 0; i < count; i++)
        if (str_eq(opts[i].value, value))
            return true;
    return false;
}

/* Stored multiselect text in the form multiselect_join writes, for comparing. */
static const char *multiselect_canonical(Arena *a, const RequestField *f, const char *stored)
{
    OptionLine *opts;
    int count = options_parse(a, f, &opts);
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int j = 0; j < count; j++)
        if (value_in_list(stored, opts[j].value))
            buf_printf(&b, "%s%s", b.len ? "\n" : "", opts[j].value);
    return buf_cstr(&b);
}

/* Checks and normalises the submitted values of one field; *out NULL when unchanged
 * because the field was not on the form. Errors name the form field f_<key>. */
static void field_input_check(ActivityContext *c, const RequestField *f, const char *const *vals,
                              int n, const char **out, FieldErrors *errors)
{
    const char *form_field = arena_printf(c->arena, "f_%s", f->key);
    const char *v = n ? vals[0] : "";
    *out = NULL;
    if (n == 0)
        return;
    const char *kind = f->kind;
    if (str_eq(kind, "checkbox")) {
        bool on = false;
        for (int i = 0; i < n; i++)
            on = on || str_eq(vals[i], "1");
        v = on ? "1" : "";
    } else if (str_eq(kind, "multiselect")) {
        if (!multiselect_join(c->arena, f, vals, n, &v)) {
            account_error(errors, form_field, N_("Please choose from the list."));
            return;
        }
    } else {
        bool multiline = str_eq(kind, "textarea");
        v = text_clean(c->arena, v, multiline, multiline ? ACTIVITY_MAX_TEXT : ACTIVITY_MAX_LINE);
        if (!v) {
            account_error(errors, form_field,
                          multiline ? N_("Please write at most 50,000 characters.")
                                    : N_("Please write at most 2,000 characters."));
            return;
        }
    }
    int64_t number;
    if (str_empty(v)) {
        if (f->required)
            account_error(errors, form_field, N_("This field is required."));
    } else if (str_eq(kind, "email")) {
        v = str_lower(c->arena, v);
        if (!mail_address_valid(v))
            account_error(errors, form_field,
                          N_("Please enter a valid e-mail address, like name@example.com."));
    } else if (str_eq(kind, "number") && !str_to_int64(v, &number)) {
        account_error(errors, form_field, N_("Please enter a whole number."));
    } else if (str_eq(kind, "date") && !date_valid(v)) {
        account_error(errors, form_field, N_("Please enter a valid date."));
    } else if (str_eq(kind, "select") && !option_exists(c->arena, f, v)) {
        account_error(errors, form_field, N_("Please choose from the list."));
    }
    *out = v;
}

/* Collects every change the form makes; false with errors when input is unacceptable. */
static bool edit_collect(ActivityContext *c, const RequestView *r, const char *summary,
                         const char *description, const EditInput *inputs, int input_count,
                         Change *changes, int *change_count, FieldErrors *errors,
                         const char **new_summary, const char **new_description)
{
    FieldValue *values;
    int value_count;
    *new_summary = r->summary;
    *new_description = r->description ? r->description : "";
    if (store_request_field_values(c->db, c->arena, r->id, r->type_id, &values, &value_count) !=
        DB_OK)
        return false;
    if (summary) {
        const char *s = text_clean(c->arena, summary, false, ACTIVITY_MAX_SUMMARY);
        if (!s)
            account_error(errors, "summary", N_("Please write at most 300 characters."));
        else if (!*s)
            account_error(errors, "summary", N_("Please enter a summary."));
        else
            *new_summary = s;
    }
    if (description) {
        const char *d = text_clean(c->arena, description, true, ACTIVITY_MAX_TEXT);
        if (!d)
            account_error(errors, "description", N_("Please write at most 50,000 characters."));
        else
            *new_description = d;
    }
    if (!str_eq(*new_summary, r->summary))
        changes[(*change_count)++] = (Change){"summary", 0, r->summary, *new_summary};
    if (!str_eq(*new_description, r->description ? r->description : ""))
        changes[(*change_count)++] = (Change){"description", 0, r->description, *new_description};
    for (int i = 0; i < value_count; i++) {
        const RequestField *f = &values[i].field;
        if (field_is_text_column(f->key) || str_eq(f->kind, "attachments"))
            continue;
        int n;
        const char **vals = inputs_for(c->arena, inputs, input_count, f->key, &n);
        const char *v;
        field_input_check(c, f, vals, n, &v, errors);
        const char *old = values[i].value ? values[i].value : "";
        const char *old_cmp =
            str_eq(f->kind, "multiselect") ? multiselect_canonical(c->arena, f, old) : old;
        if (v && !str_eq(v, old_cmp))
            changes[(*change_count)++] = (Change){f->key, f->id, old, v};
    }
    return errors->count == 0;
}

RequestResult activity_edit(ActivityContext *c, const char *key, int64_t version,
                            const char *summary, const char *description, const EditInput *inputs,
                            int input_count, FieldErrors *errors, bool *changed)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    *changed = false;
    if (str_eq(r.status, REQUEST_STATUS_CLOSED)) {
        account_error(errors, "", N_("This request is closed and can no longer be changed."));
        return REQUEST_INVALID;
    }
    Change *changes = arena_alloc(c->arena, sizeof *changes * (size_t)(input_count + 64));
    int change_count = 0;
    const char *new_summary, *new_description;
    if (!edit_collect(c, &r, summary, description, inputs, input_count, changes, &change_count,
                      errors, &new_summary, &new_description))
        return errors->count ? REQUEST_INVALID : REQUEST_UNAVAILABLE;
    if (change_count == 0)
        return REQUEST_OK;
    if (version != r.version)
        return REQUEST_CONFLICT;
    bool saved = false, text_changed = false;
    DbResult db = db_begin(c->db);
    if (db == DB_OK)
        db = store_request_update_text(c->db, r.id, version, new_summary, new_description, c->now,
                                       &saved);
    if (db == DB_OK && !saved) {
        db_rollback(c->db);
        return REQUEST_CONFLICT;
    }
    for (int i = 0; db == DB_OK && i < change_count; i++) {
        if (changes[i].field_id)
            db = store_request_value_set(c->db, r.id, changes[i].field_id, changes[i].new_value);
        else
            text_changed = true;
        if (db == DB_OK)
            db =
                store_event_insert(c->db, r.id, c->viewer->user_id, "field", "", changes[i].key,
                                   changes[i].old_value, changes[i].new_value, false, c->now, NULL);
    }
    if (db == DB_OK && text_changed)
        db = store_request_search_refresh(c->db, r.id);
    *changed = db == DB_OK;
    return finish(c, db);
}

/* ---- sharing ---- */

/* Tells a new participant: an invitation (set a password, then the request) for accounts
 * without password, else a mail that the request was shared with them. */
static DbResult share_tell(ActivityContext *c, const RequestView *r, const User *u)
{
    if (u->disabled || !str_eq(u->role, "customer"))
        return DB_OK;
    if (!u->password_hash)
        return notify_invitation(c->db, c->arena, r, c->viewer, u, c->now);
    NotifyChange change = {NOTIFY_SHARED, 0, NULL, NULL, 0, NULL, NULL, u->id};
    return notify_request_change(c->db, c->arena, r, c->viewer, &change, c->now);
}

/* Inviting someone new costs one hit in the "invite" bucket creating requests uses too. */
static RequestResult share_rate_check(ActivityContext *c, FieldErrors *errors)
{
    bool allowed = true;
    int64_t retry = 0;
    DbResult db = ratelimit_hit(c->db, "invite",
                                arena_printf(c->arena, "%lld", (long long)c->viewer->user_id),
                                ACTIVITY_INVITES_PER_HOUR, 3600, c->now, &allowed, &retry);
    if (db != DB_OK)
        return from_db(db);
    if (allowed)
        return REQUEST_OK;
    log_warn("event=rate_limited kind=invite user=%lld", (long long)c->viewer->user_id);
    account_error(errors, "email",
                  N_("You have invited many people in a short time. Please "
                     "try again in an hour."));
    return REQUEST_INVALID;
}

RequestResult activity_share(ActivityContext *c, const char *key, const char *email_input,
                             FieldErrors *errors)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    const char *email = NULL, *msgid = NULL;
    if (str_empty(str_trim(c->arena, email_input ? email_input : ""))) {
        account_error(errors, "email", N_("Please enter the e-mail address of the person."));
        return REQUEST_INVALID;
    }
    if (!account_email_normalize(c->arena, email_input, &email, &msgid)) {
        account_error(errors, "email", msgid);
        return REQUEST_INVALID;
    }
    RequestPerson *people;
    int count;
    DbResult db = store_request_people(c->db, c->arena, r.id, &people, &count);
    if (db != DB_OK)
        return from_db(db);
    for (int i = 0; i < count; i++)
        if (str_eq_nocase(people[i].email, email)) {
            account_error(errors, "email", N_("This person already takes part in this request."));
            return REQUEST_INVALID;
        }
    User u;
    db = store_user_by_email(c->db, c->arena, email, &u);
    if (db != DB_OK)
        return from_db(db);
    bool is_new = !u.id;
    if (is_new && (rr = share_rate_check(c, errors)) != REQUEST_OK)
        return rr;

    bool added = false;
    db = db_begin(c->db);
    if (db == DB_OK && is_new) {
        memset(&u, 0, sizeof u);
        u.email = (char *)email;
        u.name = "";
        u.role = "customer";
        u.lang = (char *)(lang_de(c->viewer) ? "de" : "en");
        u.notify = true;
        db = store_user_insert(c->db, &u, c->now, &u.id);
    }
    if (db == DB_OK)
        db = store_participant_add(c->db, r.id, u.id, c->viewer->user_id, c->now, &added);
    if (db == DB_OK && added)
        db = store_event_insert(c->db, r.id, c->viewer->user_id, "share", "", "participant", "",
                                email, false, c->now, NULL);
    if (db == DB_OK && added)
        db = store_request_touch(c->db, r.id, c->now);
    if (db == DB_OK && added)
        db = share_tell(c, &r, &u);
    if (db == DB_OK && is_new)
        db = store_audit(c->db, c->viewer->user_id, "user_invite", email, r.key, c->ip ? c->ip : "",
                         c->now);
    return finish(c, db);
}

RequestResult activity_unshare(ActivityContext *c, const char *key, int64_t user_id, bool *left)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    *left = false;
    RequestPerson *people;
    int count;
    DbResult db = store_request_people(c->db, c->arena, r.id, &people, &count);
    if (db != DB_OK)
        return from_db(db);
    const RequestPerson *p = NULL;
    for (int i = 0; i < count; i++)
        if (!people[i].reporter && people[i].user_id == user_id)
            p = &people[i];
    bool may = p && (p->added_by == c->viewer->user_id || p->user_id == c->viewer->user_id ||
                     request_viewer_is_staff(c->viewer));
    if (!may)
        return REQUEST_NOT_FOUND;
    bool removed = false;
    db = db_begin(c->db);
    if (db == DB_OK)
        db = store_participant_remove(c->db, r.id, user_id, &removed);
    if (db == DB_OK && removed)
        db = store_event_insert(c->db, r.id, c->viewer->user_id, "unshare", "", "participant",
                                p->email, "", false, c->now, NULL);
    if (db == DB_OK && removed)
        db = store_request_touch(c->db, r.id, c->now);
    *left = user_id == c->viewer->user_id;
    return finish(c, db);
}

RequestResult activity_share_organization(ActivityContext *c, const char *key, bool share)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    if (r.reporter_id != c->viewer->user_id && !request_viewer_is_staff(c->viewer))
        return REQUEST_NOT_FOUND;
    User reporter;
    DbResult db = store_user_by_id(c->db, c->arena, r.reporter_id, &reporter);
    if (db != DB_OK)
        return from_db(db);
    int64_t org = share ? reporter.organization_id : 0;
    if (share && !org)
        return REQUEST_NOT_FOUND; /* nothing to share with: the page offers no such button */
    if (org == r.organization_id)
        return REQUEST_OK;
    int64_t named = share ? org : r.organization_id;
    char *org_name = "";
    db = store_organization_name(c->db, c->arena, named, &org_name);
    if (db != DB_OK)
        return from_db(db);
    db = db_begin(c->db);
    if (db == DB_OK)
        db = store_request_set_organization(c->db, r.id, org, c->now);
    if (db == DB_OK)
        db = store_event_insert(c->db, r.id, c->viewer->user_id, share ? "share" : "unshare", "",
                                "organization", share ? "" : org_name, share ? org_name : "", false,
                                c->now, NULL);
    return finish(c, db);
}

/* ---- status ---- */

static RequestResult status_change(ActivityContext *c, const char *key, bool resolve)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(c->db, c->arena, c->viewer, key, &r);
    if (rr != REQUEST_OK)
        return rr;
    bool resolved = str_eq(r.status, REQUEST_STATUS_RESOLVED);
    bool closed = str_eq(r.status, REQUEST_STATUS_CLOSED);
    if (resolve ? (resolved || closed) : !resolved)
        return REQUEST_OK; /* already so, or not for customers to undo (closed) */
    const char *to = resolve ? REQUEST_STATUS_RESOLVED : REQUEST_STATUS_OPEN;
    bool changed = false;
    int64_t event_id = 0;
    DbResult db = db_begin(c->db);
    if (db == DB_OK)
        db = store_request_set_status(c->db, r.id, r.status, to, c->now, &changed);
    if (db == DB_OK && !changed) {
        db_rollback(c->db); /* someone else changed the status meanwhile: theirs stands */
        return REQUEST_OK;
    }
    if (db == DB_OK)
        db = store_event_insert(c->db, r.id, c->viewer->user_id, "status", "", "status", r.status,
                                to, false, c->now, &event_id);
    if (db == DB_OK) {
        NotifyChange change = {NOTIFY_STATUS, event_id, NULL, NULL, 0, r.status, to, 0};
        db = notify_request_change(c->db, c->arena, &r, c->viewer, &change, c->now);
    }
    return finish(c, db);
}

RequestResult activity_resolve(ActivityContext *c, const char *key)
{
    return status_change(c, key, true);
}

RequestResult activity_reopen(ActivityContext *c, const char *key)
{
    return status_change(c, key, false);
}
