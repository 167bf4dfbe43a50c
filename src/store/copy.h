/* copy: moving an installation's data from SQLite to PostgreSQL, verified (pforte copy-db). */
#ifndef PFORTE_STORE_COPY_H
#define PFORTE_STORE_COPY_H
#include "store/db.h"

#define COPY_MAX_TABLES 40

typedef struct CopyTableResult {
    const char *name;
    int64_t rows_from, rows_to;
    unsigned char sum_from[32], sum_to[32]; /* order-independent SHA-256 sums of the rows */
    bool same;
} CopyTableResult;

typedef struct CopyReport {
    int table_count;
    CopyTableResult tables[COPY_MAX_TABLES];
    char error[256]; /* why it failed, in English, for the console */
} CopyReport;

/* Copies every table of from (SQLite, migrated) into to (PostgreSQL, migrated, empty) in one
 * transaction, moves the identities past the copied ids and compares row counts and checksums
 * read back from both. True when everything was copied and is the same; otherwise
 * report->error says why (nothing is written when the target was not empty or the schemas
 * differ; a failed copy is rolled back). */
bool store_copy_to_postgres(Db *from, Db *to, Arena *a, CopyReport *report);

#endif
