/* static: hashed URLs and serving for the files under static/. The embedded files are hashed
 * and gzipped once into an immutable table (built under pthread_once, read without locks);
 * in --dev mode every call reads and hashes the file on disk again.
 * SECURITY: never serves a name outside static/: names are plain file names
 * ([A-Za-z0-9._-], no leading dot, no ".."), only known types, always with nosniff. */
#include "http/static.h"
#include "core/log.h"
#include "core/str.h"
#include "http/compress.h"
#include "web/assets.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#define STATIC_PREFIX "static/"
#define STATIC_HASH_LEN 8
#define STATIC_NAME_MAX 200
#define STATIC_CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define STATIC_CACHE_REVALIDATE "no-cache"

typedef struct StaticFile {
    const char *name; /* "app.css" */
    const unsigned char *data;
    size_t size;
    char hash[STATIC_HASH_LEN + 1];
    const char *url;
    const unsigned char *gz; /* NULL when not worth it */
    size_t gz_len;
    struct StaticFile *next;
} StaticFile;

static StaticFile *table; /* immutable after table_build */
static Arena table_arena; /* lives as long as the process */
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* URLs handed out outside the table (dev mode, unknown names); kept for the process's life
 * because callers hold on to them, replaced (never freed) when a file's content changes. */
typedef struct ExtraUrl {
    const char *name;
    char hash[STATIC_HASH_LEN + 1];
    const char *url;
    struct ExtraUrl *next;
} ExtraUrl;
static ExtraUrl *extra_urls;
static Arena extra_arena;
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
    const char *ext, *type;
} STATIC_TYPES[] = {
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"webp", "image/webp"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"txt", "text/plain; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {NULL, NULL},
};

static const char *static_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (int i = 0; dot && STATIC_TYPES[i].ext; i++)
        if (strcasecmp(dot + 1, STATIC_TYPES[i].ext) == 0)
            return STATIC_TYPES[i].type;
    return NULL;
}

