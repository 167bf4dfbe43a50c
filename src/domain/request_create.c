/* request_create (domain): the request form's server-side checks and the one transaction that
 * creates a request with everything it causes. No HTTP here.
 * SECURITY: nothing the browser checked is trusted - required fields, e-mail syntax, numbers,
 * dates, option values and lengths are checked again here; single-line values lose control
 * characters (the summary becomes a mail subject); a submit token makes a resubmitted form
 * create one request; accounts for unknown participants are rate-limited per reporter and
 * get only a token whose hash is stored. */
#include "domain/admin.h"
#include "domain/request_create.h"
#include "auth/token.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/notify.h"
#include "domain/ratelimit.h"
#include "mail/compose.h"
#include "mail/mail.h"
#include "mail/message.h"
#include "store/accounts.h"
#include "store/users.h"
#include "store/activity.h"
#include "store/outbox.h"
#include "store/requests.h"
#include <sodium.h>
#include <string.h>

/* ---- the form ---- */

int request_options_parse(Arena *a, const char *text, FieldOption **out)
{
    *out = NULL;
    if (str_empty(text))
        return 0;
    int lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    FieldOption *options = arena_alloc(a, sizeof *options * (size_t)lines);
    int count = 0;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = str_trim(a, arena_strndup(a, line, len));
        if (*copy) {
            char *parts[3] = {copy, NULL, NULL};
            for (int i = 1; i < 3; i++) {
                char *bar = parts[i - 1] ? strchr(parts[i - 1], '|') : NULL;
                if (bar) {
                    *bar = '\0';
                    parts[i] = bar + 1;
                }
            }
            FieldOption *o = &options[count++];
            o->value = str_trim(a, parts[0]);
            o->label_de = parts[1] && *str_trim(a, parts[1]) ? str_trim(a, parts[1]) : o->value;
            o->label_en = parts[2] && *str_trim(a, parts[2]) ? str_trim(a, parts[2]) : o->label_de;
        }
        if (!end)
            break;
        line = end + 1;
    }
    *out = options;
    return count;
}

const char *request_option_label(const FormField *f, const char *value, const char *lang)
{
    for (int i = 0; i < f->option_count; i++)
        if (str_eq(f->options[i].value, value))
            return str_eq(lang, "en") ? f->options[i].label_en : f->options[i].label_de;
    return NULL;
}

RequestResult request_form_load(Db *db, Arena *a, const char *type_key, RequestForm *out)
{
    memset(out, 0, sizeof *out);
    if (str_empty(type_key) || strlen(type_key) > 100)
        return REQUEST_NOT_FOUND;
    DbResult r = store_request_type_by_key(db, a, type_key, true, &out->type);
    if (r != DB_OK)
        return request_db_failure(r);
    if (!out->type.id)
        return REQUEST_NOT_FOUND;
    RequestField *defs;
    int count;
    r = store_request_fields_of_type(db, a, out->type.id, &defs, &count);
    if (r != DB_OK)
        return request_db_failure(r);
    out->fields = arena_alloc(a, sizeof *out->fields * (size_t)(count ? count : 1));
    out->field_count = count;
    for (int i = 0; i < count; i++) {
        out->fields[i].def = defs[i];
        out->fields[i].option_count =
            request_options_parse(a, defs[i].options, &out->fields[i].options);
    }
    return REQUEST_OK;
}

/* ---- checking one field ---- */

static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* A single-line value: control characters (CR, LF, tabs included) become spaces, trimmed. */
static char *single_line(Arena *a, const char *raw)
{
    char *s = arena_strdup(a, raw ? raw : "");
    for (char *p = s; *p; p++)
        if (is_control((unsigned char)*p))
            *p = ' ';
    return str_trim(a, s);
}

/* A multi-line value: line ends become "\n", other control characters but tabs are dropped,
 * trimmed. */
