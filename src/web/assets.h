/* assets (web view): the embedded-file interface lives in core so the store can read its
 * migrations; web code may include either header. */
#ifndef PFORTE_WEB_ASSETS_H
#define PFORTE_WEB_ASSETS_H
#include "core/assets.h"

/* Calls visit for every embedded file whose path starts with prefix ("" or NULL = all), in
 * path order. Always walks the embedded copies, also in dev mode. */
void assets_each(const char *prefix, void (*visit)(const EmbeddedFile *file, void *ctx), void *ctx);

#endif
