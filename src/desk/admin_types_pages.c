/* admin_types_pages: /desk/admin/types - the list of request types with up/down buttons
 * (plain forms, no JavaScript needed), creating and editing a type, its fields (add, edit,
 * order, switch off, remove), deleting unused types, and a preview of the customer's form
 * rendered with the customer form's own partials. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "desk/admin_common.h"
#include "desk/admin_pages.h"
#include "domain/request_create.h"
#include "portal/portal.h"
#include "store/admin.h"
#include "web/page.h"
#include <string.h>

static const char *lang_text(Request *req, const char *de, const char *en)
{
    return str_eq(req->lang, "en") && !str_empty(en) ? en : de ? de : "";
}

static const char *kind_label(Request *req, const char *kind)
{
    static const char *const LABELS[][2] = {
        {"text", N_("Text line")},         {"textarea", N_("Text area")},
        {"email", N_("E-mail address")},   {"number", N_("Number")},
        {"date", N_("Date")},              {"select", N_("Selection (one)")},
        {"multiselect", N_("Selection (several)")}, {"checkbox", N_("Checkbox")},
        {"attachments", N_("Files")},
    };
    for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (str_eq(LABELS[i][0], kind))
            return page_t(req, LABELS[i][1]);
    return kind;
}

/* ---- the list ---- */

void admin_types_list(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    RequestType *types;
    int64_t *uses;
    int count;
    if (store_admin_types(c.db, req->arena, &types, &uses, &count) != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, page_t(req, "Request types"), "types");
    for (int i = 0; i < count; i++) {
        View *item = view_list_add(v, "types");
        view_setf(item, "id", "%lld", (long long)types[i].id);
        view_set(item, "key", types[i].key);
        view_set(item, "name", lang_text(req, types[i].name_de, types[i].name_en));
        view_set(item, "description",
                 lang_text(req, types[i].description_de, types[i].description_en));
        view_set(item, "icon", types[i].icon);
        view_set_bool(item, "active", types[i].active);
        view_set_int(item, "uses", uses[i]);
        view_set_bool(item, "first", i == 0);
        view_set_bool(item, "last", i == count - 1);
    }
    view_set_bool(v, "has_types", count > 0);
    page_render(req, res, 200, "desk/admin_types", v);
}

void admin_type_move_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    AdminResult r = admin_type_move(&c, admin_param_id(req, "id"),
                                    str_eq(request_form(req, "direction"), "up") ? -1 : 1);
    if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else
        admin_done(req, res, "/desk/admin/types", NULL);
}

/* ---- one type ---- */

static void type_form_view(Request *req, View *v, const TypeForm *f)
{
    View *form = view_child(v, "form");
    view_set(form, "key", f->key);
    view_set(form, "name_de", f->name_de);
    view_set(form, "name_en", f->name_en);
    view_set(form, "description_de", f->description_de);
    view_set(form, "description_en", f->description_en);
    view_set_bool(form, "active", f->active);
    for (int i = 0; ADMIN_TYPE_ICONS[i]; i++) {
        View *icon = view_list_add(v, "icons");
        view_set(icon, "name", ADMIN_TYPE_ICONS[i]);
        view_set_bool(icon, "checked", str_eq(f->icon, ADMIN_TYPE_ICONS[i]));
    }
}

static void field_form_view(Request *req, View *v, const FieldForm *f)
{
    View *form = view_child(v, "field");
    view_set(form, "key", f->key);
    view_set(form, "label_de", f->label_de);
    view_set(form, "label_en", f->label_en);
    view_set(form, "help_de", f->help_de);
    view_set(form, "help_en", f->help_en);
    view_set(form, "options", f->options);
    view_set_bool(form, "required", f->required);
    for (int i = 0; ADMIN_FIELD_KINDS[i]; i++) {
        View *k = view_list_add(v, "kinds");
        view_set(k, "value", ADMIN_FIELD_KINDS[i]);
        view_set(k, "label", kind_label(req, ADMIN_FIELD_KINDS[i]));
        view_set_bool(k, "selected", str_eq(f->kind, ADMIN_FIELD_KINDS[i]));
    }
}

/* Renders the type page: its form (tf, NULL = as stored), its fields, the add-field form
 * (ff, NULL = empty). */