static bool static_name_valid(const char *name)
{
    if (str_empty(name) || name[0] == '.' || strlen(name) > STATIC_NAME_MAX || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static void static_hash(const unsigned char *data, size_t size, char out[STATIC_HASH_LEN + 1])
{
    static const char HEX[] = "0123456789abcdef";
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, size);
    for (int i = 0; i < STATIC_HASH_LEN / 2; i++) {
        out[2 * i] = HEX[digest[i] >> 4];
        out[2 * i + 1] = HEX[digest[i] & 15];
    }
    out[STATIC_HASH_LEN] = '\0';
}

/* "/static/app.3f2a9c1d.css" ("/static/app.css" when hash is empty). */
static const char *static_make_url(Arena *a, const char *name, const char *hash)
{
    const char *dot = strrchr(name, '.');
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    if (!*hash)
        return arena_printf(a, "/%s%s", STATIC_PREFIX, name);
    return arena_printf(a, "/%s%.*s.%s%s", STATIC_PREFIX, (int)stem, name, hash, dot ? dot : "");
}

/* ---- the table of embedded files ---- */

static void table_visit(const EmbeddedFile *file, void *ctx)
{
    StaticFile *f = arena_alloc(&table_arena, sizeof *f);
    f->name = file->path + strlen(STATIC_PREFIX);
    if (!static_name_valid(f->name))
        return; /* subdirectories are not served */
    f->data = file->data;
    f->size = file->size;
    static_hash(file->data, file->size, f->hash);
    f->url = static_make_url(&table_arena, f->name, f->hash);
    const char *type = static_type(f->name);
    if (type && compress_type_worth_it(type) && f->size >= COMPRESS_MIN_BYTES)
        f->gz = compress_gzip(&table_arena, f->data, f->size, &f->gz_len);
    f->next = table;
    table = f;
}

static void table_build(void)
{
    if (sodium_init() < 0)
        log_error("event=sodium_init_failed");
    arena_init(&table_arena, 64 * 1024);
    assets_each(STATIC_PREFIX, table_visit, NULL);
}

static const StaticFile *table_find(const char *name)
{
    pthread_once(&table_once, table_build);
    for (const StaticFile *f = table; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* The lasting URL for name with hash ("" = unhashed), made once per (name, hash). */
static const char *extra_url(const char *name, const char *hash)
{
    pthread_mutex_lock(&extra_lock);
    if (!extra_arena.block_size)
        arena_init(&extra_arena, 4096);
    ExtraUrl *e = extra_urls;
    while (e && strcmp(e->name, name) != 0)
        e = e->next;
    if (!e) {
        e = arena_alloc(&extra_arena, sizeof *e);
        e->name = arena_strdup(&extra_arena, name);
        e->next = extra_urls;
        extra_urls = e;
        if (!*hash)
            log_warn("event=static_unknown name=%s", name);
    }
    if (!e->url || strcmp(e->hash, hash) != 0) {
        memcpy(e->hash, hash, strlen(hash) + 1); /* "" or STATIC_HASH_LEN digits */
        e->url = static_make_url(&extra_arena, name, hash);
    }
    const char *url = e->url;
    pthread_mutex_unlock(&extra_lock);
    return url;
}

const char *static_url(const char *name)
{
    if (!static_name_valid(name))
        name = "invalid";
    if (!assets_dev()) {
        const StaticFile *f = table_find(name);
        return f ? f->url : extra_url(name, "");
    }
    Arena scratch;
    arena_init(&scratch, 256);
    size_t size;
    const unsigned char *data =
        assets_find(arena_printf(&scratch, STATIC_PREFIX "%s", name), &size);
    arena_free(&scratch);
    char hash[STATIC_HASH_LEN + 1] = "";
    if (data)
        static_hash(data, size, hash);
    return extra_url(name, hash);
}

/* ---- serving ---- */

/* Finds the file a request names: "app.css" or "app.<hash>.css" (also "LICENSE.<hash>").
 * *hash_given receives the hash in the name, or "" for a plain name. */
static bool static_resolve(Request *req, const char *requested, StaticFile *out,
                           char hash_given[STATIC_HASH_LEN + 1]);

static bool etag_matches(const char *if_none_match, const char *hash)
{
    const char *p = if_none_match;
    size_t hash_len = strlen(hash);
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if (n == 1 && *p == '*')
            return true;
        const char *tag = p;
        if (n >= 2 && strncmp(tag, "W/", 2) == 0)
            tag += 2;
        size_t tag_len = n - (size_t)(tag - p);
        while (tag_len && (tag[tag_len - 1] == ' ' || tag[tag_len - 1] == '\t'))
            tag_len--;
        if (tag_len == hash_len + 2 && tag[0] == '"' && strncmp(tag + 1, hash, hash_len) == 0 &&
            tag[hash_len + 1] == '"')
            return true;
        p += n;
    }
    return false;
}

void static_handle(Request *req, Response *res)
{
    StaticFile f;
    char hash_given[STATIC_HASH_LEN + 1];
    const char *type;
    if (!static_resolve(req, request_param(req, "file"), &f, hash_given) ||
        !(type = static_type(f.name))) {
        res->status = 404;
        return;
    }
    bool current = *hash_given && strcmp(hash_given, f.hash) == 0;
    response_header(res, req, "Cache-Control",
                    current && !assets_dev() ? STATIC_CACHE_IMMUTABLE : STATIC_CACHE_REVALIDATE);
    response_header(res, req, "ETag", arena_printf(req->arena, "\"%s\"", f.hash));
    if (etag_matches(request_header(req, "If-None-Match"), f.hash)) {
        res->status = 304;
        return;
    }
    res->status = 200;
    res->content_type = type;
    res->raw = f.data;
    res->raw_len = f.size;
    if (f.gz) {
        res->no_compress = true; /* negotiated here, with the copy made at start-up */
        response_header(res, req, "Vary", "Accept-Encoding");
        if (compress_accepts_gzip(request_header(req, "Accept-Encoding"))) {
            res->raw = f.gz;
            res->raw_len = f.gz_len;
            response_header(res, req, "Content-Encoding", "gzip");
        }
    }
}

/* Looks name up: the table, or in dev mode the disk (copied into the request arena because
 * the asset cache may be reused before the response has been sent). */
static bool static_lookup(Request *req, const char *name, StaticFile *out)
{
    memset(out, 0, sizeof *out);
    if (!assets_dev()) {
        const StaticFile *f = table_find(name);
        if (f)
            *out = *f;
        return f != NULL;
    }
    size_t size;
    const unsigned char *data =
        assets_find(arena_printf(req->arena, STATIC_PREFIX "%s", name), &size);
    if (!data)
        return false;
    unsigned char *copy = arena_alloc(req->arena, size + 1);
    memcpy(copy, data, size);
    out->name = arena_strdup(req->arena, name);
    out->data = copy;
    out->size = size;
    static_hash(copy, size, out->hash);
    return true;
}

static bool is_hash(const char *s, size_t n)
{
    if (n != STATIC_HASH_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool static_resolve(Request *req, const char *requested, StaticFile *out,
                           char hash_given[STATIC_HASH_LEN + 1])
{
    hash_given[0] = '\0';
    if (!static_name_valid(requested))
        return false;
    if (static_lookup(req, requested, out))
        return true;
    /* "stem.HASH.ext": the hash sits before the last dot; "stem.HASH": after it */
    const char *last = strrchr(requested, '.');
    const char *prev = NULL;
    for (const char *p = requested; last && p < last; p++)
        if (*p == '.')
            prev = p;
    if (prev && is_hash(prev + 1, (size_t)(last - prev - 1))) {
        memcpy(hash_given, prev + 1, STATIC_HASH_LEN + 1);
        hash_given[STATIC_HASH_LEN] = '\0';
        char *plain = arena_printf(req->arena, "%.*s%s", (int)(prev - requested), requested, last);
        if (static_lookup(req, plain, out))
            return true;
    }
    if (last && is_hash(last + 1, strlen(last + 1))) {
        memcpy(hash_given, last + 1, STATIC_HASH_LEN + 1);
        char *plain = arena_strndup(req->arena, requested, (size_t)(last - requested));
        if (static_lookup(req, plain, out))
            return true;
    }
    hash_given[0] = '\0';
    return false;
}
