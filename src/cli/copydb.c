/* copydb: `pforte copy-db --from FILE.db --to postgres://...` - the upgrade path from one
 * SQLite installation to PostgreSQL: migrates both, copies every table in one transaction,
 * then compares row counts and checksums table by table and prints them. */
#include "cli.h"
#include "core/arena.h"
#include "core/str.h"
#include "domain/search_index.h"
#include "store/copy.h"
#include <stdio.h>
#include <sys/stat.h>

const char *cli_copy_flag_values[2];

int cli_copy_db(int nargs, char **args)
{
    const char *from_url = cli_copy_flag_values[0], *to_url = cli_copy_flag_values[1];
    if (nargs || str_empty(from_url) || str_empty(to_url) || db_url_is_postgres(from_url) ||
        !db_url_is_postgres(to_url)) {
        fprintf(stderr, "usage: pforte copy-db --from FILE.db --to postgres://USER@HOST/DB\n"
                        "copies a SQLite installation into an empty PostgreSQL database and "
                        "verifies the copy\n");
        return 2;
    }
    int status = 1;
    Db *from = NULL, *to = NULL;
    struct stat info;
    if (stat(from_url, &info) != 0 || !S_ISREG(info.st_mode)) {
        fprintf(stderr, "pforte copy-db: no SQLite database at %s\n", from_url);
        goto done;
    }
    from = db_open(from_url);
    if (!from || db_migrate(from) != DB_OK) {
        fprintf(stderr, "pforte copy-db: cannot open or upgrade %s\n", from_url);
        goto done;
    }
    /* the newest requests may not be in SQLite's search index yet; PostgreSQL gets it whole */
    if (search_index_catch_up(from) != DB_OK) {
        fprintf(stderr, "pforte copy-db: cannot complete the search index of %s\n", from_url);
        goto done;
    }
    to = db_open(to_url);
    if (!to || db_migrate(to) != DB_OK) {
        fprintf(stderr, "pforte copy-db: cannot open or upgrade the PostgreSQL database\n");
        goto done;
    }
    Arena a;
    arena_init(&a, 16 * 1024);
    CopyReport report;
    bool ok = store_copy_to_postgres(from, to, &a, &report);
    for (int i = 0; i < report.table_count; i++) {
        const CopyTableResult *t = &report.tables[i];
        printf("%-16s %8lld rows  %s  sha256-sum %02x%02x%02x%02x%02x%02x%02x%02x\n", t->name,
               (long long)t->rows_to, t->same ? "same" : "DIFFERENT", t->sum_to[31],
               t->sum_to[30], t->sum_to[29], t->sum_to[28], t->sum_to[27], t->sum_to[26],
               t->sum_to[25], t->sum_to[24]);
    }
    arena_free(&a);
    if (!ok) {
        fprintf(stderr, "pforte copy-db: %s\n", report.error);
        goto done;
    }
    printf("copied and verified: %d tables\n", report.table_count);
    status = 0;
done:
    db_close(to);
    db_close(from);
    return status;
}
