/* admin_types (domain): the request-type editor's rules - keys, names and help in both
 * languages, icons from static/icons.svg, the field kinds the customer form knows, options of
 * selects, order, switching on and off, and what may be deleted.
 * Old requests keep their values: a type with requests is never deleted (only switched off),
 * a field with stored values is switched off instead of deleted (new forms leave it out, the
 * request page still shows the value), and such a field keeps its kind. */
#include "core/i18n_mark.h"
#include "core/str.h"
#include "domain/admin.h"
#include "domain/catalog.h"
#include "domain/request_create.h"
#include "store/accounts.h"
#include "store/admin.h"
#include "store/catalog.h"
#include <string.h>

const char *const ADMIN_TYPE_ICONS[] = {"question", "bug",  "import", "key",   "idea",
                                        "chat",     "user", "list",   "inbox", "mail",
                                        "lock",     "globe", "search", "check", "alert",
                                        NULL};
const char *const ADMIN_FIELD_KINDS[] = {"text",   "textarea", "email",       "number",
                                         "date",   "select",   "multiselect", "checkbox",
                                         "attachments", NULL};

static AdminResult failure(Db *db, DbResult r)
{
    db_rollback(db);
    return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
}

/* Commits the caller's transaction (r is how it went so far); a key that became taken is the
 * input error taken_msgid on "key", other failures roll back. */
static AdminResult commit_unique_key(Db *db, DbResult r, AdminErrors *e, const char *taken_msgid)
{
    if (r == DB_OK)
        r = db_commit(db);
    if (r == DB_CONFLICT) {
        db_rollback(db);
        admin_error(e, "key", taken_msgid, NULL);
        return ADMIN_INVALID;
    }
    if (r != DB_OK)
        return failure(db, r);
    return ADMIN_OK;
}

static bool in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (str_eq(list[i], s))
            return true;
    return false;
}

/* a-z, 0-9, '-' and '_' (fields: no '-', the key names the form input), starting with a
 * letter or digit */
static bool key_valid(const char *k, bool dash)
{
    size_t n = strlen(k);
    if (n == 0 || n > ADMIN_MAX_KEY || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
              (dash && k[i] == '-')))
            return false;
    return true;
}

static const char *text_field(AdminContext *c, AdminErrors *e, const char *field,
                              const char *value, size_t max, bool required, bool multiline)
{
    const char *t = str_trim(c->arena, value ? value : "");
    if (!str_utf8_valid(t, strlen(t))) {
        admin_error(e, field, N_("This text contains invalid characters."), NULL);
        return "";
    }
    if (required && !*t) {
        admin_error(e, field, N_("Please fill in this field."), NULL);
        return "";
    }
    if (str_utf8_len(t) > max) {
        admin_error(e, field, N_("At most %{value} characters, please."),
                    arena_printf(c->arena, "%zu", max));
        return "";
    }
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f) {
            admin_error(e, field, N_("This text contains invalid characters."), NULL);
            return "";
        }
    return t;
}

