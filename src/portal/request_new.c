/* request_new: "Anfrage erstellen" - the form of one request type (GET /new/{key}) and
 * "Senden" (POST /new/{key}): on errors the form comes back with every message next to its
 * field and at the top, and with everything typed; on success the browser goes to the new
 * request's page.
 * SECURITY: signed-in users only; the POST passes the CSRF check first; every value is
 * checked again in the domain (request_create.c); values are only ever printed escaped. */
#include "domain/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/request_create.h"
#include "portal/portal.h"
#include "portal/web_session.h"
#include "store/activity.h"
#include "web/page.h"
#include <string.h>

void portal_request_new_form(Request *req, Response *res);
void portal_request_new_submit(Request *req, Response *res);

/* What the page shows besides the form definition: the sent values (or none yet). */
typedef struct FormState {
    const FieldInput *inputs; /* NULL for a fresh form */
    const char *submit_token;
    bool share_organization;
    const char *participants;
    const RequestErrors *errors;
} FormState;

static const char *text(const char *de, const char *en, const char *lang)
{
    return str_eq(lang, "en") && !str_empty(en) ? en : de ? de : "";
}

/* msgid translated, with %{name} replaced by value (plain text: the template escapes it). */
static const char *fill(Request *req, const char *msgid, const char *name, const char *value)
{
    const char *s = page_t(req, msgid);
    char *pattern = arena_printf(req->arena, "%%{%s}", name);
    const char *at = strstr(s, pattern);
    if (!at || !value)
        return s;
    return arena_printf(req->arena, "%.*s%s%s", (int)(at - s), s, value, at + strlen(pattern));
}

static const char *field_id(Request *req, const FormField *f)
{
    return arena_printf(req->arena, "f_%s", f->def.key);
}

static const char *size_text(Request *req, int64_t bytes)
{
    if (bytes >= 1024 * 1024)
        return arena_printf(req->arena, "%lld MB", (long long)(bytes / (1024 * 1024)));
    return arena_printf(req->arena, "%lld KB", (long long)(bytes / 1024));
}

static bool input_has(const FieldInput *in, const char *value)
{
    for (int i = 0; in && i < in->count; i++)
        if (str_eq(in->values[i], value))
            return true;
    return false;
}

static void set_kind(View *item, const char *kind, const char *key)
{
    static const char *const KINDS[] = {"text",   "textarea",    "email",    "number",
                                        "date",   "select",      "multiselect", "checkbox",
                                        "attachments"};
    bool known = false;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        bool is = str_eq(kind, KINDS[i]);
        view_set_bool(item, arena_printf(view_arena(item), "is_%s", KINDS[i]), is);
        known = known || is;
    }
    if (!known) /* a kind this version does not know is shown as a text field */
        view_set_bool(item, "is_text", true);
    view_set_bool(item, "is_summary", str_eq(key, "summary"));
}

static void add_options(Request *req, View *item, const FormField *f, const FieldInput *in)
{
    const char *id = view_get_text(item, "id");
    for (int i = 0; i < f->option_count; i++) {
        View *o = view_list_add(item, "options");
        view_set(o, "value", f->options[i].value);
        view_set(o, "label", text(f->options[i].label_de, f->options[i].label_en, req->lang));
        view_set(o, "option_id", arena_printf(req->arena, "%s-%d", id, i));
        view_set_bool(o, "selected", input_has(in, f->options[i].value));
    }
}

/* The message of error e, with its detail filled in. */
static const char *error_text(Request *req, const RequestError *e)
{
    return fill(req, e->msgid, "value", e->detail);
}

