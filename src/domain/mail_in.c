/* mail_in (domain): the decisions for one inbound mail, in order - size, parse, automatic
 * mail (loops, bounces, auto-replies, bulk), duplicates, the sender, the rate limit, then the
 * request it answers (reply token in a plus-address, else the subject's key together with a
 * Message-ID of the portal's in In-Reply-To/References) - and filing through the same domain
 * functions the pages use.
 * SECURITY: see mail_in.h; the sender's From address alone never picks a request. */
#include "domain/mail_in.h"
#include "auth/token.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/i18n.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/activity.h"
#include "domain/attachments.h"
#include "domain/ratelimit.h"
#include "domain/request_create.h"
#include "domain/requests.h"
#include "mail/inbound.h"
#include "mail/reply_text.h"
#include "store/accounts.h"
#include "store/activity.h"
#include "store/catalog.h"
#include "store/mail_in.h"
#include <sodium.h>
#include <string.h>

#define MAIL_IN_SUMMARY_FALLBACK_POINTS 80 /* a subject-less mail: its first line, this long */

typedef struct Job {
    Db *db;
    Arena *a;
    int64_t now;
    InboundMail m;
    const char *dedup_key; /* the Message-ID, or "sha256:..." of the bytes when it has none */
    User sender;
    Viewer viewer;
    int64_t request_id; /* for the log */
    MailInResult res;
} Job;

int mail_in_exit_code(MailInStatus status)
{
    switch (status) {
    case MAIL_IN_FILED:
    case MAIL_IN_IGNORED:
        return 0;
    case MAIL_IN_REJECTED:
        return 65; /* EX_DATAERR: the MTA bounces it with our message */
    case MAIL_IN_TEMPORARY:
        return 75; /* EX_TEMPFAIL: the MTA keeps it and tries again */
    }
    return 75;
}

/* Ends the job with an outcome; everything but temporary failures goes into the log. */
static MailInResult job_end(Job *j, MailInStatus status, const char *outcome, const char *detail)
{
    j->res.status = status;
    j->res.outcome = outcome;
    j->res.detail = detail ? detail : "";
    if (!j->res.key)
        j->res.key = "";
    if (status != MAIL_IN_TEMPORARY) {
        MailInLogRow row = {j->now,  j->m.message_id, j->m.from_addr,  j->m.subject,
                            outcome, j->request_id,   j->res.event_id, j->res.detail};
        if (store_mail_in_log_insert(j->db, &row) != DB_OK)
            log_warn("event=mail_in_log_failed outcome=%s", outcome);
    }
    log_info("event=mail_in outcome=%s key=%s", outcome, j->res.key);
    return j->res;
}

static MailInResult job_db_failure(Job *j, DbResult r)
{
    if (r == DB_BUSY)
        return job_end(j, MAIL_IN_TEMPORARY, "unavailable", "database busy");
    return job_end(j, MAIL_IN_TEMPORARY, "unavailable", "database error");
}

/* ---- finding the request ---- */

/* The reply token of a plus-address "support+TOKEN@example.com", lowercased, or NULL. */
static const char *recipient_token(Arena *a, const char *addr)
{
    const char *at = strrchr(addr, '@');
    if (!at)
        return NULL;
    const char *plus = NULL;
    for (const char *p = addr; p < at; p++)
        if (*p == '+')
            plus = p;
    if (!plus || (size_t)(at - plus - 1) != TOKEN_LEN)
        return NULL;
    for (const char *p = plus + 1; p < at; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return NULL;
    return str_lower(a, arena_strndup(a, plus + 1, TOKEN_LEN));
}

/* The number of the first key with the configured prefix in the subject ("[SUP-42]" in
 * notifications, "SUP-42:" in confirmations), 0 if none. */
static int64_t subject_number(Arena *a, const char *subject)
{
    const char *p = subject;
    while (*p) {
        size_t n = 0;
        while (p[n] && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
                        (p[n] >= '0' && p[n] <= '9') || p[n] == '-'))
            n++;
        int64_t number = 0;
        if (n > 0 && n < 40 && request_parse_key(arena_strndup(a, p, n), &number))
            return number;
        p += n ? n : 1;
    }
    return 0;
}