AdminResult admin_type_save(AdminContext *c, int64_t id, const TypeForm *f, int64_t *new_id,
                            AdminErrors *e)
{
    RequestType t = {0};
    t.id = id;
    t.key = str_lower(c->arena, str_trim(c->arena, f->key ? f->key : ""));
    if (!key_valid(t.key, true))
        admin_error(e, "key",
                    N_("The key needs 1 to 40 lowercase letters, digits, - or _ (it appears in "
                       "the address /new/key)."),
                    NULL);
    t.name_de = (char *)text_field(c, e, "name_de", f->name_de, ADMIN_MAX_NAME, true, false);
    t.name_en = (char *)text_field(c, e, "name_en", f->name_en, ADMIN_MAX_NAME, true, false);
    t.description_de = (char *)text_field(c, e, "description_de", f->description_de,
                                          ADMIN_MAX_DESCRIPTION, false, true);
    t.description_en = (char *)text_field(c, e, "description_en", f->description_en,
                                          ADMIN_MAX_DESCRIPTION, false, true);
    t.icon = (char *)(f->icon ? f->icon : "");
    if (!in_list(ADMIN_TYPE_ICONS, t.icon))
        admin_error(e, "icon", N_("Please choose one of the icons."), NULL);
    t.active = f->active;
    if (e->count)
        return ADMIN_INVALID;
    DbResult r = db_begin(c->db);
    if (r != DB_OK)
        return failure(c->db, r);
    if (id) {
        RequestType old;
        r = store_admin_type_by_id(c->db, c->arena, id, &old);
        if (r == DB_OK && !old.id) {
            db_rollback(c->db);
            return ADMIN_NOT_FOUND;
        }
        if (r == DB_OK)
            r = store_admin_type_update(c->db, &t);
    } else {
        r = store_admin_type_next_position(c->db, &t.position);
        if (r == DB_OK)
            r = store_request_type_insert(c->db, &t, c->now, new_id);
        /* every new type starts with the two fields every request has */
        RequestField summary = {0, *new_id, "summary", "text", "Zusammenfassung", "Summary",
                                "", "", true, "", 1};
        RequestField description = {0, *new_id, "description", "textarea", "Beschreibung",
                                    "Description", "", "", true, "", 2};
        if (r == DB_OK)
            r = store_request_field_insert(c->db, &summary, NULL);
        if (r == DB_OK)
            r = store_request_field_insert(c->db, &description, NULL);
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, id ? "type_update" : "type_create", t.key, t.name_de,
                        c->ip, c->now);
    AdminResult result =
        commit_unique_key(c->db, r, e, N_("Another request type already has this key."));
    if (result == ADMIN_OK)
        catalog_invalidate();
    return result;
}

AdminResult admin_type_set_active(AdminContext *c, int64_t id, bool active)
{
    RequestType t;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_type_by_id(c->db, c->arena, id, &t);
    if (r == DB_OK && !t.id) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    if (r == DB_OK)
        r = store_admin_type_set_active(c->db, id, active);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, active ? "type_activate" : "type_deactivate", t.key,
                        "", c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r != DB_OK)
        return failure(c->db, r);
    catalog_invalidate();
    return ADMIN_OK;
}

AdminResult admin_type_move(AdminContext *c, int64_t id, int direction)
{
    RequestType *types;
    int64_t *uses;
    int count, at = -1;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_types(c->db, c->arena, &types, &uses, &count);
    for (int i = 0; r == DB_OK && i < count; i++)
        if (types[i].id == id)
            at = i;
    if (r == DB_OK && at < 0) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    int other = at + (direction < 0 ? -1 : 1);
    /* positions 1..n in the shown order, with the two neighbours swapped */
    for (int i = 0; r == DB_OK && other >= 0 && other < count && i < count; i++) {
        int64_t position = i == at ? other + 1 : i == other ? at + 1 : i + 1;
        if (types[i].position != position)
            r = store_admin_type_set_position(c->db, types[i].id, position);
    }
    if (r == DB_OK && other >= 0 && other < count)
        r = store_audit(c->db, c->actor_id, "type_move", types[at].key,
                        direction < 0 ? "up" : "down", c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r != DB_OK)
        return failure(c->db, r);
    catalog_invalidate();
    return ADMIN_OK;
}

AdminResult admin_type_delete(AdminContext *c, int64_t id, AdminErrors *e)
{
    RequestType t;
    int64_t uses = 0;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_type_by_id(c->db, c->arena, id, &t);
    if (r == DB_OK && !t.id) {
        db_rollback(c->db);
        return ADMIN_NOT_FOUND;
    }
    if (r == DB_OK)
        r = store_admin_type_uses(c->db, id, &uses);
    if (r == DB_OK && uses > 0) {
        db_rollback(c->db);
        admin_error(e, "",
                    N_("This request type is used by %{value} requests and cannot be deleted. "
                       "Deactivate it instead: customers no longer see it, existing requests "
                       "keep it."),
                    arena_printf(c->arena, "%lld", (long long)uses));
        return ADMIN_REFUSED;
    }
    if (r == DB_OK)
        r = store_admin_type_delete(c->db, id);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, "type_delete", t.key, t.name_de, c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    if (r != DB_OK)
        return failure(c->db, r);
    catalog_invalidate();
    return ADMIN_OK;
}

