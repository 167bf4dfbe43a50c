/* migrate: the migration runner both backends share. Migration files are
 * "src/store/migrations/<backend>/NNN_name.sql", compiled into the binary. */
#include "core/assets.h"
#include "core/log.h"
#include "core/str.h"
#include "store/backend.h"
#include <stdlib.h>
#include <string.h>

static int migration_number(const char *path, const char *dir)
{
    if (!str_starts_with(path, dir))
        return -1;
    int n = atoi(path + strlen(dir));
    return n > 0 ? n : -1;
}

static bool migration_applied(Db *db, int version)
{
    DbStmt *st = db_prepare(db, "SELECT count(*) FROM schema_migrations WHERE version = ?");
    int64_t n = 0;
    if (st) {
        db_bind_int(st, 1, version);
        db_run_int(st, &n);
    }
    return n > 0;
}

/* Every migration not applied yet, in number order - also one numbered below the highest
 * applied (work developed in parallel gets its numbers assigned up front, so a database may
 * have seen 008 before 004 arrives). */
DbResult migrate_files(Db *db, const char *dir, const char *record_sql)
{
    int highest = 0;
    for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++)
        if (migration_number(f->path, dir) > highest)
            highest = migration_number(f->path, dir);
    for (int want = 1; want <= highest; want++) {
        const EmbeddedFile *file = NULL;
        for (const EmbeddedFile *f = EMBEDDED_FILES; f->path; f++)
            if (migration_number(f->path, dir) == want)
                file = f;
        if (!file || migration_applied(db, want))
            continue;
        DbResult r = db_begin(db);
        if (r == DB_OK)
            r = db_exec(db, (const char *)file->data);
        if (r == DB_OK) {
            DbStmt *st = db_prepare(db, record_sql);
            if (st)
                db_bind_int(st, 1, want);
            r = db_run(st);
        }
        if (r == DB_OK)
            r = db_commit(db);
        if (r != DB_OK) {
            db_rollback(db);
            log_error("event=migration_failed version=%d file=%s", want, file->path);
            return r;
        }
        log_info("event=migrated version=%d file=%s", want, file->path);
    }
    return DB_OK;
}
