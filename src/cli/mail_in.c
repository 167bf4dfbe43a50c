/* mail_in (cli): `pforte mail-in` files one message read from standard input (an MTA pipe)
 * and answers with an exit code the MTA understands; `pforte mail-poll` fetches the unseen
 * messages of an IMAP mailbox through libcurl, files each and marks it \Seen - once (for a
 * timer) or every --interval seconds until SIGTERM.
 * SECURITY: input is read up to the configured size limit and no further into memory; the
 * IMAP password comes from the configuration and is never printed or logged. */
#include "cli.h"
#include "cli/setup.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "domain/mail_in.h"
#include "domain/mail_poll.h"
#include "mail/curl_lib.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EX_TEMPFAIL_CODE 75

const char *cli_mail_poll_flag_values[1];

/* Reads standard input: up to max+1 bytes kept (enough to know it is too large), the rest
 * read and dropped so the MTA's pipe does not break. */
static bool read_stdin(Buf *b, int64_t max, size_t *total)
{
    char chunk[65536];
    *total = 0;
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, stdin);
        if (n > 0) {
            size_t keep = 0;
            if ((int64_t)b->len <= max)
                keep = (size_t)(max + 1 - (int64_t)b->len) < n ? (size_t)(max + 1 - (int64_t)b->len)
                                                               : n;
            buf_append(b, chunk, keep);
            *total += n;
        }
        if (n < sizeof chunk)
            return !ferror(stdin);
    }
}

static void report(const MailInResult *r)
{
    if (r->status == MAIL_IN_FILED || r->status == MAIL_IN_IGNORED)
        printf("%s%s%s\n", r->outcome, *r->key ? " " : "", r->key);
    else
        fprintf(stderr, "pforte mail-in: %s: %s\n", r->outcome, r->detail);
}

int cli_mail_in(int nargs, char **args)
{
    if (nargs) {
        fprintf(stderr, "usage: pforte mail-in [--config FILE] [--data DIR] < message\n");
        return 64; /* EX_USAGE */
    }
    Buf in;
    buf_init(&in, NULL);
    size_t total = 0;
    if (!read_stdin(&in, cfg.mail_in_max_bytes, &total)) {
        fprintf(stderr, "pforte mail-in: could not read the message from standard input\n");
        buf_free(&in);
        return EX_TEMPFAIL_CODE;
    }
    Db *db = cli_open_database();
    if (!db) {
        buf_free(&in);
        return EX_TEMPFAIL_CODE; /* the MTA keeps the mail and tries again */
    }
    Arena a;
    arena_init(&a, 64 * 1024);
    MailInResult r = mail_in_file(db, &a, in.data ? in.data : "", in.len, clock_now());
    report(&r);
    int code = mail_in_exit_code(r.status);
    arena_free(&a);
    buf_free(&in);
    db_close(db);
    curl_lib_cleanup();
    return code;
}

/* ---- mail-poll ---- */

static volatile int poll_stop;

static void poll_on_signal(int sig)
{
    (void)sig;
    poll_stop = 1;
}

int cli_mail_poll(int nargs, char **args)
{
    if (nargs) {
        fprintf(stderr, "usage: pforte mail-poll [--interval SECONDS] [--config FILE]\n");
        return 64;
    }
    if (str_empty(cfg.imap_url)) {
        fprintf(stderr, "pforte mail-poll: no mailbox configured (set imap_url, imap_user and "
                        "imap_password)\n");
        return 64;
    }
    int64_t interval = 0;
    const char *iv = cli_mail_poll_flag_values[0];
    if (iv && (!str_to_int64(iv, &interval) || interval < 1 || interval > 86400)) {
        fprintf(stderr, "pforte mail-poll: --interval takes seconds between 1 and 86400\n");
        return 64;
    }
    Db *db = cli_open_database();
    if (!db)
        return EX_TEMPFAIL_CODE;
    signal(SIGTERM, poll_on_signal);
    signal(SIGINT, poll_on_signal);
    int code = 0;
    do {
        MailPollCounts counts = {0};
        if (!mail_poll_once(db, stdout, &poll_stop, &counts)) {
            fprintf(stderr, "pforte mail-poll: the mailbox could not be read (see the log)\n");
            code = EX_TEMPFAIL_CODE;
        } else {
            code = 0;
        }
        for (int64_t waited = 0; interval && waited < interval * 10 && !poll_stop; waited++)
            usleep(100 * 1000);
    } while (interval && !poll_stop);
    db_close(db);
    curl_lib_cleanup();
    return code;
}