static char *multi_line(Arena *a, const char *raw)
{
    const char *s = raw ? raw : "";
    char *out = arena_alloc(a, strlen(s) + 1), *w = out;
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            *w++ = '\n';
            if (p[1] == '\n')
                p++;
        } else if (*p == '\n' || *p == '\t' || !is_control((unsigned char)*p)) {
            *w++ = *p;
        }
    }
    *w = '\0';
    return str_trim(a, out);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "42", "-3.5", "3,5" (German decimal comma); stored with a point and without a plus. */
static bool number_normalize(Arena *a, const char *s, const char **out)
{
    if (strlen(s) > REQUEST_MAX_NUMBER)
        return false;
    const char *p = s;
    bool negative = false;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    const char *int_start = p;
    while (is_digit(*p))
        p++;
    size_t int_digits = (size_t)(p - int_start);
    const char *frac_start = NULL;
    size_t frac_digits = 0;
    if (*p == '.' || *p == ',') {
        frac_start = ++p;
        while (is_digit(*p))
            p++;
        frac_digits = (size_t)(p - frac_start);
        if (frac_digits == 0)
            return false;
    }
    if (*p || int_digits == 0 || int_digits > 15 || frac_digits > 6)
        return false;
    *out = arena_printf(a, "%s%.*s%s%.*s", negative ? "-" : "", (int)int_digits, int_start,
                        frac_digits ? "." : "", (int)frac_digits, frac_start ? frac_start : "");
    return true;
}

static int days_in_month(int year, int month)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : DAYS[month - 1];
}

/* NULL for a plausible YYYY-MM-DD date, else the msgid saying what is wrong. */
static const char *date_problem(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return N_("Please enter the date as YYYY-MM-DD, for example 2025-03-31.");
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return N_("Please enter the date as YYYY-MM-DD, for example 2025-03-31.");
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return N_("Please enter a date that exists, between 1900 and 2100.");
    return NULL;
}

static const char *check_multiselect(Arena *a, const FormField *f, const FieldInput *in,
                                     const char **clean)
{
    bool *chosen = arena_alloc(a, (size_t)(f->option_count ? f->option_count : 1));
    int count = 0;
    for (int v = 0; in && v < in->count; v++) {
        const char *value = single_line(a, in->values[v]);
        if (!*value)
            continue;
        int found = -1;
        for (int i = 0; i < f->option_count && found < 0; i++)
            if (str_eq(f->options[i].value, value))
                found = i;
        if (found < 0)
            return N_("Please choose only among the offered options.");
        count += !chosen[found];
        chosen[found] = true;
    }
    if (count == 0)
        return f->def.required ? N_("Please choose at least one option.") : NULL;
    Buf b;
    buf_init(&b, a);
    for (int i = 0; i < f->option_count; i++) {
        if (!chosen[i])
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, f->options[i].value);
    }
    *clean = buf_cstr(&b);
    return NULL;
}

static const char *too_long_msgid(size_t max)
{
    if (max == REQUEST_MAX_SUMMARY)
        return N_("Please shorten this to at most 200 characters.");
    if (max == REQUEST_MAX_TEXT)
        return N_("Please shorten this to at most 1,000 characters.");
    return N_("Please shorten this to at most 20,000 characters.");
}

/* Text kinds: the length limit of a field. */
static size_t text_limit(const FormField *f)
{
    if (str_eq(f->def.kind, "textarea"))
        return REQUEST_MAX_TEXTAREA;
    return str_eq(f->def.key, "summary") ? REQUEST_MAX_SUMMARY : REQUEST_MAX_TEXT;
}

