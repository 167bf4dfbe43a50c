/* message: builds one outgoing RFC 5322 message (headers, MIME, quoted-printable bodies) and
 * checks mail addresses. Pure: no I/O besides random bytes for Message-ID and boundary.
 * SECURITY: header injection - every header value with CR, LF or NUL is rejected, addresses must
 * be one plausible local@domain, and everything else that is not plain text is RFC 2047 encoded
 * or quoted, so no caller's text can start a header line of its own. */
#ifndef PFORTE_MAIL_MESSAGE_H
#define PFORTE_MAIL_MESSAGE_H
#include "core/arena.h"
#include "core/buf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct MailMessage {
    const char *from;        /* "Name <addr>" or "addr" */
    const char *to;          /* the bare recipient address */
    const char *to_name;     /* optional display name of the recipient */
    const char *reply_to;    /* optional, "Name <addr>" or "addr" */
    const char *subject;     /* UTF-8 */
    const char *text;        /* plain-text body, required, UTF-8 */
    const char *html;        /* optional HTML body, UTF-8 */
    const char *message_id;  /* optional "<id@domain>" or "id@domain"; generated if NULL */
    const char *in_reply_to; /* optional msg-id(s), "<...>" */
    const char *references;  /* optional msg-ids separated by spaces */
    const char *lang;        /* optional Content-Language, e.g. "de" */
} MailMessage;

/* Longest display name or subject accepted, in bytes (longer text is a caller's bug). */
enum { MAIL_MAX_HEADER_TEXT = 2000 };

/* Appends the complete message (CRLF line ends) to out. The Date header is `now`.
 * *message_id_out (optional) receives the Message-ID with angle brackets, allocated in a, for
 * threading later replies. Returns false - out unchanged, reason logged - when a header value
 * holds CR, LF or control characters where they cannot be encoded, text is not valid UTF-8,
 * an address is not one plausible address, or text is missing. */
bool mail_build(Arena *a, const MailMessage *m, int64_t now, Buf *out, const char **message_id_out);

/* True for a single plausible address local@domain: ASCII, local part <= 64 bytes of atext
 * and inner dots, domain <= 255 bytes of LDH labels with at least one dot (or "localhost"),
 * whole address <= 254 bytes. No spaces, quotes, <>, control characters or comments. */
bool mail_address_valid(const char *addr);

/* Splits "Name <addr>", "\"Quoted, Name\" <addr>", "<addr>" or "addr" into display name (""
 * when none, quotes removed) and address, both allocated in a. False when the address part
 * is not valid (mail_address_valid) or the text holds CR, LF or other control characters. */
bool mail_mailbox_parse(Arena *a, const char *mailbox, const char **name, const char **addr);

#endif
