/* assets: the files compiled into the binary (templates/, static/, locale/, migrations) and,
 * in --dev mode, the same files read from disk on every lookup. */
#ifndef PFORTE_CORE_ASSETS_H
#define PFORTE_CORE_ASSETS_H
#include <stdbool.h>
#include <stddef.h>

typedef struct EmbeddedFile {
    const char *path;            /* relative to the source tree: "templates/home.html" */
    const unsigned char *data;   /* NUL-terminated for convenience */
    size_t size;
} EmbeddedFile;

extern const EmbeddedFile EMBEDDED_FILES[]; /* generated; ends with {0} */

/* When on, assets_find reads from the source tree (dir) instead of the embedded copy. */
void assets_set_dev(bool on, const char *dir);
bool assets_dev(void);
/* Returns the file's bytes (NUL-terminated) and size, or NULL. In dev mode the returned
 * memory is owned by a per-thread cache and stays valid until the same thread asks for the
 * same path again. */
const unsigned char *assets_find(const char *path, size_t *size);

#endif