/* By reply token first; else by the subject's key when a Message-ID in In-Reply-To or
 * References is one the portal sent about that same request. *number 0 when no match. */
static DbResult job_match(Job *j, int64_t *number, const char **how)
{
    *number = 0;
    for (int i = 0; i < j->m.recipient_count; i++) {
        const char *token = recipient_token(j->a, j->m.recipients[i]);
        if (!token)
            continue;
        int64_t id = 0;
        DbResult r = store_mail_request_by_reply_token(j->db, token, &id, number);
        if (r != DB_OK || *number) {
            *how = "reply token";
            j->request_id = id;
            return r;
        }
    }
    int64_t wanted = subject_number(j->a, j->m.subject);
    if (!wanted)
        return DB_OK;
    for (int i = 0; i < j->m.reference_count; i++) {
        int64_t id = 0, found = 0;
        DbResult r = store_mail_request_by_sent_id(j->db, j->m.references[i], &id);
        if (r == DB_OK && id)
            r = store_mail_request_number(j->db, id, &found);
        if (r != DB_OK)
            return r;
        if (found == wanted) {
            *number = found;
            *how = "subject and thread";
            j->request_id = id;
            return DB_OK;
        }
    }
    return DB_OK;
}

/* ---- what is filed ---- */

/* At most max code points of valid UTF-8 text; *clipped says whether something was cut. */
static const char *clip_points(Arena *a, const char *text, size_t max, bool *clipped)
{
    size_t points = 0;
    const char *p = text;
    while (*p && points < max) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80)
            p++;
        points++;
    }
    *clipped = *p != '\0';
    return *clipped ? arena_strndup(a, text, (size_t)(p - text)) : text;
}

/* The mail's files as attachments; plus, when the text had to be clipped, the whole text as
 * a file so nothing is lost. */
static NewAttachment *job_files(Job *j, const char *full_text, bool clipped, int *count)
{
    NewAttachment *files = arena_alloc(j->a, sizeof *files * (size_t)(j->m.file_count + 1));
    *count = 0;
    for (int i = 0; i < j->m.file_count; i++) {
        const InboundFile *f = &j->m.files[i];
        files[(*count)++] = (NewAttachment){f->filename, f->content_type, f->data, f->size};
    }
    if (clipped)
        files[(*count)++] =
            (NewAttachment){str_eq(j->viewer.lang, "en") ? "message.txt" : "nachricht.txt",
                            "text/plain", (const unsigned char *)full_text, strlen(full_text)};
    return files;
}

/* Drops files the request holds already (same SHA-256): mail clients attach the sender's logo
 * and the quoted mail's images to every reply again. */
static int job_drop_known_files(Job *j, int64_t request_id, NewAttachment *files, int count)
{
    AttachmentRow *known;
    int known_count = 0;
    if (count == 0 ||
        store_attachment_list(j->db, j->a, request_id, true, &known, &known_count) != DB_OK)
        return count;
    int kept = 0;
    for (int i = 0; i < count; i++) {
        unsigned char hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(hash, files[i].data, files[i].size);
        const char *hex = str_hex(j->a, hash, sizeof hash);
        bool seen = false;
        for (int k = 0; k < known_count && !seen; k++)
            seen = str_eq(known[k].sha256, hex);
        if (!seen)
            files[kept++] = files[i];
    }
    return kept;
}

static bool job_may_comment(Job *j, const RequestView *r, bool *allowed)
{
    *allowed = request_viewer_is_staff(&j->viewer) || r->reporter_id == j->sender.id;
    if (*allowed)
        return true;
    RequestPerson *people;
    int count;
    if (store_request_people(j->db, j->a, r->id, &people, &count) != DB_OK)
        return false;
    for (int i = 0; i < count; i++)
        if (people[i].user_id == j->sender.id)
            *allowed = true;
    return true;
}

/* A refusal the sender reads in the MTA's bounce: German, then English. */
static const char *bilingual(Arena *a, const char *msgid)
{
    return arena_printf(a, "%s / %s", attachments_error_text(a, "de", msgid),
                        attachments_error_text(a, "en", msgid));
}

