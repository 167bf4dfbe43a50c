/* compress: response gzip with zlib (deflateInit2 with the gzip wrapper) and the
 * Accept-Encoding negotiation that decides when to use it. Each thread keeps one deflate
 * stream and resets it per body: setting one up allocates ~270 KB, which costs more than
 * compressing a page. */
#include "http/compress.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* zlib level 5: nearly the ratio of the default 6 at clearly less CPU per page */
#define COMPRESS_LEVEL 5

/* Reads "q=0.5" style parameters after a coding; true unless q is zero. */
static bool coding_q_positive(const char *params, size_t n)
{
    const char *q = params;
    const char *end = params + n;
    while (q < end) {
        while (q < end && (*q == ';' || *q == ' ' || *q == '\t'))
            q++;
        if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
            char num[16];
            size_t len = strcspn(q + 2, ";, \t");
            if (len >= sizeof num)
                len = sizeof num - 1;
            memcpy(num, q + 2, len);
            num[len] = '\0';
            return strtod(num, NULL) > 0.0;
        }
        while (q < end && *q != ';')
            q++;
    }
    return true;
}

bool compress_accepts_gzip(const char *accept_encoding)
{
    const char *p = accept_encoding;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t item = strcspn(p, ",");
        size_t token = strcspn(p, ";, \t");
        bool named = (token == 4 && strncasecmp(p, "gzip", 4) == 0) ||
                     (token == 6 && strncasecmp(p, "x-gzip", 6) == 0) || (token == 1 && *p == '*');
        if (named && token <= item)
            return coding_q_positive(p + token, item - token);
        p += item;
    }
    return false;
}

bool compress_type_worth_it(const char *content_type)
{
    static const char *const TYPES[] = {"application/json", "application/javascript",
                                        "image/svg+xml", NULL};
    if (!content_type)
        return false;
    size_t n = strcspn(content_type, "; \t");
    if (n > 5 && strncasecmp(content_type, "text/", 5) == 0)
        return true;
    for (int i = 0; TYPES[i]; i++)
        if (n == strlen(TYPES[i]) && strncasecmp(content_type, TYPES[i], n) == 0)
            return true;
    return false;
}

static pthread_key_t stream_key;
static pthread_once_t stream_key_once = PTHREAD_ONCE_INIT;

static void stream_free(void *p)
{
    deflateEnd(p);
    free(p);
}

static void stream_key_create(void)
{
    pthread_key_create(&stream_key, stream_free);
}

/* The calling thread's deflate stream, reset for a new body; NULL when zlib fails. */
static z_stream *stream_for_thread(void)
{
    pthread_once(&stream_key_once, stream_key_create);
    z_stream *zs = pthread_getspecific(stream_key);
    if (zs)
        return deflateReset(zs) == Z_OK ? zs : NULL;
    zs = calloc(1, sizeof *zs);
    if (!zs)
        return NULL;
    if (deflateInit2(zs, COMPRESS_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(zs);
        return NULL;
    }
    pthread_setspecific(stream_key, zs);
    return zs;
}

unsigned char *compress_gzip(Arena *a, const unsigned char *data, size_t len, size_t *out_len)
{
    z_stream *zs = len <= 0xFFFFFFFFu ? stream_for_thread() : NULL;
    if (!zs)
        return NULL;
    size_t bound = deflateBound(zs, (uLong)len);
    unsigned char *out = arena_alloc(a, bound);
    zs->next_in = (Bytef *)data;
    zs->avail_in = (uInt)len;
    zs->next_out = out;
    zs->avail_out = (uInt)bound;
    int rc = deflate(zs, Z_FINISH);
    size_t n = zs->total_out;
    if (rc != Z_STREAM_END || n >= len)
        return NULL;
    *out_len = n;
    return out;
}
