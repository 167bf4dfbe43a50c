/* ratelimit: fixed-window counters kept in the database, so limits hold across several
 * servers. SECURITY: limits slow attackers down for a window; they never lock an account
 * for good. */
#ifndef PFORTE_DOMAIN_RATELIMIT_H
#define PFORTE_DOMAIN_RATELIMIT_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

/* Counts one hit on "kind:key" and says whether it is still within max per window seconds.
 * *retry_after receives the seconds until the window ends. DB errors give DB_* with
 * *allowed untouched. */
DbResult ratelimit_hit(Db *db, const char *kind, const char *key, int64_t max, int64_t window,
                       int64_t now, bool *allowed, int64_t *retry_after);
/* Like ratelimit_hit without counting (is the bucket already full?). */
DbResult ratelimit_full(Db *db, const char *kind, const char *key, int64_t max, int64_t window,
                        int64_t now, bool *full, int64_t *retry_after);
/* Forgets the current window of a bucket (e.g. failed logins after a success). */
DbResult ratelimit_clear(Db *db, const char *kind, const char *key, int64_t window, int64_t now);

#endif