static const char *first_error(Arena *a, const FieldErrors *e)
{
    return e->count ? bilingual(a, e->items[0].msgid) : "";
}

static MailInResult job_mark_filed(Job *j, const char *outcome, const char *detail)
{
    bool inserted = false;
    DbResult r = store_mail_in_seen_insert(j->db, j->dedup_key, j->request_id, j->res.event_id,
                                           j->now, &inserted);
    if (r != DB_OK)
        log_warn("event=mail_in_seen_failed result=%d", (int)r);
    return job_end(j, MAIL_IN_FILED, outcome, detail);
}

static MailInResult job_comment(Job *j, const char *key, const char *how)
{
    RequestView r;
    RequestResult rr = request_open_for_viewer(j->db, j->a, &j->viewer, key, &r);
    if (rr == REQUEST_UNAVAILABLE || rr == REQUEST_ERROR)
        return job_db_failure(j, DB_BUSY);
    bool allowed = false;
    if (rr != REQUEST_OK || !job_may_comment(j, &r, &allowed) || !allowed)
        return job_end(j, MAIL_IN_IGNORED, "not_allowed",
                       "the sender does not take part in the request");
    bool forward = reply_subject_is_forward(j->m.subject);
    const char *text = reply_text_cut(j->a, j->m.text, forward);
    bool clipped = false;
    const char *body = clip_points(j->a, text, ACTIVITY_MAX_TEXT, &clipped);
    int file_count = 0;
    NewAttachment *files = job_files(j, text, clipped, &file_count);
    file_count = job_drop_known_files(j, r.id, files, file_count);
    if (!*body && file_count == 0)
        return job_end(j, MAIL_IN_IGNORED, "empty", "no text of its own and no files");
    ActivityContext c = {j->db, j->a, &j->viewer, "mail", j->now};
    FieldErrors errors = {0};
    int64_t event_id = 0;
    rr = activity_comment(&c, key, body, files, file_count, &errors, &event_id);
    if (rr == REQUEST_UNAVAILABLE || rr == REQUEST_ERROR)
        return job_db_failure(j, rr == REQUEST_UNAVAILABLE ? DB_BUSY : DB_ERROR);
    if (rr != REQUEST_OK)
        return job_end(j, MAIL_IN_REJECTED, "rejected", first_error(j->a, &errors));
    j->res.key = arena_strdup(j->a, key);
    j->res.event_id = event_id;
    return job_mark_filed(j, "comment", how);
}

/* The submit token of a request made from a mail: derived from its Message-ID, so the same
 * mail delivered twice creates one request. */
