/* notify: who hears about a change on a request and what the mail says. One mail per
 * recipient (their language, their name), all in the request's thread.
 * SECURITY: recipients come from the request's people only (reporter and participants), are
 * registered customers with notifications on, and never the actor; comment text goes into the
 * mail as plain text (HTML part escaped by the mail template). */
#include "domain/admin.h"
#include "domain/notify.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/i18n_mark.h"
#include "core/log.h"
#include "core/str.h"
#include "mail/compose.h"
#include "mail/mail.h"
#include "auth/token.h"
#include "store/accounts.h"
#include "store/activity.h"
#include "store/catalog.h"
#include "store/mail_in.h"
#include "core/i18n.h"
#include <sodium.h>
#include <string.h>

#define MAIL_COMMENT_MAX_BYTES 6000 /* longer comments are cut in the mail, whole on the page */

/* Paragraphs that are only the value of a variable: such a msgid stays itself in every
 * language. A comment fills up to COMMENT_PARAGRAPHS of them (the last takes the rest). */
#define COMMENT_PARAGRAPHS 3
static const char *const COMMENT_PARAGRAPH[COMMENT_PARAGRAPHS] = {"%{comment1}", "%{comment2}",
                                                                  "%{comment3}"};

static const char *const FOOTER_NOTE =
    N_("You receive this mail because you take part in this request. You can turn these mails "
       "off in your profile.");

/* The invitation of someone new to a request: the same words as when a request is created
 * with participants (request_create.c), so both read alike. */
static const MailContent INVITATION_MAIL = {
    N_("%{sharer} shared the request %{key} with you"),
    {N_("Hello,"),
     N_("%{sharer} has shared the request %{key} \"%{summary}\" with you at %{portal_name}."),
     N_("To see it and take part, choose a password for your new account:")},
    N_("Choose a password and view the request"),
    NULL,
    {N_("The link is valid for %{hours} hours and works once."),
     N_("If you do not know what this is about, you can ignore this mail.")},
};

const char *notify_portal_name(Db *db, Arena *a)
{
    char *name = store_setting_get(db, a, "portal_name");
    return str_empty(name) ? settings_now()->portal_name : name;
}

/* The domain part of the sender address, for Message-IDs. */
static const char *message_id_domain(Arena *a)
{
    const char *name = NULL, *addr = NULL;
    if (settings_now()->mail_from && mail_mailbox_parse(a, settings_now()->mail_from, &name, &addr)) {
        const char *at = strchr(addr, '@');
        if (at && at[1])
            return at + 1;
    }
    return "pforte.invalid";
}

/* "<pforte.sup-42.e17.u3.9f2c...@example.com>": unique, and says what it is about. */
static const char *message_id_new(Arena *a, const RequestView *r, int64_t event_id, int64_t user_id)
{
    unsigned char random[8];
    randombytes_buf(random, sizeof random);
    return arena_printf(a, "<pforte.%s.e%lld.u%lld.%s@%s>", str_lower(a, r->key),
                        (long long)event_id, (long long)user_id, str_hex(a, random, sizeof random),
                        message_id_domain(a));
}

static const char *mail_lang(const char *lang)
{
    return str_eq(lang, "en") ? "en" : "de";
}

/* Cuts text at a UTF-8 boundary and marks the cut. */
static const char *clip(Arena *a, const char *text, size_t max)
{
    size_t n = strlen(text);
    if (n <= max)
        return text;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    return arena_printf(a, "%.*s …", (int)max, text);
}

static const char *join_names(Arena *a, const char *const *names, int count)
{
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < count; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    return buf_cstr(&b);
}

/* Splits text at blank lines into at most COMMENT_PARAGRAPHS parts (the last keeps the
 * rest), so the HTML part shows paragraphs too; returns how many. */