static void add_field(Request *req, View *v, const FormField *f, const FieldInput *in,
                      const char *error, bool had_errors)
{
    View *item = view_list_add(v, "fields");
    const char *id = field_id(req, f);
    const char *help = text(f->def.help_de, f->def.help_en, req->lang);
    if (!*help && str_eq(f->def.key, "summary"))
        help = page_t(req, "Describe your concern in one specific sentence, for example "
                           "\"Error when importing outgoing documents\" rather than "
                           "\"doesn't work\".");
    view_set(item, "id", id);
    view_set(item, "label", text(f->def.label_de, f->def.label_en, req->lang));
    view_set(item, "help", help);
    view_set_bool(item, "required", f->def.required);
    view_set(item, "error", error ? error : "");
    set_kind(item, f->def.kind, f->def.key);
    view_set(item, "value", in && in->count > 0 ? in->values[0] : "");
    view_set_bool(item, "checked", in && in->count > 0 && !str_empty(in->values[0]));
    view_set_int(item, "maxlength", str_eq(f->def.key, "summary") ? REQUEST_MAX_SUMMARY
                                                                   : REQUEST_MAX_TEXT);
    view_set_int(item, "rows", str_eq(f->def.key, "description") ? 8 : 4);
    Buf described;
    buf_init(&described, req->arena);
    buf_puts(&described, "");
    if (*help)
        buf_printf(&described, "%s-help", id);
    if (error)
        buf_printf(&described, "%s%s-error", described.len ? " " : "", id);
    view_set(item, "describedby", buf_cstr(&described));
    add_options(req, item, f, in);
    if (str_eq(f->def.kind, "attachments")) {
        view_set(item, "limits", fill(req, N_("Up to %{size} per file."), "size",
                                      size_text(req, settings_now()->max_attachment_bytes)));
        bool again = had_errors && in && in->file_count > 0;
        view_set_bool(item, "attach_again", again);
        for (int k = 0; again && k < in->file_count; k++)
            view_list_add_text(item, "again_names", in->files[k].filename);
    }
}

static void add_errors(Request *req, View *v, const RequestForm *form, const RequestErrors *e)
{
    for (int i = 0; e && i < e->count; i++) {
        const RequestError *x = &e->items[i];
        View *item = view_list_add(v, "errors");
        const char *message = error_text(req, x);
        if (x->field >= 0) {
            const FormField *f = &form->fields[x->field];
            view_set(item, "field", field_id(req, f));
            view_set(item, "message",
                     arena_printf(req->arena, "%s: %s",
                                  text(f->def.label_de, f->def.label_en, req->lang), message));
        } else if (x->field == REQUEST_ERROR_PARTICIPANTS) {
            view_set(item, "field", "participants");
            view_set(item, "message", message);
            view_set(v, "error_participants", message);
        } else {
            view_set(item, "field", "");
            view_set(item, "message", message);
        }
    }
    view_set_bool(v, "has_errors", e && e->count > 0);
}

static void render_form(Request *req, Response *res, SignedIn *s, const RequestForm *form,
                        const FormState *st, int status)
{
    const char *lang = req->lang;
    const RequestType *t = &form->type;
    View *v = page_view(req, text(t->name_de, t->name_en, lang));
    view_set(v, "type_key", t->key);
    view_set(v, "type_name", text(t->name_de, t->name_en, lang));
    view_set(v, "type_description", text(t->description_de, t->description_en, lang));
    view_set(v, "type_icon", t->icon);
    view_set(v, "submit_token", st->submit_token);
    bool had_errors = st->errors && st->errors->count > 0;
    for (int i = 0; i < form->field_count; i++) {
        const char *error = NULL;
        for (int k = 0; had_errors && k < st->errors->count && !error; k++)
            if (st->errors->items[k].field == i)
                error = error_text(req, &st->errors->items[k]);
        add_field(req, v, &form->fields[i], st->inputs ? &st->inputs[i] : NULL, error,
                  had_errors);
    }
    char *org_name = "";
    Db *db = db_thread();
    if (s->user.organization_id && db)
        store_organization_name(db, req->arena, s->user.organization_id, &org_name);
    view_set(v, "org_name", org_name ? org_name : "");
    view_set_bool(v, "share_org", st->share_organization);
    view_set(v, "participants", st->participants ? st->participants : "");
    view_set(v, "error_participants", "");
    add_errors(req, v, form, st->errors);
    page_render(req, res, status, "request_new", v);
}

