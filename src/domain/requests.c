/* requests (domain): request keys, the viewer, status names, and the one place that decides
 * whether someone may see a request. No HTTP here.
 * SECURITY: a customer sees a request only as its reporter, as a participant, or as a member
 * of the organization it is shared with; agents and admins see all. Everything else - an
 * unknown key, a malformed key, someone else's request, a database error while checking - is
 * REQUEST_NOT_FOUND (or UNAVAILABLE/ERROR), never a hint that the request exists. */
#include "domain/admin.h"
#include "domain/requests.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/str.h"
#include "store/requests.h"
#include <string.h>
#include <strings.h>

#define KEY_MAX_DIGITS 18

bool request_parse_key(const char *key, int64_t *number)
{
    /* the current prefix, the config file's, or one an admin used before (old links) */
    const char *dash = key ? strrchr(key, '-') : NULL;
    size_t n = dash ? (size_t)(dash - key) : 0;
    if (n == 0 || !settings_key_prefix_known(key, n))
        return false;
    const char *digits = key + n + 1;
    size_t len = strlen(digits);
    if (len == 0 || len > KEY_MAX_DIGITS || digits[0] == '0')
        return false;
    int64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return false;
        value = value * 10 + (digits[i] - '0');
    }
    *number = value;
    return true;
}

char *request_format_key(Arena *a, int64_t number)
{
    return request_format_key_prefixed(a, settings_now()->key_prefix, number);
}

char *request_format_key_prefixed(Arena *a, const char *prefix, int64_t number)
{
    char digits[STR_INT_SIZE];
    size_t n = str_from_int(digits, number < 0 ? 0 : number);
    size_t plen = strlen(prefix);
    char *key = arena_alloc(a, plen + 1 + n + 1);
    memcpy(key, prefix, plen);
    key[plen] = '-';
    memcpy(key + plen + 1, digits, n + 1);
    return key;
}

void request_viewer_from_user(Viewer *v, const User *u)
{
    v->user_id = u->id;
    v->organization_id = u->organization_id;
    v->role = u->role ? u->role : "customer";
    v->lang = u->lang ? u->lang : "de";
    v->name = u->name ? u->name : "";
    v->email = u->email ? u->email : "";
}

bool request_viewer_is_staff(const Viewer *v)
{
    return str_eq(v->role, "agent") || str_eq(v->role, "admin");
}

static const struct {
    const char *status, *msgid;
} STATUS_NAMES[] = {
    {REQUEST_STATUS_OPEN, N_("Open")},
    {REQUEST_STATUS_IN_PROGRESS, N_("In progress")},
    {REQUEST_STATUS_WAITING_CUSTOMER, N_("Waiting for customer")},
    {REQUEST_STATUS_WAITING_SUPPORT, N_("Waiting for support")},
    {REQUEST_STATUS_RESOLVED, N_("Resolved")},
    {REQUEST_STATUS_CLOSED, N_("Closed")},
};

const char *request_status_msgid(const char *status)
{
    for (size_t i = 0; i < sizeof STATUS_NAMES / sizeof STATUS_NAMES[0]; i++)
        if (str_eq(status, STATUS_NAMES[i].status))
            return STATUS_NAMES[i].msgid;
    return status ? status : "";
}

bool request_status_is_closed(const char *status)
{
    return str_eq(status, REQUEST_STATUS_RESOLVED) || str_eq(status, REQUEST_STATUS_CLOSED);
}

RequestResult request_db_failure(DbResult r)
{
    return r == DB_BUSY ? REQUEST_UNAVAILABLE : REQUEST_ERROR;
}

/* The access rule itself; a database error is reported, never taken as "visible". */
static DbResult request_check_visible(Db *db, const Viewer *viewer, const RequestView *r,
                                      bool *visible)
{
    *visible = false;
    if (!viewer || !r || !r->id || viewer->user_id <= 0)
        return DB_OK;
    if (request_viewer_is_staff(viewer) || r->reporter_id == viewer->user_id ||
        (r->organization_id != 0 && r->organization_id == viewer->organization_id)) {
        *visible = true;
        return DB_OK;
    }
    return store_request_is_participant(db, r->id, viewer->user_id, visible);
}

bool request_visible_to(Db *db, const Viewer *viewer, const RequestView *r)
{
    bool visible = false;
    return request_check_visible(db, viewer, r, &visible) == DB_OK && visible;
}

static void request_view_from_row(RequestView *out, const RequestRow *row, const char *lang)
{
    out->id = row->id;
    out->number = row->number;
    out->type_id = row->type_id;
    out->type_name = str_eq(lang, "en") ? row->type_name_en : row->type_name_de;
    out->reporter_id = row->reporter_id;
    out->reporter_name = row->reporter_name;
    out->reporter_email = row->reporter_email;
    out->organization_id = row->organization_id;
    out->organization_name = row->organization_name;
    out->summary = row->summary;
    out->description = row->description;
    out->status = row->status;
    out->priority = row->priority;
    out->assignee_id = row->assignee_id;
    out->created_at = row->created_at;
    out->updated_at = row->updated_at;
    out->version = row->version;
    out->reply_token = row->reply_token;
    out->message_id = row->message_id;
}

RequestResult request_open_for_viewer(Db *db, Arena *a, const Viewer *viewer, const char *key,
                                      RequestView *out)
{
    memset(out, 0, sizeof *out);
    int64_t number;
    if (!viewer || !request_parse_key(key, &number))
        return REQUEST_NOT_FOUND;
    RequestRow row;
    DbResult r = store_request_by_number(db, a, number, &row);
    if (r != DB_OK)
        return request_db_failure(r);
    if (!row.id)
        return REQUEST_NOT_FOUND;
    RequestView view = {0};
    request_view_from_row(&view, &row, viewer->lang);
    view.key = request_format_key(a, row.number);
    bool visible = false;
    r = request_check_visible(db, viewer, &view, &visible);
    if (r != DB_OK)
        return request_db_failure(r);
    if (!visible)
        return REQUEST_NOT_FOUND;
    *out = view;
    return REQUEST_OK;
}
