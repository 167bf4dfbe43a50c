/* assets: finds the files compiled into the binary by path (sorted index + bsearch, built
 * once), or in --dev mode reads them from the source tree on every call. Must never read a
 * path outside the asset tree: ".." segments and absolute paths are refused in both modes. */
#include "web/assets.h" /* core/assets.h + assets_each */
#include "core/buf.h"
#include "core/mem.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEV_FILE_BYTES (64u * 1024 * 1024)

/* Embedded index: pointers into EMBEDDED_FILES sorted by path. Immutable after init. */
static const EmbeddedFile **index_files;
static size_t index_count;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* Dev mode: set at start-up (before worker threads) or in tests. */
static atomic_bool dev_on;
static char *dev_dir;
static pthread_mutex_t dev_dir_lock = PTHREAD_MUTEX_INITIALIZER;

/* One file read in dev mode, owned by the reading thread until it asks for the path again. */
typedef struct DevFile {
    struct DevFile *next;
    char *path;
    unsigned char *data;
    size_t size;
} DevFile;

static pthread_key_t dev_cache_key;
static pthread_once_t dev_cache_once = PTHREAD_ONCE_INIT;

static int compare_files(const void *a, const void *b)
{
    const EmbeddedFile *const *x = a, *const *y = b;
    return strcmp((*x)->path, (*y)->path);
}

static void index_build(void)
{
    size_t n = 0;
    while (EMBEDDED_FILES[n].path)
        n++;
    index_files = xmalloc((n ? n : 1) * sizeof *index_files);
    for (size_t i = 0; i < n; i++)
        index_files[i] = &EMBEDDED_FILES[i];
    qsort(index_files, n, sizeof *index_files, compare_files);
    index_count = n;
}

static int compare_key(const void *key, const void *elem)
{
    const EmbeddedFile *const *f = elem;
    return strcmp(key, (*f)->path);
}

/* True for relative paths without "..", "." or empty segments and without backslashes. */
static bool path_is_safe(const char *path)
{
    if (!path || !*path || *path == '/')
        return false;
    const char *seg = path;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (memchr(seg, '\\', len))
            return false;
        if (!end)
            return true;
        seg = end + 1;
    }
}

static void dev_cache_free(void *head)
{
    DevFile *f = head;
    while (f) {
        DevFile *next = f->next;
        free(f->path);
        free(f->data);
        free(f);
        f = next;
    }
}

static void dev_cache_key_create(void)
{
    if (pthread_key_create(&dev_cache_key, dev_cache_free) != 0) {
        fprintf(stderr, "level=fatal event=assets_key_create_failed\n");
        abort();
    }
}

/* Reads dir/path into a fresh heap block with a NUL after the bytes; NULL when unreadable. */
static unsigned char *dev_read(const char *path, size_t *size)
{
    Buf full;
    buf_init(&full, NULL);
    pthread_mutex_lock(&dev_dir_lock);
    buf_printf(&full, "%s/%s", dev_dir ? dev_dir : ".", path);
    pthread_mutex_unlock(&dev_dir_lock);
    FILE *f = fopen(buf_cstr(&full), "rb");
    buf_free(&full);
    if (!f)
        return NULL;
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            data = xrealloc(data, cap + 1);
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    } while (got > 0 && len <= MAX_DEV_FILE_BYTES);
    bool failed = ferror(f) || len > MAX_DEV_FILE_BYTES;
    fclose(f);
    if (failed) {
        free(data);
        return NULL;
    }
    data[len] = '\0';
    *size = len;
    return data;
}

static const unsigned char *dev_find(const char *path, size_t *size)
{
    pthread_once(&dev_cache_once, dev_cache_key_create);
    size_t len = 0;
    unsigned char *data = dev_read(path, &len);
    if (!data)
        return NULL;
    DevFile *head = pthread_getspecific(dev_cache_key);
    DevFile *f = head;
    while (f && strcmp(f->path, path) != 0)
        f = f->next;
    if (!f) {
        f = xcalloc(1, sizeof *f);
        f->path = xstrdup(path);
        f->next = head;
        pthread_setspecific(dev_cache_key, f);
    }
    free(f->data);
    f->data = data;
    f->size = len;
    if (size)
        *size = len;
    return data;
}

void assets_set_dev(bool on, const char *dir)
{
    pthread_mutex_lock(&dev_dir_lock);
    free(dev_dir);
    dev_dir = xstrdup(dir && *dir ? dir : ".");
    pthread_mutex_unlock(&dev_dir_lock);
    atomic_store(&dev_on, on);
}

bool assets_dev(void)
{
    return atomic_load_explicit(&dev_on, memory_order_relaxed);
}

const unsigned char *assets_find(const char *path, size_t *size)
{
    if (!path_is_safe(path))
        return NULL;
    if (assets_dev())
        return dev_find(path, size);
    pthread_once(&index_once, index_build);
    const EmbeddedFile **hit =
        bsearch(path, index_files, index_count, sizeof *index_files, compare_key);
    if (!hit)
        return NULL;
    if (size)
        *size = (*hit)->size;
    return (*hit)->data;
}

void assets_each(const char *prefix, void (*visit)(const EmbeddedFile *file, void *ctx), void *ctx)
{
    pthread_once(&index_once, index_build);
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < index_count; i++)
        if (plen == 0 || strncmp(index_files[i]->path, prefix, plen) == 0)
            visit(index_files[i], ctx);
}
