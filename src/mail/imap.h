/* imap: the few IMAP operations mail-poll needs, through libcurl (imap:// and imaps://, TLS
 * and authentication as libcurl does them): search unseen messages, fetch one, set or clear
 * its \Seen flag. One connection per session, reused for every command.
 * SECURITY: the password is handed to libcurl only; errors are logged without it; imap:// to
 * another host must upgrade to TLS (STARTTLS) or fails. */
#ifndef PFORTE_MAIL_IMAP_H
#define PFORTE_MAIL_IMAP_H
#include "core/buf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct ImapSession ImapSession;

/* A session for the mailbox at url ("imaps://host/INBOX"); NULL when url is not IMAP. The
 * connection is made by the first command; libcurl is initialised then if it was not. */
ImapSession *imap_open(const char *url, const char *user, const char *password);
void imap_close(ImapSession *s);
/* The UIDs of unseen messages, ascending, into *uids (heap, caller frees). */
bool imap_search_unseen(ImapSession *s, int64_t **uids, int *count);
/* The whole message with uid into out (heap Buf). Fetching marks it \Seen on most servers.
 * Messages over max bytes are cut at max + 1 bytes (*too_large). */
bool imap_fetch(ImapSession *s, int64_t uid, int64_t max, Buf *out, bool *too_large);
/* Sets (seen) or clears the \Seen flag of uid. */
bool imap_set_seen(ImapSession *s, int64_t uid, bool seen);

#endif