static void type_render(Request *req, Response *res, AdminContext *c, int64_t id,
                        const TypeForm *tf, const FieldForm *ff, const AdminErrors *e,
                        int status)
{
    RequestType t;
    AdminField *fields = NULL;
    int count = 0;
    int64_t uses = 0;
    DbResult r = store_admin_type_by_id(c->db, req->arena, id, &t);
    if (r == DB_OK && !t.id) {
        admin_fail(req, res, ADMIN_NOT_FOUND);
        return;
    }
    if (r == DB_OK)
        r = store_admin_fields(c->db, req->arena, id, &fields, &count);
    if (r == DB_OK)
        r = store_admin_type_uses(c->db, id, &uses);
    if (r != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, lang_text(req, t.name_de, t.name_en), "types");
    view_setf(v, "id", "%lld", (long long)t.id);
    view_set(v, "type_key", t.key);
    view_set(v, "type_name", lang_text(req, t.name_de, t.name_en));
    view_set_bool(v, "type_active", t.active);
    view_set_int(v, "uses", uses);
    TypeForm stored = {t.key, t.name_de, t.name_en, t.description_de, t.description_en, t.icon,
                       t.active};
    type_form_view(req, v, tf ? tf : &stored);
    for (int i = 0; i < count; i++) {
        const AdminField *f = &fields[i];
        View *item = view_list_add(v, "fields");
        view_setf(item, "fid", "%lld", (long long)f->def.id);
        view_set(item, "key", f->def.key);
        view_set(item, "label", lang_text(req, f->def.label_de, f->def.label_en));
        view_set(item, "kind", kind_label(req, f->def.kind));
        view_set_bool(item, "required", f->def.required);
        view_set_bool(item, "field_active", f->active);
        view_set_int(item, "values", f->value_count);
        view_set_bool(item, "first", i == 0);
        view_set_bool(item, "last", i == count - 1);
    }
    view_set_bool(v, "has_fields", count > 0);
    FieldForm empty = {"", "text", "", "", "", "", "", false};
    field_form_view(req, v, ff ? ff : &empty);
    admin_render(req, res, status, "desk/admin_type", v, e);
}

static void type_form_read(Request *req, TypeForm *f)
{
    f->key = request_form(req, "key");
    f->name_de = request_form(req, "name_de");
    f->name_en = request_form(req, "name_en");
    f->description_de = request_form(req, "description_de");
    f->description_en = request_form(req, "description_en");
    f->icon = request_form(req, "icon");
    f->active = str_eq(request_form(req, "active"), "1");
}

static void field_form_read(Request *req, FieldForm *f)
{
    f->key = request_form(req, "key");
    f->kind = request_form(req, "kind");
    f->label_de = request_form(req, "label_de");
    f->label_en = request_form(req, "label_en");
    f->help_de = request_form(req, "help_de");
    f->help_en = request_form(req, "help_en");
    f->options = request_form(req, "options");
    f->required = str_eq(request_form(req, "required"), "1");
}

static void new_type_render(Request *req, Response *res, const TypeForm *f, const AdminErrors *e,
                            int status)
{
    View *v = admin_view(req, page_t(req, "New request type"), "types");
    view_set_bool(v, "is_new", true);
    type_form_view(req, v, f);
    admin_render(req, res, status, "desk/admin_type", v, e);
}

void admin_type_new(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    TypeForm f = {"", "", "", "", "", "question", true};
    new_type_render(req, res, &f, NULL, 200);
}

void admin_type_create(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    TypeForm f;
    type_form_read(req, &f);
    AdminErrors e = {0};
    int64_t id = 0;
    AdminResult r = admin_type_save(&c, 0, &f, &id, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID,
                     arena_printf(req->arena, "/desk/admin/types/%lld", (long long)id),
                     "admin_created"))
        new_type_render(req, res, &f, &e, 422);
}

void admin_type_page(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        type_render(req, res, &c, admin_param_id(req, "id"), NULL, NULL, NULL, 200);
}

static const char *type_url(Request *req, int64_t id)
{
    return arena_printf(req->arena, "/desk/admin/types/%lld", (long long)id);
}

void admin_type_update(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    TypeForm f;
    type_form_read(req, &f);
    AdminErrors e = {0};
    AdminResult r = admin_type_save(&c, id, &f, NULL, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID, type_url(req, id), "admin_saved"))
        type_render(req, res, &c, id, &f, NULL, &e, 422);
}

void admin_type_active_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminResult r = admin_type_set_active(&c, id, str_eq(request_form(req, "active"), "1"));
    if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else
        admin_done(req, res, str_eq(request_form(req, "back"), "list") ? "/desk/admin/types"
                                                                          : type_url(req, id),
                   "admin_saved");
}

void admin_type_delete_submit(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    AdminErrors e = {0};
    AdminResult r = admin_type_delete(&c, id, &e);
    if (admin_finish(req, res, r, ADMIN_REFUSED, "/desk/admin/types", "admin_type_deleted"))
        type_render(req, res, &c, id, NULL, NULL, &e, 409);
}

void admin_type_preview(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    RequestForm form;
    memset(&form, 0, sizeof form);
    AdminField *fields;
    int count;
    DbResult r = store_admin_type_by_id(c.db, req->arena, admin_param_id(req, "id"), &form.type);
    if (r == DB_OK && !form.type.id) {
        admin_fail(req, res, ADMIN_NOT_FOUND);
        return;
    }
    if (r == DB_OK)
        r = store_admin_fields(c.db, req->arena, form.type.id, &fields, &count);
    if (r != DB_OK) {
        admin_fail(req, res, ADMIN_UNAVAILABLE);
        return;
    }
    form.fields = arena_alloc(req->arena, sizeof *form.fields * (size_t)(count ? count : 1));
    for (int i = 0; i < count; i++) {
        if (!fields[i].active)
            continue; /* the customer's form leaves switched-off fields out */
        FormField *f = &form.fields[form.field_count++];
        f->def = fields[i].def;
        f->option_count = request_options_parse(req->arena, f->def.options, &f->options);
    }
    const RequestType *t = &form.type;
    View *v = admin_view(req, page_t(req, "Preview"), "types");
    view_setf(v, "id", "%lld", (long long)t->id);
    view_set(v, "type_key", t->key);
    view_set(v, "type_name", lang_text(req, t->name_de, t->name_en));
    view_set(v, "type_description", lang_text(req, t->description_de, t->description_en));
    view_set(v, "type_icon", t->icon);
    view_set_bool(v, "type_active", t->active);
    portal_request_form_fields(req, v, &form);
    page_render(req, res, 200, "desk/admin_type_preview", v);
}

