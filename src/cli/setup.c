/* setup: shared start-up of every subcommand. */
#include "cli/setup.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/str.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool make_dir(const char *path)
{
    if (mkdir(path, 0750) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "pforte: cannot create the data directory %s: %s\n", path, strerror(errno));
    return false;
}

Db *cli_open_database(void)
{
    if (!make_dir(cfg.data))
        return NULL;
    if (cfg.test_clock) {
        char path[4096];
        snprintf(path, sizeof path, "%s/clock-offset", cfg.data);
        clock_enable_test_offset(path);
    }
    const char *url = config_db_url(&cfg);
    Db *db = db_open(url);
    if (!db) {
        fprintf(stderr, "pforte: cannot open the database (%s)\n",
                str_starts_with(url, "postgres") ? "PostgreSQL" : url);
        return NULL;
    }
    if (db_migrate(db) != DB_OK) {
        fprintf(stderr, "pforte: the database schema could not be upgraded\n");
        db_close(db);
        return NULL;
    }
    return db;
}
