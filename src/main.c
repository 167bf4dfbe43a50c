/* main: command dispatch only - every command lives in its own module. */
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/str.h"
#include "cli.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("usage: pforte COMMAND [options]\n"
          "  serve               run the portal (HTTP server, mail worker)\n"
          "  migrate             create or upgrade the database schema\n"
          "  admin setup-link    print a one-time link that creates the first admin\n"
          "  admin user add|list|disable ...\n"
          "  backup FILE         consistent copy of the SQLite database\n"
          "  mail-in             file one mail read from standard input (MTA pipe)\n"
          "  mail-poll           file the unseen mail of the IMAP mailbox (--interval SECONDS)\n"
          "  copy-db --from FILE.db --to postgres://...   move the data to PostgreSQL, verified\n"
          "  options             print the table of every option (Markdown)\n"
          "common options: --config FILE --data DIR --db URL (see README)\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || str_eq(argv[1], "--help") || str_eq(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* a client or SMTP server that goes away must not kill the process */
    signal(SIGPIPE, SIG_IGN);
    const char *command = argv[1];
    char *args[16];
    int nargs = 0;
    static const char *const admin_flags[] = {"email", "name", "role", NULL};
    static const char *const poll_flags[] = {"interval", NULL};
    if (str_eq(command, "admin"))
        config_allow_extra_flags(admin_flags, cli_admin_flag_values);
    if (str_eq(command, "mail-poll"))
        config_allow_extra_flags(poll_flags, cli_mail_poll_flag_values);
    static const char *const copy_flags[] = {"from", "to", NULL};
    if (str_eq(command, "copy-db"))
        config_allow_extra_flags(copy_flags, cli_copy_flag_values);
    Buf err;
    buf_init(&err, NULL);
    if (!config_load(&cfg, argc, argv, 2, args, 16, &nargs, &err)) {
        fprintf(stderr, "pforte: %s\n", buf_cstr(&err));
        return 2;
    }
    buf_free(&err);
    log_set_level(cfg.log_level);
    for (const CliCommand *c = CLI_COMMANDS; c->name; c++)
        if (str_eq(c->name, command))
            return c->run(nargs, args);
    fprintf(stderr, "pforte: unknown command \"%s\"\n", command);
    usage(stderr);
    return 2;
}