static const char *job_submit_token(Job *j)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)j->dedup_key, strlen(j->dedup_key));
    char *out = arena_alloc(j->a, TOKEN_LEN + 1);
    sodium_bin2base64(out, TOKEN_LEN + 1, hash, sizeof hash,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static RequestResult job_form(Job *j, RequestForm *form)
{
    RequestResult rr = REQUEST_NOT_FOUND;
    if (!str_empty(cfg.mail_in_request_type)) {
        rr = request_form_load(j->db, j->a, cfg.mail_in_request_type, form);
        if (rr == REQUEST_NOT_FOUND)
            log_warn("event=mail_in_type_missing type=%s", cfg.mail_in_request_type);
    }
    if (rr != REQUEST_NOT_FOUND)
        return rr;
    RequestType *types;
    int count = 0;
    DbResult r = store_request_types(j->db, j->a, true, &types, &count);
    if (r != DB_OK)
        return request_db_failure(r);
    return count ? request_form_load(j->db, j->a, types[0].key, form) : REQUEST_NOT_FOUND;
}

/* The summary: the subject without "AW:"/"Fwd:", else the text's first line. */
static const char *job_summary(Job *j, const char *text)
{
    const char *s = reply_subject_clean(j->a, j->m.subject);
    /* "[SUP-42] ..." of a mail that answers no request: the old key would only mislead */
    const char *close = s[0] == '[' ? strchr(s, ']') : NULL;
    int64_t number = 0;
    if (close && close - s < 40 &&
        request_parse_key(arena_strndup(j->a, s + 1, (size_t)(close - s - 1)), &number))
        s = str_trim(j->a, close + 1);
    if (!*s) {
        size_t n = strcspn(text, "\n");
        bool cut;
        s = clip_points(j->a, arena_strndup(j->a, text, n), MAIL_IN_SUMMARY_FALLBACK_POINTS, &cut);
    }
    if (!*s)
        s = i18n_get(j->viewer.lang, N_("(no subject)"));
    bool clipped;
    return clip_points(j->a, s, REQUEST_MAX_SUMMARY, &clipped);
}

static MailInResult job_create(Job *j)
{
    RequestForm form;
    RequestResult rr = job_form(j, &form);
    if (rr == REQUEST_NOT_FOUND)
        return job_end(j, MAIL_IN_IGNORED, "no_match", "no active request type");
    if (rr != REQUEST_OK)
        return job_db_failure(j, rr == REQUEST_UNAVAILABLE ? DB_BUSY : DB_ERROR);
    /* a new mail keeps what it quotes (often the reason for writing); only the signature goes */
    const char *text = reply_text_cut(j->a, j->m.text, true);
    FieldInput *inputs = arena_alloc(j->a, sizeof *inputs * (size_t)(form.field_count + 1));
    bool clipped = true; /* without a description field the text goes along as a file */
    for (int i = 0; i < form.field_count; i++) {
        const RequestField *f = &form.fields[i].def;
        const char *value = NULL;
        if (str_eq(f->key, "summary")) {
            value = job_summary(j, text);
        } else if (str_eq(f->key, "description")) {
            size_t max = str_eq(f->kind, "textarea") ? REQUEST_MAX_TEXTAREA : REQUEST_MAX_TEXT;
            value = clip_points(j->a, text, max, &clipped);
        }
        if (value) {
            const char **values = arena_alloc(j->a, sizeof *values);
            values[0] = value;
            inputs[i].values = values;
            inputs[i].count = 1;
        }
    }
    int file_count = 0;
    NewAttachment *files = job_files(j, text, clipped && *text, &file_count);
    NewRequest n = {.form = &form,
                    .inputs = inputs,
                    .submit_token = job_submit_token(j),
                    .by_mail = true,
                    .files = files,
                    .file_count = file_count};
    RequestErrors errors = {0};
    CreatedRequest created;
    rr = request_create(j->db, j->a, &j->viewer, &n, j->now, &errors, &created);
    if (rr == REQUEST_UNAVAILABLE || rr == REQUEST_ERROR)
        return job_db_failure(j, rr == REQUEST_UNAVAILABLE ? DB_BUSY : DB_ERROR);
    if (rr != REQUEST_OK) {
        const char *detail = errors.count ? bilingual(j->a, errors.items[0].msgid) : "";
        return job_end(j, MAIL_IN_REJECTED, "rejected", detail);
    }
    j->res.key = created.key;
    j->request_id = created.id;
    return job_mark_filed(j, "created", created.existing ? "created before" : "");
}

/* ---- the whole decision ---- */

static const char *content_key(Arena *a, const char *data, size_t size)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)data, size);
    return arena_printf(a, "sha256:%s", str_hex(a, hash, sizeof hash));
}

/* Automatic mail: our own coming back, bounces, auto-replies, bulk. NULL when none. */
static const char *job_automatic(Job *j, DbResult *r)
{
    *r = DB_OK;
    int64_t ours = 0;
    if (!str_empty(j->m.message_id))
        *r = store_mail_request_by_sent_id(j->db, j->m.message_id, &ours);
    if (j->m.ours || ours)
        return "loop";
    if (j->m.bounce)
        return "bounce";
    if (j->m.auto_submitted)
        return "auto_reply";
    if (j->m.bulk)
        return "bulk";
    return NULL;
}

