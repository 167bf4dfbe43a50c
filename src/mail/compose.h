/* compose: turns a mail's content (translatable paragraphs, an optional button) into the
 * plain-text and HTML bodies of a MailMessage in the recipient's language. */
#ifndef PFORTE_MAIL_COMPOSE_H
#define PFORTE_MAIL_COMPOSE_H
#include "core/arena.h"
#include "mail/message.h"
#include <stdbool.h>

#define MAIL_MAX_PARAGRAPHS 6

typedef struct MailVar {
    const char *name;
    const char *value;
} MailVar;

typedef struct MailContent {
    const char *subject;                        /* msgid, may hold %{name} */
    const char *before[MAIL_MAX_PARAGRAPHS];    /* paragraphs before the button (msgids) */
    const char *button_label;                   /* msgid; NULL = no button */
    const char *button_url;                     /* the link (not translated) */
    const char *after[MAIL_MAX_PARAGRAPHS];     /* paragraphs after the button (msgids) */
} MailContent;

/* Just the subject mail_compose would give (for an outbox row whose bytes come later). */
const char *mail_compose_subject(Arena *a, const MailContent *content, const MailVar *vars,
                                 int nvars, const char *lang);

/* Fills out->subject/text/html/from/lang (out->to is the caller's) from content translated
 * into lang with %{name} replaced by vars; everything lives in a. False on a template error
 * (logged). */
bool mail_compose(Arena *a, const MailContent *content, const MailVar *vars, int nvars,
                  const char *lang, MailMessage *out);

/* The Reply-To of mails about a request: "Portal <support+TOKEN@example.com>" - the reply
 * address (setting mail_reply_address, else the address of mail_from) plus-addressed with the
 * request's reply token, so a reply finds its request. NULL when the token is empty or the
 * result would not be a valid address (too long a local part): the mail then goes without
 * Reply-To and replies are matched by subject and thread. Allocated in a. */
const char *mail_reply_to_for(Arena *a, const char *portal_name, const char *reply_token);

#endif