/* ---- fields ---- */

void admin_field_create(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t id = admin_param_id(req, "id");
    FieldForm f;
    field_form_read(req, &f);
    AdminErrors e = {0};
    AdminResult r = admin_field_save(&c, id, 0, &f, &e);
    if (admin_finish(req, res, r, ADMIN_INVALID,
                     arena_printf(req->arena, "/desk/admin/types/%lld#fields", (long long)id),
                     "admin_created"))
        type_render(req, res, &c, id, NULL, &f, &e, 422);
}

static void field_render(Request *req, Response *res, AdminContext *c, int64_t field_id,
                         const FieldForm *ff, const AdminErrors *e, int status)
{
    AdminField f;
    RequestType t;
    DbResult r = store_admin_field_by_id(c->db, req->arena, field_id, &f);
    if (r == DB_OK && f.def.id)
        r = store_admin_type_by_id(c->db, req->arena, f.def.type_id, &t);
    if (r != DB_OK || !f.def.id) {
        admin_fail(req, res, r == DB_OK ? ADMIN_NOT_FOUND : ADMIN_UNAVAILABLE);
        return;
    }
    View *v = admin_view(req, lang_text(req, f.def.label_de, f.def.label_en), "types");
    view_setf(v, "id", "%lld", (long long)t.id);
    view_setf(v, "fid", "%lld", (long long)f.def.id);
    view_set(v, "type_name", lang_text(req, t.name_de, t.name_en));
    view_set(v, "field_label", lang_text(req, f.def.label_de, f.def.label_en));
    view_set_bool(v, "field_active", f.active);
    view_set_int(v, "values", f.value_count);
    /* options as the admin typed them: "value|Label DE|Label EN" per line */
    FieldForm stored = {f.def.key, f.def.kind, f.def.label_de, f.def.label_en, f.def.help_de,
                        f.def.help_en, f.def.options, f.def.required};
    field_form_view(req, v, ff ? ff : &stored);
    admin_render(req, res, status, "desk/admin_field", v, e);
}

void admin_field_page(Request *req, Response *res)
{
    AdminContext c;
    if (admin_begin(req, res, &c))
        field_render(req, res, &c, admin_param_id(req, "fid"), NULL, NULL, 200);
}

/* The type a field belongs to, for redirects (0 when it is gone). */
static int64_t field_type_id(AdminContext *c, int64_t field_id)
{
    AdminField f;
    if (store_admin_field_by_id(c->db, c->arena, field_id, &f) != DB_OK)
        return 0;
    return f.def.type_id;
}

void admin_field_update(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t fid = admin_param_id(req, "fid");
    FieldForm f;
    field_form_read(req, &f);
    AdminErrors e = {0};
    AdminResult r = admin_field_save(&c, 0, fid, &f, &e);
    if (r == ADMIN_INVALID)
        field_render(req, res, &c, fid, &f, &e, 422);
    else if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else /* the type is looked up only for the redirect */
        admin_done(req, res, arena_printf(req->arena, "/desk/admin/types/%lld#fields",
                                          (long long)field_type_id(&c, fid)),
                   "admin_saved");
}

void admin_field_action(Request *req, Response *res)
{
    AdminContext c;
    if (!admin_begin(req, res, &c))
        return;
    int64_t fid = admin_param_id(req, "fid");
    int64_t type_id = field_type_id(&c, fid);
    const char *action = request_param(req, "action");
    const char *flash = "admin_saved";
    AdminResult r;
    if (str_eq(action, "move")) {
        r = admin_field_move(&c, fid, str_eq(request_form(req, "direction"), "up") ? -1 : 1);
        flash = NULL;
    } else if (str_eq(action, "active")) {
        r = admin_field_set_active(&c, fid, str_eq(request_form(req, "active"), "1"));
    } else if (str_eq(action, "remove")) {
        bool kept = false;
        r = admin_field_remove(&c, fid, &kept);
        flash = kept ? "admin_field_hidden" : "admin_field_deleted";
    } else {
        r = ADMIN_NOT_FOUND;
    }
    if (r != ADMIN_OK)
        admin_fail(req, res, r);
    else
        admin_done(req, res, arena_printf(req->arena, "/desk/admin/types/%lld#fields",
                                          (long long)type_id),
                   flash);
}
