/* inbound: parses one received RFC 5322 message (GMime) into what filing it needs - sender,
 * recipients, subject, thread headers, the signs of automatic mail (auto-replies, bounces,
 * bulk, our own mail coming back), the readable text (HTML-only mail converted) and the
 * attached files. The only file that includes GMime. No database, no policy.
 * SECURITY: everything here comes from the outside - sizes and nesting are bounded, text is
 * converted to valid UTF-8, addresses are lowercased and checked, file names are kept as sent
 * (the domain sanitises them). */
#ifndef PFORTE_MAIL_INBOUND_H
#define PFORTE_MAIL_INBOUND_H
#include "core/arena.h"
#include <stdbool.h>
#include <stddef.h>

#define INBOUND_MAX_DEPTH 12  /* MIME nesting followed */
#define INBOUND_MAX_PARTS 200 /* MIME parts looked at */
#define INBOUND_MAX_FILES 50  /* attachments collected (the domain limits further) */
#define INBOUND_MAX_RECIPIENTS 100
#define INBOUND_MAX_REFERENCES 50

typedef struct InboundFile {
    const char *filename;     /* as sent, decoded; "" when none */
    const char *content_type; /* "image/png" as declared */
    const unsigned char *data;
    size_t size;
} InboundFile;

typedef struct InboundMail {
    const char *from_addr; /* lowercased; "" when the From header holds no valid address */
    const char *from_name;
    const char **recipients; /* To, Cc, Delivered-To, X-Original-To, lowercased */
    int recipient_count;
    const char *subject;     /* UTF-8, "" when none */
    const char *message_id;  /* "<id>", or "" when the mail has none */
    const char **references; /* In-Reply-To first, then References, "<id>" each */
    int reference_count;
    bool auto_submitted; /* Auto-Submitted other than "no", X-Autoreply, X-Auto-Response-Suppress */
    bool bounce;         /* empty Return-Path, multipart/report, mailer-daemon */
    bool bulk;           /* Precedence bulk, junk or list */
    bool ours;           /* carries the X-Pforte header of the portal's own mail */
    const char *text;    /* the body as UTF-8 text with "\n" line ends */
    bool text_from_html; /* the text was converted from HTML */
    InboundFile *files;
    int file_count;
} InboundMail;

/* True once the GMime library is loaded (on first use; false when it cannot be). */
bool inbound_available(void);
/* Parses data[0..size). Returns false (with *problem, a short English reason for the log)
 * when it is not a message at all; otherwise fills *out (everything in a). */
bool inbound_parse(Arena *a, const char *data, size_t size, InboundMail *out, const char **problem);

#endif
