/* commands: the subcommands that prepare or inspect an installation - migrate, backup,
 * options - and the table main dispatches through. */
#include "cli.h"
#include "cli/setup.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "store/db.h"
#include <stdio.h>

const CliCommand CLI_COMMANDS[] = {
    {"serve", cli_serve},   {"migrate", cli_migrate}, {"admin", cli_admin},
    {"backup", cli_backup}, {"options", cli_options}, {"seed-bench", cli_seed_bench},
    {"mail-in", cli_mail_in}, {"mail-poll", cli_mail_poll}, {"copy-db", cli_copy_db}, {0, 0},
};

int cli_migrate(int nargs, char **args)
{
    if (nargs) {
        fprintf(stderr, "usage: pforte migrate [--data DIR] [--db URL]\n");
        return 2;
    }
    Db *db = cli_open_database();
    if (!db)
        return 1;
    printf("schema version %d\n", db_schema_version(db));
    db_close(db);
    return 0;
}

int cli_backup(int nargs, char **args)
{
    if (nargs != 1) {
        fprintf(stderr, "usage: pforte backup FILE [--data DIR] [--db URL]\n");
        return 2;
    }
    Db *db = cli_open_database();
    if (!db)
        return 1;
    if (db_kind(db) != DB_SQLITE) {
        fprintf(stderr, "pforte backup: only for SQLite; use pg_dump for PostgreSQL\n");
        db_close(db);
        return 2;
    }
    DbResult r = db_backup(db, args[0]);
    db_close(db);
    if (r != DB_OK) {
        fprintf(stderr, "pforte backup: could not write %s (see the log line above)\n",
                args[0]);
        return 1;
    }
    printf("backup written to %s\n", args[0]);
    return 0;
}

int cli_options(int nargs, char **args)
{
    Buf b;
    buf_init(&b, NULL);
    config_write_markdown(&b);
    fputs(buf_cstr(&b), stdout);
    buf_free(&b);
    return 0;
}