static int comment_split(Arena *a, const char *text, const char *parts[COMMENT_PARAGRAPHS])
{
    int n = 0;
    const char *p = text;
    while (*p && n < COMMENT_PARAGRAPHS) {
        while (*p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *end = n == COMMENT_PARAGRAPHS - 1 ? NULL : strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        parts[n++] = arena_strndup(a, p, len);
        p += end ? (size_t)(end - p) : strlen(p);
    }
    return n;
}

/* Fills content's paragraphs for change (msgids; the text comes from vars). */
static void content_for(MailContent *content, const NotifyChange *change, bool named,
                        int paragraphs)
{
    int i = 0;
    memset(content, 0, sizeof *content);
    content->subject = N_("[%{key}] %{summary}");
    content->before[i++] = named ? N_("Hello %{name},") : N_("Hello,");
    switch (change->kind) {
    case NOTIFY_COMMENT:
        content->before[i++] = N_("%{actor} has written on the request %{key} “%{summary}”:");
        for (int k = 0; k < COMMENT_PARAGRAPHS && k < paragraphs; k++)
            content->before[i++] = COMMENT_PARAGRAPH[k];
        if (change->file_count > 0)
            content->before[i++] = N_("Attached files: %{files}");
        break;
    case NOTIFY_STATUS:
        content->before[i++] = N_("%{actor} has changed the status of the request %{key} "
                                  "“%{summary}” from “%{old_status}” to “%{new_status}”.");
        break;
    case NOTIFY_SHARED:
        content->before[i++] = N_("%{actor} has shared the request %{key} “%{summary}” with "
                                  "you. You can now read it, comment on it and follow its "
                                  "progress.");
        break;
    }
    content->button_label = N_("Open the request");
    content->after[0] = FOOTER_NOTE;
}

static bool wants_mail(const RequestPerson *p, const Viewer *actor, const NotifyChange *change)
{
    /* invited people who never set a password got their invitation; no stream of mail */
    if (p->user_id == actor->user_id || !str_eq(p->role, "customer") || !p->notify || p->disabled ||
        !p->has_password)
        return false;
    return change->kind != NOTIFY_SHARED || p->user_id == change->recipient_id;
}

static DbResult queue_one(Db *db, Arena *a, const RequestView *r, const Viewer *actor,
                          const NotifyChange *change, const RequestPerson *p, const char **root,
                          int64_t now)
{
    const char *lang = mail_lang(p->lang);
    MailContent content;
    const char *parts[COMMENT_PARAGRAPHS] = {"", "", ""};
    int paragraphs = change->comment
                         ? comment_split(a, clip(a, change->comment, MAIL_COMMENT_MAX_BYTES), parts)
                         : 0;
    content_for(&content, change, !str_empty(p->name), paragraphs);
    content.button_url = arena_printf(a, "%s/requests/%s", config_base_url(settings_now()), r->key);
    MailVar vars[] = {
        {"portal_name", notify_portal_name(db, a)},
        {"key", r->key},
        {"summary", r->summary},
        {"name", p->name},
        {"actor", str_empty(actor->name) ? actor->email : actor->name},
        {"comment1", parts[0]},
        {"comment2", parts[1]},
        {"comment3", parts[2]},
        {"files", join_names(a, change->file_names, change->file_count)},
        {"old_status", i18n_get(lang, request_status_msgid(change->old_status))},
        {"new_status", i18n_get(lang, request_status_msgid(change->new_status))},
    };
    MailMessage msg = {0};
    if (!mail_compose(a, &content, vars, (int)(sizeof vars / sizeof vars[0]), lang, &msg))
        return DB_ERROR;
    msg.to = p->email;
    msg.to_name = str_empty(p->name) ? NULL : p->name;
    msg.message_id = message_id_new(a, r, change->event_id, p->user_id);
    msg.reply_to = mail_reply_to_for(a, notify_portal_name(db, a), r->reply_token);
    if (*root) {
        msg.in_reply_to = *root;
        msg.references = *root;
    }
    if (!mail_queue(db, a, &msg, now))
        return DB_ERROR;
    /* a reply's In-Reply-To names this mail: remember which request it was about */
    DbResult res = store_mail_sent_id_insert(db, msg.message_id, r->id, now);
    if (res == DB_OK && !*root) { /* the first mail about this request starts its thread */
        *root = msg.message_id;
        res = store_request_set_message_id(db, r->id, msg.message_id);
        if (res == DB_OK && change->event_id)
            res = store_event_set_message_id(db, change->event_id, msg.message_id);
    }
    return res;
}

DbResult notify_request_change(Db *db, Arena *a, const RequestView *r, const Viewer *actor,
                               const NotifyChange *change, int64_t now)
{
    RequestPerson *people;
    int count;
    DbResult res = store_request_people(db, a, r->id, &people, &count);
    const char *root = NULL;
    if (!str_empty(r->message_id))
        root = r->message_id[0] == '<' ? r->message_id : arena_printf(a, "<%s>", r->message_id);
    for (int i = 0; res == DB_OK && i < count; i++) {
        if (!wants_mail(&people[i], actor, change))
            continue;
        /* a person can be reporter and participant at once: one mail is enough */
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = people[j].user_id == people[i].user_id;
        if (!seen)
            res = queue_one(db, a, r, actor, change, &people[i], &root, now);
    }
    if (res != DB_OK)
        log_warn("event=notify_failed request=%lld result=%d", (long long)r->id, (int)res);
    return res;
}

DbResult notify_invitation(Db *db, Arena *a, const RequestView *r, const Viewer *actor,
                           const User *u, int64_t now)
{
    char token[TOKEN_LEN + 1], hash[TOKEN_HASH_HEX + 1];
    token_new(token);
    token_hash(token, hash);
    int64_t lifetime = cfg.verify_token_hours * 3600;
    const char *lang = mail_lang(u->lang);
    DbResult res = store_token_insert(db, hash, "invite", u->email, u->id,
                                      arena_printf(a, "/requests/%s", r->key), now, now + lifetime);
    MailContent content = INVITATION_MAIL;
    content.button_url =
        arena_printf(a, "%s/register/finish?token=%s", config_base_url(settings_now()), token);
    MailVar vars[] = {
        {"portal_name", notify_portal_name(db, a)},
        {"sharer", str_empty(actor->name) ? actor->email : actor->name},
        {"key", r->key},
        {"summary", r->summary},
        {"hours", arena_printf(a, "%lld", (long long)cfg.verify_token_hours)},
    };
    MailMessage msg = {0};
    if (res == DB_OK &&
        !mail_compose(a, &content, vars, (int)(sizeof vars / sizeof vars[0]), lang, &msg))
        res = DB_ERROR;
    if (res == DB_OK) {
        msg.to = u->email;
        msg.to_name = str_empty(u->name) ? NULL : u->name;
        msg.message_id = message_id_new(a, r, 0, u->id);
        if (!mail_queue(db, a, &msg, now))
            res = DB_ERROR;
        if (res == DB_OK)
            res = store_mail_sent_id_insert(db, msg.message_id, r->id, now);
    }
    /* the link lived in the composed text in a; it is never logged and goes out only by mail */
    sodium_memzero(token, sizeof token);
    return res;
}