const char *request_field_check(Arena *a, const FormField *f, const FieldInput *in,
                                const char **clean)
{
    *clean = "";
    const char *kind = f->def.kind;
    const char *raw = in && in->count > 0 ? in->values[0] : NULL;
    if (str_eq(kind, "attachments")) {
        int files = in ? in->file_count : 0;
        if (files == 0)
            return f->def.required ? N_("Please attach at least one file.") : NULL;
        return files > REQUEST_MAX_FILES ? N_("Please attach at most 10 files here.") : NULL;
    }
    if (str_eq(kind, "multiselect"))
        return check_multiselect(a, f, in, clean);
    if (str_eq(kind, "checkbox")) {
        bool checked = !str_empty(raw) && !str_eq(raw, "0");
        if (!checked)
            return f->def.required ? N_("Please tick this box to continue.") : NULL;
        *clean = "1";
        return NULL;
    }
    const char *value = str_eq(kind, "textarea") ? multi_line(a, raw) : single_line(a, raw);
    if (!str_utf8_valid(value, strlen(value)))
        return N_("This text contains characters that cannot be read.");
    if (!*value) {
        if (!f->def.required)
            return NULL;
        return str_eq(kind, "select") ? N_("Please choose an option.")
                                      : N_("Please fill in this field.");
    }
    if (str_eq(kind, "email")) {
        if (strlen(value) > REQUEST_MAX_EMAIL || !mail_address_valid(value))
            return N_("Please enter a valid e-mail address, like name@example.com.");
    } else if (str_eq(kind, "number")) {
        if (!number_normalize(a, value, &value))
            return N_("Please enter a number, like 42 or 3.5.");
    } else if (str_eq(kind, "date")) {
        const char *problem = date_problem(value);
        if (problem)
            return problem;
    } else if (str_eq(kind, "select")) {
        if (!request_option_label(f, value, "de"))
            return N_("Please choose one of the offered options.");
    } else if (str_utf8_len(value) > text_limit(f)) {
        return too_long_msgid(text_limit(f)); /* text, textarea and unknown kinds */
    }
    *clean = value;
    return NULL;
}

/* ---- participants ---- */