static MailInResult job_file_known(Job *j)
{
    bool allowed = true;
    int64_t retry = 0;
    DbResult r = ratelimit_hit(j->db, "mail-in", j->m.from_addr, cfg.rate_mail_in_sender, 3600,
                               j->now, &allowed, &retry);
    if (r != DB_OK)
        return job_db_failure(j, r);
    if (!allowed) {
        log_warn("event=rate_limited kind=mail-in user=%lld", (long long)j->sender.id);
        return job_end(j, MAIL_IN_TEMPORARY, "rate_limited", "too many mails from this sender");
    }
    int64_t number = 0;
    const char *how = "";
    r = job_match(j, &number, &how);
    if (r != DB_OK)
        return job_db_failure(j, r);
    if (number) {
        RequestView view;
        const char *key = request_format_key(j->a, number);
        RequestResult rr = request_open_for_viewer(j->db, j->a, &j->viewer, key, &view);
        bool closed = rr == REQUEST_OK && str_eq(view.status, REQUEST_STATUS_CLOSED);
        if (!closed)
            return job_comment(j, key, how);
        j->request_id = 0; /* a closed request takes no comments: the mail starts a new one */
    }
    if (!str_eq(j->sender.role, "customer") || !cfg.mail_in_create_requests)
        return job_end(j, MAIL_IN_IGNORED, "no_match",
                       cfg.mail_in_create_requests ? "agents' mail must answer a request"
                                                   : "creating requests by mail is off");
    return job_create(j);
}

static const char *too_large_text(Arena *a)
{
    const char *msgid = N_("The message is larger than the limit of %{limit}.");
    const char *parts[2];
    const char *langs[2] = {"de", "en"};
    for (int i = 0; i < 2; i++) {
        const char *t = i18n_get(langs[i], msgid);
        const char *at = strstr(t, "%{limit}");
        parts[i] =
            at ? arena_printf(a, "%.*s%s%s", (int)(at - t), t,
                              attachment_format_size(a, langs[i], cfg.mail_in_max_bytes), at + 8)
               : t;
    }
    return arena_printf(a, "%s / %s", parts[0], parts[1]);
}

MailInResult mail_in_file(Db *db, Arena *a, const char *data, size_t size, int64_t now)
{
    Job job = {.db = db, .a = a, .now = now};
    Job *j = &job;
    j->m.from_addr = j->m.subject = j->m.message_id = j->m.text = "";
    if ((int64_t)size > cfg.mail_in_max_bytes)
        return job_end(j, MAIL_IN_REJECTED, "too_large", too_large_text(a));
    const char *problem = NULL;
    if (!inbound_available()) /* an installation problem, not the sender's: try again later */
        return job_end(j, MAIL_IN_TEMPORARY, "unavailable", "the mail parser cannot be loaded");
    if (!inbound_parse(a, data, size, &j->m, &problem)) {
        j->m.from_addr = j->m.subject = j->m.message_id = j->m.text = "";
        return job_end(j, MAIL_IN_REJECTED, "unparsable", problem);
    }
    j->dedup_key = str_empty(j->m.message_id) ? content_key(a, data, size) : j->m.message_id;
    DbResult r;
    const char *automatic = job_automatic(j, &r);
    if (r != DB_OK)
        return job_db_failure(j, r);
    if (automatic)
        return job_end(j, MAIL_IN_IGNORED, automatic, "automatic mail is never filed");
    if (str_empty(j->m.from_addr))
        return job_end(j, MAIL_IN_REJECTED, "invalid", "no sender address in From");
    bool seen = false;
    r = store_mail_in_seen(db, j->dedup_key, &seen);
    if (r != DB_OK)
        return job_db_failure(j, r);
    if (seen)
        return job_end(j, MAIL_IN_IGNORED, "duplicate", "this Message-ID was filed before");
    r = store_user_by_email(db, a, j->m.from_addr, &j->sender);
    if (r != DB_OK)
        return job_db_failure(j, r);
    if (!j->sender.id || j->sender.disabled)
        return job_end(j, MAIL_IN_IGNORED, "unknown_sender",
                       "the sender has no account (or a disabled one)");
    request_viewer_from_user(&j->viewer, &j->sender);
    return job_file_known(j);
}