/* ---- fields ---- */

/* Checks the options text of a select: "Label" or "value|Label DE|Label EN" per line;
 * returns the normalised text (one option a line) or NULL after adding an error. */
static const char *options_check(AdminContext *c, AdminErrors *e, const char *text)
{
    FieldOption *opts;
    int n = request_options_parse(c->arena, text ? text : "", &opts);
    if (n == 0) {
        admin_error(e, "options", N_("A selection needs at least one option, one per line."),
                    NULL);
        return NULL;
    }
    if (n > ADMIN_MAX_OPTIONS) {
        admin_error(e, "options", N_("At most %{value} options, please."), "100");
        return NULL;
    }
    Buf out;
    buf_init(&out, c->arena);
    for (int i = 0; i < n; i++) {
        const char *v = opts[i].value;
        if (!str_utf8_valid(v, strlen(v)) || str_utf8_len(v) > ADMIN_MAX_OPTION ||
            str_utf8_len(opts[i].label_de) > ADMIN_MAX_OPTION ||
            str_utf8_len(opts[i].label_en) > ADMIN_MAX_OPTION || !*v) {
            admin_error(e, "options", N_("Each option may have at most %{value} characters."),
                        "200");
            return NULL;
        }
        for (int k = 0; k < i; k++)
            if (str_eq(opts[k].value, v)) {
                admin_error(e, "options", N_("The option %{value} appears twice."), v);
                return NULL;
            }
        buf_printf(&out, "%s%s|%s|%s", i ? "\n" : "", v, opts[i].label_de, opts[i].label_en);
    }
    return buf_cstr(&out);
}

AdminResult admin_field_save(AdminContext *c, int64_t type_id, int64_t field_id,
                             const FieldForm *f, AdminErrors *e)
{
    AdminField old = {0};
    RequestType t;
    DbResult r = DB_OK;
    if (field_id) {
        r = store_admin_field_by_id(c->db, c->arena, field_id, &old);
        if (r == DB_OK && !old.def.id)
            return ADMIN_NOT_FOUND;
        type_id = old.def.type_id;
    }
    if (r == DB_OK)
        r = store_admin_type_by_id(c->db, c->arena, type_id, &t);
    if (r != DB_OK)
        return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    if (!t.id)
        return ADMIN_NOT_FOUND;
    RequestField d = {0};
    d.id = field_id;
    d.type_id = type_id;
    d.key = str_lower(c->arena, str_trim(c->arena, f->key ? f->key : ""));
    if (!key_valid(d.key, false))
        admin_error(e, "key",
                    N_("The key needs 1 to 40 lowercase letters, digits or _."), NULL);
    d.kind = (char *)(f->kind ? f->kind : "");
    if (!in_list(ADMIN_FIELD_KINDS, d.kind))
        admin_error(e, "kind", N_("Please choose a kind of field."), NULL);
    else if (field_id && old.value_count > 0 && !str_eq(old.def.kind, d.kind))
        admin_error(e, "kind",
                    N_("Requests hold values of this field, so its kind cannot change. Add a "
                       "new field instead."),
                    NULL);
    d.label_de = (char *)text_field(c, e, "label_de", f->label_de, ADMIN_MAX_NAME, true, false);
    d.label_en = (char *)text_field(c, e, "label_en", f->label_en, ADMIN_MAX_NAME, true, false);
    d.help_de = (char *)text_field(c, e, "help_de", f->help_de, ADMIN_MAX_DESCRIPTION, false, true);
    d.help_en = (char *)text_field(c, e, "help_en", f->help_en, ADMIN_MAX_DESCRIPTION, false, true);
    d.required = f->required;
    d.options = "";
    if (str_eq(d.kind, "select") || str_eq(d.kind, "multiselect")) {
        const char *o = options_check(c, e, f->options);
        d.options = (char *)(o ? o : "");
    }
    if (e->count)
        return ADMIN_INVALID;
    int64_t id = field_id;
    r = db_begin(c->db);
    if (r == DB_OK && field_id) {
        r = store_admin_field_update(c->db, &d);
    } else if (r == DB_OK) {
        r = store_admin_field_next_position(c->db, type_id, &d.position);
        if (r == DB_OK)
            r = store_request_field_insert(c->db, &d, &id);
    }
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, field_id ? "field_update" : "field_create",
                        arena_printf(c->arena, "%s.%s", t.key, d.key), d.kind, c->ip, c->now);
    return commit_unique_key(c->db, r, e, N_("Another field of this type already has this key."));
}