static bool is_separator(char c)
{
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *request_participants_parse(Arena *a, const char *text, const char *self_email,
                                       const char ***emails, int *count, const char **bad)
{
    *emails = NULL;
    *count = 0;
    *bad = NULL;
    if (str_empty(text))
        return NULL;
    if (strlen(text) > REQUEST_MAX_PARTICIPANTS_TEXT)
        return N_("Please name at most 10 people.");
    const char **list = arena_alloc(a, sizeof *list * REQUEST_MAX_PARTICIPANTS);
    const char *p = text;
    while (*p) {
        while (*p && is_separator(*p))
            p++;
        const char *start = p;
        while (*p && !is_separator(*p))
            p++;
        if (p == start)
            break;
        size_t n = (size_t)(p - start);
        if (n >= 2 && start[0] == '<' && start[n - 1] == '>') {
            start++;
            n -= 2;
        }
        char *email = str_lower(a, arena_strndup(a, start, n));
        if (strlen(email) > REQUEST_MAX_EMAIL || !mail_address_valid(email)) {
            *bad = arena_strndup(a, start, n > 100 ? 100 : n);
            return N_("“%{value}” is not a valid e-mail address.");
        }
        bool duplicate = str_eq(email, self_email);
        for (int i = 0; i < *count && !duplicate; i++)
            duplicate = str_eq(list[i], email);
        if (duplicate)
            continue;
        if (*count == REQUEST_MAX_PARTICIPANTS)
            return N_("Please name at most 10 people.");
        list[(*count)++] = email;
    }
    *emails = list;
    return NULL;
}

/* ---- the whole form ---- */

static void add_error(RequestErrors *e, int field, const char *msgid, const char *detail)
{
    if (e && e->count < REQUEST_MAX_ERRORS)
        e->items[e->count++] = (RequestError){field, msgid, detail};
}

/* Every file of every attachments field, in form order. */
static NewAttachment *collect_files(Arena *a, const NewRequest *n, int *count)
{
    int total = n->file_count;
    for (int i = 0; i < n->form->field_count; i++)
        total += n->inputs[i].file_count;
    NewAttachment *files = arena_alloc(a, sizeof *files * (size_t)(total ? total : 1));
    *count = 0;
    for (int i = 0; i < n->form->field_count; i++)
        for (int k = 0; k < n->inputs[i].file_count; k++)
            files[(*count)++] = n->inputs[i].files[k];
    for (int k = 0; k < n->file_count; k++)
        files[(*count)++] = n->files[k];
    return files;
}

bool request_form_validate(Arena *a, const NewRequest *n, const char *self_email,
                           RequestErrors *errors, const char **clean)
{
    int before = errors->count;
    int first_files = -1;
    for (int i = 0; i < n->form->field_count; i++) {
        const char *value = "";
        const FormField *f = &n->form->fields[i];
        FormField relaxed;
        if (n->by_mail && !str_eq(f->def.key, "summary") && !str_eq(f->def.key, "description")) {
            relaxed = *f;
            relaxed.def.required = false;
            f = &relaxed;
        }
        const char *msgid = request_field_check(a, f, &n->inputs[i], &value);
        if (msgid)
            add_error(errors, i, msgid, NULL);
        if (clean)
            clean[i] = value;
        if (first_files < 0 && n->inputs[i].file_count > 0)
            first_files = i;
    }
    if (first_files < 0 && n->file_count > 0)
        first_files = REQUEST_ERROR_FORM;
    if (first_files != -1) {
        int count;
        NewAttachment *files = collect_files(a, n, &count);
        const char *msgid = attachments_check(files, count, 0);
        if (msgid)
            add_error(errors, first_files, msgid, NULL);
    }
    const char **emails, *bad;
    int count;
    const char *msgid =
        request_participants_parse(a, n->participants, self_email, &emails, &count, &bad);
    if (msgid)
        add_error(errors, REQUEST_ERROR_PARTICIPANTS, msgid, bad);
    return errors->count == before;
}

void request_submit_token_new(char out[44])
{
    token_new(out);
}

bool request_submit_token_valid(const char *token)
{
    return token_well_formed(token);
}

/* ---- creating ---- */

typedef struct CreateJob {
    Db *db;
    Arena *a;
    const Viewer *viewer;
    const NewRequest *n;
    int64_t now;
    const char **clean;
    const char **participants;
    int participant_count;
    const char *submit_token; /* NULL when the form's token cannot be used */
    const char *summary;
    const char *description;
    int64_t number;
    int64_t id;
    const char *key;
    const char *message_id;
    char reply_token[TOKEN_LEN + 1];
    bool rate_limited;
} CreateJob;

static const MailContent CONFIRMATION_MAIL = {
    N_("Your request %{key}: %{summary}"),
    {N_("Hello %{name},"),
     N_("thank you for your request \"%{summary}\". We have received it under the number %{key} "
        "and will get back to you as soon as possible.")},
    N_("View request"),
    NULL,
    {N_("On the request's page you can follow its progress and add information or files at "
        "any time.")},
};

/* The confirmation mail's values: the reporter's name, the key and the summary. */
static void confirmation_vars(MailVar vars[4], const char *portal_name, const char *name,
                              const char *key, const char *summary)
{
    vars[0] = (MailVar){"portal_name", portal_name};
    vars[1] = (MailVar){"name", name};
    vars[2] = (MailVar){"key", key};
    vars[3] = (MailVar){"summary", summary};
}

/* The confirmation to the reporter, queued without its bytes: the mail worker builds them
 * (request_confirmation_build), outside the writer's turn. Its Message-ID, kept on the
 * request, starts the request's mail thread. */
static DbResult queue_confirmation(CreateJob *j)
{
    const Viewer *v = j->viewer;
    MailVar vars[4];
    confirmation_vars(vars, "", "", j->key, j->summary);
    const char *subject = mail_compose_subject(j->a, &CONFIRMATION_MAIL, vars, 4,
                                               str_eq(v->lang, "en") ? "en" : "de");
    return outbox_enqueue_composed(j->db, v->email, subject, OUTBOX_REQUEST_CREATED, j->number,
                                   j->now);
}

bool request_confirmation_build(Db *db, Arena *a, int64_t number, int64_t now, Buf *out)
{
    RequestRow r;
    User u;
    if (store_request_by_number(db, a, number, &r) != DB_OK || !r.id ||
        store_user_by_id(db, a, r.reporter_id, &u) != DB_OK || !u.id)
        return false;
    const char *portal_name = notify_portal_name(db, a);
    const char *key = request_format_key(a, number);
    MailContent c = CONFIRMATION_MAIL;
    c.button_url = arena_printf(a, "%s/requests/%s", config_base_url(settings_now()), key);
    MailVar vars[4];
    confirmation_vars(vars, portal_name, str_empty(u.name) ? u.email : u.name, key, r.summary);
    MailMessage msg = {0};
    if (!mail_compose(a, &c, vars, 4, str_eq(u.lang, "en") ? "en" : "de", &msg))
        return false;
    msg.to = u.email;
    msg.to_name = str_empty(u.name) ? NULL : u.name;
    msg.message_id = r.message_id;
    msg.reply_to = mail_reply_to_for(a, portal_name, r.reply_token);
    return mail_build(a, &msg, now, out, NULL);
}

/* The Message-ID of the confirmation mail, kept on the request for threading later mails:
 * "<sup-42.<random>@<domain of the sender address>>". */
static const char *make_message_id(Arena *a, const char *key)
{
    const char *name = NULL, *addr = NULL, *domain = "pforte.invalid";
    if (mail_mailbox_parse(a, settings_now()->mail_from, &name, &addr) && strchr(addr, '@'))
        domain = strchr(addr, '@') + 1;
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    return arena_printf(a, "<%s.%s@%s>", str_lower(a, key), str_hex(a, random, sizeof random),
                        domain);
}

/* The new request as notify.c needs it. */
static void job_view(const CreateJob *j, RequestView *r)
{
    memset(r, 0, sizeof *r);
    r->id = j->id;
    r->number = j->number;
    r->key = (char *)j->key;
    r->type_id = j->n->form->type.id;
    r->reporter_id = j->viewer->user_id;
    r->summary = (char *)j->summary;
    r->description = (char *)j->description;
    r->status = REQUEST_STATUS_OPEN;
    r->message_id = (char *)j->message_id;
    r->reply_token = (char *)j->reply_token;
    r->created_at = j->now;
    r->updated_at = j->now;
    r->version = 1;
}

/* One hit in the "invite" bucket (shared with sharing on the request's page) per new
 * account; false (and j->rate_limited) when the reporter has invited too many lately. */
static DbResult invite_allowed(CreateJob *j, bool *allowed)
{
    int64_t retry_after = 0;
    DbResult r = ratelimit_hit(j->db, "invite",
                               arena_printf(j->a, "%lld", (long long)j->viewer->user_id),
                               REQUEST_INVITES_PER_HOUR, 3600, j->now, allowed, &retry_after);
    if (r == DB_OK && !*allowed) {
        log_warn("event=rate_limited kind=invite user=%lld", (long long)j->viewer->user_id);
        j->rate_limited = true;
    }
    return r;
}

/* Makes one address a participant: an unknown address gets a customer account without
 * password; accounts without password get an invitation (set a password, then the
 * request), others a note that the request was shared with them (notify.c). */
static DbResult add_participant(CreateJob *j, const RequestView *view, const char *email)
{
    User u;
    DbResult r = store_user_by_email(j->db, j->a, email, &u);
    if (r != DB_OK)
        return r;
    if (!u.id) {
        bool allowed = true;
        r = invite_allowed(j, &allowed);
        if (r != DB_OK || !allowed)
            return r == DB_OK ? DB_CONFLICT : r;
        memset(&u, 0, sizeof u);
        u.email = (char *)email;
        u.name = "";
        u.role = "customer";
        u.lang = (char *)(str_eq(j->viewer->lang, "en") ? "en" : "de");
        u.notify = true;
        r = store_user_insert(j->db, &u, j->now, &u.id);
    }
    bool added = false;
    if (r == DB_OK)
        r = store_participant_add(j->db, j->id, u.id, j->viewer->user_id, j->now, &added);
    if (r != DB_OK || !added)
        return r;
    r = store_event_insert(j->db, j->id, j->viewer->user_id, "share", "", "participant", "",
                           email, false, j->now, NULL);
    if (r != DB_OK || u.disabled || !str_eq(u.role, "customer"))
        return r; /* agents see every request anyway */
    if (!u.password_hash)
        return notify_invitation(j->db, j->a, view, j->viewer, &u, j->now);
    NotifyChange change = {NOTIFY_SHARED, 0, NULL, NULL, 0, NULL, NULL, u.id};
    return notify_request_change(j->db, j->a, view, j->viewer, &change, j->now);
}

static DbResult share_request(CreateJob *j)
{
    RequestView view;
    job_view(j, &view);
    DbResult r = DB_OK;
    if (j->n->share_organization && j->viewer->organization_id) {
        char *org_name = "";
        r = store_organization_name(j->db, j->a, j->viewer->organization_id, &org_name);
        if (r == DB_OK)
            r = store_event_insert(j->db, j->id, j->viewer->user_id, "share", "", "organization",
                                   "", org_name, false, j->now, NULL);
    }
    for (int i = 0; r == DB_OK && i < j->participant_count; i++)
        r = add_participant(j, &view, j->participants[i]);
    return r;
}

static DbResult insert_request(CreateJob *j)
{
    const RequestForm *form = j->n->form;
    NewRequestRow row = {0};
    row.number = j->number;
    row.type_id = form->type.id;
    row.reporter_id = j->viewer->user_id;
    row.organization_id = j->n->share_organization ? j->viewer->organization_id : 0;
    row.summary = j->summary;
    row.description = j->description;
    row.submit_token = j->submit_token;
    token_new(j->reply_token);
    row.reply_token = j->reply_token;
    row.message_id = j->message_id;
    row.created_at = j->now;
    row.updated_at = j->now;
    DbResult r = store_request_insert(j->db, &row, &j->id);
    for (int i = 0; r == DB_OK && i < form->field_count; i++) {
        const RequestField *f = &form->fields[i].def;
        if (str_eq(f->key, "summary") || str_eq(f->key, "description") || !*j->clean[i])
            continue;
        r = store_request_value_insert(j->db, j->id, f->id, j->clean[i]);
    }
    if (r == DB_OK)
        r = store_request_search_insert(j->db, j->id, j->summary, j->description);
    return r;
}

/* Everything inside the transaction, in order. */
static DbResult create_steps(CreateJob *j)
{
    DbResult r = store_request_number_next(j->db, &j->number);
    if (r != DB_OK)
        return r;
    j->key = request_format_key(j->a, j->number);
    j->message_id = make_message_id(j->a, j->key);
    r = insert_request(j);
    int64_t event_id = 0;
    if (r == DB_OK)
        r = store_event_insert(j->db, j->id, j->viewer->user_id, "created", "", "", "", "", false,
                               j->now, &event_id);
    int file_count = 0;
    NewAttachment *files = collect_files(j->a, j->n, &file_count);
    if (r == DB_OK && file_count > 0)
        r = attachments_store(j->db, j->a, j->id, event_id, j->viewer->user_id, files,
                              file_count, false, j->now);
    if (r == DB_OK)
        r = queue_confirmation(j); /* first: its Message-ID heads the thread */
    if (r == DB_OK)
        r = share_request(j);
    return r;
}

/* The request a submit token created for this viewer: REQUEST_OK with out->existing, or
 * REQUEST_NOT_FOUND when there is none (or it belongs to someone else: *foreign). */
static RequestResult find_submitted(Db *db, Arena *a, const Viewer *viewer, const char *token,
                                    CreatedRequest *out, bool *foreign)
{
    int64_t number = 0, reporter_id = 0;
    *foreign = false;
    DbResult r = store_request_by_submit_token(db, token, &number, &reporter_id);
    if (r != DB_OK)
        return request_db_failure(r);
    if (!number)
        return REQUEST_NOT_FOUND;
    if (reporter_id != viewer->user_id) {
        *foreign = true;
        return REQUEST_NOT_FOUND;
    }
    out->key = request_format_key(a, number);
    out->existing = true;
    return REQUEST_OK;
}

static const char *field_value(const RequestForm *form, const char **clean, const char *key)
{
    for (int i = 0; i < form->field_count; i++)
        if (str_eq(form->fields[i].def.key, key))
            return clean[i];
    return "";
}

RequestResult request_create(Db *db, Arena *a, const Viewer *viewer, const NewRequest *n,
                             int64_t now, RequestErrors *errors, CreatedRequest *out)
{
    memset(out, 0, sizeof *out);
    CreateJob j = {0};
    j.db = db;
    j.a = a;
    j.viewer = viewer;
    j.n = n;
    j.now = now;
    bool foreign = false;
    if (token_well_formed(n->submit_token)) {
        j.submit_token = n->submit_token;
        RequestResult found = find_submitted(db, a, viewer, j.submit_token, out, &foreign);
        if (found != REQUEST_NOT_FOUND)
            return found;
        if (foreign)
            j.submit_token = NULL; /* someone else's token: never reveal or reuse it */
    }
    j.clean = arena_alloc(a, sizeof *j.clean * (size_t)(n->form->field_count + 1));
    if (!request_form_validate(a, n, viewer->email, errors, j.clean))
        return REQUEST_INVALID;
    const char *bad;
    request_participants_parse(a, n->participants, viewer->email, &j.participants,
                               &j.participant_count, &bad);
    j.summary = field_value(n->form, j.clean, "summary");
    if (!*j.summary) /* a type without a summary field: its name stands in */
        j.summary = str_eq(viewer->lang, "en") ? n->form->type.name_en : n->form->type.name_de;
    j.description = field_value(n->form, j.clean, "description");

    DbResult r = db_begin(db);
    if (r != DB_OK)
        return request_db_failure(r);
    if (j.submit_token) { /* again inside: a double click's twin may have committed meanwhile */
        RequestResult found = find_submitted(db, a, viewer, j.submit_token, out, &foreign);
        if (found != REQUEST_NOT_FOUND || foreign) {
            db_rollback(db);
            return found == REQUEST_NOT_FOUND ? REQUEST_ERROR : found;
        }
    }
    r = create_steps(&j);
    if (r == DB_OK)
        r = db_commit(db);
    if (r != DB_OK) {
        db_rollback(db);
        if (j.rate_limited) {
            add_error(errors, REQUEST_ERROR_PARTICIPANTS,
                      N_("You have invited many people recently. Please try again in an hour, "
                         "or ask them to register themselves."),
                      NULL);
            return REQUEST_INVALID;
        }
        if (r == DB_CONFLICT && j.submit_token &&
            find_submitted(db, a, viewer, j.submit_token, out, &foreign) == REQUEST_OK)
            return REQUEST_OK; /* PostgreSQL: the twin won the unique submit token */
        return r == DB_CONFLICT ? REQUEST_UNAVAILABLE : request_db_failure(r);
    }
    out->id = j.id;
    out->key = j.key;
    out->mail_queued = true;
    log_info("event=request_created key=%s user=%lld", j.key, (long long)viewer->user_id);
    return REQUEST_OK;
}
