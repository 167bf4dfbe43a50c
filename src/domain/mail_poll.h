/* mail_poll (domain): fetching replies from an IMAP mailbox - one pass over its unseen
 * messages (each filed with mail_in_file, then marked \Seen, or left unseen when filing must be
 * retried), and the optional thread in `pforte serve` that does a pass every
 * cfg.mail_poll_seconds. No HTTP here.
 * SECURITY: the mailbox password stays in cfg and libcurl; only outcomes are logged. */
#ifndef PFORTE_DOMAIN_MAIL_POLL_H
#define PFORTE_DOMAIN_MAIL_POLL_H
#include "store/db.h"
#include <stdbool.h>
#include <stdio.h>

typedef struct MailPollCounts {
    int filed, ignored, rejected, retry;
} MailPollCounts;

/* One pass over cfg.imap_url's unseen messages (at most cfg.imap_max_messages). A line per
 * message goes to report when not NULL. *stop (may be NULL) ends the pass between messages.
 * Returns false when the mailbox could not be read (logged). */
bool mail_poll_once(Db *db, FILE *report, const volatile int *stop, MailPollCounts *counts);

/* Starts the polling thread of `pforte serve` when cfg.imap_url is set and
 * cfg.mail_poll_seconds > 0 (no-op otherwise); its database connection is db_thread(). */
void mail_poller_start(void);
/* Ends the thread after the message in progress and waits for it. No-op when not running. */
void mail_poller_stop(void);

#endif