/* The field and its type's key, for the audit entry; ADMIN_NOT_FOUND when missing. */
static AdminResult field_load(AdminContext *c, int64_t id, AdminField *f, RequestType *t)
{
    DbResult r = store_admin_field_by_id(c->db, c->arena, id, f);
    if (r == DB_OK && f->def.id)
        r = store_admin_type_by_id(c->db, c->arena, f->def.type_id, t);
    if (r != DB_OK)
        return r == DB_BUSY ? ADMIN_UNAVAILABLE : ADMIN_ERROR;
    return f->def.id ? ADMIN_OK : ADMIN_NOT_FOUND;
}

AdminResult admin_field_move(AdminContext *c, int64_t field_id, int direction)
{
    AdminField f, *fields;
    RequestType t;
    int count, at = -1;
    AdminResult ar = field_load(c, field_id, &f, &t);
    if (ar != ADMIN_OK)
        return ar;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_fields(c->db, c->arena, f.def.type_id, &fields, &count);
    for (int i = 0; r == DB_OK && i < count; i++)
        if (fields[i].def.id == field_id)
            at = i;
    int other = at + (direction < 0 ? -1 : 1);
    for (int i = 0; r == DB_OK && at >= 0 && other >= 0 && other < count && i < count; i++) {
        int64_t position = i == at ? other + 1 : i == other ? at + 1 : i + 1;
        if (fields[i].def.position != position)
            r = store_admin_field_set_position(c->db, fields[i].def.id, position);
    }
    if (r == DB_OK && at >= 0 && other >= 0 && other < count)
        r = store_audit(c->db, c->actor_id, "field_move",
                        arena_printf(c->arena, "%s.%s", t.key, f.def.key),
                        direction < 0 ? "up" : "down", c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : failure(c->db, r);
}

AdminResult admin_field_set_active(AdminContext *c, int64_t field_id, bool active)
{
    AdminField f;
    RequestType t;
    AdminResult ar = field_load(c, field_id, &f, &t);
    if (ar != ADMIN_OK)
        return ar;
    DbResult r = db_begin(c->db);
    if (r == DB_OK)
        r = store_admin_field_set_active(c->db, field_id, active);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, active ? "field_activate" : "field_deactivate",
                        arena_printf(c->arena, "%s.%s", t.key, f.def.key), "", c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : failure(c->db, r);
}

AdminResult admin_field_remove(AdminContext *c, int64_t field_id, bool *kept)
{
    AdminField f;
    RequestType t;
    AdminResult ar = field_load(c, field_id, &f, &t);
    if (ar != ADMIN_OK)
        return ar;
    DbResult r = db_begin(c->db);
    int64_t values = 0;
    AdminField again = {0};
    if (r == DB_OK) /* count again inside the transaction: a request may just have used it */
        r = store_admin_field_by_id(c->db, c->arena, field_id, &again);
    values = again.value_count;
    *kept = values > 0;
    if (r == DB_OK)
        r = *kept ? store_admin_field_set_active(c->db, field_id, false)
                  : store_admin_field_delete(c->db, field_id);
    if (r == DB_OK)
        r = store_audit(c->db, c->actor_id, *kept ? "field_deactivate" : "field_delete",
                        arena_printf(c->arena, "%s.%s", t.key, f.def.key),
                        *kept ? arena_printf(c->arena, "%lld values kept", (long long)values) : "",
                        c->ip, c->now);
    if (r == DB_OK)
        r = db_commit(c->db);
    return r == DB_OK ? ADMIN_OK : failure(c->db, r);
}
