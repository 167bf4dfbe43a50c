/* ratelimit: fixed windows aligned to multiples of the window length. */
#include "domain/ratelimit.h"
#include "store/accounts.h"
#include <stdio.h>

static void bucket_name(char *out, size_t n, const char *kind, const char *key)
{
    snprintf(out, n, "%s:%.200s", kind, key ? key : "");
}

DbResult ratelimit_hit(Db *db, const char *kind, const char *key, int64_t max, int64_t window,
                       int64_t now, bool *allowed, int64_t *retry_after)
{
    char bucket[256];
    bucket_name(bucket, sizeof bucket, kind, key);
    int64_t start = now - now % window;
    int64_t count = 0;
    DbResult r = store_rate_hit(db, bucket, start, &count);
    if (r != DB_OK)
        return r;
    *allowed = count <= max;
    *retry_after = start + window - now;
    /* old windows are dropped now and then, by whoever happens to pass */
    if (count == 1 && now % 97 == 0)
        store_rate_prune(db, now - 86400 * 2);
    return DB_OK;
}

DbResult ratelimit_full(Db *db, const char *kind, const char *key, int64_t max, int64_t window,
                        int64_t now, bool *full, int64_t *retry_after)
{
    char bucket[256];
    bucket_name(bucket, sizeof bucket, kind, key);
    int64_t start = now - now % window;
    int64_t count = 0;
    DbResult r = store_rate_count(db, bucket, start, &count);
    if (r != DB_OK)
        return r;
    *full = count >= max;
    *retry_after = start + window - now;
    return DB_OK;
}

DbResult ratelimit_clear(Db *db, const char *kind, const char *key, int64_t window, int64_t now)
{
    char bucket[256];
    bucket_name(bucket, sizeof bucket, kind, key);
    return store_rate_clear(db, bucket, now - now % window);
}