/* The fields of form as the customer's page shows them, empty: the admin's preview renders
 * the same partials with this. */
void portal_request_form_fields(Request *req, View *v, const RequestForm *form)
{
    for (int i = 0; i < form->field_count; i++)
        add_field(req, v, &form->fields[i], NULL, NULL, false);
}

/* Loads the form of the route's type; answers 404/503/500 itself and returns false. */
static bool load_form(Request *req, Response *res, RequestForm *form)
{
    Db *db = db_thread();
    if (!db) {
        portal_error_page(req, res, 503);
        return false;
    }
    RequestResult r = request_form_load(db, req->arena, request_param(req, "key"), form);
    if (r == REQUEST_OK)
        return true;
    portal_error_page(req, res, r == REQUEST_NOT_FOUND ? 404
                                : r == REQUEST_UNAVAILABLE ? 503
                                                           : 500);
    return false;
}

void portal_request_new_form(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    RequestForm form;
    if (!s || !load_form(req, res, &form))
        return;
    char token[44];
    request_submit_token_new(token);
    FormState st = {NULL, token, false, "", NULL};
    render_form(req, res, s, &form, &st, 200);
}

/* The values and files sent for each field ("f_<key>"), in form order. */
static FieldInput *collect_inputs(Request *req, const RequestForm *form)
{
    FieldInput *inputs = arena_alloc(req->arena, sizeof *inputs * (size_t)(form->field_count + 1));
    for (int i = 0; i < form->field_count; i++) {
        const char *name = field_id(req, &form->fields[i]);
        FieldInput *in = &inputs[i];
        int values = 0, files = 0;
        for (Param *p = req->form; p; p = p->next)
            values += str_eq(p->name, name);
        for (UploadedFile *u = req->files; u; u = u->next)
            files += str_eq(u->field, name);
        in->values = arena_alloc(req->arena, sizeof *in->values * (size_t)(values + 1));
        in->files = arena_alloc(req->arena, sizeof *in->files * (size_t)(files + 1));
        for (Param *p = req->form; p; p = p->next)
            if (str_eq(p->name, name))
                in->values[in->count++] = p->value ? p->value : "";
        for (UploadedFile *u = req->files; u; u = u->next) {
            if (!str_eq(u->field, name))
                continue;
            NewAttachment *file = &in->files[in->file_count++];
            file->filename = u->filename ? u->filename : "";
            file->content_type = u->content_type;
            file->data = u->data;
            file->size = u->size;
        }
    }
    return inputs;
}

void portal_request_new_submit(Request *req, Response *res)
{
    SignedIn *s = web_require_login(req, res);
    RequestForm form;
    if (!s || !web_require_csrf(req, res) || !load_form(req, res, &form))
        return;
    NewRequest n = {0};
    n.form = &form;
    n.inputs = collect_inputs(req, &form);
    n.submit_token = request_form(req, "submit_token");
    n.share_organization = s->user.organization_id && str_eq(request_form(req, "share_org"), "1");
    n.participants = request_form(req, "participants");
    Viewer viewer;
    request_viewer_from_user(&viewer, &s->user);
    RequestErrors errors = {0};
    CreatedRequest created;
    RequestResult r = request_create(db_thread(), req->arena, &viewer, &n, clock_now(), &errors,
                                     &created);
    if (r == REQUEST_OK) {
        if (created.mail_queued)
            portal_mail_sent();
        response_redirect(res, req,
                          arena_printf(req->arena, "/requests/%s?created=1", created.key));
    } else if (r == REQUEST_INVALID) {
        char fresh[44];
        const char *token = n.submit_token;
        if (!request_submit_token_valid(token)) {
            request_submit_token_new(fresh);
            token = fresh;
        }
        FormState st = {n.inputs, token, n.share_organization, n.participants, &errors};
        render_form(req, res, s, &form, &st, 422);
    } else {
        portal_error_page(req, res, r == REQUEST_UNAVAILABLE ? 503 : 500);
    }
}
